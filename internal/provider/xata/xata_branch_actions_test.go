package xata

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// TestAccBranchActions_triggers: a branch whose lifecycle triggers
// xata_branch_hibernate after create is hibernated when the apply ends
// (and, hibernate being unset, that is no drift); one triggering
// xata_branch_wake after update is awake again after an in-place update.
func TestAccBranchActions_triggers(t *testing.T) {
	env := acctest.NewEnv(t, false)
	t.Parallel()
	config := func(description, events, actionType string) string {
		return env.ProviderBlock() + env.RootHCL("preview", "preview", fmt.Sprintf(`  description   = %q

  lifecycle {
    action_trigger {
      events  = [%s]
      actions = [action.%s.preview]
    }
  }
`, description, events, actionType)) + fmt.Sprintf(`
action %q "preview" {
  config {
    branch_id = xata_branch.preview.id
  }
}
`, actionType)
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   terraform114("actions"),
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches(),
		Steps: []resource.TestStep{
			{
				Config: config("Preview", "after_create", "xata_branch_hibernate"),
				Check:  env.BranchStatus("preview", xataapi.StatusHibernated),
			},
			{
				Config: config("Preview again", "after_update", "xata_branch_wake"),
				Check:  env.BranchStatus("preview", xataapi.StatusHealthy),
			},
		},
	})
}

// TestAccBranchActions_rotateCredentials: after xata_branch_rotate_credentials
// runs (triggered here by creating a terraform_data), the next refresh
// records the new password in xata_branch's state and
// xata_branch_credentials reads that same new password, unlike before.
func TestAccBranchActions_rotateCredentials(t *testing.T) {
	env := acctest.NewEnv(t, false)
	t.Parallel()
	factories := env.Factories(t)
	factories["echo"] = echoprovider.NewProviderServer()
	base := env.ProviderBlock() + env.MainHCL() + `
ephemeral "xata_branch_credentials" "main" {
  branch_id = xata_branch.main.id
}

provider "echo" {
  data = ephemeral.xata_branch_credentials.main
}

resource "echo" "before" {}
`
	rotate := base + `
action "xata_branch_rotate_credentials" "main" {
  config {
    branch_id = xata_branch.main.id
  }
}

resource "terraform_data" "rotate" {
  input = xata_branch.main.id

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.xata_branch_rotate_credentials.main]
    }
  }
}
`
	password := tfjsonpath.New("password")
	echoed := tfjsonpath.New("data").AtMapKey("password")
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   terraform114("actions"),
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             env.CheckNoBranches(),
		Steps: []resource.TestStep{
			{
				Config: base,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs("echo.before", echoed, "xata_branch.main", password, compare.ValuesSame()),
				},
			},
			{Config: rotate},
			{
				// This apply refreshes first; the echo resource created by it
				// records what the ephemeral resource reads now.
				Config: rotate + `resource "echo" "after" {}`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs("echo.after", echoed, "xata_branch.main", password, compare.ValuesSame()),
					statecheck.CompareValuePairs("echo.after", echoed, "echo.before", echoed, compare.ValuesDiffer()),
				},
			},
		},
	})
}

// TestAccBranchActions_invoke runs `terraform apply -invoke` with the real
// CLI and the built provider: waking a hibernated branch reports progress
// until it is healthy, waking it again says there is nothing to do, and a
// branch that does not exist is a clear error.
func TestAccBranchActions_invoke(t *testing.T) {
	requireTerraform114(t, "actions")
	env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(-1))
	t.Parallel()
	seeded := acctest.SeedBranches(t, env) // sb-2 is hibernated
	w := newCLIWorkdir(t)
	w.write("main.tf", env.MainTF()+fmt.Sprintf(`
action "xata_branch_wake" "sb_2" {
  config {
    branch_id = %q
  }
}

action "xata_branch_hibernate" "gone" {
  config {
    branch_id = "k3v9q0m2p8d4r6t1b5n7c0f2a9"
  }
}
`, seeded.IDs["sb-2"]))
	w.run("init", "-input=false")

	out := w.run("apply", "-input=false", "-auto-approve", "-invoke=action.xata_branch_wake.sb_2")
	// Which statuses the polls see depends on timing; that one is reported is not.
	sb2 := regexp.QuoteMeta(env.Name("sb-2"))
	progress := regexp.MustCompile(`(?s)Waking branch "` + sb2 + `".*Branch "` + sb2 + `" \(` + seeded.IDs["sb-2"] +
		`\): STATUS_TYPE_\w+ \(".*"\), \d of 1 instances ready\..*Branch "` + sb2 + `" \(` + seeded.IDs["sb-2"] + `\) is awake\.`)
	if !progress.MatchString(out) {
		t.Errorf("the first wake's output should report waking, a status, and the branch awake")
	}
	if err := env.BranchStatus("sb-2", xataapi.StatusHealthy)(nil); err != nil {
		t.Error(err)
	}

	out = w.run("apply", "-input=false", "-auto-approve", "-invoke=action.xata_branch_wake.sb_2")
	if !strings.Contains(out, "is awake already; nothing to do") || strings.Contains(out, "Waking branch") {
		t.Errorf("waking an awake branch should only say so")
	}

	out = w.fail("apply", "-input=false", "-auto-approve", "-invoke=action.xata_branch_hibernate.gone")
	if !regexp.MustCompile(`(?s)Xata Branch Hibernate Action: Branch Not Found.*No branch\s+k3v9q0m2p8d4r6t1b5n7c0f2a9 exists`).MatchString(out) {
		t.Errorf("invoking on a missing branch should say it is not found")
	}
}

// TestAccActionExamples applies each action example of the docs with the
// real CLI, invokes its actions as the comments say, and checks their
// effect; an example without an entry here fails, so none goes untested.
func TestAccActionExamples(t *testing.T) {
	acctest.SkipAgainstEndpoint(t, "applies the docs' examples as written, whose branch names cannot carry the run's prefix")
	requireTerraform114(t, "actions")
	password := func(t *testing.T, env *acctest.Env) string {
		t.Helper()
		main := env.Emu.Branches(env.ProjectID())[0]
		creds, err := env.Client(t).GetBranchCredentials(context.Background(), env.OrganizationID(), env.ProjectID(), main.ID)
		if err != nil {
			t.Fatal(err)
		}
		return creds.Password
	}
	scripts := map[string]func(t *testing.T, env *acctest.Env, w *cliWorkdir){
		"xata_branch_hibernate": func(t *testing.T, env *acctest.Env, w *cliWorkdir) {
			if out := w.run("apply", "-input=false", "-auto-approve"); !strings.Contains(out, `Hibernating branch "preview"`) {
				t.Error("creating the preview should hibernate it, saying so")
			}
			if err := env.BranchStatus("preview", xataapi.StatusHibernated)(nil); err != nil {
				t.Error(err)
			}
			w.run("apply", "-input=false", "-auto-approve", "-invoke=action.xata_branch_wake.preview")
			if err := env.BranchStatus("preview", xataapi.StatusHealthy)(nil); err != nil {
				t.Error(err)
			}
			w.run("destroy", "-input=false", "-auto-approve")
		},
		"xata_branch_wake": func(t *testing.T, env *acctest.Env, w *cliWorkdir) {
			w.run("apply", "-input=false", "-auto-approve")
			if out := w.run("apply", "-input=false", "-auto-approve", "-invoke=action.xata_branch_wake.main"); !strings.Contains(out, "is awake already; nothing to do") {
				t.Error("waking an awake main should say there is nothing to do")
			}
		},
		"xata_branch_rotate_credentials": func(t *testing.T, env *acctest.Env, w *cliWorkdir) {
			first := password(t, env)
			w.run("apply", "-input=false", "-auto-approve")
			second := password(t, env)
			w.run("apply", "-input=false", "-auto-approve", "-var", "rotation=2")
			third := password(t, env)
			if first == second || second == third {
				t.Error("creating terraform_data.rotation and changing var.rotation should each rotate the password")
			}
			w.run("apply", "-input=false", "-auto-approve", "-invoke=action.xata_branch_rotate_credentials.main")
			if password(t, env) == third {
				t.Error("invoking the action should rotate the password")
			}
		},
	}
	dirs, err := os.ReadDir(filepath.Join("..", "..", "..", "examples", "actions"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		script, ok := scripts[d.Name()]
		if !ok {
			t.Errorf("examples/actions/%s has no script in this test, so it is not run", d.Name())
			continue
		}
		t.Run(d.Name(), func(t *testing.T) {
			env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(-1))
			t.Parallel()
			script(t, env, exampleWorkdir(t, env, "actions/"+d.Name()))
		})
	}
}
