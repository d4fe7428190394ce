package cmd

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/convex-authkit/convex-authkit/internal/apply"
	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/component"
)

func newCmdPreview(f *cmdutil.Factory, runF func(apply.PreviewOptions) error) *cobra.Command {
	c := &cobra.Command{
		Use:   "preview",
		Short: "Remove a closed pull request's preview, or stale previews, from WorkOS",
		Long: `Every preview deployment registers the preview section's redirect URIs,
resolved for its branch, in one WorkOS environment that all open pull
requests share. These commands delete previews' redirect URIs without ever
touching another live preview's, the dev or prod section's, or WorkOS's
default one. (apply --prune is refused for the preview section for that
reason.)

A redirect URI belongs to a branch when it is the preview section's URI
resolved for that branch: with "https://${buildEnv.VERCEL_BRANCH_URL}/callback"
and VERCEL_BRANCH_URL=my-app-git-feature-x-team.vercel.app for branch
feature-x, every https://my-app-git-<branch>-team.vercel.app/callback is
some branch's preview; other URIs are never touched. Give the section's
variables the values of the branch named by --branch (default: detected from
VERCEL_GIT_COMMIT_REF, Netlify's REVIEW_ID or BRANCH, GITHUB_HEAD_REF, then
GITHUB_REF_NAME).`,
		Example: `  convex-authkit preview remove                 # on pull_request closed
  gh pr list --state open --json headRefName --jq '.[].headRefName' |
    convex-authkit preview prune --live-branches - --older-than 1h`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
	}
	c.AddCommand(newCmdPreviewRemove(f, runF), newCmdPreviewPrune(f, runF))
	return c
}

// previewFlags are the flags both preview commands share.
type previewFlags struct {
	sf            sectionFlags
	opts          apply.PreviewOptions
	timeoutNotice func(io.Writer)
}

func (p *previewFlags) bind(fl *pflag.FlagSet) {
	fl.StringVar(&p.opts.Branch, "branch", "", "the branch whose preview this is (default: detected from the CI platform's variables)")
	fl.StringVar(&p.sf.clientID, "client-id", "", "WorkOS client ID for ${authEnv.WORKOS_CLIENT_ID}")
	fl.StringVar(&p.sf.environmentID, "environment-id", "", "WorkOS environment ID for ${authEnv.WORKOS_ENVIRONMENT_ID}")
	fl.BoolVar(&p.opts.DryRun, "dry-run", false, "print what would be deleted and delete nothing")
	fl.IntVar(&p.opts.Concurrency, "concurrency", apply.DefaultConcurrency, "at most this many WorkOS requests at once")
	p.timeoutNotice = requestTimeoutFlag(fl, &p.opts.Timeout, "time limit of each WorkOS request")
	fl.StringVar(&p.opts.BaseURL, "workos-url", "", "WorkOS API base URL (default: WORKOS_BASE_URL, else https://api.workos.com)")
	fl.BoolVar(&p.opts.Emulate, "emulate", false, "run against an in-process WorkOS emulator (no account needed)")
}

// requestTimeoutFlag binds --request-timeout, the time limit of each
// request as in doctor, and --timeout, its old name here: doctor's
// --timeout bounds the whole run, so one name had two meanings. The old
// name keeps working, hidden; notice tells on errOut when it was used.
// (pflag's own deprecation notice would land on stdout: cobra prints it to
// the command's output stream, which is stdout here.)
func requestTimeoutFlag(fl *pflag.FlagSet, v *time.Duration, usage string) (notice func(errOut io.Writer)) {
	fl.DurationVar(v, "request-timeout", 10*time.Second, usage)
	fl.DurationVar(v, "timeout", 10*time.Second, "old name of --request-timeout")
	_ = fl.MarkHidden("timeout")
	return func(errOut io.Writer) {
		if fl.Changed("timeout") {
			fmt.Fprintln(errOut, "note: --timeout is deprecated here, use --request-timeout (doctor's --timeout bounds the whole run)")
		}
	}
}

// finish fills in what every preview command takes from the factory.
// runPreview hands the options to runF in tests, else runs the command,
// with GitHub Actions output set up for it.
func runPreview(cmd *cobra.Command, f *cmdutil.Factory, runF func(apply.PreviewOptions) error, opts apply.PreviewOptions) error {
	opts.CI = f.CIStep(cmd.CommandPath())
	if runF != nil {
		return runF(opts)
	}
	return apply.RunPreview(cmd.Context(), opts)
}

func (p *previewFlags) finish(f *cmdutil.Factory) (apply.PreviewOptions, error) {
	o := p.opts
	p.timeoutNotice(f.IOStreams.ErrOut)
	if o.Concurrency < 1 || o.Concurrency > 64 {
		return o, cmdutil.FlagErrorf("--concurrency must be between 1 and 64, got %d", o.Concurrency)
	}
	if o.Timeout <= 0 {
		return o, cmdutil.FlagErrorf("--request-timeout must be positive, got %s", o.Timeout)
	}
	if o.Emulate && o.BaseURL != "" {
		return o, cmdutil.FlagErrorf("--emulate and --workos-url cannot be combined")
	}
	o.IO = f.IOStreams
	o.Options.Options = p.sf.project(f)
	o.JSON, o.Verbose = f.Globals.JSON, f.Globals.Verbose
	o.UserAgent = "convex-authkit/" + f.Build.Version
	o.Now = f.Now
	return o, nil
}

func newCmdPreviewRemove(f *cmdutil.Factory, runF func(apply.PreviewOptions) error) *cobra.Command {
	var p previewFlags
	c := &cobra.Command{
		Use:   "remove",
		Short: "Delete this branch's preview redirect URIs from WorkOS (when its pull request closes)",
		Long: `Remove deletes the redirect URIs that the preview section resolves to for
this branch, and nothing else: other branches' previews, URIs that every
preview shares, the dev and prod sections' URIs and WorkOS's default one
stay. It needs no --yes: it cannot reach beyond this branch.

With --site-url (the preview deployment's HTTP actions origin), it also
deletes the @convex-dev/workos-authkit webhook endpoint that apply created
for that deployment, <site URL>/workos/webhook.

Running it again, or for a branch that never had a preview, deletes nothing
and exits 0. CORS origins are left: WorkOS's API cannot delete them.

Exit status: 0 done or nothing to delete, 1 some deletions failed, 3 invalid
configuration or no branch known, 4 WorkOS authentication.`,
		Example: `  convex-authkit preview remove
  convex-authkit preview remove --branch feature-x --dry-run
  convex-authkit preview remove --site-url https://happy-otter-123.convex.site`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := p.finish(f)
			if err != nil {
				return err
			}
			return runPreview(cmd, f, runF, opts)
		},
	}
	p.bind(c.Flags())
	c.Flags().StringVar(&p.opts.SiteURL, "site-url", "", "the preview deployment's site URL: also delete its "+component.Package+" webhook endpoint")
	return c
}

func newCmdPreviewPrune(f *cmdutil.Factory, runF func(apply.PreviewOptions) error) *cobra.Command {
	var p previewFlags
	var liveFrom, olderThan string
	c := &cobra.Command{
		Use:   "prune",
		Short: "Delete stale previews' redirect URIs from WorkOS (for a scheduled job)",
		Long: `Prune deletes other branches' preview redirect URIs when they are stale:
their branch is not in --live-branches (a file, or - for standard input:
branch names, refs/heads/NAME or git ls-remote --heads lines), or they were
created longer ago than --older-than (from WorkOS's created_at). With both,
a preview must be gone and old: the age is then a grace period for a pull
request opened after the list was read. The branch running prune counts as
live.

Exit status: 0 done or nothing stale, 1 some deletions failed, 3 invalid
configuration or flags, 4 WorkOS authentication.`,
		Example: `  gh pr list --state open --json headRefName --jq '.[].headRefName' |
    convex-authkit preview prune --live-branches - --older-than 1h
  git ls-remote --heads origin | convex-authkit preview prune --live-branches - --dry-run
  convex-authkit preview prune --older-than 30d`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := p.finish(f)
			if err != nil {
				return err
			}
			opts.Stale = true
			if liveFrom == "" && olderThan == "" {
				return cmdutil.FlagErrorf("preview prune needs --live-branches, --older-than or both: without them every preview would look stale")
			}
			if olderThan != "" {
				if opts.OlderThan, err = parseAge(olderThan); err != nil {
					return err
				}
			}
			if liveFrom != "" {
				if opts.Live, err = readBranches(f, liveFrom); err != nil {
					return err
				}
			}
			return runPreview(cmd, f, runF, opts)
		},
	}
	p.bind(c.Flags())
	c.Flags().StringVar(&liveFrom, "live-branches", "", "file listing the branches that still exist, - for standard input")
	c.Flags().StringVar(&olderThan, "older-than", "", "age after which a preview is stale: 30d, 12h, 90m")
	return c
}

// parseAge reads --older-than: a Go duration, or a whole number of days.
func parseAge(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		n, err = strconv.Atoi(days)
		d = time.Duration(n) * 24 * time.Hour
	}
	if err != nil || d <= 0 {
		return 0, cmdutil.FlagErrorf("invalid --older-than %q: use a positive age such as 30d, 12h or 90m", s)
	}
	return d, nil
}

func readBranches(f *cmdutil.Factory, from string) ([]string, error) {
	r := f.IOStreams.In
	if from != "-" {
		path := from
		if !filepath.IsAbs(path) {
			path = filepath.Join(f.WorkDir, path)
		}
		file, err := os.Open(path)
		if err != nil {
			return nil, cmdutil.UsageError(fmt.Errorf("cannot read --live-branches: %w", err), "give a file listing one branch per line, or - to read standard input")
		}
		defer file.Close()
		r = file
	}
	branches, err := apply.ParseBranches(r)
	if err != nil {
		return nil, cmdutil.UsageError(fmt.Errorf("--live-branches %s: %w", from, err), "list one branch per line; nothing was deleted")
	}
	return branches, nil
}
