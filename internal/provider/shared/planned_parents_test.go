package shared

import "testing"

func TestPlannedParentsAreTakenOnce(t *testing.T) {
	var p PlannedParents
	key := PlannedParentKey{"org", "prj", "pr-1", "main"}
	if _, ok := p.Take(key); ok {
		t.Fatal("an empty carrier gave an id")
	}
	p.Remember(key, "id-1")
	p.Remember(PlannedParentKey{"org", "prj", "pr-2", "main"}, "id-2")
	if id, ok := p.Take(key); !ok || id != "id-1" {
		t.Fatalf("take = %q, %v; want id-1", id, ok)
	}
	if _, ok := p.Take(key); ok {
		t.Error("an id was taken twice; a later create must look the parent up again")
	}
	for _, other := range []PlannedParentKey{
		{"org", "prj", "pr-1", "develop"},
		{"org", "other", "pr-1", "main"},
		{"other", "prj", "pr-1", "main"},
	} {
		if _, ok := p.Take(other); ok {
			t.Errorf("%+v took an id remembered for another key", other)
		}
	}
	if id, ok := p.Take(PlannedParentKey{"org", "prj", "pr-2", "main"}); !ok || id != "id-2" {
		t.Errorf("pr-2's id = %q, %v; want id-2", id, ok)
	}
}
