package doctor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/diag"
	"github.com/convex-authkit/convex-authkit/internal/emulator"
	"github.com/convex-authkit/convex-authkit/internal/ghactions"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/prompt"
	"github.com/convex-authkit/convex-authkit/internal/tokencheck"
)

func TestSelect(t *testing.T) {
	all, err := Select(nil)
	if err != nil || len(all) != len(Specs) {
		t.Fatalf("Select(nil) = %d checks, %v", len(all), err)
	}
	sel, err := Select([]string{"jwks", "token.time"})
	if err != nil {
		t.Fatal(err)
	}
	want := Selection{"jwks.fetch": true, "jwks.content-type": true, "jwks.parse": true, "jwks.keys": true, "token.time": true}
	if !reflect.DeepEqual(sel, want) {
		t.Errorf("Select = %v", sel)
	}
	_, err = Select([]string{"jwks.fetch", "tokens"})
	var ue *UnknownCheckError
	if !errors.As(err, &ue) || ue.Name != "tokens" || !strings.Contains(ue.Valid(), "token.provider-match") {
		t.Errorf("unknown: %v", err)
	}
}

// TestSpecs keeps the registry consistent: unique IDs, known groups, in
// group order, and every check a run can produce registered.
func TestSpecs(t *testing.T) {
	seen := map[string]bool{}
	last := 0
	for _, s := range Specs {
		if seen[s.ID] || groupOf(s.ID) != s.Group || s.Description == "" {
			t.Errorf("bad spec %+v", s)
		}
		seen[s.ID] = true
		g := slices.Index(Groups, s.Group)
		if g < last {
			t.Errorf("%s is out of group order", s.ID)
		}
		last = g
	}
	for _, id := range append(append([]string{}, tokenIDs...), jwksIDs...) {
		if !seen[id] {
			t.Errorf("%s is not registered", id)
		}
	}
}

func TestHealthyProject(t *testing.T) {
	emu := startEmulator(t)
	dir := writeFiles(t, healthyFiles())
	opts, _, _ := options(dir, emu)
	opts.Login = testEmail
	opts.Options.Env["WORKOS_TEST_PASSWORD"] = testPassword
	rep := diagnose(t, opts)
	for _, c := range rep.Checks {
		if c.Status != StatusPass && c.Status != StatusSkip {
			t.Errorf("%s: %s: %s (hint: %s)", c.ID, c.Status, c.Message, c.Hint)
		}
	}
	if !rep.OK || rep.Summary.Pass < 25 || rep.Env != "dev" {
		t.Errorf("summary %+v ok %v", rep.Summary, rep.OK)
	}
	claims := find(rep, tokencheck.IDTokenClaims)
	id, _ := claims.Details["identity"].(map[string]any)
	if id == nil || !strings.HasPrefix(id["tokenIdentifier"].(string), emu.URL()+"/user_management/"+clientID+"|user_") {
		t.Errorf("identity = %v", claims.Details)
	}
	// Every JWKS URL is fetched once, however many checks use it.
	n := 0
	for _, r := range emu.Requests() {
		if strings.HasPrefix(r.Path, "/sso/jwks/") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the JWKS was fetched %d times", n)
	}
}

// TestSelectionMakesNoNeedlessRequests: the config and env checks are
// local, and the token checks need only the JWKS, not the WorkOS API.
func TestSelectionMakesNoNeedlessRequests(t *testing.T) {
	emu := startEmulator(t)
	dir := writeFiles(t, healthyFiles())
	opts, _, _ := options(dir, emu)
	opts.Select, _ = Select([]string{"config", "env", "authconfig"})
	rep := diagnose(t, opts)
	if len(rep.Checks) != 17 || !rep.OK {
		t.Errorf("%d checks, ok %v", len(rep.Checks), rep.OK)
	}
	if reqs := emu.Requests(); len(reqs) != 0 {
		t.Errorf("requests: %v", reqs)
	}

	tok, err := emu.Token(testEmail)
	if err != nil {
		t.Fatal(err)
	}
	opts.Select, _ = Select([]string{"token"})
	opts.Token, opts.TokenSource = tok, "--token"
	rep = diagnose(t, opts)
	if !rep.OK {
		t.Errorf("token: %+v", rep.Checks)
	}
	var paths []string
	for _, r := range emu.Requests() {
		paths = append(paths, r.Path)
	}
	if !reflect.DeepEqual(paths, []string{"/sso/jwks/" + clientID}) {
		t.Errorf("requests: %v", paths)
	}
}

// TestTokenOnly is token verify: the token checks and the jwks checks of
// the provider the token matched.
func TestTokenOnly(t *testing.T) {
	emu := startEmulator(t)
	files := healthyFiles()
	// A second customJwt provider with its own JWKS, which a token of the
	// emulator never matches: token verify must not fetch it.
	files["convex/auth.config.ts"] = strings.Replace(standardAuthConfig, "  ],", `    { type: "customJwt", issuer: "https://other.example.com", algorithm: "ES256", jwks: "http://127.0.0.1:9/jwks" },
  ],`, 1)
	dir := writeFiles(t, files)
	tok, err := emu.Token(testEmail)
	if err != nil {
		t.Fatal(err)
	}
	opts, _, _ := options(dir, emu)
	opts.Token, opts.TokenSource, opts.TokenOnly = tok, "stdin", true
	rep := diagnose(t, opts)
	var ids []string
	for _, c := range rep.Checks {
		ids = append(ids, c.ID)
		if c.Group == GroupJWKS && c.Details["url"] != emu.URL()+"/sso/jwks/"+clientID {
			t.Errorf("%s is about %v", c.ID, c.Details["url"])
		}
		// The token matched provider #2 only, numbered as in the file.
		if c.Group == GroupJWKS && !reflect.DeepEqual(c.Details["providers"], []int{2}) {
			t.Errorf("%s names providers %v", c.ID, c.Details["providers"])
		}
	}
	want := append(append([]string{}, jwksIDs...), IDTokenLogin)
	want = append(want, tokenIDs...)
	if !reflect.DeepEqual(ids, want) || !rep.OK {
		t.Errorf("checks %v ok %v", ids, rep.OK)
	}
}

func TestDeploymentEnv(t *testing.T) {
	emu := startEmulator(t)
	dir := writeFiles(t, healthyFiles())
	opts, _, _ := options(dir, emu)
	opts.Select, _ = Select([]string{"authconfig"})

	// KEY= unsets a variable the build has: Convex's missing-variable error.
	opts.DeploymentEnv = map[string]string{"WORKOS_CLIENT_ID": ""}
	rep := diagnose(t, opts)
	ev := find(rep, IDAuthConfigEvaluates)
	if ev.Status != StatusFail || !strings.HasPrefix(ev.Message, "AuthConfigMissingEnvironmentVariable: Environment variable WORKOS_CLIENT_ID is used") {
		t.Errorf("unset: %s %s", ev.Status, ev.Message)
	}

	// --deployment-env wins over the build's value.
	opts.DeploymentEnv = map[string]string{"WORKOS_CLIENT_ID": "client_01PR0D0000000000000000000000"}
	rep = diagnose(t, opts)
	if c := find(rep, IDAuthConfigClientID); c.Status != StatusFail || !strings.Contains(c.Message, "names client_01PR0D0000000000000000000000, but the app uses "+clientID) {
		t.Errorf("override: %s %s", c.Status, c.Message)
	}
	reads, _ := find(rep, IDAuthConfigEvaluates).Details["envRead"].([]map[string]string)
	if len(reads) != 2 || reads[1]["source"] != "--deployment-env" || reads[0]["source"] != "environment" {
		t.Errorf("envRead = %v", reads)
	}
}

// TestBlocked: a check whose input is missing is skipped when its cause is
// reported, an error otherwise.
func TestBlocked(t *testing.T) {
	emu := startEmulator(t)
	files := healthyFiles()
	files["convex/auth.config.ts"] = `export default { providers: [{ type: "customJwt", issuer: process.env.NOPE }] };`
	dir := writeFiles(t, files)
	opts, _, _ := options(dir, emu)
	opts.Select, _ = Select([]string{"authconfig", "jwks"})
	st := statuses(diagnose(t, opts))
	if st[IDAuthConfigEvaluates] != StatusFail || st[tokencheck.IDJWKSFetch] != StatusSkip || st[IDAuthConfigClientID] != StatusSkip {
		t.Errorf("with the cause: %v", st)
	}
	opts.Select, _ = Select([]string{"jwks"})
	rep := diagnose(t, opts)
	c := find(rep, tokencheck.IDJWKSFetch)
	if c.Status != StatusError || !strings.Contains(c.Message, "Environment variable NOPE") || rep.OK {
		t.Errorf("without the cause: %s %s", c.Status, c.Message)
	}
}

// TestNoSecretInOutput runs doctor in every output mode with a token, a
// password and an API key, and looks for each in everything printed.
func TestNoSecretInOutput(t *testing.T) {
	emu := startEmulator(t)
	files := healthyFiles()
	// A secret where it must not be, so that messages are about it.
	files[".env.local"] += "VITE_WORKOS_API_KEY=" + testKey + "\n"
	dir := writeFiles(t, files)
	tok, err := emu.Token(testEmail)
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []struct {
		json, verbose, login bool
	}{{false, false, false}, {false, true, false}, {true, true, false}, {false, true, true}, {true, false, true}} {
		opts, out, errOut := options(dir, emu)
		opts.JSON, opts.Verbose = mode.json, mode.verbose
		opts.CI.Annotate = ghactions.NewAnnotator(ghactions.Env{Actions: true, Workspace: dir}, out, dir, nil, "convex-authkit doctor")
		summary := filepath.Join(t.TempDir(), "summary.md")
		opts.CI.SummaryPath = summary
		if mode.login {
			opts.Login = testEmail
			opts.Options.Env["WORKOS_TEST_PASSWORD"] = testPassword
		} else {
			opts.Token, opts.TokenSource = tok, "--token"
		}
		err := Run(context.Background(), opts)
		var ce *cmdutil.Error
		if !errors.As(err, &ce) || ce.Code != cmdutil.ExitFailure {
			t.Fatalf("%+v: %v (the exposed key must fail env.secret-exposure)", mode, err)
		}
		md, err := os.ReadFile(summary)
		if err != nil || !strings.Contains(string(md), "env.secret-exposure") {
			t.Fatalf("%+v: summary %q, %v", mode, md, err)
		}
		all := out.String() + errOut.String() + string(md)
		for _, s := range []string{tok, tok[len(tok)-20:], testPassword, testKey, "d0ct0rUnitKey"} {
			if strings.Contains(all, s) {
				t.Errorf("%+v printed %q:\n%s", mode, s, all)
			}
		}
		if mode.login && !strings.Contains(all, "signed in as "+testEmail) {
			t.Errorf("%+v: no login\n%s", mode, all)
		}
	}
}

// TestJSONShape checks the fixed keys of the document and of every check.
func TestJSONShape(t *testing.T) {
	emu := startEmulator(t)
	dir := writeFiles(t, healthyFiles())
	opts, out, _ := options(dir, emu)
	opts.JSON = true
	if err := Run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if got := slices.Sorted(maps.Keys(doc)); !reflect.DeepEqual(got, []string{"checks", "deployment", "env", "ok", "schemaVersion", "summary"}) {
		t.Errorf("keys %v", got)
	}
	var summary map[string]int
	_ = json.Unmarshal(doc["summary"], &summary)
	if got := slices.Sorted(maps.Keys(summary)); !reflect.DeepEqual(got, []string{"error", "fail", "pass", "skip", "warn"}) {
		t.Errorf("summary keys %v", got)
	}
	var checks []map[string]json.RawMessage
	_ = json.Unmarshal(doc["checks"], &checks)
	if len(checks) != len(Specs) {
		t.Errorf("%d checks, want %d", len(checks), len(Specs))
	}
	for _, c := range checks {
		if got := slices.Sorted(maps.Keys(c)); !reflect.DeepEqual(got, []string{"details", "group", "hint", "id", "message", "status"}) {
			t.Errorf("check keys %v", got)
		}
	}
}

func TestStrict(t *testing.T) {
	rep := &Report{Checks: []Check{warn("env.gitignore", "x", "y"), pass("config.valid", "ok")}}
	rep.finish(false)
	if !rep.OK || rep.Summary.Warn != 1 {
		t.Errorf("not strict: %+v", rep.Summary)
	}
	rep.finish(true)
	if rep.OK || rep.Summary.Fail != 1 || rep.Summary.Warn != 0 || !strings.HasSuffix(rep.Checks[0].Message, "failed by --strict)") {
		t.Errorf("strict: %+v %s", rep.Summary, rep.Checks[0].Message)
	}
}

func TestAnnotations(t *testing.T) {
	rep := &Report{Checks: []Check{
		fail("config.urls", "2 URLs", "").at(
			diag.Problem{File: "convex.json", Line: 5, Column: 26, Message: "uses http, 100% wrong", Hint: "use https://"},
			diag.Problem{File: "convex.json", Line: 6, Message: "a: b, c"}),
		warn("env.gitignore", ".env.local is not ignored\nby git", "add it"),
		pass("config.valid", "fine"),
		newCheck("jwks.fetch", StatusError, "timeout", ""),
	}}
	var buf bytes.Buffer
	rep.annotate(ghactions.NewAnnotator(ghactions.Env{Actions: true, Workspace: "/repo"}, &buf, "/repo", nil, "convex-authkit doctor"))
	want := `::error file=convex.json,line=5,col=26,title=convex-authkit doctor config.urls::uses http, 100%25 wrong%0Ahint: use https://
::error file=convex.json,line=6,title=convex-authkit doctor config.urls::a: b, c
::warning title=convex-authkit doctor env.gitignore::.env.local is not ignored%0Aby git%0Ahint: add it
::error title=convex-authkit doctor jwks.fetch::timeout
`
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestPrintHuman(t *testing.T) {
	rep := &Report{Checks: []Check{
		pass("config.valid", "convex.json is valid"),
		fail("env.client-id", "VITE_WORKOS_CLIENT_ID is client_B", "set it").at(diag.Problem{File: ".env.local", Line: 2, Path: "VITE_WORKOS_CLIENT_ID", Message: "VITE_WORKOS_CLIENT_ID is client_B"}),
		skip("token.login", "no token"), skip("token.decode", "no token"), skip("token.time", "no token"),
	}}
	rep.finish(false)
	ios, _, out, _ := iostreams.Test()
	rep.printHuman(out, ios.ColorScheme(), false)
	want := `env
  ✗ env.client-id: VITE_WORKOS_CLIENT_ID is client_B
    at .env.local:2: VITE_WORKOS_CLIENT_ID
    hint: set it
token
  – 3 checks skipped (token.login … token.time): no token
✗ 1 passed, 0 warnings, 1 failed, 3 skipped, 0 could not run
`
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

// TestLoginNeedsPassword: without WORKOS_TEST_PASSWORD and a terminal,
// --login is a usage error naming the variable; a cancelled prompt is exit 2.
func TestLoginNeedsPassword(t *testing.T) {
	emu := emulator.New(emulator.Options{})
	dir := writeFiles(t, healthyFiles())
	opts, _, _ := options(dir, emu)
	opts.Login = testEmail
	_, _, err := Diagnose(context.Background(), opts)
	var ce *cmdutil.Error
	if !errors.As(err, &ce) || ce.Code != cmdutil.ExitUsage || !strings.Contains(ce.Hint, "WORKOS_TEST_PASSWORD") {
		t.Errorf("no terminal: %v", err)
	}
	opts.AskPassword = func(string) (string, error) { return "", prompt.ErrCancelled }
	if _, _, err := Diagnose(context.Background(), opts); !errors.Is(err, cmdutil.ErrCancel) {
		t.Errorf("cancelled: %v", err)
	}
}

// TestTimeouts: a server slower than --request-timeout makes the checks
// that needed it errors (could not run), not failures, and the run is not
// OK.
func TestTimeouts(t *testing.T) {
	emu := startEmulator(t)
	emu.SetFaults(emulator.Faults{Latency: 5 * time.Second})
	dir := writeFiles(t, healthyFiles())
	opts, _, _ := options(dir, emu)
	opts.RequestTimeout = 100 * time.Millisecond
	rep := diagnose(t, opts)
	st := statuses(rep)
	for _, id := range []string{tokencheck.IDJWKSFetch, IDWorkOSAPIKey} {
		if st[id] != StatusError {
			t.Errorf("%s = %s: %s", id, st[id], find(rep, id).Message)
		}
	}
	if rep.OK || rep.Summary.Error == 0 {
		t.Errorf("summary %+v", rep.Summary)
	}
}

// TestOverallTimeout: when --timeout ends the run before a JWKS server
// answers, jwks.fetch says so and names the flag, not Go's "context
// deadline exceeded" after the URL a second time.
func TestOverallTimeout(t *testing.T) {
	emu := startEmulator(t)
	tok, err := emu.Token(testEmail)
	if err != nil {
		t.Fatal(err)
	}
	emu.SetFaults(emulator.Faults{Latency: 5 * time.Second})
	dir := writeFiles(t, healthyFiles())
	opts, _, _ := options(dir, emu)
	opts.Select, _ = Select([]string{GroupJWKS, GroupToken})
	opts.Token, opts.TokenSource = tok, "--token"
	// Long enough for the auth config's child process, far shorter than
	// the server's latency.
	opts.Timeout = time.Second
	rep := diagnose(t, opts)
	c := find(rep, tokencheck.IDJWKSFetch)
	if c.Status != StatusError || !strings.Contains(c.Message, "before the overall time limit ran out") ||
		strings.Contains(c.Message, "context deadline") || !strings.Contains(c.Hint, "--timeout") {
		t.Errorf("%s: %s (hint: %s)", c.Status, c.Message, c.Hint)
	}
	// token.signature waits for the same fetch.
	if c := find(rep, tokencheck.IDTokenSignature); c.Status != StatusError || strings.Contains(c.Message, "context deadline") {
		t.Errorf("%s: %s", c.Status, c.Message)
	}
}

// TestCustomDomain: with a custom authentication domain in the app's
// variables, tokens will name it, so its providers must be there too.
func TestCustomDomain(t *testing.T) {
	emu := startEmulator(t)
	files := healthyFiles()
	files[".env.local"] += "VITE_WORKOS_API_HOSTNAME=auth.example.com\n"
	dir := writeFiles(t, files)
	opts, _, _ := options(dir, emu)
	opts.Select, _ = Select([]string{IDAuthConfigProviders})
	c := find(diagnose(t, opts), IDAuthConfigProviders)
	if c.Status != StatusWarn || !strings.Contains(c.Message, "custom authentication domain (iss https://auth.example.com/user_management/"+clientID) ||
		!strings.Contains(c.Hint, "generate auth-config --auth-domain auth.example.com") {
		t.Errorf("%s: %s (hint: %s)", c.Status, c.Message, c.Hint)
	}

	files["convex/auth.config.ts"] = strings.Replace(standardAuthConfig, "  ],", `    { type: "customJwt", issuer: "https://auth.example.com/user_management/" + clientId, algorithm: "RS256", jwks: base + "/sso/jwks/" + clientId },
  ],`, 1)
	opts, _, _ = options(writeFiles(t, files), emu)
	opts.Select, _ = Select([]string{IDAuthConfigProviders})
	if c := find(diagnose(t, opts), IDAuthConfigProviders); c.Status != StatusPass || !strings.Contains(c.Message, "provider #3 accepts AuthKit access tokens (iss https://auth.example.com/") {
		t.Errorf("%s: %s", c.Status, c.Message)
	}
}
