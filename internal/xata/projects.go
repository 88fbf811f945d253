package xata

import (
	"context"
	"net/http"
	"net/url"

	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient"
)

// ListProjects returns every project of an organization.
func (c *Client) ListProjects(ctx context.Context, orgID string) ([]Project, error) {
	p, err := orgPath(orgID)
	if err != nil {
		return nil, err
	}
	var out ProjectList
	if err := c.api.Do(ctx, apiclient.Call{Method: http.MethodGet, Path: p + "/projects"}, &out); err != nil {
		return nil, err
	}
	return out.Projects, nil
}

// GetProject returns one project.
func (c *Client) GetProject(ctx context.Context, orgID, projectID string) (*Project, error) {
	p, err := projectPath(orgID, projectID)
	if err != nil {
		return nil, err
	}
	var out Project
	if err := c.api.Do(ctx, apiclient.Call{Method: http.MethodGet, Path: p}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateProject creates a project; the name must be unique in the
// organization (409 otherwise).
func (c *Client) CreateProject(ctx context.Context, orgID string, req ProjectRequest) (*Project, error) {
	p, err := orgPath(orgID)
	if err != nil {
		return nil, err
	}
	cl, err := c.api.NewCall(http.MethodPost, p+"/projects", nil, req)
	if err != nil {
		return nil, err
	}
	var out Project
	if err := c.api.Do(ctx, cl, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateProject changes what req sets.
func (c *Client) UpdateProject(ctx context.Context, orgID, projectID string, req ProjectRequest) (*Project, error) {
	p, err := projectPath(orgID, projectID)
	if err != nil {
		return nil, err
	}
	cl, err := c.api.NewCall(http.MethodPatch, p, nil, req)
	if err != nil {
		return nil, err
	}
	var out Project
	if err := c.api.Do(ctx, cl, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteProject deletes a project; the server refuses (400) while it has
// branches.
func (c *Client) DeleteProject(ctx context.Context, orgID, projectID string) error {
	p, err := projectPath(orgID, projectID)
	if err != nil {
		return err
	}
	return c.api.Do(ctx, apiclient.Call{Method: http.MethodDelete, Path: p}, nil)
}

// ListRegions returns the regions the organization may create branches in.
func (c *Client) ListRegions(ctx context.Context, orgID string) ([]Region, error) {
	p, err := orgPath(orgID)
	if err != nil {
		return nil, err
	}
	var out RegionList
	if err := c.api.Do(ctx, apiclient.Call{Method: http.MethodGet, Path: p + "/regions"}, &out); err != nil {
		return nil, err
	}
	return out.Regions, nil
}

// ListInstanceTypes returns the instance types offered in a region.
func (c *Client) ListInstanceTypes(ctx context.Context, orgID, region string) ([]InstanceType, error) {
	p, err := orgPath(orgID)
	if err != nil {
		return nil, err
	}
	var out InstanceTypeList
	cl := apiclient.Call{Method: http.MethodGet, Path: p + "/instanceTypes", Query: url.Values{"region": {region}}}
	if err := c.api.Do(ctx, cl, &out); err != nil {
		return nil, err
	}
	return out.InstanceTypes, nil
}

// ListImages returns the Postgres images offered, in a region when region
// is not "".
func (c *Client) ListImages(ctx context.Context, orgID, region string) ([]Image, error) {
	p, err := orgPath(orgID)
	if err != nil {
		return nil, err
	}
	cl := apiclient.Call{Method: http.MethodGet, Path: p + "/images"}
	if region != "" {
		cl.Query = url.Values{"region": {region}}
	}
	var out ImageList
	if err := c.api.Do(ctx, cl, &out); err != nil {
		return nil, err
	}
	return out.Images, nil
}

// ProjectLimits are the limits every project of an organization has.
type ProjectLimits struct {
	MaxInstances         int64 `json:"maxInstances"`
	MinInstances         int64 `json:"minInstances"`
	MaxDescriptionLength int64 `json:"maxDescriptionLength"`
	MaxBranches          int64 `json:"maxBranches"`
}

// GetProjectLimits returns the organization's project limits.
func (c *Client) GetProjectLimits(ctx context.Context, orgID string) (*ProjectLimits, error) {
	p, err := orgPath(orgID)
	if err != nil {
		return nil, err
	}
	var out ProjectLimits
	if err := c.api.Do(ctx, apiclient.Call{Method: http.MethodGet, Path: p + "/projects/limits"}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
