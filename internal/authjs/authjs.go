// Package authjs evaluates a project's convex/auth.config.ts (or .js) the way
// a Convex deployment does at push time: the Convex CLI bundles the file with
// esbuild (bundle, platform browser, ESM, conditions convex and module), the
// backend runs the bundle in V8 with process.env answered from the
// deployment's variables and JSON-stringifies the default export. Here esbuild
// runs through its Go API and the bundle runs in goja, with nothing reachable
// but process.env.
//
// The file is untrusted code, so both steps run in a child process of the
// binary itself (see sandbox.go): it inherits none of this process's
// environment, is killed at the deadline whatever it is doing, and stops
// itself when it needs more memory than allowed. esbuild may read only
// files of the project and the node_modules folders Node.js would search
// from it (see imports.go).
package authjs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/project"
	"github.com/convex-authkit/convex-authkit/internal/safefile"
)

// DefaultTimeout bounds one evaluation when Options.Timeout is zero. Convex
// allows user code about a second; a config that runs longer is looping.
const DefaultTimeout = 2 * time.Second

// Options says which file to evaluate and what the deployment would see.
type Options struct {
	// Dir is the project root. File names in results and errors are relative
	// to it. Empty means the working directory.
	Dir string
	// FunctionsDir is the Convex functions directory (convex.json
	// "functions"), relative to Dir or absolute. Empty means "convex".
	FunctionsDir string
	// Env holds the deployment's environment variables: what process.env
	// answers. A name absent from Env is unset, as on the deployment.
	Env map[string]string
	// Timeout bounds bundling and evaluation together; zero means
	// DefaultTimeout. Past it the child process is killed.
	Timeout time.Duration
	// MemoryLimit bounds the memory of the child process, in bytes; zero
	// means DefaultMemoryLimit.
	MemoryLimit int64
}

// DefaultMemoryLimit is far above what bundling and evaluating a real auth
// config needs (a few MiB) and far below what hurts a CI runner.
const DefaultMemoryLimit = 512 << 20

// Result is what the backend would check and store, plus what the file read.
type Result struct {
	// File is the evaluated file, relative to Options.Dir, with slashes.
	File string
	// JSON is JSON.stringify(default export): the text the backend checks
	// and deserialises, so keys whose value was undefined or a function are
	// gone. internal/convexauth's Check applies the push-time rules to it.
	JSON []byte
	// EnvRead lists the process.env names the file read, first read first.
	EnvRead []string
	// Missing lists the names of EnvRead that Env lacks. Convex fails the
	// push on the first such read; when the file caught that error, the
	// evaluation succeeds and Missing is still filled in. After a
	// *MissingEnvError both come from a second run in which unset variables
	// read as undefined, so they name every variable, not just the first.
	Missing []string
}

// ErrNotFound is returned (wrapped) by Locate and Evaluate when the functions
// directory has neither auth.config.ts nor auth.config.js. Convex then pushes
// no providers at all.
var ErrNotFound = errors.New("no auth.config.ts or auth.config.js")

// Locate returns the auth config file Convex would bundle in functionsDir:
// auth.config.ts, else auth.config.js; both present is a *BothFilesError.
func Locate(functionsDir string) (string, error) {
	ts := filepath.Join(functionsDir, "auth.config.ts")
	js := filepath.Join(functionsDir, "auth.config.js")
	hasTS, hasJS := isFile(ts), isFile(js)
	switch {
	case hasTS && hasJS:
		return "", &BothFilesError{JS: js, TS: ts}
	case hasTS:
		return ts, nil
	case hasJS:
		return js, nil
	}
	return "", fmt.Errorf("%s: %w", functionsDir, ErrNotFound)
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}

// Evaluate bundles and runs the auth config. Errors are *BothFilesError,
// *BuildError, *MissingEnvError, *RuntimeError, *TimeoutError or
// *ConfigError, or wrap ErrNotFound. Once the file has been bundled the
// Result is returned too, even with an error, so EnvRead and Missing are
// there for diagnostics.
func Evaluate(ctx context.Context, opts Options) (*Result, error) {
	root, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	fnDir := opts.FunctionsDir
	if fnDir == "" {
		fnDir = "convex"
	}
	if !filepath.IsAbs(fnDir) {
		fnDir = filepath.Join(root, fnDir)
	}
	file, err := Locate(fnDir)
	if err != nil {
		var both *BothFilesError
		if errors.As(err, &both) {
			both.JS, both.TS = project.Display(root, both.JS), project.Display(root, both.TS)
		}
		return nil, err
	}
	// The bundler would block on a FIFO and read a device: neither is a
	// source file.
	if st, err := os.Stat(file); err == nil && !st.Mode().IsRegular() {
		return nil, safefile.Special(project.Display(root, file), st.Mode())
	}
	req := request{Root: root, File: file, Display: project.Display(root, file), Env: opts.Env,
		Timeout: opts.Timeout, MemoryLimit: opts.MemoryLimit}
	if req.Timeout <= 0 {
		req.Timeout = DefaultTimeout
	}
	if req.MemoryLimit <= 0 {
		req.MemoryLimit = DefaultMemoryLimit
	}
	return evaluateInChild(ctx, req)
}
