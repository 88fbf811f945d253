package signadot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The API documents no sandbox status reasons. The waits read them the
// way the emulator sets them, named like Kubernetes condition reasons: a
// reason ending in "Failed" is a failure ("ResourceFailed" for a create
// step, "ResourceDeleteFailed" for a delete step), and "Terminating" means
// a delete is in progress.
const reasonTerminating = "Terminating"

// defaultPoll is the wait between status reads when the caller gives none.
const defaultPoll = 2 * time.Second

func sandboxPath(name string) (string, error) {
	if name == "" {
		return "", errors.New("signadot: sandbox name is required")
	}
	return "/sandboxes/" + url.PathEscape(name), nil
}

// putSandboxRequest sends only what a client may set.
type putSandboxRequest struct {
	Name string      `json:"name"`
	Spec SandboxSpec `json:"spec"`
}

// PutSandbox creates or updates the sandbox s.Name. The sandbox becomes
// ready asynchronously (WaitSandboxReady). Its resources cannot be changed
// once it exists.
func (c *Client) PutSandbox(ctx context.Context, s Sandbox) (*Sandbox, error) {
	path, err := sandboxPath(s.Name)
	if err != nil {
		return nil, err
	}
	if s.Spec.Forks == nil {
		s.Spec.Forks = []Fork{} // required: an empty list, never null
	}
	cl, err := c.newCall(http.MethodPut, path, nil, putSandboxRequest{Name: s.Name, Spec: s.Spec})
	if err != nil {
		return nil, err
	}
	return doObject(ctx, c, cl, "a sandbox", sandboxName)
}

func sandboxName(s *Sandbox) string { return s.Name }

// GetSandbox reads a sandbox; a missing one satisfies IsNotFound.
func (c *Client) GetSandbox(ctx context.Context, name string) (*Sandbox, error) {
	path, err := sandboxPath(name)
	if err != nil {
		return nil, err
	}
	cl, _ := c.newCall(http.MethodGet, path, nil, nil)
	return doObject(ctx, c, cl, "a sandbox", sandboxName)
}

// DeleteSandbox starts deleting a sandbox: its resources' delete steps run
// before it goes away (WaitSandboxGone). A missing sandbox satisfies
// IsNotFound.
func (c *Client) DeleteSandbox(ctx context.Context, name string) error {
	path, err := sandboxPath(name)
	if err != nil {
		return err
	}
	cl, _ := c.newCall(http.MethodDelete, path, nil, nil)
	return c.api.Do(ctx, cl, nil)
}

// WaitSandboxReady polls the sandbox every poll (default 2s) until it is
// ready, and returns it. It fails when the sandbox reports a failure
// reason, is being deleted or disappears; the error carries the status
// reason and message, and the last sandbox read is returned with it.
func (c *Client) WaitSandboxReady(ctx context.Context, name string, poll time.Duration) (*Sandbox, error) {
	var last *Sandbox
	err := c.pollSandbox(ctx, name, poll, func(sb *Sandbox, err error) (bool, error) {
		if err != nil {
			if IsNotFound(err) {
				return true, fmt.Errorf("sandbox %s disappeared while waiting for it to become ready: %w", name, err)
			}
			return true, err
		}
		last = sb
		switch st := sb.Status; {
		case st.Ready:
			return true, nil
		case failed(st.Reason):
			return true, fmt.Errorf("sandbox %s failed: %s", name, describe(st))
		case st.Reason == reasonTerminating:
			return true, fmt.Errorf("sandbox %s is being deleted: %s", name, describe(st))
		}
		return false, nil
	}, func() string { return lastStatus(last) })
	return last, err
}

// WaitSandboxGone polls a deleted sandbox every poll (default 2s) until it
// no longer exists. It fails when a delete step failed (the sandbox then
// stays, and a repeated DeleteSandbox retries the delete steps).
func (c *Client) WaitSandboxGone(ctx context.Context, name string, poll time.Duration) error {
	var last *Sandbox
	return c.pollSandbox(ctx, name, poll, func(sb *Sandbox, err error) (bool, error) {
		if err != nil {
			if IsNotFound(err) {
				return true, nil
			}
			return true, err
		}
		last = sb
		// Only a delete failure ends the wait: right after the DELETE a
		// sandbox may still show the create failure that prompted it.
		if st := sb.Status; !st.Ready && failed(st.Reason) && strings.Contains(st.Reason, "Delete") {
			return true, fmt.Errorf("deleting sandbox %s failed: %s", name, describe(st))
		}
		return false, nil
	}, func() string { return lastStatus(last) })
}

// pollSandbox reads the sandbox until check reports done; status describes
// the last read for a timeout error.
func (c *Client) pollSandbox(ctx context.Context, name string, poll time.Duration,
	check func(*Sandbox, error) (bool, error), status func() string) error {
	if poll <= 0 {
		poll = defaultPoll
	}
	for {
		sb, err := c.GetSandbox(ctx, name)
		if err != nil && ctx.Err() != nil {
			return fmt.Errorf("gave up waiting for sandbox %s: %w; last status: %s", name, context.Cause(ctx), status())
		}
		if done, err := check(sb, err); done {
			return err
		}
		t := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("gave up waiting for sandbox %s: %w; last status: %s", name, context.Cause(ctx), status())
		case <-t.C:
		}
	}
}

func failed(reason string) bool { return strings.HasSuffix(reason, "Failed") }

func describe(st SandboxStatus) string {
	s := st.Reason
	if s == "" {
		s = "(no reason)"
	}
	if st.Message != "" {
		s += ": " + st.Message
	}
	return s
}

func lastStatus(sb *Sandbox) string {
	if sb == nil {
		return "no status read yet"
	}
	return fmt.Sprintf("ready=%t, %s", sb.Status.Ready, describe(sb.Status))
}
