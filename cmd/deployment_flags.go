package cmd

import (
	"github.com/spf13/pflag"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/deployment"
)

// deploymentFlags are the flags of every command that reads or writes the
// Convex deployment: where it is (beside CONVEX_DEPLOY_KEY and the other
// variables deployment.Connect reads) and a way to leave it out.
type deploymentFlags struct {
	convexURL string
	none      bool
}

func (d *deploymentFlags) bind(fl *pflag.FlagSet) {
	fl.StringVar(&d.convexURL, "convex-url", "", "deployment URL for CONVEX_DEPLOY_KEY (default: CONVEX_URL, the app's *_CONVEX_URL, else from the key's deployment name)")
	fl.BoolVar(&d.none, "no-deployment", false, "do not connect to the Convex deployment: use local values only")
}

// options are the deployment options for a command on section ("dev",
// "preview", "prod") with variables from vars (a *resolve.Sources).
func (d *deploymentFlags) options(f *cmdutil.Factory, vars deployment.Vars, section string) (deployment.Options, deployment.ClientOptions) {
	client := deployment.ClientOptions{Env: f.Env, UserAgent: "convex-authkit/" + f.Build.Version}
	if f.Globals.Verbose {
		client.Log = f.IOStreams.ErrOut
	}
	return deployment.Options{Vars: vars, ConvexURL: d.convexURL, Dir: f.ProjectDir(), Section: section}, client
}
