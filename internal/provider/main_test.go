package provider

import (
	"testing"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
	"github.com/sandboxdb/terraform-provider-xata/internal/provider/signadot"
	"github.com/sandboxdb/terraform-provider-xata/internal/provider/xata"
)

// The provider as users get it: every service's types, the configurations
// that use more than one service (the examples), and the checks that walk
// every type.
func TestMain(m *testing.M) { acctest.Main(m, xata.Types(), signadot.Types()) }
