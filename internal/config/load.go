package config

import (
	"errors"
	"fmt"
	"io/fs"
	"unicode/utf8"

	"github.com/convex-authkit/convex-authkit/internal/diag"
	"github.com/convex-authkit/convex-authkit/internal/jsonpos"
	"github.com/convex-authkit/convex-authkit/internal/safefile"
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
	data, err := safefile.Read(path, safefile.Options{Limit: MaxSize, What: "convex.json"})
	if err != nil {
		return nil, readError(display, err)
	}
	return Parse(display, data)
}

// readError turns a failure to read convex.json into a FileError whose
// hint fits the cause.
func readError(display string, err error) *FileError {
	const pointAtFile = "point --config at the convex.json file itself"
	var (
		broken  *safefile.BrokenLinkError
		special *safefile.SpecialError
		large   *safefile.TooLargeError
	)
	switch {
	case errors.As(err, &broken):
		return fileError(display, 0, 0, broken.Reason(), broken.Hint())
	case errors.Is(err, fs.ErrNotExist):
		return fileError(display, 0, 0, "file not found",
			"run convex-authkit in your project root, or pass --dir or --config; `npx convex dev` creates convex.json, and `convex-authkit init` adds the authKit section")
	case errors.As(err, &special) && special.Mode.IsDir():
		return fileError(display, 0, 0, "is a directory, not a file", pointAtFile)
	case errors.As(err, &special):
		return fileError(display, 0, 0, special.Reason(), pointAtFile+", or replace it with a regular file")
	case errors.As(err, &large):
		return fileError(display, 0, 0, fmt.Sprintf("is larger than %d bytes", MaxSize),
			"convex.json is a small configuration file: check that --config names the right file")
	}
	return fileError(display, 0, 0, fmt.Sprintf("cannot read: %v", unwrapPath(err)), "check the file's permissions")
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
