package xataemu

import (
	"context"
	"fmt"
	"net/http"
)

// CredentialsShape picks which server the credentials endpoints imitate.
// The two disagree (reference NOTES §2.5, DESIGN "Known traps"), and a
// client has to cope with both.
type CredentialsShape string

const (
	// CredentialsHosted is the live API at api.xata.tech ([SPEC-B], the
	// August spec): GET …/credentials answers username, password,
	// hostname, port, dbname and connectionString, and the username query
	// is optional.
	CredentialsHosted CredentialsShape = "hosted"
	// CredentialsOpenSource is the open-source Xata server ([SPEC-A] and
	// [SRC], April): GET …/credentials answers username and password
	// only, and both credentials endpoints insist on the username "xata".
	// Host, port and database are only in the branch metadata's
	// connectionString. In this shape the api-keys endpoints also answer
	// the auth service's plain errors with 500, as that server does.
	CredentialsOpenSource CredentialsShape = "open-source"
)

// ParseCredentialsShape accepts "hosted", "open-source" or "" (hosted).
func ParseCredentialsShape(s string) (CredentialsShape, error) {
	switch sh := CredentialsShape(s); sh {
	case "", CredentialsHosted:
		return CredentialsHosted, nil
	case CredentialsOpenSource:
		return sh, nil
	}
	return "", fmt.Errorf("xataemu: unknown credentials shape %q (want %q or %q)", s, CredentialsHosted, CredentialsOpenSource)
}

// branchCredentialsOpenSource is the [SPEC-A] BranchCredentials schema,
// what the open-source server's handler encodes.
type branchCredentialsOpenSource struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// getCredentials serves GET …/credentials. As in [SRC] the username is
// checked before the branch is looked up, so a bad username on a missing
// branch is a 400, not a 404.
func (e *Emulator) getCredentials(c *call, pid, bid string) {
	u, given := c.r.URL.Query()["username"]
	// An absent username is accepted only by the hosted API ([SPEC-B]:
	// optional, default "xata"); the open-source handler ([SRC]) rejects
	// it like any other user. Both reject a username other than "xata".
	// Hosted production is only known through SPEC-B; that it rejects
	// other users the same way is [SRC] of the newer handler.
	ok := len(u) == 1 && u[0] == defaultUsername
	if !given && e.credentialsShape == CredentialsHosted {
		ok = true
	}
	if !ok {
		c.fail(http.StatusBadRequest, "Branch [%s]: invalid parameter [username]: only the xata user credentials can be retrieved", bid)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	b := e.branch(c, pid, bid)
	if b == nil {
		return
	}
	// The credentials secret is created by the operator once the cluster
	// is up, possibly a little later ([SRC] 404 text).
	injected := e.credentialsFailures > 0
	if injected {
		e.credentialsFailures--
	}
	if injected || !b.provisioned(e.now()) || e.now().Before(b.credentialsAt) {
		c.fail(http.StatusNotFound, "Credentials for username [xata] on branch [%s]: not found", bid)
		return
	}
	if e.credentialsShape == CredentialsOpenSource {
		c.json(http.StatusOK, branchCredentialsOpenSource{Username: b.username, Password: b.password})
		return
	}
	host, port := e.endpoint(b)
	// [SPEC-B]: this connectionString "carries no sslmode parameter". In
	// PostgreSQL mode the emulator adds sslmode=disable, as it always has:
	// the local cluster serves no TLS, and the string must connect as
	// handed out, even for a client that defaults to sslmode=require.
	mode := ""
	if e.pg != nil {
		mode = "disable"
	}
	c.json(http.StatusOK, branchCredentials{
		Username: b.username, Password: b.password, Hostname: host, Port: port,
		DBName: b.database, ConnectionString: e.connectionString(b, mode),
	})
}

// rotateCredentials serves POST …/credentials/rotate.
func (e *Emulator) rotateCredentials(c *call, pid, bid string) {
	var req rotateCredentialsRequest
	if !c.decode(&req) {
		return
	}
	// [SRC], both the April and the newer handler: the body's username
	// must be "xata", an absent one included ([SPEC-A] marks it required).
	// The hosted shape stays lenient about an absent username, as this
	// emulator always was: the reference records no [SPEC-B] change for
	// rotate, so this leniency is the emulator's, not a documented fact;
	// clients should always send {"username":"xata"}.
	ok := req.Username == defaultUsername
	if req.Username == "" && e.credentialsShape == CredentialsHosted {
		ok = true
	}
	if !ok {
		c.fail(http.StatusBadRequest, "Branch [%s]: invalid parameter [username]: only the xata user credentials can be rotated", bid)
		return
	}
	e.mu.Lock()
	b := e.branch(c, pid, bid)
	if b == nil {
		e.mu.Unlock()
		return
	}
	if !b.provisioned(e.now()) {
		e.mu.Unlock()
		c.fail(http.StatusNotFound, "Credentials for username [xata] on branch [%s]: not found", bid)
		return
	}
	if e.pg == nil {
		b.password = e.newBranchPassword()
		e.mu.Unlock()
		c.noContent()
		return
	}
	role := b.username
	e.mu.Unlock()

	b.rotateMu.Lock()
	defer b.rotateMu.Unlock()
	pw := e.newBranchPassword()
	ctx, cancel := context.WithTimeout(context.Background(), pgOpTimeout)
	defer cancel()
	if err := e.pg.setPassword(ctx, role, pw); err != nil {
		e.mu.Lock()
		_, alive := e.branches[bid]
		e.mu.Unlock()
		if !alive {
			c.fail(http.StatusNotFound, "branch [%s] not found", bid)
			return
		}
		e.logPGError("rotate credentials of "+bid, err)
		c.fail(http.StatusInternalServerError, "Internal Error (Request ID: %s)", c.id)
		return
	}
	e.mu.Lock()
	b.password = pw
	e.mu.Unlock()
	c.noContent()
}
