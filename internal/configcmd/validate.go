// Package configcmd implements `config validate` and `config show`: it loads
// convex.json, resolves a section and renders the result for people or, with
// --json, for programs.
package configcmd

import (
	"errors"
	"fmt"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/diag"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/project"
)

// ValidateOptions are the inputs of `config validate`.
type ValidateOptions struct {
	IO         *iostreams.IOStreams
	ConfigPath string
	ConfigName string
	Strict     bool
	JSON       bool
	Verbose    bool
}

type validateReport struct {
	SchemaVersion int            `json:"schemaVersion"`
	Valid         bool           `json:"valid"`
	Problems      []diag.Problem `json:"problems"`
}

// Validate checks convex.json and reports every problem at once.
func Validate(opts ValidateOptions) error {
	cfg, warnings, err := project.LoadConfig(opts.ConfigPath, opts.ConfigName, opts.Strict)
	if err != nil {
		var ce *cmdutil.Error
		if opts.JSON && errors.As(err, &ce) && ce.Code == cmdutil.ExitUsage {
			if werr := cmdutil.WriteJSON(opts.IO.Out, validateReport{cmdutil.SchemaVersion, false, cmdutil.Problems(ce.Problems)}); werr != nil {
				return werr
			}
			return cmdutil.SilentError(cmdutil.ExitUsage)
		}
		return err
	}
	if opts.JSON {
		return cmdutil.WriteJSON(opts.IO.Out, validateReport{cmdutil.SchemaVersion, true, cmdutil.Problems(warnings)})
	}
	cs := opts.IO.ColorScheme()
	cmdutil.PrintProblems(opts.IO.ErrOut, cs, warnings)
	if opts.Verbose {
		printUnknownTopLevel(opts.IO, cfg.File, cfg.UnknownTopLevel)
	}
	summary := fmt.Sprintf("%s %s is valid", cs.Green("✓"), cfg.File)
	switch n := len(warnings); n {
	case 0:
	case 1:
		summary += " (1 warning)"
	default:
		summary += fmt.Sprintf(" (%d warnings)", n)
	}
	if cfg.AuthKit == nil {
		summary += "; it has no authKit section, so no AuthKit work happens"
	}
	fmt.Fprintln(opts.IO.Out, summary)
	return nil
}

func printUnknownTopLevel(io *iostreams.IOStreams, file string, keys []string) {
	for _, k := range keys {
		fmt.Fprintf(io.ErrOut, "%s: top-level key %q is not known to Convex 1.48; it is kept and ignored\n", file, k)
	}
}
