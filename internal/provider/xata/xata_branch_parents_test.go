package xata

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
	"github.com/sandboxdb/terraform-provider-xata/internal/provider/shared"
)

// TestPlanRemembersTheParentItFound: a new child's plan hands the parent
// id it looked up to the create, and a later plan that no longer finds
// the parent takes the older answer back.
func TestPlanRemembersTheParentItFound(t *testing.T) {
	env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(-1))
	client := env.Client(t)
	org, project := env.OrganizationID(), env.ProjectID()
	mainID := env.SeedRoot(t, "main")
	r := &branchResource{data: &shared.ProviderData{}}
	config := branchModel{branchViewModel: branchViewModel{Name: types.StringValue(env.Name("pr-1"))}, ParentName: types.StringValue(env.Name("main"))}
	key := shared.PlannedParentKey{Org: org, Project: project, Branch: env.Name("pr-1"), ParentName: env.Name("main")}

	if diags := r.checkNewBranch(context.Background(), client, org, project, config); diags.HasError() {
		t.Fatal(diags)
	}
	if id, ok := r.data.Parents.Take(key); !ok || id != mainID {
		t.Fatalf("after a plan that found main: %q, %v; want %s", id, ok, mainID)
	}

	if diags := r.checkNewBranch(context.Background(), client, org, project, config); diags.HasError() {
		t.Fatal(diags)
	}
	env.DeleteBranch(t, mainID)
	diags := r.checkNewBranch(context.Background(), client, org, project, config)
	if diags.HasError() || diags.WarningsCount() != 1 {
		t.Fatalf("a parent gone since is a warning at plan: %v", diags)
	}
	if id, ok := r.data.Parents.Take(key); ok {
		t.Errorf("the plan that found no main left %q for the create", id)
	}
}
