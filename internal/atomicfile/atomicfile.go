// Package atomicfile replaces files in users' projects so that no reader,
// and no crash, ever sees half a file.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/safefile"
)

// NewFileMode is the mode Write gives a file that did not exist before.
const NewFileMode fs.FileMode = 0o644

// Write replaces path with data: it writes a temporary file in the same
// folder, syncs it, gives it the permissions and, where the system allows,
// the owner of the file it replaces (NewFileMode for a new one), and
// renames it over path. A symbolic link at path is kept and its target
// replaced. The folder must exist. Write refuses what Check refuses.
func Write(path string, data []byte) error {
	return WriteMode(path, data, NewFileMode)
}

// WriteMode is Write giving a new file newMode, such as 0600 for one that
// holds secrets. An existing file keeps its own.
func WriteMode(path string, data []byte, newMode fs.FileMode) error {
	target, old, err := Check(path)
	if err != nil {
		return err
	}
	mode := newMode
	if old != nil {
		mode = old.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), tempPattern(filepath.Base(target)))
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := writeSynced(tmp, data, mode, old); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), target)
}

// Check reports what WriteMode would replace, without writing: the file
// itself or, for a symbolic link, the file it points to, with that file's
// info (nil when it does not exist yet). It refuses, with an error that
// has a Hint, anything that is not a regular file (a FIFO, a device, a
// link to one, a link to nowhere) and a file the user cannot write:
// renaming needs only the folder to be writable, so without this check a
// read-only file, or /dev/null behind a link when running as root, would
// be silently replaced.
func Check(path string) (string, fs.FileInfo, error) {
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return path, nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	target := path
	if info.Mode()&fs.ModeSymlink != 0 {
		if target, err = filepath.EvalSymlinks(path); err != nil {
			if link, lerr := os.Readlink(path); lerr == nil && errors.Is(err, fs.ErrNotExist) {
				return "", nil, &safefile.BrokenLinkError{Path: path, Target: link}
			}
			return "", nil, err
		}
		if info, err = os.Stat(target); err != nil {
			return "", nil, err
		}
	}
	if !info.Mode().IsRegular() {
		return "", nil, safefile.Special(path, info.Mode())
	}
	// A file without any write bit is a statement even for root, whom
	// access(2) lets write anything.
	if info.Mode().Perm()&0o222 == 0 {
		return "", nil, &ReadOnlyError{Path: target, Mode: info.Mode()}
	}
	if err := canWrite(target); err != nil {
		return "", nil, &ReadOnlyError{Path: target, Mode: info.Mode(), Err: err}
	}
	return target, info, nil
}

// ReadOnlyError is a file that convex-authkit will not replace because
// it is read-only, or because the user cannot write it.
type ReadOnlyError struct {
	Path string
	Mode fs.FileMode
	// Err is why writing is denied; nil when the mode has no write bit.
	Err error
}

func (e *ReadOnlyError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("%s is read-only (mode %04o), so convex-authkit does not replace it", e.Path, e.Mode.Perm())
	}
	return fmt.Sprintf("%s cannot be written (%v), so convex-authkit does not replace it", e.Path, e.Err)
}

// Hint says how to fix it.
func (e *ReadOnlyError) Hint() string {
	name := filepath.Base(e.Path)
	if e.Err == nil {
		return "if it should change, make it writable (chmod u+w " + name + ") and run this again; nothing was written"
	}
	return "run this as a user who may write " + name + ", or change its owner or permissions; nothing was written"
}

// tempPattern names the temporary file for base. A leftover one (after a
// crash) must not be committed: for .env*.local files it keeps that shape,
// which the ignore files of Next.js and Vite projects cover; other files
// get a hidden name.
func tempPattern(base string) string {
	if stem, ok := strings.CutSuffix(base, ".local"); ok && strings.HasPrefix(stem, ".env") {
		return stem + ".tmp-*.local"
	}
	return "." + base + ".tmp-*"
}

func writeSynced(f *os.File, data []byte, mode fs.FileMode, old fs.FileInfo) error {
	if _, err := f.Write(data); err != nil {
		return err
	}
	if old != nil {
		keepOwner(f, old)
	}
	// After the owner: changing the owner may clear mode bits.
	if err := f.Chmod(mode); err != nil {
		return err
	}
	return f.Sync()
}
