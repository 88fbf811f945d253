package acctest

// The contract run: with XATA_CONTRACT_BASE_URL, XATA_CONTRACT_API_KEY,
// XATA_CONTRACT_ORGANIZATION_ID and XATA_CONTRACT_PROJECT_ID set (make
// test-contract), the acceptance tests that describe the API's behaviour
// run against that endpoint (the hosted API, a self-hosted Xata, or the
// standalone emulator) instead of an in-process emulator. Each test names
// its branches with a prefix of its own ("tfc-<run>-<n>-") and deletes
// every branch with that prefix when it ends, passed or failed; the tests
// that need the emulator's internals (faults, request counts, delays)
// skip, saying so.

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// What root branches ask for: the emulator offers these; an endpoint is
// told otherwise with XATA_CONTRACT_REGION, _INSTANCE_TYPE and _IMAGE.
const (
	defaultContractRegion       = "us-east-1"
	defaultContractInstanceType = "xata.micro"
	defaultContractImage        = "postgres:17.9"
)

// contractWait bounds each wait for a branch arranged behind Terraform's
// back, and the wait for a destroyed branch to go, against an endpoint:
// a real cluster takes minutes.
const contractWait = 20 * time.Minute

// contractEndpoint is the external API of a contract run.
type contractEndpoint struct {
	baseURL, apiKey, organizationID, projectID string
	region, instanceType, image                string
	// run starts every branch name of the run: "tfc-<random>-".
	run  string
	envs atomic.Int64
}

// Contract is the endpoint of a contract run, nil in an ordinary run.
var Contract *contractEndpoint

// contractVariables must be set all four, or none.
var contractVariables = []string{
	"XATA_CONTRACT_BASE_URL", "XATA_CONTRACT_API_KEY", "XATA_CONTRACT_ORGANIZATION_ID", "XATA_CONTRACT_PROJECT_ID",
}

// contractFromEnv reads the XATA_CONTRACT_* variables: nil when none of
// the four is set, an error when only some are.
func contractFromEnv(getenv func(string) string) (*contractEndpoint, error) {
	var set, missing []string
	for _, v := range contractVariables {
		if getenv(v) != "" {
			set = append(set, v)
		} else {
			missing = append(missing, v)
		}
	}
	if len(set) == 0 {
		return nil, nil
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("a contract run needs all of %s; %s set, %s not",
			strings.Join(contractVariables, ", "), strings.Join(set, ", "), strings.Join(missing, ", "))
	}
	or := func(v, def string) string {
		if s := getenv(v); s != "" {
			return s
		}
		return def
	}
	return &contractEndpoint{
		baseURL:        getenv("XATA_CONTRACT_BASE_URL"),
		apiKey:         getenv("XATA_CONTRACT_API_KEY"),
		organizationID: getenv("XATA_CONTRACT_ORGANIZATION_ID"),
		projectID:      getenv("XATA_CONTRACT_PROJECT_ID"),
		region:         or("XATA_CONTRACT_REGION", defaultContractRegion),
		instanceType:   or("XATA_CONTRACT_INSTANCE_TYPE", defaultContractInstanceType),
		image:          or("XATA_CONTRACT_IMAGE", defaultContractImage),
		run:            "tfc-" + strings.ToLower(rand.Text()[:6]) + "-",
	}, nil
}

// setUpContract reads the variables for TestMain; a half-set contract is
// an error before any test runs, never a silent in-process run.
func setUpContract() error {
	c, err := contractFromEnv(os.Getenv)
	if err != nil {
		return err
	}
	Contract = c
	if c != nil {
		fmt.Fprintf(os.Stderr, "contract run against %s (organization %s, project %s): branches named %s*, each deleted when its test ends\n",
			c.baseURL, c.organizationID, c.projectID, c.run)
	}
	return nil
}

// newContractEnv is a test's view of the contract endpoint: its own name
// prefix, and a cleanup that deletes every branch with it.
func newContractEnv(t *testing.T) *Env {
	t.Helper()
	c := Contract
	e := &Env{
		baseURL: c.baseURL, apiKey: c.apiKey, organizationID: c.organizationID, projectID: c.projectID,
		Region: c.region, InstanceType: c.instanceType, Image: c.image,
		Prefix: fmt.Sprintf("%s%d-", c.run, c.envs.Add(1)),
	}
	e.API = e.NewClient(t)
	t.Logf("contract run: this test's branches are named %s*", e.Prefix)
	t.Cleanup(func() {
		if err := e.deleteBranches(); err != nil {
			t.Errorf("deleting the test's branches (%s*): %v", e.Prefix, err)
		}
	})
	return e
}

// deleteBranches deletes every branch with the test's prefix, children
// before their parents, and waits until none is listed.
func (e *Env) deleteBranches() error {
	ctx, cancel := context.WithTimeout(context.Background(), contractWait)
	defer cancel()
	var lastErr error
	for {
		left, err := e.branches(ctx)
		if err != nil {
			return errors.Join(err, lastErr)
		}
		if len(left) == 0 {
			return nil
		}
		parents := map[string]bool{}
		for _, b := range left {
			if b.ParentID != nil {
				parents[*b.ParentID] = true
			}
		}
		for _, b := range left {
			if parents[b.ID] {
				continue // its children go first
			}
			if err := e.API.DeleteBranch(ctx, e.OrganizationID(), e.ProjectID(), b.ID); err != nil && !xata.IsNotFound(err) {
				lastErr = fmt.Errorf("deleting %s (%s): %w", b.Name, b.ID, err)
			}
		}
		if err := sleepCtx(ctx, time.Second); err != nil {
			var names []string
			for _, b := range left {
				names = append(names, b.Name+" ("+b.ID+")")
			}
			return errors.Join(fmt.Errorf("still listed: %s", strings.Join(names, ", ")), lastErr)
		}
	}
}

// RequireEmulator skips t in a contract run: its checks need the
// in-process emulator's internals (what names them).
func RequireEmulator(t *testing.T, what string) {
	t.Helper()
	if Contract != nil {
		t.Skipf("needs the emulator's internals (%s): not run against an external endpoint", what)
	}
}

// SkipAgainstEndpoint skips t in a contract run for why: a test that
// reaches no Xata API (plan-time validation, the Signadot side), which the
// in-process run covers, or one that cannot name its branches with the
// run's prefix.
func SkipAgainstEndpoint(t *testing.T, why string) {
	t.Helper()
	if Contract != nil {
		t.Skipf("%s: not run against an external endpoint", why)
	}
}

// OtherRegion is a region that is not the root branches' one.
func (e *Env) OtherRegion() string {
	if e.Region == "eu-central-1" {
		return "us-east-1"
	}
	return "eu-central-1"
}

// OtherInstanceType is an instance type besides the root branches' one
// that the server offers in their region: xata.small on the emulator;
// against an endpoint the first other one it lists, or the same one when
// it offers no other.
func (e *Env) OtherInstanceType(t *testing.T) string {
	t.Helper()
	if e.Emu != nil {
		return "xata.small"
	}
	types, err := e.API.ListInstanceTypes(context.Background(), e.OrganizationID(), e.Region)
	if err != nil {
		t.Fatalf("listing the instance types of %s: %v", e.Region, err)
	}
	for _, it := range types {
		if it.Name != e.InstanceType {
			return it.Name
		}
	}
	return e.InstanceType
}
