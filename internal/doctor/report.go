package doctor

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/diag"
	"github.com/convex-authkit/convex-authkit/internal/ghactions"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/tokencheck"
)

// Check is the outcome of one check.
type Check struct {
	ID      string
	Group   string
	Status  Status
	Message string
	Hint    string
	Details map[string]any
	// Where lists the places in the project's files the check is about,
	// shown under the check and used for CI annotations.
	Where []diag.Problem
}

// MarshalJSON writes the fixed keys, hint and details included when empty.
func (c Check) MarshalJSON() ([]byte, error) {
	d := c.Details
	if d == nil {
		d = map[string]any{}
	}
	if len(c.Where) > 0 {
		d = maps.Clone(d)
		d["locations"] = c.Where
	}
	return json.Marshal(struct {
		ID      string         `json:"id"`
		Group   string         `json:"group"`
		Status  Status         `json:"status"`
		Message string         `json:"message"`
		Hint    string         `json:"hint"`
		Details map[string]any `json:"details"`
	}{c.ID, c.Group, c.Status, c.Message, c.Hint, d})
}

func newCheck(id string, st Status, msg, hint string) Check {
	return Check{ID: id, Group: groupOf(id), Status: st, Message: msg, Hint: hint}
}

func pass(id, msg string) Check       { return newCheck(id, StatusPass, msg, "") }
func skip(id, why string) Check       { return newCheck(id, StatusSkip, why, "") }
func warn(id, msg, hint string) Check { return newCheck(id, StatusWarn, msg, hint) }
func fail(id, msg, hint string) Check { return newCheck(id, StatusFail, msg, hint) }

// with sets details and returns the check, for one-line construction.
func (c Check) with(details map[string]any) Check {
	c.Details = details
	return c
}

// at adds places in files.
func (c Check) at(where ...diag.Problem) Check {
	c.Where = append(c.Where, where...)
	return c
}

// fromResult converts a tokencheck result.
func fromResult(r tokencheck.Result) Check {
	return Check{ID: r.ID, Group: r.Group(), Status: r.Status, Message: r.Message, Hint: r.Hint, Details: r.Details}
}

// Summary counts the checks by status.
type Summary struct {
	Pass  int `json:"pass"`
	Warn  int `json:"warn"`
	Fail  int `json:"fail"`
	Skip  int `json:"skip"`
	Error int `json:"error"`
}

// String is the text of the summary line, e.g. "27 passed, 1 warning, 0
// failed, 3 skipped, 0 could not run".
func (s Summary) String() string {
	return fmt.Sprintf("%d passed, %d %s, %d failed, %d skipped, %d could not run",
		s.Pass, s.Warn, plural(s.Warn, "warning"), s.Fail, s.Skip, s.Error)
}

// Report is the outcome of a run, and its --json document.
type Report struct {
	SchemaVersion int     `json:"schemaVersion"`
	Env           string  `json:"env"`
	OK            bool    `json:"ok"`
	Summary       Summary `json:"summary"`
	Checks        []Check `json:"checks"`
	// Deployment is the Convex deployment judged, or why none was.
	Deployment *Deployment `json:"deployment"`
	// Error is set when a check failed or could not run (ok is false).
	Error *cmdutil.ErrorJSON `json:"error,omitempty"`

	// identity is what Convex would build from the token, for --verbose.
	identity  map[string]any
	envReason string
}

// finish applies --strict and computes the summary and OK: a run is OK when
// no check failed or could not run.
func (r *Report) finish(strict bool) {
	r.Summary = Summary{}
	for i := range r.Checks {
		c := &r.Checks[i]
		if strict && c.Status == StatusWarn {
			c.Status = StatusFail
			c.Message += " (a warning, failed by --strict)"
		}
		switch c.Status {
		case StatusPass:
			r.Summary.Pass++
		case StatusWarn:
			r.Summary.Warn++
		case StatusFail:
			r.Summary.Fail++
		case StatusSkip:
			r.Summary.Skip++
		case StatusError:
			r.Summary.Error++
		}
	}
	r.OK = r.Summary.Fail == 0 && r.Summary.Error == 0
}

// Symbol is the mark of a status: ✓ passed, ! warning, – skipped, ✗ failed
// or could not run. The words are in the summary line, so nothing depends
// on colour.
func Symbol(cs *iostreams.ColorScheme, st Status) string {
	switch st {
	case StatusPass:
		return cs.Green("✓")
	case StatusWarn:
		return cs.Yellow("!")
	case StatusSkip:
		return cs.Gray("–")
	}
	return cs.Red("✗")
}

// printHuman writes the grouped report: passes only with verbose, a whole
// group of skips for one reason as one line, a hint under every warning and
// failure, then the summary line.
func (r *Report) printHuman(w io.Writer, cs *iostreams.ColorScheme, verbose bool) {
	for _, g := range Groups {
		var checks []Check
		for _, c := range r.Checks {
			if c.Group == g && (verbose || c.Status != StatusPass) {
				checks = append(checks, c)
			}
		}
		if len(checks) == 0 {
			continue
		}
		fmt.Fprintln(w, cs.Bold(g))
		for i := 0; i < len(checks); i++ {
			c := checks[i]
			if n := sameSkips(checks[i:]); n > 1 && !verbose {
				// A run of skips for one reason (a whole group, or what
				// follows a failure) is one line.
				fmt.Fprintf(w, "  %s %d checks skipped (%s): %s\n", Symbol(cs, StatusSkip), n, idRange(checks[i:i+n]), c.Message)
				i += n - 1
				continue
			}
			msg := c.Message
			if c.Status == StatusError {
				msg = "could not run: " + msg
			}
			fmt.Fprintf(w, "  %s %s: %s\n", Symbol(cs, c.Status), c.ID, indentRest(msg, "    "))
			for _, p := range c.Where {
				switch loc := p.Location(); {
				case loc == "" || strings.HasPrefix(c.Message, loc+":"):
				case p.Message != "" && p.Message != c.Message:
					fmt.Fprintf(w, "    %s: %s\n", loc, p.Message)
				default:
					fmt.Fprintf(w, "    at %s\n", loc)
				}
				if p.Hint != "" && p.Hint != c.Hint {
					fmt.Fprintf(w, "      %s %s\n", cs.Gray("hint:"), p.Hint)
				}
			}
			if c.Hint != "" && c.Status != StatusPass && c.Status != StatusSkip {
				fmt.Fprintf(w, "    %s %s\n", cs.Gray("hint:"), indentRest(c.Hint, "      "))
			}
		}
		if g == GroupToken && verbose && r.identity != nil {
			fmt.Fprintln(w, "  identity Convex would build (ctx.auth.getUserIdentity()):")
			for _, k := range slices.Sorted(maps.Keys(r.identity)) {
				v, _ := json.Marshal(r.identity[k])
				fmt.Fprintf(w, "    %s: %s\n", k, v)
			}
		}
	}
	mark := StatusPass
	switch {
	case !r.OK:
		mark = StatusFail
	case r.Summary.Warn > 0:
		mark = StatusWarn
	}
	fmt.Fprintf(w, "%s %s\n", Symbol(cs, mark), r.Summary)
	if dep := r.Deployment; dep != nil && !dep.Connected && dep.standIns {
		// The checks above judged local stand-ins for the deployment's
		// values; say so, and how to have the real ones judged.
		line := dep.NotConnected + "; local values stood in for the deployment's variables and providers"
		if dep.hint != "" {
			line += "\n  to connect: " + dep.hint
		}
		fmt.Fprintf(w, "%s %s\n", Symbol(cs, StatusSkip), line)
	}
}

// sameSkips counts the skips for the same reason at the start of checks.
func sameSkips(checks []Check) int {
	n := 0
	for _, c := range checks {
		if c.Status != StatusSkip || c.Message != checks[0].Message {
			break
		}
		n++
	}
	return n
}

// idRange names a run of checks by its first and last IDs.
func idRange(checks []Check) string {
	if len(checks) == 2 {
		return checks[0].ID + ", " + checks[1].ID
	}
	return checks[0].ID + " … " + checks[len(checks)-1].ID
}

func indentRest(s, indent string) string {
	return strings.ReplaceAll(s, "\n", "\n"+indent)
}

// every returns one when n is 1, else many with n in place of its %d.
func every(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return fmt.Sprintf(many, n)
}

func plural(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// annotate puts every warning, failure and error on the pull request, once
// per place in a file when the check has them, so that the problem shows on
// its line.
func (r *Report) annotate(a *ghactions.Annotator) {
	for _, c := range r.Checks {
		level := ghactions.LevelError
		switch c.Status {
		case StatusPass, StatusSkip:
			continue
		case StatusWarn:
			level = ghactions.LevelWarning
		}
		if len(c.Where) == 0 {
			a.Message(level, c.ID, c.Message, c.Hint)
			continue
		}
		for _, p := range c.Where {
			// The check's status decides the level, whatever the place's
			// own severity (--strict turns warnings into failures).
			p.Severity = diag.SeverityError
			if level == ghactions.LevelWarning {
				p.Severity = diag.SeverityWarning
			}
			if p.Message == c.Message {
				p.Message, p.Hint = "", ""
			}
			a.Problem(c.ID, p, c.Message, c.Hint)
		}
	}
}

// summary is the job summary section: the summary line, then every
// warning and failure with its hint.
func (r *Report) summary(redact func(string) string) *ghactions.Markdown {
	md := ghactions.NewMarkdown("convex-authkit doctor (authKit."+r.Env+")", redact)
	mark := "✓"
	switch {
	case !r.OK:
		mark = "✗"
	case r.Summary.Warn > 0:
		mark = "!"
	}
	md.Para(mark + " " + r.Summary.String())
	var rows [][]string
	for _, c := range r.Checks {
		switch c.Status {
		case StatusPass, StatusSkip:
			continue
		}
		status := string(c.Status)
		msg := c.Message
		for _, p := range c.Where {
			if loc := p.Location(); loc != "" && !strings.HasPrefix(msg, loc) {
				msg += "\n" + loc
				if p.Message != "" && p.Message != c.Message {
					msg += ": " + p.Message
				}
			}
		}
		rows = append(rows, []string{status, c.ID, msg, c.Hint})
	}
	md.Table([]string{"", "check", "result", "hint"}, []bool{false, true, false, false}, rows)
	if d := r.Deployment; d != nil && !d.Connected && d.NotConnected != "" {
		md.Para("Deployment: " + d.NotConnected)
	}
	return md
}
