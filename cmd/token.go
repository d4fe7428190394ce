package cmd

import (
	"github.com/spf13/cobra"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/doctor"
)

func newCmdToken(f *cmdutil.Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "token",
		Short: "Decode an access token, or verify it as a Convex deployment would",
		Long: `token reads a WorkOS access token (a JWT) given as the argument, or read from
stdin with -. inspect decodes it and verifies nothing; verify runs doctor's
token checks: which provider of convex/auth.config.ts accepts it, its
signature against the JWKS, its times and claims, and the identity Convex
would build. The token is never printed in full.

To get a token, sign a user in with doctor (password from
WORKOS_TEST_PASSWORD, or asked for), which verifies it in the same run.`,
		Example: `  convex-authkit token inspect "$TOKEN"
  convex-authkit token verify "$TOKEN" --env prod
  pbpaste | convex-authkit token verify - --json --verbose
  WORKOS_TEST_PASSWORD=... convex-authkit doctor token --login ada@example.com`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
	}
	c.AddCommand(newCmdTokenInspect(f, nil), newCmdTokenVerify(f, nil))
	return c
}

// tokenArg accepts exactly one argument, the token or "-".
func tokenArg(cmd *cobra.Command, args []string) error {
	if len(args) != 1 {
		return cmdutil.FlagErrorf("%s takes one argument, the token, or - to read it from stdin", cmd.CommandPath())
	}
	return nil
}

func newCmdTokenInspect(f *cmdutil.Factory, runF func(doctor.InspectOptions) error) *cobra.Command {
	return &cobra.Command{
		Use:   "inspect TOKEN|-",
		Short: "Decode a token's header and claims (verifies nothing)",
		Long: `Inspect decodes a JWT's header and claims and prints them, with exp, nbf and
iat in UTC, in local time and relative to now ("expires in 4m12s"). It checks
nothing and never says a token is valid: ` + "`convex-authkit token verify`" + ` does that.
The token itself is shown masked.

Exit status: 0 decoded, 3 not a JWT whose payload can be read.`,
		Example: `  convex-authkit token inspect eyJhbGciOi...
  pbpaste | convex-authkit token inspect - --json | jq .claims`,
		Args: tokenArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			tok, _, err := readToken(f, cmd, args[0], true)
			if err != nil {
				return err
			}
			opts := doctor.InspectOptions{IO: f.IOStreams, Token: tok, JSON: f.Globals.JSON, Now: f.Now}
			if runF != nil {
				return runF(opts)
			}
			return doctor.Inspect(opts)
		},
	}
}

func newCmdTokenVerify(f *cmdutil.Factory, runF func(doctor.Options) error) *cobra.Command {
	var df doctorFlags
	c := &cobra.Command{
		Use:   "verify TOKEN|-",
		Short: "Verify a token as the Convex deployment of a section would",
		Long: `Verify runs doctor's token checks alone. With a Convex deployment connected
(as for doctor: CONVEX_DEPLOY_KEY, CONVEX_SELF_HOSTED_*, the project's Convex
CLI) it routes the token with the providers that deployment holds, so the
verdict is the deployment's; a token only the local file would accept is
rejected with a hint to push again. Otherwise (or with --no-deployment) it
evaluates convex/auth.config.ts as a push would (process.env from the
environment, .env.local, .env, --client-id and --deployment-env) and says so.
It routes the token to a provider by Convex's rule, fetches
that provider's JWKS and checks the signature, the times and the claims, and
reports the jwks checks of the provider it matched. --verbose and --json show
the identity Convex would build. The output has doctor's shape.

With --emulate, WorkOS is the embedded emulator playing https://api.workos.com,
as for doctor --emulate: it serves the JWKS of the emulators' well-known
signing key, so a token from 'convex-authkit emulate --play-workos' (whose
iss names https://api.workos.com) is judged against the project's auth config
with no account and nothing leaving the machine. A token from an emulator
without --play-workos names the emulator's own URL, which only a config
reading WORKOS_BASE_URL accepts: verify it with --workos-url URL instead.

Exit status: 0 Convex would accept the token, 1 it would not (or a check could
not run), 3 bad flags or token input.`,
		Example: `  convex-authkit token verify "$TOKEN" --env prod
  pbpaste | convex-authkit token verify - --json --verbose

  # A token from the emulator, checked against the generated auth config
  convex-authkit emulate --play-workos --client-id "$WORKOS_CLIENT_ID" --user ada@example.com:pw &
  TOKEN=$(WORKOS_TEST_PASSWORD=pw convex-authkit emulate token ada@example.com --client-id "$WORKOS_CLIENT_ID")
  convex-authkit token verify --emulate "$TOKEN"`,
		Args: tokenArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := df.options(f, cmd)
			if err != nil {
				return err
			}
			if opts.Token, opts.TokenSource, err = readToken(f, cmd, args[0], true); err != nil {
				return err
			}
			opts.TokenOnly = true
			if runF != nil {
				return runF(opts)
			}
			return doctor.Run(cmd.Context(), opts)
		},
	}
	df.bind(c, "verify against")
	return c
}
