package demo

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// runnerSecret is the Kubernetes secret the plugin's pod template overlay
// maps into the runner's environment (the baseline's credentials_secret).
const runnerSecret = "xata-credentials"

// applyBaseline applies the tutorial's baseline in dir (a copy of
// examples/tutorial/baseline) with args, then does what the tutorial's
// README has the user do next: it puts the runner's key, the project and
// the state database into the runner's secret, the token going from
// `terraform output` to the secret and nowhere else. It returns the token.
func (r *runner) applyBaseline(ctx context.Context, dir, stateURL string, args ...string) (string, error) {
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(r.RepoDir, "examples", "tutorial", "baseline"))); err != nil {
		return "", err
	}
	if _, err := r.terraform(ctx, dir, "init", "-input=false", "-no-color"); err != nil {
		return "", err
	}
	apply := append([]string{"apply", "-auto-approve", "-input=false", "-no-color"}, args...)
	if _, err := r.terraform(ctx, dir, apply...); err != nil {
		return "", err
	}
	project, err := r.terraform(ctx, dir, "output", "-raw", "project_id")
	if err != nil {
		return "", err
	}
	token, err := r.terraform(ctx, dir, "output", "-raw", "runner_api_key")
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(token, "xao_") {
		return "", errors.New("the baseline's runner_api_key output is not an organization API key")
	}
	r.project = project
	r.sd.SetSecret(runnerSecret, map[string]string{
		"XATA_API_KEY":         token,
		"XATA_API_BASE_URL":    r.emu.URL(),
		"XATA_ORGANIZATION_ID": r.emu.OrganizationID(),
		"XATA_PROJECT_ID":      project,
		"PG_CONN_STR":          stateURL,
	})
	r.say("secret %s: the runner's key (terraform output -raw runner_api_key, never written to a file), project %s, the state database",
		runnerSecret, project)
	return token, nil
}

// mainURL is main's connection string, read with the organization's key:
// what a user deploying the baseline service on main gives it.
func (r *runner) mainURL(ctx context.Context) (string, error) {
	main, err := r.client.FindBranchByName(ctx, r.emu.OrganizationID(), r.project, "main")
	if err != nil {
		return "", fmt.Errorf("finding main: %w", err)
	}
	creds, err := r.client.GetBranchCredentials(ctx, r.emu.OrganizationID(), r.project, main.ID)
	if err != nil {
		return "", err
	}
	return creds.ConnectionString, nil
}

// runnerKeyScopes are the scopes the API lists for the key whose token is
// token (recognised by its preview), nil when there is no such key.
func (r *runner) runnerKeyScopes(ctx context.Context, token string) []string {
	keys, err := r.client.ListAPIKeys(ctx, r.emu.OrganizationID())
	if err != nil {
		return nil
	}
	prefix, _, _ := strings.Cut(token, "_")
	for _, k := range keys {
		shown := strings.TrimLeft(strings.TrimPrefix(k.Preview, prefix+"_"), "*")
		if strings.HasPrefix(k.Preview, prefix+"_") && shown != "" && strings.HasSuffix(token, shown) {
			return k.Scopes
		}
	}
	return nil
}

// tryRunnerKey uses the runner's key for what a leaked runner pod must not
// be able to do, against another team's project and the organization, and
// returns each attempt's HTTP status; each must be 403. The other project
// is the organization's admin's and is removed again, after checking that
// its branch survived.
func (r *runner) tryRunnerKey(ctx context.Context, token string) (map[string]int, error) {
	org := r.emu.OrganizationID()
	other, err := r.client.CreateProject(ctx, org, xata.ProjectRequest{Name: new("other-team")})
	if err != nil {
		return nil, err
	}
	theirs, err := r.client.CreateBranch(ctx, org, other.ID, xata.CreateBranchRequest{
		Name: "theirs", Mode: xata.ModeCustom,
		Configuration: &xata.ClusterConfiguration{Region: "us-east-1", InstanceType: "xata.micro", Image: "postgres:17.9"},
	})
	if err != nil {
		return nil, err
	}
	runner, err := xata.NewClient(xata.Config{BaseURL: r.emu.URL(), APIKey: token, UserAgent: "xata-demo-runner-key", MaxAttempts: 1})
	if err != nil {
		return nil, err
	}
	if _, err := runner.ListBranches(ctx, org, r.project); err != nil {
		return nil, fmt.Errorf("the runner's key cannot list its own project's branches: %w", err)
	}
	status := func(err error) int {
		if err == nil {
			return 200
		}
		return xata.StatusOf(err)
	}
	denied := map[string]int{}
	_, err = runner.GetBranch(ctx, org, other.ID, theirs.ID)
	denied["read a branch of another project"] = status(err)
	denied["delete a branch of another project"] = status(runner.DeleteBranch(ctx, org, other.ID, theirs.ID))
	_, err = runner.CreateAPIKey(ctx, org, xata.CreateAPIKeyRequest{Name: "escalate", Scopes: []string{"*"}})
	denied["create an API key"] = status(err)
	_, err = runner.ListAPIKeys(ctx, org)
	denied["list API keys"] = status(err)
	_, err = runner.UpdateProject(ctx, org, r.project, xata.ProjectRequest{Name: new("renamed")})
	denied["rename its own project"] = status(err)
	for _, what := range slices.Sorted(maps.Keys(denied)) {
		r.say("runner's key: %s -> HTTP %d", what, denied[what])
	}

	if _, err := r.client.GetBranch(ctx, org, other.ID, theirs.ID); err != nil {
		return nil, fmt.Errorf("the other project's branch is gone after the runner's key tried to delete it: %w", err)
	}
	if err := r.client.DeleteBranch(ctx, org, other.ID, theirs.ID); err != nil {
		return nil, err
	}
	return denied, r.client.DeleteProject(ctx, org, other.ID)
}

// organizationLeft counts the organization's projects and API keys.
func (r *runner) organizationLeft(ctx context.Context) (projects, keys int, err error) {
	ps, err := r.client.ListProjects(ctx, r.emu.OrganizationID())
	if err != nil {
		return 0, 0, err
	}
	ks, err := r.client.ListAPIKeys(ctx, r.emu.OrganizationID())
	return len(ps), len(ks), err
}
