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
	"github.com/convex-authkit/convex-authkit/internal/envsel"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/project"
	"github.com/convex-authkit/convex-authkit/internal/resolve"
	"github.com/convex-authkit/convex-authkit/internal/secret"
)

// PreviewOptions are the inputs of `preview remove` and `preview prune`.
// Connection settings (Timeout, BaseURL, Emulate, ...) are Options'.
type PreviewOptions struct {
	Options
	// Branch is --branch; "" means the one the CI platform names
	// (envsel.Branch).
	Branch string
	// Stale selects `preview prune`: other branches' previews are deleted
	// when stale. Without it, `preview remove` deletes this branch's own.
	Stale bool
	// Live lists the branches that still exist (--live-branches); nil means
	// not given. OlderThan is --older-than; 0 means not given. With both, a
	// preview must be both gone and old to be deleted.
	Live      []string
	OlderThan time.Duration
	Now       func() time.Time
}

// PreviewReport is the --json document of `preview remove` and `preview
// prune`.
type PreviewReport struct {
	SchemaVersion int      `json:"schemaVersion"`
	Command       string   `json:"command"`
	Branch        string   `json:"branch"`
	BranchSource  string   `json:"branchSource"`
	DryRun        bool     `json:"dryRun"`
	Plan          []Item   `json:"plan"`
	Summary       Summary  `json:"summary"`
	Results       []Result `json:"results"`
	Notes         []string `json:"notes"`
	// Error is set when deletions failed or were cancelled.
	Error *cmdutil.ErrorJSON `json:"error,omitempty"`
}

// RunPreview deletes preview redirect URIs from WorkOS: this branch's own
// (remove), or other branches' stale ones (prune). It never deletes a URI
// that another live preview, the dev or prod section, or WorkOS's default
// needs; see Scope for how a branch's URIs are told apart.
func RunPreview(ctx context.Context, opts PreviewOptions) error {
	var red *secret.Redactor
	err := runPreview(ctx, opts, &red)
	if red != nil {
		err = cmdutil.Redacted(err, red.Redact)
	}
	return err
}

func runPreview(ctx context.Context, opts PreviewOptions, redp **secret.Redactor) error {
	command := "preview remove"
	if opts.Stale {
		command = "preview prune"
	}
	opts.EnvFlag = string(config.Preview)
	cfg, warnings, target, err := project.Load(opts.Options.Options)
	if err != nil {
		return err
	}
	sec := resolve.Resolve(cfg, config.Preview, target.Sources)
	red := sec.Redactor(target.Sources)
	*redp = red
	ios := opts.IO.Wrap(red.Writer)
	opts.IO = ios
	cmdutil.PrintProblems(ios.ErrOut, ios.ColorScheme(), warnings)

	branch, from := opts.Branch, "--branch"
	if branch == "" {
		branch, from = envsel.Branch(opts.Env)
	}
	report := &PreviewReport{SchemaVersion: cmdutil.SchemaVersion, Command: command, Branch: branch, BranchSource: from,
		DryRun: opts.DryRun, Plan: []Item{}, Results: []Result{}, Notes: []string{}}
	if !sec.Configured {
		return previewNothing(opts, report, fmt.Sprintf("%s has no authKit.preview section: nothing to %s", cfg.File, strings.TrimPrefix(command, "preview ")))
	}
	if len(sec.Problems) > 0 {
		return cmdutil.ProblemsError(fmt.Sprintf("%s in authKit.preview could not be resolved, so this branch's redirect URIs are unknown; nothing was deleted", count(len(sec.Problems), "placeholder", "placeholders")), sec.Problems)
	}
	if branch == "" {
		return cmdutil.UsageError(errors.New("cannot tell which branch's preview this is: no --branch, and no VERCEL_GIT_COMMIT_REF, Netlify CONTEXT with REVIEW_ID or BRANCH, GITHUB_HEAD_REF or GITHUB_REF_NAME"),
			"pass --branch NAME (in GitHub Actions: --branch ${{ github.head_ref }})")
	}
	slug := envsel.Slug(branch)
	fmt.Fprintf(ios.ErrOut, "Using authKit.preview for branch %s (%s)\n", branch, from)
	own, shared, problems := Scope(cfg.File, sec, target.Sources, slug)
	if len(problems) > 0 {
		return cmdutil.ProblemsError("cannot tell the branch apart in authKit.preview; nothing was deleted", problems)
	}
	if len(own) == 0 {
		msg := fmt.Sprintf("no redirect URI of authKit.preview names the branch %q: every one is shared by all previews", slug)
		if opts.Stale {
			// A scheduled clean-up that recognises nothing would go green
			// for ever while previews pile up.
			return cmdutil.UsageError(errors.New(msg+", so other previews cannot be recognised; nothing was deleted"),
				"give the preview section's variables the values of one branch (for Vercel: VERCEL_BRANCH_URL=<project>-git-<branch>-<team>.vercel.app) and that branch with --branch")
		}
		if opts.SiteURL == "" {
			return previewNothing(opts, report, msg+"; nothing to remove")
		}
	}
	var hookURL string
	if opts.SiteURL != "" {
		site, err := SiteURL(ctx, opts.SiteURL, &deployment.Attached{})
		if err != nil {
			return err
		}
		hookURL = site + component.WebhookPath
	}

	// Values some other section or every preview needs stay, even when a
	// branch pattern happens to match them.
	keep := map[string]string{}
	for _, v := range shared {
		keep[Canonical(RedirectURI, v)] = "shared by every preview"
	}
	for _, env := range []config.Env{config.Dev, config.Prod} {
		other := resolve.Resolve(cfg, env, target.Sources)
		for _, v := range other.RedirectURIs {
			if v.Resolved {
				keep[Canonical(RedirectURI, v.Value)] = "listed in authKit." + string(env)
			}
		}
	}

	client, _, stop, err := connect(opts.Options, target.Sources, ios)
	if err != nil {
		return err
	}
	defer stop()
	remote, err := client.ListRedirectURIs(ctx)
	if err != nil {
		return apiError(err, "cannot list WorkOS's redirect URIs; nothing was deleted", baseOf(client))
	}

	live := map[string]bool{slug: true} // the branch running this is live
	for _, b := range opts.Live {
		live[envsel.Slug(b)] = true
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	plan := &Plan{RedirectsListed: true, CORSListed: true}
	for _, r := range remote {
		other, ok := "", false
		for _, b := range own {
			if other, ok = b.branchOf(r.URI); ok {
				break
			}
		}
		if !ok {
			continue // not a preview's: this command has no say over it
		}
		it := Item{Resource: RedirectURI, Action: ActionUnmanaged, Value: r.URI, ID: r.ID, Default: r.Default, Branch: other}
		why, kept := keep[Canonical(RedirectURI, r.URI)]
		switch {
		case r.Default:
			it.Reason = "the default redirect URI (WorkOS refuses to delete it)"
		case kept:
			it.Reason = why
		case !opts.Stale && other == slug:
			it.Action, it.Reason = ActionDelete, "this branch's"
		case !opts.Stale:
			it.Reason = "another branch's preview"
		default:
			it.Action, it.Reason = staleness(other, live, opts.Live != nil, r.CreatedAt, opts.OlderThan, now())
		}
		plan.Items = append(plan.Items, it)
	}
	var hook *Item
	if hookURL != "" {
		if hook, err = previewWebhook(ctx, client, hookURL); err != nil {
			return err
		}
		if hook != nil {
			plan.Items = append(plan.Items, *hook)
		}
	}
	report.Plan = append(report.Plan, plan.Items...)
	report.Summary = plan.Summary()
	if !opts.JSON {
		printPreviewPlan(ios, plan)
	}
	if report.Summary.Delete == 0 {
		// Idempotent: a second remove, or a prune with nothing stale, is
		// a success that says so.
		msg := fmt.Sprintf("Nothing to delete: WorkOS holds no redirect URI of branch %s", slug)
		if hookURL != "" {
			msg += " and no webhook endpoint at " + hookURL
		}
		if opts.Stale {
			msg = "Nothing to delete: no other branch's preview is stale"
		}
		report.Notes = append(report.Notes, msg)
		return finishPreview(opts, report, msg)
	}
	if opts.DryRun {
		return finishPreview(opts, report, "")
	}
	results := Execute(ctx, client, plan, opts.Concurrency)
	if hook != nil {
		results = append(results, deleteWebhook(ctx, client.(WebhookClient), *hook))
	}
	report.Results = append(report.Results, results...)
	annotate := opts.CI.Annotate.Wrap(red.Writer)
	return reportResults(ctx, resultsOutput{ios, opts.JSON, annotate, red, plan.Summary().Unchanged}, results,
		func(e *cmdutil.ErrorJSON) { report.Error = e }, func() error { return finishPreview(opts, report, "") })
}

// staleness decides whether another branch's preview is stale: its branch
// is not among the live ones, and/or it was created longer ago than
// olderThan, as the user asked. An unreadable creation time counts as
// young: a clean-up never deletes on a guess.
func staleness(branch string, live map[string]bool, liveGiven bool, createdAt string, olderThan time.Duration, now time.Time) (action, reason string) {
	var why []string
	if liveGiven {
		if live[branch] {
			return ActionUnmanaged, "branch " + branch + " is live"
		}
		why = append(why, "branch "+branch+" is not live")
	}
	if olderThan > 0 {
		created, err := time.Parse(time.RFC3339, createdAt)
		if err != nil {
			return ActionUnmanaged, "its age is unknown (created_at " + fmt.Sprintf("%q", createdAt) + ")"
		}
		if now.Sub(created) < olderThan {
			return ActionUnmanaged, "created less than " + FormatAge(olderThan) + " ago"
		}
		why = append(why, "created more than "+FormatAge(olderThan)+" ago")
	}
	return ActionDelete, strings.Join(why, ", ")
}

// previewNothing reports that there was nothing to do.
func previewNothing(opts PreviewOptions, report *PreviewReport, msg string) error {
	report.Notes = append(report.Notes, msg)
	return finishPreview(opts, report, msg)
}

func finishPreview(opts PreviewOptions, report *PreviewReport, message string) error {
	if opts.JSON {
		return cmdutil.WriteJSON(opts.IO.Out, report)
	}
	if message != "" {
		fmt.Fprintln(opts.IO.Out, message+".")
	}
	return nil
}

func printPreviewPlan(io *iostreams.IOStreams, p *Plan) {
	cs := io.ColorScheme()
	for _, it := range p.Items {
		line := "= " + describe(it.Resource, "", it.Value) + " (kept: " + it.Reason + ")"
		if it.Action == ActionDelete {
			line = cs.Red("- "+describe(it.Resource, "", it.Value)) + cs.Gray(" ("+it.Reason+")")
		}
		fmt.Fprintln(io.Out, line)
	}
	s := p.Summary()
	fmt.Fprintf(io.Out, "Plan: %d to delete, %d kept.\n", s.Delete, s.Unmanaged)
}

// FormatAge writes an age as --older-than takes it: whole days as "30d".
func FormatAge(d time.Duration) string {
	if day := 24 * time.Hour; d%day == 0 {
		return fmt.Sprintf("%dd", d/day)
	}
	return d.String()
}
