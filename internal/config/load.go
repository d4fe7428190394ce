package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"unicode/utf8"

	"github.com/convex-authkit/convex-authkit/internal/diag"
	"github.com/convex-authkit/convex-authkit/internal/jsonpos"
)

// MaxSize is the largest convex.json we read. Real files are a few hundred
// bytes; anything near this is a mistake (or hostile).
const MaxSize = 1 << 20

// FileError is a problem with convex.json as a whole: it is missing, not a
// regular file, too large, not UTF-8, or not JSON.
type FileError struct {
	diag.Problem
}

func (e *FileError) Error() string { return e.Problem.String() }

func fileError(file string, line, col int, msg, hint string) *FileError {
	return &FileError{diag.Problem{Severity: diag.SeverityError, File: file, Line: line, Column: col, Message: msg, Hint: hint}}
}

// Load reads and validates the convex.json at path. display is the name
// used in messages. A *FileError means nothing could be validated; otherwise
// the returned Config carries its problems, which the caller inspects.
func Load(path, display string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fileError(display, 0, 0, "file not found",
				"run convex-authkit in your project root, or pass --dir or --config; `npx convex dev` creates convex.json, and `convex-authkit init` adds the authKit section")
		}
		return nil, fileError(display, 0, 0, fmt.Sprintf("cannot open: %v", unwrapPath(err)), "check the file's permissions")
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fileError(display, 0, 0, fmt.Sprintf("cannot read: %v", unwrapPath(err)), "")
	}
	if st.IsDir() {
		return nil, fileError(display, 0, 0, "is a directory, not a file", "point --config at the convex.json file itself")
	}
	if !st.Mode().IsRegular() {
		return nil, fileError(display, 0, 0, "is not a regular file", "point --config at the convex.json file itself")
	}
	// Read one byte past the limit so an oversize file is detected without
	// trusting the size reported by Stat.
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, fileError(display, 0, 0, fmt.Sprintf("cannot read: %v", unwrapPath(err)), "")
	}
	if len(data) > MaxSize {
		return nil, fileError(display, 0, 0, fmt.Sprintf("is larger than %d bytes", MaxSize),
			"convex.json is a small configuration file: check that --config names the right file")
	}
	return Parse(display, data)
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Parse validates the content of a convex.json. file is the name used in
// messages.
func Parse(file string, data []byte) (*Config, error) {
	if len(data) == 0 {
		return nil, fileError(file, 0, 0, "file is empty",
			`convex.json must hold a JSON object; the smallest valid file is {}`)
	}
	if !utf8.Valid(data) {
		// jsonpos locates the first bad byte precisely; this is a backstop.
		if _, err := jsonpos.Parse(data); err != nil {
			return nil, syntaxError(file, err)
		}
		return nil, fileError(file, 0, 0, "is not valid UTF-8", "save the file as UTF-8")
	}
	root, err := jsonpos.Parse(data)
	if err != nil {
		return nil, syntaxError(file, err)
	}
	if root.Kind != jsonpos.Object {
		return nil, fileError(file, root.Pos.Line, root.Pos.Column,
			fmt.Sprintf("convex.json must contain a JSON object, found %s", describe(root)),
			`wrap the content in an object, e.g. {"authKit": {...}}`)
	}
	c := &Config{File: file, Root: root}
	v := &validator{file: file}
	c.UnknownTopLevel = v.topLevel(root)
	if m, ok := root.Lookup("authKit"); ok {
		c.AuthKit = v.authKit(m)
	}
	SortProblems(v.problems)
	c.Problems = v.problems
	return c, nil
}

func syntaxError(file string, err error) error {
	var se *jsonpos.SyntaxError
	if errors.As(err, &se) {
		return fileError(file, se.Pos.Line, se.Pos.Column, se.Msg, se.Hint)
	}
	return fileError(file, 0, 0, err.Error(), "")
}
