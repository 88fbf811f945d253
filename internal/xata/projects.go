package xata

import (
	"context"
	"net/http"
)

// ListProjects returns every project of an organization.
func (c *Client) ListProjects(ctx context.Context, orgID string) ([]Project, error) {
	p, err := orgPath(orgID)
	if err != nil {
		return nil, err
	}
	var out ProjectList
	if err := c.do(ctx, call{method: http.MethodGet, path: p + "/projects"}, &out); err != nil {
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
	if err := c.do(ctx, call{method: http.MethodGet, path: p}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListRegions returns the regions the organization may create branches in.
func (c *Client) ListRegions(ctx context.Context, orgID string) ([]Region, error) {
	p, err := orgPath(orgID)
	if err != nil {
		return nil, err
	}
	var out RegionList
	if err := c.do(ctx, call{method: http.MethodGet, path: p + "/regions"}, &out); err != nil {
		return nil, err
	}
	return out.Regions, nil
}
