package xata

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/xataemu"
	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
)

// phrases matches each phrase in turn, however Terraform wraps the lines.
func phrases(p ...string) *regexp.Regexp {
	for i, s := range p {
		p[i] = strings.Join(strings.Fields(regexp.QuoteMeta(s)), `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(p, ".*"))
}

// With the key's quota spent for the next hour, a plan fails at once,
// saying so, and nothing is created: it neither waits the hour out nor
// retries into the same refusal.
func TestAccBranchResource_quotaSpentForAnHour(t *testing.T) {
	acctest.RequireEmulator(t, "a quota spent on demand, the count of requests refused")
	for _, tc := range []struct {
		name, config string
		want         *regexp.Regexp
		instances    int
	}{
		{"a child of main", `
resource "xata_branch" "pr" {
  name        = "pr-1"
  parent_name = "main"
}`, phrases("Xata Parent Branch: API Quota Exhausted", "refused; nothing was changed", "quota is spent until", "run again after the reset"), 1},
		{"ten children", `
resource "xata_branch" "pr" {
  count       = 10
  name        = "pr-${count.index}"
  parent_name = "main"
}`, phrases("API Quota Exhausted", "quota is spent until"), 10},
		{"a root branch", `
resource "xata_branch" "root" {
  name          = "root"
  region        = "us-east-1"
  instance_type = "xata.micro"
  image         = "postgres:17.9"
}`, phrases("Xata Branch Creation Failed", "was not created.", "quota is spent until", "run again after the reset", "allows 1000 requests per window and 0 remain"), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := acctest.NewEnv(t, false, acctest.WithQuota(xataemu.Quota{PerMinute: 100, PerHour: 1000}))
			env.SeedRoot(t, "main")
			if err := env.Emu.SpendQuota(env.APIKey(), xataemu.QuotaHour); err != nil {
				t.Fatal(err)
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: env.Factories(t),
				Steps: []resource.TestStep{{
					Config:      env.ProviderBlock() + tc.config,
					ExpectError: tc.want,
				}},
			})
			if got := env.Emu.CreatedCount(env.ProjectID()); got != 1 {
				t.Errorf("%d branches were created; want only main", got)
			}
			// No call is repeated: at most one refusal per instance and
			// plan, where the old client tried each call 8 times over 92 s.
			if refused := env.Emu.QuotaStats()[env.APIKey()].Refused; refused > tc.instances+1 {
				t.Errorf("%d requests were refused for %d instances; a refusal for an hour must end each call at once",
					refused, tc.instances)
			}
		})
	}
}
