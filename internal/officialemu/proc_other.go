//go:build !unix

package officialemu

import (
	"errors"
	"os"
	"os/exec"
)

// Without Unix process groups, the emulator (a single node process: Start
// runs bin.js directly, not through npx) is killed on its own.
func setProcessGroup(*exec.Cmd) {}

func killProcessGroup(p *os.Process) error {
	err := p.Kill()
	if errors.Is(err, os.ErrProcessDone) {
		return nil
	}
	return err
}
