package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestStepEnvFlag(t *testing.T) {
	var env []string
	add := stepEnvFlag(&env)
	for _, kv := range []string{"RUNNER_DIR=/opt/xata-runner", "EMPTY=", "URL=postgres://u:p@h/db?x=1"} {
		if err := add(kv); err != nil {
			t.Errorf("%q: %v", kv, err)
		}
	}
	for _, bad := range []string{"RUNNER_DIR", "=value", ""} {
		if err := add(bad); err == nil || !strings.Contains(err.Error(), "KEY=VALUE") {
			t.Errorf("%q: err = %v, want it refused", bad, err)
		}
	}
	if want := []string{"RUNNER_DIR=/opt/xata-runner", "EMPTY=", "URL=postgres://u:p@h/db?x=1"}; !reflect.DeepEqual(env, want) {
		t.Errorf("env = %q, want %q", env, want)
	}
}

func TestImagePathFlag(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "runner"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	var paths []string
	add := imagePathFlag(&paths)
	if err := add("runner"); err != nil {
		t.Fatal(err)
	}
	if err := add(filepath.Join(dir, "missing")); err == nil {
		t.Error("a path that does not exist was accepted")
	}
	if want := []string{filepath.Join(dir, "runner")}; !reflect.DeepEqual(paths, want) {
		t.Errorf("paths = %q, want the relative path made absolute: %q", paths, want)
	}
}
