package cmd

import (
	"github.com/spf13/cobra"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/demo"
)

func newCmdDemo(f *cmdutil.Factory, runF func(demo.Options) error) *cobra.Command {
	opts := demo.Options{}
	c := &cobra.Command{
		Use:   "demo",
		Short: "Set up and diagnose an example app against the embedded WorkOS and Convex deployment emulators",
		Long: `Demo runs the tool's main job end to end, with no WorkOS or Convex account
and no network. It starts the embedded WorkOS emulator and a Convex
deployment emulator that plays the example's deployment (happy-otter-123,
holding WORKOS_CLIENT_ID as one Convex provisioned AuthKit for does),
copies the Vite example (testdata/projects/vite, built into the binary) to a
temporary folder, and then, printing each step:

  init     generates convex/auth.config.ts and .env.local for the example,
           the same files as for a real app: the providers name
           https://api.workos.com; it gives the deployment WORKOS_API_KEY
  apply    registers the dev section's redirect URI and CORS origin
  push     stores in the deployment the providers auth.config.ts evaluates
           to with its variables, as npx convex dev would
  sign-in  signs a user in, which mints an access token shaped like AuthKit's
  doctor   checks the project, the deployment and the token as Convex and
           WorkOS would, and says why each check that does not pass is
           expected here

The emulator plays https://api.workos.com: its tokens carry WorkOS's issuer,
and doctor's requests for api.workos.com reach it through a transport that
refuses every other address. Every command reaches the deployment on
127.0.0.1 with a deploy key of the demo's (CONVEX_DEPLOY_KEY and
--convex-url), so nothing leaves this machine. .env.local ends with no
WORKOS_CLIENT_ID: the deployment holds it. The demo sees none of your
environment variables, and ignores --dir.

The folder is removed at the end unless --keep. With --json, stdout holds one
document with every step's outcome, the commands' own --json reports and the
deployment's variables at the end (deploymentVariables, the API key masked);
the steps' progress goes to stderr.

Exit status: 0 every step succeeded, 1 a step failed (the later ones are
skipped), 2 interrupted.`,
		Example: `  convex-authkit demo
  go run . demo --keep
  convex-authkit demo --json | jq '.steps[] | {id, status, message}'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.IO = f.IOStreams
			opts.JSON, opts.Verbose = f.Globals.JSON, f.Globals.Verbose
			opts.Now, opts.UserAgent = f.Now, "convex-authkit/"+f.Build.Version
			if runF != nil {
				return runF(opts)
			}
			return demo.Run(cmd.Context(), opts)
		},
	}
	c.Flags().BoolVar(&opts.Keep, "keep", false, "keep the project folder and print where it is")
	return c
}
