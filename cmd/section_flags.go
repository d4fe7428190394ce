package cmd

import (
	"github.com/spf13/pflag"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/project"
)

// sectionFlags are the flags of every command that works on one section:
// --env and the two authEnv values that may come from the command line.
type sectionFlags struct {
	env, clientID, environmentID string
}

// bind adds the flags; verb completes "section to ...".
func (s *sectionFlags) bind(fl *pflag.FlagSet, verb string) {
	fl.StringVar(&s.env, "env", "", "section to "+verb+": dev, preview or prod (default: detected)")
	fl.StringVar(&s.clientID, "client-id", "", "WorkOS client ID for ${authEnv.WORKOS_CLIENT_ID}")
	fl.StringVar(&s.environmentID, "environment-id", "", "WorkOS environment ID for ${authEnv.WORKOS_ENVIRONMENT_ID}")
}

// project returns the project options: convex.json from the global flags,
// the section from --env, and authEnv values from the flags.
func (s *sectionFlags) project(f *cmdutil.Factory) project.Options {
	path, name := f.ConfigPath()
	flags := map[string]string{}
	if s.clientID != "" {
		flags["WORKOS_CLIENT_ID"] = s.clientID
	}
	if s.environmentID != "" {
		flags["WORKOS_ENVIRONMENT_ID"] = s.environmentID
	}
	return project.Options{ConfigPath: path, ConfigName: name, Dir: f.ProjectDir(), EnvFlag: s.env, Env: f.Env, Flags: flags}
}
