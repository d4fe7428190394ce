package cmd

import (
	"github.com/spf13/cobra"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/configcmd"
)

func newCmdConfig(f *cmdutil.Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "config",
		Short: "Validate and show the authKit section of convex.json",
		Example: `  convex-authkit config validate --strict
  convex-authkit config show --env prod --client-id client_01H...`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
	}
	c.AddCommand(newCmdConfigValidate(f, nil), newCmdConfigShow(f, nil))
	return c
}

func newCmdConfigValidate(f *cmdutil.Factory, runF func(configcmd.ValidateOptions) error) *cobra.Command {
	var strict bool
	c := &cobra.Command{
		Use:   "validate",
		Short: "Check convex.json's authKit section and report every problem",
		Long: `Validate checks convex.json the way the Convex CLI does (strict JSON; the
authKit schema; environmentType only in prod; localEnvVars only in dev) and
reports every problem at once with its line, column and JSON path.

Unknown keys inside authKit are warnings (Convex ignores them silently);
--strict makes them errors. Placeholders that can never resolve, such as
${env.SITE}, are errors; which variables are set is checked by 'config show'.

Exit status: 0 valid (warnings on stderr), 3 invalid.`,
		Example: `  convex-authkit config validate
  convex-authkit config validate --strict --json
  convex-authkit config validate --config apps/web/convex.json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			path, name := f.ConfigPath()
			opts := configcmd.ValidateOptions{
				IO: f.IOStreams, ConfigPath: path, ConfigName: name,
				Strict: strict, JSON: f.Globals.JSON, Verbose: f.Globals.Verbose,
				CI: f.CIStep(cmd.CommandPath()),
			}
			if runF != nil {
				return runF(opts)
			}
			return configcmd.Validate(opts)
		},
	}
	c.Flags().BoolVar(&strict, "strict", false, "treat warnings as errors")
	return c
}

func newCmdConfigShow(f *cmdutil.Factory, runF func(configcmd.ShowOptions) error) *cobra.Command {
	var sf sectionFlags
	var df deploymentFlags
	var showSecrets bool
	c := &cobra.Command{
		Use:   "show",
		Short: "Show the authKit section resolved for one environment",
		Long: `Show resolves the authKit section for dev, preview or prod and prints every
value with the convex.json line it comes from and the source of each
placeholder (flag, environment, .env.local:LINE or .env:LINE).

Placeholders resolve as in the Convex CLI: ${buildEnv.NAME} from the process
environment, then .env.local, then .env (an earlier source always wins, and an
empty value counts as unset); ${authEnv.WORKOS_CLIENT_ID} and
${authEnv.WORKOS_ENVIRONMENT_ID} from --client-id and --environment-id first.
The API key is never a flag: set WORKOS_API_KEY in the environment or a
dotenv file.

With a Convex deployment connected (CONVEX_DEPLOY_KEY, the self-hosted
variables, or the project's convex CLI) its WORKOS_* variables are a source
too, as in the Convex CLI: for dev after the machine, for preview and prod
before it (the source shows as "deployment"). --no-deployment leaves it out.

Without --env the environment comes from CONVEX_DEPLOY_KEY (prod:, preview:,
dev:), then VERCEL_ENV, then Netlify's CONTEXT, else dev; the choice and the
reason are printed on stderr.

Secrets (the API key, anything starting sk_, passwords) are masked unless
--show-secrets. Exit status: 0 shown (also when the section is absent), 3 when
convex.json is invalid or a placeholder cannot be resolved.`,
		Example: `  convex-authkit config show
  convex-authkit config show --env prod --client-id client_01H...
  VERCEL_ENV=preview convex-authkit config show --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := configcmd.ShowOptions{
				IO: f.IOStreams, Options: sf.project(f),
				JSON: f.Globals.JSON, Verbose: f.Globals.Verbose, ShowSecrets: showSecrets,
				NoDeployment: df.none,
			}
			opts.Deployment, opts.DeploymentClient = df.options(f, nil, "")
			if runF != nil {
				return runF(opts)
			}
			return configcmd.Show(opts)
		},
	}
	fl := c.Flags()
	sf.bind(fl, "resolve")
	df.bind(fl)
	fl.BoolVar(&showSecrets, "show-secrets", false, "print secrets in full")
	return c
}
