package deployment

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/resolve"
	"github.com/convex-authkit/convex-authkit/internal/secret"
)

// AuthRequest says which deployment to attach and which sources to give
// its WORKOS_* variables (see AttachAuth).
type AuthRequest struct {
	Options  Options
	Client   ClientOptions
	Disabled bool
	Sources  *resolve.Sources
	// Env is the authKit section ("dev", "preview", "prod").
	Env         string
	PreferLocal bool
}

// AttachAuth attaches the deployment the project names, if any (Options'
// Vars and Section come from the request), and reads its WORKOS_*
// variables into Sources. The client's verbose log passes through a
// redactor of the admin key and the secrets known so far, the deployment's
// included. Errors are CommandErrors: 3 bad input, 4 a refused key, 1 the
// rest.
func AttachAuth(ctx context.Context, r AuthRequest) (*Attached, error) {
	opts := r.Options
	opts.Vars, opts.Section = r.Sources, r.Env
	client := r.Client
	logRed := &secret.Redactor{}
	if client.Log != nil {
		client.Log = logRed.Writer(client.Log)
	}
	att, err := Attach(opts, client, r.Disabled)
	if err != nil {
		return nil, CommandError(err, "")
	}
	if !att.Connected() {
		return att, nil
	}
	logRed.Add(att.Target.AdminKey())
	for _, v := range r.Sources.Secrets(func(n, v string) bool { return secret.IsSecretName(n) || secret.LooksLikeAPIKey(v) }) {
		logRed.Add(v)
	}
	if err := att.ReadAuthVars(ctx, r.Sources, r.Env, r.PreferLocal); err != nil {
		return nil, err
	}
	for _, a := range r.Sources.AuthVars() {
		logRed.Add(a.Deployment)
	}
	return att, nil
}

// ReadAuthVars lists the deployment's variables and makes its WORKOS_*
// credentials a source of src for the section env (see
// resolve.Sources.SetDeployment). Not connected, it does nothing. The error
// is a CommandError: 4 for a refused key, 1 for any other failure.
func (a *Attached) ReadAuthVars(ctx context.Context, src *resolve.Sources, env string, preferLocal bool) error {
	if !a.Connected() {
		return nil
	}
	vars, err := a.Deployment.ListEnv(ctx)
	if err != nil {
		return CommandError(err, a.Target.Via)
	}
	a.Vars = vars
	src.SetDeployment(vars, env, preferLocal)
	return nil
}

// NotConnectedNote is the line a command prints once when it goes on with
// local values only: why, and how to connect.
func (a *Attached) NotConnectedNote() string {
	s := a.NotConnected + "; using local values only"
	if a.Hint != "" {
		s += " (" + a.Hint + ")"
	}
	return s
}

// VarChange is a WORKOS_* credential to put on the deployment.
type VarChange struct {
	Name  string
	Value string
	// Shown is Value as output may show it: the API key masked.
	Shown string
	// Source is where the local value was found ("flag", ".env.local:3").
	Source string
	// Replace is true when the deployment holds another value.
	Replace bool
}

// Change is the update that performs it.
func (c VarChange) Change() Change { return Set(c.Name, c.Value) }

// ShowValue is how output shows a credential's value: the API key masked,
// the client and environment IDs (not secrets, and what users compare) in
// full.
func ShowValue(name, value string) string {
	if name == "WORKOS_API_KEY" || secret.LooksLikeAPIKey(value) {
		return secret.Mask(value)
	}
	return value
}

// PlanAuthVars says which WORKOS_* credentials src knows (from a flag or
// the machine) that the deployment lacks, as the Convex CLI adds them before
// a push. A deployment value other than the one resolution uses is the
// Convex CLI's mismatch: a *cmdutil.Error (exit 3) naming both sides,
// masked, unless overwrite (then the deployment takes the local value).
// overwriteFlag names the flag that does that, for the hint. Warnings are
// for local values that differ from the deployment's but lose to it
// (preview and prod read the deployment first), which would otherwise go
// unnoticed. Not connected, all three are empty.
func PlanAuthVars(src *resolve.Sources, target string, overwrite bool, overwriteFlag string) ([]VarChange, []string, error) {
	var changes []VarChange
	var warnings, mismatches []string
	var names []string
	for _, a := range src.AuthVars() {
		switch {
		case a.Local == "":
		case a.Deployment == "":
			changes = append(changes, VarChange{Name: a.Name, Value: a.Local, Shown: ShowValue(a.Name, a.Local), Source: a.LocalSource})
		case !a.Differ():
		case overwrite:
			changes = append(changes, VarChange{Name: a.Name, Value: a.Local, Shown: ShowValue(a.Name, a.Local), Source: a.LocalSource, Replace: true})
		case a.Mismatch():
			names = append(names, a.Name)
			mismatches = append(mismatches, fmt.Sprintf("  %s: the deployment has %s, %s has %s", a.Name, secret.Mask(a.Deployment), a.LocalSource, secret.Mask(a.Local)))
		default:
			warnings = append(warnings, fmt.Sprintf("%s in %s (%s) differs from the deployment's (%s); using the deployment's, as the Convex CLI does for this section (%s gives the deployment the local value)",
				a.Name, a.LocalSource, secret.Mask(a.Local), secret.Mask(a.Deployment), overwriteFlag))
		}
	}
	if len(mismatches) > 0 {
		return nil, nil, &cmdutil.Error{Code: cmdutil.ExitUsage,
			Err: errors.New("WorkOS environment variable mismatch: " + target + " holds other values than this machine; nothing was applied\n" + strings.Join(mismatches, "\n")),
			Hint: fmt.Sprintf("make both sides agree: correct the local value (flag, environment, .env.local or .env), or change the deployment's with `npx convex env set %s <value>` (or remove it with `npx convex env remove %s`), or pass %s to give the deployment the local value",
				names[0], names[0], overwriteFlag)}
	}
	return changes, warnings, nil
}

// Changes returns the updates of cs, for one UpdateEnv.
func Changes(cs []VarChange) []Change {
	out := make([]Change, len(cs))
	for i, c := range cs {
		out[i] = c.Change()
	}
	return out
}
