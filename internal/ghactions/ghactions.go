// Package ghactions speaks to GitHub Actions: workflow-command annotations
// that put a problem on the line of a pull request, and the Markdown job
// summary. It knows nothing of commands; callers pass what to say.
package ghactions

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/diag"
)

// Env is what a GitHub Actions step learns from its environment.
type Env struct {
	// Actions is GITHUB_ACTIONS=true: annotations are printed.
	Actions bool
	// Workspace is the checkout's absolute path (GITHUB_WORKSPACE, else
	// the working directory, where a step runs by default); annotation
	// paths are relative to it, as the runner resolves them.
	Workspace string
	// SummaryPath is GITHUB_STEP_SUMMARY: the file the job summary is
	// appended to, or "".
	SummaryPath string
}

// FromEnv reads Env from an environment map.
func FromEnv(env map[string]string, workDir string) Env {
	ws := env["GITHUB_WORKSPACE"]
	if ws == "" {
		ws = workDir
	} else if !filepath.IsAbs(ws) {
		ws = filepath.Join(workDir, ws)
	}
	return Env{Actions: env["GITHUB_ACTIONS"] == "true", Workspace: filepath.Clean(ws), SummaryPath: env["GITHUB_STEP_SUMMARY"]}
}

// Levels of an annotation.
const (
	LevelError   = "error"
	LevelWarning = "warning"
	LevelNotice  = "notice"
)

// Annotation is one workflow command such as
// `::error file=apps/web/convex.json,line=3,col=7,title=…::message`.
type Annotation struct {
	Level   string
	File    string // relative to the workspace, with slashes; "" for none
	Line    int
	Col     int
	Title   string
	Message string
}

// String renders the workflow command, escaped as @actions/core does:
// %, CR and LF everywhere, and also : and , in property values, which
// would otherwise end the value.
func (a Annotation) String() string {
	var props []string
	if a.File != "" {
		props = append(props, "file="+escapeProperty(a.File))
		if a.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", a.Line))
			if a.Col > 0 {
				props = append(props, fmt.Sprintf("col=%d", a.Col))
			}
		}
	}
	if a.Title != "" {
		props = append(props, "title="+escapeProperty(a.Title))
	}
	head := "::" + a.Level
	if len(props) > 0 {
		head += " " + strings.Join(props, ",")
	}
	return head + "::" + escapeData(a.Message)
}

func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// Annotator writes annotations for one command. A nil *Annotator writes
// nothing, so callers need no check of whether they run in Actions.
type Annotator struct {
	w         io.Writer
	workspace string
	base      string
	names     map[string]string
	title     string
}

// NewAnnotator returns an annotator writing to w, or nil when e is not a
// GitHub Actions run. Relative file names in problems are taken relative
// to base (the project directory), except those in names, which map the
// name a message uses to the absolute path (convex.json given with
// --config is named relative to the working directory). title prefixes
// every annotation's title, e.g. "convex-authkit config validate".
func NewAnnotator(e Env, w io.Writer, base string, names map[string]string, title string) *Annotator {
	if !e.Actions {
		return nil
	}
	return &Annotator{w: w, workspace: e.Workspace, base: base, names: names, title: title}
}

// Wrap returns an annotator whose output goes through wrap (a redactor).
func (a *Annotator) Wrap(wrap func(io.Writer) io.Writer) *Annotator {
	if a == nil {
		return nil
	}
	out := *a
	out.w = wrap(a.w)
	return &out
}

// Path turns a file name as messages show it into the path GitHub wants:
// relative to the workspace with slashes, or absolute when the file lies
// outside it (GitHub then cannot place it on a line, but the path is
// still the right file).
func (a *Annotator) Path(name string) string {
	if name == "" {
		return ""
	}
	abs, ok := a.names[name]
	if !ok {
		abs = filepath.FromSlash(name)
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(a.base, abs)
		}
	}
	abs = filepath.Clean(abs)
	if rel, err := filepath.Rel(a.workspace, abs); err == nil && filepath.IsLocal(rel) {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(abs)
}

// Message annotates a problem that has no place in a file. suffix is
// added to the title (a check ID, say).
func (a *Annotator) Message(level, suffix, msg, hint string) {
	if a == nil {
		return
	}
	a.write(Annotation{Level: level, Title: a.titled(suffix), Message: withHint(msg, hint)})
}

// Problem annotates a located problem, at its file, line and column.
// A problem without a message takes msg and hint (a check's), so that
// a bare location still says what is wrong.
func (a *Annotator) Problem(suffix string, p diag.Problem, msg, hint string) {
	if a == nil {
		return
	}
	level := LevelError
	if p.Severity == diag.SeverityWarning {
		level = LevelWarning
	}
	text := withHint(msg, hint)
	if p.Message != "" {
		text = p.Message
		if p.Path != "" && !strings.Contains(text, p.Path) {
			// The JSON path says which value on the line is meant,
			// unless the message names it already.
			text = p.Path + ": " + text
		}
		text = withHint(text, p.Hint)
	}
	a.write(Annotation{Level: level, File: a.Path(p.File), Line: p.Line, Col: p.Column, Title: a.titled(suffix), Message: text})
}

// Problems annotates every problem, each with its own message and hint.
func (a *Annotator) Problems(ps []diag.Problem) {
	for _, p := range ps {
		a.Problem("", p, "", "")
	}
}

func (a *Annotator) titled(suffix string) string {
	if suffix == "" {
		return a.title
	}
	return a.title + " " + suffix
}

func (a *Annotator) write(an Annotation) {
	fmt.Fprintln(a.w, an.String())
}

func withHint(msg, hint string) string {
	if hint == "" {
		return msg
	}
	return msg + "\nhint: " + hint
}

// AppendSummary appends markdown to the job summary file. It never
// truncates: every step of a job shares the file, and earlier steps'
// sections must stay. An empty path does nothing.
func AppendSummary(path, markdown string) error {
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	_, werr := io.WriteString(f, markdown)
	return errors.Join(werr, f.Close())
}

// Step is what one command reports to GitHub Actions. Its zero value
// reports nothing.
type Step struct {
	// Annotate is nil outside GitHub Actions.
	Annotate *Annotator
	// SummaryPath is GITHUB_STEP_SUMMARY, or "".
	SummaryPath string
}

// Summarize appends a section to the job summary when there is one. A
// summary that cannot be written is a warning on warn, never a failure:
// the command's work is done, and its exit status must say how that went.
func (s Step) Summarize(warn io.Writer, md *Markdown) {
	if s.SummaryPath == "" || md == nil {
		return
	}
	if err := AppendSummary(s.SummaryPath, md.String()); err != nil {
		fmt.Fprintf(warn, "warning: cannot append to GITHUB_STEP_SUMMARY: %v\n", err)
	}
}
