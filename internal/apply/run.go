package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/component"
	"github.com/convex-authkit/convex-authkit/internal/config"
	"github.com/convex-authkit/convex-authkit/internal/deployment"
	"github.com/convex-authkit/convex-authkit/internal/diag"
	"github.com/convex-authkit/convex-authkit/internal/emulator"
	"github.com/convex-authkit/convex-authkit/internal/ghactions"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/project"
	"github.com/convex-authkit/convex-authkit/internal/prompt"
	"github.com/convex-authkit/convex-authkit/internal/resolve"
	"github.com/convex-authkit/convex-authkit/internal/secret"
	"github.com/convex-authkit/convex-authkit/internal/workos"
)

// Options are the inputs of `apply`.
type Options struct {
	IO       *iostreams.IOStreams
	Prompter prompt.Prompter
	project.Options

	JSON             bool
	Verbose          bool
	DryRun           bool
	DetailedExitCode bool
	// Strict makes convex.json's warnings errors, and a missing section
	// too: a CI run that would configure nothing fails instead.
	Strict      bool
	Prune       bool
	Yes         bool
	Concurrency int
	Timeout     time.Duration
	// BaseURL is --workos-url; empty means WORKOS_BASE_URL, then WorkOS.
	BaseURL string
	// Emulate runs against an in-process WorkOS emulator (no account needed).
	Emulate   bool
	UserAgent string

	// Deployment and DeploymentClient say how to reach the Convex
	// deployment (Vars and Section are filled in by Run); NoDeployment is
	// --no-deployment.
	Deployment       deployment.Options
	DeploymentClient deployment.ClientOptions
	NoDeployment     bool
	// OverwriteDeploymentVars gives the deployment the local WORKOS_*
	// values where it holds others, instead of stopping on the mismatch.
	OverwriteDeploymentVars bool
	// SiteURL is --site-url: the origin of the deployment's HTTP actions,
	// for the component's webhook endpoint ("" asks the deployment).
	SiteURL string
	// RotateWebhookSecret recreates the component's webhook endpoint so
	// that its new secret can be stored on the deployment.
	RotateWebhookSecret bool
	// CI annotates warnings and failed changes in GitHub Actions (Main
	// annotates the returned error) and receives the job summary.
	CI ghactions.Step
}

// OverwriteFlag is the flag that sets OverwriteDeploymentVars.
const OverwriteFlag = "--overwrite-deployment-vars"

// DeploymentReport says which deployment apply read and wrote, in --json.
type DeploymentReport struct {
	Connected bool   `json:"connected"`
	Target    string `json:"target,omitempty"`
	// Reason says why none is connected.
	Reason string `json:"reason,omitempty"`
}

// Report is the --json document of apply.
type Report struct {
	SchemaVersion int              `json:"schemaVersion"`
	Env           string           `json:"env"`
	EnvReason     string           `json:"envReason"`
	DryRun        bool             `json:"dryRun"`
	Plan          []Item           `json:"plan"`
	Summary       Summary          `json:"summary"`
	Results       []Result         `json:"results"`
	Notes         []string         `json:"notes"`
	Deployment    DeploymentReport `json:"deployment"`
	// Nothing is true when the section asked for no change at all (no
	// section, configure false or empty, and no deployment variable to
	// set); NothingReason says which.
	Nothing       bool   `json:"nothing"`
	NothingReason string `json:"nothingReason,omitempty"`
	// Error is set when changes failed or were cancelled after the plan.
	Error *cmdutil.ErrorJSON `json:"error,omitempty"`
}

// Run validates, plans and applies one section. Everything it prints, and
// the error it returns, passes through a redactor of the section's secrets:
// a URL that embeds one is shown masked, never in full.
func Run(ctx context.Context, opts Options) error {
	var red *secret.Redactor
	var report *Report
	err := run(ctx, opts, &red, &report)
	redact := secret.MaskKeys
	if red != nil {
		err = cmdutil.Redacted(err, red.Redact)
		redact = red.Redact
	}
	opts.CI.Summarize(opts.IO.ErrOut, summary(report, err, redact))
	return err
}

func run(ctx context.Context, opts Options, redp **secret.Redactor, reportp **Report) error {
	popts := opts.Options
	popts.StrictConfig = opts.Strict
	cfg, warnings, target, err := project.Load(popts)
	if err != nil {
		return err
	}
	env := target.Choice.Env
	if opts.Strict && cfg.Section(env) == nil {
		return cmdutil.UsageError(fmt.Errorf("%s has no authKit.%s section (chosen by %s): --strict refuses a run that configures nothing", cfg.File, env, target.Choice.Reason),
			fmt.Sprintf("add an authKit.%s section (convex-authkit init writes one), choose the section you mean with --env, or drop --strict", env))
	}
	if opts.Prune && env == config.Preview {
		// Every open pull request shares the preview section's WorkOS
		// environment: what this branch's convex.json does not list is, as
		// often as not, another preview's redirect URI.
		return cmdutil.UsageError(errors.New("--prune is refused for the preview section: the redirect URIs it does not list include other branches' open previews, which it would delete"),
			"to remove this branch's redirect URIs when its pull request closes: convex-authkit preview remove; to delete stale previews: convex-authkit preview prune --live-branches FILE (or --older-than AGE)")
	}
	att, err := deployment.AttachAuth(ctx, deployment.AuthRequest{Options: opts.Deployment, Client: opts.DeploymentClient,
		Disabled: opts.NoDeployment, Sources: target.Sources, Env: string(env), PreferLocal: opts.OverwriteDeploymentVars})
	if err != nil {
		// Nothing is planned without the deployment's values, so nothing
		// was sent to WorkOS or written anywhere: say so, as for a
		// mismatch, so that nobody wonders what state things are in.
		var ce *cmdutil.Error
		if errors.As(err, &ce) && ce.Err != nil {
			ce.Err = fmt.Errorf("%w; nothing was applied", ce.Err)
		}
		return err
	}
	sec := resolve.Resolve(cfg, env, target.Sources)
	red := sec.Redactor(target.Sources)
	if att.Connected() {
		red.Add(att.Target.AdminKey())
	}
	*redp = red
	io := opts.IO.Wrap(red.Writer)
	opts.IO = io
	cs := io.ColorScheme()
	report := &Report{SchemaVersion: cmdutil.SchemaVersion, Env: string(env), EnvReason: target.Choice.Reason,
		DryRun: opts.DryRun, Plan: []Item{}, Results: []Result{}, Notes: []string{},
		Deployment: DeploymentReport{Connected: att.Connected()}}
	*reportp = report
	annotate := opts.CI.Annotate.Wrap(red.Writer)
	if att.Connected() {
		report.Deployment.Target = att.Describe()
	} else {
		report.Deployment.Reason = att.NotConnected
	}

	// The values are validated before the key is even looked up, so that a
	// broken convex.json is reported first, whatever else is missing.
	nothing := nothingToDo(cfg, sec)
	var invalid []diag.Problem
	if nothing == "" && len(sec.Problems) == 0 {
		invalid = Validate(cfg.File, sec, env == config.Prod, "the prod section")
	}
	// A value apply refuses is reported once, as the error it is, not also
	// as the file check's warning about the same value.
	cmdutil.PrintProblems(io.ErrOut, cs, diag.WithoutPaths(warnings, invalid))
	annotate.Problems(diag.WithoutPaths(warnings, invalid))
	fmt.Fprintf(io.ErrOut, "Using authKit.%s (%s)\n", env, target.Choice.Reason)
	if att.Connected() {
		fmt.Fprintf(io.ErrOut, "Using %s\n", att.Describe())
	} else {
		fmt.Fprintf(io.ErrOut, "%s %s\n", cs.Gray("note:"), att.NotConnectedNote())
	}

	// The Convex CLI checks the deployment's credentials before its push
	// does anything else; so does apply, before any WorkOS request.
	vars, varWarnings, err := deployment.PlanAuthVars(target.Sources, att.Describe(), opts.OverwriteDeploymentVars, OverwriteFlag)
	if err != nil {
		return err
	}
	for _, w := range varWarnings {
		fmt.Fprintf(io.ErrOut, "%s %s\n", cs.Yellow("warning:"), w)
	}
	if !sec.Configured {
		// Without the section the Convex CLI does no WorkOS work at all,
		// and sets nothing on the deployment either.
		vars = nil
	}
	usage, err := component.Detect(component.ProjectOptions(opts.ConfigPath, opts.ConfigName))
	if err != nil {
		return fmt.Errorf("reading the app's source for %s: %w", component.Package, err)
	}
	// The component's endpoint is configured only where its secret can be
	// stored: WorkOS shows it once, in the answer that creates it.
	hookWanted := usage.Used && att.Connected()
	if usage.Used {
		for _, p := range usage.Problems {
			fmt.Fprintf(io.ErrOut, "%s %s (doctor's webhooks.wiring check fails on it)\n", cs.Yellow("warning:"), p)
		}
		if !hookWanted {
			// Printed with the plan's other notes, or in --json's.
			report.Notes = append(report.Notes, component.Package+" is used, but its webhook endpoint is not configured: no Convex deployment is connected to store the endpoint's secret")
		}
	}
	var site string
	if hookWanted {
		if site, err = SiteURL(ctx, opts.SiteURL, att); err != nil {
			return err
		}
		if note := actionsNote(usage, att, site); note != "" {
			report.Notes = append(report.Notes, note)
		}
	}
	if nothing != "" && len(vars) == 0 && !hookWanted {
		// Said on stderr, where a CI log shows it whatever stdout holds.
		fmt.Fprintf(io.ErrOut, "nothing to apply: %s\n", nothing)
		report.Notes = append(report.Notes, nothing+": nothing to apply")
		report.Nothing, report.NothingReason = true, nothing
		return finish(opts, report)
	}
	if len(sec.Problems) > 0 {
		return cmdutil.ProblemsError(fmt.Sprintf("%s in authKit.%s could not be resolved; nothing was applied", count(len(sec.Problems), "placeholder", "placeholders"), env), sec.Problems)
	}
	if len(invalid) > 0 {
		return invalidError(env, invalid)
	}
	if opts.Prune && !opts.Yes && !opts.DryRun && !io.CanPrompt() {
		return cmdutil.UsageError(errors.New("--prune deletes redirect URIs and needs confirmation, but this is not an interactive terminal"),
			"pass --yes to confirm, or run --prune --dry-run first to see what would be deleted")
	}

	plan := &Plan{RedirectsListed: true, CORSListed: true}
	var client Client
	var hook *WebhookPlan
	if nothing == "" || hookWanted {
		var liveKey bool
		var stop func()
		client, liveKey, stop, err = connect(opts, target.Sources, io)
		if err != nil {
			return err
		}
		defer stop()

		if liveKey && env != config.Prod {
			if invalid := Validate(cfg.File, sec, true, "a production (sk_live_) key"); len(invalid) > 0 {
				return invalidError(env, invalid)
			}
		}

		if nothing == "" {
			remote, err := FetchRemote(ctx, client)
			if err != nil {
				return apiError(err, "cannot read the current WorkOS configuration; nothing was applied", baseOf(client))
			}
			plan = Build(sec, remote, opts.Prune)
		}
		if hookWanted {
			if hook, err = planWebhook(ctx, client, site, usage, att, opts.RotateWebhookSecret, string(env)); err != nil {
				return err
			}
			plan.Items = append(plan.Items, hook.Item())
		}
	}
	if nothing != "" {
		report.Notes = append(report.Notes, nothing+": nothing to apply")
	}
	plan.Items = append(plan.Items, VariableItems(vars)...)
	if hook != nil && hook.Action != ActionUnchanged && hook.StoreSecret {
		plan.Items = append(plan.Items, hook.SecretItem())
	}
	report.Plan = append(report.Plan, plan.Items...)
	report.Summary = plan.Summary()
	report.Notes = append(report.Notes, planNotes(plan, opts.Prune)...)
	if !opts.JSON {
		printPlan(io, plan, report.Notes)
	}
	if opts.DryRun {
		if err := finish(opts, report); err != nil {
			return err
		}
		if opts.DetailedExitCode && plan.Pending() {
			return cmdutil.SilentError(cmdutil.ExitCancel)
		}
		return nil
	}
	if opts.Prune && report.Summary.Delete > 0 && !opts.Yes {
		ok, err := opts.Prompter.Confirm(fmt.Sprintf("Delete %s from WorkOS?", count(report.Summary.Delete, "redirect URI", "redirect URIs")),
			"They are registered in WorkOS but not listed in convex.json. Sign-ins that use them will fail.", false)
		if err != nil && !errors.Is(err, prompt.ErrCancelled) {
			return fmt.Errorf("asking to confirm --prune: %w; nothing was applied", err)
		}
		if !ok {
			fmt.Fprintln(io.ErrOut, "Nothing was applied.")
			return cmdutil.ErrCancel
		}
	}

	var results []Result
	if client != nil {
		results = Execute(ctx, client, plan, opts.Concurrency)
	}
	if hook != nil && hook.Action != ActionUnchanged {
		res, secretVar := ApplyWebhook(ctx, client.(WebhookClient), hook, red)
		results = append(results, res)
		if secretVar != nil {
			vars = append(vars, *secretVar)
		}
	}
	// The deployment is written after WorkOS, in one request: a failure
	// there leaves WorkOS done, and the report says so; a rerun only sends
	// what is still missing on either side.
	written := WriteVariables(ctx, att, vars)
	for _, r := range written {
		if r.Name == component.SecretVar && r.Status == StatusFailed {
			note := secretNotStored(hook, string(env), r.Outcome)
			fmt.Fprintf(io.ErrOut, "%s %s\n", cs.Red("error:"), note)
			report.Notes = append(report.Notes, note)
		}
	}
	results = append(results, written...)
	report.Results = append(report.Results, results...)
	for _, r := range results {
		if r.Note != "" {
			report.Notes = append(report.Notes, fmt.Sprintf("%s %s: %s", label(r.Resource), r.Value, r.Note))
		}
	}
	return reportResults(ctx, resultsOutput{io, opts.JSON, annotate, red, plan.Summary().Unchanged}, results,
		func(e *cmdutil.ErrorJSON) { report.Error = e }, func() error { return finish(opts, report) })
}

// resultsOutput is where reportResults says what happened: the command's
// streams, --json, GitHub annotations, and the redactor for the error it
// records.
type resultsOutput struct {
	io       *iostreams.IOStreams
	json     bool
	annotate *ghactions.Annotator
	red      *secret.Redactor
	// unchanged counts the plan's items that needed no request, so the
	// closing line agrees with the plan's "N unchanged".
	unchanged int
}

// count writes n with its noun in the singular or the plural: messages
// read "1 placeholder", "2 values", never "value(s)".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// reportResults prints the results (or, with --json, lets finish write the
// report that holds them), annotates each failure, and turns the failures
// into the exit status, which setError records in the report first: with
// --json the one document on stdout carries it.
func reportResults(ctx context.Context, out resultsOutput, results []Result, setError func(*cmdutil.ErrorJSON), finish func() error) error {
	io, annotate, red := out.io, out.annotate, out.red
	if !out.json {
		printResults(io, results, out.unchanged)
	}
	for _, r := range Failures(results) {
		annotate.Message(ghactions.LevelError, "", describe(r.Resource, r.Name, r.Value)+": "+r.Error, "")
	}
	err := resultError(ctx, results)
	// The report carries the failure; with --json it is the one document
	// on stdout, and Main only prints the error on stderr.
	setError(cmdutil.ErrorObject(cmdutil.Redacted(err, red.Redact)))
	if err := finish(); err != nil {
		return err
	}
	if err != nil && out.json {
		return cmdutil.Written(err)
	}
	return err
}

func invalidError(env config.Env, problems []diag.Problem) error {
	return cmdutil.ProblemsError(fmt.Sprintf("%s in authKit.%s cannot be registered; nothing was applied", count(len(problems), "value", "values"), env), problems)
}

// nothingToDo explains why a section needs no WorkOS call, or returns "".
func nothingToDo(cfg *config.Config, sec *resolve.Section) string {
	switch {
	case !sec.Configured:
		return fmt.Sprintf("%s has no authKit.%s section", cfg.File, sec.Env)
	case sec.ConfigureDisabled:
		return fmt.Sprintf("authKit.%s.configure is false or absent", sec.Env)
	case len(sec.RedirectURIs) == 0 && len(sec.CORSOrigins) == 0 && (sec.AppHomepageURL == nil || sec.AppHomepageURL.Value == ""):
		return fmt.Sprintf("authKit.%s.configure lists nothing", sec.Env)
	}
	return ""
}

// connect builds the WorkOS client: the in-process emulator with --emulate,
// else the real API (or --workos-url) with WORKOS_API_KEY.
func connect(opts Options, src *resolve.Sources, io *iostreams.IOStreams) (Client, bool, func(), error) {
	wopts := workos.Options{
		Timeout: opts.Timeout, UserAgent: opts.UserAgent,
	}
	if opts.Verbose {
		wopts.Log = io.ErrOut
	}
	if opts.Emulate {
		emu := emulator.New(emulator.Options{})
		url, err := emu.Start("127.0.0.1:0")
		if err != nil {
			return nil, false, nil, fmt.Errorf("cannot start the WorkOS emulator: %w", err)
		}
		fmt.Fprintf(io.ErrOut, "Using the embedded WorkOS emulator at %s (nothing leaves this machine)\n", url)
		wopts.BaseURL, wopts.APIKey = url, emu.APIKey()
		return workos.New(wopts), false, func() { _ = emu.Close() }, nil
	}
	key, source, found := src.GetAuth("WORKOS_API_KEY")
	if key == "" {
		e := &cmdutil.Error{Code: cmdutil.ExitAuth, Err: errors.New("WORKOS_API_KEY is not set"),
			Hint: "set WORKOS_API_KEY (sk_test_... or sk_live_..., from the WorkOS dashboard's API Keys page) in the environment, .env.local or .env; or try --emulate"}
		if found {
			// Set but empty: in the environment, it also hides the dotenv
			// files' value, which would otherwise be a puzzle.
			e.Err = fmt.Errorf("WORKOS_API_KEY is set but empty (%s)", source)
			e.Hint = "give it the key (sk_test_... or sk_live_...)"
			if source == "environment" {
				e.Hint += ", or unset it: an empty variable in the environment hides .env.local and .env"
			}
		}
		return nil, false, nil, e
	}
	base, err := cmdutil.WorkOSBaseURL(opts.BaseURL, opts.Env)
	if err != nil {
		return nil, false, nil, err
	}
	wopts.BaseURL, wopts.APIKey = base, key
	if opts.Verbose {
		fmt.Fprintf(io.ErrOut, "WorkOS API %s with key %s\n", base, secret.Mask(key))
	}
	return workos.New(wopts), strings.HasPrefix(key, "sk_live_"), func() {}, nil
}

// baseOf is the WorkOS server c talks to, for hints; "" for a client that
// does not say (a test's fake).
func baseOf(c Client) string {
	if b, ok := c.(interface{ BaseURL() string }); ok {
		return b.BaseURL()
	}
	return ""
}

// apiError classifies a WorkOS failure at base: authentication is exit 4.
func apiError(err error, what, base string) error {
	if workos.IsAuth(err) {
		return &cmdutil.Error{Code: cmdutil.ExitAuth, Err: fmt.Errorf("%s: %w", what, err),
			Hint: "WorkOS rejected the API key: check WORKOS_API_KEY and that it belongs to the environment you mean (sk_test_ for staging, sk_live_ for production)"}
	}
	if errors.Is(err, context.Canceled) {
		return cmdutil.ErrCancel
	}
	return &cmdutil.Error{Code: cmdutil.ExitFailure, Err: fmt.Errorf("%s: %w", what, err),
		Hint: workos.UnreachableHint(base)}
}

// resultError turns failed results into the exit status: every other item
// was applied, and a rerun converges because creates are idempotent. When
// some failures are not plain refusals, the message says which are unknown
// (sent, unanswered) and which were never sent.
func resultError(ctx context.Context, results []Result) error {
	failures := Failures(results)
	if len(failures) == 0 {
		return nil
	}
	b := breakdown(results)
	if ctx.Err() != nil {
		err := fmt.Errorf("cancelled: %d of %d changes were not applied", len(failures), len(results))
		if b != "" {
			err = fmt.Errorf("cancelled: %d of %d changes are not confirmed (%s)", len(failures), len(results), b)
		}
		return &cmdutil.Error{Code: cmdutil.ExitCancel, Err: err,
			Hint: "run apply again to finish: it reads what WorkOS has, which settles the unknown ones, and only makes the changes still missing"}
	}
	auth := false
	for _, f := range failures {
		auth = auth || workos.IsAuth(f.err)
	}
	err := fmt.Errorf("%d of %d changes failed; the others were applied", len(failures), len(results))
	if b != "" {
		err = fmt.Errorf("%d of %d changes failed (%s); the others were applied", len(failures), len(results), b)
	}
	e := &cmdutil.Error{Code: cmdutil.ExitFailure, Err: err,
		Hint: "run apply again: it converges, creating only what is still missing"}
	if auth {
		e.Code = cmdutil.ExitAuth
		e.Hint = "WorkOS rejected the API key for some requests: check its permissions, then run apply again"
	}
	return e
}

func finish(opts Options, report *Report) error {
	if opts.JSON {
		return cmdutil.WriteJSON(opts.IO.Out, report)
	}
	return nil
}
