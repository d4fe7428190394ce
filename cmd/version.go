package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
)

func newCmdVersion(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version, commit, build date and Go version",
		Example: "  convex-authkit version\n  convex-authkit version --json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			b := f.Build
			if f.Globals.JSON {
				return cmdutil.WriteJSON(f.IOStreams.Out, struct {
					SchemaVersion int `json:"schemaVersion"`
					cmdutil.BuildInfo
				}{cmdutil.SchemaVersion, b})
			}
			_, err := fmt.Fprint(f.IOStreams.Out, versionLine(b))
			return err
		},
	}
}

// versionLine is the text of `version` and `--version`.
func versionLine(b cmdutil.BuildInfo) string {
	return fmt.Sprintf("convex-authkit %s (commit %s, built %s, %s, %s)\n", b.Version, b.Commit, b.Date, b.GoVersion, b.Platform)
}
