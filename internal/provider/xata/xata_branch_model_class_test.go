package xata

// Classes of the translation between plan, API and state
// (xata_branch_model.go) that the other acceptance tests left open; each
// was written because mutants of that file outlived the suite (make
// mutation with MUTATION_TF_ACC=1).

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/xataemu"
	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// withUpdateDelay sets how long a cluster change keeps a branch TRANSIENT
// on the emulator.
func withUpdateDelay(d time.Duration) acctest.EnvOption {
	return func(o *xataemu.Options) { o.UpdateDelay = d }
}

// captureID is a check that stores the id of the resource at addr in *id,
// for a later step's PreConfig.
func captureID(addr string, id *string) resource.TestCheckFunc {
	return resource.TestCheckResourceAttrWith(addr, "id", func(v string) error {
		*id = v
		return nil
	})
}

// TestAccBranchResource_metadataUpdatesDoNotWaitClass: a change of name,
// description or scale_to_zero reconfigures no cluster, so its apply sends
// the PATCH and reads the branch back without waiting for the cluster to
// settle. It must work while the server reports the branch faulty (the
// moment a user renames or re-describes it to mark it) or in a rollout
// someone else started; waiting there would fail after the fault grace or
// hang until timeouts.update. The status in state is the server's.
//
// The statuses are pinned, so nothing here depends on how long the
// emulator's rollouts take.
func TestAccBranchResource_metadataUpdatesDoNotWaitClass(t *testing.T) {
	acctest.RequireEmulator(t, "a branch status pinned to FAULT or TRANSIENT")
	env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(-1))
	t.Parallel()
	addr := "xata_branch.b"
	attrs := map[string]string{
		"name":          fmt.Sprintf("%q", env.Name("b")),
		"region":        fmt.Sprintf("%q", env.Region),
		"instance_type": fmt.Sprintf("%q", env.InstanceType),
		"image":         fmt.Sprintf("%q", env.Image),
		// Bounds a wait that must not happen to seconds, not the default.
		"timeouts": `{ update = "5s" }`,
	}
	config := func() string {
		// branchHCL writes attributes; timeouts is a block.
		return env.ProviderBlock() + strings.Replace(branchHCL(attrs), "timeouts = {", "timeouts {", 1)
	}
	var id string
	pin := func(statusType string) func() {
		return func() {
			if err := env.Emu.SetBranchStatus(id, statusType, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	sameID := statecheck.CompareValue(compare.ValuesSame())
	steps := []resource.TestStep{{
		Config:            config(),
		Check:             captureID(addr, &id),
		ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(addr, tfjsonpath.New("id"))},
	}}
	for _, status := range []string{xataapi.StatusFault, xataapi.StatusTransient} {
		word := strings.ToLower(strings.TrimPrefix(status, "STATUS_TYPE_"))
		changes := []struct{ attr, hcl string }{
			{"description", fmt.Sprintf("%q", "While "+word)},
			{"name", fmt.Sprintf("%q", env.Name("b-"+word))},
			{"scale_to_zero", fmt.Sprintf("{ enabled = %t, inactivity_period_minutes = 45 }", status == xataapi.StatusFault)},
		}
		for i, c := range changes {
			attrs[c.attr] = c.hcl
			step := resource.TestStep{
				Config: config(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact(status)),
				},
			}
			if i == 0 {
				step.PreConfig = pin(status)
			}
			steps = append(steps, step)
		}
	}
	steps[len(steps)-1].Check = func(*terraform.State) error { pin("")(); return nil }
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches(),
		Steps:                    steps,
	})
}

// TestAccBranchResource_convergesAfterCreateClass: whatever a create
// cannot carry is brought to the plan by the PATCH that follows it, for
// every such setting, whether the branch was just created as a child
// (which inherits its parent's cluster) or adopted with settings of its
// own (adopt_existing). The state and the server both end at the plan, and
// the next plan is empty.
//
// The planned max_connections is the one the parent's instance type gets
// by default, which the server reports merged into every branch's
// parameters; it must hold on the new instance type of created and
// adopted, and on kept, which keeps its parent's type until an update
// moves it. tuned sets a value of its own on its parent's type.
func TestAccBranchResource_convergesAfterCreateClass(t *testing.T) {
	env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(-1))
	t.Parallel()
	ctx := context.Background()
	mainID := env.SeedRoot(t, "main")
	// The branch to adopt: a child as another tool would leave it, with a
	// description and scale-to-zero setting that are not the plan's.
	left, err := env.API.CreateBranch(ctx, env.OrganizationID(), env.ProjectID(), xataapi.CreateBranchRequest{
		Name: env.Name("adopted"), Mode: xataapi.ModeInherit, ParentID: mainID, Description: "Left by a script",
		ScaleToZero: &xataapi.ScaleToZero{Enabled: false, InactivityPeriodMinutes: 30},
	})
	if err != nil {
		t.Fatal(err)
	}
	env.Settle(t, left.ID, xataapi.TargetHealthy)
	parent, err := env.API.GetBranch(ctx, env.OrganizationID(), env.ProjectID(), mainID)
	if err != nil {
		t.Fatal(err)
	}
	defaultMax := cmp.Or(parent.Configuration.PostgresConfigurationParameters["max_connections"], "50")
	other, third := env.OtherInstanceTypes(t)

	// config gives created and adopted InstanceType, kept keptType (""
	// for its parent's).
	config := func(instanceType, keptType string) string {
		settings := fmt.Sprintf(`
  description         = "Converged"
  scale_to_zero       = { enabled = true, inactivity_period_minutes = 45 }
  instance_type       = %q
  replicas            = 1
  storage             = 20
  postgres_parameters = { max_connections = %q }
`, instanceType, defaultMax)
		kept := fmt.Sprintf("  postgres_parameters = { max_connections = %q }\n", defaultMax)
		if keptType != "" {
			kept += fmt.Sprintf("  instance_type       = %q\n", keptType)
		}
		child := func(name, body string) string {
			return fmt.Sprintf("\nresource \"xata_branch\" %q {\n  name        = %q\n  parent_name = %q\n%s}\n",
				name, env.Name(name), env.Name("main"), body)
		}
		return env.ProviderBlock() + child("created", settings) + child("adopted", "  adopt_existing = true\n"+settings) +
			child("kept", kept) + child("tuned", "  postgres_parameters = { max_connections = \"75\" }\n")
	}

	// expect checks the branch name in state and on the server: its
	// instance type and max_connections, and with all the other settings
	// of config.
	expect := func(name, instanceType, maxConnections string, all bool) ([]statecheck.StateCheck, resource.TestCheckFunc) {
		addr := "xata_branch." + name
		value := func(attr string, want knownvalue.Check) statecheck.StateCheck {
			return statecheck.ExpectKnownValue(addr, tfjsonpath.New(attr), want)
		}
		checks := []statecheck.StateCheck{
			value("instance_type", knownvalue.StringExact(instanceType)),
			value("postgres_parameters", knownvalue.MapExact(map[string]knownvalue.Check{"max_connections": knownvalue.StringExact(maxConnections)})),
			value("status", knownvalue.StringExact(xataapi.StatusHealthy)),
		}
		if all {
			checks = append(checks,
				value("description", knownvalue.StringExact("Converged")),
				value("scale_to_zero", knownvalue.ObjectExact(map[string]knownvalue.Check{
					"enabled": knownvalue.Bool(true), "inactivity_period_minutes": knownvalue.Int64Exact(45),
				})),
				value("replicas", knownvalue.Int64Exact(1)),
				value("storage", knownvalue.Int64Exact(20)),
			)
		}
		return checks, env.ServerBranch(env.Name(name), func(b *xataapi.BranchMetadata) error {
			cfg := b.Configuration
			if cfg.InstanceType != instanceType || cfg.PostgresConfigurationParameters["max_connections"] != maxConnections {
				return fmt.Errorf("instance type %q and max_connections %q on the server, want %q and %q",
					cfg.InstanceType, cfg.PostgresConfigurationParameters["max_connections"], instanceType, maxConnections)
			}
			if all && (b.Description != "Converged" || !b.ScaleToZero.Enabled || b.ScaleToZero.InactivityPeriodMinutes != 45 ||
				cfg.Replicas != 1 || cfg.Storage == nil || *cfg.Storage != 20) {
				return fmt.Errorf("the server's branch is not at the plan: description %q, scale to zero %+v, replicas %d, "+
					"storage %v", b.Description, b.ScaleToZero, cfg.Replicas, cfg.Storage)
			}
			return nil
		})
	}
	// sameID[name]() is a check that the branch keeps its id from step to
	// step.
	sameID := map[string]func() statecheck.StateCheck{}
	for _, name := range []string{"created", "adopted", "kept", "tuned"} {
		same := statecheck.CompareValue(compare.ValuesSame())
		sameID[name] = func() statecheck.StateCheck { return same.AddStateValue("xata_branch."+name, tfjsonpath.New("id")) }
	}
	step := func(cfg string, wants map[string][3]string) resource.TestStep {
		s := resource.TestStep{Config: cfg}
		var onServer []resource.TestCheckFunc
		for name, w := range wants {
			checks, server := expect(name, w[0], w[1], w[2] == "all")
			s.ConfigStateChecks = append(s.ConfigStateChecks, checks...)
			onServer = append(onServer, server)
			s.ConfigStateChecks = append(s.ConfigStateChecks, sameID[name]())
		}
		s.Check = resource.ComposeTestCheckFunc(onServer...)
		return s
	}
	created := step(config(other, ""), map[string][3]string{
		"created": {other, defaultMax, "all"}, "adopted": {other, defaultMax, "all"},
		"kept": {env.InstanceType, defaultMax}, "tuned": {env.InstanceType, "75"},
	})
	created.ConfigStateChecks = append(created.ConfigStateChecks,
		statecheck.ExpectKnownValue("xata_branch.adopted", tfjsonpath.New("id"), knownvalue.StringExact(left.ID)))
	updated := step(config(third, third), map[string][3]string{
		"created": {third, defaultMax, "all"}, "adopted": {third, defaultMax, "all"},
		"kept": {third, defaultMax}, "tuned": {env.InstanceType, "75"},
	})
	updated.ConfigPlanChecks.PreApply = []plancheck.PlanCheck{
		plancheck.ExpectResourceAction("xata_branch.created", plancheck.ResourceActionUpdate),
		plancheck.ExpectResourceAction("xata_branch.adopted", plancheck.ResourceActionUpdate),
		plancheck.ExpectResourceAction("xata_branch.kept", plancheck.ResourceActionUpdate),
		plancheck.ExpectResourceAction("xata_branch.tuned", plancheck.ResourceActionNoop),
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches("main"),
		Steps:                    []resource.TestStep{created, updated},
	})
}

// TestAccBranchResource_emptiedParametersStayOnServer: postgres_parameters
// emptied to {} stops managing every key, as removing a key does: the
// update sends nothing (an empty PATCH, which the API refuses), the state
// holds {}, and the server keeps the value it had.
func TestAccBranchResource_emptiedParametersStayOnServer(t *testing.T) {
	env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(-1))
	t.Parallel()
	addr := "xata_branch.main"
	config := func(params string) string {
		return env.ProviderBlock() + env.RootHCL("main", "main", "  postgres_parameters = "+params+"\n")
	}
	keeps50 := env.ServerBranch(env.Name("main"), func(b *xataapi.BranchMetadata) error {
		if got := b.Configuration.PostgresConfigurationParameters["max_connections"]; got != "50" {
			return fmt.Errorf("max_connections is %q on the server, want the 50 it was given", got)
		}
		return nil
	})
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches(),
		Steps: []resource.TestStep{
			{
				Config:            config(`{ max_connections = "50" }`),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(addr, tfjsonpath.New("id"))},
				Check:             keeps50,
			},
			{
				Config: config(`{}`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("postgres_parameters"), knownvalue.MapExact(map[string]knownvalue.Check{})),
				},
				Check: keeps50,
			},
		},
	})
}

// rewritingProxy serves the emulator's API with the connectionString of
// every branch and credentials answer passed through rewrite (which gets
// "branch" or "credentials" and the URL). It stands for a server whose
// URLs say other, equally valid things than the emulator's.
func rewritingProxy(t *testing.T, target string, rewrite func(kind, conn string) string) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	branchPath := regexp.MustCompile(`/branches/[^/]+$`)
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ModifyResponse = func(resp *http.Response) error {
		kind := ""
		switch p := resp.Request.URL.Path; {
		case resp.StatusCode != http.StatusOK || resp.Request.Method != http.MethodGet:
		case strings.HasSuffix(p, "/credentials"):
			kind = "credentials"
		case branchPath.MatchString(p):
			kind = "branch"
		}
		if kind == "" {
			return nil
		}
		raw, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		var body map[string]any
		if err := json.Unmarshal(raw, &body); err != nil {
			return err
		}
		if conn, ok := body["connectionString"].(string); ok && conn != "" {
			body["connectionString"] = rewrite(kind, conn)
			if raw, err = json.Marshal(body); err != nil {
				return err
			}
		}
		resp.Body = io.NopCloser(bytes.NewReader(raw))
		resp.ContentLength = int64(len(raw))
		resp.Header.Set("Content-Length", strconv.Itoa(len(raw)))
		return nil
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	return srv.URL
}

// withQuery is conn with its query replaced by query.
func withQuery(conn, query string) string {
	u, err := url.Parse(conn)
	if err != nil {
		return conn
	}
	u.RawQuery = query
	return u.String()
}

// TestAccConnectionDetails_serverURLsClass: the connection string is built
// from the server's URLs, never from a fixed pattern, for each place the
// server may put its query: every parameter of the URL it builds on is
// kept, an sslmode in the credentials' URL wins, one only in the branch's
// URL is taken from there, and require is added only when neither has
// one. Both credentials shapes: the hosted one builds on the credentials'
// URL, the open-source one, which has none, on the branch's.
func TestAccConnectionDetails_serverURLsClass(t *testing.T) {
	acctest.RequireEmulator(t, "a proxy rewriting the emulator's connection strings")
	cases := []struct {
		name        string
		shape       xataemu.CredentialsShape
		credentials string // the query of the credentials' URL
		branch      string // the query of the branch's URL
		want        url.Values
	}{
		{"hosted, sslmode only in the branch's URL", xataemu.CredentialsHosted,
			"application_name=reports", "sslmode=verify-full",
			url.Values{"application_name": {"reports"}, "sslmode": {"verify-full"}}},
		{"hosted, sslmode in both URLs", xataemu.CredentialsHosted,
			"sslmode=verify-ca&connect_timeout=10", "sslmode=verify-full",
			url.Values{"connect_timeout": {"10"}, "sslmode": {"verify-ca"}}},
		{"hosted, no sslmode anywhere", xataemu.CredentialsHosted,
			"application_name=reports", "",
			url.Values{"application_name": {"reports"}, "sslmode": {"require"}}},
		{"open-source, the branch's URL only", xataemu.CredentialsOpenSource,
			"", "sslmode=verify-full&application_name=reports",
			url.Values{"application_name": {"reports"}, "sslmode": {"verify-full"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(-1), acctest.WithCredentialsShape(c.shape))
			env.UseBaseURL(rewritingProxy(t, env.Emu.URL(), func(kind, conn string) string {
				if kind == "credentials" {
					return withQuery(conn, c.credentials)
				}
				return withQuery(conn, c.branch)
			}))
			t.Parallel()
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: env.Factories(t),
				CheckDestroy:             env.CheckNoBranches(),
				Steps: []resource.TestStep{{
					Config: env.ProviderBlock() + env.MainHCL(),
					Check: resource.TestCheckResourceAttrWith("xata_branch.main", "connection_string", func(v string) error {
						u, err := url.Parse(v)
						if err != nil {
							return fmt.Errorf("connection_string is not a URL: %w", err)
						}
						if got := u.Query(); got.Encode() != c.want.Encode() {
							return fmt.Errorf("connection_string's query is %q, want %q", got.Encode(), c.want.Encode())
						}
						if u.User.Username() != "xata" || u.Hostname() == "" || u.Path != "/xata" {
							return fmt.Errorf("connection_string %s lost the server's user, host or database", u.Redacted())
						}
						return nil
					}),
				}},
			})
		})
	}
}

// TestAccBranchResource_removedParameterReturnsToDefault: removing one key
// of several sends the others, and the API replaces the branch's
// parameters with what it is sent (as the open-source server's PATCH
// does), so the removed key goes back to its default, as the attribute's
// description says.
func TestAccBranchResource_removedParameterReturnsToDefault(t *testing.T) {
	env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(-1))
	t.Parallel()
	config := func(params string) string {
		return env.ProviderBlock() + env.RootHCL("main", "main", "  postgres_parameters = "+params+"\n")
	}
	server := func(want func(params map[string]string) error) resource.TestCheckFunc {
		return env.ServerBranch(env.Name("main"), func(b *xataapi.BranchMetadata) error {
			return want(b.Configuration.PostgresConfigurationParameters)
		})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches(),
		Steps: []resource.TestStep{
			{
				Config: config(`{ max_connections = "61", work_mem = "8MB" }`),
				Check: server(func(p map[string]string) error {
					if p["max_connections"] != "61" || p["work_mem"] != "8MB" {
						return fmt.Errorf("server parameters %v, want max_connections 61 and work_mem 8MB", p)
					}
					return nil
				}),
			},
			{
				Config: config(`{ work_mem = "8MB" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("xata_branch.main", plancheck.ResourceActionUpdate),
				}},
				Check: server(func(p map[string]string) error {
					if p["max_connections"] == "61" || p["max_connections"] == "" || p["work_mem"] != "8MB" {
						return fmt.Errorf("server parameters %v, want max_connections back at its default and work_mem 8MB", p)
					}
					return nil
				}),
			},
		},
	})
}
