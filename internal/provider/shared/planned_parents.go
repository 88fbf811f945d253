package shared

import "sync"

// PlannedParents carries the parent id a new branch's plan looked up to
// the create that follows. Terraform plans a resource again right before
// applying it, in the same provider process, so the create need not list
// the project's branches a second time. An id is taken once; a create
// that finds none looks the parent up itself.
type PlannedParents struct {
	mu  sync.Mutex
	ids map[PlannedParentKey]string
}

type PlannedParentKey struct {
	Org, Project, Branch, ParentName string
}

func (p *PlannedParents) Remember(key PlannedParentKey, id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ids == nil {
		p.ids = map[PlannedParentKey]string{}
	}
	p.ids[key] = id
}

func (p *PlannedParents) Take(key PlannedParentKey) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	id, ok := p.ids[key]
	delete(p.ids, key)
	return id, ok
}
