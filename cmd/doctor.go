package cmd

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/deployment"
	"github.com/convex-authkit/convex-authkit/internal/doctor"
	"github.com/convex-authkit/convex-authkit/internal/prompt"
)

// doctorFlags are the flags doctor and token verify share.
type doctorFlags struct {
	sectionFlags
	dep           deploymentFlags
	deploymentEnv []string
	timeout       time.Duration
	reqTimeout    time.Duration
	baseURL       string
	strict        bool
	emulate       bool
}

func (df *doctorFlags) bind(c *cobra.Command, verb string) {
	fl := c.Flags()
	df.sectionFlags.bind(fl, verb)
	df.dep.bind(fl)
	fl.StringArrayVar(&df.deploymentEnv, "deployment-env", nil, "KEY=VALUE the Convex deployment has, for process.env in auth.config.ts (repeatable; KEY= unsets; KEY alone passes KEY from the environment)")
	fl.DurationVar(&df.timeout, "timeout", doctor.DefaultTimeout, "overall time limit")
	fl.DurationVar(&df.reqTimeout, "request-timeout", doctor.DefaultRequestTimeout, "time limit of each request (JWKS, WorkOS)")
	fl.StringVar(&df.baseURL, "workos-url", "", "WorkOS API base URL (default: WORKOS_BASE_URL, else https://api.workos.com)")
	fl.BoolVar(&df.strict, "strict", false, "treat warnings as failures")
	fl.BoolVar(&df.emulate, "emulate", false, "run against an in-process WorkOS emulator playing https://api.workos.com, signing with the emulators' well-known key (no account needed; see --help)")
}

// options fills the doctor options the two commands share; c names the
// command in CI annotations.
func (df *doctorFlags) options(f *cmdutil.Factory, c *cobra.Command) (doctor.Options, error) {
	if df.timeout <= 0 || df.reqTimeout <= 0 {
		return doctor.Options{}, cmdutil.FlagErrorf("--timeout and --request-timeout must be positive")
	}
	if df.emulate && df.baseURL != "" {
		return doctor.Options{}, cmdutil.FlagErrorf("--emulate and --workos-url cannot be combined")
	}
	denv := map[string]string{}
	for _, kv := range df.deploymentEnv {
		k, v, ok := strings.Cut(kv, "=")
		if k == "" {
			return doctor.Options{}, cmdutil.UsageError(fmt.Errorf("--deployment-env %q is not KEY=VALUE or KEY", kv), "write it as --deployment-env WORKOS_CLIENT_ID=client_... (KEY= unsets KEY; KEY alone takes its value from the environment)")
		}
		if !ok {
			// The user names a variable of the machine's environment that
			// auth.config.ts may see; the others are never passed.
			if v = f.Env[k]; v == "" {
				return doctor.Options{}, cmdutil.UsageError(fmt.Errorf("--deployment-env %s: %s is not set in the environment", k, k),
					fmt.Sprintf("set %s before running, or give the value: --deployment-env %s=VALUE", k, k))
			}
		}
		denv[k] = v
	}
	return doctor.Options{
		IO: f.IOStreams, Options: df.project(f),
		JSON: f.Globals.JSON, Verbose: f.Globals.Verbose, Strict: df.strict,
		CI:            f.CIStep(c.CommandPath()),
		DeploymentEnv: denv, BaseURL: df.baseURL, Emulate: df.emulate,
		Timeout: df.timeout, RequestTimeout: df.reqTimeout,
		Now: f.Now, UserAgent: "convex-authkit/" + f.Build.Version,
		Attach: func(vars deployment.Vars, section string) (*deployment.Attached, error) {
			o, c := df.dep.options(f, vars, section)
			// As for WorkOS, one retry: a diagnosis should be quick, and a
			// deployment that fails twice is worth reporting.
			c.MaxAttempts, c.Timeout = 2, df.reqTimeout
			return deployment.Attach(o, c, df.dep.none)
		},
	}, nil
}

// readToken resolves a token given as the value of doctor's --token or, when
// asArg, as the argument of a token command: "-" reads stdin. The source
// and the hint name the way the token was given.
func readToken(f *cmdutil.Factory, c *cobra.Command, arg string, asArg bool) (token, source string, err error) {
	source, dash, other := "--token", c.CommandPath()+" --token -", "or pass --token TOKEN"
	if asArg {
		source, dash, other = "the argument", c.CommandPath()+" -", "or give it as the argument"
	}
	if arg != "-" {
		return strings.TrimSpace(arg), source, nil
	}
	tok, err := doctor.ReadToken(f.IOStreams.In)
	if errors.Is(err, doctor.ErrTokenTooLarge) {
		return "", "", cmdutil.UsageError(err, "a JWT is a few KB: pipe in the token alone")
	}
	if err != nil {
		return "", "", cmdutil.UsageError(fmt.Errorf("reading the token: %w", err), fmt.Sprintf("pipe the token in (`pbpaste | %s`), %s", dash, other))
	}
	return tok, "stdin", nil
}

func newCmdDoctor(f *cmdutil.Factory, runF func(doctor.Options) error) *cobra.Command {
	var df doctorFlags
	var token, login, siteURL string
	var list, webhookTest, webhookTestProd bool
	c := &cobra.Command{
		Use:   "doctor [CHECK|GROUP...]",
		Short: "Diagnose AuthKit + Convex auth as a Convex deployment and WorkOS would",
		Long: `Doctor checks the project the way the systems involved judge it: convex.json's
authKit section as the Convex CLI reads it; the app's variables; convex/auth.config.ts
bundled and evaluated as a Convex push evaluates it, then the push-time checks; every JWKS fetched and parsed as a deployment does; the WorkOS
environment's redirect URIs, CORS origins and JWT template (with WORKOS_API_KEY);
and, with --token or --login, a token routed and verified exactly as Convex
would, naming the cause where Convex prints one message for several.

  ✓ pass   ! warning   ✗ failed or could not run   – skipped (does not apply)

Passes are shown with --verbose; a hint follows every warning and failure.
Arguments select checks by ID or group (config, env, authconfig, deployment,
jwks, workos, webhooks, token); --list-checks lists them.

When the app uses @convex-dev/workos-authkit, the webhooks checks judge its
setup: the wiring in package.json, convex.config.ts and http.ts; the
deployment's WORKOS_* variables the AuthKit constructor requires; WorkOS's
endpoint at <site URL>/workos/webhook and its events; and whether the route
is deployed (an unsigned POST must be refused, a 404 means it is not).
--webhook-test also sends one signed test event (never to prod without
--webhook-test-prod). Without the component they are skipped.

With a Convex deployment connected (CONVEX_DEPLOY_KEY with --convex-url or the
app's *_CONVEX_URL, CONVEX_SELF_HOSTED_URL + CONVEX_SELF_HOSTED_ADMIN_KEY, or
the project's Convex CLI), doctor judges the deployment itself: the deployment
checks compare its WORKOS_* variables with the app's and its stored providers
with what auth.config.ts evaluates to there; auth.config.ts is evaluated with
the deployment's variables (--deployment-env on top, as a what-if), and tokens
are routed with the providers the deployment holds. Without one (or with
--no-deployment), local values stand in and the report says so.

Requests (deployment, WorkOS, JWKS) run concurrently, each with
--request-timeout, the whole run within --timeout. With GITHUB_ACTIONS=true
every warning and failure is also printed as a workflow annotation.

With --emulate, WorkOS is the embedded emulator, playing https://api.workos.com
(its tokens' iss and JWKS URLs are WorkOS's), holding the section's redirect
URIs and CORS origins as apply registers them and the --login user with the
given password: a rehearsal of the whole chain, the auth config judged as
against WorkOS, with no account. Every emulator signs with the same
well-known key, so --token also takes a token from 'convex-authkit emulate
--play-workos'. The deployment checks still use the deployment if one is
connected.

Secrets (the API key, the cookie password, tokens) are never printed in full.

auth.config.ts is code from the repository, so it runs apart: in a child
process killed after 2s, capped at 512 MiB, reading files only from the
project and its node_modules. With a deployment, its process.env is the
deployment's. Without one it holds .env.local, .env, --client-id and
--deployment-env, CONVEX_CLOUD_URL and CONVEX_SITE_URL derived
from the app's *_CONVEX_URL, and from the environment only WORKOS_*,
CONVEX_CLOUD_URL, CONVEX_SITE_URL and the names convex.json's placeholders use;
pass any other with --deployment-env NAME.

Exit status: 0 nothing failed (warnings allowed unless --strict), 1 a check
failed or could not run, 2 the password prompt was cancelled, 3 bad flags, an
unknown check, an unreadable dotenv file or token input, a malformed deploy key.
A missing or rejected API key is a check result (workos.api-key), and a
deployment that refuses its key one too (deployment.connection), not exit 4.`,
		Example: `  convex-authkit doctor
  convex-authkit doctor --env prod --strict --json
  convex-authkit doctor authconfig jwks --deployment-env WORKOS_CLIENT_ID=client_01...
  convex-authkit doctor token --token "$TOKEN" --verbose
  pbpaste | convex-authkit doctor --token -
  WORKOS_TEST_PASSWORD=... convex-authkit doctor --login test@example.com
  WORKOS_TEST_PASSWORD=any convex-authkit doctor --emulate --login test@example.com`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if list {
				return listChecks(f)
			}
			sel, err := doctor.Select(args)
			if err != nil {
				var ue *doctor.UnknownCheckError
				if errors.As(err, &ue) {
					return cmdutil.UsageError(err, "valid "+ue.Valid())
				}
				return err
			}
			if token != "" && login != "" {
				return cmdutil.FlagErrorf("--token and --login cannot be combined")
			}
			opts, err := df.options(f, cmd)
			if err != nil {
				return err
			}
			if webhookTestProd && !webhookTest {
				return cmdutil.FlagErrorf("--webhook-test-prod works with --webhook-test")
			}
			opts.Select, opts.Login = sel, login
			opts.SiteURL, opts.WebhookTest, opts.WebhookTestProd = siteURL, webhookTest, webhookTestProd
			if token != "" {
				if opts.Token, opts.TokenSource, err = readToken(f, cmd, token, false); err != nil {
					return err
				}
			}
			if login != "" && f.IOStreams.CanPrompt() {
				if p, ok := f.Prompter.(prompt.PasswordPrompter); ok {
					opts.AskPassword = p.Password
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return doctor.Run(cmd.Context(), opts)
		},
	}
	df.bind(c, "check")
	fl := c.Flags()
	fl.StringVar(&token, "token", "", "an access token to verify as Convex would; - reads it from stdin")
	fl.StringVar(&login, "login", "", "sign this user in with WorkOS password authentication and verify the token (password: WORKOS_TEST_PASSWORD, or asked)")
	fl.BoolVar(&list, "list-checks", false, "list the checks and groups, and exit")
	fl.StringVar(&siteURL, "site-url", "", "the deployment's HTTP actions origin, for the webhooks checks (default: asked of the deployment)")
	fl.BoolVar(&webhookTest, "webhook-test", false, "send one signed "+doctor.DeliveryEvent+" event to the deployment's /workos/webhook (webhooks.delivery)")
	fl.BoolVar(&webhookTestProd, "webhook-test-prod", false, "with --webhook-test: allow it for the prod section")
	return c
}

func listChecks(f *cmdutil.Factory) error {
	if f.Globals.JSON {
		return cmdutil.WriteJSON(f.IOStreams.Out, struct {
			SchemaVersion int           `json:"schemaVersion"`
			Checks        []doctor.Spec `json:"checks"`
		}{cmdutil.SchemaVersion, doctor.Specs})
	}
	w := f.IOStreams.Out
	width := 0
	for _, s := range doctor.Specs {
		width = max(width, len(s.ID))
	}
	group := ""
	for _, s := range doctor.Specs {
		if s.Group != group {
			group = s.Group
			fmt.Fprintln(w, f.IOStreams.ColorScheme().Bold(group))
		}
		fmt.Fprintf(w, "  %-*s  %s\n", width, s.ID, s.Description)
	}
	return nil
}
