package provider

import "sync"

// plannedParents carries the parent id a new branch's plan looked up to
// the create that follows. Terraform plans a resource again right before
// applying it, in the same provider process, so the create need not list
// the project's branches a second time. An id is taken once; a create
// that finds none looks the parent up itself.
type plannedParents struct {
	mu  sync.Mutex
	ids map[plannedParentKey]string
}

type plannedParentKey struct {
	org, project, branch, parentName string
}

func (p *plannedParents) remember(key plannedParentKey, id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ids == nil {
		p.ids = map[plannedParentKey]string{}
	}
	p.ids[key] = id
}

func (p *plannedParents) take(key plannedParentKey) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	id, ok := p.ids[key]
	delete(p.ids, key)
	return id, ok
}
