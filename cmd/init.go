package cmd

import (
	"github.com/spf13/cobra"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/framework"
	"github.com/convex-authkit/convex-authkit/internal/initcmd"
)

func newCmdInit(f *cmdutil.Factory, runF func(initcmd.Options) error) *cobra.Command {
	opts := initcmd.Options{}
	var df deploymentFlags
	c := &cobra.Command{
		Use:   "init",
		Short: "Set up WorkOS AuthKit for a Convex app: convex.json, auth.config.ts and .env.local",
		Long: `Init detects the web framework from package.json (Vite + React, Next.js,
TanStack Start or React Router) and the dev server port (a --port/-p flag on
the framework's command in a dev script, server.port in the Vite config, or
the framework's default), asks for anything it cannot detect, and writes:

  convex.json             the authKit section the Convex docs give for the
                          framework: dev on http://localhost:PORT, preview
                          and prod on the Vercel build URLs
  convex/auth.config.ts   the WorkOS providers Convex verifies tokens with,
                          as generate auth-config writes them (in the
                          functions folder convex.json names)
  .env.local              what the app reads, as generate env writes it: the
                          client ID and redirect URI, and for the server
                          frameworks the API key and a cookie password;
                          a value exported in this shell is written too
                          (the app started from another shell reads it
                          there), and a note says so

With a Convex deployment connected (CONVEX_DEPLOY_KEY, CONVEX_SELF_HOSTED_URL
and CONVEX_SELF_HOSTED_ADMIN_KEY, or the project's convex CLI), init also
puts WORKOS_CLIENT_ID (and WORKOS_API_KEY when it knows it) on the dev
deployment when it lacks them, in one request after the files; a different
value there stops init (exit 3) unless --force.

Every other key of convex.json keeps its place and layout. An authKit
section that differs, or an auth config convex-authkit did not write, is
shown as a diff and replaced only with --force or after you confirm;
nothing is written until every file is planned. Running init again on a
set-up project changes nothing.

On a terminal init asks with a form (ACCESSIBLE=1 for plain prompts). The
API key comes from WORKOS_API_KEY (environment, .env.local or .env) or a
hidden question, never from a flag. Without a terminal, or with --yes, init
takes the flags and what it detected, and a missing value fails with exit
status 3 naming its flag.

Exit status: 0 done (or nothing to do), 1 a file could not be written,
2 cancelled, 3 a missing or bad value, an invalid convex.json, or content
that would be replaced without --force.`,
		Example: `  convex-authkit init
  convex-authkit init --framework nextjs --client-id client_01J... --yes
  convex-authkit init --dir apps/web --port 4000 --files convex.json,convex/auth.config.ts
  convex-authkit init --auth-domain auth.example.com --force --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fl := cmd.Flags()
			if fl.Changed("port") {
				if _, err := initcmd.ParsePort(fl.Lookup("port").Value.String()); err != nil {
					return cmdutil.FlagErrorf("--port: %v", err)
				}
			}
			opts.AuthDomainSet = fl.Changed("auth-domain")
			if !fl.Changed("files") {
				opts.Files = nil
			}
			opts.IO, opts.Prompter = f.IOStreams, f.Prompter
			opts.Form = &initcmd.HuhForm{In: f.IOStreams.In, Out: f.IOStreams.ErrOut, Accessible: f.Env["ACCESSIBLE"] != ""}
			opts.Dir, opts.Env = f.ProjectDir(), f.Env
			opts.ConfigPath, opts.ConfigName = f.ConfigPath()
			opts.JSON, opts.Verbose = f.Globals.JSON, f.Globals.Verbose
			opts.Deployment, opts.DeploymentClient = df.options(f, nil, "dev")
			opts.NoDeployment = df.none
			if runF != nil {
				return runF(opts)
			}
			return initcmd.Run(opts)
		},
	}
	fl := c.Flags()
	fl.StringVar(&opts.Framework, "framework", "", "web framework: "+framework.IDs()+" (default: detected from package.json)")
	fl.IntVar(&opts.Port, "port", 0, "dev server port (default: detected, else the framework's default)")
	fl.StringVar(&opts.ClientID, "client-id", "", "WorkOS client ID, client_... (default: WORKOS_CLIENT_ID from the environment or .env.local)")
	fl.StringVar(&opts.AuthDomain, "auth-domain", "", "host of a custom AuthKit domain, e.g. auth.example.com (\"\" for none)")
	fl.StringSliceVar(&opts.Files, "files", initcmd.AllFiles, "files to write")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "take the flags and detected values without asking")
	fl.BoolVar(&opts.Force, "force", false, "replace an authKit section or auth config you wrote, .env.local values that differ, and a different WORKOS_* value on the deployment, without asking")
	df.bind(fl)
	return c
}
