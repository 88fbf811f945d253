package provider

import "testing"

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
