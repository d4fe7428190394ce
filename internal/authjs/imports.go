package authjs

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

const fencePlugin = "convex-authkit-import-fence"

// resolving marks the plugin's own calls to build.Resolve, which run the
// plugin again.
type resolving struct{}

// importFence is an esbuild plugin that refuses any import whose file lies
// outside the places a Convex push of this project would bundle from: the
// project, the functions folder, and the node_modules folders Node.js
// searches from the project (its own and its ancestors', so packages
// hoisted to a monorepo root still resolve). It checks the real path, so a
// symlink cannot lead out, and it covers absolute paths, ../ escapes and
// tsconfig paths alike. esbuild resolves as usual; the plugin only looks at
// the answer.
func importFence(root, fnDir string) api.Plugin {
	var allowed []string
	add := func(dir string) {
		if real, err := filepath.EvalSymlinks(dir); err == nil {
			dir = real
		}
		allowed = append(allowed, dir)
	}
	add(root)
	add(fnDir)
	for _, base := range []string{root, realOr(root)} {
		for dir := base; ; dir = filepath.Dir(dir) {
			add(filepath.Join(dir, "node_modules"))
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	// A monorepo links its workspace packages (packages/shared) into the
	// root node_modules; their real files lie in the workspace, which the
	// Convex CLI bundles from like any package.
	if ws := workspaceRoot(root); ws != "" {
		add(ws)
	}
	return api.Plugin{
		Name: fencePlugin,
		Setup: func(build api.PluginBuild) {
			build.OnResolve(api.OnResolveOptions{Filter: ".*"}, func(args api.OnResolveArgs) (api.OnResolveResult, error) {
				if _, ok := args.PluginData.(resolving); ok {
					return api.OnResolveResult{}, nil
				}
				r := build.Resolve(args.Path, api.ResolveOptions{
					Importer: args.Importer, Namespace: args.Namespace, ResolveDir: args.ResolveDir,
					Kind: args.Kind, With: args.With, PluginData: resolving{},
				})
				// Failures are left to esbuild's own resolution, which
				// reports them with its usual messages and notes.
				if len(r.Errors) > 0 || r.External || r.Namespace != "file" || r.Path == "" {
					return api.OnResolveResult{}, nil
				}
				real := realOr(r.Path)
				for _, dir := range allowed {
					if within(dir, real) {
						return api.OnResolveResult{}, nil
					}
				}
				return api.OnResolveResult{Errors: []api.Message{{
					Text: fmt.Sprintf("%q is outside the project: it resolves to %s", args.Path, fromRoot(root, real)),
					Notes: []api.Note{{Text: "convex-authkit only reads files of the project and of the node_modules folders Node.js searches from it " +
						"while it evaluates the auth config, which is code it must not trust; move the file into the project or install it as a package"}},
				}}}, nil
			})
		},
	}
}

// fromRoot names path relative to the project root when it is near
// (../shared/x.json reads better than a long absolute path), absolute
// when it is far (/etc/hostname, not ../../../../etc/hostname).
func fromRoot(root, path string) string {
	rel, err := filepath.Rel(root, path)
	if err == nil && strings.Count(filepath.ToSlash(rel)+"/", "../") <= 2 {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(path)
}

// realOr is path with symlinks resolved, or path itself when that fails.
func realOr(path string) string {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		return real
	}
	return path
}

// within reports whether path is dir or inside it.
func within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && (rel == "." || filepath.IsLocal(rel))
}

// workspaceRoot is the nearest folder above root that declares npm, yarn or
// pnpm workspaces (a package.json "workspaces" field, or
// pnpm-workspace.yaml), or "" when there is none.
func workspaceRoot(root string) string {
	for dir := filepath.Dir(root); ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "pnpm-workspace.yaml")); err == nil {
			return dir
		}
		if b, err := os.ReadFile(filepath.Join(dir, "package.json")); err == nil {
			var pkg struct {
				Workspaces json.RawMessage `json:"workspaces"`
			}
			if json.Unmarshal(b, &pkg) == nil && len(pkg.Workspaces) > 0 && string(pkg.Workspaces) != "null" {
				return dir
			}
		}
		if filepath.Dir(dir) == dir {
			return ""
		}
	}
}
