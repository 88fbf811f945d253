package signadot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient"
)

// SplitPluginName splits "name@version" ("x@1.2" → "x", "1.2"); without
// '@' the version is "".
func SplitPluginName(s string) (bare, version string) {
	bare, version, _ = strings.Cut(s, "@")
	return bare, version
}

// semverRE accepts what the server accepts for a version: an optional
// "v", one to three numeric parts, then an optional pre-release and build.
var semverRE = regexp.MustCompile(`^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$`)

// CanonicalVersion returns the form the server stores a version under:
// "v1.0" → "1.0.0", "" (a bare plugin name) → "0.0.0". "latest" and other
// non-versions are an error.
func CanonicalVersion(v string) (string, error) {
	if v == "" {
		return "0.0.0", nil
	}
	m := semverRE.FindStringSubmatch(v)
	if m == nil {
		return "", fmt.Errorf("invalid resource plugin version %q: want a semantic version such as 1.2.0", v)
	}
	parts := make([]string, 3)
	for i, p := range m[1:4] {
		if p == "" {
			p = "0"
		}
		n, err := strconv.ParseUint(p, 10, 64)
		if err != nil {
			return "", fmt.Errorf("invalid resource plugin version %q: %w", v, err)
		}
		parts[i] = strconv.FormatUint(n, 10)
	}
	return strings.Join(parts, ".") + m[4] + m[5], nil
}

func pluginPath(bare string) (string, error) {
	if bare == "" {
		return "", errors.New("signadot: resource plugin name is required")
	}
	return "/resource-plugins/" + url.PathEscape(bare), nil
}

// nameAndVersion accepts the version either separately or in the name.
func nameAndVersion(name, version string) (bare, ver string) {
	bare, ver = SplitPluginName(name)
	if version != "" {
		ver = version
	}
	return bare, ver
}

// applyRequest is what the CLI sends: name and spec only.
type applyRequest struct {
	Name string             `json:"name"`
	Spec ResourcePluginSpec `json:"spec"`
}

// ApplyResourcePlugin publishes p, whose Name is "bare" (version 0.0.0) or
// "bare@version". Versions are immutable: publishing one that exists is a
// 409 (IsConflict).
//
// Because of that, the PUT is not blindly repeated. It is retried on 429
// and 503, which are refusals before any work. When the outcome is unknown
// (no response, or 500/502/504) the version is read back: the same spec
// means an earlier attempt published it, a different one is the 409 the
// PUT would get, and none means the PUT can safely be sent again.
func (c *Client) ApplyResourcePlugin(ctx context.Context, p ResourcePlugin) error {
	bare, ver := SplitPluginName(p.Name)
	path, err := pluginPath(bare)
	if err != nil {
		return err
	}
	cl, err := c.newCall(http.MethodPut, path, nil, applyRequest{Name: p.Name, Spec: p.Spec})
	if err != nil {
		return err
	}
	// An invalid version is the server's to reject; the read-back only
	// happens after an ambiguous failure, which a 400 is not.
	canon, cerr := CanonicalVersion(ver)
	var last error
	ambiguous := false // an earlier attempt may have published the version
	for attempt := 1; ; attempt++ {
		resp, err := c.api.Attempt(ctx, cl, attempt)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			if ambiguous || isAmbiguous(err) {
				err = fmt.Errorf("resource plugin %s may have been published: %w", p.Name, err)
			}
			return apiclient.WithPrevious(err, last)
		}
		conflict := IsConflict(err)
		switch {
		case cerr == nil && (isAmbiguous(err) || conflict && ambiguous):
			ambiguous = true
			done, cause := c.publishedAlready(ctx, bare, canon, p.Spec, err, cl)
			if done {
				c.api.Debug(ctx, "signadot API: resource plugin was published by an earlier attempt", map[string]any{
					"plugin": bare + "@" + canon, "attempt": attempt, "error": c.redactString(err.Error()),
				})
				return nil
			}
			if cause != nil {
				return cause
			}
			if conflict {
				return err // published by someone else, then deleted again
			}
		case apiclient.Refused(statusOf(err)): // 429/503: nothing was done
		default:
			return err
		}
		last = err
		if err := c.api.AwaitRetry(ctx, cl, attempt, resp, err); err != nil {
			return err
		}
	}
}

// publishedAlready reads bare@version back after the PUT failed with
// putErr. It reports done when the stored spec equals spec; otherwise a
// non-nil error ends the apply (the 409 a repeat would get, or a failed
// read), and (false, nil) means the version does not exist.
func (c *Client) publishedAlready(ctx context.Context, bare, version string, spec ResourcePluginSpec, putErr error, cl apiclient.Call) (bool, error) {
	got, err := c.GetResourcePlugin(ctx, bare, version)
	switch {
	case IsNotFound(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("%w; reading back whether %s@%s was published anyway failed: %w", putErr, bare, version, err)
	}
	same, err := sameJSON(spec, got.Spec)
	if err != nil {
		return false, err
	}
	if same {
		return true, nil
	}
	apiErr := &APIError{
		StatusCode: http.StatusConflict,
		Message: fmt.Sprintf("resource plugin %s@%s already exists with a different spec (read back after: %v)",
			bare, version, putErr),
		Method: cl.Method,
		Path:   cl.Path,
	}
	var prev *APIError
	if errors.As(putErr, &prev) && prev.StatusCode == http.StatusConflict {
		apiErr = prev
	}
	return false, apiErr
}

// sameJSON compares two values by their JSON, ignoring empty values, so a
// server that answers [] for a null list (or drops an empty string) still
// matches what was sent.
func sameJSON(a, b any) (bool, error) {
	norm := func(v any) ([]byte, error) {
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		var generic any
		if err := json.Unmarshal(raw, &generic); err != nil {
			return nil, err
		}
		return json.Marshal(dropEmpty(generic))
	}
	ja, err := norm(a)
	if err != nil {
		return false, err
	}
	jb, err := norm(b)
	if err != nil {
		return false, err
	}
	return bytes.Equal(ja, jb), nil
}

// dropEmpty removes nulls, "", false, 0, [] and {} from a decoded JSON
// value, recursively.
func dropEmpty(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range v {
			if val = dropEmpty(val); val != nil {
				out[k] = val
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		if len(v) == 0 {
			return nil
		}
		out := make([]any, len(v))
		for i, val := range v {
			out[i] = dropEmpty(val)
		}
		return out
	case string:
		if v == "" {
			return nil
		}
	case bool:
		if !v {
			return nil
		}
	case float64:
		if v == 0 {
			return nil
		}
	}
	return v
}

// GetResourcePlugin reads one version of a plugin; version "" (or
// "latest") is the highest. The version may also be given in name
// ("x@1.0"). A missing plugin or version satisfies IsNotFound.
func (c *Client) GetResourcePlugin(ctx context.Context, name, version string) (*ResourcePlugin, error) {
	bare, ver := nameAndVersion(name, version)
	path, err := pluginPath(bare)
	if err != nil {
		return nil, err
	}
	var q url.Values
	if ver != "" {
		q = url.Values{"version": {ver}}
	}
	cl, _ := c.newCall(http.MethodGet, path, q, nil)
	return doObject(ctx, c, cl, "a resource plugin", pluginName)
}

func pluginName(p *ResourcePlugin) string { return p.Name }

// ListResourcePlugins lists the highest version of every plugin, or every
// version (sorted by name, then version descending) when allVersions.
func (c *Client) ListResourcePlugins(ctx context.Context, allVersions bool) ([]ResourcePlugin, error) {
	var q url.Values
	if allVersions {
		q = url.Values{"version": {"all"}}
	}
	cl, _ := c.newCall(http.MethodGet, "/resource-plugins", q, nil)
	return doList(ctx, c, cl, "a list of resource plugins", "a resource plugin", pluginName)
}

// ResourcePluginVersions lists the versions of a plugin, highest first. A
// name that was never published has none (the API answers 200 []).
func (c *Client) ResourcePluginVersions(ctx context.Context, name string) ([]ResourcePlugin, error) {
	bare, _ := SplitPluginName(name)
	path, err := pluginPath(bare)
	if err != nil {
		return nil, err
	}
	cl, _ := c.newCall(http.MethodGet, path+"/versions", nil, nil)
	return doList(ctx, c, cl, "a list of resource plugin versions", "a resource plugin", pluginName)
}

// DeleteResourcePlugin deletes one version of a plugin; version "" means
// the highest, which is resolved first so that the DELETE always names its
// version (as the CLI does): a retried DELETE without one, whose first
// response was lost, would delete the next-older version. A missing
// version satisfies IsNotFound. While sandboxes use the version the result
// is a *PluginInUseError naming them.
func (c *Client) DeleteResourcePlugin(ctx context.Context, name, version string) error {
	bare, ver := nameAndVersion(name, version)
	path, err := pluginPath(bare)
	if err != nil {
		return err
	}
	if ver == "" || ver == "latest" {
		p, err := c.GetResourcePlugin(ctx, bare, "")
		if err != nil {
			return err
		}
		_, ver = SplitPluginName(p.Name)
	}
	if canon, err := CanonicalVersion(ver); err == nil {
		ver = canon
	}
	cl, _ := c.newCall(http.MethodDelete, path, url.Values{"version": {ver}}, nil)
	err = c.api.Do(ctx, cl, nil)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest ||
		!strings.Contains(strings.ToLower(apiErr.Message), "in use") {
		return err
	}
	inUse := &PluginInUseError{Plugin: bare + "@" + ver, Err: apiErr}
	p, gerr := c.GetResourcePlugin(ctx, bare, ver)
	if gerr != nil {
		return fmt.Errorf("%w; listing the sandboxes that use it failed: %w", inUse, gerr)
	}
	for _, r := range p.Status.Resources {
		if r.Sandbox != "" {
			inUse.Sandboxes = append(inUse.Sandboxes, r.Sandbox)
		}
	}
	slices.Sort(inUse.Sandboxes)
	inUse.Sandboxes = slices.Compact(inUse.Sandboxes)
	return inUse
}
