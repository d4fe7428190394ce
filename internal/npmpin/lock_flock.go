//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package npmpin

import (
	"errors"
	"os"
	"syscall"
)

// lockInstall blocks while another test process installs a tree, so
// that parallel test binaries on a cold cache install it once. The kernel
// drops the lock if its holder dies. Correctness does not depend on it (the
// install is renamed into place atomically), so a failure only returns an
// error for the caller to ignore.
func lockInstall(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil // closing releases the lock
}
