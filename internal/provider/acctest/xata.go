package acctest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// CheckPasswordsAbsent fails when the password the server issued for the
// branch at addr appears in any attribute of any resource in state.
func (e *Env) CheckPasswordsAbsent(addr string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s is not in state", addr)
		}
		creds, err := e.API.GetBranchCredentials(context.Background(), e.OrganizationID(), e.ProjectID(), rs.Primary.ID)
		if err != nil {
			return fmt.Errorf("reading the credentials of %s from the API: %w", addr, err)
		}
		if creds.Password == "" {
			return fmt.Errorf("the API issued %s no password: the check would prove nothing", addr)
		}
		for name, r := range s.RootModule().Resources {
			for k, v := range r.Primary.Attributes {
				if strings.Contains(v, creds.Password) {
					return fmt.Errorf("the password of %s is in state, at %s.%s", addr, name, k)
				}
			}
		}
		return nil
	}
}

// BranchID is the id of the branch named name, looked up in the API.
func (e *Env) BranchID(t *testing.T, name string) string {
	t.Helper()
	b, err := e.API.FindBranchByName(context.Background(), e.OrganizationID(), e.ProjectID(), name)
	if err != nil {
		t.Fatalf("looking up branch %q: %v", name, err)
	}
	return b.ID
}

// BranchIdentity checks the identity of a branch in the emulator's
// organization and project.
func (e *Env) BranchIdentity(address string, id knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectIdentity(address, map[string]knownvalue.Check{
		"organization_id": knownvalue.StringExact(e.OrganizationID()),
		"project_id":      knownvalue.StringExact(e.ProjectID()),
		"id":              id,
	})
}

// CheckNoAPIKeys fails while a key a xata_api_key in state named is still
// listed.
func (e *Env) CheckNoAPIKeys(s *terraform.State) error {
	keys, err := e.API.ListAPIKeys(context.Background(), e.OrganizationID())
	if err != nil {
		return err
	}
	for _, rs := range s.RootModule().Resources {
		if rs.Type == "xata_api_key" && slices.ContainsFunc(keys, func(k xata.APIKey) bool { return k.ID == rs.Primary.ID }) {
			return fmt.Errorf("API key %s still exists", rs.Primary.ID)
		}
	}
	return nil
}

// KeyClient is a client that authenticates with token.
func (e *Env) keyClient(t *testing.T, token string) *xata.Client {
	t.Helper()
	c, err := xata.NewClient(xata.Config{BaseURL: e.URL(), APIKey: token, UserAgent: "provider-tests", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TokenWorks checks that the key in state at address authenticates and
// is held to its scopes: it lists the default project's branches and may
// not list keys.
func (e *Env) TokenWorks(t *testing.T, address string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		token := s.RootModule().Resources[address].Primary.Attributes["token"]
		c := e.keyClient(t, token)
		if _, err := c.ListBranches(context.Background(), e.OrganizationID(), e.ProjectID()); err != nil {
			return fmt.Errorf("the new key cannot list branches: %w", err)
		}
		if _, err := c.ListAPIKeys(context.Background(), e.OrganizationID()); xata.StatusOf(err) != 403 {
			return fmt.Errorf("the new key listed keys without keys:read: %w", err)
		}
		return nil
	}
}

// KeyCount checks how many keys the organization has.
func (e *Env) KeyCount(want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		keys, err := e.API.ListAPIKeys(context.Background(), e.OrganizationID())
		if err != nil {
			return err
		}
		if len(keys) != want {
			return fmt.Errorf("the organization has %d API keys, want %d", len(keys), want)
		}
		return nil
	}
}

// KeyNamed is the organization's API key named name.
func (e *Env) KeyNamed(t *testing.T, name string) xata.APIKey {
	t.Helper()
	keys, err := e.API.ListAPIKeys(context.Background(), e.OrganizationID())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k.Name == name {
			return k
		}
	}
	t.Fatalf("no API key named %q", name)
	return xata.APIKey{}
}

// CheckNoProjects fails while a project a xata_project resource in state
// named still exists (a data source's project is not the test's to delete).
func (e *Env) CheckNoProjects(s *terraform.State) error {
	for key, rs := range s.RootModule().Resources {
		if rs.Type != "xata_project" || strings.HasPrefix(key, "data.") {
			continue
		}
		_, err := e.API.GetProject(context.Background(), e.OrganizationID(), rs.Primary.ID)
		if err == nil {
			return fmt.Errorf("project %s still exists", rs.Primary.ID)
		}
		if !xata.IsNotFound(err) {
			return err
		}
	}
	return nil
}

// ProjectNamed is the id of the organization's project named name.
func (e *Env) ProjectNamed(t *testing.T, name string) string {
	t.Helper()
	projects, err := e.API.ListProjects(context.Background(), e.OrganizationID())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range projects {
		if p.Name == name {
			return p.ID
		}
	}
	t.Fatalf("no project named %q", name)
	return ""
}

// MainTF is a root module using the built provider on env's emulator.
func (e *Env) MainTF() string {
	return `terraform {
  required_providers {
    xata = { source = "sandboxdb/xata" }
  }
}
` + e.ProviderBlock()
}

// SeededBranches is a project arranged behind Terraform's back: a root
// "main" with children pr-7, sb-1 and sb-2 (sb-2 hibernated), and a second
// root "other", created in that order. Both maps are keyed by the test's
// names for the branches (env.name gives the names on the server).
type SeededBranches struct {
	IDs       map[string]string
	CreatedAt map[string]time.Time
}

func SeedBranches(t *testing.T, env *Env) SeededBranches {
	t.Helper()
	ctx := context.Background()
	c := env.Client(t)
	org, project := env.OrganizationID(), env.ProjectID()
	s := SeededBranches{IDs: map[string]string{}, CreatedAt: map[string]time.Time{}}
	for _, b := range []struct{ name, parent string }{
		{"main", ""}, {"pr-7", "main"}, {"sb-1", "main"}, {"sb-2", "main"}, {"other", ""},
	} {
		req := xata.CreateBranchRequest{Name: env.Name(b.name), Mode: xata.ModeInherit, ParentID: s.IDs[b.parent]}
		if b.parent == "" {
			req = xata.CreateBranchRequest{Name: env.Name(b.name), Mode: xata.ModeCustom, Configuration: &xata.ClusterConfiguration{
				Region: env.Region, InstanceType: env.InstanceType, Image: env.Image,
			}}
		}
		created, err := c.CreateBranch(ctx, org, project, req)
		if err != nil {
			t.Fatalf("creating %s: %v", env.Name(b.name), err)
		}
		s.IDs[b.name], s.CreatedAt[b.name] = created.ID, created.CreatedAt
		env.Settle(t, created.ID, xata.TargetHealthy)
	}
	hibernate := true
	if _, err := c.UpdateBranch(ctx, org, project, s.IDs["sb-2"], xata.UpdateBranchRequest{Hibernate: &hibernate}); err != nil {
		t.Fatal(err)
	}
	env.Settle(t, s.IDs["sb-2"], xata.TargetHibernated)
	return s
}

// Names is a check that a data source's branches are exactly these (the
// test's names for them), in this order.
func (e *Env) Names(address string, want ...string) statecheck.StateCheck {
	elems := []knownvalue.Check{}
	for _, n := range want {
		elems = append(elems, knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact(e.Name(n))}))
	}
	return statecheck.ExpectKnownValue(address, tfjsonpath.New("branches"), knownvalue.ListExact(elems))
}

// OtherInstanceTypes are two instance types other than the one root
// branches ask for, in the catalogue's order.
func (e *Env) OtherInstanceTypes(t *testing.T) (string, string) {
	t.Helper()
	types, err := e.API.ListInstanceTypes(context.Background(), e.OrganizationID(), e.Region)
	if err != nil {
		t.Fatalf("listing the instance types of %s: %v", e.Region, err)
	}
	var others []string
	for _, it := range types {
		if it.Name != e.InstanceType {
			others = append(others, it.Name)
		}
	}
	if len(others) < 2 {
		t.Skipf("region %s offers fewer than three instance types", e.Region)
	}
	return others[0], others[1]
}

// ServerBranch is a check of the branch named name as the server reports
// it now.
func (e *Env) ServerBranch(name string, check func(*xata.BranchMetadata) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		found, err := e.API.FindBranchByName(ctx, e.OrganizationID(), e.ProjectID(), name)
		if err != nil {
			return err
		}
		b, err := e.API.GetBranch(ctx, e.OrganizationID(), e.ProjectID(), found.ID)
		if err != nil {
			return err
		}
		if err := check(b); err != nil {
			return fmt.Errorf("branch %s: %w", name, err)
		}
		return nil
	}
}
