//go:build !linux

package signadotemu

import (
	"context"
	"errors"
	"os"
	"os/exec"
)

// command fails: private namespaces, which keep steps apart, are Linux's.
func (x *stepExec) command(context.Context, [][3]string, *os.File, *os.File) (*exec.Cmd, error) {
	return nil, errors.New("the local step runner needs Linux: it runs each step in private namespaces")
}
