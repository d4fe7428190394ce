package envgen

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/config"
	"github.com/convex-authkit/convex-authkit/internal/dotenv"
	"github.com/convex-authkit/convex-authkit/internal/framework"
	"github.com/convex-authkit/convex-authkit/internal/project"
	"github.com/convex-authkit/convex-authkit/internal/resolve"
)

// planIn writes files into a temporary project and plans its .env.local
// the way init would: project.Load, resolve.Resolve, Plan.
func planIn(t *testing.T, files, environ map[string]string, mutate func(*Request)) (*Result, string, error) {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if environ == nil {
		environ = map[string]string{}
	}
	cfg, _, target, err := project.Load(project.Options{
		ConfigPath: filepath.Join(dir, "convex.json"), ConfigName: "convex.json", Dir: dir, EnvFlag: "dev", Env: environ,
	})
	if err != nil {
		t.Fatal(err)
	}
	req := Request{
		Dir: dir, Config: cfg, Section: resolve.Resolve(cfg, config.Dev, target.Sources), Sources: target.Sources, Environ: environ,
		Rand: zeros{}, Ignored: func(string, string) (bool, error) { return true, nil },
	}
	if mutate != nil {
		mutate(&req)
	}
	res, err := Plan(req)
	return res, dir, err
}

func devConfig(localEnvVars string) string {
	return `{"authKit": {"dev": {"localEnvVars": ` + localEnvVars + `}}}`
}

const nextPackage = `{"dependencies": {"next": "15.0.0"}}`

func actions(res *Result) string {
	var out []string
	for _, v := range res.Variables {
		out = append(out, v.Name+":"+v.Action)
	}
	return strings.Join(out, " ")
}

func TestNothingToWrite(t *testing.T) {
	tests := []struct {
		name, config, want string
	}{
		{"no dev section", `{"authKit": {"prod": {}}}`, "convex.json has no authKit.dev section"},
		{"no authKit", `{}`, "convex.json has no authKit.dev section"},
		{"localEnvVars false", devConfig("false"), "authKit.dev.localEnvVars is absent or false"},
		{"localEnvVars absent", `{"authKit": {"dev": {}}}`, "authKit.dev.localEnvVars is absent or false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Even for Next.js: the Convex CLI writes no cookie password then.
			res, _, err := planIn(t, map[string]string{"convex.json": tt.config, "package.json": nextPackage}, nil, nil)
			if err != nil || res.Nothing != tt.want || res.Changed() {
				t.Fatalf("Plan = %+v, %v; want Nothing %q", res, err, tt.want)
			}
		})
	}
	t.Run("empty object, Next.js: the cookie password only", func(t *testing.T) {
		res, _, err := planIn(t, map[string]string{"convex.json": devConfig("{}"), "package.json": nextPackage}, nil, nil)
		if err != nil || actions(res) != "WORKOS_COOKIE_PASSWORD:added" {
			t.Fatalf("Plan = %v, %v", actions(res), err)
		}
	})
	t.Run("empty object, Vite: no file", func(t *testing.T) {
		res, dir, err := planIn(t, map[string]string{"convex.json": devConfig("{}")}, nil, nil)
		if err != nil || res.Changed() || len(res.Variables) != 0 {
			t.Fatalf("Plan = %+v, %v", res, err)
		}
		if err := res.Write(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, FileName)); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("a file was created: %v", err)
		}
	})
}

func TestSkipsAndKeeps(t *testing.T) {
	cfg := devConfig(`{
		"IN_ENV": "x", "EMPTY_IN_ENV": "x", "IN_DOTENV": "x", "IN_FILE": "new", "SAME": "same",
		"EMPTY_IN_FILE": "filled", "UNRESOLVED_IN_ENV": "${buildEnv.NOPE}", "UNRESOLVED_KEPT": "${buildEnv.NOPE}", "NEW": "n"}`)
	files := map[string]string{
		"convex.json": cfg,
		".env":        "IN_DOTENV=from-dotenv\n",
		".env.local":  "IN_FILE=old\nSAME=same\nEMPTY_IN_FILE=\nUNRESOLVED_KEPT=mine\n",
	}
	environ := map[string]string{"IN_ENV": "e", "EMPTY_IN_ENV": "", "UNRESOLVED_IN_ENV": "e"}
	want := "IN_ENV:skipped-set-in-environment EMPTY_IN_ENV:added IN_DOTENV:skipped-set-in-env-file IN_FILE:kept SAME:unchanged " +
		"EMPTY_IN_FILE:replaced UNRESOLVED_IN_ENV:skipped-set-in-environment UNRESOLVED_KEPT:kept NEW:added"
	res, _, err := planIn(t, files, environ, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(res); got != want {
		t.Errorf("actions\n got %s\nwant %s", got, want)
	}
	if v := res.Variables[2]; v.Source != ".env:1" {
		t.Errorf("IN_DOTENV source = %q", v.Source)
	}
	if v := res.Variables[3]; v.Source != ".env.local:1" || v.Value != "" {
		t.Errorf("IN_FILE = %+v", v)
	}

	t.Run("force", func(t *testing.T) {
		// An unresolved value cannot be compared, so --force needs it.
		_, _, err := planIn(t, files, environ, func(r *Request) { r.Force = true })
		var ce *cmdutil.Error
		if !errors.As(err, &ce) || ce.Code != cmdutil.ExitUsage || len(ce.Problems) != 1 || ce.Problems[0].Path != "authKit.dev.localEnvVars.UNRESOLVED_KEPT" {
			t.Fatalf("err = %#v", err)
		}
		files := map[string]string{"convex.json": devConfig(`{"IN_FILE": "new"}`), ".env.local": "IN_FILE=old\n"}
		res, _, err := planIn(t, files, nil, func(r *Request) { r.Force = true })
		if err != nil || actions(res) != "IN_FILE:replaced" || string(res.New) != "IN_FILE=new\n" {
			t.Fatalf("Plan = %s %q, %v", actions(res), res.New, err)
		}
	})
}

func TestUnresolved(t *testing.T) {
	files := map[string]string{"convex.json": devConfig(`{"A": "${buildEnv.NOPE}", "B": "${authEnv.WORKOS_CLIENT_ID}"}`)}
	_, dir, err := planIn(t, files, nil, nil)
	var ce *cmdutil.Error
	if !errors.As(err, &ce) || ce.Code != cmdutil.ExitUsage || len(ce.Problems) != 2 {
		t.Fatalf("err = %#v", err)
	}
	if !strings.Contains(err.Error(), "2 placeholders in authKit.dev.localEnvVars could not be resolved; nothing was written") {
		t.Errorf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); err == nil {
		t.Error("a file was written")
	}
}

func TestPublicSecret(t *testing.T) {
	const key = "sk_test_0123456789abcdefghij"
	files := map[string]string{"convex.json": `{
  "authKit": {"dev": {"localEnvVars": {
    "VITE_WORKOS_API_KEY": "${authEnv.WORKOS_API_KEY}",
    "NEXT_PUBLIC_KEY": "sk_live_abcdefghijklmnop",
    "VITE_OK": "${authEnv.WORKOS_CLIENT_ID}",
    "WORKOS_API_KEY": "${authEnv.WORKOS_API_KEY}"
  }}}
}`}
	environ := map[string]string{"WORKOS_API_KEY": key, "WORKOS_CLIENT_ID": "client_1"}
	_, _, err := planIn(t, files, environ, nil)
	var ce *cmdutil.Error
	if !errors.As(err, &ce) || ce.Code != cmdutil.ExitUsage || len(ce.Problems) != 2 {
		t.Fatalf("err = %#v", err)
	}
	p := ce.Problems[0]
	if p.Line != 3 || p.Path != "authKit.dev.localEnvVars.VITE_WORKOS_API_KEY" || !strings.Contains(p.Message, "the WorkOS API key under the public prefix VITE_") {
		t.Errorf("problem = %+v", p)
	}
	if !strings.Contains(ce.Problems[1].Message, "an sk_ secret key under the public prefix NEXT_PUBLIC_") {
		t.Errorf("problem = %+v", ce.Problems[1])
	}

	res, _, err := planIn(t, files, environ, func(r *Request) { r.AllowPublicSecret = true })
	if err != nil || len(res.Warnings) != 2 || !strings.Contains(string(res.New), "VITE_WORKOS_API_KEY="+key) {
		t.Fatalf("Plan = %+v, %v", res, err)
	}
	// Every secret is known to the redactor, masked in Variables.
	if v := res.Variables[0]; !v.Secret || strings.Contains(v.Value, key) {
		t.Errorf("variable = %+v", v)
	}
}

func TestCookiePassword(t *testing.T) {
	files := map[string]string{"convex.json": devConfig(`{"A": "1"}`), "package.json": `{"devDependencies": {"@tanstack/start": "1"}}`}
	res, _, err := planIn(t, files, nil, func(r *Request) { r.Rand = nil })
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`\nWORKOS_COOKIE_PASSWORD=[A-Za-z0-9_-]{43}\n$`).Match(res.New) {
		t.Fatalf("file = %q", res.New)
	}
	res2, _, _ := planIn(t, files, nil, func(r *Request) { r.Rand = nil })
	if string(res.New) == string(res2.New) {
		t.Error("two cookie passwords are equal")
	}

	t.Run("never replaced, short one warned about", func(t *testing.T) {
		files := map[string]string{"convex.json": devConfig(`{}`), "package.json": nextPackage, ".env.local": "WORKOS_COOKIE_PASSWORD=short\n"}
		res, _, err := planIn(t, files, nil, func(r *Request) { r.Force = true })
		if err != nil || res.Changed() || actions(res) != "WORKOS_COOKIE_PASSWORD:kept" || len(res.Warnings) != 1 {
			t.Fatalf("Plan = %s %q, %v", actions(res), res.Warnings, err)
		}
		if strings.Contains(res.Warnings[0], "short\n") {
			t.Errorf("warning shows the value: %s", res.Warnings[0])
		}
	})
	t.Run("a comment mentioning it is not a value", func(t *testing.T) {
		files := map[string]string{"convex.json": devConfig(`{}`), "package.json": nextPackage, ".env.local": "# WORKOS_COOKIE_PASSWORD=\n"}
		res, _, _ := planIn(t, files, nil, nil)
		if actions(res) != "WORKOS_COOKIE_PASSWORD:added" {
			t.Fatalf("actions = %s", actions(res))
		}
	})
	t.Run("listed in localEnvVars", func(t *testing.T) {
		files := map[string]string{"convex.json": devConfig(`{"WORKOS_COOKIE_PASSWORD": "${buildEnv.S}"}`), "package.json": nextPackage}
		res, _, _ := planIn(t, files, map[string]string{"S": "from-convex-json-0123456789-0123456789"}, nil)
		if actions(res) != "WORKOS_COOKIE_PASSWORD:added" || !strings.Contains(string(res.New), "from-convex-json") {
			t.Fatalf("Plan = %s %q", actions(res), res.New)
		}
	})
	t.Run("requested for another framework", func(t *testing.T) {
		files := map[string]string{"convex.json": devConfig(`{}`)}
		res, _, _ := planIn(t, files, nil, func(r *Request) { r.Framework = framework.ReactRouter })
		if actions(res) != "WORKOS_COOKIE_PASSWORD:added" {
			t.Fatalf("actions = %s", actions(res))
		}
	})
	t.Run("requested with an unreadable package.json", func(t *testing.T) {
		// init --framework nextjs asks for it whatever package.json says:
		// no warning may claim it is not generated.
		files := map[string]string{"convex.json": devConfig(`{}`), "package.json": `{bad`}
		res, _, _ := planIn(t, files, nil, func(r *Request) { r.Framework = framework.NextJS })
		if actions(res) != "WORKOS_COOKIE_PASSWORD:added" || len(res.Warnings) != 0 {
			t.Fatalf("Plan = %s %q", actions(res), res.Warnings)
		}
	})
}

func TestUnquotableValue(t *testing.T) {
	files := map[string]string{"convex.json": devConfig(`{"A": "it's $5"}`)}
	_, _, err := planIn(t, files, nil, nil)
	var ce *cmdutil.Error
	if !errors.As(err, &ce) || ce.Code != cmdutil.ExitUsage || err.Error() != "1 value in authKit.dev.localEnvVars cannot be written to .env.local; nothing was written" {
		t.Fatalf("err = %v", err)
	}
	// The problem points at the value in convex.json and never shows it.
	if len(ce.Problems) != 1 {
		t.Fatalf("problems = %+v", ce.Problems)
	}
	pr := ce.Problems[0]
	if pr.File != "convex.json" || pr.Path != "authKit.dev.localEnvVars.A" || pr.Line != 1 || pr.Column != 44 ||
		!strings.HasPrefix(pr.Message, "no quoting makes") || strings.Contains(pr.Message+pr.Hint, "$5") {
		t.Errorf("problem = %+v", pr)
	}
}

func TestWrite(t *testing.T) {
	cfg := devConfig(`{"A": "1"}`)
	t.Run("new file is 0600", func(t *testing.T) {
		res, dir, err := planIn(t, map[string]string{"convex.json": cfg}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := res.Write(); err != nil {
			t.Fatal(err)
		}
		checkFile(t, filepath.Join(dir, FileName), "A=1\n", 0o600)
		assertNoTemp(t, dir)
	})
	t.Run("mode kept, second run writes nothing", func(t *testing.T) {
		chmod := func(r *Request) {
			if err := os.Chmod(filepath.Join(r.Dir, FileName), 0o640); err != nil {
				t.Fatal(err)
			}
		}
		res, dir, err := planIn(t, map[string]string{"convex.json": cfg, ".env.local": "B=2\r\n"}, nil, chmod)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, FileName)
		if err := res.Write(); err != nil {
			t.Fatal(err)
		}
		checkFile(t, path, "B=2\r\n\r\nA=1\r\n", 0o640)
		again, _, err := planIn(t, map[string]string{"convex.json": cfg, ".env.local": "B=2\r\n\r\nA=1\r\n"}, nil, nil)
		if err != nil || again.Changed() {
			t.Fatalf("second plan: %v, changed %v", err, again.Changed())
		}
	})
	t.Run("symlink kept", func(t *testing.T) {
		res, dir, err := planIn(t, map[string]string{"convex.json": cfg, "real.env": "B=2\n"}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		link := filepath.Join(dir, FileName)
		if err := os.Symlink("real.env", link); err != nil {
			t.Skip(err)
		}
		res.Old, res.Existed = []byte("B=2\n"), true
		res.New = []byte("B=2\n\nA=1\n")
		if err := res.Write(); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("link replaced: %v", err)
		}
		checkFile(t, filepath.Join(dir, "real.env"), "B=2\n\nA=1\n", 0o600)
	})
	// A file changed during the run is its own failure with its own hint;
	// the folder is writable, so the old "check that the project folder is
	// writable" misled.
	changes := []struct {
		name, why string
		change    func(path string) error
	}{
		{"content changed", "its content changed", func(p string) error { return os.WriteFile(p, []byte("B=3\n"), 0o600) }},
		{"grew over 1 MiB", "larger than 1 MiB", func(p string) error { return os.WriteFile(p, make([]byte, dotenv.MaxSize+1), 0o600) }},
		{"deleted", "it was deleted", os.Remove},
	}
	for _, tt := range changes {
		t.Run(tt.name, func(t *testing.T) {
			res, dir, err := planIn(t, map[string]string{"convex.json": cfg, ".env.local": "B=2\n"}, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, FileName)
			if err := tt.change(path); err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(path)
			err = res.Write()
			var ce *cmdutil.Error
			if !errors.As(err, &ce) || ce.Code != cmdutil.ExitFailure ||
				!strings.Contains(err.Error(), "changed while this command ran") || !strings.Contains(err.Error(), tt.why) {
				t.Fatalf("Write = %v; want exit 1 saying it changed (%s)", err, tt.why)
			}
			if !strings.Contains(ce.Hint, "run the command again") || strings.Contains(ce.Hint, "writable") {
				t.Errorf("hint %q", ce.Hint)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
				t.Error("the file was written")
			}
			assertNoTemp(t, dir)
		})
	}
}

func checkFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil || string(data) != content {
		t.Fatalf("%s = %q, %v; want %q", path, data, err, content)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != mode {
		t.Errorf("%s mode = %v, want %v", path, fi.Mode().Perm(), mode)
	}
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	if m, _ := filepath.Glob(filepath.Join(dir, "*.tmp-*")); len(m) > 0 {
		t.Errorf("temporary files left: %v", m)
	}
}

func TestGitignoreMatches(t *testing.T) {
	tests := []struct {
		gitignore string
		want      bool
	}{
		{"", false},
		{".env.local\n", true},
		{"/.env.local\n", true},
		{".env*.local\n", true},
		{"*.local\n", true},
		{".env*\n", true},
		{"**/.env.local\n", true},
		{".env\n", false},
		{"# .env.local\n", false},
		{".env.local/\n", false},
		{"*.local\n!.env.local\n", false},
		{"!.env.local\n*.local\n", true},
		{".env.local   \r\n", true},
		// As git reads them (found by FuzzGitignoreMatches against git).
		{`\*` + "\n", false},
		{`\#.env.local` + "\n", false},
		{".env.local\t\n", false},
		{".env.local\r\r\n", false},
		{".env.loca[!l]\n", false},
		{".env.loca[!x]\n", true},
		{"\ufeff.env.local\n", true},
		{"*[[:l:]\n", false},
		{"*[\x00l]\n", false},
		{".env.local\n" + strings.Repeat("x", 70_000) + "\n!.env.local\n", false},
	}
	for _, tt := range tests {
		if got := gitignoreMatches([]byte(tt.gitignore), FileName); got != tt.want {
			t.Errorf("gitignoreMatches(%.80q) = %v, want %v", tt.gitignore, got, tt.want)
		}
	}
}

// TestIgnoredByGit asks git itself inside a repository, and reads
// .gitignore outside one.
func TestIgnoredByGit(t *testing.T) {
	dir := t.TempDir()
	write := func(content string) {
		if err := os.WriteFile(filepath.Join(dir, ".gitignore"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if ok, err := IgnoredByGit(dir, FileName); ok || err != nil {
		t.Fatalf("no repository, no .gitignore: %v, %v", ok, err)
	}
	write(".env*.local\n")
	if ok, err := IgnoredByGit(dir, FileName); !ok || err != nil {
		t.Fatalf("no repository, .gitignore: %v, %v", ok, err)
	}
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed")
	}
	if out, err := exec.Command(git, "init", "-q", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	// A pattern the simple reading does not know: only git gets it right.
	write("[.]env.loca[l]\n")
	if ok, err := IgnoredByGit(dir, FileName); !ok || err != nil {
		t.Fatalf("repository ignoring it: %v, %v", ok, err)
	}
	write("node_modules\n")
	if ok, err := IgnoredByGit(dir, FileName); ok || err != nil {
		t.Fatalf("repository not ignoring it: %v, %v", ok, err)
	}
}

// TestJSONMasksEscapedSecrets: JSON escapes quotes and backslashes, so the
// stream's redactor alone would miss a secret holding one.
func TestJSONMasksEscapedSecrets(t *testing.T) {
	const secret = `pa"ss\word-that-is-long-enough-for-sdks`
	stdout, stderr, code, _ := runGenerate(t, "", map[string]string{"convex.json": devConfig(`{"WORKOS_COOKIE_PASSWORD": "${buildEnv.S}"}`)},
		map[string]string{"S": secret}, nil, func(o *Options) { o.JSON, o.DryRun = true, true })
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, s := range []string{"word-that", `pa\"ss`} {
		if strings.Contains(stdout, s) {
			t.Errorf("stdout shows the secret:\n%s", stdout)
		}
	}
	if !strings.Contains(stdout, `"diff": "--- /dev/null`) {
		t.Errorf("no diff in\n%s", stdout)
	}
}

// TestWriteEnvironment: init writes what the environment holds when it is
// the value to write (the app started from another shell needs it), skips
// a variable the environment holds differently, and takes the environment's
// cookie password rather than generating one.
func TestWriteEnvironment(t *testing.T) {
	const key = "sk_test_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6"
	cfg := devConfig(`{"WORKOS_API_KEY": "${authEnv.WORKOS_API_KEY}", "WORKOS_CLIENT_ID": "client_01FILE"}`)
	environ := map[string]string{"WORKOS_API_KEY": key, "WORKOS_CLIENT_ID": "client_01OTHER", CookiePasswordName: strings.Repeat("p", 40)}
	files := map[string]string{"convex.json": cfg, "package.json": nextPackage}
	for _, write := range []bool{false, true} {
		res, _, err := planIn(t, files, environ, func(r *Request) { r.WriteEnvironment = write })
		if err != nil {
			t.Fatal(err)
		}
		want := "WORKOS_API_KEY:skipped-set-in-environment WORKOS_CLIENT_ID:skipped-set-in-environment WORKOS_COOKIE_PASSWORD:skipped-set-in-environment"
		if write {
			want = "WORKOS_API_KEY:added WORKOS_CLIENT_ID:skipped-set-in-environment WORKOS_COOKIE_PASSWORD:added"
		}
		if got := actions(res); got != want {
			t.Errorf("WriteEnvironment=%v: %s, want %s", write, got, want)
		}
		if !write {
			continue
		}
		if got := string(res.New); got != "WORKOS_API_KEY="+key+"\n\n"+CookiePasswordName+"="+strings.Repeat("p", 40)+"\n" {
			t.Errorf("New = %q", got)
		}
		if v := res.Variables[0]; v.Source != "environment" || strings.Contains(v.Value, key) {
			t.Errorf("API key variable = %+v, want source environment, masked", v)
		}
	}
}

// TestShortCookiePasswordRefused: a localEnvVars cookie password the SDKs
// would refuse is not written; the error points at it in convex.json.
func TestShortCookiePasswordRefused(t *testing.T) {
	files := map[string]string{"convex.json": devConfig(`{"WORKOS_COOKIE_PASSWORD": "too-short"}`), "package.json": nextPackage}
	_, dir, err := planIn(t, files, nil, nil)
	var ce *cmdutil.Error
	if !errors.As(err, &ce) || ce.Code != cmdutil.ExitUsage || len(ce.Problems) != 1 ||
		ce.Problems[0].Path != "authKit.dev.localEnvVars.WORKOS_COOKIE_PASSWORD" || !strings.Contains(ce.Problems[0].Message, "9 characters") {
		t.Fatalf("Plan err = %#v, want exit 3 at the cookie password", err)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); err == nil {
		t.Error(".env.local written")
	}
	files["convex.json"] = devConfig(`{"WORKOS_COOKIE_PASSWORD": "` + strings.Repeat("x", 32) + `"}`)
	if _, _, err := planIn(t, files, nil, nil); err != nil {
		t.Errorf("32 characters: %v", err)
	}
}

// TestNpmDotenvNames: names npm dotenv reads (A-B, C.D) are written and
// matched, and a line without '=' no longer stops the run.
func TestNpmDotenvNames(t *testing.T) {
	files := map[string]string{
		"convex.json": devConfig(`{"A-B": "1", "C.D": "2", "E": "3"}`),
		".env.local":  "A-B=\nJUNK\nE= # note\n",
	}
	res, _, err := planIn(t, files, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := actions(res), "A-B:replaced C.D:added E:replaced"; got != want {
		t.Errorf("actions = %s, want %s", got, want)
	}
	if got, want := string(res.New), "A-B=1\nJUNK\nE=3 # note\n\nC.D=2\n"; got != want {
		t.Errorf("New = %q, want %q", got, want)
	}
}

// TestPlanUsesSourcesFile: Plan merges into .env.local as Sources read it
// (one read and parse per run); Write then refuses a file changed since.
func TestPlanUsesSourcesFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	for name, content := range map[string]string{"convex.json": devConfig(`{"A": "1"}`), FileName: "B=2\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, _, target, err := project.Load(project.Options{ConfigPath: filepath.Join(dir, "convex.json"), ConfigName: "convex.json", Dir: dir, EnvFlag: "dev", Env: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("B=changed\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := Plan(Request{Dir: dir, Config: cfg, Section: resolve.Resolve(cfg, config.Dev, target.Sources), Sources: target.Sources,
		Environ: map[string]string{}, Ignored: func(string, string) (bool, error) { return true, nil }})
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Old) != "B=2\n" || string(res.New) != "B=2\n\nA=1\n" {
		t.Errorf("Old %q, New %q: want the content Sources read", res.Old, res.New)
	}
	if err := res.Write(); err == nil || !strings.Contains(err.Error(), "changed while this command ran") {
		t.Errorf("Write = %v, want a refusal", err)
	}
}
