package xata

import (
	"context"
	"fmt"
	"time"

	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient"
)

// WaitTarget is the state a branch is awaited to reach.
type WaitTarget int

const (
	// TargetHealthy waits for STATUS_TYPE_HEALTHY with a ready instance.
	TargetHealthy WaitTarget = iota
	// TargetHibernated waits for a requested hibernation to take effect.
	TargetHibernated
	// TargetSettled waits for a change to an existing branch to finish:
	// healthy, or hibernated (a hibernated branch takes configuration
	// changes without waking, so it never turns healthy on its own).
	TargetSettled
)

func (t WaitTarget) String() string {
	switch t {
	case TargetHibernated:
		return "hibernated"
	case TargetSettled:
		return "healthy or hibernated"
	default:
		return "healthy"
	}
}

// overshootDivisor bounds how late readiness is noticed: the gap between
// two polls is at most 1/8 (12.5 %) of the time waited so far, so a branch
// ready after t is seen by t·1.125 (or t + MinInterval, for short waits).
const overshootDivisor = 8

// WaitOptions tune WaitForBranch and WaitForCredentials. Zero fields take
// the defaults.
type WaitOptions struct {
	// MinInterval is the shortest gap between polls (default 250ms).
	MinInterval time.Duration
	// MaxInterval is the longest gap between polls (default 5s).
	MaxInterval time.Duration
	// FaultGrace is how long STATUS_TYPE_FAULT may persist before the wait
	// fails: the API maps every CNPG phase it does not know to FAULT, so a
	// short FAULT during provisioning is not yet a failure.
	FaultGrace time.Duration
	// CredentialsGrace bounds how long a healthy branch's credentials may
	// still answer 404: the operator writes the secret after the cluster.
	CredentialsGrace time.Duration
	// Clock defaults to the wall clock; tests run the waiters on a fake
	// one instead of asserting on wall-clock time.
	Clock apiclient.Clock
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
	if o.CredentialsGrace <= 0 {
		o.CredentialsGrace = 60 * time.Second
	}
	if o.Clock == nil {
		o.Clock = apiclient.SystemClock()
	}
	return o
}

// PollInterval is the gap before the next poll once waited has passed
// since the wait began: 12.5 % of waited, within [MinInterval, MaxInterval].
func (o WaitOptions) PollInterval(waited time.Duration) time.Duration {
	o = o.withDefaults()
	return min(max(o.MinInterval, waited/overshootDivisor), o.MaxInterval)
}

// GiveWay is how long a readiness poll waits for the API key's quota, b
// (ok false: none reported), so that creates, deletes and lookups of every
// client sharing the key still fit in it. Polls are the one request that
// can wait without failing anything. While half the window's quota is
// left, polls keep their schedule (0). Below that they spread what is left
// above a reserve of a quarter over the rest of the window, shared with
// the other clients the answers show spending it (b.Sharers); with nothing
// above the reserve, they wait for the window to end. Each client sees the
// same budget, so a fleet slows down together, and the prompt schedule
// returns with the next window. A poll never waits more than
// maxGiveWay: when the hour's quota is the one running low, a branch that
// is already being made is still seen ready within a minute, rather than
// when the hour ends, long after its apply's timeout.
func GiveWay(b apiclient.Budget, ok bool, now time.Time) time.Duration {
	left := b.Reset.Sub(now)
	if !ok || left <= 0 || b.Limit <= 0 || 2*b.Remaining >= b.Limit {
		return 0
	}
	spare := b.Remaining - b.Limit/4
	if spare <= 0 {
		return min(left, maxGiveWay)
	}
	return min(time.Duration(float64(left)*max(1, b.Sharers)/float64(spare)), maxGiveWay)
}

// maxGiveWay bounds how long a poll gives way to the quota.
const maxGiveWay = time.Minute

// WaitForBranch polls the branch until it reaches target, the context ends,
// or a FAULT outlasts the grace period. It returns the last branch read.
func (c *Client) WaitForBranch(ctx context.Context, orgID, projectID, branchID string, target WaitTarget, opts WaitOptions) (*BranchMetadata, error) {
	opts = opts.withDefaults()
	clock := opts.Clock
	start := clock.Now()
	var (
		last        *BranchMetadata
		seenHealthy bool
		faultSince  time.Time
	)
	// A branch just created or changed is never ready at once: the first
	// look waits MinInterval, which the overshoot bound allows, or longer
	// while it gives way to the quota like every other look.
	budget, ok := c.Budget()
	if err := clock.Sleep(ctx, max(opts.MinInterval, GiveWay(budget, ok, start))); err != nil {
		return nil, waitTimeoutError(ctx, branchID, target, nil)
	}
	for {
		b, err := c.GetBranch(ctx, orgID, projectID, branchID)
		if err != nil {
			if ctx.Err() != nil {
				return last, waitTimeoutError(ctx, branchID, target, last)
			}
			return last, fmt.Errorf("reading branch %s while waiting for it to be %s: %w", branchID, target, err)
		}
		last = b
		if opts.OnPoll != nil {
			opts.OnPoll(b)
		}
		now := clock.Now()
		if b.Status.StatusType == StatusHealthy {
			seenHealthy = true
		}
		if b.Status.StatusType == StatusFault {
			if faultSince.IsZero() {
				faultSince = now
			}
			if now.Sub(faultSince) >= opts.FaultGrace {
				return b, fmt.Errorf("branch %s is in STATUS_TYPE_FAULT (%q) for over %s; the server says it needs intervention",
					branchID, b.Status.Status, opts.FaultGrace)
			}
		} else {
			faultSince = time.Time{}
		}
		if BranchReached(b, target, seenHealthy) {
			return b, nil
		}
		budget, ok := c.Budget()
		giveWay := GiveWay(budget, ok, now)
		if err := clock.Sleep(ctx, max(opts.PollInterval(now.Sub(start)), giveWay)); err != nil {
			err = waitTimeoutError(ctx, branchID, target, last)
			if giveWay > 0 {
				err = fmt.Errorf("%w; polls were giving way to the API key's request quota (%d of %d left until %s)",
					err, budget.Remaining, budget.Limit, budget.Reset.UTC().Format(time.RFC3339))
			}
			return last, err
		}
	}
}

// WaitForCredentials reads the branch's credentials, waiting out the short
// window (CredentialsGrace) in which a healthy branch still has none.
// Errors other than 404 end the wait at once.
func (c *Client) WaitForCredentials(ctx context.Context, orgID, projectID, branchID string, opts WaitOptions) (*BranchCredentials, error) {
	opts = opts.withDefaults()
	clock := opts.Clock
	start := clock.Now()
	for {
		creds, err := c.GetBranchCredentials(ctx, orgID, projectID, branchID)
		waited := clock.Now().Sub(start)
		if err == nil || !IsNotFound(err) {
			return creds, err
		}
		if waited >= opts.CredentialsGrace {
			return nil, fmt.Errorf("the credentials of branch %s were still missing %s after it became healthy: %w",
				branchID, opts.CredentialsGrace, err)
		}
		budget, ok := c.Budget()
		d := min(max(opts.PollInterval(waited), GiveWay(budget, ok, clock.Now())), opts.CredentialsGrace-waited)
		if serr := clock.Sleep(ctx, d); serr != nil {
			return nil, fmt.Errorf("gave up waiting for the credentials of branch %s: %w; last answer: %w",
				branchID, context.Cause(ctx), err)
		}
	}
}

// BranchReached decides whether one status read means the wait is over.
// A branch that reports HIBERNATED with no instances right after creation
// is the API's placeholder for a cluster that does not exist yet, so it
// counts as hibernated only once the branch has been seen healthy or when
// hibernation (or any settled state of an existing branch) was asked for.
func BranchReached(b *BranchMetadata, target WaitTarget, seenHealthy bool) bool {
	s := b.Status
	switch target {
	case TargetHibernated:
		return s.StatusType == StatusHibernated
	case TargetSettled:
		return (s.StatusType == StatusHealthy && s.InstanceReadyCount >= 1) || s.StatusType == StatusHibernated
	default:
		if s.StatusType == StatusHealthy {
			return s.InstanceReadyCount >= 1
		}
		// Scale-to-zero may hibernate an idle branch between two polls.
		return s.StatusType == StatusHibernated && seenHealthy
	}
}

func waitTimeoutError(ctx context.Context, branchID string, target WaitTarget, last *BranchMetadata) error {
	status := "no status read yet"
	if last != nil {
		status = fmt.Sprintf("%s (%q, %d of %d instances ready)", last.Status.StatusType, last.Status.Status,
			last.Status.InstanceReadyCount, last.Status.InstanceCount)
	}
	return fmt.Errorf("gave up waiting for branch %s to be %s: %w; last status: %s", branchID, target, context.Cause(ctx), status)
}
