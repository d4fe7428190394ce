package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/convex-authkit/convex-authkit/internal/emulator"
	"github.com/convex-authkit/convex-authkit/internal/workos"
)

// scriptAPIKey is the emulator's key in every script. Its middle part is
// distinctive so that scripts can assert it never appears in any output; its
// masked form is sk_test_…wxyz.
const scriptAPIKey = "sk_test_s3cretScriptKey0000wxyz"

// scriptEmulator is one script's WorkOS emulator. emu-reset replaces srv.
type scriptEmulator struct {
	srv  *emulator.Server
	seen int // requests already printed by emu-requests
	// offset shifts the emulator's clock (emu-clock), so that scripts can
	// mint tokens that are already expired or not yet valid.
	offset atomic.Int64
}

func (se *scriptEmulator) now() time.Time {
	return time.Now().Add(time.Duration(se.offset.Load()))
}

const emulatorValue = "emulator"

// setupEmulator starts an emulator for the script, closed when it ends, and
// points apply at it through WORKOS_BASE_URL (and EMULATOR_HOST, the same
// without http://) and WORKOS_API_KEY. Scripts that
// need no key clear it with `env WORKOS_API_KEY=`.
func setupEmulator(env *testscript.Env) error {
	se := &scriptEmulator{}
	if err := se.start(scriptAPIKey, env.Setenv); err != nil {
		return err
	}
	env.Values[emulatorValue] = se
	env.Defer(func() { _ = se.srv.Close() })
	return nil
}

func (se *scriptEmulator) start(key string, setenv func(k, v string)) error {
	srv := emulator.New(emulator.Options{APIKey: key, Now: se.now})
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		return err
	}
	se.srv, se.seen = srv, 0
	setenv("WORKOS_BASE_URL", url)
	// For goldens (cmpenv) that show the address without the scheme.
	setenv("EMULATOR_HOST", strings.TrimPrefix(url, "http://"))
	setenv("WORKOS_API_KEY", key)
	return nil
}

// emulatorCmds act on the script's emulator:
//
//	emu-reset [api-key=KEY]     replace it with an empty one (an sk_live_ key makes it production)
//	emu-seed redirect URI [default] | emu-seed cors ORIGIN
//	emu-fault [SETTING...]      replace the faults; no setting clears them (see parseFaults)
//	emu-state                   print its redirect URIs, CORS origins and homepage URL
//	emu-requests                print the requests received since the last emu-requests
//	emu-user EMAIL PASSWORD     add a user who can sign in with the password
//	emu-token EMAIL FILE        mint an access token for the user into FILE
//	emu-clock OFFSET            shift the emulator's clock, e.g. -10m (0 resets it)
//	emu-template CONTENT        set the JWT template, as the WorkOS dashboard does
//	emu-await METHOD PATH STATUS  wait for such a request (STATUS no-answer: one in flight)
var emulatorCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"emu-reset":      emuCmd(emuReset),
	"emu-seed":       emuCmd(emuSeed),
	"emu-fault":      emuCmd(emuFault),
	"emu-state":      emuCmd(emuState),
	"emu-requests":   emuCmd(emuRequests),
	"emu-user":       emuCmd(emuUser),
	"emu-token":      emuCmd(emuToken),
	"emu-clock":      emuCmd(emuClock),
	"emu-template":   emuCmd(emuTemplate),
	"emu-await":      emuCmd(emuAwait),
	"emu-deliveries": emuCmd(emuDeliveries),
}

// emuDeliveries waits (up to 30s) until every webhook delivery has
// succeeded or run out of attempts, then prints each as
// "EVENT ENDPOINT STATUS attempts=N" (or "skipped: why").
func emuDeliveries(ts *testscript.TestScript, se *scriptEmulator, _ []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := se.srv.WaitDeliveries(ctx); err != nil {
		return fmt.Errorf("emu-deliveries: %w", err)
	}
	for _, d := range se.srv.Deliveries() {
		if d.Skipped != "" {
			fmt.Fprintf(ts.Stdout(), "%s %s skipped: %s\n", d.Event, d.Endpoint, d.Skipped)
			continue
		}
		fmt.Fprintf(ts.Stdout(), "%s %s %d attempts=%d\n", d.Event, d.Endpoint, d.Status, d.Attempts)
	}
	return nil
}

// emuAwait waits until the emulator has received a request METHOD PATH
// whose status is STATUS ("no-answer": still waiting for its answer, e.g.
// on injected latency), so a script can act at that moment. It fails
// after 30 seconds rather than hang.
func emuAwait(_ *testscript.TestScript, se *scriptEmulator, args []string) error {
	if len(args) != 3 {
		return fmt.Errorf("usage: emu-await METHOD PATH STATUS|no-answer")
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, r := range se.srv.Requests() {
			if r.Method == args[0] && r.Path == args[1] && requestStatus(r) == args[2] {
				return nil
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	return fmt.Errorf("emu-await: no %s %s answered %s within 30s", args[0], args[1], args[2])
}

func emuTemplate(_ *testscript.TestScript, se *scriptEmulator, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: emu-template CONTENT")
	}
	c := workos.New(workos.Options{BaseURL: se.srv.URL(), APIKey: se.srv.APIKey()})
	return c.SetJWTTemplate(context.Background(), args[0])
}

func emuUser(_ *testscript.TestScript, se *scriptEmulator, args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("usage: emu-user EMAIL PASSWORD")
	}
	se.srv.AddUser(args[0], args[1])
	return nil
}

// emuToken writes the token without a line break, as a user would paste it.
func emuToken(ts *testscript.TestScript, se *scriptEmulator, args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("usage: emu-token EMAIL FILE")
	}
	tok, err := se.srv.Token(args[0])
	if err != nil {
		return err
	}
	return os.WriteFile(ts.MkAbs(args[1]), []byte(tok), 0o600)
}

func emuClock(_ *testscript.TestScript, se *scriptEmulator, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: emu-clock OFFSET")
	}
	d, err := time.ParseDuration(args[0])
	if err != nil {
		return err
	}
	se.offset.Store(int64(d))
	return nil
}

// emuCmd adapts a command that cannot be negated and may fail with an error.
func emuCmd(run func(ts *testscript.TestScript, se *scriptEmulator, args []string) error) func(*testscript.TestScript, bool, []string) {
	return func(ts *testscript.TestScript, neg bool, args []string) {
		if neg {
			ts.Fatalf("emulator commands cannot be negated")
		}
		se, ok := ts.Value(emulatorValue).(*scriptEmulator)
		if !ok {
			ts.Fatalf("no emulator: the script setup did not start one")
		}
		ts.Check(run(ts, se, args))
	}
}

func emuReset(ts *testscript.TestScript, se *scriptEmulator, args []string) error {
	key := scriptAPIKey
	for _, a := range args {
		v, ok := strings.CutPrefix(a, "api-key=")
		if !ok {
			return fmt.Errorf("usage: emu-reset [api-key=KEY]")
		}
		key = v
	}
	if err := se.srv.Close(); err != nil {
		return err
	}
	return se.start(key, ts.Setenv)
}

func emuSeed(_ *testscript.TestScript, se *scriptEmulator, args []string) error {
	switch {
	case len(args) == 2 && args[0] == "redirect":
		se.srv.AddRedirectURI(args[1], false)
	case len(args) == 3 && args[0] == "redirect" && args[2] == "default":
		se.srv.AddRedirectURI(args[1], true)
	case len(args) == 2 && args[0] == "cors":
		se.srv.AddCORSOrigin(args[1])
	case (len(args) == 3 || len(args) == 4 && args[3] == "disabled") && args[0] == "webhook":
		se.srv.AddWebhookEndpoint(args[1], strings.Split(args[2], ","), len(args) == 3)
	default:
		return fmt.Errorf("usage: emu-seed redirect URI [default] | emu-seed cors ORIGIN | emu-seed webhook URL EVENT,... [disabled]")
	}
	return nil
}

func emuFault(_ *testscript.TestScript, se *scriptEmulator, args []string) error {
	f, err := parseFaults(args)
	if err != nil {
		return err
	}
	se.srv.SetFaults(f)
	return nil
}

// parseFaults reads emu-fault's settings, each KEY=VALUE or a flag:
//
//	method=POST path=/user_management/cors_origins  only requests matching these (default: all)
//	latency=20ms      delay each matching request
//	429=N retry-after=S  answer N matching requests 429 with Retry-After S (default 1)
//	5xx=N             answer N matching requests 503
//	drop=N            close N matching connections without answering
//	lost=N            handle N matching requests, then close without answering
//	dup=409|422       the status of "already exists" answers
//	no-list           the list endpoints answer 404 (an older server)
//	no-homepage       the homepage endpoint answers 404
//	jwks-content-type=TYPE  the JWKS is served with this Content-Type
func parseFaults(args []string) (emulator.Faults, error) {
	var f emulator.Faults
	var method, path string
	strs := map[string]*string{"method": &method, "path": &path, "retry-after": &f.RetryAfter, "jwks-content-type": &f.JWKSContentType}
	ints := map[string]*int{"429": &f.TooManyRequests, "5xx": &f.ServerErrors, "drop": &f.DropConnections,
		"lost": &f.LostResponses, "dup": &f.DuplicateStatus}
	flags := map[string]*bool{"no-list": &f.NoListEndpoints, "no-homepage": &f.NoHomepage}
	for _, a := range args {
		key, val, hasVal := strings.Cut(a, "=")
		var err error
		switch {
		case strs[key] != nil && hasVal:
			*strs[key] = val
		case ints[key] != nil && hasVal:
			*ints[key], err = strconv.Atoi(val)
		case key == "latency" && hasVal:
			f.Latency, err = time.ParseDuration(val)
		case flags[key] != nil && !hasVal:
			*flags[key] = true
		default:
			err = errors.New("unknown setting")
		}
		if err != nil {
			return f, fmt.Errorf("emu-fault: bad setting %q: %v", a, err)
		}
	}
	f.Match = strings.TrimSpace(method + " " + path)
	return f, nil
}

// emuState prints each list sorted: apply creates concurrently, so the
// emulator's creation order varies between runs.
func emuState(ts *testscript.TestScript, se *scriptEmulator, _ []string) error {
	w := ts.Stdout()
	for _, u := range slices.Sorted(slices.Values(se.srv.RedirectURIs())) {
		fmt.Fprintln(w, "redirect_uri", u)
	}
	for _, o := range slices.Sorted(slices.Values(se.srv.CORSOrigins())) {
		fmt.Fprintln(w, "cors_origin", o)
	}
	fmt.Fprintln(w, "app_homepage_url", cmp.Or(se.srv.HomepageURL(), "(none)"))
	for _, e := range se.srv.WebhookEndpoints() {
		fmt.Fprintln(w, "webhook_endpoint", e)
	}
	return nil
}

// resourceID is a path segment naming one object, e.g. redir_01J...: it
// varies between runs, so emu-requests prints {id} instead.
var resourceID = regexp.MustCompile(`/[a-z_]+_[0-9A-Z]{26}(/|$)`)

// emuRequests prints one line per distinct METHOD PATH STATUS with its count,
// sorted, so that concurrent requests print the same way every run. A
// request that got no answer (a dropped connection, a lost response, a
// client that gave up) has the status "no-answer". It prints nothing when no
// request came, which `! stdout .` checks.
func emuRequests(ts *testscript.TestScript, se *scriptEmulator, _ []string) error {
	w := ts.Stdout() // even when nothing is written, or stdout keeps the last exec's
	reqs := se.srv.Requests()
	counts := map[string]int{}
	for _, r := range reqs[se.seen:] {
		counts[r.Method+" "+resourceID.ReplaceAllString(r.Path, "/{id}$1")+" "+requestStatus(r)]++
	}
	se.seen = len(reqs)
	for _, l := range slices.Sorted(maps.Keys(counts)) {
		fmt.Fprintf(w, "%s x%d\n", l, counts[l])
	}
	return nil
}

// requestStatus is r's status as scripts write it: "no-answer" for a
// request that got none (yet).
func requestStatus(r emulator.Request) string {
	if r.Status == 0 {
		return "no-answer"
	}
	return strconv.Itoa(r.Status)
}
