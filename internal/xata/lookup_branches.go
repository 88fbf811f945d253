package xata

import (
	"context"
	"sync"
)

// lookupConcurrency bounds the GETs LookupBranches has in flight: the list
// endpoint has no status or configuration, so describing a project costs
// one GET per branch (up to 100), and the client's rate limiter is shared
// by every resource of the run.
const lookupConcurrency = 4

// LookupBranches describes each of ids (and reads its credentials when
// withCredentials), in the order given. A branch deleted since the ids
// were listed (GET answers 404) is left out rather than failing the whole
// lookup; the first other failure stops the rest and is returned.
func (c *Client) LookupBranches(ctx context.Context, orgID, projectID string, ids []string, withCredentials bool) ([]*BranchWithCredentials, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	// Only the failure that stopped the others is worth reporting, not the
	// cancellations it caused.
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr == nil {
			firstErr = err
			cancel()
		}
	}
	found := make([]*BranchWithCredentials, len(ids))
	sem := make(chan struct{}, lookupConcurrency)
	for i, id := range ids {
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				fail(ctx.Err())
				return
			}
			defer func() { <-sem }()
			b, err := c.LookupBranch(ctx, orgID, projectID, BranchRef{ID: id}, withCredentials)
			switch {
			case IsNotFound(err): // deleted since it was listed
			case err != nil:
				fail(err)
			default:
				found[i] = b
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	out := make([]*BranchWithCredentials, 0, len(ids))
	for _, b := range found {
		if b != nil {
			out = append(out, b)
		}
	}
	return out, nil
}
