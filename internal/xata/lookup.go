package xata

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"sync"
)

// BranchIDPattern matches Xata branch ids: 26 base32hex characters, the
// first a letter (ids double as DNS labels).
var BranchIDPattern = regexp.MustCompile(`^[a-v][0-9a-v]{25}$`)

// BranchNotFoundError says that the project's branch list, read
// successfully, holds no branch of the name (or id) asked for. It is not
// an *APIError: the API answered 200.
type BranchNotFoundError struct {
	Ref       string // the name or id looked for
	ProjectID string
	// Names are the names the list held, so that a caller can suggest the
	// one a typo meant without listing again.
	Names []string
}

func (e *BranchNotFoundError) Error() string {
	return fmt.Sprintf("no branch named %q in project %s", e.Ref, e.ProjectID)
}

// AmbiguousBranchError says an import reference is the id of one branch
// and the name of another, so it is not clear which was meant.
type AmbiguousBranchError struct {
	Ref            string
	ByID, ByNameID string
}

func (e *AmbiguousBranchError) Error() string {
	return fmt.Sprintf("%q is the id of branch %s and also the name of branch %s", e.Ref, e.ByID, e.ByNameID)
}

// BranchRef names a branch by id or, when ID is empty, by exact name.
type BranchRef struct {
	ID   string
	Name string
}

// FindBranchByName resolves a name through the list, as the API has no
// lookup by name. Names are case-sensitive and unique among live branches.
// A name the list lacks is a *BranchNotFoundError (IsNotFound is true);
// any failure to read the list is returned as it is.
func (c *Client) FindBranchByName(ctx context.Context, orgID, projectID, name string) (*BranchListMetadata, error) {
	branches, err := c.ListBranches(ctx, orgID, projectID)
	if err != nil {
		return nil, err
	}
	for i := range branches {
		if branches[i].Name == name {
			return &branches[i], nil
		}
	}
	return nil, &BranchNotFoundError{Ref: name, ProjectID: projectID, Names: branchNames(branches)}
}

func branchNames(branches []BranchListMetadata) []string {
	names := make([]string, len(branches))
	for i, b := range branches {
		names[i] = b.Name
	}
	return names
}

// ResolvedBranch is the branch a reference named, and the name of its
// parent as the same list gave it: "" for a root branch, or for a parent
// that is no longer live.
type ResolvedBranch struct {
	ID, ParentName string
}

// ResolveBranchRef turns a user's reference (an import id) into a branch
// id. A string shaped like an id is taken as an id, else as a name; a
// reference that is both the id of one branch and the name of another is
// an *AmbiguousBranchError rather than a guess.
func (c *Client) ResolveBranchRef(ctx context.Context, orgID, projectID, ref string) (*ResolvedBranch, error) {
	branches, err := c.ListBranches(ctx, orgID, projectID)
	if err != nil {
		return nil, err
	}
	var byID, byName *BranchListMetadata
	for i, b := range branches {
		if b.ID == ref {
			byID = &branches[i]
		}
		if b.Name == ref {
			byName = &branches[i]
		}
	}
	if byID != nil && byName != nil && byID.ID != byName.ID {
		return nil, &AmbiguousBranchError{Ref: ref, ByID: byID.ID, ByNameID: byName.ID}
	}
	found := cmp.Or(byID, byName)
	if found == nil {
		return nil, &BranchNotFoundError{Ref: ref, ProjectID: projectID, Names: branchNames(branches)}
	}
	res := &ResolvedBranch{ID: found.ID}
	for _, b := range branches {
		if found.ParentID != nil && b.ID == *found.ParentID {
			res.ParentName = b.Name
		}
	}
	return res, nil
}

// BranchWithCredentials is a branch and, when asked for, its credentials.
type BranchWithCredentials struct {
	Branch      *BranchMetadata
	Credentials *BranchCredentials
	// CredentialsErr is the error of the credentials read, kept apart so
	// that callers can decide (a 404 right after create is normal).
	CredentialsErr error
}

// LookupBranch is the one way the provider finds a branch: by id (GET), or
// by name (list, then GET). With withCredentials the credentials are read
// too, concurrently with the branch when the id is known, so a refresh
// costs one round trip of latency.
func (c *Client) LookupBranch(ctx context.Context, orgID, projectID string, ref BranchRef, withCredentials bool) (*BranchWithCredentials, error) {
	id := ref.ID
	if id == "" {
		found, err := c.FindBranchByName(ctx, orgID, projectID, ref.Name)
		if err != nil {
			return nil, err
		}
		id = found.ID
	}
	out := &BranchWithCredentials{}
	var wg sync.WaitGroup
	if withCredentials {
		wg.Go(func() {
			out.Credentials, out.CredentialsErr = c.GetBranchCredentials(ctx, orgID, projectID, id)
		})
	}
	b, err := c.GetBranch(ctx, orgID, projectID, id)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	out.Branch = b
	return out, nil
}

// StatusOf is the HTTP status of the API error in err's chain, 0 if none
// (a transport failure, or a lookup that found nothing).
func StatusOf(err error) int { return statusOf(err) }
