package xata

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient"
)

// Paths are built from escaped segments. Empty IDs are rejected because the
// server strips trailing slashes: GET …/branches/ would silently answer with
// the branch list.

func orgPath(orgID string) (string, error) {
	if orgID == "" {
		return "", errors.New("xata: organization ID is required")
	}
	return "/organizations/" + url.PathEscape(orgID), nil
}

func projectPath(orgID, projectID string) (string, error) {
	p, err := orgPath(orgID)
	if err != nil {
		return "", err
	}
	if projectID == "" {
		return "", errors.New("xata: project ID is required")
	}
	return p + "/projects/" + url.PathEscape(projectID), nil
}

func branchPath(orgID, projectID, branchID string) (string, error) {
	p, err := projectPath(orgID, projectID)
	if err != nil {
		return "", err
	}
	if branchID == "" {
		return "", errors.New("xata: branch ID is required")
	}
	return p + "/branches/" + url.PathEscape(branchID), nil
}

// ListBranches returns every branch of a project (the API does not page).
func (c *Client) ListBranches(ctx context.Context, orgID, projectID string) ([]BranchListMetadata, error) {
	p, err := projectPath(orgID, projectID)
	if err != nil {
		return nil, err
	}
	var out BranchList
	if err := c.api.Do(ctx, apiclient.Call{Method: http.MethodGet, Path: p + "/branches"}, &out); err != nil {
		return nil, err
	}
	return out.Branches, nil
}

// GetBranch describes one branch.
func (c *Client) GetBranch(ctx context.Context, orgID, projectID, branchID string) (*BranchMetadata, error) {
	p, err := branchPath(orgID, projectID, branchID)
	if err != nil {
		return nil, err
	}
	var out BranchMetadata
	if err := c.api.Do(ctx, apiclient.Call{Method: http.MethodGet, Path: p}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateBranch creates a branch. Creation is asynchronous server-side; the
// result's status must be polled with GetBranch.
//
// A POST whose outcome is unknown (no response, or 500/502/504) is not
// blindly repeated: the project's branches are listed and a branch with the
// requested name (and parent) is adopted. Only if none exists is the POST
// sent again; names are unique server-side, so that cannot duplicate, and a
// 409 it gets means an earlier attempt of ours did create the branch.
func (c *Client) CreateBranch(ctx context.Context, orgID, projectID string, req CreateBranchRequest) (*BranchShortMetadata, error) {
	p, err := projectPath(orgID, projectID)
	if err != nil {
		return nil, err
	}
	cl, err := c.api.NewCall(http.MethodPost, p+"/branches", nil, req)
	if err != nil {
		return nil, err
	}
	var last error
	ambiguous := false // an earlier attempt may have created the branch
	// The caller must learn when giving up leaves a branch possibly behind.
	mayExist := func(err error) error {
		if !ambiguous {
			return err
		}
		return fmt.Errorf("branch %q may have been created (%w): %w", req.Name, ErrCreateOutcomeUnknown, err)
	}
	for attempt := 1; ; attempt++ {
		resp, err := c.api.Attempt(ctx, cl, attempt)
		if err == nil {
			var out BranchShortMetadata
			if err := c.api.Decode(cl, resp, &out); err != nil {
				return nil, err
			}
			return &out, nil
		}
		if ctx.Err() != nil {
			ambiguous = ambiguous || isAmbiguous(err)
			return nil, mayExist(apiclient.WithPrevious(err, last))
		}
		conflict := IsConflict(err)
		switch {
		case isAmbiguous(err), conflict && ambiguous:
			ambiguous = true
			b, ferr := c.findCreated(ctx, orgID, projectID, req)
			if ferr != nil {
				return nil, fmt.Errorf("%w; looking up whether branch %q was created anyway failed: %w", err, req.Name, ferr)
			}
			if b != nil {
				c.api.Debug(ctx, "xata API: adopted branch created by an earlier attempt", map[string]any{
					"branch_id": b.ID, "name": b.Name, "attempt": attempt, "error": err.Error(),
				})
				return b, nil
			}
			if conflict {
				return nil, err // the name is taken by a branch that is not ours
			}
		case retryable(cl.Method, err): // 429/503: refused before doing any work
		default:
			return nil, err
		}
		last = err
		if err := c.api.AwaitRetry(ctx, cl, attempt, resp, err); err != nil {
			return nil, mayExist(err)
		}
	}
}

// isAmbiguous reports whether a POST failed in a way that leaves unknown
// whether the server acted.
func isAmbiguous(err error) bool { return apiclient.Ambiguous(err, statusOf(err)) }

// findCreated looks for the branch req would have created. Besides the
// name, the parent (and for custom branches the region) must match, so an
// unrelated branch holding the name is never adopted.
func (c *Client) findCreated(ctx context.Context, orgID, projectID string, req CreateBranchRequest) (*BranchShortMetadata, error) {
	branches, err := c.ListBranches(ctx, orgID, projectID)
	if err != nil {
		return nil, err
	}
	for _, b := range branches {
		if b.Name != req.Name {
			continue
		}
		switch req.Mode {
		case ModeInherit:
			if b.ParentID == nil || *b.ParentID != req.ParentID {
				continue
			}
		case ModeCustom:
			if b.ParentID != nil || (req.Configuration != nil && req.Configuration.Region != "" && b.Region != req.Configuration.Region) {
				continue
			}
		}
		return &BranchShortMetadata{
			ID:           b.ID,
			Name:         b.Name,
			Description:  b.Description,
			CreatedAt:    b.CreatedAt,
			UpdatedAt:    b.UpdatedAt,
			ParentID:     b.ParentID,
			Region:       b.Region,
			PublicAccess: b.PublicAccess,
		}, nil
	}
	return nil, nil
}

// UpdateBranch patches a branch; cluster changes apply asynchronously.
func (c *Client) UpdateBranch(ctx context.Context, orgID, projectID, branchID string, req UpdateBranchRequest) (*BranchShortMetadata, error) {
	p, err := branchPath(orgID, projectID, branchID)
	if err != nil {
		return nil, err
	}
	cl, err := c.api.NewCall(http.MethodPatch, p, nil, req)
	if err != nil {
		return nil, err
	}
	var out BranchShortMetadata
	if err := c.api.Do(ctx, cl, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteBranch deletes a branch. A 404 is returned as an error (IsNotFound)
// so the caller decides whether "already gone" is success; a retried DELETE
// whose first response was lost also ends that way.
func (c *Client) DeleteBranch(ctx context.Context, orgID, projectID, branchID string) error {
	p, err := branchPath(orgID, projectID, branchID)
	if err != nil {
		return err
	}
	return c.api.Do(ctx, apiclient.Call{Method: http.MethodDelete, Path: p}, nil)
}

// GetBranchCredentials returns the xata user's credentials. username=xata
// is sent explicitly: older servers require it, newer ones default to it.
func (c *Client) GetBranchCredentials(ctx context.Context, orgID, projectID, branchID string) (*BranchCredentials, error) {
	p, err := branchPath(orgID, projectID, branchID)
	if err != nil {
		return nil, err
	}
	cl := apiclient.Call{Method: http.MethodGet, Path: p + "/credentials", Query: url.Values{"username": {DefaultUsername}}}
	var out BranchCredentials
	if err := c.api.Do(ctx, cl, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RotateBranchCredentials asks for a new password for the xata user; the
// credentials endpoint may answer 404 briefly afterwards.
func (c *Client) RotateBranchCredentials(ctx context.Context, orgID, projectID, branchID string) error {
	p, err := branchPath(orgID, projectID, branchID)
	if err != nil {
		return err
	}
	cl, err := c.api.NewCall(http.MethodPost, p+"/credentials/rotate", nil, RotateCredentialsRequest{Username: DefaultUsername})
	if err != nil {
		return err
	}
	return c.api.Do(ctx, cl, nil)
}
