package cmd

import (
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/convex-authkit/convex-authkit/internal/authconfig"
	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
)

func newCmdGenerateAuthConfig(f *cmdutil.Factory, runF func(authconfig.Options) error) *cobra.Command {
	opts := authconfig.Options{}
	c := &cobra.Command{
		Use:   "auth-config",
		Short: "Write convex/auth.config.ts with the WorkOS AuthKit providers",
		Long: `Auth-config writes the auth config Convex needs to accept WorkOS AuthKit
tokens: the two customJwt providers of Convex's WorkOS guide, reading the
client ID from the deployment's WORKOS_CLIENT_ID (issuer https://api.workos.com/
with applicationID, and https://api.workos.com/user_management/<client ID>
without). --auth-domain adds the same pair for a WorkOS custom authentication
domain.

The file goes in the functions folder named by convex.json ("functions",
default convex/). It is typed with 'satisfies AuthConfig' when the installed
convex (node_modules/convex, 1.27.5 or later) exports that type, and is a
plain object otherwise. A project whose only auth config is auth.config.js
keeps it in JavaScript; with both auth.config.ts and auth.config.js present
nothing is written (Convex refuses that too).

The file's header records the command that wrote it and a hash of its
content. The file is written only when its content changes. A file without
that header, or edited since, is left alone: the diff is printed and the
command exits 3; --force replaces it. Delete the header lines to take the
file over by hand.

Exit status: 0 written or up to date; 1 with --check when the file would
change; 3 invalid flags or configuration, or a file not replaced without
--force.`,
		Example: `  convex-authkit generate auth-config
  convex-authkit generate auth-config --auth-domain auth.example.com
  convex-authkit generate auth-config --check     # in CI: exit 1 if out of date
  convex-authkit generate auth-config --stdout > /tmp/auth.config.ts`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var modes []string
			for name, on := range map[string]bool{"--check": opts.Check, "--force": opts.Force, "--stdout": opts.Stdout} {
				if on {
					modes = append(modes, name)
				}
			}
			sort.Strings(modes)
			if len(modes) > 1 {
				return cmdutil.FlagErrorf("%s cannot be combined", strings.Join(modes, " and "))
			}
			if cmd.Flags().Changed("auth-domain") {
				if err := authconfig.CheckAuthDomain(opts.AuthDomain); err != nil {
					return err
				}
			}
			opts.IO = f.IOStreams
			opts.Dir = f.ProjectDir()
			opts.ConfigPath, opts.ConfigName = f.ConfigPath()
			opts.JSON, opts.Verbose = f.Globals.JSON, f.Globals.Verbose
			if runF != nil {
				return runF(opts)
			}
			return authconfig.Run(opts)
		},
	}
	fl := c.Flags()
	fl.StringVar(&opts.AuthDomain, "auth-domain", "", "also accept tokens issued by this WorkOS custom authentication domain (a host name, e.g. auth.example.com)")
	fl.BoolVar(&opts.Check, "check", false, "write nothing; print the diff and exit 1 if the file would change")
	fl.BoolVar(&opts.Force, "force", false, "replace a file not written by convex-authkit, or edited by hand")
	fl.BoolVar(&opts.Stdout, "stdout", false, "print the content instead of writing the file")
	return c
}
