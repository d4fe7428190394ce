package cmd

import (
	"github.com/spf13/cobra"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
)

func newCmdGenerate(f *cmdutil.Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "generate",
		Short: "Write convex/auth.config.ts and .env.local from convex.json",
		Example: `  convex-authkit generate auth-config --check
  convex-authkit generate env --dry-run`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
	}
	// Subcommands: one constructor each, in its own file.
	c.AddCommand(newCmdGenerateAuthConfig(f, nil), newCmdGenerateEnv(f, nil))
	return c
}
