// Package safefile reads the small files of users' projects (convex.json,
// dotenv files, the auth config) without ever blocking on one that is not
// a regular file, and names what it found instead when it refuses one.
//
// A project file can be a symbolic link to a device, or a named pipe:
// secret managers serve dotenv files through FIFOs, and opening a FIFO
// that no program writes to blocks forever. Read therefore opens without
// blocking, decides from the opened file (not from an earlier Stat that
// a rename could outdate), and reads a FIFO only within PipeWait.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
)

// PipeWait bounds how long Read waits for a named pipe's writer to
// deliver the whole file. A secret manager that serves a dotenv file is
// already waiting for a reader and writes at once; a FIFO that nobody
// serves must fail instead of hanging every command.
const PipeWait = 3 * time.Second

// Options say what Read accepts.
type Options struct {
	// Limit is the largest size read; a bigger file is a *TooLargeError.
	Limit int64
	// Pipe accepts a named pipe, read within PipeWait.
	Pipe bool
	// What names the kind of file in messages, such as "a dotenv file".
	What string
}

// Read returns the content of path, following symbolic links. A missing
// file is an error that matches fs.ErrNotExist; a symbolic link to
// nowhere is a *BrokenLinkError; anything but a regular file (or, with
// Pipe, a FIFO) is a *SpecialError; a pipe that does not deliver is a
// *PipeError; content over Limit is a *TooLargeError. Other errors are
// the *fs.PathError of the system call, which names path.
func Read(path string, opts Options) ([]byte, error) {
	// Stat first so that a device is never opened: opening one can have
	// effects of its own. The opened file is checked again below, since
	// the path may be replaced in between.
	info, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if target, lerr := os.Readlink(path); lerr == nil {
				return nil, &BrokenLinkError{Path: path, Target: target}
			}
		}
		return nil, err
	}
	if !opts.accepts(info.Mode()) {
		return nil, Special(path, info.Mode())
	}
	f, err := openNonblocking(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err = f.Stat(); err != nil {
		return nil, err
	}
	if !opts.accepts(info.Mode()) {
		return nil, Special(path, info.Mode())
	}
	var data []byte
	if info.Mode().IsRegular() {
		data, err = io.ReadAll(io.LimitReader(f, opts.Limit+1))
	} else {
		data, err = readPipe(f, path, opts.Limit+1)
	}
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > opts.Limit {
		return nil, &TooLargeError{Path: path, Limit: opts.Limit, What: opts.What}
	}
	return data, nil
}

func (o Options) accepts(mode fs.FileMode) bool {
	return mode.IsRegular() || (o.Pipe && mode&fs.ModeNamedPipe != 0)
}

// Special describes path, whose (followed) mode is mode, as a file that
// is not regular; it says where a symbolic link at path points.
func Special(path string, mode fs.FileMode) *SpecialError {
	e := &SpecialError{Path: path, Mode: mode}
	if target, err := os.Readlink(path); err == nil {
		e.Link = target
	}
	return e
}

// SpecialError is a path that is not a regular file.
type SpecialError struct {
	Path string
	// Link is where a symbolic link at Path points, "" when Path is no
	// link.
	Link string
	Mode fs.FileMode
}

func (e *SpecialError) Error() string { return e.Path + " " + e.Reason() }

// Reason is Error without the path, for messages that show the file
// under another name.
func (e *SpecialError) Reason() string {
	if e.Link != "" {
		return fmt.Sprintf("is a symbolic link to %s, %s, not a regular file", e.Link, Kind(e.Mode))
	}
	return fmt.Sprintf("is %s, not a regular file", Kind(e.Mode))
}

// Hint says how to fix it.
func (e *SpecialError) Hint() string {
	if e.Mode.IsDir() {
		return "remove or rename the folder " + filepath.Base(e.Path) + ", or point the command at the file itself"
	}
	return "convex-authkit reads and writes only regular files here: replace " + filepath.Base(e.Path) + " with a regular file, or remove it"
}

// Kind names the type of a file as messages say it: "a named pipe
// (FIFO)", "a character device".
func Kind(mode fs.FileMode) string {
	switch {
	case mode.IsDir():
		return "a directory"
	case mode&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case mode&fs.ModeCharDevice != 0:
		return "a character device"
	case mode&fs.ModeDevice != 0:
		return "a block device"
	case mode&fs.ModeSocket != 0:
		return "a socket"
	case mode&fs.ModeSymlink != 0:
		return "a symbolic link"
	case mode.IsRegular():
		return "a regular file"
	}
	return "a special file"
}

// BrokenLinkError is a symbolic link to a file that does not exist. It is
// a broken setup, not an absent file: skipping it silently would hide the
// values the user meant to give, and writing would replace the link.
type BrokenLinkError struct {
	Path, Target string
}

func (e *BrokenLinkError) Error() string { return e.Path + " " + e.Reason() }

// Reason is Error without the path.
func (e *BrokenLinkError) Reason() string {
	return fmt.Sprintf("is a symbolic link to %s, which does not exist", e.Target)
}

// Hint says how to fix it.
func (e *BrokenLinkError) Hint() string {
	return "create " + e.Target + ", or remove the link " + filepath.Base(e.Path)
}

// PipeError is a named pipe that did not deliver a whole file within
// PipeWait: no program opened it for writing (Started false), or the one
// that did never closed it.
type PipeError struct {
	Path    string
	Started bool
}

func (e *PipeError) Error() string {
	if e.Started {
		return fmt.Sprintf("%s is a named pipe (FIFO) and the program writing to it did not finish within %v", e.Path, PipeWait)
	}
	return fmt.Sprintf("%s is a named pipe (FIFO) and no program wrote to it within %v", e.Path, PipeWait)
}

// Hint says how to fix it.
func (e *PipeError) Hint() string {
	return "start (or unlock) the program that serves " + filepath.Base(e.Path) + ", such as a secret manager, or replace the pipe with a regular file"
}

// TooLargeError is a file over the limit Read was given.
type TooLargeError struct {
	Path  string
	Limit int64
	What  string
}

func (e *TooLargeError) Error() string {
	msg := fmt.Sprintf("%s is larger than %s", e.Path, size(e.Limit))
	if e.What != "" {
		msg += ", which is too big for " + e.What
	}
	return msg
}

// Hint says how to fix it. The file is readable and the folder may well
// be writable: the size itself is the problem.
func (e *TooLargeError) Hint() string {
	return "check that " + filepath.Base(e.Path) + " is the file you meant (something may have written a log or build output into it), and shrink or remove it"
}

func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Usage returns err as a usage error (exit 3) with its hint when it is
// one of this package's refusals or atomicfile's, which the user fixes in
// the project; otherwise nil.
func Usage(err error) *cmdutil.Error {
	if err == nil {
		return nil
	}
	var ce *cmdutil.Error
	if errors.As(err, &ce) {
		return ce
	}
	var h interface {
		error
		Hint() string
	}
	if errors.As(err, &h) {
		return &cmdutil.Error{Code: cmdutil.ExitUsage, Err: err, Hint: h.Hint()}
	}
	return nil
}

// UsageOr is Usage with a fallback: an error Usage does not know becomes
// a usage error with hint.
func UsageOr(err error, hint string) *cmdutil.Error {
	if ue := Usage(err); ue != nil {
		return ue
	}
	return cmdutil.UsageError(err, hint)
}
