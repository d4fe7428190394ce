// Package cmd wires the cobra command tree: each command parses flags into an
// options struct and calls one function of an internal package. Main turns
// the returned error into one printed message and an exit code.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/secret"
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
	return root
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
		return cmdutil.UsageError(fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath()),
			fmt.Sprintf("run '%s --help' to see the commands", cmd.CommandPath()))
	}
	return cmdutil.UsageError(fmt.Errorf("%s takes no arguments, got %q", cmd.CommandPath(), strings.Join(args, " ")),
		fmt.Sprintf("run '%s --help' for usage", cmd.CommandPath()))
}

// Main runs the command line and returns the exit code. It is the only place
// that prints errors.
func Main(ctx context.Context, args []string, f *cmdutil.Factory) int {
	root := NewCmdRoot(f)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
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
	printError(f, ce)
	return ce.Code
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

type errorJSON struct {
	SchemaVersion int         `json:"schemaVersion"`
	Error         errorDetail `json:"error"`
}

type errorDetail struct {
	Code     int    `json:"code"`
	Message  string `json:"message"`
	Hint     string `json:"hint,omitempty"`
	Problems any    `json:"problems"`
}

func printError(f *cmdutil.Factory, e *cmdutil.Error) {
	io := f.IOStreams
	cs := io.ColorScheme()
	cmdutil.PrintProblems(io.ErrOut, cs, e.Problems)
	msg := secret.MaskKeys(e.Error())
	if e.Err == nil {
		msg = "failed"
	}
	hint := secret.MaskKeys(e.Hint)
	fmt.Fprintf(io.ErrOut, "%s %s\n", cs.Red("error:"), msg)
	if hint != "" {
		fmt.Fprintf(io.ErrOut, "%s %s\n", cs.Gray("hint:"), hint)
	}
	if f.Globals.JSON {
		// Scripts reading stdout get the failure as a document too.
		_ = cmdutil.WriteJSON(io.Out, errorJSON{cmdutil.SchemaVersion, errorDetail{e.Code, msg, hint, cmdutil.Problems(e.Problems)}})
	}
}
