package xata

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// branchHCL is a xata_branch "b" with these attributes, as HCL values;
// sorted, so that one step's configuration differs from the last only in
// what the step changes.
func branchHCL(attrs map[string]string) string {
	var b strings.Builder
	b.WriteString("\nresource \"xata_branch\" \"b\" {\n")
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		fmt.Fprintf(&b, "  %s = %s\n", k, attrs[k])
	}
	b.WriteString("}\n")
	return b.String()
}

// TestAccBranchResource_updateInPlaceClass walks one root branch through a
// change of every mutable attribute, one per step: each must plan as an
// update, never a replacement, and the branch keeps its id. A replacement
// that slipped in would destroy the user's data while the plan looked
// routine. Each apply ends with the branch settled (HEALTHY, or HIBERNATED
// when asked): a cluster change keeps the emulator's branch TRANSIENT for
// half a second, so an apply that did not wait for it would store
// TRANSIENT.
func TestAccBranchResource_updateInPlaceClass(t *testing.T) {
	env := acctest.NewEnv(t, false, withUpdateDelay(500*time.Millisecond))
	t.Parallel()
	addr := "xata_branch.b"
	// A minor version below the root's image, offered by the emulator and
	// the open-source server alike, so the last steps can upgrade it.
	const olderMinor = "postgres:17.7"
	attrs := map[string]string{
		"name":          fmt.Sprintf("%q", env.Name("b")),
		"region":        fmt.Sprintf("%q", env.Region),
		"instance_type": fmt.Sprintf("%q", env.InstanceType),
		"image":         fmt.Sprintf("%q", olderMinor),
		"storage":       "20",
	}
	sameID := statecheck.CompareValue(compare.ValuesSame())
	value := func(attr string, want knownvalue.Check) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(addr, tfjsonpath.New(attr), want)
	}
	changes := []struct {
		attr, hcl string
		want      statecheck.StateCheck
	}{
		{"name", fmt.Sprintf("%q", env.Name("b-renamed")), value("name", knownvalue.StringExact(env.Name("b-renamed")))},
		{"description", `"Changed in place"`, value("description", knownvalue.StringExact("Changed in place"))},
		{"instance_type", fmt.Sprintf("%q", env.OtherInstanceType(t)), value("instance_type", knownvalue.StringExact(env.OtherInstanceType(t)))},
		{"replicas", "1", value("replicas", knownvalue.Int64Exact(1))},
		{"storage", "30", value("storage", knownvalue.Int64Exact(30))},
		{"scale_to_zero", "{ enabled = true, inactivity_period_minutes = 60 }", value("scale_to_zero", knownvalue.ObjectExact(map[string]knownvalue.Check{
			"enabled": knownvalue.Bool(true), "inactivity_period_minutes": knownvalue.Int64Exact(60),
		}))},
		{"postgres_parameters", `{ max_connections = "50" }`, value("postgres_parameters", knownvalue.MapExact(map[string]knownvalue.Check{
			"max_connections": knownvalue.StringExact("50"),
		}))},
		{"database", `"postgres"`, value("connection_string", knownvalue.StringRegexp(regexp.MustCompile(`/postgres\?`)))},
		{"store_credentials", "false", value("connection_string", knownvalue.Null())},
		{"image", fmt.Sprintf("%q", env.Image), value("image", knownvalue.StringExact(env.Image))},
		{"hibernate", "true", value("status", knownvalue.StringExact(xataapi.StatusHibernated))},
		{"hibernate", "false", value("status", knownvalue.StringExact(xataapi.StatusHealthy))},
	}
	steps := []resource.TestStep{{
		Config:            env.ProviderBlock() + branchHCL(attrs),
		ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(addr, tfjsonpath.New("id"))},
	}}
	for _, c := range changes {
		attrs[c.attr] = c.hcl
		settled := value("status", knownvalue.StringExact(xataapi.StatusHealthy))
		if c.attr == "hibernate" {
			settled = c.want // the status the step asks for
		}
		steps = append(steps, resource.TestStep{
			Config: env.ProviderBlock() + branchHCL(attrs),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
			},
			ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(addr, tfjsonpath.New("id")), c.want, settled},
		})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches(),
		Steps:                    steps,
	})
}
