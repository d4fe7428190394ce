//go:build unix

package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// keepOwner gives f the owner and group of old, as far as the system
// allows: root may give it both; another user may keep a group it
// belongs to. Where neither is allowed the new file stays the user's own,
// as an editor's save would leave it.
func keepOwner(f *os.File, old fs.FileInfo) {
	st, ok := old.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	uid, gid := int(st.Uid), int(st.Gid)
	if f.Chown(uid, gid) == nil {
		return
	}
	_ = f.Chown(-1, gid)
}

// canWrite returns why the user may not write path, if access(2) says
// so; other failures of the call are left to the write itself.
func canWrite(path string) error {
	const wOK = 2 // W_OK of access(2)
	err := syscall.Access(path, wOK)
	if errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EROFS) {
		return err
	}
	return nil
}
