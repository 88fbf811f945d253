package xataemu

import (
	"net/http"
	"sort"
	"strconv"
)

const defaultInactivityMinutes = 30

func defaultProjectScaleToZero() projectScaleToZero {
	d := scaleToZero{Enabled: false, InactivityPeriodMinutes: defaultInactivityMinutes}
	return projectScaleToZero{BaseBranches: d, ChildBranches: d}
}

// normalizeScaleToZero applies the platform's rule that a non-positive
// inactivity period means the default.
func normalizeScaleToZero(s scaleToZero) scaleToZero {
	if s.InactivityPeriodMinutes <= 0 {
		s.InactivityPeriodMinutes = defaultInactivityMinutes
	}
	return s
}

func (e *Emulator) orgWire(o *organization) organizationWire {
	return organizationWire{
		ID: o.id, Name: o.name,
		Status: organizationStatus{
			Status: "enabled", BillingStatus: "ok", UsageTier: "t2",
			LastUpdated: o.createdAt, CreatedAt: o.createdAt,
		},
	}
}

func (e *Emulator) listOrganizations(c *call) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c.json(http.StatusOK, map[string][]organizationWire{
		"organizations": {e.orgWire(e.orgs[c.orgID])},
	})
}

func (e *Emulator) getOrganization(c *call) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c.json(http.StatusOK, e.orgWire(e.orgs[c.orgID]))
}

func (e *Emulator) knownRegion(r string) bool {
	for _, x := range e.regions {
		if x == r {
			return true
		}
	}
	return false
}

func (e *Emulator) listRegions(c *call) {
	out := make([]regionWire, 0, len(e.regions))
	for _, r := range e.regions {
		out = append(out, regionWire{ID: r, PublicAccess: true, BackupsEnabled: true, Provider: "aws"})
	}
	c.json(http.StatusOK, map[string][]regionWire{"regions": out})
}

func (e *Emulator) listInstanceTypes(c *call) {
	region := c.r.URL.Query().Get("region")
	if region == "" {
		c.fail(http.StatusBadRequest, "invalid parameter [region]: region is required")
		return
	}
	if !e.knownRegion(region) {
		c.fail(http.StatusBadRequest, "invalid region: %s", region)
		return
	}
	out := make([]instanceTypeWire, 0, len(instanceTypes))
	for _, it := range instanceTypes {
		out = append(out, instanceTypeWire{
			Name: it.name, VCPUs: it.millicores, RAM: it.ramGB,
			HourlyRate: it.hourlyRate, StorageMonthlyRate: storageMonthlyRate, Region: region,
		})
	}
	c.json(http.StatusOK, map[string][]instanceTypeWire{"instanceTypes": out})
}

func (e *Emulator) listImages(c *call) {
	region := c.r.URL.Query().Get("region")
	if region != "" && !e.knownRegion(region) {
		c.fail(http.StatusBadRequest, "invalid region: %s", region)
		return
	}
	out := make([]imageWire, 0, len(images))
	for _, name := range images {
		_, major, minor := imageParts(name)
		out = append(out, imageWire{
			Name:         name,
			MajorVersion: strconv.Itoa(major),
			FullVersion:  strconv.Itoa(major) + "." + strconv.Itoa(minor),
			Region:       e.regions,
		})
	}
	c.json(http.StatusOK, map[string][]imageWire{"images": out})
}

// addProject inserts a project; e.mu must be held.
func (e *Emulator) addProject(orgID, name string, stz projectScaleToZero, ipf *ipFiltering) *project {
	id := newProjectID()
	for e.projects[id] != nil {
		id = newProjectID()
	}
	now := e.timestamp()
	p := &project{id: id, orgID: orgID, name: name, createdAt: now, updatedAt: now, scaleToZero: stz, ipFiltering: ipf}
	e.projects[id] = p
	return p
}

// project returns a live project of the caller's organization; e.mu must
// be held. It writes the 404 itself.
func (e *Emulator) project(c *call, pid string) *project {
	p := e.projects[pid]
	if p == nil || p.orgID != c.orgID {
		c.fail(http.StatusNotFound, "project [%s] not found", pid)
		return nil
	}
	return p
}

func (p *project) wire() projectWire {
	cfg := projectConfiguration{ScaleToZero: p.scaleToZero}
	// The platform omits ipFiltering when it is off and empty.
	if p.ipFiltering != nil && (p.ipFiltering.Enabled || len(p.ipFiltering.CIDR) > 0) {
		cfg.IPFiltering = p.ipFiltering
	}
	return projectWire{ID: p.id, Name: p.name, CreatedAt: p.createdAt, UpdatedAt: p.updatedAt, Configuration: cfg}
}

// nameTaken reports whether another live project of the org has the name;
// e.mu must be held.
func (e *Emulator) projectNameTaken(orgID, name, exceptID string) bool {
	for _, p := range e.projects {
		if p.orgID == orgID && p.name == name && p.id != exceptID {
			return true
		}
	}
	return false
}

func (e *Emulator) listProjects(c *call) {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := []projectWire{}
	for _, p := range e.projects {
		if p.orgID == c.orgID {
			out = append(out, p.wire())
		}
	}
	// The platform does not order lists; sorting keeps the emulator
	// deterministic without promising an order.
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	c.json(http.StatusOK, map[string][]projectWire{"projects": out})
}

// projectConfigInput validates a configuration object; on create both
// scale-to-zero halves are required.
func projectConfigInput(c *call, in *projectConfigurationInput, current projectScaleToZero) (projectScaleToZero, bool) {
	if in == nil || in.ScaleToZero == nil {
		return current, true
	}
	if in.ScaleToZero.BaseBranches == nil || in.ScaleToZero.ChildBranches == nil {
		c.fail(http.StatusBadRequest, "invalid parameter [configuration]: scaleToZero needs both baseBranches and childBranches")
		return current, false
	}
	return projectScaleToZero{
		BaseBranches:  normalizeScaleToZero(*in.ScaleToZero.BaseBranches),
		ChildBranches: normalizeScaleToZero(*in.ScaleToZero.ChildBranches),
	}, true
}

func (e *Emulator) createProject(c *call) {
	var req projectRequest
	if !c.decode(&req) {
		return
	}
	name := ""
	if req.Name != nil {
		name = *req.Name
	}
	if name == "" {
		c.fail(http.StatusBadRequest, "invalid project name []")
		return
	}
	stz, ok := projectConfigInput(c, req.Configuration, defaultProjectScaleToZero())
	if !ok {
		return
	}
	var ipf *ipFiltering
	if req.Configuration != nil {
		ipf = req.Configuration.IPFiltering
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.projectNameTaken(c.orgID, name, "") {
		c.fail(http.StatusConflict, "project [%s] already exists", name)
		return
	}
	c.json(http.StatusCreated, e.addProject(c.orgID, name, stz, ipf).wire())
}

func (e *Emulator) getProject(c *call, pid string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if p := e.project(c, pid); p != nil {
		c.json(http.StatusOK, p.wire())
	}
}

func (e *Emulator) updateProject(c *call, pid string) {
	var req projectRequest
	if !c.decode(&req) {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.project(c, pid)
	if p == nil {
		return
	}
	if req.Name == nil && (req.Configuration == nil || (req.Configuration.ScaleToZero == nil && req.Configuration.IPFiltering == nil)) {
		c.fail(http.StatusBadRequest, "project [%s]: at least one of the request fields needs to be set", pid)
		return
	}
	if req.Name != nil {
		if *req.Name == "" {
			c.fail(http.StatusBadRequest, "invalid project name []")
			return
		}
		if e.projectNameTaken(p.orgID, *req.Name, p.id) {
			c.fail(http.StatusConflict, "project [%s] already exists", *req.Name)
			return
		}
	}
	stz, ok := projectConfigInput(c, req.Configuration, p.scaleToZero)
	if !ok {
		return
	}
	if req.Name != nil {
		p.name = *req.Name
	}
	p.scaleToZero = stz
	if req.Configuration != nil && req.Configuration.IPFiltering != nil {
		p.ipFiltering = req.Configuration.IPFiltering
	}
	p.updatedAt = later(p.updatedAt, e.timestamp())
	c.json(http.StatusOK, p.wire())
}

func (e *Emulator) deleteProject(c *call, pid string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.project(c, pid)
	if p == nil {
		return
	}
	for _, b := range e.branches {
		if b.projectID == pid {
			c.fail(http.StatusBadRequest, "project %s is not empty. Please delete its branches first.", pid)
			return
		}
	}
	delete(e.projects, pid)
	c.noContent()
}
