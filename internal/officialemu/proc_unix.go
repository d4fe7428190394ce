//go:build unix

package officialemu

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// setProcessGroup puts the emulator in its own process group, so that
// killProcessGroup also reaches anything it might spawn.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

func killProcessGroup(p *os.Process) error {
	err := syscall.Kill(-p.Pid, syscall.SIGKILL)
	if errors.Is(err, syscall.ESRCH) {
		return nil // already gone, e.g. it exited when its stdin closed
	}
	return err
}
