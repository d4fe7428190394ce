// Package npmpin installs an npm package tree pinned by a committed
// package-lock.json, for tests that check this tool against the JavaScript
// code it must agree with (npm dotenv, the Convex type definitions, the
// official WorkOS emulator). It runs `npm ci --ignore-scripts` from the
// committed lockfile (never `npm install pkg@x`, which resolves the
// package's own ranges against whatever the registry serves that day) into
// the CI cache folder, under a name holding the lockfile's hash so that a
// changed pin never reuses an old install.
//
// Test binaries run in parallel (go test runs packages at once), so an
// install runs in a private folder that is renamed into place only once it
// is whole, and a file lock makes the others wait for that one install
// instead of each downloading their own.
package npmpin

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Spec is one pinned tree.
type Spec struct {
	// Name and Version are the package the tree is for; Install checks
	// that node_modules/<Name> has exactly Version.
	Name    string
	Version string
	// PackageJSON and Lock are the committed package.json and
	// package-lock.json.
	PackageJSON []byte
	Lock        []byte
	// Hint, if set, ends the error for a missing npm with another way out,
	// such as the environment variable that skips the tests needing it.
	Hint string
}

const (
	// completeMarker is written inside an install before it is renamed into
	// place, so a folder holding it is known to be whole.
	completeMarker = ".complete"
	// staleAfter: an install takes seconds, so a temporary folder this old
	// was left by a killed test process.
	staleAfter = time.Hour
	npmTimeout = 10 * time.Minute
)

// CacheDir is where trees are installed: the folder the CI scripts cache
// their tools in, so that one warm machine serves both.
func CacheDir() (string, error) {
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no cache folder for npm packages: XDG_CACHE_HOME and HOME are unset: %w", err)
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "convex-authkit-ci"), nil
}

// Install returns the folder holding node_modules for spec,
// <CacheDir>/<Name>-<Version>-<first 12 hex of sha256(Lock)>, running
// `npm ci` into it the first time. logf reports the install, which takes
// seconds, so a slow first test run is explained.
func Install(spec Spec, logf func(format string, args ...any)) (string, error) {
	root, err := CacheDir()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(spec.Lock)
	// A scoped name (@workos-inc/node) has a slash, which a folder name
	// cannot: the scope becomes a prefix (workos-inc+node).
	folder := strings.NewReplacer("@", "", "/", "+").Replace(spec.Name)
	dir := filepath.Join(root, fmt.Sprintf("%s-%s-%x", folder, spec.Version, sum[:6]))
	if isComplete(dir) {
		return dir, nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		msg := fmt.Sprintf("npm not found in PATH: it is needed once to install %s@%s into %s; install Node.js with npm", spec.Name, spec.Version, dir)
		if spec.Hint != "" {
			msg += ", or " + spec.Hint
		}
		return "", errors.New(msg)
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", fmt.Errorf("cache folder for npm packages: %w", err)
	}
	if unlock, err := lockInstall(dir + ".lock"); err == nil {
		defer unlock()
		if isComplete(dir) {
			return dir, nil // installed while we waited for the lock
		}
	}
	prefix := "." + folder + "-install-"
	removeStale(root, prefix)
	tmp, err := os.MkdirTemp(root, prefix)
	if err != nil {
		return "", fmt.Errorf("cache folder for npm packages: %w", err)
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	// MkdirTemp makes it private; the install is a cache like any other.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", err
	}
	for name, data := range map[string][]byte{"package.json": spec.PackageJSON, "package-lock.json": spec.Lock} {
		if err := os.WriteFile(filepath.Join(tmp, name), data, 0o644); err != nil {
			return "", err
		}
	}

	logf("installing npm %s@%s (pinned by its package-lock.json) into %s; later runs reuse it", spec.Name, spec.Version, dir)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), npmTimeout)
	defer cancel()
	// --ignore-scripts: a test should not run install scripts that appear
	// in a pinned tree.
	cmd := exec.CommandContext(ctx, npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "npm_config_update_notifier=false")
	cmd.WaitDelay = 10 * time.Second
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("npm ci for %s@%s (in %s) failed after %s: %v\n%s", spec.Name, spec.Version, tmp, time.Since(start).Round(time.Second), err, out)
	}
	if err := checkVersion(tmp, spec); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(tmp, completeMarker), nil, 0o644); err != nil {
		return "", err
	}
	if err := moveIntoPlace(tmp, dir, spec.Name); err != nil {
		return "", err
	}
	logf("installed %s@%s in %s", spec.Name, spec.Version, time.Since(start).Round(100*time.Millisecond))
	return dir, nil
}

// moveIntoPlace renames the finished install tmp to dir. The rename is
// atomic, so nobody ever sees half an install.
func moveIntoPlace(tmp, dir, name string) error {
	err := os.Rename(tmp, dir)
	if err == nil || isComplete(dir) {
		return nil // or another test process got there first
	}
	if _, statErr := os.Stat(dir); statErr != nil {
		return fmt.Errorf("moving the %s install into place: %w", name, err)
	}
	// dir exists but is not a complete install (made by hand, or by an
	// older layout): move it aside atomically, then take its place.
	junk := tmp + "-junk"
	if err := os.Rename(dir, junk); err != nil && !isComplete(dir) {
		return fmt.Errorf("replacing the incomplete %s install %s: %w", name, dir, err)
	}
	os.RemoveAll(junk)
	if err := os.Rename(tmp, dir); err != nil && !isComplete(dir) {
		return fmt.Errorf("moving the %s install into place: %w", name, err)
	}
	return nil
}

func isComplete(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, completeMarker))
	return err == nil
}

// checkVersion guards against npm installing something other than the pin
// (a lockfile edited by hand, an npm that ignores it).
func checkVersion(dir string, spec Spec) error {
	data, err := os.ReadFile(filepath.Join(dir, "node_modules", spec.Name, "package.json"))
	if err != nil {
		return fmt.Errorf("npm ci did not install %s: %w", spec.Name, err)
	}
	var meta struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(data, &meta); err != nil {
		return fmt.Errorf("reading the installed %s package.json: %w", spec.Name, err)
	}
	if meta.Version != spec.Version {
		return fmt.Errorf("npm ci installed %s@%s, want %s: the package-lock.json is out of step with the pinned version", spec.Name, meta.Version, spec.Version)
	}
	return nil
}

// removeStale deletes install folders left by killed test processes; some
// hold hundreds of MB.
func removeStale(root, prefix string) {
	matches, _ := filepath.Glob(filepath.Join(root, prefix+"*"))
	for _, m := range matches {
		if info, err := os.Stat(m); err == nil && time.Since(info.ModTime()) >= staleAfter {
			os.RemoveAll(m) // best effort: a leftover only costs disk space
		}
	}
}
