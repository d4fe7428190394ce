// Package tsc type-checks TypeScript and JavaScript files in tests, with the
// real convex npm package and an exact TypeScript, so that a test can prove
// a file this tool writes compiles in a Convex project. The packages are
// pinned by testdata/package-lock.json and installed on first use into the
// CI cache folder by internal/npmpin (`npm ci --ignore-scripts`).
//
// Tests using it are skipped under -short and nowhere else: a machine
// without node and npm fails them, because CI must run them.
package tsc

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/npmpin"
)

// The pinned versions; testdata/package-lock.json pins their dependencies.
const (
	ConvexVersion     = "1.48.0"
	TypeScriptVersion = "5.9.3"
	// TypesNodeVersion types process.env, as in a real project: convex's
	// own types do not declare process.
	TypesNodeVersion = "26.6.11"
)

//go:embed testdata/package.json testdata/package-lock.json
var npmProject embed.FS

//go:embed evaluate.cjs
var evaluateScript []byte

// TSConfig is the tsconfig.json Check uses unless the files bring their
// own: the compiler options of the convex/tsconfig.json that `npx convex
// dev` writes, with checkJs on so that .js files are checked too.
const TSConfig = `{
  "compilerOptions": {
    "allowJs": true,
    "checkJs": true,
    "strict": true,
    "moduleResolution": "Bundler",
    "jsx": "react-jsx",
    "skipLibCheck": true,
    "allowSyntheticDefaultImports": true,
    "target": "ESNext",
    "lib": ["ES2021", "dom"],
    "forceConsistentCasingInFileNames": true,
    "module": "ESNext",
    "isolatedModules": true,
    "noEmit": true
  },
  "include": ["./**/*"],
  "exclude": ["./node_modules", "./**/_generated"]
}
`

const runTimeout = 2 * time.Minute

var installation struct {
	once sync.Once
	dir  string
	err  error
}

// Install returns the folder whose node_modules holds the pinned packages,
// installing them on first use. It skips the test under -short.
func Install(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: not type-checking with npm typescript (it needs node and, once, npm)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("node not found in PATH: type-checking generated files needs Node.js and npm (convex@%s, typescript@%s); install them, or run go test -short", ConvexVersion, TypeScriptVersion)
	}
	installation.once.Do(func() {
		installation.dir, installation.err = install(t.Logf)
	})
	if installation.err != nil {
		t.Fatalf("installing convex@%s and typescript@%s: %v", ConvexVersion, TypeScriptVersion, installation.err)
	}
	return installation.dir
}

func install(logf func(string, ...any)) (string, error) {
	pkg, err := npmProject.ReadFile("testdata/package.json")
	if err != nil {
		return "", err
	}
	lock, err := npmProject.ReadFile("testdata/package-lock.json")
	if err != nil {
		return "", err
	}
	dir, err := npmpin.Install(npmpin.Spec{Name: "convex", Version: ConvexVersion, PackageJSON: pkg, Lock: lock}, logf)
	if err != nil {
		return "", err
	}
	// npmpin checks the package it is named after; the compiler's version
	// matters as much.
	for name, want := range map[string]string{"typescript": TypeScriptVersion, "@types/node": TypesNodeVersion} {
		if got, err := installedVersion(dir, name); err != nil || got != want {
			return "", fmt.Errorf("npm ci installed %s %q (%v), want %s: testdata/package-lock.json is out of step with the pins", name, got, err, want)
		}
	}
	return dir, nil
}

func installedVersion(dir, name string) (string, error) {
	data, err := os.ReadFile(filepath.Join(dir, "node_modules", name, "package.json"))
	if err != nil {
		return "", err
	}
	var meta struct {
		Version string `json:"version"`
	}
	err = json.Unmarshal(data, &meta)
	return meta.Version, err
}

// Project writes files (slash-separated paths relative to a new project
// root, to their content) into a temporary project whose node_modules is
// the pinned install, adds TSConfig unless files has a tsconfig.json, and
// returns the root.
func Project(t testing.TB, files map[string]string) string {
	t.Helper()
	modules := filepath.Join(Install(t), "node_modules")
	root := t.TempDir()
	if err := os.Symlink(modules, filepath.Join(root, "node_modules")); err != nil {
		t.Fatal(err)
	}
	if _, ok := files["tsconfig.json"]; !ok {
		files = withFile(files, "tsconfig.json", TSConfig)
	}
	for name, content := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func withFile(files map[string]string, name, content string) map[string]string {
	out := make(map[string]string, len(files)+1)
	for k, v := range files {
		out[k] = v
	}
	out[name] = content
	return out
}

// Check runs `tsc --noEmit` over a Project made of files and returns its
// diagnostics, one per line with paths relative to the project root, or ""
// when the files type-check. It fails the test if tsc cannot run.
func Check(t testing.TB, files map[string]string) string {
	t.Helper()
	root := Project(t, files)
	out, err := node(t, root, "node_modules/typescript/bin/tsc", "--noEmit", "--pretty", "false", "-p", ".")
	if err != nil {
		// tsc exits 2 when it reports errors; anything else is a failure
		// to run.
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 || out == "" {
			t.Fatalf("tsc: %v\n%s", err, out)
		}
	}
	return out
}

// Prettier returns the files that npm prettier (the version convex pins)
// would reformat with its default options, sorted, or nil when none.
func Prettier(t testing.TB, files map[string]string) []string {
	t.Helper()
	root := Project(t, files)
	var names []string
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	out, err := node(t, root, append([]string{"node_modules/prettier/bin/prettier.cjs", "--list-different", "--no-config", "--no-editorconfig"}, names...)...)
	if err != nil {
		// --list-different exits 1 when a file would change.
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 || out == "" {
			t.Fatalf("prettier: %v\n%s", err, out)
		}
	}
	return strings.Fields(out)
}

// Evaluate runs the module file (a path relative to root, the folder
// Project returned) with process.env holding env and nothing else
// reachable, and returns JSON.stringify of its default export: what a
// Convex deployment checks when auth.config.ts is pushed. TypeScript is
// compiled with the pinned typescript (types erased, not checked). It
// fails the test if the module throws.
func Evaluate(t testing.TB, root, file string, env map[string]string) string {
	t.Helper()
	script := filepath.Join(t.TempDir(), "evaluate.cjs")
	if err := os.WriteFile(script, evaluateScript, 0o644); err != nil {
		t.Fatal(err)
	}
	envJSON, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	out, err := node(t, root, script, file, string(envJSON))
	if err != nil {
		t.Fatalf("evaluating %s: %v\n%s", file, err, out)
	}
	return out
}

// node runs node in dir and returns its stdout; stderr is appended to
// err's text, where a failure's explanation belongs.
func node(t testing.TB, dir string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	cmd.WaitDelay = 10 * time.Second
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil && stderr.Len() > 0 {
		err = &nodeError{err: err, stderr: stderr.String()}
	}
	return string(out), err
}

type nodeError struct {
	err    error
	stderr string
}

func (e *nodeError) Error() string { return e.err.Error() + "\n" + e.stderr }
func (e *nodeError) Unwrap() error { return e.err }
