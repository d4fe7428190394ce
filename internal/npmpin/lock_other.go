//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package npmpin

import "errors"

// lockInstall is unavailable here; concurrent installs then each download,
// and the atomic rename keeps the result whole.
func lockInstall(string) (func(), error) {
	return nil, errors.New("no file locks on this platform")
}
