package cmd

import (
	"github.com/spf13/cobra"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/envgen"
)

func newCmdGenerateEnv(f *cmdutil.Factory, runF func(envgen.Options) error) *cobra.Command {
	opts := envgen.Options{}
	var sf sectionFlags
	c := &cobra.Command{
		Use:   "env",
		Short: "Write authKit.dev.localEnvVars into .env.local, as `npx convex dev` does",
		Long: `Env writes the variables of authKit.dev.localEnvVars into .env.local in the
project root, in the format the Convex CLI writes: each new variable after a
blank line, and a "# See this environment at https://dashboard.workos.com/..."
line above the first one that uses ${authEnv.WORKOS_CLIENT_ID} (when the
environment ID is known: --environment-id or WORKOS_ENVIRONMENT_ID).

  + NAME=value     added
  ~ NAME=value     replaced (an empty value, or a different one with --force)
  = NAME=value     unchanged
  ! NAME           kept: .env.local has another value (--force replaces it)
  - NAME           skipped: set in the environment or in .env

For Next.js and TanStack Start projects (from package.json) it also writes a
random WORKOS_COOKIE_PASSWORD (32 bytes, base64url), which is never replaced.

.env.local is read as npm dotenv 16.6.1 reads it (as Vite, Next.js and the
Convex CLI do): names may have '-' and '.', a line without '=' is skipped,
"A= # note" is an empty value, and a lone CR is a line break. Unlike the
Convex CLI, a name matches only itself (never a prefix), values are quoted
where godotenv and npm dotenv would otherwise read them differently, every
other line of the file is kept byte for byte (CRLF and CR too), and the file
is replaced atomically, keeping its permissions (0600 when new). A
WORKOS_COOKIE_PASSWORD in localEnvVars shorter than 32 characters, which
AuthKit's SDKs refuse, is an error (exit 3).

It refuses to write the API key, or any sk_ key, under a public prefix (VITE_,
NEXT_PUBLIC_, PUBLIC_, EXPO_PUBLIC_, REACT_APP_, GATSBY_) unless
--allow-public-secret, and warns when git does not ignore .env.local. Secrets
are masked in everything it prints, the diff included.

Only the dev section can have localEnvVars: --env preview or prod says there
is nothing to write. Without --env it uses dev, whatever CI variables say.

Exit status: 0 done (or nothing to do), 1 the file could not be written, 3
invalid configuration, an unresolved placeholder, or a refused secret.`,
		Example: `  convex-authkit generate env --dry-run
  convex-authkit generate env --client-id client_01... --environment-id environment_01...
  convex-authkit generate env --force --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.IO = f.IOStreams
			opts.Options = sf.project(f)
			opts.WorkDir = f.WorkDir
			opts.JSON, opts.Verbose = f.Globals.JSON, f.Globals.Verbose
			if runF != nil {
				return runF(opts)
			}
			return envgen.Run(opts)
		},
	}
	fl := c.Flags()
	sf.bind(fl, "read")
	fl.Lookup("env").Usage = "section to read: only dev has localEnvVars (default: dev)"
	fl.BoolVar(&opts.DryRun, "dry-run", false, "print the diff of .env.local and write nothing")
	fl.BoolVar(&opts.Force, "force", false, "also replace values that differ from convex.json (in place)")
	fl.BoolVar(&opts.AllowPublicSecret, "allow-public-secret", false, "write a secret-looking value under a public prefix such as VITE_ (with a warning)")
	return c
}
