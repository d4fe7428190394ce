package framework

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/jsonpos"
	"github.com/convex-authkit/convex-authkit/internal/safefile"
)

// PackageJSON is what detection needs from package.json.
type PackageJSON struct {
	// Deps holds dependencies, devDependencies and peerDependencies.
	Deps map[string]bool
	// Scripts are in document order: the first script that sets a port wins.
	Scripts []Script
}

// Script is one entry of package.json "scripts".
type Script struct{ Name, Command string }

// ReadPackageJSON reads dir/package.json. A missing file is not an error:
// it returns nil and detection falls back to flags and questions.
func ReadPackageJSON(dir string) (*PackageJSON, error) {
	data, err := safefile.Read(filepath.Join(dir, "package.json"), safefile.Options{Limit: 1 << 20, What: "package.json"})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return ParsePackageJSON(data)
}

// ParsePackageJSON reads the dependencies and scripts of a package.json.
// Members of the wrong type are ignored, as npm ignores them.
func ParsePackageJSON(data []byte) (*PackageJSON, error) {
	root, err := jsonpos.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("package.json:%w", err)
	}
	pkg := &PackageJSON{Deps: map[string]bool{}}
	for _, key := range []string{"dependencies", "devDependencies", "peerDependencies"} {
		if m, ok := root.Lookup(key); ok && m.Value.Kind == jsonpos.Object {
			for _, name := range m.Value.Keys() {
				pkg.Deps[name] = true
			}
		}
	}
	if m, ok := root.Lookup("scripts"); ok && m.Value.Kind == jsonpos.Object {
		for _, name := range m.Value.Keys() {
			if s, _ := m.Value.Lookup(name); s.Value.Kind == jsonpos.String {
				pkg.Scripts = append(pkg.Scripts, Script{name, s.Value.Str})
			}
		}
	}
	return pkg, nil
}

// Detect returns the first framework whose Signals package.json has, and
// the reason in words, or nil when none matches.
func Detect(pkg *PackageJSON) (*Framework, string) {
	return detect(pkg, func(f *Framework) [][]string { return f.Signals })
}

// DetectAsConvex returns the first framework whose ConvexSignals
// package.json has, or nil.
func DetectAsConvex(pkg *PackageJSON) *Framework {
	fw, _ := detect(pkg, func(f *Framework) [][]string { return f.ConvexSignals })
	return fw
}

func detect(pkg *PackageJSON, signals func(*Framework) [][]string) (*Framework, string) {
	if pkg == nil {
		return nil, ""
	}
	for _, f := range All {
	sets:
		for _, set := range signals(f) {
			for _, name := range set {
				if !pkg.Deps[name] {
					continue sets
				}
			}
			return f, "package.json depends on " + strings.Join(set, " and ")
		}
	}
	return nil, ""
}
