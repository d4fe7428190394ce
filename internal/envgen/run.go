package envgen

import (
	"fmt"
	"io"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/config"
	"github.com/convex-authkit/convex-authkit/internal/dotenv"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/project"
	"github.com/convex-authkit/convex-authkit/internal/resolve"
	"github.com/convex-authkit/convex-authkit/internal/safefile"
	"github.com/convex-authkit/convex-authkit/internal/secret"
	"github.com/convex-authkit/convex-authkit/internal/textdiff"
)

// Options are the inputs of `generate env`.
type Options struct {
	IO *iostreams.IOStreams
	project.Options
	// WorkDir is the working directory; the file is named relative to it.
	WorkDir string

	JSON              bool
	Verbose           bool
	DryRun            bool
	Force             bool
	AllowPublicSecret bool
	// Rand and Ignored are as in Request; nil means the real ones.
	Rand    io.Reader
	Ignored func(dir, name string) (bool, error)
}

// Report is the --json document of `generate env`.
type Report struct {
	SchemaVersion int    `json:"schemaVersion"`
	Env           string `json:"env"`
	EnvReason     string `json:"envReason"`
	File          string `json:"file"`
	Framework     string `json:"framework"`
	DryRun        bool   `json:"dryRun"`
	// Changed says the file differs (or would) from what it was; Written
	// says it was written.
	Changed   bool       `json:"changed"`
	Written   bool       `json:"written"`
	Variables []Variable `json:"variables"`
	// Diff is the unified diff of the file, secrets masked.
	Diff     string   `json:"diff"`
	Warnings []string `json:"warnings"`
	Notes    []string `json:"notes"`
}

// defaultReason is why the dev section is used without --env. Unlike the
// other commands, generate env does not guess the section from CI
// variables: only dev can have localEnvVars, and a VERCEL_ENV left in a
// shell should not turn the command into a no-op.
const defaultReason = "the default for generate env: only authKit.dev has localEnvVars"

// Run plans .env.local, prints what happens to each variable (and the diff
// with --dry-run) on stdout, and writes the file unless --dry-run.
// Everything printed, and the error returned, passes through a redactor
// of every secret the section and the file hold.
func Run(opts Options) error {
	var red *secret.Redactor
	err := run(opts, &red)
	if red != nil {
		err = cmdutil.Redacted(err, red.Redact)
	}
	return err
}

func run(opts Options, redp **secret.Redactor) error {
	popts := opts.Options
	if popts.EnvFlag == "" {
		popts.EnvFlag, popts.EnvReason = string(config.Dev), defaultReason
	}
	cfg, warnings, target, err := project.Load(popts)
	if err != nil {
		return err
	}
	env := target.Choice.Env
	sec := resolve.Resolve(cfg, env, target.Sources)
	red := sec.Redactor(target.Sources)
	*redp = red
	io := opts.IO.Wrap(red.Writer)
	cs := io.ColorScheme()
	cmdutil.PrintProblems(io.ErrOut, cs, warnings)
	if opts.Verbose {
		cmdutil.PrintProblems(io.ErrOut, cs, target.Sources.Warnings)
	}
	fmt.Fprintf(io.ErrOut, "Using authKit.%s (%s)\n", env, target.Choice.Reason)

	res, err := Plan(Request{
		Dir: opts.Dir, Config: cfg, Section: sec, Sources: target.Sources, Environ: opts.Env,
		Force: opts.Force, AllowPublicSecret: opts.AllowPublicSecret, Rand: opts.Rand, Ignored: opts.Ignored,
	})
	if err != nil {
		return err
	}
	for _, s := range res.Secrets() {
		red.Add(s)
	}
	file := project.Display(opts.WorkDir, res.Path)
	report := &Report{
		SchemaVersion: cmdutil.SchemaVersion, Env: string(env), EnvReason: target.Choice.Reason,
		File: file, Framework: "unknown", DryRun: opts.DryRun, Changed: res.Changed(),
		Variables: res.Variables, Warnings: res.Warnings, Notes: []string{},
	}
	if res.Framework != nil {
		report.Framework = res.Framework.ID
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(io.ErrOut, "%s %s\n", cs.Yellow("warning:"), w)
	}
	if res.Nothing != "" {
		report.Notes = append(report.Notes, res.Nothing)
		return finish(opts, io, report, "Nothing to write: "+res.Nothing+".")
	}
	oldName := "a/" + file
	if !res.Existed {
		oldName = "/dev/null"
	}
	// Redacted here, not only by the stream: in JSON a secret holding a
	// quote or backslash is escaped and would no longer match.
	report.Diff = red.Redact(textdiff.Unified(oldName, "b/"+file, string(res.Old), string(res.New)))

	if !opts.JSON {
		printVariables(io, res.Variables)
		if opts.DryRun && report.Diff != "" {
			fmt.Fprint(io.Out, report.Diff)
		}
	}
	names := strings.Join(res.Updated(), ", ")
	switch {
	case !res.Changed():
		return finish(opts, io, report, fmt.Sprintf("%s is up to date.", file))
	case opts.DryRun:
		return finish(opts, io, report, fmt.Sprintf("Would update %s with %s (--dry-run: nothing written).", file, names))
	}
	if err := res.Write(); err != nil {
		if ue := safefile.Usage(err); ue != nil {
			return ue
		}
		// What is left are failures to create, sync or rename the
		// temporary file next to it.
		return &cmdutil.Error{Code: cmdutil.ExitFailure, Err: err, Hint: "check that the folder holding " + file + " is writable and the disk is not full"}
	}
	report.Written = true
	// The Convex CLI's words.
	return finish(opts, io, report, fmt.Sprintf("Updated %s with %s", file, names))
}

func finish(opts Options, io *iostreams.IOStreams, report *Report, message string) error {
	if opts.JSON {
		return cmdutil.WriteJSON(io.Out, report)
	}
	fmt.Fprintln(io.Out, message)
	return nil
}

// printVariables writes one line per variable, marked like a plan:
// + added, ~ replaced, = unchanged or already set, ! kept although
// convex.json says otherwise, - skipped.
func printVariables(io *iostreams.IOStreams, vars []Variable) {
	cs := io.ColorScheme()
	for _, v := range vars {
		assign := v.Name + "=" + v.Value
		var line string
		switch v.Action {
		case string(dotenv.Added):
			line = cs.Green("+ " + assign)
			if v.generated {
				line += cs.Gray(" (generated)")
			}
		case string(dotenv.Replaced):
			line = cs.Green("~ "+assign) + cs.Gray(" (replaced "+v.Source+")")
		case string(dotenv.Unchanged):
			line = "= " + assign + cs.Gray(" (unchanged)")
		case string(dotenv.Kept):
			if v.generated {
				line = "= " + v.Name + cs.Gray(" (already set at "+v.Source+")")
			} else {
				line = cs.Yellow("! "+v.Name) + cs.Gray(" (kept: "+v.Source+" has another value; --force replaces it)")
			}
		default:
			where := "in the environment"
			if v.Action == SkippedEnvFile {
				where = "in " + v.Source
			}
			line = "- " + v.Name + cs.Gray(" (skipped: set "+where+")")
		}
		fmt.Fprintln(io.Out, line)
	}
}
