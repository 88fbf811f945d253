package xata

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/jackc/pgx/v5"

	"github.com/sandboxdb/terraform-provider-xata/internal/emulator/xataemu"
	"github.com/sandboxdb/terraform-provider-xata/internal/provider/acctest"
)

// Against either server's credentials shape, every place that exposes
// connection details gives the server's host, port, database and sslmode,
// and the connection string connects. The open-source server returns only
// a username and password; the rest is in the branch's connectionString.
// A contract run checks the endpoint's one shape: the same details
// everywhere, and a connection string that connects.
func TestAccConnectionDetails_bothCredentialsShapes(t *testing.T) {
	shapes := []xataemu.CredentialsShape{xataemu.CredentialsHosted, xataemu.CredentialsOpenSource}
	if acctest.Contract != nil {
		shapes = []xataemu.CredentialsShape{"endpoint"}
	}
	for _, shape := range shapes {
		t.Run(string(shape), func(t *testing.T) {
			env := acctest.NewEnv(t, true, acctest.WithCredentialsShape(shape))
			env.SeedRoot(t, "main")
			config := env.ProviderBlock() + fmt.Sprintf(`
resource "xata_branch" "pr" {
  name        = %q
  parent_name = %q
}

data "xata_branch" "pr" {
  id = xata_branch.pr.id
}

data "xata_branches" "all" {
  name_regex = %q
  depends_on = [xata_branch.pr]
}
`, env.Name("pr-1"), env.Name("main"), env.NameRegex("pr-1")+"$") + `

output "resource" {
  value     = xata_branch.pr.connection_string
  sensitive = true
}

output "data_source" {
  value     = data.xata_branch.pr.connection_string
  sensitive = true
}
`
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: env.Factories(t),
				CheckDestroy:             env.CheckNoBranches("main"),
				Steps: []resource.TestStep{{
					Config: config,
					Check: resource.ComposeTestCheckFunc(
						onTheServer(t, env),
						resource.TestCheckResourceAttrPair("data.xata_branch.pr", "host", "xata_branch.pr", "host"),
						resource.TestCheckResourceAttrPair("data.xata_branches.all", "branches.0.host", "xata_branch.pr", "host"),
						resource.TestCheckResourceAttrPair("data.xata_branches.all", "branches.0.port", "xata_branch.pr", "port"),
						resource.TestCheckResourceAttrPair("xata_branch.pr", "database", "data.xata_branch.pr", "database"),
						connects("resource", env), connects("data_source", env),
					),
				}},
			})
		})
	}
}

// onTheServer checks that the branch's host and port are the emulator's
// PostgreSQL; an endpoint's hosts are its own, and only have to be there.
func onTheServer(t *testing.T, env *acctest.Env) resource.TestCheckFunc {
	if env.Emu == nil {
		return resource.ComposeTestCheckFunc(
			resource.TestCheckResourceAttrSet("xata_branch.pr", "host"),
			resource.TestCheckResourceAttrSet("xata_branch.pr", "port"),
		)
	}
	pg := acctest.SharedPostgres(t)
	return resource.ComposeTestCheckFunc(
		resource.TestCheckResourceAttr("xata_branch.pr", "host", "127.0.0.1"),
		resource.TestCheckResourceAttr("xata_branch.pr", "port", strconv.Itoa(pg.Port())),
	)
}

// connects checks that output name is a connection string that keeps the
// server's sslmode and that a client can log in with.
func connects(name string, env *acctest.Env) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		out, ok := s.RootModule().Outputs[name]
		if !ok {
			return fmt.Errorf("no output %s", name)
		}
		conn, _ := out.Value.(string)
		u, err := url.Parse(conn)
		if err != nil {
			return fmt.Errorf("output %s is not a URL", name)
		}
		// The emulator's local cluster has no TLS, and says so in its
		// connection strings; the provider must keep that, not override it.
		// An endpoint's may say anything, and where it says nothing the
		// provider adds require.
		mode := u.Query().Get("sslmode")
		if env.Emu != nil && mode != "disable" {
			return fmt.Errorf("output %s has sslmode %q, want the server's disable", name, mode)
		}
		if mode == "" {
			return fmt.Errorf("output %s has no sslmode", name)
		}
		ctx := context.Background()
		c, err := pgx.Connect(ctx, conn)
		if err != nil {
			return fmt.Errorf("output %s does not connect: %w", name, err)
		}
		defer c.Close(ctx)
		var one int
		return c.QueryRow(ctx, "SELECT 1").Scan(&one)
	}
}
