package signadot

import (
	"testing"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
)

func TestMain(m *testing.M) { acctest.Main(m, Types()) }
