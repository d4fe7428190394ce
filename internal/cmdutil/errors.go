// Package cmdutil holds what every command shares: the Factory of
// dependencies, the global options, exit codes and the typed errors that Main
// turns into an exit status and one printed message.
package cmdutil

import (
	"errors"
	"fmt"

	"github.com/convex-authkit/convex-authkit/internal/diag"
	"github.com/convex-authkit/convex-authkit/internal/secret"
)

// Exit codes. They are part of the tool's interface: CI scripts branch on
// them, and `convex-authkit help exit-codes` documents them.
const (
	ExitOK      = 0 // success
	ExitFailure = 1 // a failure: network, API, a check that failed or could not run
	ExitCancel  = 2 // cancelled by the user, or changes pending under --detailed-exitcode
	ExitUsage   = 3 // bad flags, arguments or configuration; nothing was changed
	ExitAuth    = 4 // WorkOS authentication: missing or rejected API key
)

// Error is an error with the exit code it should produce and an optional
// hint on how to fix it. Main prints it once; commands only return it.
type Error struct {
	Code     int
	Err      error
	Hint     string
	Problems []diag.Problem // located problems, printed before the summary
	// Silent means the command already reported the failure on its own
	// (doctor's report says which checks failed); Main only sets the exit
	// code.
	Silent bool
	// JSONWritten means the command printed its --json document with this
	// error in it (see Written): Main prints the error on stderr but no
	// second document, so stdout stays one JSON value.
	JSONWritten bool
	// File is the file the error is about, when it has no located
	// problems (an out-of-date auth config): CI annotations point at it.
	File string
}

func (e *Error) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// FlagErrorf reports a bad flag or argument (exit 3).
func FlagErrorf(format string, args ...any) *Error {
	return &Error{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

// UsageError reports bad input with a hint (exit 3).
func UsageError(err error, hint string) *Error {
	return &Error{Code: ExitUsage, Err: err, Hint: hint}
}

// ProblemsError reports located problems in an input file (exit 3).
func ProblemsError(summary string, problems []diag.Problem) *Error {
	return &Error{Code: ExitUsage, Err: errors.New(summary), Problems: problems}
}

// SilentError exits with code without printing anything more.
func SilentError(code int) *Error {
	return &Error{Code: code, Silent: true}
}

// Written marks err as already carried by the command's --json document
// (see Error.JSONWritten). A plain error becomes an exit-1 error.
func Written(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if !errors.As(err, &e) {
		return &Error{Code: ExitFailure, Err: err, JSONWritten: true}
	}
	out := *e
	out.JSONWritten = true
	return &out
}

// ErrorJSON is the "error" object of a --json document: the document Main
// prints for a failed command, and the key a command's own document gains
// when it fails after planning (apply, generate auth-config --check,
// config validate, doctor).
type ErrorJSON struct {
	Code     int            `json:"code"`
	Message  string         `json:"message"`
	Hint     string         `json:"hint,omitempty"`
	Problems []diag.Problem `json:"problems"`
}

// ErrorObject describes err for a --json document, sk_ keys masked as
// Main masks them on stderr; nil for nil. An error that is not an *Error
// is the exit-1 failure Main would make of it.
func ErrorObject(err error) *ErrorJSON {
	if err == nil {
		return nil
	}
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Code: ExitFailure, Err: err}
	}
	msg := "failed"
	if e.Err != nil {
		msg = secret.MaskKeys(e.Error())
	}
	return &ErrorJSON{Code: e.Code, Message: msg, Hint: secret.MaskKeys(e.Hint), Problems: Problems(e.Problems)}
}

// ErrCancel is returned when the user cancels an interactive step.
var ErrCancel = &Error{Code: ExitCancel, Err: errors.New("cancelled")}

// Redacted returns err with its message, problems and hint passed through
// redact, so that a value echoed by a server or a validator cannot carry a
// secret to the terminal. errors.Is and errors.As still see the original.
func Redacted(err error, redact func(string) string) error {
	if err == nil {
		return nil
	}
	var e *Error
	if !errors.As(err, &e) {
		return &redactedError{msg: redact(err.Error()), err: err}
	}
	out := *e
	if e.Err != nil {
		out.Err = &redactedError{msg: redact(e.Err.Error()), err: e.Err}
	}
	out.Hint = redact(e.Hint)
	out.Problems = make([]diag.Problem, len(e.Problems))
	for i, p := range e.Problems {
		p.Message, p.Hint = redact(p.Message), redact(p.Hint)
		out.Problems[i] = p
	}
	return &out
}

type redactedError struct {
	msg string
	err error
}

func (r *redactedError) Error() string { return r.msg }
func (r *redactedError) Unwrap() error { return r.err }
