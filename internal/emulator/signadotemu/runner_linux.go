package signadotemu

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

// command builds the step's process: stepWrapper as PID 1 of new mount,
// PID and IPC namespaces, with the script on fd 3 and the environment on
// fd 4. Killing it, as the context's cancellation does (on DELETE or
// Close), ends every process of the step: they die with their
// namespace's PID 1.
func (x *stepExec) command(ctx context.Context, mounts [][3]string, script, env *os.File) (*exec.Cmd, error) {
	var tools []string
	for _, name := range []string{"bash", "mount", "setpriv"} {
		p, err := exec.LookPath(name)
		if err != nil {
			return nil, fmt.Errorf("the local step runner needs %s: %w", name, err)
		}
		tools = append(tools, p)
	}
	bash, mount, setpriv := tools[0], tools[1], tools[2]
	args := []string{"-c", stepWrapper, "signadotemu-step", mount, setpriv, bash, strconv.Itoa(x.uid), stepReader}
	for _, m := range mounts {
		args = append(args, m[:]...)
	}
	args = append(args, "--")
	cmd := exec.CommandContext(ctx, bash, args...)
	cmd.Dir = "/"
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
	cmd.ExtraFiles = []*os.File{script, env}
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNS | syscall.CLONE_NEWPID | syscall.CLONE_NEWIPC}
	return cmd, nil
}
