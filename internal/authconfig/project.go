package authconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/config"
	"github.com/convex-authkit/convex-authkit/internal/diag"
	"github.com/convex-authkit/convex-authkit/internal/jsonpos"
	"github.com/convex-authkit/convex-authkit/internal/project"
)

// defaultFunctions is Convex's functions folder when convex.json names none.
const defaultFunctions = "convex/"

// FunctionsDir loads convex.json and returns the functions folder it
// names (see Functions). A missing convex.json is not an error (a new
// project may not have one yet); one that cannot be parsed is, with exit 3.
func FunctionsDir(configPath, configName string) (string, error) {
	if _, err := os.Stat(configPath); errors.Is(err, fs.ErrNotExist) {
		return Functions(nil, configPath)
	}
	cfg, err := config.Load(configPath, configName)
	if err != nil {
		return "", project.LoadError("cannot load "+configName, err)
	}
	return Functions(cfg, configPath)
}

// Functions returns the Convex functions folder of cfg, convex.json as
// loaded from configPath (nil when there is none): its "functions",
// relative to the folder holding convex.json as the Convex CLI reads it,
// or convex/ there. A "functions" that is not a folder name is a usage
// error.
func Functions(cfg *config.Config, configPath string) (string, error) {
	base := filepath.Dir(configPath)
	if cfg == nil {
		return filepath.Join(base, defaultFunctions), nil
	}
	m, ok := cfg.Root.Lookup("functions")
	if !ok {
		return filepath.Join(base, defaultFunctions), nil
	}
	if m.Value.Kind != jsonpos.String || strings.TrimSpace(m.Value.Str) == "" {
		return "", cmdutil.ProblemsError(cfg.File+" has 1 error", []diag.Problem{{
			Severity: diag.SeverityError, File: cfg.File, Path: "functions",
			Line: m.Value.Pos.Line, Column: m.Value.Pos.Column,
			Message: fmt.Sprintf("must be a folder name such as %q, found %s", defaultFunctions, describe(m.Value)),
			Hint:    "it names the folder of your Convex functions, relative to convex.json",
		}})
	}
	return filepath.Join(base, filepath.FromSlash(m.Value.Str)), nil
}

// CheckFolder returns a usage error unless dir is an existing folder. The
// commands that write into a project call it first, so that a mistyped
// --dir or --config neither creates a stray project nor fails halfway with
// an error about a temporary file.
func CheckFolder(dir string) error {
	const hint = "check --dir and --config: convex-authkit works in an existing project folder and does not create it"
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return cmdutil.UsageError(fmt.Errorf("folder %s does not exist", dir), hint)
	case err != nil:
		return cmdutil.UsageError(err, hint)
	case !info.IsDir():
		return cmdutil.UsageError(fmt.Errorf("%s is not a folder", dir), hint)
	}
	return nil
}

func describe(v *jsonpos.Value) string {
	switch v.Kind {
	case jsonpos.String:
		return "an empty string"
	case jsonpos.Null:
		return "null"
	case jsonpos.Array, jsonpos.Object:
		return "an " + v.Kind.String()
	}
	return "a " + v.Kind.String()
}

// authConfigSince is the first convex release that exports the AuthConfig
// type from convex/server (its CHANGELOG, 1.27.5: "Export an AuthConfig
// type to describe the object exported from convex/auth.config.ts").
var authConfigSince = [3]int{1, 27, 5}

// ConvexPackage is the convex npm package a project's functions resolve.
type ConvexPackage struct {
	// Version is its package.json version; "" when it is not installed.
	Version string
	// Path is the package.json read, or "".
	Path string
}

// FindConvex looks for node_modules/convex/package.json from dir upwards,
// as Node resolves `import "convex/server"` from a file in dir (so a
// workspace that hoists packages to its root is found too).
func FindConvex(dir string) (ConvexPackage, error) {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		path := filepath.Join(d, "node_modules", "convex", "package.json")
		data, err := os.ReadFile(path)
		if err == nil {
			var meta struct {
				Version string `json:"version"`
			}
			if err := json.Unmarshal(data, &meta); err != nil {
				return ConvexPackage{}, fmt.Errorf("reading %s: %w", path, err)
			}
			return ConvexPackage{Version: meta.Version, Path: path}, nil
		}
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission) {
			return ConvexPackage{}, fmt.Errorf("reading %s: %w", path, err)
		}
		if filepath.Dir(d) == d {
			return ConvexPackage{}, nil
		}
	}
}

// ExportsAuthConfig reports whether this convex version exports the
// AuthConfig type. A version that does not parse (or a pre-release of
// 1.27.5 itself) counts as not exporting it: a plain object compiles
// everywhere, and satisfies would not.
func (c ConvexPackage) ExportsAuthConfig() bool {
	v, ok := parseVersion(c.Version)
	if !ok {
		return false
	}
	for i := range v {
		if v[i] != authConfigSince[i] {
			return v[i] > authConfigSince[i]
		}
	}
	release, _, _ := strings.Cut(c.Version, "+") // a +build may hold a -
	return !strings.Contains(release, "-")
}

// parseVersion reads MAJOR.MINOR.PATCH, ignoring a -pre-release or +build
// suffix.
func parseVersion(s string) ([3]int, bool) {
	var v [3]int
	core, _, _ := strings.Cut(s, "+")
	core, _, _ = strings.Cut(core, "-")
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return v, false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return v, false
		}
		v[i] = n
	}
	return v, true
}
