// Package xataemu emulates the Xata platform API (organizations, projects,
// branches) for tests and demos. It follows the public OpenAPI spec and the
// observed server behaviour: the error texts, status codes, the asynchronous
// branch status machine and the limits a client has to cope with.
//
// Without Postgres it keeps everything in memory and hands out connection
// strings that cannot connect. With Options.PostgresAdminURL each branch is a
// real database on that cluster, and a child branch starts as a copy of its
// parent's data.
package xataemu

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/emuhttp"
)

// Options configures New.
type Options struct {
	// PostgresAdminURL is a superuser DSN of a running cluster; empty means
	// in-memory mode.
	PostgresAdminURL string
	// PostgresBinDir holds pg_dump and pg_restore ("" = PATH).
	PostgresBinDir string
	// ProvisionDelay is how long a new branch takes to become HEALTHY.
	// Zero means 300ms, negative means immediately healthy.
	ProvisionDelay time.Duration
	// UpdateDelay is how long a cluster-affecting PATCH keeps the branch
	// TRANSIENT. Zero means 200ms, negative means not at all.
	UpdateDelay time.Duration
	// Region is listed first in the region catalogue; default "us-east-1".
	Region string
	// Quota limits each API key's requests (zero: no quota).
	Quota Quota
	// CredentialsShape picks the answers of the credentials endpoints:
	// CredentialsHosted ("" too) or CredentialsOpenSource.
	CredentialsShape CredentialsShape
	// EmptyOrganization leaves out the "default" project: the organization
	// starts with no project, as a new one does (ProjectID is then "").
	EmptyOrganization bool
	// Logf, when set, receives one line per request.
	Logf func(format string, args ...any)
}

const (
	defaultProvisionDelay = 300 * time.Millisecond
	defaultUpdateDelay    = 200 * time.Millisecond
	// maxBranchesPerProject is the platform's MaxBranchesPerProject.
	maxBranchesPerProject = 100
	// defaultStorageGiB is reported for every new branch: the platform
	// ignores the requested size on create.
	defaultStorageGiB = 10
	maxStorageGiB     = 1024
	maxReplicas       = 4
)

// Emulator is an http.Handler serving the emulated API. It is safe for
// concurrent use.
type Emulator struct {
	logf             func(format string, args ...any)
	updateDelay      time.Duration
	credentialsShape CredentialsShape
	regions          []string
	pg               *pgBackend // nil in in-memory mode
	now              func() time.Time

	mu             sync.Mutex
	provisionDelay time.Duration
	// credentialsLag keeps a healthy branch's credentials answering 404
	// that long, as on the real platform where the operator writes the
	// secret after the cluster; credentialsFailures makes the next GETs
	// of credentials answer 404 (a rotation in progress).
	credentialsLag      time.Duration
	credentialsFailures int
	orgs                map[string]*organization
	keys                map[string]*apiKey // by token
	projects            map[string]*project
	branches            map[string]*branch // live branches only
	closed              bool
	// inflight counts creates that are copying data outside mu, so Close
	// can wait for them before dropping databases.
	inflight sync.WaitGroup

	defaultOrg, defaultProject, defaultKey string

	// issued is every branch password handed out, rotated ones included,
	// for tests that look for them where they must not be.
	issuedMu sync.Mutex
	issued   []string

	quotas   quotas
	front    *emuhttp.Handler
	listener emuhttp.Listener
}

type organization struct {
	id, name  string
	createdAt time.Time
}

type project struct {
	id, orgID, name      string
	createdAt, updatedAt time.Time
	scaleToZero          projectScaleToZero
	ipFiltering          *ipFiltering
	created              int // branches ever created, deleted ones included
	// createMu serialises branch creation in the project, like the
	// platform's per-project advisory lock, without holding Emulator.mu
	// while a database is copied.
	createMu sync.Mutex
}

// New builds an emulator with one organization, one project named
// "default" (unless Options.EmptyOrganization) and one organization API
// key that may do everything.
func New(opts Options) (*Emulator, error) {
	shape, err := ParseCredentialsShape(string(opts.CredentialsShape))
	if err != nil {
		return nil, err
	}
	e := &Emulator{
		logf:             opts.Logf,
		credentialsShape: shape,
		updateDelay:      durationOption(opts.UpdateDelay, defaultUpdateDelay),
		provisionDelay:   durationOption(opts.ProvisionDelay, defaultProvisionDelay),
		now:              time.Now,
		orgs:             map[string]*organization{},
		keys:             map[string]*apiKey{},
		projects:         map[string]*project{},
		branches:         map[string]*branch{},
	}
	e.quotas.set(opts.Quota)
	e.front = &emuhttp.Handler{
		Name: "xataemu", Serve: e.handle, RequestID: requestID,
		RateLimitBody: rateLimitBody, FaultError: writeFaultError, Logf: opts.Logf,
		Route: Route, AdminAuth: e.adminAuth,
	}

	region := opts.Region
	if region == "" {
		region = builtinRegions[0]
	}
	e.regions = []string{region}
	for _, r := range builtinRegions {
		if r != region {
			e.regions = append(e.regions, r)
		}
	}

	if opts.PostgresAdminURL != "" {
		pg, err := newPGBackend(opts.PostgresAdminURL, opts.PostgresBinDir)
		if err != nil {
			return nil, err
		}
		e.pg = pg
	}

	e.defaultOrg = e.CreateOrganization("emulated")
	if !opts.EmptyOrganization {
		e.defaultProject = e.CreateProject(e.defaultOrg, "default")
	}
	e.defaultKey = e.CreateAPIKey(e.defaultOrg)
	return e, nil
}

// durationOption maps the Options convention (0 = default, <0 = none).
func durationOption(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	}
	return d
}

// timestamp is the current time at the precision the platform stores
// (Postgres timestamps: microseconds).
func (e *Emulator) timestamp() time.Time {
	return e.now().UTC().Truncate(time.Microsecond)
}

// Start serves the emulator on a loopback port and returns its base URL.
func (e *Emulator) Start() (string, error) { return e.listener.Start("127.0.0.1:0", e) }

// URL is the base URL returned by Start ("" before).
func (e *Emulator) URL() string { return e.listener.URL() }

// Close stops serving and drops every database and role the emulator
// created. Later requests are answered with 503.
func (e *Emulator) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	e.mu.Unlock()

	errs := []error{e.listener.Close(10 * time.Second)}
	e.inflight.Wait()
	if e.pg != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		errs = append(errs, e.pg.dropAll(ctx))
		cancel()
	}
	return errors.Join(errs...)
}

// OrganizationID is the organization New created.
func (e *Emulator) OrganizationID() string { return e.defaultOrg }

// ProjectID is the "default" project New created ("" with
// Options.EmptyOrganization).
func (e *Emulator) ProjectID() string { return e.defaultProject }

// APIKey is the organization key New created.
func (e *Emulator) APIKey() string { return e.defaultKey }

// CreateOrganization adds an organization and returns its ID. No key can
// see it until CreateAPIKey is called for it.
func (e *Emulator) CreateOrganization(name string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	id := newOrgID()
	for e.orgs[id] != nil {
		id = newOrgID()
	}
	e.orgs[id] = &organization{id: id, name: name, createdAt: e.timestamp()}
	return id
}

// CreateProject adds a project with default settings to an organization
// and returns its ID ("" if the organization does not exist).
func (e *Emulator) CreateProject(orgID, name string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.orgs[orgID] == nil {
		return ""
	}
	return e.addProject(orgID, name, defaultProjectScaleToZero(), nil).id
}

// CreateAPIKey mints an organization key (xao_…) for orgID that may do
// everything there ("" if the organization does not exist).
func (e *Emulator) CreateAPIKey(orgID string) string {
	return e.CreateRestrictedAPIKey(orgID, APIKeySpec{})
}

// BranchInfo is a snapshot of a live branch for test assertions.
type BranchInfo struct {
	ID, Name, ParentID, StatusType, Status string
	// Database and Role name the Postgres objects backing the branch
	// (empty in in-memory mode).
	Database, Role string
	CreatedAt      time.Time
}

// Branches lists the live branches of a project, sorted by name.
func (e *Emulator) Branches(projectID string) []BranchInfo {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	var out []BranchInfo
	for _, b := range e.branches {
		if b.projectID != projectID {
			continue
		}
		st := b.status(now)
		info := BranchInfo{
			ID: b.id, Name: b.name, ParentID: b.parentID,
			StatusType: st.StatusType, Status: st.Status, CreatedAt: b.createdAt,
		}
		if e.pg != nil {
			info.Database, info.Role = b.database, b.username
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// CreatedCount is how many branches were ever created in the project,
// deleted ones included.
func (e *Emulator) CreatedCount(projectID string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	if p := e.projects[projectID]; p != nil {
		return p.created
	}
	return 0
}

// SetBranchStatus pins the status GET reports for a branch, overriding the
// clock-driven machine, until called again with statusType "". An empty
// status picks a typical phase string for the type. Credentials keep
// following the clock.
func (e *Emulator) SetBranchStatus(branchID, statusType, status string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	b := e.branches[branchID]
	if b == nil {
		return fmt.Errorf("xataemu: branch %s not found", branchID)
	}
	if statusType == "" {
		b.pinType, b.pinStatus = "", ""
		return nil
	}
	def, ok := defaultPhase[statusType]
	if !ok {
		return fmt.Errorf("xataemu: unknown status type %q", statusType)
	}
	if status == "" {
		status = def
	}
	b.pinType, b.pinStatus = statusType, status
	return nil
}

// SetCredentialsLag makes branches created from now on answer 404 for
// their credentials for d after they turn healthy.
func (e *Emulator) SetCredentialsLag(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.credentialsLag = max(d, 0)
}

// FailCredentials makes the next n credentials reads of any branch answer
// 404, as during a password rotation.
func (e *Emulator) FailCredentials(n int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.credentialsFailures = n
}

// SetProvisionDelay changes how long branches created from now on take to
// become healthy (zero or negative: immediately).
func (e *Emulator) SetProvisionDelay(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.provisionDelay = max(d, 0)
}

// newBranchPassword is a new branch password, recorded among the issued.
func (e *Emulator) newBranchPassword() string {
	pw := newPassword()
	e.issuedMu.Lock()
	e.issued = append(e.issued, pw)
	e.issuedMu.Unlock()
	return pw
}

// IssuedPasswords is every branch password the emulator has handed out,
// rotated and deleted branches' included: what an at-rest check of states
// and logs looks for.
func (e *Emulator) IssuedPasswords() []string {
	e.issuedMu.Lock()
	defer e.issuedMu.Unlock()
	return slices.Clone(e.issued)
}
