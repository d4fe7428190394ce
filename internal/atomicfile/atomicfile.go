// Package atomicfile replaces files in users' projects so that no reader,
// and no crash, ever sees half a file.
package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// NewFileMode is the mode Write gives a file that did not exist before.
const NewFileMode fs.FileMode = 0o644

// Write replaces path with data: it writes a temporary file in the same
// folder, syncs it, gives it the permissions of the file it replaces
// (NewFileMode for a new one), and renames it over path. A symbolic link
// at path is kept and its target replaced. The folder must exist.
func Write(path string, data []byte) error {
	return WriteMode(path, data, NewFileMode)
}

// WriteMode is Write giving a new file newMode, such as 0600 for one that
// holds secrets. An existing file keeps its own.
func WriteMode(path string, data []byte, newMode fs.FileMode) error {
	if resolved, err := filepath.EvalSymlinks(path); err == nil {
		path = resolved
	}
	mode := newMode
	if info, err := os.Stat(path); err == nil {
		mode = info.Mode().Perm()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := writeSynced(tmp, data, mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func writeSynced(f *os.File, data []byte, mode fs.FileMode) error {
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Chmod(mode); err != nil {
		return err
	}
	return f.Sync()
}
