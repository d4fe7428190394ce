// Package cmd wires the cobra command tree: each command parses flags into an
// options struct and calls one function of an internal package. Main turns
// the returned error into one printed message and an exit code.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/config"
	"github.com/convex-authkit/convex-authkit/internal/diag"
	"github.com/convex-authkit/convex-authkit/internal/doctor"
	"github.com/convex-authkit/convex-authkit/internal/framework"
	"github.com/convex-authkit/convex-authkit/internal/ghactions"
)

// NewCmdRoot builds the command tree.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "convex-authkit",
		Short: "Configure and diagnose WorkOS AuthKit for Convex apps",
		Long: `convex-authkit works with the authKit section of convex.json: it validates it,
resolves its ${authEnv.X} and ${buildEnv.X} placeholders for the dev, preview
and prod deployments, and shows where every value comes from. It sets a
project up (init), writes convex/auth.config.ts and .env.local (generate),
registers the section's URLs in WorkOS (apply), and diagnoses the whole
chain and verifies tokens as a Convex deployment would (doctor, token).

Data goes to stdout, progress and errors to stderr; --json prints one JSON
document. See 'convex-authkit help exit-codes'.`,
		Example: `  convex-authkit init --client-id client_01J... --yes
  convex-authkit config validate
  convex-authkit config show --env prod --json | jq .configure.redirectUris
  convex-authkit apply --env dev --dry-run
  convex-authkit doctor
  convex-authkit demo`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return applyGlobals(f)
		},
	}
	// --version prints what `version` prints (a root that runs cobra's
	// default would say "convex-authkit version X" and nothing more).
	root.Version = f.Build.Version
	root.SuggestionsMinimumDistance = 2
	root.SetVersionTemplate(versionLine(f.Build))
	root.SetIn(f.IOStreams.In)
	root.SetOut(f.IOStreams.Out)
	root.SetErr(f.IOStreams.ErrOut)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return cmdutil.UsageError(err, fmt.Sprintf("run '%s --help' for usage", cmd.CommandPath()))
	})

	pf := root.PersistentFlags()
	pf.StringVar(&f.Globals.Dir, "dir", "", "project root (default: the working directory)")
	pf.StringVar(&f.Globals.Config, "config", "", "path to convex.json (default: <dir>/convex.json)")
	pf.BoolVar(&f.Globals.JSON, "json", false, "print one JSON document on stdout")
	pf.BoolVar(&f.Globals.NoInput, "no-input", false, "never prompt (also CONVEX_AUTHKIT_NO_INPUT=1 or CI=true)")
	pf.BoolVarP(&f.Globals.Verbose, "verbose", "v", false, "say more about what is read and why")
	pf.BoolVar(&f.Globals.NoColor, "no-color", false, "disable colour (also NO_COLOR)")

	root.AddCommand(
		newCmdVersion(f),
		newCmdConfig(f),
		newCmdApply(f, nil),
		newCmdPreview(f, nil),
		newCmdEmulate(f),
		newCmdGenerate(f),
		newCmdInit(f, nil),
		newCmdDoctor(f, nil),
		newCmdToken(f),
		newCmdDemo(f, nil),
	)
	root.AddCommand(newHelpTopics()...)
	registerCompletions(root)
	return root
}

// registerCompletions gives shell completion (`convex-authkit completion
// bash|zsh|fish|powershell`) the values of --env and --framework wherever
// a command has them, and doctor its check IDs and groups.
func registerCompletions(c *cobra.Command) {
	fixed := func(values ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return func(_ *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
			var out []string
			for _, v := range values {
				if strings.HasPrefix(v, prefix) {
					out = append(out, v)
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		}
	}
	if c.Flags().Lookup("env") != nil {
		_ = c.RegisterFlagCompletionFunc("env", fixed(string(config.Dev), string(config.Preview), string(config.Prod)))
	}
	if c.Flags().Lookup("framework") != nil {
		var ids []string
		for _, fw := range framework.All {
			ids = append(ids, fw.ID)
		}
		_ = c.RegisterFlagCompletionFunc("framework", fixed(ids...))
	}
	if c.Name() == "doctor" {
		names := append([]string{}, doctor.Groups...)
		for _, s := range doctor.Specs {
			names = append(names, s.ID)
		}
		c.ValidArgsFunction = fixed(names...)
	}
	for _, sub := range c.Commands() {
		registerCompletions(sub)
	}
}

// applyGlobals turns the global flags and their environment equivalents into
// stream settings, before any command runs.
func applyGlobals(f *cmdutil.Factory) error {
	if f.Globals.NoColor {
		f.IOStreams.SetColorEnabled(false)
	}
	if f.Globals.NoInput || f.EnvTruthy("CONVEX_AUTHKIT_NO_INPUT") || f.EnvTruthy("CI") {
		f.IOStreams.SetNeverPrompt(true)
	}
	return nil
}

// noArgs rejects positional arguments with a usage error (exit 3); for a
// command with subcommands it names the unknown one.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if cmd.HasSubCommands() {
		hint := fmt.Sprintf("run '%s --help' to see the commands", cmd.CommandPath())
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
			hint = fmt.Sprintf("did you mean '%s %s'? (%s)", cmd.CommandPath(), s[0], hint)
		}
		return cmdutil.UsageError(fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath()), hint)
	}
	return cmdutil.UsageError(fmt.Errorf("%s takes no arguments, got %q", cmd.CommandPath(), strings.Join(args, " ")),
		fmt.Sprintf("run '%s --help' for usage", cmd.CommandPath()))
}

// Main runs the command line and returns the exit code. It is the only place
// that prints errors.
func Main(ctx context.Context, args []string, f *cmdutil.Factory) int {
	root := NewCmdRoot(f)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return cmdutil.ExitOK
	}
	var ce *cmdutil.Error
	if !errors.As(err, &ce) {
		ce = &cmdutil.Error{Code: cmdutil.ExitFailure, Err: err}
		if isCobraUsageError(err) {
			ce.Code = cmdutil.ExitUsage
			ce.Hint = "run 'convex-authkit --help' for usage"
		}
	}
	if ce.Silent {
		return ce.Code
	}
	if !f.Globals.JSON && jsonRequested(args) {
		// A flag error stops parsing before --json is read; the script
		// that passed it still expects a document.
		f.Globals.JSON = true
	}
	printError(f, ce)
	annotateError(f.CIStep(cmd.CommandPath()).Annotate, ce)
	return ce.Code
}

// jsonRequested reports whether args ask for --json, read as pflag would
// read the boolean flag, up to "--".
func jsonRequested(args []string) bool {
	on := false
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "--json" {
			on = true
		} else if v, ok := strings.CutPrefix(a, "--json="); ok {
			on, _ = strconv.ParseBool(v)
		}
	}
	return on
}

// annotateError puts the error on the pull request in GitHub Actions: each
// located problem at its line, else the error at its file or on the run.
func annotateError(a *ghactions.Annotator, e *cmdutil.Error) {
	doc := cmdutil.ErrorObject(e)
	if len(doc.Problems) > 0 {
		a.Problems(doc.Problems)
		return
	}
	if e.File != "" {
		a.Problem("", diag.Problem{Severity: diag.SeverityError, File: e.File}, doc.Message, doc.Hint)
		return
	}
	a.Message(ghactions.LevelError, "", doc.Message, doc.Hint)
}

// isCobraUsageError recognises the argument errors cobra creates itself.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument", "accepts ", "requires at least", "requires at most"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// errorJSON is the document of a command that failed before it could
// write its own.
type errorJSON struct {
	SchemaVersion int                `json:"schemaVersion"`
	Error         *cmdutil.ErrorJSON `json:"error"`
}

func printError(f *cmdutil.Factory, e *cmdutil.Error) {
	io := f.IOStreams
	cs := io.ColorScheme()
	cmdutil.PrintProblems(io.ErrOut, cs, e.Problems)
	doc := cmdutil.ErrorObject(e)
	fmt.Fprintf(io.ErrOut, "%s %s\n", cs.Red("error:"), doc.Message)
	if doc.Hint != "" {
		fmt.Fprintf(io.ErrOut, "%s %s\n", cs.Gray("hint:"), doc.Hint)
	}
	if f.Globals.JSON && !e.JSONWritten {
		// Scripts reading stdout get the failure as a document too.
		_ = cmdutil.WriteJSON(io.Out, errorJSON{cmdutil.SchemaVersion, doc})
	}
}
