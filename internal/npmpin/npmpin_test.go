package npmpin

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const (
	// fakeLogEnv names the file the fake npm appends a line to per run.
	fakeLogEnv = "NPMPIN_TEST_FAKE_NPM_LOG"
	// fakeDelayEnv makes the fake npm take that long, as a real install
	// takes seconds, so that concurrent installs overlap.
	fakeDelayEnv = "NPMPIN_TEST_FAKE_NPM_DELAY"
	// childEnv marks a test binary started by TestConcurrentInstalls.
	childEnv = "NPMPIN_TEST_CHILD"
)

// TestMain lets the test binary stand in for npm: linked into a folder on
// PATH under the name npm, it writes node_modules as `npm ci` would,
// without a network, and notes each run.
func TestMain(m *testing.M) {
	if strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe") == "npm" {
		if err := fakeNPM(os.Args[1:]); err != nil {
			fmt.Fprintln(os.Stderr, "fake npm:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// fakeNPM installs each dependency of ./package.json at exactly the
// version written there, the way a lockfile pins it.
func fakeNPM(args []string) error {
	if len(args) == 0 || args[0] != "ci" {
		return fmt.Errorf("only ci is faked, got %q", args)
	}
	data, err := os.ReadFile("package.json")
	if err != nil {
		return err
	}
	var pkg struct{ Dependencies map[string]string }
	if err := json.Unmarshal(data, &pkg); err != nil {
		return err
	}
	if log := os.Getenv(fakeLogEnv); log != "" {
		f, err := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		fmt.Fprintln(f, strings.Join(args, " "))
		if err := f.Close(); err != nil {
			return err
		}
	}
	if d, err := time.ParseDuration(os.Getenv(fakeDelayEnv)); err == nil {
		time.Sleep(d)
	}
	for name, version := range pkg.Dependencies {
		dir := filepath.Join("node_modules", name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		meta := fmt.Sprintf(`{"name":%q,"version":%q}`, name, version)
		if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(meta), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// fakeEnv puts the fake npm alone on PATH and an empty cache folder in
// XDG_CACHE_HOME, and returns the cache root and the fake npm's log.
func fakeEnv(t *testing.T) (root, log string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	if err := os.Symlink(exe, filepath.Join(bin, "npm")); err != nil {
		t.Skipf("cannot link the test binary as a fake npm: %v", err)
	}
	cache := t.TempDir()
	log = filepath.Join(t.TempDir(), "npm.log")
	t.Setenv("PATH", bin)
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv(fakeLogEnv, log)
	return filepath.Join(cache, "convex-authkit-ci"), log
}

// pinned is a tree for leftpad@1.0.0 whose package.json makes the fake npm
// install leftpad@installs.
func pinned(installs string) Spec {
	return Spec{
		Name:        "leftpad",
		Version:     "1.0.0",
		PackageJSON: []byte(`{"dependencies":{"leftpad":"` + installs + `"}}`),
		Lock:        []byte(`{"lockfileVersion":3,"packages":{"node_modules/leftpad":{"version":"` + installs + `"}}}`),
	}
}

// npmRuns counts the fake npm's runs.
func npmRuns(t *testing.T, log string) int {
	t.Helper()
	data, err := os.ReadFile(log)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(data, []byte("\n"))
}

// assertNoTemp fails if an install left its private folder behind.
func assertNoTemp(t *testing.T, root string) {
	t.Helper()
	if left, _ := filepath.Glob(filepath.Join(root, ".leftpad-install-*")); len(left) > 0 {
		t.Errorf("temporary install folders left behind: %v", left)
	}
}

func TestInstallOnceThenReuse(t *testing.T) {
	root, log := fakeEnv(t)
	spec := pinned("1.0.0")
	dir, err := Install(spec, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if want := regexp.MustCompile(`^leftpad-1\.0\.0-[0-9a-f]{12}$`); filepath.Dir(dir) != root || !want.MatchString(filepath.Base(dir)) {
		t.Errorf("installed into %s, want %s/leftpad-1.0.0-<12 hex>", dir, root)
	}
	for _, f := range []string{completeMarker, "package-lock.json", "node_modules/leftpad/package.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("the install lacks %s: %v", f, err)
		}
	}
	again, err := Install(spec, t.Logf)
	if err != nil || again != dir {
		t.Errorf("second Install: %q, %v, want %q", again, err, dir)
	}
	if n := npmRuns(t, log); n != 1 {
		t.Errorf("npm ran %d times, want 1", n)
	}
	assertNoTemp(t, root)

	spec.Lock = append(spec.Lock, '\n')
	moved, err := Install(spec, t.Logf)
	if err != nil || moved == dir {
		t.Errorf("Install after the lockfile changed: %q, %v, want a new folder", moved, err)
	}
}

func TestInstallChecksVersion(t *testing.T) {
	root, _ := fakeEnv(t)
	_, err := Install(pinned("1.0.1"), t.Logf)
	if want := "npm ci installed leftpad@1.0.1, want 1.0.0"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got error %v, want one containing %q", err, want)
	}
	if matches, _ := filepath.Glob(filepath.Join(root, "leftpad-*[0-9a-f]")); len(matches) != 0 {
		t.Errorf("a wrong version was moved into place: %v", matches)
	}
	assertNoTemp(t, root)
}

func TestInstallWithoutNPM(t *testing.T) {
	fakeEnv(t)
	t.Setenv("PATH", t.TempDir())
	spec := pinned("1.0.0")
	spec.Hint = "set SKIP_LEFTPAD=1 to skip these tests"
	_, err := Install(spec, t.Logf)
	want := regexp.MustCompile(`^npm not found in PATH: it is needed once to install leftpad@1\.0\.0 into .*/leftpad-1\.0\.0-[0-9a-f]{12}; install Node\.js with npm, or set SKIP_LEFTPAD=1 to skip these tests$`)
	if err == nil || !want.MatchString(err.Error()) {
		t.Errorf("got error %v, want one matching %s", err, want)
	}
}

// TestInstallReplacesIncomplete: a folder in the install's place without
// the marker (made by hand, or by a killed older layout) is replaced.
func TestInstallReplacesIncomplete(t *testing.T) {
	root, _ := fakeEnv(t)
	spec := pinned("1.0.0")
	dir, err := Install(spec, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "stray"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Install(spec, t.Logf); err != nil {
		t.Fatal(err)
	}
	if !isComplete(dir) {
		t.Error("no complete install after replacing an incomplete folder")
	}
	if _, err := os.Stat(filepath.Join(dir, "stray")); err == nil {
		t.Error("the incomplete folder's contents survived")
	}
	if left, _ := filepath.Glob(filepath.Join(root, ".leftpad-install-*-junk")); len(left) > 0 {
		t.Errorf("the incomplete folder was moved aside but not removed: %v", left)
	}
}

func TestInstallRemovesStaleTemp(t *testing.T) {
	root, _ := fakeEnv(t)
	stale, fresh := filepath.Join(root, ".leftpad-install-killed"), filepath.Join(root, ".leftpad-install-running")
	for _, d := range []string{stale, fresh} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-staleAfter - time.Minute)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if _, err := Install(pinned("1.0.0"), t.Logf); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Errorf("%s, older than %s, was not removed", stale, staleAfter)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("%s, which another process may be installing into, was removed: %v", fresh, err)
	}
}

// TestConcurrentInstalls starts three test binaries on an empty cache at
// once, as go test does with the packages that use npmpin: the file lock
// must make them share one install.
func TestConcurrentInstalls(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		concurrentChild(t)
		return
	}
	probe, err := lockInstall(filepath.Join(t.TempDir(), "probe.lock"))
	if err != nil {
		t.Skipf("no file lock here (%v): concurrent installs each run npm", err)
	}
	probe()
	root, log := fakeEnv(t)
	start := filepath.Join(t.TempDir(), "start")
	t.Setenv(childEnv, start)
	t.Setenv(fakeDelayEnv, "300ms")

	const n = 3
	cmds := make([]*exec.Cmd, n)
	outs := make([]*bytes.Buffer, n)
	for i := range cmds {
		outs[i] = new(bytes.Buffer)
		cmds[i] = exec.Command(os.Args[0], "-test.run=^TestConcurrentInstalls$", "-test.count=1")
		cmds[i].Stdout, cmds[i].Stderr = outs[i], outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	// Released together, so that the installs overlap.
	if err := os.WriteFile(start, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	dirs := map[string]bool{}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("process %d: %v\n%s", i, err, outs[i])
		}
		sc := bufio.NewScanner(outs[i])
		for sc.Scan() {
			if dir, ok := strings.CutPrefix(sc.Text(), "installed into "); ok {
				dirs[dir] = true
			}
		}
	}
	if len(dirs) != 1 {
		t.Errorf("the processes report %d install folders, want 1: %v", len(dirs), dirs)
	}
	if runs := npmRuns(t, log); runs != 1 {
		t.Errorf("npm ran %d times for %d processes, want 1", runs, n)
	}
	assertNoTemp(t, root)
}

func concurrentChild(t *testing.T) {
	start := os.Getenv(childEnv)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(start); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not appear: the parent test is gone", start)
		}
	}
	dir, err := Install(pinned("1.0.0"), t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("installed into " + dir)
}

// TestInstallScopedName: a scoped package's slash cannot be part of the
// cache folder's name (it failed with "pattern contains path separator").
func TestInstallScopedName(t *testing.T) {
	root, _ := fakeEnv(t)
	spec := Spec{Name: "@scope/leftpad", Version: "1.0.0",
		PackageJSON: []byte(`{"dependencies":{"@scope/leftpad":"1.0.0"}}`),
		Lock:        []byte(`{"lockfileVersion":3}`)}
	dir, err := Install(spec, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if want := regexp.MustCompile(`^scope\+leftpad-1\.0\.0-[0-9a-f]{12}$`); filepath.Dir(dir) != root || !want.MatchString(filepath.Base(dir)) {
		t.Errorf("installed into %s, want %s/scope+leftpad-1.0.0-<12 hex>", dir, root)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@scope", "leftpad", "package.json")); err != nil {
		t.Error(err)
	}
}
