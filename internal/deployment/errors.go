package deployment

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
)

// ErrorKind says what went wrong talking to a deployment, so that callers
// pick an exit code and a hint without reading messages.
type ErrorKind int

const (
	// KindRefused: the deployment answered 401 or 403; the key is wrong,
	// expired, for another deployment, or lacks the permission.
	KindRefused ErrorKind = iota + 1
	// KindNetwork: no answer (connection refused or dropped, DNS, timeout).
	KindNetwork
	// KindServer: 5xx or 429, still failing after the retries.
	KindServer
	// KindBadAnswer: a 2xx whose body is not the JSON this API answers
	// (a proxy's HTML page, a different service at that URL).
	KindBadAnswer
	// KindRejected: another 4xx; the deployment refused the request itself.
	KindRejected
	// KindFunction: a system function ran and failed (status 560 or
	// "status": "error"); what it answered is in Message.
	KindFunction
	// KindCLI: the project's Convex CLI failed; its output is in Message.
	KindCLI
)

// Error is a failed exchange with a deployment. Its text names the target
// and the operation, never the key or a variable's value.
type Error struct {
	Kind     ErrorKind
	Op       string // "list environment variables", "read the stored auth providers"
	Target   string // Target.Describe()
	Status   int    // HTTP status; 0 when there was no answer
	Code     string // the answer's "code", if any
	Message  string // the answer's message, one line, key masked
	Attempts int    // requests made, when more than one
	Err      error  // the underlying transport error, if any
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: could not %s", e.Target, e.Op)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": %d %s", e.Status, http.StatusText(e.Status))
	}
	if e.Code != "" {
		b.WriteString(": " + e.Code)
	}
	switch {
	case e.Message != "":
		b.WriteString(": " + e.Message)
	case e.Err != nil:
		b.WriteString(": " + e.Err.Error())
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (gave up after %d attempts)", e.Attempts)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Hint says how to fix it, naming the credential's variable.
func (e *Error) Hint(via string) string {
	switch e.Kind {
	case KindRefused:
		if e.Status == http.StatusForbidden {
			return fmt.Sprintf("the key in %s is valid but may not do this; use a deploy key with permission to read and write environment variables (Convex dashboard → Settings → Deploy keys)", via)
		}
		return fmt.Sprintf("the deployment does not accept the key in %s: it is mistyped, revoked, or for another deployment; copy a new one from the Convex dashboard", via)
	case KindNetwork:
		return "check the deployment URL and your network; the deployment did not answer"
	case KindServer:
		return "the deployment is failing or busy; try again later"
	case KindBadAnswer:
		return "the URL may not be a Convex deployment (a proxy, a custom domain serving something else): check it"
	case KindFunction:
		return "the deployment could not run the system query; run `npx convex run _system/frontend/listAuthProviders` to see it by hand"
	case KindCLI:
		return "run the same `npx convex` command yourself to see the whole error; `npx convex dev` logs you in"
	}
	return ""
}

// ExitCode is the exit status a command should end with for err: 3 for bad
// input, 4 for a refused key, 1 for everything else.
func ExitCode(err error) int {
	var ue *UsageError
	if errors.As(err, &ue) {
		return cmdutil.ExitUsage
	}
	var de *Error
	if errors.As(err, &de) && de.Kind == KindRefused {
		return cmdutil.ExitAuth
	}
	return cmdutil.ExitFailure
}

// CommandError turns err into the *cmdutil.Error Main prints, with its exit
// code and hint. via is Target.Via, for hints that name the variable.
func CommandError(err error, via string) error {
	if err == nil {
		return nil
	}
	var ue *UsageError
	if errors.As(err, &ue) {
		return &cmdutil.Error{Code: cmdutil.ExitUsage, Err: err, Hint: ue.Hint}
	}
	var de *Error
	if errors.As(err, &de) {
		return &cmdutil.Error{Code: ExitCode(err), Err: err, Hint: de.Hint(via)}
	}
	return &cmdutil.Error{Code: cmdutil.ExitFailure, Err: err}
}

// maxMessageLen keeps an HTML error page from flooding the terminal.
const maxMessageLen = 300

// tidy makes a server or CLI message one short line, with every secret in
// hide replaced by a mask.
func tidy(msg string, hide ...string) string {
	for _, h := range hide {
		if len(h) >= 6 {
			msg = strings.ReplaceAll(msg, h, "****")
		}
	}
	msg = strings.Join(strings.Fields(msg), " ")
	if utf8.RuneCountInString(msg) > maxMessageLen {
		msg = string([]rune(msg)[:maxMessageLen]) + "…"
	}
	return msg
}
