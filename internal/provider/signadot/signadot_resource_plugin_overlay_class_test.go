package signadot

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
)

// The tutorial's overlay with every mapping's keys in another order: the
// same YAML document.
const tutorialOverlayReordered = `      spec:
        containers:
          - env:
              - valueFrom:
                  secretKeyRef:
                    key: XATA_API_KEY
                    name: xata-credentials
                name: XATA_API_KEY
              - valueFrom:
                  secretKeyRef:
                    key: XATA_ORG_ID
                    name: xata-credentials
                name: XATA_ORG_ID
              - valueFrom:
                  secretKeyRef:
                    key: XATA_PROJECT_ID
                    name: xata-credentials
                name: XATA_PROJECT_ID
              - valueFrom:
                  secretKeyRef:
                    key: XATA_DATABASE_NAME
                    name: xata-credentials
                name: XATA_DATABASE_NAME
            name: runner`

// TestAccResourcePlugin_overlayMeaningClass: pod_template_overlay is
// compared by meaning. Reordered keys are no change; another env value or
// an added container is a change, which replaces the plugin as the
// resource documents (Signadot plugins are immutable), and the new overlay
// is what reaches Signadot. An overlay compared too loosely would keep
// runners on the old secrets with an empty plan.
func TestAccResourcePlugin_overlayMeaningClass(t *testing.T) {
	env := acctest.NewSignadotEnv(t)
	t.Parallel()
	addr := "signadot_resource_plugin.xata_branch"
	plugin := func(overlay string) string {
		return env.ProviderBlock() + tutorialPlugin(overlay, "echo provisioning")
	}
	// sent is a check that the last body published to Signadot carries
	// every fragment (JSON-escaped YAML of the overlay).
	sent := func(fragments ...string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			body := string(env.Emu.LastApplyBody("xata-branch"))
			for _, f := range fragments {
				if !strings.Contains(body, f) {
					return fmt.Errorf("the overlay sent to Signadot lacks %q:\n%s", f, body)
				}
			}
			return nil
		}
	}
	replaced := func(overlay string, fragments ...string) resource.TestStep {
		return resource.TestStep{
			Config: plugin(overlay),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate)},
			},
			Check: sent(fragments...),
		}
	}
	otherSecretKey := strings.Replace(tutorialOverlay, "key: XATA_DATABASE_NAME", "key: XATA_DB_NAME", 1)
	sidecar := otherSecretKey + `
          - name: proxy
            image: cloudsql-proxy:2`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(t),
		CheckDestroy:             env.CheckNoPlugins,
		Steps: []resource.TestStep{
			{Config: plugin(tutorialOverlay)},
			{
				Config:           plugin(tutorialOverlayReordered),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			replaced(otherSecretKey, `key: XATA_DB_NAME`),
			replaced(sidecar, `key: XATA_DB_NAME`, `name: proxy`, `image: cloudsql-proxy:2`),
		},
	})
}
