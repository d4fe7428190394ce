package authjs

import (
	"fmt"
	"strings"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/diag"
)

// BothFilesError is the Convex CLI's refusal when both files exist.
type BothFilesError struct {
	JS, TS string
}

func (e *BothFilesError) Error() string {
	return fmt.Sprintf("Found both %s and %s, choose one.", e.JS, e.TS)
}

// Position is a place in a source file; Line and Column count from 1
// (Column in characters). Zero values mean unknown.
type Position struct {
	File   string
	Line   int
	Column int
}

func (p Position) String() string {
	return diag.Problem{File: p.File, Line: p.Line, Column: p.Column}.Location()
}

// prefix renders "file:line:col: " for the parts that are known.
func (p Position) prefix() string {
	if s := p.String(); s != "" {
		return s + ": "
	}
	return ""
}

// BuildMessage is one esbuild error: a syntax error, an import that does
// not resolve, a Node.js built-in module. Notes are esbuild's hints.
type BuildMessage struct {
	Position
	Text  string
	Notes []string
	// Outside is true when the message is convex-authkit's refusal of an
	// import from outside the project, which the Convex CLI would bundle.
	Outside bool `json:",omitempty"`
}

// BuildError means esbuild refused the file or one of its imports, as the
// Convex CLI would before anything reaches the deployment.
type BuildError struct {
	Messages []BuildMessage
}

func (e *BuildError) Error() string {
	lines := make([]string, len(e.Messages))
	for i, m := range e.Messages {
		lines[i] = m.prefix() + m.Text
	}
	return strings.Join(lines, "\n")
}

// MissingEnvError is Convex's AuthConfigMissingEnvironmentVariable: the file
// read variables that are not set on the deployment. Convex reports the
// first; Names has every one the file reads once reads stop failing, first
// read first.
type MissingEnvError struct {
	Names []string
}

// CodeMissingEnv is the Convex error code of MissingEnvError.
const CodeMissingEnv = "AuthConfigMissingEnvironmentVariable"

func (e *MissingEnvError) Error() string {
	lines := make([]string, len(e.Names))
	for i, name := range e.Names {
		lines[i] = missingEnvMessage(name)
	}
	return strings.Join(lines, "\n")
}

// missingEnvMessage is the backend's text, word for word.
func missingEnvMessage(name string) string {
	return fmt.Sprintf("Environment variable %s is used in auth config file but its value was not set", name)
}

// RuntimeError is an exception the file let escape, located at the
// innermost frame in a source file when the engine knows one.
type RuntimeError struct {
	Position
	// Message is what V8 would print after "Uncaught ", e.g. "Error: boom".
	Message string
}

func (e *RuntimeError) Error() string {
	return e.prefix() + "Uncaught " + e.Message
}

// Phase is the step of an evaluation that a limit stopped: esbuild
// bundling the file and its imports, or the engine running the bundle.
type Phase string

const (
	PhaseBundle   Phase = "bundle"
	PhaseEvaluate Phase = "evaluate"
)

// doing names the phase in messages, after the file's position.
func (p Phase) doing() string {
	if p == PhaseBundle {
		return "bundling the file and its imports"
	}
	return "evaluation"
}

// likelyCause is the usual reason a phase runs out of time or memory.
func (p Phase) likelyCause(what string) string {
	if p == PhaseBundle {
		return "a very large import?"
	}
	if what == "time" {
		return "a loop or a catastrophic regular expression?"
	}
	return "a huge array or string?"
}

// TimeoutError means bundling and evaluation ran past Options.Timeout (or
// the context ended): most likely an endless loop, a regular expression
// that backtracks for ever, or an enormous import. Position is where the
// engine was stopped when it could say; otherwise it names the file.
type TimeoutError struct {
	Position
	Phase Phase
	After time.Duration
	Cause error `json:"-"` // the context's error when the caller cancelled
}

func (e *TimeoutError) Error() string {
	if e.Cause != nil {
		return e.prefix() + "evaluation stopped: " + e.Cause.Error()
	}
	return fmt.Sprintf("%s%s took longer than %v (%s)", e.prefix(), e.Phase.doing(), e.After, e.Phase.likelyCause("time"))
}

func (e *TimeoutError) Unwrap() error { return e.Cause }

// MemoryError means bundling or evaluation needed more memory than
// Options.MemoryLimit; the process doing it was stopped.
type MemoryError struct {
	Position
	Phase Phase
	Limit int64 // bytes
}

func (e *MemoryError) Error() string {
	return fmt.Sprintf("%s%s used more than %s of memory (%s)", e.prefix(), e.Phase.doing(), mebibytes(e.Limit), e.Phase.likelyCause("memory"))
}

func mebibytes(n int64) string {
	return fmt.Sprintf("%d MiB", (n+(1<<20)-1)>>20)
}

// SandboxError means the process that bundles and evaluates the file
// failed on its own account: it could not start, crashed, or answered
// something unreadable. It says nothing about the file, so callers report
// it as a check that could not run.
type SandboxError struct {
	File   string
	Status string // the exit status, e.g. "exit status 2"; "" when it did not start
	Detail string // the first line the process printed, or the start error
}

func (e *SandboxError) Error() string {
	msg := e.File + ": the process evaluating the file failed"
	if e.Status != "" {
		msg += " (" + e.Status + ")"
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// ConfigError is a push failure about the default export itself, with the
// Convex error code and message.
type ConfigError struct {
	Code    string
	Message string
}

// CodeUnserializable is the Convex error code of a ConfigError for a default
// export JSON.stringify throws on. The other codes a ConfigError has,
// convexauth.CodeMissingExport and convexauth.CodeNotMatchingSchema, are
// convexauth's, which reports them for the serialised config.
const CodeUnserializable = "AuthConfigUnserializableError"

func (e *ConfigError) Error() string { return e.Message }
