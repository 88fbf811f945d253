package xata

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// filterPair is two filters of xata_branches or the xata_branch list
// resource together, as HCL lines of its configuration, and the branches
// (the test's names, sorted) that match both. Each pair is chosen so that
// either filter alone matches more: a filter that is dropped, or applied
// in the wrong order, changes the result.
type filterPair struct {
	name  string
	lines string
	want  []string
	// limit is the list block's limit, 0 for none (the data source has none).
	limit int
}

// filterPairs are the pairs of the filters the data source and the list
// resource share, over SeedBranches' project: main, other (roots), pr-7,
// sb-1, sb-2 (children of main, sb-2 hibernated), created in that order.
func filterPairs(env *acctest.Env, seeded acctest.SeededBranches) []filterPair {
	pair := func(name, lines string, want ...string) filterPair {
		return filterPair{name: name, lines: lines, want: want}
	}
	at := func(name string) string { return seeded.CreatedAt[name].Format(time.RFC3339Nano) }
	// Against an endpoint, pairs without name_regex are kept to this
	// test's branches by a third filter (env.scope); on the emulator
	// scope is empty.
	return []filterPair{
		pair("name_regex and parent_name", fmt.Sprintf("name_regex = %q\nparent_name = %q\n", env.NameRegex("")+".*r", env.Name("main")),
			"pr-7"),
		pair("name_regex and status", fmt.Sprintf("name_regex = %q\nstatus = %q\n", env.NameRegex("sb-"), xataapi.StatusHealthy),
			"sb-1"),
		pair("name_regex and created_before", fmt.Sprintf("name_regex = %q\ncreated_before = %q\n", env.NameRegex("")+".*-", at("sb-2")),
			"pr-7", "sb-1"),
		pair("parent_name and status", fmt.Sprintf("parent_name = %q\nstatus = %q\n", env.Name("main"), xataapi.StatusHealthy),
			"pr-7", "sb-1"),
		pair("parent_id and created_before", fmt.Sprintf("parent_id = %q\ncreated_before = %q\n", seeded.IDs["main"], at("sb-2")),
			"pr-7", "sb-1"),
		pair("status and created_before", fmt.Sprintf("%sstatus = %q\ncreated_before = %q\n", env.Scope(), xataapi.StatusHealthy, at("other")),
			"main", "pr-7", "sb-1"),
	}
}

// blockName is a pair's name as a Terraform block label.
func (p filterPair) blockName() string {
	return strings.NewReplacer(" ", "_", "-", "_").Replace(p.name)
}

// TestAccBranchesDataSource_filterPairsClass: every pair of the data
// source's filters returns exactly the branches matching both.
func TestAccBranchesDataSource_filterPairsClass(t *testing.T) {
	env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(-1))
	t.Parallel()
	pairs := filterPairs(env, acctest.SeedBranches(t, env))
	hcl := env.ProviderBlock()
	var checks []statecheck.StateCheck
	for _, p := range pairs {
		hcl += fmt.Sprintf("\ndata \"xata_branches\" %q {\n%s}\n", p.blockName(), p.lines)
		checks = append(checks, env.Names("data.xata_branches."+p.blockName(), p.want...))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		Steps:                    []resource.TestStep{{Config: hcl, ConfigStateChecks: checks}},
	})
}

// TestAccBranchListResource_filterPairsClass: the list resource's filters
// pairwise, and each with limit, which keeps the first matches by name
// after every filter (status included) has been applied.
func TestAccBranchListResource_filterPairsClass(t *testing.T) {
	env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(-1))
	t.Parallel()
	seeded := acctest.SeedBranches(t, env)
	pairs := filterPairs(env, seeded)
	limited := func(name string, limit int, lines string, want ...string) filterPair {
		return filterPair{name: name, lines: lines, want: want, limit: limit}
	}
	withLimit := []filterPair{
		limited("status and limit", 1, fmt.Sprintf("%sstatus = %q\n", env.Scope(), xataapi.StatusHibernated), "sb-2"),
		limited("status healthy and limit", 2, fmt.Sprintf("%sstatus = %q\n", env.Scope(), xataapi.StatusHealthy), "main", "other"),
		limited("name_regex and limit", 2, fmt.Sprintf("name_regex = %q\n", env.NameRegex("")+".*-"), "pr-7", "sb-1"),
		limited("parent_id and limit", 1, fmt.Sprintf("parent_id = %q\n", seeded.IDs["main"]), "pr-7"),
		limited("created_before and limit", 2, fmt.Sprintf("%screated_before = %q\n", env.Scope(), seeded.CreatedAt["sb-2"].Format(time.RFC3339Nano)), "main", "pr-7"),
	}
	var query string
	var checks []querycheck.QueryResultCheck
	for _, p := range append(pairs, withLimit...) {
		limit := ""
		if p.limit > 0 {
			limit = fmt.Sprintf("  limit = %d\n", p.limit)
		}
		query += fmt.Sprintf("\nlist \"xata_branch\" %q {\n  provider = xata\n%s  config {\n%s  }\n}\n", p.blockName(), limit, p.lines)
		addr := "xata_branch." + p.blockName()
		checks = append(checks, querycheck.ExpectLength(addr, len(p.want)))
		for _, n := range p.want {
			checks = append(checks, querycheck.ExpectIdentity(addr, map[string]knownvalue.Check{
				"organization_id": knownvalue.StringExact(env.OrganizationID()),
				"project_id":      knownvalue.StringExact(env.ProjectID()),
				"id":              knownvalue.StringExact(seeded.IDs[n]),
			}))
		}
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   terraform114("terraform query"),
		ProtoV6ProviderFactories: env.Factories(t),
		Steps: []resource.TestStep{
			{Config: env.ProviderBlock() + `data "xata_branches" "all" {}`},
			{Query: true, Config: query, QueryResultChecks: checks},
		},
	})
}
