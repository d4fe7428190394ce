package initcmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/framework"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/prompt"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// copyFixture copies testdata/projects/name into a temporary directory.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "testdata", "projects", name))); err != nil {
		t.Fatal(err)
	}
	return dir
}

// counting makes the generated cookie password predictable.
type counting struct{}

func (counting) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(i)
	}
	return len(p), nil
}

const testKey = "sk_test_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6"

type fakeForm struct {
	got    Questions
	asked  bool
	answer func(*Answers)
	err    error
}

func (f *fakeForm) Ask(a *Answers, q Questions) error {
	f.asked, f.got = true, q
	if f.answer != nil {
		f.answer(a)
	}
	return f.err
}

type fakePrompter struct {
	answer bool
	asked  string
}

func (p *fakePrompter) Confirm(title, _ string, _ bool) (bool, error) {
	p.asked = title
	return p.answer, nil
}

type run struct {
	opts           Options
	stdout, stderr *bytes.Buffer
	form           *fakeForm
	prompter       *fakePrompter
}

// newRun prepares a non-interactive run of init in dir, writing only
// convex.json unless the test says otherwise.
func newRun(dir string) *run {
	ios, _, stdout, stderr := iostreams.Test()
	r := &run{stdout: stdout, stderr: stderr, form: &fakeForm{}, prompter: &fakePrompter{}}
	r.opts = Options{IO: ios, Form: r.form, Prompter: r.prompter, Dir: dir,
		ConfigPath: filepath.Join(dir, "convex.json"), ConfigName: "convex.json",
		Env: map[string]string{"WORKOS_API_KEY": testKey}, Files: []string{FileConvexJSON}, Rand: counting{}}
	return r
}

func (r *run) interactive() *run {
	r.opts.IO.SetStdinTTY(true)
	r.opts.IO.SetStdoutTTY(true)
	return r
}

// wantExit fails unless err carries the exit code and a hint (or message)
// mentioning about.
func wantExit(t *testing.T, err error, code int, about string) {
	t.Helper()
	var ce *cmdutil.Error
	switch {
	case code == 0 && err == nil:
	case !errors.As(err, &ce) || ce.Code != code:
		t.Fatalf("err = %v, want exit %d", err, code)
	case !strings.Contains(ce.Hint+" "+ce.Error(), about):
		t.Fatalf("error %q, hint %q: nothing about %q", ce.Error(), ce.Hint, about)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestGolden runs init without a terminal on each fixture project,
// detecting the framework and port from its package.json and Vite config,
// and compares the convex.json and .env.local it writes with
// testdata/<fixture>.convex.json and testdata/<fixture>.env.local (-update
// rewrites them). The nextjs fixture already has a different authKit
// section, hence --force; vite's is the one init writes, and its other keys
// must survive. The API
// key is in the environment, and the server frameworks' .env.local gets it
// too: their server reads it there at runtime.
func TestGolden(t *testing.T) {
	for _, name := range []string{"vite", "nextjs", "tanstack-start", "react-router"} {
		t.Run(name, func(t *testing.T) {
			dir := copyFixture(t, name)
			r := newRun(dir)
			r.opts.Files, r.opts.Force, r.opts.ClientID = nil, true, "client_01K0FF1C1A1EM0000000000000"
			if err := Run(r.opts); err != nil {
				t.Fatalf("%v\n%s", err, r.stderr)
			}
			for _, file := range []string{"convex.json", ".env.local"} {
				got := readFile(t, filepath.Join(dir, file))
				golden := filepath.Join("testdata", name+"."+strings.TrimPrefix(file, "."))
				if *update {
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				if want := readFile(t, golden); got != want {
					t.Errorf("%s differs from %s (rerun with -update after checking):\n%s", file, golden, got)
				}
			}
			// The vite fixture's section is already the one init writes.
			config := "  convex.json"
			if name == "vite" {
				config = "unchanged convex.json"
			}
			for _, want := range []string{config, "created   convex/auth.config.ts", "  .env.local"} {
				if !strings.Contains(r.stdout.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
				}
			}
			if strings.Count(r.stdout.String(), "unchanged ") > strings.Count(config, "unchanged ") {
				t.Errorf("files reported unchanged on the first run:\n%s", r.stdout)
			}

			// Running init again changes nothing and says so.
			before := snapshot(t, dir)
			again := newRun(dir)
			again.opts.Files = nil
			if err := Run(again.opts); err != nil {
				t.Fatalf("%v\n%s", err, again.stderr)
			}
			out := again.stdout.String()
			for _, want := range []string{"Nothing to change", "unchanged convex.json", "unchanged convex/auth.config.ts", "unchanged .env.local"} {
				if !strings.Contains(out, want) {
					t.Errorf("second run lacks %q:\n%s", want, out)
				}
			}
			if after := snapshot(t, dir); !maps.Equal(before, after) {
				t.Error("the second run changed files")
			}
		})
	}
}

// snapshot reads every file of dir.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files[p] = readFile(t, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestRunNeedsFramework(t *testing.T) {
	r := newRun(t.TempDir())
	wantExit(t, Run(r.opts), cmdutil.ExitUsage, "--framework")
	r.opts.Framework = "nextjs"
	if err := Run(r.opts); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(readFile(t, r.opts.ConfigPath), `"environmentType": "production"`) {
		t.Error("not the Next.js section")
	}
}

func TestRunNeedsClientIDForEnvLocal(t *testing.T) {
	dir := copyFixture(t, "tanstack-start")
	r := newRun(dir)
	r.opts.Files = nil
	wantExit(t, Run(r.opts), cmdutil.ExitUsage, "--client-id")
	if _, err := os.Stat(r.opts.ConfigPath); err == nil {
		t.Fatal("convex.json written although init failed")
	}

	// A client ID from an earlier run (or `npx convex dev`) is found.
	if err := os.WriteFile(filepath.Join(dir, ".env.local"), []byte("WORKOS_CLIENT_ID=client_01FROMFILE\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = newRun(dir)
	r.opts.Files = []string{FileConvexJSON, FileEnvLocal}
	r.opts.JSON = true
	if err := Run(r.opts); err != nil {
		t.Fatal(err)
	}
	var rep Report
	if err := json.Unmarshal(r.stdout.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.NextSteps[0] != "npx convex env set WORKOS_CLIENT_ID client_01FROMFILE" {
		t.Errorf("next steps = %q", rep.NextSteps)
	}
}

func TestRunNeedsAPIKeyForEnvLocal(t *testing.T) {
	dir := copyFixture(t, "nextjs")
	r := newRun(dir)
	r.opts.Files, r.opts.ClientID, r.opts.Force = nil, "client_01ABC", true
	r.opts.Env = map[string]string{}
	wantExit(t, Run(r.opts), cmdutil.ExitUsage, "set WORKOS_API_KEY in the environment")

	// Typed into the (hidden) form field, it goes to .env.local and is
	// never printed.
	r = newRun(dir).interactive()
	r.opts.Files, r.opts.ClientID, r.opts.Force = nil, "client_01ABC", true
	r.opts.Env = map[string]string{}
	r.form.answer = func(a *Answers) { a.APIKey = testKey }
	if err := Run(r.opts); err != nil {
		t.Fatalf("%v\n%s", err, r.stderr)
	}
	if !r.form.got.APIKey {
		t.Error("the form was not allowed to ask for the key")
	}
	if !strings.Contains(readFile(t, filepath.Join(dir, ".env.local")), "WORKOS_API_KEY="+testKey) {
		t.Error("the key is not in .env.local")
	}
	if strings.Contains(r.stdout.String()+r.stderr.String(), testKey) {
		t.Errorf("the key was printed:\n%s%s", r.stdout, r.stderr)
	}

	// Skipped in the form: .env.local is left alone, with a word on why.
	dir = copyFixture(t, "nextjs")
	r = newRun(dir).interactive()
	r.opts.Files, r.opts.ClientID, r.opts.Force = nil, "client_01ABC", true
	r.opts.Env = map[string]string{}
	if err := Run(r.opts); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".env.local")); err == nil || !strings.Contains(r.stderr.String(), "Leaving .env.local alone") {
		t.Errorf(".env.local written, or no word on it:\n%s", r.stderr)
	}
}

// The API key is demanded only when the .env.local init writes would hold
// it: never when .env.local is not written, and, when convex.json is not
// written either, only when its authKit.dev.localEnvVars reads
// ${authEnv.WORKOS_API_KEY}.
func TestRunNeedsAPIKeyOnlyWhenUsed(t *testing.T) {
	noKey := `{"authKit": {"dev": {"configure": {"redirectUris": ["http://localhost:3000/callback"]},
  "localEnvVars": {"WORKOS_CLIENT_ID": "${authEnv.WORKOS_CLIENT_ID}", "NEXT_PUBLIC_WORKOS_REDIRECT_URI": "http://localhost:3000/callback"}}}}`
	tests := []struct {
		name       string
		convexJSON string // "" keeps the fixture's, which reads the key
		files      []string
		wantErr    string // "" = succeeds
		wantEnv    string // in .env.local after a success; "" = not written
	}{
		{name: "convex.json only", files: []string{FileConvexJSON}},
		{name: "convex.json only, its section without the key", convexJSON: noKey, files: []string{FileConvexJSON}},
		{name: ".env.local from a section without the key", convexJSON: noKey, files: []string{FileEnvLocal},
			wantEnv: "WORKOS_CLIENT_ID=client_01ABC\n"},
		{name: ".env.local from a section with localEnvVars false", files: []string{FileEnvLocal},
			convexJSON: `{"authKit": {"dev": {"configure": {"redirectUris": ["http://localhost:3000/callback"]}, "localEnvVars": false}}}`},
		{name: ".env.local from a section with the key", files: []string{FileEnvLocal}, wantErr: "set WORKOS_API_KEY in the environment"},
		{name: "both, the framework's section has the key", convexJSON: noKey, files: []string{FileConvexJSON, FileEnvLocal},
			wantErr: "set WORKOS_API_KEY in the environment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyFixture(t, "nextjs")
			if tt.convexJSON != "" {
				if err := os.WriteFile(filepath.Join(dir, "convex.json"), []byte(tt.convexJSON), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			r := newRun(dir)
			r.opts.Files, r.opts.ClientID, r.opts.Force = tt.files, "client_01ABC", true
			r.opts.Env = map[string]string{}
			err := Run(r.opts)
			if tt.wantErr != "" {
				wantExit(t, err, cmdutil.ExitUsage, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("%v\n%s", err, r.stderr)
			}
			env, err := os.ReadFile(filepath.Join(dir, ".env.local"))
			if tt.wantEnv == "" && err == nil && strings.Contains(string(env), "WORKOS_") {
				t.Errorf(".env.local written:\n%s", env)
			}
			if tt.wantEnv != "" && !strings.Contains(string(env), tt.wantEnv) {
				t.Errorf(".env.local = %q, want it to hold %q (%v)", env, tt.wantEnv, err)
			}
		})
	}
}

func TestRunKeepsADifferentSectionWithoutForce(t *testing.T) {
	dir := copyFixture(t, "nextjs")
	before := readFile(t, filepath.Join(dir, "convex.json"))
	r := newRun(dir)
	wantExit(t, Run(r.opts), cmdutil.ExitUsage, "--force")
	if readFile(t, filepath.Join(dir, "convex.json")) != before {
		t.Fatal("convex.json changed")
	}
	for _, want := range []string{"--- a/convex.json", "+++ b/convex.json", `-        "corsOrigins": ["http://localhost:3000"]`, "@@ "} {
		if !strings.Contains(r.stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
}

func TestRunAsksBeforeReplacing(t *testing.T) {
	for _, yes := range []bool{false, true} {
		dir := copyFixture(t, "nextjs")
		before := readFile(t, filepath.Join(dir, "convex.json"))
		r := newRun(dir).interactive()
		r.prompter.answer = yes
		err := Run(r.opts)
		if !r.form.asked || r.prompter.asked == "" {
			t.Fatalf("form asked %v, confirm asked %q", r.form.asked, r.prompter.asked)
		}
		changed := readFile(t, filepath.Join(dir, "convex.json")) != before
		if yes && (err != nil || !changed) {
			t.Errorf("confirmed: err %v, changed %v", err, changed)
		}
		if !yes {
			wantExit(t, err, cmdutil.ExitCancel, "cancelled")
			if changed {
				t.Error("declined, but convex.json changed")
			}
		}
	}
}

func TestRunFormGetsDefaultsAndFlags(t *testing.T) {
	dir := copyFixture(t, "react-router")
	r := newRun(dir).interactive()
	r.opts.Files = nil
	r.opts.Port = 8080
	r.opts.AuthDomainSet = true
	r.opts.Env = map[string]string{"WORKOS_API_KEY": "sk_test_fromtheenvironment0000"}
	var seen Answers
	r.form.answer = func(a *Answers) {
		seen = *a
		a.ClientID = "client_01TYPED"
		a.Files = []string{FileConvexJSON}
	}
	if err := Run(r.opts); err != nil {
		t.Fatal(err)
	}
	q := r.form.got
	if !q.Framework || q.Port || q.AuthDomain || !q.ClientID || !q.Files || q.APIKey {
		t.Errorf("questions = %+v", q)
	}
	if seen.Framework != framework.ReactRouter || seen.Port != 8080 || len(seen.Files) != 3 {
		t.Errorf("defaults = %+v", seen)
	}
	if q.PortFor(framework.TanStackStart) != 3000 || q.PortFor(framework.ReactRouter) != 5173 {
		t.Error("PortFor does not detect per framework")
	}
	if !strings.Contains(readFile(t, r.opts.ConfigPath), "http://localhost:8080/callback") {
		t.Error("--port ignored")
	}
	if !strings.Contains(r.stdout.String(), "WORKOS_CLIENT_ID client_01TYPED") {
		t.Errorf("stdout:\n%s", r.stdout)
	}

	// --yes takes the detected values without a form.
	r = newRun(copyFixture(t, "react-router")).interactive()
	r.opts.Yes = true
	if err := Run(r.opts); err != nil || r.form.asked {
		t.Fatalf("--yes: err %v, asked %v", err, r.form.asked)
	}

	// Cancelling the form is exit status 2.
	r = newRun(copyFixture(t, "react-router")).interactive()
	r.form.err = prompt.ErrCancelled
	wantExit(t, Run(r.opts), cmdutil.ExitCancel, "cancelled")
}

func TestRunReportsBrokenConvexJSON(t *testing.T) {
	dir := copyFixture(t, "vite")
	if err := os.WriteFile(filepath.Join(dir, "convex.json"), []byte("{\n  \"functions\": \"convex/\",\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Run(newRun(dir).opts)
	var ce *cmdutil.Error
	if !errors.As(err, &ce) || ce.Code != cmdutil.ExitUsage || len(ce.Problems) != 1 || ce.Problems[0].Line != 2 {
		t.Fatalf("err = %#v", err)
	}
}

// TestBrokenConvexJSONHidesSecrets: a syntax error quotes the word it
// stopped at, which may be a key pasted without quotes; whichever files
// init was asked for, the error says so with the key masked.
func TestBrokenConvexJSONHidesSecrets(t *testing.T) {
	dir := copyFixture(t, "vite")
	if err := os.WriteFile(filepath.Join(dir, "convex.json"), []byte(`{"x": `+testKey+"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, files := range [][]string{{FileConvexJSON}, {FileEnvLocal}} {
		r := newRun(dir)
		r.opts.Files, r.opts.ClientID = files, "client_01ABC"
		err := Run(r.opts)
		var ce *cmdutil.Error
		if !errors.As(err, &ce) || ce.Code != cmdutil.ExitUsage || len(ce.Problems) != 1 {
			t.Fatalf("%v: err = %#v", files, err)
		}
		if p := ce.Problems[0]; !strings.Contains(p.Message, "unexpected word") || strings.Contains(p.Message+p.Hint, testKey) {
			t.Errorf("%v: problem %q, hint %q", files, p.Message, p.Hint)
		}
	}
}

func TestRunJSONDocument(t *testing.T) {
	dir := copyFixture(t, "tanstack-start")
	r := newRun(dir)
	r.opts.JSON = true
	r.opts.AuthDomain, r.opts.AuthDomainSet = "auth.example.com", true
	if err := Run(r.opts); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(r.stdout.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	want := `{"authDomain":"auth.example.com","files":[{"action":"created","path":"convex.json"}],"framework":"tanstack-start","nextSteps":["npx convex env set WORKOS_CLIENT_ID <your WorkOS client ID>","npx convex env set WORKOS_API_KEY <your WorkOS API key>","convex-authkit apply --env dev","set WORKOS_API_HOSTNAME=auth.example.com where your production app is built"],"port":3000,"schemaVersion":1}`
	var got bytes.Buffer
	enc := json.NewEncoder(&got)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil || strings.TrimSpace(got.String()) != want {
		t.Errorf("got  %s\nwant %s", got.String(), want)
	}
}

// TestRunKeepsAForeignAuthConfig: an auth config convex-authkit did not
// write is generate auth-config's to refuse; init shows its diff with the
// others, and writes nothing at all until --force (or a yes).
func TestRunKeepsAForeignAuthConfig(t *testing.T) {
	dir := copyFixture(t, "react-router")
	mine := "export default { providers: [] };\n"
	if err := os.MkdirAll(filepath.Join(dir, "convex"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "convex", "auth.config.ts"), []byte(mine), 0o644); err != nil {
		t.Fatal(err)
	}
	r := newRun(dir)
	r.opts.Files, r.opts.ClientID = nil, "client_01ABC"
	wantExit(t, Run(r.opts), cmdutil.ExitUsage, "or keep yours with --files convex.json,.env.local")
	// Judged by the providers Convex would store: none there, two generated.
	if !strings.Contains(r.stderr.String(), "\n+ CustomJWT(issuer=https://api.workos.com/, app_id=${WORKOS_CLIENT_ID}) jwks=https://api.workos.com/sso/jwks/${WORKOS_CLIENT_ID} algorithm=RS256\n") ||
		!strings.Contains(r.stderr.String(), "convex/auth.config.ts was not written by convex-authkit, and Convex would store other providers") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	for _, name := range []string{"convex.json", ".env.local"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s written although init refused", name)
		}
	}

	r = newRun(dir).interactive()
	r.opts.Files, r.opts.ClientID = nil, "client_01ABC"
	r.prompter.answer = true
	if err := Run(r.opts); err != nil {
		t.Fatalf("%v\n%s", err, r.stderr)
	}
	if r.prompter.asked != "Replace convex/auth.config.ts?" {
		t.Errorf("asked %q", r.prompter.asked)
	}
	if got := readFile(t, filepath.Join(dir, "convex", "auth.config.ts")); !strings.HasPrefix(got, "// Code generated by convex-authkit") {
		t.Errorf("auth config not replaced:\n%s", got)
	}
}

// TestDiffHidesSecrets: a convex.json holding secrets (against advice) is
// shown as a diff before its section is replaced; the secrets are masked.
func TestDiffHidesSecrets(t *testing.T) {
	const password = "cookie-password-that-is-long-enough-0123456789"
	dir := t.TempDir()
	files := map[string]string{
		"package.json": `{"dependencies": {"next": "15.0.0"}}`,
		"convex.json": `{"authKit": {"dev": {"localEnvVars": {
  "WORKOS_COOKIE_PASSWORD": "` + password + `",
  "OTHER": "` + testKey + `"}}}}`,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := newRun(dir)
	wantExit(t, Run(r.opts), cmdutil.ExitUsage, "--force")
	out := r.stdout.String() + r.stderr.String()
	if !strings.Contains(out, `-  "WORKOS_COOKIE_PASSWORD": "…6789",`) {
		t.Errorf("no masked diff line:\n%s", out)
	}
	for _, s := range []string{password, testKey} {
		if strings.Contains(out, s) {
			t.Errorf("printed a secret:\n%s", out)
		}
	}
}
