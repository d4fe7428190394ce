package authconfig

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/authjs"
	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/config"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/project"
	"github.com/convex-authkit/convex-authkit/internal/safefile"
)

// Options are the inputs of `generate auth-config`.
type Options struct {
	IO *iostreams.IOStreams
	// Dir is the project root; paths in messages and diffs are relative
	// to it.
	Dir        string
	ConfigPath string // convex.json, absolute
	ConfigName string // convex.json as messages name it
	// Config is convex.json when the caller has loaded it already (init);
	// nil makes Plan load ConfigPath.
	Config *config.Config
	// AuthDomain is a custom authentication domain, already checked with
	// CheckAuthDomain, or "".
	AuthDomain string
	// Check writes nothing and fails (exit 1) when the file would change.
	Check bool
	// Force replaces a file convex-authkit did not write, or one edited
	// by hand.
	Force bool
	// Stdout prints the content instead of writing it.
	Stdout  bool
	JSON    bool
	Verbose bool
}

// The statuses a run reports.
const (
	StatusCreated     = "created"
	StatusUpdated     = "updated"
	StatusUnchanged   = "unchanged"
	StatusWouldCreate = "would-create" // --check
	StatusWouldUpdate = "would-update" // --check
	StatusRefused     = "refused"      // not ours or edited, no --force
	StatusPrinted     = "printed"      // --stdout
)

// report is the --json document.
type report struct {
	SchemaVersion int    `json:"schemaVersion"`
	Path          string `json:"path"`
	Status        string `json:"status"`
	Existing      Origin `json:"existing"`
	Language      string `json:"language"`
	Typed         bool   `json:"typed"`
	ConvexVersion string `json:"convexVersion"`
	AuthDomain    string `json:"authDomain"`
	Diff          string `json:"diff"`
	Content       string `json:"content"`
	// Error says why the command failed (--check drift, a refused file).
	Error *cmdutil.ErrorJSON `json:"error,omitempty"`
}

// Run renders the auth config and writes, checks or prints it.
func Run(opts Options) error {
	res, err := Plan(opts)
	if err != nil {
		return err
	}
	rel := res.Name
	rep := report{
		SchemaVersion: cmdutil.SchemaVersion, Path: rel, Existing: res.Existing,
		Language: strings.TrimPrefix(filepath.Ext(res.Path), "."), Typed: res.Spec.Typed,
		ConvexVersion: res.Convex.Version, AuthDomain: res.Spec.AuthDomain, Content: res.Content,
	}
	if opts.Stdout {
		rep.Status = StatusPrinted
		if opts.JSON {
			return cmdutil.WriteJSON(opts.IO.Out, rep)
		}
		_, err := fmt.Fprint(opts.IO.Out, res.Content)
		return err
	}

	rep.Status, rep.Diff = res.Status, res.Diff
	if opts.Check && res.TypingOnly {
		// Only the typing differs, and it follows node_modules: a checkout
		// without it must get the same verdict as one with it.
		fmt.Fprintf(opts.IO.ErrOut, "note: %s differs only in its typing (%s); run without --check to update it\n", rel, typingNote(res.Spec))
		rep.Status, rep.Diff = StatusUnchanged, ""
	}
	if rep.Status == StatusUnchanged {
		return finish(opts, rep, nil)
	}
	ours := res.Existing == OriginNone || res.Existing == OriginGenerated
	switch {
	case opts.Check:
		msg := rel + " is out of date"
		if res.Status == StatusWouldCreate {
			msg = rel + " does not exist"
		}
		hint := "run `" + res.Spec.Command() + "` to write it"
		if !ours {
			hint = "run `" + res.Spec.Command() + " --force` to replace it: " + whyRefused(rel, res.Existing)
		}
		return finish(opts, rep, &cmdutil.Error{Code: cmdutil.ExitFailure, Err: errors.New(msg), Hint: hint, File: rel})
	case !ours && !opts.Force:
		rep.Status = StatusRefused
		hint := "the diff above shows what generating would change (- the file now, + the generated one); run again with --force to replace it"
		if res.Existing == OriginEdited {
			hint += ", or keep your edits by deleting the header lines (convex-authkit leaves such a file alone)"
		}
		if !res.Spec.TypeScript {
			hint += "; convex-authkit keeps a project's only auth.config.js in JavaScript (delete it to switch to auth.config.ts)"
		}
		refused := cmdutil.UsageError(errors.New(whyRefused(rel, res.Existing)), hint)
		refused.File = rel
		return finish(opts, rep, refused)
	}

	if err := res.Write(); err != nil {
		if ue := safefile.Usage(err); ue != nil {
			return ue
		}
		return err
	}
	rep.Status = StatusUpdated
	if res.Existing == OriginNone {
		rep.Status = StatusCreated
	}
	return finish(opts, rep, nil)
}

// target returns the auth config file to write in the functions folder:
// the one Convex would bundle (authjs.Locate), or auth.config.ts when there
// is none. So a JavaScript project stays JavaScript; both present is
// Convex's own error.
func target(functions, dir string) (path string, typeScript bool, err error) {
	path, err = authjs.Locate(functions)
	var both *authjs.BothFilesError
	switch {
	case errors.As(err, &both):
		return "", false, cmdutil.UsageError(
			fmt.Errorf("found both %s and %s, choose one", project.Display(dir, both.JS), project.Display(dir, both.TS)),
			"Convex refuses to push with both; delete the one you do not want, then run this again")
	case err != nil: // authjs.ErrNotFound
		path = filepath.Join(functions, "auth.config.ts")
	}
	return path, filepath.Ext(path) == ".ts", nil
}

// RecordedAuthDomain returns the --auth-domain recorded in the header of
// the auth config in the functions folder (the file Convex bundles there,
// as Plan picks it) when convex-authkit wrote it and it is unchanged
// since; "" otherwise. init keeps that domain unless told otherwise, so
// that running it again changes nothing.
func RecordedAuthDomain(functions string) string {
	path, err := authjs.Locate(functions)
	if err != nil {
		return ""
	}
	content, found, err := readExisting(path)
	if err != nil || !found || Classify(content) != OriginGenerated {
		return ""
	}
	return writtenWith(content)
}

// readExisting returns the file's content and whether it exists. It
// refuses anything but a regular file (a FIFO would block the read, and
// writing would replace a device behind a link) with a safefile error.
func readExisting(path string) (string, bool, error) {
	data, err := safefile.Read(path, safefile.Options{Limit: maxSize, What: "an auth config"})
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	return string(data), err == nil, err
}

// maxSize bounds the auth config read: the generated one is under a
// kilobyte, and a hand-written one as big as this is no auth config.
const maxSize = 1 << 20

// sameText compares files as git with autocrlf would: CRLF equals LF.
func sameText(a, b string) bool {
	return a == b || strings.ReplaceAll(a, "\r\n", "\n") == strings.ReplaceAll(b, "\r\n", "\n")
}

func whyRefused(rel string, origin Origin) string {
	if origin == OriginEdited {
		return rel + " was edited by hand since convex-authkit wrote it"
	}
	return rel + " was not written by convex-authkit (it has no convex-authkit header)"
}

func typingNote(spec Spec) string {
	if spec.Typed {
		return "the installed convex exports AuthConfig, and the file does not use it"
	}
	return "it uses AuthConfig, and no installed convex exports it"
}

// explainTyping says why the file is (not) typed: always when convex is
// not installed (the next run after npm install will differ), otherwise
// under --verbose.
func explainTyping(opts Options, convex ConvexPackage, functions string) {
	w := opts.IO.ErrOut
	switch {
	case convex.Version == "":
		fmt.Fprintf(w, "note: no node_modules/convex above %s, so the config is a plain object; after installing convex (>= 1.27.5), run this again to type it with AuthConfig\n", project.Display(opts.Dir, functions))
	case !opts.Verbose:
	case convex.ExportsAuthConfig():
		fmt.Fprintf(w, "convex %s (%s) exports the AuthConfig type: the config is checked against it\n", convex.Version, project.Display(opts.Dir, convex.Path))
	default:
		fmt.Fprintf(w, "convex %s (%s) predates the AuthConfig type (1.27.5): the config is a plain object\n", convex.Version, project.Display(opts.Dir, convex.Path))
	}
}

// warnDomainChange warns when a run would drop or replace the custom
// domain an earlier run wrote: tokens from it would stop matching.
func warnDomainChange(opts Options, rel, existing string, spec Spec) {
	before := writtenWith(existing)
	if before == "" || before == spec.AuthDomain {
		return
	}
	cs := opts.IO.ColorScheme()
	what := "without it, its providers are removed"
	if spec.AuthDomain != "" {
		what = "its providers are replaced by those for " + spec.AuthDomain
	}
	fmt.Fprintf(opts.IO.ErrOut, "%s %s was written with --auth-domain %s; %s, and Convex will reject tokens issued by %s\n",
		cs.Yellow("warning:"), rel, before, what, before)
}

func finish(opts Options, rep report, fail *cmdutil.Error) error {
	if opts.JSON {
		if fail != nil {
			rep.Error = cmdutil.ErrorObject(fail)
		}
		if err := cmdutil.WriteJSON(opts.IO.Out, rep); err != nil {
			return err
		}
		if fail != nil {
			return cmdutil.Written(fail)
		}
		return nil
	}
	out, cs := opts.IO.Out, opts.IO.ColorScheme()
	if rep.Diff != "" && (fail != nil || opts.Verbose) {
		fmt.Fprint(out, rep.Diff)
	}
	if fail != nil {
		return fail
	}
	switch rep.Status {
	case StatusUnchanged:
		fmt.Fprintf(out, "%s %s is up to date\n", cs.Green("✓"), rep.Path)
	default:
		fmt.Fprintf(out, "%s %s %s\n", cs.Green("✓"), rep.Status, rep.Path)
	}
	if rep.Status == StatusCreated {
		fmt.Fprintf(opts.IO.ErrOut, "Convex reads %s from each deployment's environment: authKit in convex.json sets it, or run `npx convex env set %s <client id>`\n", ClientIDVar, ClientIDVar)
	}
	return nil
}
