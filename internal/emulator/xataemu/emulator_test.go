package xataemu

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	branchIDRE  = regexp.MustCompile(`^[a-v][0-9a-v]{25}$`)
	projectIDRE = regexp.MustCompile(`^prj_[0-9a-v]{26}$`)
	orgIDRE     = regexp.MustCompile(`^[0-9a-v]{6}$`)
	requestIDRE = regexp.MustCompile(`^req_[0-9a-v]{26}$`)
)

func TestIDsAndDefaults(t *testing.T) {
	a, _ := newMemEmu(t, Options{})
	if !orgIDRE.MatchString(a.org) || !projectIDRE.MatchString(a.proj) {
		t.Errorf("org %q / project %q have the wrong shape", a.org, a.proj)
	}
	if !strings.HasPrefix(a.key, "xao_") || len(a.key) > 40 {
		t.Errorf("API key %q: want xao_ prefix and at most 40 chars", a.key)
	}
	p := decodeAs[projectWire](t, a.do("GET", "/organizations/"+a.org+"/projects/"+a.proj, nil))
	if p.Name != "default" || p.Configuration.ScaleToZero.BaseBranches != (scaleToZero{false, 30}) {
		t.Errorf("default project = %+v", p)
	}
	id := a.create(mainBody("main"))
	if !branchIDRE.MatchString(id) {
		t.Errorf("branch id %q does not match %s", id, branchIDRE)
	}
}

func TestStatusMachine(t *testing.T) {
	a, clk := newMemEmu(t, Options{ProvisionDelay: 300 * time.Millisecond})
	r := a.do("POST", "/branches", mainBody("main"))
	a.expect(r, http.StatusCreated, "")
	if !strings.Contains(string(r.body), `"connectionString":null`) || !strings.Contains(string(r.body), `"parentID":null`) {
		t.Errorf("create response should carry null connectionString and parentID: %s", r.body)
	}
	id := decodeAs[branchShortMetadata](t, r).ID
	credsPath := "/branches/" + id + "/credentials?username=xata"
	notFound := fmt.Sprintf("Credentials for username [xata] on branch [%s]: not found", id)

	// Before the cluster object exists: the hibernated placeholder.
	b := a.get(id)
	st := b.Status
	if st.StatusType != statusHibernated || st.Status != "Cluster in healthy state" ||
		st.InstanceCount != 0 || st.InstanceReadyCount != 0 || st.Instances == nil || len(st.Instances) != 0 {
		t.Fatalf("placeholder status = %+v", st)
	}
	if b.ConnectionString != nil {
		t.Errorf("connectionString before provisioning = %q", *b.ConnectionString)
	}
	a.expect(a.do("GET", credsPath, nil), http.StatusNotFound, notFound)

	clk.Advance(150 * time.Millisecond)
	st = a.get(id).Status
	if st.StatusType != statusTransient || st.Status != "Setting up primary" || st.InstanceReadyCount != 0 {
		t.Fatalf("status after 150ms = %+v", st)
	}
	a.expect(a.do("GET", credsPath, nil), http.StatusNotFound, notFound)

	clk.Advance(150 * time.Millisecond)
	b = a.get(id)
	st = b.Status
	if st.StatusType != statusHealthy || st.Status != "Cluster in healthy state" ||
		st.InstanceCount != 1 || st.InstanceReadyCount != 1 || len(st.Instances) != 1 ||
		st.Instances[0].ID != id+"-1" || !st.Instances[0].Primary {
		t.Fatalf("status after 300ms = %+v", st)
	}
	if b.ConnectionString == nil {
		t.Error("connectionString still null once healthy")
	}
	c := a.credentials(id)
	host := id + ".in-memory.xata-emulator.invalid"
	if c.Username != "xata" || c.Hostname != host || c.Port != 5432 || c.DBName != "xata" || len(c.Password) != 64 ||
		c.ConnectionString != "postgresql://xata:"+c.Password+"@"+host+":5432/xata" {
		t.Errorf("credentials = %+v", c)
	}
	// The username query is optional.
	a.expect(a.do("GET", "/branches/"+id+"/credentials", nil), http.StatusOK, "")
	a.expect(a.do("GET", "/branches/"+id+"/credentials?username=postgres", nil), http.StatusBadRequest,
		"Branch ["+id+"]: invalid parameter [username]: only the xata user credentials can be retrieved")
}

func TestImmediatelyHealthyAndReplicas(t *testing.T) {
	a, _ := newMemEmu(t, Options{ProvisionDelay: -1})
	body := mainBody("main")
	body["configuration"].(map[string]any)["replicas"] = 2
	id := a.create(body)
	st := a.get(id).Status
	if st.StatusType != statusHealthy || st.InstanceCount != 3 || st.InstanceReadyCount != 3 || st.Instances[2].ID != id+"-3" {
		t.Fatalf("status = %+v", st)
	}
	a.credentials(id)

	a.e.SetProvisionDelay(time.Hour)
	id2 := a.create(mainBody("slow"))
	if st := a.get(id2).Status; st.StatusType != statusHibernated {
		t.Errorf("after SetProvisionDelay(1h) new branch status = %s", st.StatusType)
	}
	if st := a.get(id).Status; st.StatusType != statusHealthy {
		t.Errorf("SetProvisionDelay changed an existing branch: %s", st.StatusType)
	}
}

func TestCreateValidation(t *testing.T) {
	a, _ := newMemEmu(t, Options{ProvisionDelay: -1})
	parent := a.create(mainBody("main"))
	cfg := func(mod func(map[string]any)) map[string]any {
		b := mainBody("x")
		mod(b["configuration"].(map[string]any))
		return b
	}
	missing := "aaaaaaaaaaaaaaaaaaaaaaaaaa"
	outer := t
	cases := []struct {
		name   string
		body   any
		status int
		msg    string
	}{
		{"empty name", map[string]any{"name": "", "mode": "inherit", "parentID": parent}, 400,
			"Branch []: invalid parameter [name]: branch name is required"},
		{"bad mode", map[string]any{"name": "x", "mode": "clone"}, 400, ""},
		{"missing mode", map[string]any{"name": "x"}, 400, ""},
		{"description too long", map[string]any{"name": "x", "mode": "inherit", "parentID": parent, "description": strings.Repeat("a", 51)}, 400,
			"max length is 50"},
		{"description pattern", map[string]any{"name": "x", "mode": "inherit", "parentID": parent, "description": "no_underscores"}, 400,
			"description no_underscores invalid: invalid branch description no_underscores"},
		{"custom without configuration", map[string]any{"name": "x", "mode": "custom"}, 400, ""},
		{"unknown region", cfg(func(c map[string]any) { c["region"] = "mars-1" }), 400,
			"Branch [x]: invalid parameter [configuration]: invalid region: mars-1"},
		{"unknown instance type", cfg(func(c map[string]any) { c["instanceType"] = "xata.huge" }), 400,
			"Branch [x]: invalid parameter [configuration]: invalid instance type: xata.huge"},
		{"unknown image", cfg(func(c map[string]any) { c["image"] = "postgres:9.6" }), 400,
			"Branch [x]: invalid parameter [configuration]: invalid image: postgres:9.6"},
		{"missing replicas", cfg(func(c map[string]any) { delete(c, "replicas") }), 400, ""},
		{"too many replicas", cfg(func(c map[string]any) { c["replicas"] = 5 }), 400, ""},
		{"inherit without parent", map[string]any{"name": "x", "mode": "inherit"}, 400, ""},
		{"unknown parent", childBody("x", missing), 404, "Branch [" + missing + "]: not found"},
		{"malformed JSON", `{"name": "x",`, 400, ""},
		{"wrong type", `{"name": 5, "mode": "custom"}`, 400, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a.t = t
			defer func() { a.t = outer }()
			r := a.do("POST", "/branches", tc.body)
			a.expect(r, tc.status, tc.msg)
			if r.message() == "" {
				t.Errorf("error without message: %s", r.body)
			}
		})
	}
	if n := len(a.e.Branches(a.proj)); n != 1 {
		t.Errorf("%d branches after only invalid creates, want 1", n)
	}
}

func TestCreateInheritAndDefaults(t *testing.T) {
	a, _ := newMemEmu(t, Options{ProvisionDelay: -1})
	// Project defaults apply when the branch does not say.
	a.expect(a.do("PATCH", "/organizations/"+a.org+"/projects/"+a.proj, map[string]any{
		"configuration": map[string]any{"scaleToZero": map[string]any{
			"baseBranches":  map[string]any{"enabled": false, "inactivityPeriodMinutes": 30},
			"childBranches": map[string]any{"enabled": true, "inactivityPeriodMinutes": 0},
		}},
	}), http.StatusOK, "")
	body := mainBody("main")
	body["unknownField"] = "ignored"
	c := body["configuration"].(map[string]any)
	c["region"], c["instanceType"], c["replicas"], c["storage"] = "eu-central-1", "xata.small", 2, 100
	c["postgresConfigurationParameters"] = map[string]string{"work_mem": "8MB"}
	parent := a.create(body)
	pb := a.get(parent)
	if pb.Configuration.Storage != 10 {
		t.Errorf("storage = %d: requested storage should be ignored and 10 reported", pb.Configuration.Storage)
	}
	if pb.ScaleToZero != (scaleToZero{false, 30}) {
		t.Errorf("root scaleToZero = %+v, want project baseBranches", pb.ScaleToZero)
	}
	if pb.Configuration.PostgresConfigurationParameters["work_mem"] != "8MB" || pb.Configuration.PostgresConfigurationParameters["max_connections"] == "" {
		t.Errorf("parameters = %v, want work_mem plus server defaults", pb.Configuration.PostgresConfigurationParameters)
	}

	r := a.do("POST", "/branches", map[string]any{"name": "dev", "mode": "inherit", "parentID": parent, "description": "Feature 12 work"})
	a.expect(r, http.StatusCreated, "")
	short := decodeAs[branchShortMetadata](t, r)
	if short.ParentID == nil || *short.ParentID != parent || short.Region != "eu-central-1" || short.Description != "Feature 12 work" {
		t.Errorf("child create response = %+v", short)
	}
	cb := a.get(short.ID)
	if cb.Configuration.Region != "eu-central-1" || cb.Configuration.InstanceType != "xata.small" ||
		cb.Configuration.Image != "postgres:17.9" || cb.Configuration.Replicas != 0 ||
		cb.Configuration.PostgresConfigurationParameters["work_mem"] != "8MB" {
		t.Errorf("child configuration = %+v", cb.Configuration)
	}
	if cb.ScaleToZero != (scaleToZero{true, 30}) {
		t.Errorf("child scaleToZero = %+v, want project childBranches with period defaulted to 30", cb.ScaleToZero)
	}
	if cb.Status.InstanceCount != 1 {
		t.Errorf("child instanceCount = %d, want 1 (no replicas)", cb.Status.InstanceCount)
	}

	// An explicit scaleToZero wins.
	r = a.do("POST", "/branches", map[string]any{"name": "dev2", "mode": "inherit", "parentID": parent,
		"scaleToZero": map[string]any{"enabled": false, "inactivityPeriodMinutes": 15}})
	a.expect(r, http.StatusCreated, "")
	if got := a.get(decodeAs[branchShortMetadata](t, r).ID).ScaleToZero; got != (scaleToZero{false, 15}) {
		t.Errorf("explicit scaleToZero = %+v", got)
	}

	// List omits description and reports backupsEnabled false, like the
	// platform's list query.
	list := decodeAs[struct{ Branches []map[string]any }](t, a.do("GET", "/branches", nil))
	if len(list.Branches) != 3 {
		t.Fatalf("list has %d branches, want 3", len(list.Branches))
	}
	for _, b := range list.Branches {
		if _, ok := b["description"]; ok || b["backupsEnabled"] != false {
			t.Errorf("list item %v", b)
		}
	}
}

func TestDuplicateNameAndDelete(t *testing.T) {
	a, _ := newMemEmu(t, Options{ProvisionDelay: -1})
	id := a.create(mainBody("main"))
	a.expect(a.do("POST", "/branches", mainBody("main")), http.StatusConflict, "branch [main] already exists")
	// Names are case-sensitive.
	a.create(mainBody("Main"))

	child := a.create(childBody("child", id))
	a.expect(a.do("DELETE", "/branches/"+id, nil), http.StatusNoContent, "")
	notFound := "branch [" + id + "] not found"
	a.expect(a.do("GET", "/branches/"+id, nil), http.StatusNotFound, notFound)
	a.expect(a.do("DELETE", "/branches/"+id, nil), http.StatusNotFound, notFound)
	a.expect(a.do("GET", "/branches/"+id+"/credentials", nil), http.StatusNotFound, notFound)

	// Deleting a parent does not block on children; they keep the
	// dangling parentID.
	if cb := a.get(child); cb.ParentID == nil || *cb.ParentID != id {
		t.Errorf("child parentID after parent delete = %v", cb.ParentID)
	}
	for _, b := range a.e.Branches(a.proj) {
		if b.ID == id {
			t.Error("deleted branch still in Branches()")
		}
	}
	// The name is free at once.
	newID := a.create(mainBody("main"))
	if newID == id {
		t.Error("recreated branch reused the ID")
	}
	if n := a.e.CreatedCount(a.proj); n != 4 {
		t.Errorf("CreatedCount = %d, want 4 (deleted ones included)", n)
	}
	infos := a.e.Branches(a.proj)
	if len(infos) != 3 || infos[0].Name != "Main" || infos[1].Name != "child" || infos[2].Name != "main" {
		t.Errorf("Branches() not the live set sorted by name: %+v", infos)
	}
}

func TestBranchLimit(t *testing.T) {
	a, _ := newMemEmu(t, Options{ProvisionDelay: -1})
	var first string
	for i := 0; i < 100; i++ {
		id := a.create(mainBody(fmt.Sprintf("b%03d", i)))
		if i == 0 {
			first = id
		}
	}
	a.expect(a.do("POST", "/branches", mainBody("b100")), http.StatusBadRequest,
		"project ["+a.proj+"] has too many branches")
	if n := a.e.CreatedCount(a.proj); n != 100 {
		t.Errorf("CreatedCount = %d, want 100", n)
	}
	a.expect(a.do("DELETE", "/branches/"+first, nil), http.StatusNoContent, "")
	a.create(mainBody("b100"))
	// Other projects have their own limit.
	other := a.e.CreateProject(a.org, "other")
	r := a.do("POST", "/organizations/"+a.org+"/projects/"+other+"/branches", mainBody("b000"))
	a.expect(r, http.StatusCreated, "")
}

func TestAuth(t *testing.T) {
	a, _ := newMemEmu(t, Options{})
	path := "/organizations/" + a.org + "/projects"
	r, err := a.try("GET", path, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	a.expect(r, http.StatusUnauthorized, "no token found")
	r, _ = a.try("GET", path, nil, "xao_notakey")
	a.expect(r, http.StatusUnauthorized, "invalid token")

	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, a.base+path, nil)
	req.Header.Set("Authorization", "Basic "+a.key)
	resp, err := a.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("Basic scheme: status %d, want 401", resp.StatusCode)
	}
	req.Header.Set("Authorization", "bearer "+a.key) // scheme is case-insensitive
	resp, err = a.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("lower-case bearer: status %d, want 200", resp.StatusCode)
	}

	org2 := a.e.CreateOrganization("other")
	key2 := a.e.CreateAPIKey(org2)
	proj2 := a.e.CreateProject(org2, "p2")
	r, _ = a.try("GET", path, nil, key2)
	a.expect(r, http.StatusForbidden, "access denied")
	r, _ = a.try("GET", "/organizations/"+a.org+"/projects/"+a.proj+"/branches", nil, key2)
	a.expect(r, http.StatusForbidden, "access denied")
	r, _ = a.try("GET", "/organizations/"+org2+"/projects/"+proj2+"/branches", nil, key2)
	a.expect(r, http.StatusOK, "")
	// A project of another org is not found through your own org.
	a.expect(a.do("GET", "/organizations/"+a.org+"/projects/"+proj2, nil), http.StatusNotFound, "project ["+proj2+"] not found")

	orgs := decodeAs[struct{ Organizations []organizationWire }](t, a.do("GET", "/organizations", nil))
	if len(orgs.Organizations) != 1 || orgs.Organizations[0].ID != a.org || orgs.Organizations[0].Status.Status != "enabled" {
		t.Errorf("GET /organizations = %+v", orgs)
	}
	org := decodeAs[organizationWire](t, a.do("GET", "/organizations/"+a.org, nil))
	if org.ID != a.org {
		t.Errorf("GET /organizations/{org} = %+v", org)
	}
	// The health check needs no token.
	r, _ = a.try("GET", "/_hello", nil, "")
	a.expect(r, http.StatusOK, "")
}

func TestRequestIDs(t *testing.T) {
	a, _ := newMemEmu(t, Options{})
	r := a.do("GET", "/branches/nope", nil)
	id := r.header.Get("X-Request-Id")
	if !requestIDRE.MatchString(id) {
		t.Errorf("generated X-Request-Id %q", id)
	}
	if e := decodeAs[apiError](t, r); e.ID != id {
		t.Errorf("error id %q != header %q", e.ID, id)
	}

	long := strings.Repeat("x", 150)
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, a.base+"/_hello", nil)
	req.Header.Set("X-Request-Id", long)
	resp, err := a.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-Id"); got != long[:100] {
		t.Errorf("echoed request id has length %d, want the caller's truncated to 100", len(got))
	}
}

func TestRoutingAndBodies(t *testing.T) {
	a, _ := newMemEmu(t, Options{ProvisionDelay: -1})
	a.expect(a.do("GET", "/branches/", nil), http.StatusOK, "") // trailing slash stripped
	a.expect(a.do("GET", "/organizations/"+a.org+"/nothing", nil), http.StatusNotFound, "Not Found")
	r := a.do("PUT", "/branches", nil)
	a.expect(r, http.StatusMethodNotAllowed, "")
	if r.header.Get("Allow") != "GET, POST" {
		t.Errorf("Allow = %q", r.header.Get("Allow"))
	}
	id := a.create(mainBody("main"))
	a.expect(a.do("PATCH", "/branches/"+id+"/", `{"replicas":`), http.StatusBadRequest, "")
	a.expect(a.do("GET", "/branches/"+id+"?_pretty", nil), http.StatusOK, "")
	if r := a.do("GET", "/branches/"+id+"?_pretty", nil); !strings.Contains(string(r.body), "\n  \"id\"") {
		t.Errorf("_pretty did not indent: %s", r.body)
	}
}

func TestPatchRules(t *testing.T) {
	a, clk := newMemEmu(t, Options{ProvisionDelay: -1, UpdateDelay: 200 * time.Millisecond})
	id := a.create(mainBody("main"))
	a.create(mainBody("other"))
	created := a.get(id)
	prefix := "Branch [" + id + "]: "
	patch := func(body any) response { return a.do("PATCH", "/branches/"+id, body) }

	a.expect(patch(map[string]any{}), http.StatusBadRequest,
		prefix+"invalid parameter [all]: branch ["+id+"]: at least one of the request fields needs to be set")
	a.expect(patch(map[string]any{"unknown": 1}), http.StatusBadRequest, "") // unknown fields do not count
	a.expect(patch(map[string]any{"name": "other"}), http.StatusConflict, "branch [other] already exists")
	a.expect(patch(map[string]any{"storage": 5}), http.StatusBadRequest,
		prefix+"invalid parameter [configuration]: storage size cannot be decreased (current: 10Gi, requested: 5Gi)")
	a.expect(patch(map[string]any{"image": "postgres:17.9", "instanceType": "xata.small"}), http.StatusBadRequest, "")
	a.expect(patch(map[string]any{"image": "postgres:17.9", "postgresConfigurationParameters": map[string]string{"a": "b"}}), http.StatusBadRequest, "")
	a.expect(patch(map[string]any{"image": "postgres:16.13"}), http.StatusBadRequest, "") // major change
	a.expect(patch(map[string]any{"replicas": 5}), http.StatusBadRequest, "")
	a.expect(patch(map[string]any{"replicas": -1}), http.StatusBadRequest, "")
	a.expect(patch(map[string]any{"instanceType": "xata.giant"}), http.StatusBadRequest, "")
	a.expect(patch(map[string]any{"a": 1, "backupConfiguration": map[string]any{"retentionPeriod": 40}}), http.StatusBadRequest, "")
	if st := a.get(id).Status; st.StatusType != statusHealthy {
		t.Fatalf("rejected PATCHes changed the status: %+v", st)
	}

	// Metadata-only changes: synchronous, no rollout. The update handler
	// validates neither name nor description.
	clk.Advance(time.Millisecond)
	r := patch(map[string]any{"name": "renamed", "description": "not_validated_on_update", "instanceType": "custom"})
	a.expect(r, http.StatusOK, "")
	short := decodeAs[branchShortMetadata](t, r)
	if short.Name != "renamed" || short.Description != "not_validated_on_update" || !short.UpdatedAt.After(created.UpdatedAt) {
		t.Errorf("PATCH response = %+v", short)
	}
	if short.ConnectionString == nil {
		t.Error("PATCH response of a provisioned branch should carry connectionString")
	}
	if b := a.get(id); b.Status.StatusType != statusHealthy || b.Configuration.InstanceType != "xata.micro" {
		t.Errorf("metadata PATCH caused %s / instanceType %s", b.Status.StatusType, b.Configuration.InstanceType)
	}
	a.create(mainBody("main")) // old name is free

	// Cluster changes: TRANSIENT for UpdateDelay, configuration updated.
	a.expect(patch(map[string]any{"replicas": 2, "storage": 20, "instanceType": "xata.medium"}), http.StatusOK, "")
	b := a.get(id)
	if b.Status.StatusType != statusTransient || b.Status.Status != "Applying configuration" ||
		b.Configuration.Replicas != 2 || b.Configuration.Storage != 20 || b.Configuration.InstanceType != "xata.medium" ||
		b.Status.InstanceCount != 3 {
		t.Fatalf("after cluster PATCH: status %+v configuration %+v", b.Status, b.Configuration)
	}
	if b.Configuration.PostgresConfigurationParameters["max_connections"] != "200" {
		t.Errorf("max_connections default should follow the instance type: %v", b.Configuration.PostgresConfigurationParameters)
	}
	clk.Advance(200 * time.Millisecond)
	if st := a.get(id).Status; st.StatusType != statusHealthy || st.InstanceReadyCount != 3 {
		t.Fatalf("after UpdateDelay: %+v", st)
	}
	a.expect(patch(map[string]any{"image": "postgres:17.7"}), http.StatusBadRequest, "") // downgrade
	a.expect(patch(map[string]any{"image": "postgres:17.9", "replicas": 2}), http.StatusOK, "")
	if st := a.get(id).Status; st.StatusType != statusHealthy {
		t.Errorf("PATCH with unchanged values caused a rollout: %+v", st)
	}

	// Hibernate and wake.
	a.expect(patch(map[string]any{"hibernate": true}), http.StatusOK, "")
	if st := a.get(id).Status; st.StatusType != statusHibernated || st.InstanceReadyCount != 0 {
		t.Fatalf("after hibernate: %+v", st)
	}
	a.expect(patch(map[string]any{"hibernate": false}), http.StatusOK, "")
	if st := a.get(id).Status; st.StatusType != statusTransient {
		t.Fatalf("waking should pass through TRANSIENT: %+v", st)
	}
	clk.Advance(200 * time.Millisecond)
	if st := a.get(id).Status; st.StatusType != statusHealthy {
		t.Fatalf("after waking: %+v", st)
	}

	a.expect(patch(map[string]any{"scaleToZero": map[string]any{"enabled": true, "inactivityPeriodMinutes": 60}}), http.StatusOK, "")
	if got := a.get(id).ScaleToZero; got != (scaleToZero{true, 60}) {
		t.Errorf("scaleToZero = %+v", got)
	}
	a.expect(a.do("PATCH", "/branches/aaaaaaaaaaaaaaaaaaaaaaaaaa", map[string]any{"name": "x"}), http.StatusNotFound,
		"branch [aaaaaaaaaaaaaaaaaaaaaaaaaa] not found")
}

func TestSetBranchStatus(t *testing.T) {
	a, _ := newMemEmu(t, Options{ProvisionDelay: -1})
	id := a.create(mainBody("main"))
	if err := a.e.SetBranchStatus(id, statusFault, ""); err != nil {
		t.Fatal(err)
	}
	if st := a.get(id).Status; st.StatusType != statusFault || st.Status == "" || st.InstanceReadyCount != 0 {
		t.Errorf("pinned FAULT: %+v", st)
	}
	if got := a.e.Branches(a.proj)[0].StatusType; got != statusFault {
		t.Errorf("Branches() StatusType = %s", got)
	}
	a.expect(a.do("POST", "/branches", childBody("c", id)), http.StatusPreconditionFailed,
		"Cannot create child branch because parent branch ["+id+"] is not healthy")
	if err := a.e.SetBranchStatus(id, statusHibernated, "paused"); err != nil {
		t.Fatal(err)
	}
	if st := a.get(id).Status; st.StatusType != statusHibernated || st.Status != "paused" {
		t.Errorf("pinned HIBERNATED: %+v", st)
	}
	if err := a.e.SetBranchStatus(id, "", ""); err != nil {
		t.Fatal(err)
	}
	if st := a.get(id).Status; st.StatusType != statusHealthy {
		t.Errorf("after clearing the pin: %+v", st)
	}
	if a.e.SetBranchStatus("nope", statusFault, "") == nil || a.e.SetBranchStatus(id, "BROKEN", "") == nil {
		t.Error("SetBranchStatus accepted an unknown branch or status type")
	}
}

// Fault injection is emuhttp's and tested there; what is Xata's own is
// the wording of the faults that answer.
func TestFaultBodies(t *testing.T) {
	a, _ := newMemEmu(t, Options{ProvisionDelay: -1})
	a.e.FailNext(1, FaultRateLimited, "")
	if r := a.do("GET", "/branches", nil); r.status != http.StatusTooManyRequests || string(r.body) != "local_rate_limited" {
		t.Errorf("RateLimited: %s", r)
	}
	a.e.FailNext(1, FaultServerError, "")
	r := a.do("GET", "/branches", nil)
	a.expect(r, http.StatusInternalServerError, "Internal Error (Request ID: "+r.header.Get("X-Request-Id")+")")
	a.e.SetFaults(Faults{Rate: 1, Kinds: []FaultKind{FaultUnavailable}})
	r = a.do("GET", "/branches", nil)
	a.expect(r, http.StatusServiceUnavailable,
		"Service temporarily unavailable. Please try again later. (Request ID: "+r.header.Get("X-Request-Id")+")")
	if s := a.e.Stats(); s.Requests != 3 || s.Faulted != 3 {
		t.Errorf("Stats = %+v", s)
	}
}

func TestProjects(t *testing.T) {
	a, _ := newMemEmu(t, Options{ProvisionDelay: -1})
	base := "/organizations/" + a.org + "/projects"
	a.expect(a.do("POST", base, map[string]any{"name": ""}), http.StatusBadRequest, "invalid project name []")
	a.expect(a.do("POST", base, map[string]any{"name": "default"}), http.StatusConflict, "project [default] already exists")
	a.expect(a.do("POST", base, map[string]any{"name": "x", "configuration": map[string]any{
		"scaleToZero": map[string]any{"baseBranches": map[string]any{"enabled": true}}}}), http.StatusBadRequest, "")

	r := a.do("POST", base, map[string]any{"name": "web", "configuration": map[string]any{
		"scaleToZero": map[string]any{
			"baseBranches":  map[string]any{"enabled": true, "inactivityPeriodMinutes": -5},
			"childBranches": map[string]any{"enabled": true, "inactivityPeriodMinutes": 60},
		},
		"ipFiltering": map[string]any{"enabled": false, "cidr": []any{}},
	}})
	a.expect(r, http.StatusCreated, "")
	p := decodeAs[projectWire](t, r)
	if !projectIDRE.MatchString(p.ID) || p.Configuration.ScaleToZero.BaseBranches.InactivityPeriodMinutes != 30 ||
		p.Configuration.IPFiltering != nil {
		t.Errorf("created project = %+v", p)
	}
	list := decodeAs[struct{ Projects []projectWire }](t, a.do("GET", base, nil))
	if len(list.Projects) != 2 {
		t.Errorf("list has %d projects", len(list.Projects))
	}
	a.expect(a.do("PATCH", base+"/"+p.ID, map[string]any{}), http.StatusBadRequest, "")
	a.expect(a.do("PATCH", base+"/"+p.ID, map[string]any{"name": "default"}), http.StatusConflict, "")
	r = a.do("PATCH", base+"/"+p.ID, map[string]any{"name": "web2"})
	a.expect(r, http.StatusOK, "")
	if got := decodeAs[projectWire](t, r); got.Name != "web2" || !got.UpdatedAt.After(p.UpdatedAt) {
		t.Errorf("patched project = %+v", got)
	}

	a.proj = p.ID
	bid := a.create(mainBody("main"))
	a.expect(a.do("DELETE", base+"/"+p.ID, nil), http.StatusBadRequest,
		"project "+p.ID+" is not empty. Please delete its branches first.")
	a.expect(a.do("DELETE", "/branches/"+bid, nil), http.StatusNoContent, "")
	a.expect(a.do("DELETE", base+"/"+p.ID, nil), http.StatusNoContent, "")
	a.expect(a.do("GET", base+"/"+p.ID, nil), http.StatusNotFound, "project ["+p.ID+"] not found")
	a.expect(a.do("GET", "/branches", nil), http.StatusNotFound, "project ["+p.ID+"] not found")

	lim := decodeAs[projectLimits](t, a.do("GET", base+"/limits", nil))
	if lim.MaxBranches != 100 || lim.MaxDescriptionLength != 50 {
		t.Errorf("limits = %+v", lim)
	}
}

func TestCatalogues(t *testing.T) {
	a, _ := newMemEmu(t, Options{Region: "ap-south-1"})
	org := "/organizations/" + a.org
	regions := decodeAs[struct{ Regions []regionWire }](t, a.do("GET", org+"/regions", nil))
	var ids []string
	for _, r := range regions.Regions {
		ids = append(ids, r.ID)
	}
	if strings.Join(ids, ",") != "ap-south-1,us-east-1,eu-central-1" {
		t.Errorf("regions = %v", ids)
	}
	a.expect(a.do("GET", org+"/instanceTypes", nil), http.StatusBadRequest, "")
	types := decodeAs[struct{ InstanceTypes []instanceTypeWire }](t, a.do("GET", org+"/instanceTypes?region=eu-central-1", nil))
	if len(types.InstanceTypes) != 8 || types.InstanceTypes[0].Name != "xata.micro" || types.InstanceTypes[7].Name != "xata.8xlarge" ||
		types.InstanceTypes[0].Region != "eu-central-1" {
		t.Errorf("instance types = %+v", types)
	}
	imgs := decodeAs[struct{ Images []imageWire }](t, a.do("GET", org+"/images", nil))
	found := false
	for _, im := range imgs.Images {
		if im.Name == "postgres:17.9" && im.MajorVersion == "17" && im.FullVersion == "17.9" {
			found = true
		}
	}
	if !found {
		t.Errorf("images = %+v", imgs)
	}
	// Options.Region is a valid branch region.
	body := mainBody("main")
	body["configuration"].(map[string]any)["region"] = "ap-south-1"
	a.create(body)
}

func TestRotateInMemory(t *testing.T) {
	a, _ := newMemEmu(t, Options{ProvisionDelay: -1})
	id := a.create(mainBody("main"))
	before := a.credentials(id).Password
	a.expect(a.do("POST", "/branches/"+id+"/credentials/rotate", map[string]string{"username": "xata"}), http.StatusNoContent, "")
	if after := a.credentials(id).Password; after == before {
		t.Error("rotate did not change the password")
	}
	a.expect(a.do("POST", "/branches/"+id+"/credentials/rotate", map[string]string{"username": "admin"}), http.StatusBadRequest, "")
}

// TestConcurrentCreates hammers one project from many goroutines: each
// name is created exactly once, the rest get 409.
func TestConcurrentCreates(t *testing.T) {
	a, _ := newMemEmu(t, Options{ProvisionDelay: -1})
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r, err := a.try("POST", "/branches", mainBody(fmt.Sprintf("n%d", i%10)), a.key)
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = a.try("GET", "/branches", nil, a.key)
			mu.Lock()
			codes[r.status]++
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	if codes[201] != 10 || codes[409] != 30 {
		t.Errorf("status counts = %v, want 10×201 and 30×409", codes)
	}
}
