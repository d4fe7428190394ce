// Package configcmd implements `config validate` and `config show`: it loads
// convex.json, resolves a section and renders the result for people or, with
// --json, for programs.
package configcmd

import (
	"errors"
	"fmt"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/diag"
	"github.com/convex-authkit/convex-authkit/internal/ghactions"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/project"
	"github.com/convex-authkit/convex-authkit/internal/secret"
)

// ValidateOptions are the inputs of `config validate`.
type ValidateOptions struct {
	IO         *iostreams.IOStreams
	ConfigPath string
	ConfigName string
	Strict     bool
	JSON       bool
	Verbose    bool
	// CI annotates the warnings of a valid file (Main annotates the
	// problems of an invalid one) and receives the job summary.
	CI ghactions.Step
}

type validateReport struct {
	SchemaVersion int            `json:"schemaVersion"`
	Valid         bool           `json:"valid"`
	Problems      []diag.Problem `json:"problems"`
	// Error says why the file is invalid (absent when valid).
	Error *cmdutil.ErrorJSON `json:"error,omitempty"`
}

// Validate checks convex.json and reports every problem at once.
func Validate(opts ValidateOptions) error {
	cfg, warnings, err := project.LoadConfig(opts.ConfigPath, opts.ConfigName, opts.Strict)
	opts.CI.Summarize(opts.IO.ErrOut, validateSummary(opts.ConfigName, warnings, err))
	if err != nil {
		var ce *cmdutil.Error
		if opts.JSON && errors.As(err, &ce) && ce.Code == cmdutil.ExitUsage {
			doc := cmdutil.ErrorObject(ce)
			if werr := cmdutil.WriteJSON(opts.IO.Out, validateReport{cmdutil.SchemaVersion, false, doc.Problems, doc}); werr != nil {
				return werr
			}
			return cmdutil.Written(err)
		}
		return err
	}
	opts.CI.Annotate.Problems(cmdutil.Problems(warnings))
	if opts.JSON {
		return cmdutil.WriteJSON(opts.IO.Out, validateReport{cmdutil.SchemaVersion, true, cmdutil.Problems(warnings), nil})
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

// validateSummary is the job summary section: the verdict and every
// problem, errors and warnings alike.
func validateSummary(name string, warnings []diag.Problem, err error) *ghactions.Markdown {
	md := ghactions.NewMarkdown("convex-authkit config validate", secret.MaskKeys)
	if err == nil {
		verdict := "✓ " + name + " is valid"
		if len(warnings) > 0 {
			verdict += fmt.Sprintf(" (%d %s)", len(warnings), plural(len(warnings), "warning"))
		}
		md.Para(verdict)
		md.Problems(warnings)
		return md
	}
	doc := cmdutil.ErrorObject(err)
	md.Para("✗ " + doc.Message)
	md.Problems(doc.Problems)
	if doc.Hint != "" {
		md.Para("hint: " + doc.Hint)
	}
	return md
}

func plural(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

func printUnknownTopLevel(io *iostreams.IOStreams, file string, keys []string) {
	for _, k := range keys {
		fmt.Fprintf(io.ErrOut, "%s: top-level key %q is not known to Convex 1.48; it is kept and ignored\n", file, k)
	}
}
