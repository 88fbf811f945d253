package xataemu

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"time"
)

const (
	maxDescriptionLen = 50
	defaultUsername   = "xata"
	// pgOpTimeout bounds database work done for one request. It does not
	// follow the request context: like the platform, a create the client
	// gave up on still completes.
	pgOpTimeout = 5 * time.Minute
)

var (
	descriptionRE = regexp.MustCompile(`^[a-zA-Z0-9]+[a-zA-Z0-9- ]*$`)
	backupTimeRE  = regexp.MustCompile(`^(\*|[0-6]):(0[0-9]|1[0-9]|2[0-3]):([0-5][0-9])$`)
	// The platform validates parameters per instance type and version; the
	// emulator only checks that they look like Postgres GUC names.
	pgParamNameRE = regexp.MustCompile(`^[a-z_][a-z0-9_.]*$`)
)

// later returns t, or just after prev when the clock has not moved past it,
// so updatedAt strictly increases.
func later(prev, t time.Time) time.Time {
	if !t.After(prev) {
		return prev.Add(time.Microsecond)
	}
	return t
}

// branch looks up a live branch of a project of the caller's organization;
// e.mu must be held. It writes the 404 itself.
func (e *Emulator) branch(c *call, pid, bid string) *branch {
	if e.project(c, pid) == nil {
		return nil
	}
	b := e.branches[bid]
	if b == nil || b.projectID != pid {
		c.fail(http.StatusNotFound, "branch [%s] not found", bid)
		return nil
	}
	return b
}

// endpoint is where the branch's Postgres listens. In memory it is a name
// under .invalid, so a connection attempt fails obviously.
func (e *Emulator) endpoint(b *branch) (string, int) {
	if e.pg != nil {
		return e.pg.host, e.pg.port
	}
	return b.id + ".in-memory.xata-emulator.invalid", 5432
}

func (e *Emulator) connectionString(b *branch, sslmode string) string {
	host, port := e.endpoint(b)
	u := url.URL{
		Scheme: "postgresql",
		User:   url.UserPassword(b.username, b.password),
		Host:   net.JoinHostPort(host, strconv.Itoa(port)),
		Path:   "/" + b.database,
	}
	if sslmode != "" {
		u.RawQuery = "sslmode=" + sslmode
	}
	return u.String()
}

// metadataConnectionString is the connectionString field of branch
// metadata (GET branch, and the BranchShortMetadata of create and update):
// null until the branch is provisioned, the same in both credentials
// shapes. [SPEC-B] deprecates it in favour of the credentials endpoint; on
// the open-source server ([SRC] getConnectionString) it is the only place
// that names host, port and database:
// postgresql://xata:<pw>@<id>.<gateway host>:<port>/xata?sslmode=require.
func (e *Emulator) metadataConnectionString(b *branch, now time.Time) *string {
	if !b.provisioned(now) {
		return nil
	}
	// In memory: the platform's sslmode=require on a host that cannot
	// resolve. In PostgreSQL mode the string names the local cluster and
	// says sslmode=disable instead, so a client that takes host, port and
	// database from it (the open-source shape's only source) can connect:
	// the local cluster serves no TLS, and require would fail there.
	mode := "require"
	if e.pg != nil {
		mode = "disable"
	}
	s := e.connectionString(b, mode)
	return &s
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (e *Emulator) shortMetadata(b *branch, conn *string) branchShortMetadata {
	return branchShortMetadata{
		ID: b.id, Name: b.name, Description: b.description,
		CreatedAt: b.createdAt, UpdatedAt: b.updatedAt,
		ParentID: nullable(b.parentID), ConnectionString: conn,
		Region: b.region, PublicAccess: b.publicAccess,
	}
}

func (b *branch) configuration() clusterConfiguration {
	params := map[string]string{"max_connections": strconv.Itoa(defaultMaxConnections(b.instanceType))}
	for k, v := range b.pgParams {
		params[k] = v
	}
	return clusterConfiguration{
		Region: b.region, Storage: b.storage, InstanceType: b.instanceType, Image: b.image,
		Replicas: b.replicas, PostgresConfigurationParameters: params,
		PreloadLibraries: slices.Clone(b.preloadLibraries),
	}
}

func (e *Emulator) listBranches(c *call, pid string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.project(c, pid) == nil {
		return
	}
	out := []branchListMetadata{}
	for _, b := range e.branches {
		if b.projectID != pid {
			continue
		}
		// Like the platform's list query: no description, and
		// backupsEnabled is always false.
		out = append(out, branchListMetadata{
			ID: b.id, Name: b.name, CreatedAt: b.createdAt, UpdatedAt: b.updatedAt,
			ParentID: nullable(b.parentID), Region: b.region, PublicAccess: b.publicAccess,
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	c.json(http.StatusOK, map[string][]branchListMetadata{"branches": out})
}

func (e *Emulator) getBranch(c *call, pid, bid string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	b := e.branch(c, pid, bid)
	if b == nil {
		return
	}
	now := e.now()
	backup := b.backup
	c.json(http.StatusOK, branchMetadata{
		ID: b.id, Name: b.name, Description: b.description,
		CreatedAt: b.createdAt, UpdatedAt: b.updatedAt,
		ParentID: nullable(b.parentID), Region: b.region,
		Status:           b.status(now),
		ConnectionString: e.metadataConnectionString(b, now),
		PublicAccess:     b.publicAccess, BackupsEnabled: b.backupsEnabled,
		ScaleToZero: b.scaleToZero, Configuration: b.configuration(),
		BackupConfiguration: &backup,
	})
}

// validateDescription applies the spec's rule (max 50, pattern). The
// platform checks it on create only.
func validateDescription(c *call, d string) bool {
	if len(d) > maxDescriptionLen {
		c.fail(http.StatusBadRequest, "max length is %d", maxDescriptionLen)
		return false
	}
	if d != "" && !descriptionRE.MatchString(d) {
		c.fail(http.StatusBadRequest, "description %s invalid: invalid branch description %s", d, d)
		return false
	}
	return true
}

// validateBackup checks a backupConfiguration; prefix names the branch in
// the error.
func validateBackup(c *call, prefix string, in *backupConfigurationInput, cur backupConfiguration) (backupConfiguration, bool) {
	if in == nil {
		return cur, true
	}
	if in.RetentionPeriod != nil {
		if *in.RetentionPeriod < 2 || *in.RetentionPeriod > 35 {
			c.fail(http.StatusBadRequest, "%s: invalid parameter [backupConfiguration]: retention period must be between 2 and 35 days", prefix)
			return cur, false
		}
		cur.RetentionPeriod = *in.RetentionPeriod
	}
	if in.BackupTime != "" {
		if !backupTimeRE.MatchString(in.BackupTime) {
			c.fail(http.StatusBadRequest, "%s: invalid parameter [backupConfiguration]: invalid backup time %s", prefix, in.BackupTime)
			return cur, false
		}
		cur.BackupTime = in.BackupTime
	}
	return cur, true
}

// integerPGParams are parameters whose values the emulator checks as
// positive integers. The server validates every value per instance type
// and version (NOTES §2.2: 400 "…[postgresConfigurationParameters]:
// <param>: <reason>"); these stand for that check.
var integerPGParams = map[string]bool{"max_connections": true, "max_worker_processes": true}

func validatePGParams(c *call, prefix string, params map[string]string) bool {
	for k, v := range params {
		n, err := strconv.Atoi(v)
		if !pgParamNameRE.MatchString(k) || v == "" || integerPGParams[k] && (err != nil || n < 1) {
			c.fail(http.StatusBadRequest, "%s: invalid parameter [postgresConfigurationParameters]: %s: invalid value %q", prefix, k, v)
			return false
		}
	}
	return true
}

func validatePreload(c *call, prefix string, libs []string) bool {
	for _, l := range libs {
		if l == "" || !pgParamNameRE.MatchString(l) {
			c.fail(http.StatusBadRequest, "%s: invalid parameter [preloadLibraries]: unknown library %q", prefix, l)
			return false
		}
	}
	return true
}

func (e *Emulator) createBranch(c *call, pid string) {
	e.mu.Lock()
	p := e.project(c, pid)
	e.mu.Unlock()
	if p == nil {
		return
	}
	var req branchCreationDetails
	if !c.decode(&req) {
		return
	}
	prefix := "Branch [" + req.Name + "]"
	if req.Mode != "inherit" && req.Mode != "custom" {
		c.fail(http.StatusBadRequest, "%s: invalid parameter [body]: failed to parse branch creation details - unknown mode %q, expected inherit or custom", prefix, req.Mode)
		return
	}
	if req.Name == "" {
		c.fail(http.StatusBadRequest, "Branch []: invalid parameter [name]: branch name is required")
		return
	}
	if !validateDescription(c, req.Description) {
		return
	}
	backup, ok := validateBackup(c, prefix, req.BackupConfiguration, backupConfiguration{RetentionPeriod: 2, BackupTime: "0:03:45"})
	if !ok {
		return
	}
	b := &branch{
		id: newBranchID(), projectID: pid, name: req.Name, description: req.Description,
		parentID: req.ParentID, backup: backup, storage: defaultStorageGiB,
		username: defaultUsername, password: e.newBranchPassword(), database: defaultUsername,
	}
	if req.Mode == "custom" {
		if !e.applyCustomConfig(c, prefix, req.Configuration, b) {
			return
		}
	} else if req.ParentID == "" {
		c.fail(http.StatusBadRequest, "%s: invalid parameter [parentID]: parent branch ID is required", prefix)
		return
	}

	// Creates in a project are serialised, as by the platform's advisory
	// lock; validation against existing branches happens under the lock.
	p.createMu.Lock()
	defer p.createMu.Unlock()
	e.mu.Lock()
	if e.project(c, pid) == nil {
		e.mu.Unlock()
		return
	}
	parentDB := ""
	if req.Mode == "inherit" {
		parent := e.branches[req.ParentID]
		if parent == nil || parent.projectID != pid {
			e.mu.Unlock()
			c.fail(http.StatusNotFound, "Branch [%s]: not found", req.ParentID)
			return
		}
		if st := parent.status(e.now()); st.StatusType == statusFault {
			e.mu.Unlock()
			c.fail(http.StatusPreconditionFailed, "Cannot create child branch because parent branch [%s] is not healthy", parent.id)
			return
		}
		// A child inherits the parent's cluster configuration and region,
		// always without replicas.
		b.region, b.instanceType, b.image, b.storage = parent.region, parent.instanceType, parent.image, parent.storage
		b.pgParams = cloneMap(parent.pgParams)
		b.preloadLibraries = slices.Clone(parent.preloadLibraries)
		parentDB = parent.database
	}
	if !e.admitBranch(c, p, b) {
		e.mu.Unlock()
		return
	}
	stz := p.scaleToZero.BaseBranches
	if req.Mode == "inherit" {
		stz = p.scaleToZero.ChildBranches
	}
	if req.ScaleToZero != nil {
		stz = *req.ScaleToZero
	}
	b.scaleToZero = normalizeScaleToZero(stz)
	b.publicAccess, b.backupsEnabled = true, true

	if e.pg != nil {
		if e.closed {
			e.mu.Unlock()
			c.fail(http.StatusServiceUnavailable, "Service temporarily unavailable. Please try again later. (Request ID: %s)", c.id)
			return
		}
		// The database is created (and the parent copied) before the 201,
		// so the child reflects the parent at creation time. mu is released
		// meanwhile; the project's createMu keeps other creates out.
		b.username = "xata_" + b.id
		b.database = b.username
		e.inflight.Add(1)
		e.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), pgOpTimeout)
		err := e.pg.createBranchDB(ctx, b.username, b.password, parentDB)
		cancel()
		e.mu.Lock()
		e.inflight.Done()
		if err != nil {
			e.mu.Unlock()
			e.logPGError("create branch "+b.id, err)
			c.fail(http.StatusInternalServerError, "Internal Error (Request ID: %s)", c.id)
			return
		}
		// A rename or project delete may have raced with the copy.
		if e.project(c, pid) == nil || !e.admitBranch(c, p, b) {
			e.mu.Unlock()
			ctx, cancel := context.WithTimeout(context.Background(), pgOpTimeout)
			defer cancel()
			if err := e.pg.drop(ctx, b.database); err != nil {
				e.logPGError("roll back branch "+b.id, err)
			}
			return
		}
	}
	now := e.timestamp()
	b.createdAt, b.updatedAt = now, now
	b.clusterAt = now.Add(e.provisionDelay / 3)
	b.provisionedAt = now.Add(e.provisionDelay)
	b.credentialsAt = b.provisionedAt.Add(e.credentialsLag)
	e.branches[b.id] = b
	p.created++
	resp := e.shortMetadata(b, nil) // the credentials secret does not exist yet
	e.mu.Unlock()
	c.json(http.StatusCreated, resp)
}

// applyCustomConfig validates the configuration of a root branch and
// copies it into b. It writes the error itself.
func (e *Emulator) applyCustomConfig(c *call, prefix string, cfg *clusterConfigurationInput, b *branch) bool {
	switch {
	case cfg == nil:
		c.fail(http.StatusBadRequest, "%s: invalid parameter [body]: failed to parse branch creation details - configuration is required", prefix)
	case !e.knownRegion(cfg.Region):
		c.fail(http.StatusBadRequest, "%s: invalid parameter [configuration]: invalid region: %s", prefix, cfg.Region)
	case !knownInstanceType(cfg.InstanceType):
		c.fail(http.StatusBadRequest, "%s: invalid parameter [configuration]: invalid instance type: %s", prefix, cfg.InstanceType)
	case !knownImage(cfg.Image):
		c.fail(http.StatusBadRequest, "%s: invalid parameter [configuration]: invalid image: %s", prefix, cfg.Image)
	case cfg.Replicas == nil:
		c.fail(http.StatusBadRequest, "%s: invalid parameter [configuration]: replicas is required", prefix)
	case *cfg.Replicas < 0 || *cfg.Replicas > maxReplicas:
		c.fail(http.StatusBadRequest, "%s: invalid parameter [configuration]: replicas must be between 0 and %d", prefix, maxReplicas)
	case !validatePGParams(c, prefix, cfg.PostgresConfigurationParameters), !validatePreload(c, prefix, cfg.PreloadLibraries):
	default:
		// configuration.storage is ignored: the platform applies its
		// default whatever was asked for. A root branch has no parent even
		// if the body names one.
		b.parentID = ""
		b.region, b.instanceType, b.image, b.replicas = cfg.Region, cfg.InstanceType, cfg.Image, *cfg.Replicas
		b.pgParams = cloneMap(cfg.PostgresConfigurationParameters)
		b.preloadLibraries = slices.Clone(cfg.PreloadLibraries)
		return true
	}
	return false
}

// admitBranch applies the per-project limit and name uniqueness; e.mu must
// be held. It writes the error itself.
func (e *Emulator) admitBranch(c *call, p *project, b *branch) bool {
	active := 0
	for _, x := range e.branches {
		if x.projectID != p.id {
			continue
		}
		active++
		if x.name == b.name {
			c.fail(http.StatusConflict, "branch [%s] already exists", b.name)
			return false
		}
	}
	if active >= maxBranchesPerProject {
		c.fail(http.StatusBadRequest, "project [%s] has too many branches", p.id)
		return false
	}
	return true
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (e *Emulator) logPGError(what string, err error) {
	if e.logf != nil {
		e.logf("xataemu: %s: %v", what, err)
	}
}

func (e *Emulator) updateBranch(c *call, pid, bid string) {
	var req branchUpdateDetails
	if !c.decode(&req) {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	b := e.branch(c, pid, bid)
	if b == nil {
		return
	}
	prefix := "Branch [" + bid + "]"
	if req.Name == nil && req.Description == nil && req.Replicas == nil && req.Storage == nil &&
		req.InstanceType == nil && req.Image == nil && req.Hibernate == nil && req.ScaleToZero == nil &&
		req.BackupConfiguration == nil && req.PostgresConfigurationParameters == nil && req.PreloadLibraries == nil {
		c.fail(http.StatusBadRequest, "%s: invalid parameter [all]: branch [%s]: at least one of the request fields needs to be set", prefix, bid)
		return
	}
	if req.Image != nil && (req.PostgresConfigurationParameters != nil || req.InstanceType != nil || req.PreloadLibraries != nil) {
		c.fail(http.StatusBadRequest, "%s: invalid parameter [image]: image cannot be updated together with postgresConfigurationParameters, instanceType or preloadLibraries", prefix)
		return
	}
	if req.Replicas != nil && (*req.Replicas < 0 || *req.Replicas > maxReplicas) {
		c.fail(http.StatusBadRequest, "%s: invalid parameter [replicas]: replicas must be between 0 and %d", prefix, maxReplicas)
		return
	}
	if s := req.Storage; s != nil {
		switch {
		case *s < b.storage:
			c.fail(http.StatusBadRequest, "%s: invalid parameter [configuration]: storage size cannot be decreased (current: %dGi, requested: %dGi)", prefix, b.storage, *s)
			return
		case *s > maxStorageGiB:
			c.fail(http.StatusBadRequest, "%s: invalid parameter [configuration]: storage size cannot exceed %dGi", prefix, maxStorageGiB)
			return
		}
	}
	// "custom" is what GET reports for non-catalogue resources; sending it
	// back changes nothing.
	if it := req.InstanceType; it != nil && *it != "custom" && !knownInstanceType(*it) {
		c.fail(http.StatusBadRequest, "%s: invalid parameter [configuration]: invalid instance type: %s", prefix, *it)
		return
	}
	if im := req.Image; im != nil && *im != b.image {
		curOff, curMaj, curMin := imageParts(b.image)
		off, maj, minor := imageParts(*im)
		switch {
		case !knownImage(*im):
			c.fail(http.StatusBadRequest, "%s: invalid parameter [configuration]: invalid image: %s", prefix, *im)
			return
		case off != curOff || maj != curMaj || minor < curMin:
			c.fail(http.StatusBadRequest, "%s: invalid parameter [configuration]: only minor version upgrades are allowed (current: %s, requested: %s)", prefix, b.image, *im)
			return
		}
	}
	if !validatePGParams(c, prefix, req.PostgresConfigurationParameters) || !validatePreload(c, prefix, req.PreloadLibraries) {
		return
	}
	backup, ok := validateBackup(c, prefix, req.BackupConfiguration, b.backup)
	if !ok {
		return
	}
	// Neither name nor description is validated on update by the platform.
	if req.Name != nil && *req.Name != b.name {
		for _, x := range e.branches {
			if x.projectID == pid && x.name == *req.Name {
				c.fail(http.StatusConflict, "branch [%s] already exists", *req.Name)
				return
			}
		}
		b.name = *req.Name
	}
	if req.Description != nil {
		b.description = *req.Description
	}
	if req.ScaleToZero != nil {
		b.scaleToZero = normalizeScaleToZero(*req.ScaleToZero)
	}
	b.backup = backup

	// Cluster changes are applied asynchronously: the branch goes
	// TRANSIENT for UpdateDelay. Unchanged values cause no rollout.
	changed := false
	if req.Replicas != nil && *req.Replicas != b.replicas {
		b.replicas, changed = *req.Replicas, true
	}
	if req.Storage != nil && *req.Storage != b.storage {
		b.storage, changed = *req.Storage, true
	}
	if req.InstanceType != nil && *req.InstanceType != "custom" && *req.InstanceType != b.instanceType {
		b.instanceType, changed = *req.InstanceType, true
	}
	if req.Image != nil && *req.Image != b.image {
		b.image, changed = *req.Image, true
	}
	if req.PostgresConfigurationParameters != nil && !mapsEqual(req.PostgresConfigurationParameters, b.pgParams) {
		b.pgParams, changed = cloneMap(req.PostgresConfigurationParameters), true
	}
	if req.PreloadLibraries != nil && !slices.Equal(req.PreloadLibraries, b.preloadLibraries) {
		b.preloadLibraries, changed = slices.Clone(req.PreloadLibraries), true
	}
	now := e.now()
	if changed {
		e.markBusy(b, now, phaseApplying)
	}
	if req.Hibernate != nil {
		if *req.Hibernate {
			b.hibernated = true
		} else if b.hibernated {
			b.hibernated = false
			e.markBusy(b, now, phaseWaking)
		}
	}
	b.updatedAt = later(b.updatedAt, e.timestamp())
	c.json(http.StatusOK, e.shortMetadata(b, e.metadataConnectionString(b, now)))
}

func (e *Emulator) markBusy(b *branch, now time.Time, phase string) {
	if e.updateDelay <= 0 {
		return
	}
	b.busyUntil, b.busyPhase = now.Add(e.updateDelay), phase
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func (e *Emulator) deleteBranch(c *call, pid, bid string) {
	e.mu.Lock()
	b := e.branch(c, pid, bid)
	if b == nil {
		e.mu.Unlock()
		return
	}
	// Gone from the API at once; children keep their (now dangling)
	// parentID.
	delete(e.branches, bid)
	e.mu.Unlock()
	if e.pg != nil {
		ctx, cancel := context.WithTimeout(context.Background(), pgOpTimeout)
		defer cancel()
		// The platform tears the cluster down asynchronously and still
		// answers 204; a failed drop is retried by Close.
		if err := e.pg.drop(ctx, b.database); err != nil {
			e.logPGError("delete branch "+bid, err)
		}
	}
	c.noContent()
}
