// Package npmpin installs an npm package tree pinned by a committed
// package-lock.json, for tests that check this tool against the JavaScript
// libraries it must agree with (npm dotenv, the WorkOS CLI). It follows the
// scheme internal/officialemu set up: `npm ci --ignore-scripts` from the
// committed lockfile (never `npm install pkg@x`, which resolves the
// package's own ranges against whatever the registry serves that day), into
// the CI cache folder, under a name holding the lockfile's hash so that a
// changed pin never reuses an old install, in a private folder renamed into
// place so that nobody sees half an install.
//
// Unlike officialemu it takes no file lock: the trees it is meant for are a
// package or two, so two test processes on a cold cache may both install
// and the first rename wins.
package npmpin

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
}

const (
	completeMarker = ".complete"
	staleAfter     = time.Hour
	npmTimeout     = 10 * time.Minute
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

// Install returns the folder holding node_modules for spec, running
// `npm ci` into the cache folder the first time. logf reports the install,
// which takes seconds, so a slow first test run is explained.
func Install(spec Spec, logf func(format string, args ...any)) (string, error) {
	root, err := CacheDir()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(spec.Lock)
	dir := filepath.Join(root, fmt.Sprintf("%s-%s-%x", spec.Name, spec.Version, sum[:6]))
	if isComplete(dir) {
		return dir, nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", fmt.Errorf("npm not found in PATH: it is needed once to install %s@%s into %s; install Node.js with npm", spec.Name, spec.Version, dir)
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", fmt.Errorf("cache folder for npm packages: %w", err)
	}
	prefix := "." + spec.Name + "-install-"
	removeStale(root, prefix)
	tmp, err := os.MkdirTemp(root, prefix)
	if err != nil {
		return "", fmt.Errorf("cache folder for npm packages: %w", err)
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
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
	if err := os.Rename(tmp, dir); err != nil && !isComplete(dir) {
		return "", fmt.Errorf("moving the %s install into place: %w", spec.Name, err)
	}
	logf("installed %s@%s in %s", spec.Name, spec.Version, time.Since(start).Round(100*time.Millisecond))
	return dir, nil
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
		return fmt.Errorf("npm ci installed %s@%s, want %s: the package-lock.json is out of step with the pin", spec.Name, meta.Version, spec.Version)
	}
	return nil
}

// removeStale deletes install folders left by killed test processes.
func removeStale(root, prefix string) {
	matches, _ := filepath.Glob(filepath.Join(root, prefix+"*"))
	for _, m := range matches {
		if info, err := os.Stat(m); err == nil && time.Since(info.ModTime()) >= staleAfter {
			os.RemoveAll(m) // best effort: a leftover only costs disk space
		}
	}
}
