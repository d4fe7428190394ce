package cmd

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/convex-authkit/convex-authkit/internal/apply"
	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/component"
)

func newCmdApply(f *cmdutil.Factory, runF func(apply.Options) error) *cobra.Command {
	opts := apply.Options{}
	var timeoutNotice func(io.Writer)
	var sf sectionFlags
	var df deploymentFlags
	c := &cobra.Command{
		Use:   "apply",
		Short: "Register the section's redirect URIs, CORS origins and homepage in WorkOS",
		Long: `Apply resolves the authKit section for one environment, validates every URL,
lists what WorkOS already has, prints a plan and applies it:

  + redirect URI https://...      to add
  = redirect URI https://...      unchanged
  ? redirect URI https://...      in WorkOS only, left alone
  - redirect URI https://...      deleted (only with --prune)
  ~ app homepage URL https://...  always set (WorkOS cannot read it back)
  + deployment variable WORKOS_CLIENT_ID = client_...
                                  known here, missing on the Convex deployment

With a Convex deployment connected (CONVEX_DEPLOY_KEY, CONVEX_SELF_HOSTED_URL
and CONVEX_SELF_HOSTED_ADMIN_KEY, or the project's own convex CLI), apply
reads its WORKOS_* variables as the Convex CLI does: for dev the machine
first, then the deployment; for preview and prod the deployment first. It
puts the WORKOS_* values known here and missing there on the deployment, in
one request after the WorkOS changes. A deployment value that differs from
the one used is an error (exit 3) unless --overwrite-deployment-vars.

--prune is refused for the preview section, which every open pull request
shares: 'preview remove' deletes one branch's redirect URIs when its pull
request closes, and 'preview prune' deletes stale ones.

Writes run concurrently. If some fail, apply says which were applied and which
were not and exits 1; running it again converges. For the prod section, or
with an sk_live_ key, URLs must be https, without localhost, wildcards or
query strings.

A section that asks for nothing (absent, configure false or empty, and no
deployment variable to set) is reported on stderr ("nothing to apply: ...")
and as "nothing": true in --json, exit 0. A missing section whose name is
misspelt in convex.json ("prodution", "Prod", "production" for prod) is an
error (exit 3). --strict makes convex.json's warnings errors and a missing
section an error too, before any request: for CI, where configuring nothing
should fail the job.

The API key comes from WORKOS_API_KEY (the deployment, the environment,
.env.local or .env); it is never a flag. --emulate runs against an in-process WorkOS emulator instead.

When the app uses @convex-dev/workos-authkit (package.json, app.use in
convex/convex.config.ts) and a deployment is connected, the plan also has
its webhook endpoint, <site URL>/workos/webhook, for user.created,
user.updated, user.deleted and the app's additionalEventTypes:

  + webhook endpoint https://happy-otter-123.convex.site/workos/webhook (user.created, ...)
  + deployment variable WORKOS_WEBHOOK_SECRET = (the new endpoint's secret)
  ~ webhook endpoint ...          events added or re-enabled in place

The secret WorkOS returns when it creates the endpoint goes straight to the
deployment, masked everywhere. WorkOS never shows it again: an endpoint that
exists while the deployment lacks the secret stops apply (exit 3) until you
pass --rotate-webhook-secret (recreate it) or copy the secret from the
dashboard. The site URL is asked of the deployment, or given with --site-url;
it must be https (exit 3 otherwise).

SIGINT (Ctrl-C) or SIGTERM (a cancelled CI job) stops apply: no new request
starts, the report says which changes were applied, which are unknown (sent,
unanswered) and which were not sent, and it exits 2. A second signal exits 2
at once, without the report.

Exit status: 0 done, 1 some changes failed, 2 changes pending (with --dry-run
--detailed-exitcode) or cancelled, 3 invalid configuration, 4 WorkOS
authentication.`,
		Example: `  convex-authkit apply --env dev --dry-run
  convex-authkit apply --env prod --json
  convex-authkit apply --env prod --strict
  convex-authkit apply --env preview --dry-run --detailed-exitcode || echo "changes pending"
  convex-authkit apply --env prod --prune --yes
  convex-authkit apply --dir testdata/projects/vite --env dev --emulate --client-id client_01EMV1AT0R0000000000000000`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			timeoutNotice(f.IOStreams.ErrOut)
			if opts.DetailedExitCode && !opts.DryRun {
				return cmdutil.FlagErrorf("--detailed-exitcode works with --dry-run")
			}
			if opts.Concurrency < 1 || opts.Concurrency > 64 {
				return cmdutil.FlagErrorf("--concurrency must be between 1 and 64, got %d", opts.Concurrency)
			}
			if opts.Timeout <= 0 {
				return cmdutil.FlagErrorf("--request-timeout must be positive, got %s", opts.Timeout)
			}
			if opts.Emulate && opts.BaseURL != "" {
				return cmdutil.FlagErrorf("--emulate and --workos-url cannot be combined")
			}
			opts.IO, opts.Prompter = f.IOStreams, f.Prompter
			opts.Options = sf.project(f)
			opts.JSON, opts.Verbose = f.Globals.JSON, f.Globals.Verbose
			opts.UserAgent = "convex-authkit/" + f.Build.Version
			opts.Deployment, opts.DeploymentClient = df.options(f, nil, "")
			if cmd.Flags().Changed("request-timeout") || cmd.Flags().Changed("timeout") {
				// Otherwise the client's own defaults hold: a run of the
				// project's Convex CLI takes longer than an HTTP request.
				opts.DeploymentClient.Timeout = opts.Timeout
			}
			opts.NoDeployment = df.none
			opts.CI = f.CIStep(cmd.CommandPath())
			if runF != nil {
				return runF(opts)
			}
			return apply.Run(cmd.Context(), opts)
		},
	}
	fl := c.Flags()
	sf.bind(fl, "apply")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "print the plan and change nothing")
	fl.BoolVar(&opts.Strict, "strict", false, "treat convex.json's warnings, and a missing section, as errors (exit 3) before any request")
	fl.BoolVar(&opts.DetailedExitCode, "detailed-exitcode", false, "with --dry-run: exit 2 when changes are pending, 0 when none")
	fl.BoolVar(&opts.Prune, "prune", false, "delete redirect URIs that WorkOS has but convex.json does not (never the default one; refused for preview)")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation (required for --prune without a terminal)")
	fl.IntVar(&opts.Concurrency, "concurrency", apply.DefaultConcurrency, "at most this many WorkOS requests at once")
	timeoutNotice = requestTimeoutFlag(fl, &opts.Timeout, "time limit of each WorkOS request (and, when given, of each request to the Convex deployment)")
	fl.StringVar(&opts.BaseURL, "workos-url", "", "WorkOS API base URL (default: WORKOS_BASE_URL, else https://api.workos.com)")
	fl.BoolVar(&opts.Emulate, "emulate", false, "run against an in-process WorkOS emulator (no account needed)")
	df.bind(fl)
	fl.StringVar(&opts.SiteURL, "site-url", "", "origin of the deployment's HTTP actions for the "+component.Package+" webhook endpoint (default: asked of the deployment; for custom domains)")
	fl.BoolVar(&opts.RotateWebhookSecret, "rotate-webhook-secret", false, "delete and recreate the component's webhook endpoint, storing its new secret on the deployment")
	fl.BoolVar(&opts.OverwriteDeploymentVars, "overwrite-deployment-vars", false, "give the deployment the local WORKOS_* values where it holds different ones (default: stop on the mismatch)")
	return c
}
