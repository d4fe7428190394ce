package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/deployment"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/tokencheck"
)

// TestProjectIsTheExample keeps the embedded copy equal to
// testdata/projects/vite, file for file.
func TestProjectIsTheExample(t *testing.T) {
	got, exp := readAll(t, Project()), readAll(t, os.DirFS(filepath.Join("..", "..", filepath.FromSlash(source))))
	if len(exp) == 0 {
		t.Fatal("the example has no files")
	}
	for name, content := range exp {
		if got[name] != content {
			t.Errorf("internal/demo/project/%s differs from %s/%s: copy it over", name, source, name)
		}
	}
	for name := range got {
		if _, ok := exp[name]; !ok {
			t.Errorf("internal/demo/project/%s is not in %s", name, source)
		}
	}
}

// readAll maps the name of every file of fsys to its content.
func readAll(t *testing.T, fsys fs.FS) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := fs.WalkDir(fsys, ".", func(name string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, name)
		out[name] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// wantIn fails unless out contains every one of want.
func wantIn(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

func run(t *testing.T, opts Options) (string, string, error) {
	t.Helper()
	ios, _, stdout, stderr := iostreams.Test()
	opts.IO = ios
	if opts.TempDir == "" {
		opts.TempDir = t.TempDir()
	}
	err := Run(context.Background(), opts)
	return stdout.String(), stderr.String(), err
}

var jwt = regexp.MustCompile(`eyJ[\w-]+\.eyJ`)

func TestRun(t *testing.T) {
	tmp := t.TempDir()
	out, errOut, err := run(t, Options{TempDir: tmp})
	if err != nil {
		t.Fatalf("Run: %v\n%s%s", err, out, errOut)
	}
	wantIn(t, out,
		"\n1/8 Start the WorkOS emulator\n    ✓ http://127.0.0.1:",
		" plays https://api.workos.com for client client_01EMV1AT0R0000000000000000 (API key sk_test_…0000)\n",
		"\n2/8 Start the Convex deployment emulator\n    ✓ http://127.0.0.1:",
		" plays deployment happy-otter-123 (CONVEX_DEPLOY_KEY=dev:happy-otter-123|…JldA), which holds WORKOS_CLIENT_ID=client_01EMV1AT0R0000000000000000\n",
		"\n4/8 Set the project up with init\n    $ convex-authkit init --client-id client_01EMV1AT0R0000000000000000 --yes --convex-url http://127.0.0.1:",
		"\n      unchanged convex.json\n      created   convex/auth.config.ts\n      updated   .env.local\n",
		"\n      unchanged deployment variable WORKOS_CLIENT_ID = client_01EMV1AT0R0000000000000000\n      created   deployment variable WORKOS_API_KEY = sk_test_…0000\n",
		"    – skipped app homepage URL http://localhost:5173: ",
		"    in the demo: the app homepage is skipped because WorkOS answers 422",
		"\n6/8 Push the auth config to the deployment, as npx convex dev would\n    $ npx convex dev --once\n",
		"\n    CustomJWT(issuer=https://api.workos.com/user_management/client_01EMV1AT0R0000000000000000, app_id=none)\n",
		"\n    ✓ deployment happy-otter-123 stores the 2 providers convex/auth.config.ts evaluates to with its variables\n",
		" signed in: access token …",
		" from https://api.workos.com/user_management/client_01EMV1AT0R0000000000000000, valid 5m0s\n",
		"    $ convex-authkit doctor --env dev --token …",
		"    ✓ 30 passed, 0 warnings, 0 failed, 10 skipped, 0 could not run\n",
		"\n✓ 8 of 8 steps succeeded: ",
		"and deployment happy-otter-123 holds WORKOS_API_KEY, WORKOS_CLIENT_ID.\n",
		"The project folder was removed; pass --keep to look at the files.\n",
	)
	if strings.Contains(out, "unexpected in the demo") {
		t.Errorf("a check came out as the demo does not expect:\n%s", out)
	}
	wantIn(t, errOut, "    Using authKit.dev (--env dev)\n", "    Using deployment happy-otter-123 via CONVEX_DEPLOY_KEY\n")
	if jwt.MatchString(out + errOut) {
		t.Errorf("the token was printed:\n%s%s", out, errOut)
	}
	if _, key, _ := strings.Cut(deployKey, "|"); strings.Contains(out+errOut, key) {
		t.Errorf("the deploy key was printed:\n%s%s", out, errOut)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("the project folder was left in %s", tmp)
	}
}

func TestRunKeep(t *testing.T) {
	out, _, err := run(t, Options{Keep: true})
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`The project is kept in (\S+)\.\n`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no folder named:\n%s", out)
	}
	// The files are init's real ones: WorkOS's issuers, not the emulator's.
	data, err := os.ReadFile(filepath.Join(m[1], "convex", "auth.config.ts"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "issuer: `https://api.workos.com/user_management/${clientId}`") {
		t.Errorf("auth.config.ts:\n%s", data)
	}
}

// TestRunDeploymentHoldsVariables is issue 10's "done when": after init,
// apply and doctor with a deployment connected, the deployment holds the
// WORKOS_* variables, .env.local has no WORKOS_CLIENT_ID, and doctor's
// deployment checks pass.
func TestRunDeploymentHoldsVariables(t *testing.T) {
	out, errOut, err := run(t, Options{Keep: true, JSON: true})
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, errOut)
	}
	var doc Report
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"WORKOS_CLIENT_ID": "client_01EMV1AT0R0000000000000000", "WORKOS_API_KEY": "sk_test_…0000"}
	if !maps.Equal(doc.DeploymentVariables, want) {
		t.Errorf("deploymentVariables = %v, want %v", doc.DeploymentVariables, want)
	}
	env, err := os.ReadFile(filepath.Join(doc.Dir, ".env.local"))
	if err != nil {
		t.Fatal(err)
	}
	if regexp.MustCompile(`(?m)^WORKOS_CLIENT_ID=`).Match(env) || !strings.Contains(string(env), "\nVITE_WORKOS_CLIENT_ID=client_01EMV1AT0R0000000000000000\n") {
		t.Errorf(".env.local:\n%s", env)
	}
	var rep struct {
		Checks []struct{ ID, Status string }
	}
	if err := json.Unmarshal(doc.Steps[len(doc.Steps)-1].Report, &rep); err != nil {
		t.Fatal(err)
	}
	passed := map[string]bool{}
	for _, c := range rep.Checks {
		passed[c.ID] = c.Status == "pass"
	}
	for _, id := range []string{"deployment.connection", "deployment.workos-variables", "deployment.providers", "config.placeholders", "token.provider-match", "token.signature"} {
		if !passed[id] {
			t.Errorf("doctor: %s did not pass: %+v", id, rep.Checks)
		}
	}
}

// TestStoredDocs: the providers the demo's push stores read back, through
// the deployment client's decoder, as the providers pushed.
func TestStoredDocs(t *testing.T) {
	app := "client_01"
	in := []tokencheck.Provider{
		{Type: tokencheck.TypeOIDC, Issuer: "https://issuer.example.com", ApplicationID: &app},
		{Type: tokencheck.TypeCustomJWT, Issuer: "https://api.workos.com/", ApplicationID: &app, JWKS: "https://api.workos.com/sso/jwks/client_01", Algorithm: "RS256"},
		{Type: tokencheck.TypeCustomJWT, Issuer: "https://api.workos.com/user_management/client_01", JWKS: "https://api.workos.com/sso/jwks/client_01", Algorithm: "ES256"},
	}
	raw, err := json.Marshal(storedDocs(in))
	if err != nil {
		t.Fatal(err)
	}
	got, err := deployment.DecodeProviders(raw)
	if err != nil {
		t.Fatalf("DecodeProviders(%s): %v", raw, err)
	}
	if len(got) != len(in) {
		t.Fatalf("got %d providers from %s", len(got), raw)
	}
	for i, p := range got {
		issuer := p.Issuer
		if p.Type == deployment.ProviderOIDC {
			issuer = p.Domain
		}
		w := in[i]
		if p.Type != w.Type || issuer != w.Issuer || p.JWKS != w.JWKS || p.Algorithm != w.Algorithm ||
			(p.ApplicationID == nil) != (w.ApplicationID == nil) || (p.ApplicationID != nil && *p.ApplicationID != *w.ApplicationID) {
			t.Errorf("provider %d: got %+v, want %+v", i, p, w)
		}
	}
}

func TestRunJSON(t *testing.T) {
	out, errOut, err := run(t, Options{JSON: true})
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, errOut)
	}
	var doc struct {
		SchemaVersion int    `json:"schemaVersion"`
		OK            bool   `json:"ok"`
		Dir           string `json:"dir"`
		Kept          bool   `json:"kept"`
		Steps         []struct {
			ID, Status, Command, Message string
			Notes                        []string
			Report                       map[string]any
		} `json:"steps"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, out)
	}
	if doc.SchemaVersion != 1 || !doc.OK || doc.Kept || !strings.Contains(doc.Dir, "convex-authkit-demo-") {
		t.Errorf("document: %+v", doc)
	}
	var ids []string
	for _, s := range doc.Steps {
		ids = append(ids, s.ID)
		if s.Status != StatusOK || s.Report == nil {
			t.Errorf("step %s: %s, report %v", s.ID, s.Status, s.Report)
		}
	}
	if got := strings.Join(ids, " "); got != "emulator deployment copy init apply push token doctor" {
		t.Errorf("steps %s", got)
	}
	if d := doc.Steps[7]; d.Report["ok"] != true || len(d.Notes) != 10 || !strings.HasPrefix(d.Command, "convex-authkit doctor --env dev --token …") {
		t.Errorf("doctor step: %+v", d)
	}
	if tok := doc.Steps[6].Report; tok["issuer"] != "https://api.workos.com/user_management/client_01EMV1AT0R0000000000000000" || !strings.HasPrefix(tok["accessToken"].(string), "…") {
		t.Errorf("token step: %v", tok)
	}
	// Progress goes to stderr, so that stdout holds the document alone.
	if !strings.Contains(errOut, "\n8/8 Diagnose the project") || jwt.MatchString(out+errOut) {
		t.Errorf("stderr:\n%s", errOut)
	}
}

// TestRunStopsAtFailure: a step that fails is reported with the command's
// error and problems, the later steps are skipped, the folder is removed
// and the exit status is 1. init is the first step to read convex.json.
func TestRunStopsAtFailure(t *testing.T) {
	broken := fstest.MapFS{
		"package.json": {Data: []byte(`{"dependencies": {"react": "^19.0.0"}, "devDependencies": {"vite": "^7.0.0"}}`)},
		"convex.json":  {Data: []byte(`{"authKit": {"dev": {"configure": {"redirectUris": [42]}}}}`)},
	}
	tmp := t.TempDir()
	out, errOut, err := run(t, Options{Project: broken, TempDir: tmp, JSON: true})
	var ce *cmdutil.Error
	if !errors.As(err, &ce) || ce.Code != cmdutil.ExitFailure || !ce.Silent {
		t.Fatalf("err = %v", err)
	}
	var doc Report
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range doc.Steps {
		got = append(got, s.ID+"="+s.Status)
	}
	if strings.Join(got, " ") != "emulator=ok deployment=ok copy=ok init=failed apply=skipped push=skipped token=skipped doctor=skipped" || doc.OK {
		t.Errorf("steps %v, ok %v", got, doc.OK)
	}
	// init treats the broken section as the user's own: it shows the diff
	// and will not replace it without --force.
	const refused = "init would replace what you wrote in convex.json; nothing was written"
	if a := doc.Steps[3]; a.Message != refused || a.Command == "" {
		t.Errorf("init step: %+v", a)
	}
	if !strings.Contains(errOut, `"redirectUris": [42]`) ||
		!strings.Contains(errOut, "\n✗ The demo stopped at the init step: "+refused+"\n") {
		t.Errorf("stderr:\n%s", errOut)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("the project folder was left in %s", tmp)
	}
}

// TestRunInterrupted: a step cut short by an interrupt (the context ends)
// stops the demo with exit status 2, not 1, and the folder is removed.
func TestRunInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ios, _, stdout, _ := iostreams.Test()
	tmp := t.TempDir()
	err := Run(ctx, Options{IO: ios, TempDir: tmp})
	var ce *cmdutil.Error
	if !errors.As(err, &ce) || ce.Code != cmdutil.ExitCancel || !ce.Silent {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(stdout.String(), "\n✗ The demo stopped at the apply step: ") {
		t.Errorf("stdout:\n%s", stdout)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("the project folder was left in %s", tmp)
	}
}

func TestIndent(t *testing.T) {
	var b bytes.Buffer
	w := indent(&b)
	for _, s := range []string{"one\n\ntw", "o\nthree", "\n"} {
		if _, err := w.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	if want := "    one\n\n    two\n    three\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

// TestRunDoctorFails: a check that fails fails the doctor step, and the
// demo says it did not expect it.
func TestRunDoctorFails(t *testing.T) {
	exposed := fstest.MapFS{}
	for name, content := range readAll(t, Project()) {
		if name == ".env.local" {
			content += "VITE_WORKOS_API_KEY=sk_test_exposed0000000000000000\n"
		}
		exposed[name] = &fstest.MapFile{Data: []byte(content)}
	}
	out, _, err := run(t, Options{Project: exposed})
	if err == nil {
		t.Fatal("Run succeeded")
	}
	wantIn(t, out,
		"\n    ✗ env.secret-exposure: ",
		"\n      unexpected in the demo\n",
		" 1 failed, 10 skipped, 0 could not run\n\n✗ The demo stopped at the doctor step: ",
	)
	if strings.Contains(out, "sk_test_exposed0000000000000000") {
		t.Errorf("the key was printed:\n%s", out)
	}
}
