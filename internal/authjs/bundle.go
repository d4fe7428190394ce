package authjs

import (
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/evanw/esbuild/pkg/api"
)

// globalName is where the bundle leaves the config module's namespace.
const globalName = "__convexAuthkitConfig"

// bundle builds file into one script as the Convex CLI's bundleAuthConfig
// does (bundle, platform browser, conditions convex and module, keepNames,
// target esnext, nothing external), so imports resolve exactly as on a push:
// relative files, tsconfig paths and packages from node_modules are bundled,
// a Node.js built-in fails to resolve, process.env.NODE_ENV is replaced by
// "development", and type-only imports vanish. Two things differ, both for
// the engine: the output is an IIFE rather than ESM, entered through a stub
// that exposes the module namespace (so a CommonJS file's module.exports is
// the default export, as with ESM output), and async generators are lowered
// because goja lacks them. The source map lets runtime errors point into the
// user's files; its sources are relative to root.
func bundle(root, file string) (code, sourceMap []byte, err error) {
	entry := "import * as config from " + strconv.Quote("./"+filepath.Base(file)) + ";\nexport { config };\n"
	res := api.Build(api.BuildOptions{
		Stdin: &api.StdinOptions{
			Contents:   entry,
			ResolveDir: filepath.Dir(file),
			Sourcefile: "<convex-authkit entry>",
			Loader:     api.LoaderJS,
		},
		AbsWorkingDir: root,
		Bundle:        true,
		Platform:      api.PlatformBrowser,
		Format:        api.FormatIIFE,
		GlobalName:    globalName,
		Target:        api.ESNext,
		Supported:     map[string]bool{"async-generator": false, "for-await": false},
		Conditions:    []string{"convex", "module"},
		KeepNames:     true,
		Sourcemap:     api.SourceMapExternal,
		Outfile:       filepath.Join(root, "convex-authkit-bundle.js"), // names the map; nothing is written
		LogLevel:      api.LogLevelSilent,
		Plugins:       []api.Plugin{importFence(root, filepath.Dir(file))},
		Write:         false,
	})
	if len(res.Errors) > 0 {
		return nil, nil, buildError(res.Errors)
	}
	for _, f := range res.OutputFiles {
		if strings.HasSuffix(f.Path, ".map") {
			sourceMap = f.Contents
		} else {
			code = f.Contents
		}
	}
	return code, sourceMap, nil
}

func buildError(msgs []api.Message) *BuildError {
	e := &BuildError{Messages: make([]BuildMessage, len(msgs))}
	for i, m := range msgs {
		bm := BuildMessage{Text: m.Text, Outside: m.PluginName == fencePlugin}
		if loc := m.Location; loc != nil {
			bm.Position = Position{File: filepath.ToSlash(loc.File), Line: loc.Line, Column: loc.Column + 1}
			// esbuild counts bytes; editors count characters.
			if loc.Column <= len(loc.LineText) {
				bm.Column = utf8.RuneCountInString(loc.LineText[:loc.Column]) + 1
			}
		}
		for _, n := range m.Notes {
			bm.Notes = append(bm.Notes, n.Text)
		}
		e.Messages[i] = bm
	}
	return e
}
