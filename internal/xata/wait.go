package xata

import (
	"context"
	"fmt"
	"time"
)

// WaitTarget is the state a branch is awaited to reach.
type WaitTarget int

const (
	// TargetHealthy waits for STATUS_TYPE_HEALTHY with a ready instance.
	TargetHealthy WaitTarget = iota
	// TargetHibernated waits for a requested hibernation to take effect.
	TargetHibernated
)

// WaitOptions tune WaitForBranch. Zero fields take the defaults.
type WaitOptions struct {
	// MinInterval is the first poll delay; it doubles up to MaxInterval.
	MinInterval time.Duration
	MaxInterval time.Duration
	// FaultGrace is how long STATUS_TYPE_FAULT may persist before the wait
	// fails: the API maps every CNPG phase it does not know to FAULT, so a
	// short FAULT during provisioning is not yet a failure.
	FaultGrace time.Duration
	// OnPoll, when set, sees every status read (for logging).
	OnPoll func(b *BranchMetadata)
}

func (o WaitOptions) withDefaults() WaitOptions {
	if o.MinInterval <= 0 {
		o.MinInterval = 250 * time.Millisecond
	}
	if o.MaxInterval <= 0 {
		o.MaxInterval = 5 * time.Second
	}
	if o.FaultGrace <= 0 {
		o.FaultGrace = 2 * time.Minute
	}
	return o
}

// WaitForBranch polls the branch until it reaches target, the context ends,
// or a FAULT outlasts the grace period. It returns the last branch read.
func (c *Client) WaitForBranch(ctx context.Context, orgID, projectID, branchID string, target WaitTarget, opts WaitOptions) (*BranchMetadata, error) {
	opts = opts.withDefaults()
	interval := opts.MinInterval
	var (
		last        *BranchMetadata
		seenHealthy bool
		faultSince  time.Time
	)
	for {
		b, err := c.GetBranch(ctx, orgID, projectID, branchID)
		if err != nil {
			if ctx.Err() != nil {
				return last, waitTimeoutError(ctx, branchID, last)
			}
			return last, fmt.Errorf("reading branch %s while waiting for it: %w", branchID, err)
		}
		last = b
		if opts.OnPoll != nil {
			opts.OnPoll(b)
		}
		if b.Status.StatusType == StatusHealthy {
			seenHealthy = true
		}
		if b.Status.StatusType == StatusFault {
			if faultSince.IsZero() {
				faultSince = time.Now()
			}
			if time.Since(faultSince) >= opts.FaultGrace {
				return b, fmt.Errorf("branch %s is in STATUS_TYPE_FAULT (%q) for over %s; the server says it needs intervention",
					branchID, b.Status.Status, opts.FaultGrace)
			}
		} else {
			faultSince = time.Time{}
		}
		if BranchReached(b, target, seenHealthy) {
			return b, nil
		}

		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return last, waitTimeoutError(ctx, branchID, last)
		case <-t.C:
		}
		interval = min(interval*2, opts.MaxInterval)
	}
}

// BranchReached decides whether one status read means the wait is over.
// A branch that reports HIBERNATED with no instances right after creation
// is the API's placeholder for a cluster that does not exist yet, so it
// counts as hibernated only once the branch has been seen healthy or when
// hibernation was asked for.
func BranchReached(b *BranchMetadata, target WaitTarget, seenHealthy bool) bool {
	s := b.Status
	switch target {
	case TargetHibernated:
		return s.StatusType == StatusHibernated
	default:
		if s.StatusType == StatusHealthy {
			return s.InstanceReadyCount >= 1
		}
		// Scale-to-zero may hibernate an idle branch between two polls.
		return s.StatusType == StatusHibernated && seenHealthy
	}
}

func waitTimeoutError(ctx context.Context, branchID string, last *BranchMetadata) error {
	status := "no status read yet"
	if last != nil {
		status = fmt.Sprintf("%s (%q, %d of %d instances ready)", last.Status.StatusType, last.Status.Status,
			last.Status.InstanceReadyCount, last.Status.InstanceCount)
	}
	return fmt.Errorf("gave up waiting for branch %s: %w; last status: %s", branchID, context.Cause(ctx), status)
}
