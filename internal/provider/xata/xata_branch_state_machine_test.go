package xata

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/xataemu"
	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
	xataapi "github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// branchConfig is one configuration of the state machine's branch; nil
// fields are left out of the HCL.
type branchConfig struct {
	name         string
	parent       string
	description  *string
	replicas     *int64
	storage      *int64
	instanceType *string
	hibernate    *bool
	scaleToZero  *xataapi.ScaleToZero
	maxConns     *string
}

func (c branchConfig) hcl() string {
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"xata_branch\" \"sm\" {\n  name        = %q\n  parent_name = %q\n", c.name, c.parent)
	if c.description != nil {
		fmt.Fprintf(&b, "  description = %q\n", *c.description)
	}
	if c.replicas != nil {
		fmt.Fprintf(&b, "  replicas = %d\n", *c.replicas)
	}
	if c.storage != nil {
		fmt.Fprintf(&b, "  storage = %d\n", *c.storage)
	}
	if c.instanceType != nil {
		fmt.Fprintf(&b, "  instance_type = %q\n", *c.instanceType)
	}
	if c.hibernate != nil {
		fmt.Fprintf(&b, "  hibernate = %t\n", *c.hibernate)
	}
	if s := c.scaleToZero; s != nil {
		fmt.Fprintf(&b, "  scale_to_zero = { enabled = %t, inactivity_period_minutes = %d }\n", s.Enabled, s.InactivityPeriodMinutes)
	}
	if c.maxConns != nil {
		fmt.Fprintf(&b, "  postgres_parameters = { max_connections = %q }\n", *c.maxConns)
	}
	b.WriteString("}\n")
	return b.String()
}

func (c branchConfig) String() string {
	return strings.ReplaceAll(strings.TrimSpace(c.hcl()), "\n", "; ")
}

func pick[T any](r *rand.Rand, options ...T) T { return options[r.IntN(len(options))] }

// stateMachineChoices are the values the state machine picks from that
// depend on the server: the branch's names, its parents' names and the
// instance types.
type stateMachineChoices struct {
	names, parents, instanceTypes [2]string
}

// nextBranchConfig draws the next configuration: every mutable attribute
// may be set, changed or dropped at each step, and now and then the parent
// (immutable) changes. Storage never shrinks, as the API refuses that.
func nextBranchConfig(r *rand.Rand, prev branchConfig, minStorage int64, choices stateMachineChoices) branchConfig {
	c := branchConfig{name: prev.name, parent: prev.parent}
	if r.IntN(5) == 0 {
		c.name = pick(r, choices.names[:]...)
	}
	if r.IntN(10) == 0 {
		c.parent = pick(r, choices.parents[:]...)
	}
	c.description = pick(r, nil, new("Alpha"), new("Beta two"))
	c.replicas = pick(r, nil, new(int64(0)), new(int64(1)), new(int64(2)))
	c.storage = pick(r, nil, new(minStorage), new(minStorage+5))
	c.instanceType = pick(r, nil, new(choices.instanceTypes[0]), new(choices.instanceTypes[1]))
	c.hibernate = pick(r, nil, new(true), new(false))
	c.scaleToZero = pick(r, nil, &xataapi.ScaleToZero{Enabled: true, InactivityPeriodMinutes: 30}, &xataapi.ScaleToZero{Enabled: false, InactivityPeriodMinutes: 60})
	c.maxConns = pick(r, nil, new("40"), new("60"))
	return c
}

// TestAccBranchResource_stateMachine applies a seeded random sequence of
// configurations to one branch, one after another. After each apply the
// test framework requires an empty follow-up plan, and the server's
// branch must be what the configuration says. XATA_SM_SEED and
// XATA_SM_STEPS reproduce a run or make it longer; the seed is logged.
// A contract run takes 20 steps unless told otherwise: each is an update
// of a real cluster there.
func TestAccBranchResource_stateMachine(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("XATA_SM_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	steps := 100
	if acctest.Contract != nil {
		steps = 20
	}
	if s := os.Getenv("XATA_SM_STEPS"); s != "" {
		steps, _ = strconv.Atoi(s)
	}
	t.Logf("state machine: seed %d, %d steps (XATA_SM_SEED=%d reproduces)", seed, steps, seed)
	r := rand.New(rand.NewPCG(seed, seed))

	env := acctest.NewEnv(t, false, acctest.WithProvisionDelay(-1), func(o *xataemu.Options) { o.UpdateDelay = 30 * time.Millisecond })
	t.Parallel()
	ctx := context.Background()
	c := env.Client(t)
	org, project := env.OrganizationID(), env.ProjectID()
	mainID := env.SeedRoot(t, "main")
	env.SeedRoot(t, "other")

	newBranchStorage := int64(10) // what the emulator gives every new branch
	if env.Emu == nil {
		// A server's own default: a new child starts with its parent's.
		b, err := c.GetBranch(ctx, org, project, mainID)
		if err != nil {
			t.Fatal(err)
		}
		if s := b.Configuration.Storage; s != nil {
			newBranchStorage = *s
		}
	}
	choices := stateMachineChoices{
		names:         [2]string{env.Name("sm-a"), env.Name("sm-b")},
		parents:       [2]string{env.Name("main"), env.Name("other")},
		instanceTypes: [2]string{env.InstanceType, env.OtherInstanceType(t)},
	}
	cfg := branchConfig{name: env.Name("sm-a"), parent: env.Name("main")}
	floor := newBranchStorage
	var testSteps []resource.TestStep
	for i := range steps {
		prev := cfg
		cfg = nextBranchConfig(r, cfg, floor, choices)
		if i > 0 && cfg.parent != prev.parent {
			floor = newBranchStorage // replaced: a new branch
		}
		if cfg.storage != nil {
			floor = *cfg.storage
		}
		want := cfg
		testSteps = append(testSteps, resource.TestStep{
			Config: env.ProviderBlock() + want.hcl(),
			Check: func(*terraform.State) error {
				if err := checkBranchMatches(ctx, c, org, project, want); err != nil {
					return fmt.Errorf("step %d (seed %d) %s: %w", i+1, seed, want, err)
				}
				return nil
			},
		})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(t),
		CheckDestroy:             env.CheckNoBranches("main", "other"),
		Steps:                    testSteps,
	})
}

// checkBranchMatches compares the server's branch with what want
// configures; unset attributes may hold anything.
func checkBranchMatches(ctx context.Context, c *xataapi.Client, org, project string, want branchConfig) error {
	found, err := c.LookupBranch(ctx, org, project, xataapi.BranchRef{Name: want.name}, false)
	if err != nil {
		return err
	}
	b := found.Branch
	parent, err := c.FindBranchByName(ctx, org, project, want.parent)
	if err != nil {
		return err
	}
	var problems []string
	check := func(ok bool, format string, args ...any) {
		if !ok {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	check(b.ParentID != nil && *b.ParentID == parent.ID, "parent is %v, want %s", b.ParentID, parent.ID)
	wantDescription := ""
	if want.description != nil {
		wantDescription = *want.description
	}
	check(b.Description == wantDescription, "description %q, want %q", b.Description, wantDescription)
	if want.replicas != nil {
		check(b.Configuration.Replicas == *want.replicas, "replicas %d, want %d", b.Configuration.Replicas, *want.replicas)
	}
	if want.storage != nil {
		check(b.Configuration.Storage != nil && *b.Configuration.Storage == *want.storage, "storage %v, want %d", b.Configuration.Storage, *want.storage)
	}
	if want.instanceType != nil {
		check(b.Configuration.InstanceType == *want.instanceType, "instance type %q, want %q", b.Configuration.InstanceType, *want.instanceType)
	}
	if want.hibernate != nil {
		wantStatus := xataapi.StatusHealthy
		if *want.hibernate {
			wantStatus = xataapi.StatusHibernated
		}
		check(b.Status.StatusType == wantStatus, "status %s, want %s", b.Status.StatusType, wantStatus)
	}
	if want.scaleToZero != nil {
		check(b.ScaleToZero == *want.scaleToZero, "scale to zero %+v, want %+v", b.ScaleToZero, *want.scaleToZero)
	}
	if want.maxConns != nil {
		got := b.Configuration.PostgresConfigurationParameters["max_connections"]
		check(got == *want.maxConns, "max_connections %q, want %q", got, *want.maxConns)
	}
	if len(problems) > 0 {
		return fmt.Errorf("the server's branch differs: %s", strings.Join(problems, "; "))
	}
	return nil
}
