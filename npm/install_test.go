// Package npm holds the npm packages' sources (convex-authkit/ and
// build.mjs) and the test that installs them as a user would.
package npm

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

const testVersion = "0.0.0-npmtest"

// TestInstall builds the npm packages for this machine's platform from a
// freshly built binary, packs them, and installs the tarballs into fresh
// projects with npm kept offline (the registry is a closed local port), as
// the README tells users to: npx, npm i -D and a package.json script. It
// needs node and npm; only -short skips it.
func TestInstall(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: not installing npm packages")
	}
	for _, tool := range []string{"node", "npm", "npx", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found in PATH: this test installs the npm packages with it; install it, or run with -short", tool)
		}
	}
	work := t.TempDir()
	mainTgz, platformTgz := buildAndPack(t, work)
	env := npmEnv(t, work)

	t.Run("npx, npm i -D and a script", func(t *testing.T) {
		proj := newProject(t, work, "proj-scripts", `{"name":"app","private":true,"scripts":{"auth:version":"convex-authkit version"}}`)
		npm(t, env, proj, 0, "install", "-D", mainTgz, platformTgz)
		if runtime.GOOS != "windows" {
			// The install step put the native binary in place of the
			// launcher, so npx starts no Node of its own.
			b, err := os.ReadFile(filepath.Join(proj, "node_modules", "convex-authkit", "bin", "convex-authkit"))
			if err != nil {
				t.Fatal(err)
			}
			if bytes.HasPrefix(b, []byte("#!")) {
				t.Error("bin/convex-authkit is still the JS launcher after an install with scripts")
			}
		}
		wantVersion(t, run(t, env, proj, 0, "npx", "convex-authkit", "version"))
		wantVersion(t, run(t, env, proj, 0, "npm", "run", "--silent", "auth:version"))
		demo := run(t, env, proj, 0, "npx", "convex-authkit", "demo")
		if !strings.Contains(demo, "8 of 8 steps succeeded") {
			t.Errorf("npx convex-authkit demo did not succeed:\n%s", demo)
		}
	})

	t.Run("launcher without install scripts", func(t *testing.T) {
		proj := newProject(t, work, "proj-launcher", `{"name":"app","private":true}`)
		npm(t, env, proj, 0, "install", "--ignore-scripts", "-D", mainTgz, platformTgz)
		wantVersion(t, run(t, env, proj, 0, "npx", "convex-authkit", "version"))
		// Exit codes are part of the interface; the launcher passes them on.
		out := run(t, env, proj, 3, "npx", "convex-authkit", "no-such-command")
		if !strings.Contains(out, `error: unknown command "no-such-command"`) {
			t.Errorf("the binary's error did not come through the launcher:\n%s", out)
		}
		if runtime.GOOS != "windows" {
			sigtermReachesBinary(t, env, proj)
		}
	})

	t.Run("optional dependency omitted", func(t *testing.T) {
		proj := newProject(t, work, "proj-omit", `{"name":"app","private":true}`)
		npm(t, env, proj, 0, "install", "--omit=optional", mainTgz)
		out := run(t, env, proj, 1, "npx", "convex-authkit", "version")
		wantMessage(t, out, "is not installed", "--omit=optional")
	})

	t.Run("no binary for the platform", func(t *testing.T) {
		// A CPU this release has no package for, faked before the launcher
		// runs: npm itself would refuse to install on such a machine.
		fake := filepath.Join(work, "fake-arch.js")
		if err := os.WriteFile(fake, []byte(`Object.defineProperty(process, "arch", { value: "mips" });`), 0o644); err != nil {
			t.Fatal(err)
		}
		proj := filepath.Join(work, "proj-launcher")
		launcher := filepath.Join(proj, "node_modules", "convex-authkit", "bin", "convex-authkit")
		out := run(t, env, proj, 1, "node", "--require", fake, launcher, "version")
		wantMessage(t, out, "no binary for this platform ("+runtime.GOOS+"-mips)", "go install github.com/convex-authkit/convex-authkit@latest")
	})
}

// buildAndPack builds the binary, the npm packages (npm/build.mjs) and
// their tarballs, returning the tarballs of convex-authkit and of this
// platform's package.
func buildAndPack(t *testing.T, work string) (mainTgz, platformTgz string) {
	exe := filepath.Join(work, "convex-authkit")
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	run(t, nil, "..", 0, "go", "build", "-trimpath", "-ldflags", "-X main.version="+testVersion, "-o", exe, ".")
	pkgs := filepath.Join(work, "packages")
	run(t, nil, ".", 0, "node", "build.mjs", "--version", testVersion, "--out", pkgs, runtime.GOOS+"/"+runtime.GOARCH+"="+exe)
	tgz := filepath.Join(work, "tarballs")
	if err := os.Mkdir(tgz, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(pkgs)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("build.mjs made %d packages for one binary, want 2 (convex-authkit and this platform's)", len(entries))
	}
	for _, e := range entries {
		run(t, nil, filepath.Join(pkgs, e.Name()), 0, "npm", "pack", "--silent", "--pack-destination", tgz)
		if e.Name() == "convex-authkit" {
			mainTgz = filepath.Join(tgz, "convex-authkit-"+testVersion+".tgz")
		} else {
			platformTgz = filepath.Join(tgz, "convex-authkit-"+e.Name()+"-"+testVersion+".tgz")
		}
	}
	return mainTgz, platformTgz
}

// npmEnv keeps npm away from the network and from the user's settings: an
// empty cache and user config of its own, offline, and a registry on a
// local port nothing listens on, so a request that slipped through fails
// at once instead of reaching the internet.
func npmEnv(t *testing.T, work string) []string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	userconfig := filepath.Join(work, "npmrc")
	if err := os.WriteFile(userconfig, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(strings.ToLower(kv), "npm_config_") {
			env = append(env, kv)
		}
	}
	return append(env,
		"npm_config_registry=http://"+closed+"/",
		"npm_config_userconfig="+userconfig,
		"npm_config_cache="+filepath.Join(work, "npm-cache"),
		"npm_config_offline=true",
		"npm_config_audit=false",
		"npm_config_fund=false",
		"npm_config_update_notifier=false",
		"npm_config_loglevel=error",
	)
}

func newProject(t *testing.T, work, name, packageJSON string) string {
	dir := filepath.Join(work, name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(packageJSON), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func npm(t *testing.T, env []string, dir string, want int, args ...string) string {
	t.Helper()
	return run(t, env, dir, want, append([]string{"npm"}, args...)...)
}

// run runs a command in dir and fails the test unless it exits with want;
// it returns stdout and stderr together.
func run(t *testing.T, env []string, dir string, want int, args ...string) string {
	t.Helper()
	c := exec.Command(args[0], args[1:]...)
	c.Dir, c.Env = dir, env
	out, err := c.CombinedOutput()
	got := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		got = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", strings.Join(args, " "), err)
	}
	if got != want {
		t.Fatalf("%s exited with %d, want %d:\n%s", strings.Join(args, " "), got, want, out)
	}
	return string(out)
}

func wantVersion(t *testing.T, out string) {
	t.Helper()
	if !strings.Contains(out, "convex-authkit "+testVersion+" (") {
		t.Errorf("output does not name version %s:\n%s", testVersion, out)
	}
}

// wantMessage checks the launcher's own error: the message and hint, and
// no Node stack trace.
func wantMessage(t *testing.T, out string, parts ...string) {
	t.Helper()
	for _, p := range append([]string{"error: ", "hint: "}, parts...) {
		if !strings.Contains(out, p) {
			t.Errorf("output lacks %q:\n%s", p, out)
		}
	}
	for _, trace := range []string{"    at ", "node:internal", "Error: "} {
		if strings.Contains(out, trace) {
			t.Errorf("output holds a stack trace (%q):\n%s", trace, out)
		}
	}
}

// sigtermReachesBinary stops `convex-authkit emulate` run through the JS
// launcher with one SIGTERM to the launcher alone, as a CI runner cancelling
// a job does: the binary must get it once (it stops cleanly and exits 0;
// a second signal would have made it exit 2 at once) and the launcher must
// exit with it.
func sigtermReachesBinary(t *testing.T, env []string, proj string) {
	c := exec.Command(filepath.Join(proj, "node_modules", ".bin", "convex-authkit"), "emulate", "--port", "0")
	c.Dir, c.Env = proj, env
	stdout, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	c.Stderr = &stderr
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "Press Ctrl-C to stop") {
				ready <- true
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			c.Wait()
			t.Fatalf("emulate ended before it was ready:\n%s", stderr.String())
		}
	case <-time.After(time.Minute):
		c.Process.Kill()
		t.Fatal("emulate was not ready after a minute")
	}
	if err := c.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("after one SIGTERM, the launcher ended with %v, want exit 0:\n%s", err, stderr.String())
		}
		if !strings.Contains(stderr.String(), "received SIGTERM: stopping") {
			t.Errorf("the binary did not report the SIGTERM:\n%s", stderr.String())
		}
	case <-time.After(time.Minute):
		c.Process.Kill()
		t.Fatal("the launcher was still running a minute after SIGTERM")
	}
}

// TestBuildRefuses checks that build.mjs stops with a usage error (exit 3)
// and a message naming the problem, before writing a package, when its
// input is wrong.
func TestBuildRefuses(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: not running node")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node not found in PATH: this test runs npm/build.mjs; install Node.js, or run with -short")
	}
	work := t.TempDir()
	bin := filepath.Join(work, "convex-authkit")
	if err := os.WriteFile(bin, []byte("binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	full := filepath.Join(work, "full")
	if err := os.MkdirAll(filepath.Join(full, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, want string
		args       []string
	}{
		{"no version", "--version and --out are required", []string{"--out", "OUT", "linux/amd64=" + bin}},
		{"not semver", "is not a semantic version", []string{"--version", "1.2", "--out", "OUT", "linux/amd64=" + bin}},
		{"no binaries", "no binaries", []string{"--version", "1.2.3", "--out", "OUT"}},
		{"unknown platform", "no npm platform for plan9/386", []string{"--version", "1.2.3", "--out", "OUT", "plan9/386=" + bin}},
		{"twice", "two binaries for linux/amd64", []string{"--version", "1.2.3", "--out", "OUT", "linux/amd64=" + bin, "linux/amd64=" + bin}},
		{"stray argument", `unexpected argument "linux"`, []string{"--version", "1.2.3", "--out", "OUT", "linux"}},
		{"out not empty", "is not empty", []string{"--version", "1.2.3", "--out", full, "linux/amd64=" + bin}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			args := []string{"node", "build.mjs"}
			for _, a := range tt.args {
				args = append(args, strings.ReplaceAll(a, "OUT", out))
			}
			got := run(t, nil, ".", 3, args...)
			if !strings.Contains(got, tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, got)
			}
			if entries, _ := os.ReadDir(out); len(entries) > 0 && tt.name != "out not empty" {
				t.Errorf("build.mjs wrote %d entries into %s before refusing", len(entries), out)
			}
		})
	}
}
