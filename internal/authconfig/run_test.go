package authconfig

import (
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/config"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
)

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func run(t *testing.T, dir string, mod func(*Options)) (stdout, stderr string, err error) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	opts := Options{IO: ios, Dir: dir, ConfigPath: filepath.Join(dir, "convex.json"), ConfigName: "convex.json"}
	if mod != nil {
		mod(&opts)
	}
	err = Run(opts)
	return out.String(), errOut.String(), err
}

func exitCode(err error) int {
	var ce *cmdutil.Error
	if errors.As(err, &ce) {
		return ce.Code
	}
	if err != nil {
		return -1
	}
	return 0
}

func TestRunLifecycle(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"node_modules/convex/package.json": `{"version":"1.48.0"}`})
	path := filepath.Join(dir, "convex", "auth.config.ts")

	out, _, err := run(t, dir, nil)
	if err != nil || out != "✓ created convex/auth.config.ts\n" {
		t.Fatalf("create: %q %v", out, err)
	}
	created, _ := os.ReadFile(path)
	if !strings.Contains(string(created), "satisfies AuthConfig") {
		t.Error("convex 1.48.0 is installed but the file is not typed")
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}

	out, _, err = run(t, dir, nil)
	if err != nil || out != "✓ convex/auth.config.ts is up to date\n" {
		t.Fatalf("rerun: %q %v", out, err)
	}

	out, _, err = run(t, dir, func(o *Options) { o.AuthDomain = "auth.example.com"; o.Verbose = true })
	if err != nil || !strings.HasSuffix(out, "✓ updated convex/auth.config.ts\n") || !strings.Contains(out, "+++ b/convex/auth.config.ts") {
		t.Fatalf("update: %q %v", out, err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v after update, want 0600 kept", info.Mode().Perm())
	}

	// Dropping the domain later is allowed, with a warning.
	_, stderr, err := run(t, dir, nil)
	if err != nil || !strings.Contains(stderr, "warning: convex/auth.config.ts was written with --auth-domain auth.example.com; without it, its providers are removed") {
		t.Fatalf("drop domain: %q %v", stderr, err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestRunRefusesAndForces(t *testing.T) {
	for _, tt := range []struct {
		name, existing, why string
	}{
		{"hand-written", "export default { providers: [] };\n", "was not written by convex-authkit"},
		{"edited", "", "was edited by hand since convex-authkit wrote it"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			existing := tt.existing
			if existing == "" {
				gen, _ := Render(Spec{TypeScript: true})
				existing = strings.Replace(gen, `"RS256"`, `"ES256"`, 1)
			}
			writeFiles(t, dir, map[string]string{"convex/auth.config.ts": existing})
			out, _, err := run(t, dir, nil)
			if exitCode(err) != cmdutil.ExitUsage || !strings.Contains(err.Error(), tt.why) {
				t.Fatalf("err %v (exit %d), want exit 3 %q", err, exitCode(err), tt.why)
			}
			if !strings.HasPrefix(out, "--- a/convex/auth.config.ts\n+++ b/convex/auth.config.ts\n") {
				t.Errorf("no diff on stdout: %q", out)
			}
			if got, _ := os.ReadFile(filepath.Join(dir, "convex", "auth.config.ts")); string(got) != existing {
				t.Error("the file was changed")
			}
			// --check reports it as a change (exit 1), --force replaces it.
			if _, _, err := run(t, dir, func(o *Options) { o.Check = true }); exitCode(err) != cmdutil.ExitFailure {
				t.Errorf("--check: %v", err)
			}
			if out, _, err := run(t, dir, func(o *Options) { o.Force = true }); err != nil || out != "✓ updated convex/auth.config.ts\n" {
				t.Errorf("--force: %q %v", out, err)
			}
		})
	}
}

func TestRunJavaScriptProject(t *testing.T) {
	dir := t.TempDir()
	gen, _ := Render(Spec{TypeScript: false})
	writeFiles(t, dir, map[string]string{"src/convex/auth.config.js": gen, "convex.json": `{"functions": "src/convex/"}`})
	out, _, err := run(t, dir, func(o *Options) { o.AuthDomain = "auth.example.com" })
	if err != nil || out != "✓ updated src/convex/auth.config.js\n" {
		t.Fatalf("%q %v", out, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "src", "convex", "auth.config.ts")); err == nil {
		t.Error("auth.config.ts written next to auth.config.js")
	}

	writeFiles(t, dir, map[string]string{"src/convex/auth.config.ts": gen})
	_, _, err = run(t, dir, func(o *Options) { o.Force = true })
	if exitCode(err) != cmdutil.ExitUsage || err.Error() != "found both src/convex/auth.config.js and src/convex/auth.config.ts, choose one" {
		t.Errorf("both files: %v", err)
	}
}

func TestRunJSON(t *testing.T) {
	dir := t.TempDir()
	out, _, err := run(t, dir, func(o *Options) { o.JSON = true; o.Check = true })
	if exitCode(err) != cmdutil.ExitFailure {
		t.Fatalf("--check on a missing file: %v", err)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	keys := slices.Sorted(maps.Keys(rep))
	want := []string{"authDomain", "content", "convexVersion", "diff", "error", "existing", "language", "path", "schemaVersion", "status", "typed"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
	// The document carries the failure; Main prints it on stderr without
	// a second document, and annotates the file in GitHub Actions.
	var ce *cmdutil.Error
	if !errors.As(err, &ce) || !ce.JSONWritten || ce.Silent || ce.File != "convex/auth.config.ts" {
		t.Errorf("error %#v, want one already in the document, about convex/auth.config.ts", err)
	}
	if e, _ := rep["error"].(map[string]any); e["code"] != 1.0 || e["message"] != "convex/auth.config.ts does not exist" {
		t.Errorf("error object %v", rep["error"])
	}
	if rep["status"] != StatusWouldCreate || rep["existing"] != "none" || rep["typed"] != false || !strings.HasPrefix(rep["diff"].(string), "--- /dev/null\n") {
		t.Errorf("report %v", rep)
	}
}

func TestFunctionsDir(t *testing.T) {
	tests := []struct {
		name, config, want, err string
	}{
		{"no convex.json", "", "convex", ""},
		{"no functions key", `{}`, "convex", ""},
		{"functions key", `{"functions": "src/convex/"}`, "src/convex", ""},
		{"not a string", `{"functions": 3}`, "", `convex.json:1:15: functions: must be a folder name such as "convex/", found a number`},
		{"not JSON", `{"functions": }`, "", "convex.json:1:15"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.config != "" {
				writeFiles(t, dir, map[string]string{"convex.json": tt.config})
			}
			got, err := FunctionsDir(filepath.Join(dir, "convex.json"), "convex.json")
			if tt.err != "" {
				var ce *cmdutil.Error
				if !errors.As(err, &ce) || ce.Code != cmdutil.ExitUsage || len(ce.Problems) != 1 || !strings.HasPrefix(ce.Problems[0].String(), tt.err) {
					t.Fatalf("err %v, want a problem starting %q", err, tt.err)
				}
				return
			}
			if err != nil || got != filepath.Join(dir, tt.want) {
				t.Errorf("got %q %v, want %q", got, err, tt.want)
			}
		})
	}
}

// TestFunctionsOfLoadedConfig: Functions reads the config it is given,
// not the file at configPath, which it never opens.
func TestFunctionsOfLoadedConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "convex.json")
	cfg, err := config.Parse("convex.json", []byte(`{"functions": "src/backend/"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Functions(cfg, path); err != nil || got != filepath.Join(dir, "src", "backend") {
		t.Errorf("Functions = %q, %v", got, err)
	}
	if got, err := Functions(nil, path); err != nil || got != filepath.Join(dir, "convex") {
		t.Errorf("Functions(nil) = %q, %v", got, err)
	}
	cfg, _ = config.Parse("other.json", []byte(`{"functions": ""}`))
	var ce *cmdutil.Error
	if _, err := Functions(cfg, path); !errors.As(err, &ce) || len(ce.Problems) != 1 || !strings.HasPrefix(ce.Problems[0].String(), "other.json:1:15: functions: must be a folder name") {
		t.Errorf("empty functions: %v", err)
	}
}

func TestConvexPackage(t *testing.T) {
	for v, want := range map[string]bool{
		"1.48.0": true, "1.27.5": true, "1.28.0-alpha.1": true, "2.0.0": true,
		"1.27.4": false, "1.27.5-rc.1": false, "1.9.99": false, "": false, "latest": false,
		"1.27.5+build-1": true, "1.27.5-rc.1+build": false, // found by FuzzConvexVersion
	} {
		if got := (ConvexPackage{Version: v}).ExportsAuthConfig(); got != want {
			t.Errorf("%q: ExportsAuthConfig = %v, want %v", v, got, want)
		}
	}

	// A workspace hoists convex to its root; Node finds it from convex/.
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"node_modules/convex/package.json": `{"name":"convex","version":"1.27.4"}`})
	got, err := FindConvex(filepath.Join(root, "apps", "web", "convex"))
	if err != nil || got.Version != "1.27.4" || got.Path != filepath.Join(root, "node_modules", "convex", "package.json") {
		t.Errorf("FindConvex = %+v, %v", got, err)
	}
}

func TestCheckAuthDomain(t *testing.T) {
	for _, ok := range []string{"auth.example.com", "login.my-app.co.uk", "a.b.example.xn--p1ai", "x1.example.io"} {
		if err := CheckAuthDomain(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	tests := []struct{ in, reason, hint string }{
		{"https://auth.example.com/", "has a scheme", "--auth-domain auth.example.com"},
		{"auth.example.com/path", "has a path", "--auth-domain auth.example.com"},
		{"auth.example.com:8443", "has a port", ""},
		{"auth.example.com.", "ends with a dot", "--auth-domain auth.example.com"},
		{"Auth.Example.com", "has upper-case letters", "--auth-domain auth.example.com"},
		{"api.workos.com", "is the default WorkOS issuer host", ""},
		{"smart-otter-12.authkit.app", "is an AuthKit OAuth domain", ""},
		{"localhost", "is not a domain name", ""},
		{"auth..example.com", `has an invalid label ""`, ""},
		{"-auth.example.com", `has an invalid label "-auth"`, ""},
		{"auth_1.example.com", `has an invalid label "auth_1"`, ""},
		{"10.0.0.1", "does not end in a top-level domain", ""},
		{"", "is empty", ""},
	}
	for _, tt := range tests {
		err := CheckAuthDomain(tt.in)
		var de *DomainError
		if !errors.As(err, &de) || de.Reason != tt.reason || !strings.Contains(de.Hint, tt.hint) {
			t.Errorf("%q: %v (hint %q), want %q with hint containing %q", tt.in, err, hintOf(de), tt.reason, tt.hint)
		}
	}
}

func hintOf(de *DomainError) string {
	if de == nil {
		return ""
	}
	return de.Hint
}

// TestCheckAuthDomainIsUsageError: callers return the error as it is, so it
// carries exit 3 and the hint itself.
func TestCheckAuthDomainIsUsageError(t *testing.T) {
	err := CheckAuthDomain("https://auth.example.com")
	var ce *cmdutil.Error
	var de *DomainError
	if !errors.As(err, &ce) || ce.Code != cmdutil.ExitUsage || !errors.As(err, &de) || ce.Hint != de.Hint || ce.Hint == "" {
		t.Fatalf("err = %#v", err)
	}
	if got, want := err.Error(), `--auth-domain "https://auth.example.com" has a scheme`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// TestCheckIgnoresNodeModules: --check gives one verdict for a generated
// file whichever way node_modules is, in both orders (generated before
// `npm install`, untyped; or after, typed, then checked in a checkout
// without node_modules). A plain run still updates the typing.
func TestCheckIgnoresNodeModules(t *testing.T) {
	const convexPkg = "node_modules/convex/package.json"
	for _, installedFirst := range []bool{false, true} {
		dir := t.TempDir()
		install := func() { writeFiles(t, dir, map[string]string{convexPkg: `{"version":"1.48.0"}`}) }
		uninstall := func() {
			if err := os.RemoveAll(filepath.Join(dir, "node_modules")); err != nil {
				t.Fatal(err)
			}
		}
		if installedFirst {
			install()
		}
		if _, _, err := run(t, dir, nil); err != nil {
			t.Fatal(err)
		}
		if installedFirst {
			uninstall()
		} else {
			install()
		}
		out, stderr, err := run(t, dir, func(o *Options) { o.Check = true })
		if err != nil || out != "✓ convex/auth.config.ts is up to date\n" || !strings.Contains(stderr, "differs only in its typing") {
			t.Errorf("installedFirst=%v: --check = %q, %q, %v; want up to date", installedFirst, out, stderr, err)
		}
		out, _, err = run(t, dir, nil)
		if err != nil || out != "✓ updated convex/auth.config.ts\n" {
			t.Errorf("installedFirst=%v: plain run = %q, %v; want the typing updated", installedFirst, out, err)
		}
		// An edit beyond the typing is still drift.
		path := filepath.Join(dir, "convex", "auth.config.ts")
		data, _ := os.ReadFile(path)
		if err := os.WriteFile(path, []byte(strings.Replace(string(data), "api.workos.com", "api.example.com", 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, _, err := run(t, dir, func(o *Options) { o.Check = true }); exitCode(err) != cmdutil.ExitFailure {
			t.Errorf("installedFirst=%v: --check of an edited file = %v, want exit 1", installedFirst, err)
		}
	}
}
