package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
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
		"\n1/6 Start the WorkOS emulator\n    ✓ http://127.0.0.1:",
		" plays https://api.workos.com for client client_01JXWR78G1RS943SJZG9G9KFDW (API key sk_test_…0000)\n",
		"\n3/6 Set the project up with init\n    $ convex-authkit init --client-id client_01JXWR78G1RS943SJZG9G9KFDW --yes\n      unchanged convex.json\n      created   convex/auth.config.ts\n",
		"    ! skipped app homepage URL http://localhost:5173: ",
		"    in the demo: the app homepage is skipped because WorkOS answers 422",
		" signed in: access token …",
		" from https://api.workos.com/user_management/client_01JXWR78G1RS943SJZG9G9KFDW, valid 5m0s\n",
		"    ✓ 26 passed, 0 warnings, 0 failed, 3 skipped, 0 could not run\n",
		"\n✓ 6 of 6 steps succeeded: ",
		"The project folder was removed; pass --keep to look at the files.\n",
	)
	if strings.Contains(out, "unexpected in the demo") {
		t.Errorf("a check came out as the demo does not expect:\n%s", out)
	}
	if !strings.Contains(errOut, "    Using authKit.dev (--env dev)\n") {
		t.Errorf("stderr: %s", errOut)
	}
	if jwt.MatchString(out + errOut) {
		t.Errorf("the token was printed:\n%s%s", out, errOut)
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
	if got := strings.Join(ids, " "); got != "emulator copy init apply token doctor" {
		t.Errorf("steps %s", got)
	}
	if d := doc.Steps[5]; d.Report["ok"] != true || len(d.Notes) != 3 || !strings.HasPrefix(d.Command, "convex-authkit doctor --env dev --token …") {
		t.Errorf("doctor step: %+v", d)
	}
	if tok := doc.Steps[4].Report; tok["issuer"] != "https://api.workos.com/user_management/client_01JXWR78G1RS943SJZG9G9KFDW" || !strings.HasPrefix(tok["accessToken"].(string), "…") {
		t.Errorf("token step: %v", tok)
	}
	// Progress goes to stderr, so that stdout holds the document alone.
	if !strings.Contains(errOut, "\n6/6 Diagnose the project") || jwt.MatchString(out+errOut) {
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
	if strings.Join(got, " ") != "emulator=ok copy=ok init=failed apply=skipped token=skipped doctor=skipped" || doc.OK {
		t.Errorf("steps %v, ok %v", got, doc.OK)
	}
	// init treats the broken section as the user's own: it shows the diff
	// and will not replace it without --force.
	const refused = "init would replace what you wrote in convex.json; nothing was written"
	if a := doc.Steps[2]; a.Message != refused || a.Command == "" {
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
		" 1 failed, 3 skipped, 0 could not run\n\n✗ The demo stopped at the doctor step: ",
	)
	if strings.Contains(out, "sk_test_exposed0000000000000000") {
		t.Errorf("the key was printed:\n%s", out)
	}
}
