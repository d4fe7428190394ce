package authconfig

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/convex-authkit/convex-authkit/internal/atomicfile"
	"github.com/convex-authkit/convex-authkit/internal/project"
	"github.com/convex-authkit/convex-authkit/internal/safefile"
	"github.com/convex-authkit/convex-authkit/internal/textdiff"
)

// Result is a planned auth config.
type Result struct {
	// Path is the file's absolute path; Name is how messages show it:
	// relative to Options.Dir, with slashes.
	Path, Name string
	// Status is StatusUnchanged, StatusWouldCreate or StatusWouldUpdate.
	Status string
	// Existing says who wrote the file there now: OriginNone when there
	// is none.
	Existing Origin
	Spec     Spec
	Convex   ConvexPackage
	// Content is the generated file. Diff turns the file there now into
	// it; it is "" when the file is unchanged.
	Content, Diff string
	// TypingOnly says the file there now is this very config as
	// convex-authkit generates it, typed the other way: it was written
	// before `npm install` added convex (untyped) or while node_modules
	// held it (typed). --check calls that up to date, so that its verdict
	// does not depend on whether node_modules is installed.
	TypingOnly bool
}

// Plan works out the auth config for opts without writing anything:
// generate auth-config's rules decide the file's name, language, typing
// and content. It reads opts.Dir, ConfigPath, ConfigName, Config,
// AuthDomain and Verbose, and writes its notes to opts.IO.ErrOut: why the file is (not)
// typed, and a warning when writing would drop or replace the custom
// domain an earlier run wrote (not with Stdout, which writes nothing).
func Plan(opts Options) (*Result, error) {
	if err := CheckFolder(filepath.Dir(opts.ConfigPath)); err != nil {
		return nil, err
	}
	functions, err := opts.functions()
	if err != nil {
		return nil, err
	}
	path, typeScript, err := target(functions, opts.Dir)
	if err != nil {
		return nil, err
	}
	convex, err := FindConvex(functions)
	if err != nil {
		return nil, err
	}
	spec := Spec{TypeScript: typeScript, Typed: convex.ExportsAuthConfig(), AuthDomain: opts.AuthDomain}
	content, err := Render(spec)
	if err != nil {
		return nil, err
	}
	res := &Result{
		Path: path, Name: project.Display(opts.Dir, path), Existing: OriginNone,
		Spec: spec, Convex: convex, Content: content,
	}
	explainTyping(opts, convex, functions)
	if !typeScript && opts.Verbose {
		fmt.Fprintf(opts.IO.ErrOut, "%s is the project's only auth config, so it stays JavaScript; delete it to switch to auth.config.ts\n", res.Name)
	}

	old, found, err := readExisting(path)
	if err != nil {
		return nil, safefile.UsageOr(err, "make "+res.Name+" a readable file, or remove it")
	}
	oldName := "/dev/null"
	res.Status = StatusWouldCreate
	if found {
		oldName, res.Existing, res.Status = "a/"+res.Name, Classify(old), StatusWouldUpdate
		if !opts.Stdout {
			warnDomainChange(opts, res.Name, old, spec)
		}
		if sameText(old, content) {
			res.Status = StatusUnchanged
			return res, nil
		}
		res.TypingOnly = res.Existing == OriginGenerated && sameAsOtherTyping(old, spec)
	}
	res.Diff = textdiff.Unified(oldName, "b/"+res.Name, old, content)
	return res, nil
}

// sameAsOtherTyping reports whether old is what spec renders with the
// other typing (with or without `satisfies AuthConfig`).
func sameAsOtherTyping(old string, spec Spec) bool {
	spec.Typed = !spec.Typed
	other, err := Render(spec)
	return err == nil && sameText(old, other)
}

// functions is the functions folder of opts.Config, or of the convex.json
// at opts.ConfigPath when the caller has not loaded it.
func (o Options) functions() (string, error) {
	if o.Config != nil {
		return Functions(o.Config, o.ConfigPath)
	}
	return FunctionsDir(o.ConfigPath, o.ConfigName)
}

// Write writes the planned file, making the functions folder for a new
// one, unless it is unchanged. It replaces the file whoever wrote it:
// callers decide from Existing whether that is theirs to do.
func (r *Result) Write() error {
	switch {
	case r.Status == StatusUnchanged:
		return nil
	case r.Existing == OriginNone:
		if err := os.MkdirAll(filepath.Dir(r.Path), 0o755); err != nil {
			return fmt.Errorf("creating the functions folder: %w", err) // err names it
		}
	}
	return atomicfile.Write(r.Path, []byte(r.Content))
}
