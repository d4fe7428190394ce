// Package iostreams bundles the process's standard streams with what the
// command needs to know about them: which are terminals, whether colour is on,
// and whether the user may be prompted.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams is passed to every command instead of os.Stdin/os.Stdout/os.Stderr
// so tests can run commands against buffers.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY  bool
	stdoutTTY bool
	stderrTTY bool

	colorEnabled bool
	neverPrompt  bool
}

// System returns streams bound to the process's standard streams. Colour is
// decided from the terminal state and the environment (see ColorFromEnv).
func System(getenv func(string) string) *IOStreams {
	s := &IOStreams{
		In:        os.Stdin,
		Out:       os.Stdout,
		ErrOut:    os.Stderr,
		stdinTTY:  isTerminal(os.Stdin),
		stdoutTTY: isTerminal(os.Stdout),
		stderrTTY: isTerminal(os.Stderr),
	}
	s.colorEnabled = ColorFromEnv(getenv, s.stdoutTTY)
	return s
}

// Test returns streams backed by buffers: stdin, stdout and stderr. They are
// not terminals and colour is off until a test says otherwise.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

func isTerminal(f *os.File) bool {
	return term.IsTerminal(int(f.Fd()))
}

// ColorFromEnv applies the NO_COLOR (https://no-color.org) and
// CLICOLOR/CLICOLOR_FORCE (https://bixense.com/clicolors/) conventions.
// NO_COLOR wins over everything; CLICOLOR_FORCE turns colour on even when
// output is not a terminal; CLICOLOR=0 and TERM=dumb turn it off.
func ColorFromEnv(getenv func(string) string, isTTY bool) bool {
	if getenv("NO_COLOR") != "" {
		return false
	}
	if v := getenv("CLICOLOR_FORCE"); v != "" && v != "0" {
		return true
	}
	if getenv("CLICOLOR") == "0" || getenv("TERM") == "dumb" {
		return false
	}
	return isTTY
}

// IsStdinTTY reports whether standard input is a terminal.
func (s *IOStreams) IsStdinTTY() bool { return s.stdinTTY }

// IsStdoutTTY reports whether standard output is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY reports whether standard error is a terminal.
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// SetStdinTTY and its siblings let tests pretend to be interactive.
func (s *IOStreams) SetStdinTTY(v bool) { s.stdinTTY = v }

// SetStdoutTTY marks standard output as a terminal (or not).
func (s *IOStreams) SetStdoutTTY(v bool) { s.stdoutTTY = v }

// SetStderrTTY marks standard error as a terminal (or not).
func (s *IOStreams) SetStderrTTY(v bool) { s.stderrTTY = v }

// ColorEnabled reports whether output may carry ANSI colour.
func (s *IOStreams) ColorEnabled() bool { return s.colorEnabled }

// SetColorEnabled forces colour on or off (--no-color, tests).
func (s *IOStreams) SetColorEnabled(v bool) { s.colorEnabled = v }

// SetNeverPrompt disables prompting (--no-input, CI).
func (s *IOStreams) SetNeverPrompt(v bool) { s.neverPrompt = v }

// CanPrompt reports whether the user may be asked a question: both stdin and
// stdout are terminals and prompting was not disabled. Commands must decide
// this before building any form, and fail with the flag to pass otherwise.
func (s *IOStreams) CanPrompt() bool {
	return !s.neverPrompt && s.stdinTTY && s.stdoutTTY
}

// ColorScheme returns the palette for this stream set.
func (s *IOStreams) ColorScheme() *ColorScheme {
	return &ColorScheme{enabled: s.colorEnabled}
}

// ColorScheme wraps text in ANSI colour codes when colour is enabled and
// returns it unchanged otherwise, so the words survive without colour.
type ColorScheme struct{ enabled bool }

func (c *ColorScheme) wrap(code, s string) string {
	if !c.enabled || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// Bold makes s bold.
func (c *ColorScheme) Bold(s string) string { return c.wrap("1", s) }

// Red colours s red (errors, deletions).
func (c *ColorScheme) Red(s string) string { return c.wrap("31", s) }

// Green colours s green (success, additions).
func (c *ColorScheme) Green(s string) string { return c.wrap("32", s) }

// Yellow colours s yellow (warnings).
func (c *ColorScheme) Yellow(s string) string { return c.wrap("33", s) }

// Cyan colours s cyan (names, paths).
func (c *ColorScheme) Cyan(s string) string { return c.wrap("36", s) }

// Gray dims s (secondary information such as sources).
func (c *ColorScheme) Gray(s string) string { return c.wrap("90", s) }

// Wrap returns a copy of s whose Out and ErrOut pass through wrap, keeping
// what s knows about terminals and colour. Commands use it to put a secret
// redactor in front of everything they print.
func (s *IOStreams) Wrap(wrap func(io.Writer) io.Writer) *IOStreams {
	c := *s
	c.Out, c.ErrOut = wrap(s.Out), wrap(s.ErrOut)
	return &c
}
