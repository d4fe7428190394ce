package officialemu

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// npmProject pins workos@Version and, through the lockfile, its whole
// dependency tree: `npm install workos@0.14.0` alone resolves the package's
// caret ranges against whatever the registry serves that day.
//
//go:embed testdata/package.json testdata/package-lock.json
var npmProject embed.FS

const (
	// completeMarker is written inside an install before it is renamed into
	// place, so a folder holding it is known to be whole.
	completeMarker = ".complete"
	// tempPrefix names the folders installs run in; a test process killed
	// mid-install leaves one behind, removed by a later install.
	tempPrefix  = ".workos-install-"
	staleAfter  = time.Hour
	npmTimeout  = 10 * time.Minute
	packageFile = "package.json"
	lockFile    = "package-lock.json"
)

// installation is shared by every Start in one test process, so that only
// the first test pays for (or fails on) the install.
var installation struct {
	once  sync.Once
	entry string
	err   error
}

// entryPoint returns the path of the WorkOS CLI's bin.js, installing it on
// first use.
func entryPoint(logf func(format string, args ...any)) (string, error) {
	installation.once.Do(func() {
		installation.entry, installation.err = install(logf)
	})
	return installation.entry, installation.err
}

// cacheDir is where the emulator is installed: the folder the CI scripts
// cache their tools in, so that one warm machine serves both.
func cacheDir() (string, error) {
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no cache folder for the official WorkOS emulator: XDG_CACHE_HOME and HOME are unset: %w", err)
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "convex-authkit-ci"), nil
}

func install(logf func(format string, args ...any)) (string, error) {
	root, err := cacheDir()
	if err != nil {
		return "", err
	}
	pkg, err := npmProject.ReadFile("testdata/" + packageFile)
	if err != nil {
		return "", err
	}
	lock, err := npmProject.ReadFile("testdata/" + lockFile)
	if err != nil {
		return "", err
	}
	// The lockfile's hash is in the folder name so that a changed pin never
	// reuses an install made from the old one.
	sum := sha256.Sum256(lock)
	dir := filepath.Join(root, fmt.Sprintf("workos-%s-%x", Version, sum[:6]))
	entry := filepath.Join(dir, "node_modules", "workos", "dist", "bin.js")
	if isComplete(dir) {
		return entry, nil
	}

	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", fmt.Errorf("npm not found in PATH: it is needed once to install the official WorkOS emulator (npm workos@%s) into %s; install Node.js >= 20.20 with npm, or set %s=1 to skip these tests", Version, dir, SkipEnv)
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", fmt.Errorf("cache folder for the official WorkOS emulator: %w", err)
	}
	if unlock, err := lockInstall(dir + ".lock"); err == nil {
		defer unlock()
		if isComplete(dir) {
			return entry, nil // installed while we waited for the lock
		}
	}
	removeStale(root)

	// Concurrent test processes (go test runs packages in parallel) each
	// install into a private folder and rename it into place; the rename is
	// atomic, so nobody ever sees half an install.
	tmp, err := os.MkdirTemp(root, tempPrefix)
	if err != nil {
		return "", fmt.Errorf("cache folder for the official WorkOS emulator: %w", err)
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	// MkdirTemp makes it private; the install is a cache like any other.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(tmp, packageFile), pkg, 0o644); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(tmp, lockFile), lock, 0o644); err != nil {
		return "", err
	}

	logf("installing the official WorkOS emulator (npm workos@%s, pinned by testdata/%s) into %s; later runs reuse it", Version, lockFile, dir)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), npmTimeout)
	defer cancel()
	// --ignore-scripts: no package in the tree has install scripts, and a
	// test should not run any that appear.
	cmd := exec.CommandContext(ctx, npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "npm_config_update_notifier=false")
	cmd.WaitDelay = 10 * time.Second
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("npm ci for workos@%s (in %s) failed after %s: %v\n%s", Version, tmp, time.Since(start).Round(time.Second), err, out)
	}
	if err := checkVersion(tmp); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(tmp, completeMarker), nil, 0o644); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if isComplete(dir) {
			return entry, nil // another test process got there first
		}
		if _, statErr := os.Stat(dir); statErr != nil {
			return "", fmt.Errorf("moving the WorkOS emulator install into place: %w", err)
		}
		// dir exists but is not a complete install (made by hand, or by an
		// older layout): move it aside atomically, then take its place.
		junk := tmp + "-junk"
		if err := os.Rename(dir, junk); err != nil && !isComplete(dir) {
			return "", fmt.Errorf("replacing the incomplete WorkOS emulator install %s: %w", dir, err)
		}
		os.RemoveAll(junk)
		if err := os.Rename(tmp, dir); err != nil && !isComplete(dir) {
			return "", fmt.Errorf("moving the WorkOS emulator install into place: %w", err)
		}
	}
	logf("installed workos@%s in %s", Version, time.Since(start).Round(100*time.Millisecond))
	return entry, nil
}

func isComplete(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, completeMarker))
	return err == nil
}

// checkVersion guards against npm installing something other than the pin
// (a lockfile edited by hand, an npm that ignores it).
func checkVersion(dir string) error {
	data, err := os.ReadFile(filepath.Join(dir, "node_modules", "workos", packageFile))
	if err != nil {
		return fmt.Errorf("npm ci did not install workos: %w", err)
	}
	var meta struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(data, &meta); err != nil {
		return fmt.Errorf("reading the installed workos package.json: %w", err)
	}
	if meta.Version != Version {
		return fmt.Errorf("npm ci installed workos@%s, want %s: testdata/%s is out of step with Version", meta.Version, Version, lockFile)
	}
	return nil
}

// removeStale deletes install folders left by killed test processes. Each
// holds a few hundred MB, and an install takes seconds, so anything an hour
// old is abandoned.
func removeStale(root string) {
	matches, _ := filepath.Glob(filepath.Join(root, tempPrefix+"*"))
	for _, m := range matches {
		info, err := os.Stat(m)
		if err != nil || time.Since(info.ModTime()) < staleAfter {
			continue
		}
		os.RemoveAll(m) // best effort: a leftover only costs disk space
	}
}
