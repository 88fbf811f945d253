package xata

import (
	"errors"
	"fmt"
	"time"

	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient"
)

// quotaAdvice says what to do when err is the API key's request quota
// spent for longer than the operation may wait; false for any other error.
func quotaAdvice(err error) (string, bool) {
	var quota *apiclient.QuotaError
	if !errors.As(err, &quota) {
		return "", false
	}
	return fmt.Sprintf("The Xata API key's request quota is spent until %s, longer than this plan or apply may wait. "+
		"Every runner and user of the key draws on the same quota (Xata documents 100 requests a minute and 1,000 "+
		"an hour per key): run again after the reset, run fewer applies at once with this key, or give each team "+
		"its own key.", quota.Until.UTC().Format(time.RFC3339)), true
}
