package signadot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient/apitest"
)

func TestSplitPluginName(t *testing.T) {
	for in, want := range map[string][2]string{
		"x@1.2":       {"x", "1.2"},
		"x":           {"x", ""},
		"x@":          {"x", ""},
		"x@latest":    {"x", "latest"},
		"x@1.0@2":     {"x", "1.0@2"},
		"xata-branch": {"xata-branch", ""},
	} {
		if b, v := SplitPluginName(in); b != want[0] || v != want[1] {
			t.Errorf("SplitPluginName(%q) = %q, %q; want %q, %q", in, b, v, want[0], want[1])
		}
	}
}

func TestCanonicalVersion(t *testing.T) {
	for in, want := range map[string]string{
		"":                 "0.0.0",
		"1":                "1.0.0",
		"v1.0":             "1.0.0",
		"1.2.3":            "1.2.3",
		"01.02.03":         "1.2.3",
		"1.0.0-rc.1":       "1.0.0-rc.1",
		"v2.1-beta+build7": "2.1.0-beta+build7",
	} {
		got, err := CanonicalVersion(in)
		if err != nil || got != want {
			t.Errorf("CanonicalVersion(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"latest", "1.2.3.4", "x1", "1..2", "1.0-", "v", "99999999999999999999"} {
		if got, err := CanonicalVersion(in); err == nil {
			t.Errorf("CanonicalVersion(%q) = %q, want an error", in, got)
		}
	}
}

const pluginBody = `{"name":"p@1.0.0","spec":{"runner":{"image":"debian"},"create":[{"name":"s","inputs":[],"outputs":[],"script":"echo"}],"delete":[]},"status":{"resources":[]},"createdAt":"2026-01-01T00:00:00Z"}`

func testPlugin() ResourcePlugin {
	return ResourcePlugin{Name: "p@v1.0", Spec: ResourcePluginSpec{
		Runner: Runner{Image: "debian"},
		Create: []Step{{Name: "s", Script: "echo"}}, // nil inputs/outputs: the server answers []
	}}
}

func TestApplyResourcePluginIsNotBlindlyRetried(t *testing.T) {
	const (
		put = "PUT /api/v2/orgs/my-org/resource-plugins/p"
		get = "GET /api/v2/orgs/my-org/resource-plugins/p?version=1.0.0"
	)
	other := strings.Replace(pluginBody, `"echo"`, `"echo other"`, 1)
	tests := []struct {
		name     string
		steps    []http.HandlerFunc
		want     []string
		wantErr  string
		conflict bool
	}{
		{"ok", []http.HandlerFunc{apitest.Reply(200, `{}`)}, []string{put}, "", false},
		{"500 then published: adopted",
			[]http.HandlerFunc{apitest.Reply(500, errBody(500, "boom")), apitest.Reply(200, pluginBody)},
			[]string{put, get}, "", false},
		{"lost response, not published: sent again",
			[]http.HandlerFunc{apitest.Drop, apitest.Reply(404, errBody(404, "resource plugin not found")), apitest.Reply(200, `{}`)},
			[]string{put, get, put}, "", false},
		{"502 and a different spec: the 409 it would be",
			[]http.HandlerFunc{apitest.Reply(502, ""), apitest.Reply(200, other)},
			[]string{put, get}, "already exists with a different spec", true},
		{"409 after an ambiguous attempt is read back",
			[]http.HandlerFunc{apitest.Reply(504, ""), apitest.Reply(404, errBody(404, "resource plugin not found")),
				apitest.Reply(409, errBody(409, "exists")), apitest.Reply(200, pluginBody)},
			[]string{put, get, put, get}, "", false},
		{"409 is final", []http.HandlerFunc{apitest.Reply(409, errBody(409, `resource plugin "p@v1.0" already exists`))},
			[]string{put}, "already exists", true},
		{"429 and 503 retried without reading back",
			[]http.HandlerFunc{apitest.Reply(429, "", "Retry-After", "0"), apitest.Reply(503, ""), apitest.Reply(200, `{}`)},
			[]string{put, put, put}, "", false},
		{"408 not retried", []http.HandlerFunc{apitest.Reply(408, "")}, []string{put}, "408", false},
		{"400 not retried", []http.HandlerFunc{apitest.Reply(400, errBody(400, "spec.runner.image is required"))},
			[]string{put}, "spec.runner.image is required", false},
		{"read-back fails",
			[]http.HandlerFunc{apitest.Reply(500, errBody(500, "boom")), apitest.Reply(401, errBody(401, "bad key"))},
			[]string{put, get}, "reading back whether p@1.0.0 was published anyway failed", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := record(tt.steps...)
			c := newTestClient(t, rec, nil)
			err := c.ApplyResourcePlugin(context.Background(), testPlugin())
			if tt.wantErr == "" && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
			}
			if IsConflict(err) != tt.conflict {
				t.Errorf("IsConflict(%v) = %v", err, !tt.conflict)
			}
			if got := rec.requests(); strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestApplyResourcePluginCancelledAfterAmbiguousAttempt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cancel()
		apitest.Drop(w, r)
	}), nil)
	err := c.ApplyResourcePlugin(ctx, testPlugin())
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "may have been published") {
		t.Fatalf("error = %v", err)
	}
}

func TestDeleteResourcePluginInUse(t *testing.T) {
	rec := record(
		apitest.Reply(400, errBody(400, `resource plugin "p@1.0.0" is currently in use`)),
		apitest.Reply(200, `{"name":"p@1.0.0","status":{"resources":[{"name":"db","sandbox":"b"},{"name":"db","sandbox":"a"},{"name":"cache","sandbox":"b"}]}}`),
	)
	c := newTestClient(t, rec, nil)
	err := c.DeleteResourcePlugin(context.Background(), "p", "1.0")
	var inUse *PluginInUseError
	if !errors.As(err, &inUse) {
		t.Fatalf("error = %v (%T), want *PluginInUseError", err, err)
	}
	if inUse.Plugin != "p@1.0.0" || strings.Join(inUse.Sandboxes, ",") != "a,b" || inUse.Err.StatusCode != 400 {
		t.Errorf("got %+v", inUse)
	}
	const want = `resource plugin p@1.0.0 is still used by sandbox(es): a, b (signadot API: DELETE /orgs/my-org/resource-plugins/p: 400: resource plugin "p@1.0.0" is currently in use (request id: req-400))`
	if err.Error() != want {
		t.Errorf("Error() = %s\nwant      %s", err, want)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 {
		t.Error("the APIError is not unwrapped")
	}
	want2 := []string{
		"DELETE /api/v2/orgs/my-org/resource-plugins/p?version=1.0.0",
		"GET /api/v2/orgs/my-org/resource-plugins/p?version=1.0.0",
	}
	if got := rec.requests(); strings.Join(got, "\n") != strings.Join(want2, "\n") {
		t.Errorf("requests = %q", got)
	}

	// Other 400s are returned as they are; a failed lookup still gives a
	// PluginInUseError.
	c = newTestClient(t, apitest.Reply(400, errBody(400, "invalid version")), nil)
	if err := c.DeleteResourcePlugin(context.Background(), "p", "1.0"); errors.As(err, &inUse) || err == nil {
		t.Errorf("plain 400 became %v", err)
	}
	c = newTestClient(t, record(apitest.Reply(400, errBody(400, "in use")), apitest.Reply(401, "")), nil)
	err = c.DeleteResourcePlugin(context.Background(), "p", "1.0")
	if !errors.As(err, &inUse) || len(inUse.Sandboxes) != 0 || !strings.Contains(err.Error(), "still used by one or more sandboxes") ||
		!strings.Contains(err.Error(), "listing the sandboxes that use it failed") {
		t.Errorf("error = %v", err)
	}
}

func TestDeleteResourcePluginNotFound(t *testing.T) {
	c := newTestClient(t, apitest.Reply(404, errBody(404, "resource plugin not found")), nil)
	if err := c.DeleteResourcePlugin(context.Background(), "p", ""); !IsNotFound(err) {
		t.Errorf("error = %v, want not found", err)
	}
}

func sandboxJSON(ready bool, reason, msg string) string {
	return fmt.Sprintf(`{"name":"sb","routingKey":"rk","spec":{"cluster":"c"},"status":{"ready":%t,"reason":%q,"message":%q}}`, ready, reason, msg)
}

func TestWaitSandboxReady(t *testing.T) {
	tests := []struct {
		name    string
		steps   []http.HandlerFunc
		wantErr string
	}{
		{"ready", []http.HandlerFunc{apitest.Reply(200, sandboxJSON(false, "ResourcesProvisioning", "")), apitest.Reply(200, sandboxJSON(true, "Ready", ""))}, ""},
		{"failed", []http.HandlerFunc{apitest.Reply(200, sandboxJSON(false, "ResourcesProvisioning", "")),
			apitest.Reply(200, sandboxJSON(false, "ResourceFailed", `resource "db": create step "provision" failed: exit code 3`))},
			`sandbox sb failed: ResourceFailed: resource "db": create step "provision" failed: exit code 3`},
		{"deleted meanwhile", []http.HandlerFunc{apitest.Reply(200, sandboxJSON(false, "Terminating", ""))}, "is being deleted"},
		{"gone", []http.HandlerFunc{apitest.Reply(404, errBody(404, "can't get sandbox: not found"))}, "disappeared"},
		{"error", []http.HandlerFunc{apitest.Reply(401, errBody(401, "bad key"))}, "401: bad key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, record(tt.steps...), nil)
			sb, err := c.WaitSandboxReady(context.Background(), "sb", time.Millisecond)
			if tt.wantErr == "" {
				if err != nil || sb == nil || !sb.Status.Ready || sb.RoutingKey != "rk" {
					t.Fatalf("got %+v, %v", sb, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want %q", err, tt.wantErr)
			}
		})
	}
	c := newTestClient(t, apitest.Reply(200, sandboxJSON(false, "ResourcesProvisioning", "step 1 of 2")), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	sb, err := c.WaitSandboxReady(ctx, "sb", 10*time.Millisecond)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "ResourcesProvisioning: step 1 of 2") || sb == nil {
		t.Errorf("timeout: %v, %+v", err, sb)
	}
}

func TestWaitSandboxGone(t *testing.T) {
	tests := []struct {
		name    string
		steps   []http.HandlerFunc
		wantErr string
	}{
		{"gone", []http.HandlerFunc{apitest.Reply(200, sandboxJSON(false, "ResourceFailed", "create failed")),
			apitest.Reply(200, sandboxJSON(false, "Terminating", "")), apitest.Reply(400, errBody(400, "can't get sandbox: not found"))}, ""},
		{"delete step failed", []http.HandlerFunc{apitest.Reply(200, sandboxJSON(false, "Terminating", "")),
			apitest.Reply(200, sandboxJSON(false, "ResourceDeleteFailed", "exit code 1"))},
			"deleting sandbox sb failed: ResourceDeleteFailed: exit code 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, record(tt.steps...), nil)
			err := c.WaitSandboxGone(context.Background(), "sb", time.Millisecond)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// A 200 with a body that is not what the operation returns is an error
// naming the operation, not a zero plugin or sandbox.
func TestResponsesOfTheWrongShapeAreRefused(t *testing.T) {
	ops := []struct {
		name, what string
		call       func(*Client) error
	}{
		{"GET /orgs/my-org/resource-plugins/p", "a resource plugin", func(c *Client) error {
			_, err := c.GetResourcePlugin(context.Background(), "p", "")
			return err
		}},
		{"GET /orgs/my-org/sandboxes/sb", "a sandbox", func(c *Client) error {
			_, err := c.GetSandbox(context.Background(), "sb")
			return err
		}},
		{"PUT /orgs/my-org/sandboxes/sb", "a sandbox", func(c *Client) error {
			_, err := c.PutSandbox(context.Background(), Sandbox{Name: "sb", Spec: SandboxSpec{Cluster: "c"}})
			return err
		}},
	}
	bodies := []struct{ body, problem string }{
		{"", "empty body"},
		{"{}", "an object without a name"},
		{"[]", "a JSON array"},
		{"null", "a JSON null"},
		{`"p"`, "a JSON string"},
		{`{"items":[{"name":"p"}]}`, "an object without a name"},
		{`{"name":{"bare":"p"}}`, "json: cannot unmarshal object"},
		{"<html>OK</html>", "not JSON: invalid character '<'"},
	}
	for _, op := range ops {
		for _, b := range bodies {
			t.Run(op.name+" "+b.body, func(t *testing.T) {
				rec := record(apitest.Reply(200, b.body))
				err := op.call(newTestClient(t, rec, nil))
				want := "signadot API: " + op.name + ": the 200 response is not " + op.what + " (" + b.problem
				if err == nil || !strings.HasPrefix(err.Error(), want) {
					t.Fatalf("error = %v\nwant it to start with %q", err, want)
				}
				if IsNotFound(err) {
					t.Error("a malformed 200 reads as not found, so Terraform would forget the resource")
				}
				if n := len(rec.requests()); n != 1 {
					t.Errorf("%d requests; a malformed 200 is not retried", n)
				}
			})
		}
	}
}

func TestListResponsesOfTheWrongShapeAreRefused(t *testing.T) {
	list := func(c *Client) ([]ResourcePlugin, error) { return c.ListResourcePlugins(context.Background(), false) }
	versions := func(c *Client) ([]ResourcePlugin, error) { return c.ResourcePluginVersions(context.Background(), "p") }
	for _, tt := range []struct {
		name    string
		call    func(*Client) ([]ResourcePlugin, error)
		body    string
		wantErr string // "" means accepted
		want    int
	}{
		{"list", list, `[{"name":"a"},{"name":"b@1.0.0"}]`, "", 2},
		{"empty list", list, `[]`, "", 0},
		{"null is an empty list", versions, `null`, "", 0},
		{"empty body", list, ``,
			"signadot API: GET /orgs/my-org/resource-plugins: the 200 response is not a list of resource plugins (empty body)", 0},
		{"object", versions, `{"name":"p"}`,
			"signadot API: GET /orgs/my-org/resource-plugins/p/versions: the 200 response is not a list of resource plugin versions (a JSON object)", 0},
		{"nameless item", list, `[{"name":"a"},{}]`,
			"the 200 response is not a list of resource plugins (item 1 is not a resource plugin: an object without a name)", 0},
		{"item of the wrong type", versions, `["p@1.0.0"]`, "(item 0 is not a resource plugin: a JSON string)", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.call(newTestClient(t, apitest.Reply(200, tt.body), nil))
			if tt.wantErr == "" {
				if err != nil || len(got) != tt.want {
					t.Fatalf("got %d plugins, %v; want %d", len(got), err, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
