package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestPlannedParentsAreTakenOnce(t *testing.T) {
	var p plannedParents
	key := plannedParentKey{"org", "prj", "pr-1", "main"}
	if _, ok := p.take(key); ok {
		t.Fatal("an empty carrier gave an id")
	}
	p.remember(key, "id-1")
	p.remember(plannedParentKey{"org", "prj", "pr-2", "main"}, "id-2")
	if id, ok := p.take(key); !ok || id != "id-1" {
		t.Fatalf("take = %q, %v; want id-1", id, ok)
	}
	if _, ok := p.take(key); ok {
		t.Error("an id was taken twice; a later create must look the parent up again")
	}
	for _, other := range []plannedParentKey{
		{"org", "prj", "pr-1", "develop"},
		{"org", "other", "pr-1", "main"},
		{"other", "prj", "pr-1", "main"},
	} {
		if _, ok := p.take(other); ok {
			t.Errorf("%+v took an id remembered for another key", other)
		}
	}
	if id, ok := p.take(plannedParentKey{"org", "prj", "pr-2", "main"}); !ok || id != "id-2" {
		t.Errorf("pr-2's id = %q, %v; want id-2", id, ok)
	}
}

// TestPlanRemembersTheParentItFound: a new child's plan hands the parent
// id it looked up to the create, and a later plan that no longer finds
// the parent takes the older answer back.
func TestPlanRemembersTheParentItFound(t *testing.T) {
	env := newTestEnv(t, false, withProvisionDelay(-1))
	client := env.client(t)
	org, project := env.OrganizationID(), env.ProjectID()
	mainID := env.seedRoot(t, "main")
	r := &branchResource{data: &providerData{}}
	config := branchModel{Name: types.StringValue(env.name("pr-1")), ParentName: types.StringValue(env.name("main"))}
	key := plannedParentKey{org, project, env.name("pr-1"), env.name("main")}

	if diags := r.checkNewBranch(context.Background(), client, org, project, config); diags.HasError() {
		t.Fatal(diags)
	}
	if id, ok := r.data.parents.take(key); !ok || id != mainID {
		t.Fatalf("after a plan that found main: %q, %v; want %s", id, ok, mainID)
	}

	if diags := r.checkNewBranch(context.Background(), client, org, project, config); diags.HasError() {
		t.Fatal(diags)
	}
	env.deleteBranch(t, mainID)
	diags := r.checkNewBranch(context.Background(), client, org, project, config)
	if diags.HasError() || diags.WarningsCount() != 1 {
		t.Fatalf("a parent gone since is a warning at plan: %v", diags)
	}
	if id, ok := r.data.parents.take(key); ok {
		t.Errorf("the plan that found no main left %q for the create", id)
	}
}
