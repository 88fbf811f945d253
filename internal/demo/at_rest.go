package demo

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"
)

// AtRest is what a look at rest found: how many Terraform states and
// state or plan files were read, and where an issued password was found
// in one ("<where>: password <n> of <issued>").
type AtRest struct {
	Passwords int // passwords the emulator had issued when it looked
	States    int // rows of the pg backend's states table
	Files     int // state, backup and plan files
	Found     []string
}

func (a *AtRest) add(b AtRest) {
	a.Passwords = max(a.Passwords, b.Passwords)
	a.States += b.States
	a.Files += b.Files
	a.Found = append(a.Found, b.Found...)
}

func (a AtRest) String() string {
	return fmt.Sprintf("%d pg backend states and %d state or plan files read, %d issued passwords looked for, %d found",
		a.States, a.Files, a.Passwords, len(a.Found))
}

// lookAtRest reads every Terraform state the runner's pg backend holds
// (stateURL) and every state, backup and plan file under dirs, and
// reports where any of passwords appears.
func lookAtRest(ctx context.Context, stateURL string, dirs []string, passwords []string) (AtRest, error) {
	res := AtRest{Passwords: len(passwords)}
	check := func(where, text string) {
		for i, pw := range passwords {
			if strings.Contains(text, pw) {
				res.Found = append(res.Found, fmt.Sprintf("%s: password %d of %d", where, i+1, len(passwords)))
			}
		}
	}
	conn, err := pgx.Connect(ctx, stateURL)
	if err != nil {
		return res, fmt.Errorf("connecting to the state database: %w", err)
	}
	defer conn.Close(ctx)
	// The pg backend's schema and table (one row per workspace).
	rows, err := conn.Query(ctx, "SELECT name, data FROM terraform_remote_state.states")
	if err != nil {
		return res, fmt.Errorf("reading the pg backend's states: %w", err)
	}
	for rows.Next() {
		var name, data string
		if err := rows.Scan(&name, &data); err != nil {
			return res, err
		}
		res.States++
		check("pg backend workspace "+name, data)
	}
	if err := rows.Err(); err != nil {
		return res, err
	}
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !atRestFile(d.Name()) {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			res.Files++
			check(path, string(data))
			return nil
		})
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// atRestFile reports whether a file name is one Terraform or OpenTofu
// keeps state or a plan in: terraform.tfstate, its .backup, an
// errored.tfstate, .terraform/terraform.tfstate (backend settings), and
// saved plans, which carry the prior state.
func atRestFile(name string) bool {
	return strings.Contains(name, ".tfstate") || strings.HasSuffix(name, ".tfplan") || name == "plan.out"
}
