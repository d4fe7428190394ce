// Package project loads what every command needs about the user's project:
// convex.json with its authKit section, the chosen environment, and the
// variable sources for placeholders. It turns every failure into a typed
// error with exit code 3 and located problems.
package project

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/config"
	"github.com/convex-authkit/convex-authkit/internal/diag"
	"github.com/convex-authkit/convex-authkit/internal/dotenv"
	"github.com/convex-authkit/convex-authkit/internal/envsel"
	"github.com/convex-authkit/convex-authkit/internal/resolve"
	"github.com/convex-authkit/convex-authkit/internal/safefile"
)

// LoadConfig loads and validates convex.json. Validation errors (and, when
// strict, warnings) become a *cmdutil.Error with exit code 3 listing every
// problem. The returned warnings are for the caller to print.
func LoadConfig(path, display string, strict bool) (*config.Config, []diag.Problem, error) {
	cfg, err := config.Load(path, display)
	if err != nil {
		return nil, nil, LoadError("cannot load "+display, err)
	}
	problems := cfg.Problems
	if strict {
		problems = diag.Promote(problems)
	}
	if errs := diag.Errors(problems); len(errs) > 0 {
		return nil, nil, cmdutil.ProblemsError(Count(display, errs), problems)
	}
	return cfg, problems, nil
}

// LoadError turns the *config.FileError of config.Load (convex.json
// missing, unreadable or not JSON) into a usage error listing its problem
// under summary; other errors pass through.
func LoadError(summary string, err error) error {
	var fe *config.FileError
	if errors.As(err, &fe) {
		return cmdutil.ProblemsError(summary, []diag.Problem{fe.Problem})
	}
	return err
}

// Count summarises problems as "convex.json has 2 errors".
func Count(display string, errs []diag.Problem) string {
	if len(errs) == 1 {
		return display + " has 1 error"
	}
	return fmt.Sprintf("%s has %d errors", display, len(errs))
}

// Display names path as messages show it: relative to dir, with slashes,
// when path is inside dir; otherwise in full, with slashes too.
func Display(dir, path string) string {
	if rel, err := filepath.Rel(dir, path); err == nil && filepath.IsLocal(rel) {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(path)
}

// Options names the project a command works on: convex.json, the section
// to use and the variable sources. Commands embed it in their options.
type Options struct {
	// ConfigPath is the convex.json to read; ConfigName is how messages
	// name it (relative to the working directory when possible).
	ConfigPath string
	ConfigName string
	Dir        string
	EnvFlag    string
	// EnvReason, when set, is why EnvFlag was chosen: a command that
	// fills EnvFlag in itself says so instead of "--env ...".
	EnvReason string
	Env       map[string]string
	// Flags are authEnv values from the command line.
	Flags map[string]string
	// StrictConfig makes convex.json's warnings errors (apply --strict).
	StrictConfig bool
}

// Target is an environment chosen and the sources to resolve it with.
type Target struct {
	Choice  envsel.Choice
	Sources *resolve.Sources
}

// Load loads convex.json (see LoadConfig) and the target (see LoadTarget).
// It is where the commands that work on one section pick it, so it is
// also where a chosen section that is missing while a misspelling of it is
// present (authKit.prodution for prod) stops them with exit 3: Convex
// would ignore the misspelt key, and the run would succeed having done
// nothing.
func Load(opts Options) (*config.Config, []diag.Problem, *Target, error) {
	cfg, warnings, err := LoadConfig(opts.ConfigPath, opts.ConfigName, opts.StrictConfig)
	if err != nil {
		return nil, nil, nil, err
	}
	target, err := LoadTarget(opts)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := NearMissError(cfg, target.Choice); err != nil {
		return nil, nil, nil, err
	}
	return cfg, warnings, target, nil
}

// NearMissError is the exit-3 error for a chosen section that convex.json
// lacks but seems to have misspelt (see config.NearMisses); nil otherwise.
func NearMissError(cfg *config.Config, choice envsel.Choice) error {
	near := cfg.NearMisses(choice.Env)
	if len(near) == 0 {
		return nil
	}
	return cmdutil.ProblemsError(fmt.Sprintf("%s has no authKit.%s section (chosen by %s); nothing was done", cfg.File, choice.Env, choice.Reason), near)
}

// LoadTarget chooses the environment and reads the dotenv files.
func LoadTarget(opts Options) (*Target, error) {
	choice, err := envsel.Choose(opts.EnvFlag, opts.Env)
	if err != nil {
		return nil, cmdutil.FlagErrorf("%v", err)
	}
	if opts.EnvReason != "" {
		choice.Reason = opts.EnvReason
	}
	src, err := resolve.Load(resolve.Options{Dir: opts.Dir, Env: opts.Env, Flags: opts.Flags})
	if err != nil {
		var pe *dotenv.ParseError
		if errors.As(err, &pe) {
			return nil, cmdutil.ProblemsError(fmt.Sprintf("cannot parse %s", pe.File), []diag.Problem{{
				Severity: diag.SeverityError, File: pe.File, Line: pe.Line, Message: pe.Reason,
				Hint: "fix the line so it reads NAME=value (the value may be quoted); its content is not shown because dotenv files hold secrets",
			}})
		}
		return nil, safefile.UsageOr(err, "check that the dotenv files are readable")
	}
	return &Target{Choice: choice, Sources: src}, nil
}
