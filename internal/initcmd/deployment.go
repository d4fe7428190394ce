package initcmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/deployment"
	"github.com/convex-authkit/convex-authkit/internal/secret"
)

// Actions on a deployment variable, in --json.
const (
	VariableCreated   = "created"
	VariableUpdated   = "updated"
	VariableUnchanged = "unchanged"
)

// deploymentPlan is what init puts on the connected deployment: the client
// ID (and an API key it knows) where the deployment lacks them, as the
// Convex CLI does before a push, so that auth.config.ts finds
// WORKOS_CLIENT_ID there and no .env.local needs it.
type deploymentPlan struct {
	att     *deployment.Attached
	changes []deployment.VarChange
	// holds are the WORKOS_* names the deployment has once init is done.
	holds   map[string]bool
	results []VariableResult
}

// planDeployment reads the dev deployment's WORKOS_* variables and plans
// the missing ones. A value there that differs from --client-id is the
// Convex CLI's mismatch (exit 3, nothing written) unless --force.
func planDeployment(opts Options, a *Answers, red *secret.Redactor) (*deploymentPlan, error) {
	p := &deploymentPlan{holds: map[string]bool{}}
	src, err := answerSources(opts, a)
	if err != nil {
		return nil, err
	}
	att, err := deployment.AttachAuth(context.Background(), deployment.AuthRequest{Options: opts.Deployment, Client: opts.DeploymentClient,
		Disabled: opts.NoDeployment, Sources: src, Env: "dev", PreferLocal: opts.Force})
	if err != nil {
		return nil, err
	}
	p.att = att
	if !att.Connected() {
		if opts.Verbose {
			fmt.Fprintf(opts.IO.ErrOut, "note: %s\n", att.NotConnectedNote())
		}
		return p, nil
	}
	red.Add(att.Target.AdminKey())
	for _, v := range src.AuthVars() {
		if v.Name == "WORKOS_API_KEY" || secret.LooksLikeAPIKey(v.Deployment) {
			red.Add(v.Deployment)
		}
	}
	fmt.Fprintf(opts.IO.ErrOut, "Using %s\n", att.Describe())
	changes, _, err := deployment.PlanAuthVars(src, att.Describe(), opts.Force, "--force")
	if err != nil {
		return nil, err
	}
	p.changes = changes
	for _, v := range src.AuthVars() {
		if v.Deployment != "" {
			p.holds[v.Name] = true
			if v.Name == "WORKOS_CLIENT_ID" && !v.Differ() {
				p.results = append(p.results, VariableResult{Name: v.Name, Value: deployment.ShowValue(v.Name, v.Deployment), Action: VariableUnchanged})
			}
		}
	}
	for _, c := range changes {
		p.holds[c.Name] = true
		action := VariableCreated
		if c.Replace {
			action = VariableUpdated
		}
		p.results = append(p.results, VariableResult{Name: c.Name, Value: c.Shown, Action: action})
	}
	return p, nil
}

// write sends the planned variables in one request, after the files: a
// failure leaves the files written, and says so.
func (p *deploymentPlan) write(ctx context.Context) error {
	if len(p.changes) == 0 {
		return nil
	}
	if err := p.att.Deployment.UpdateEnv(ctx, deployment.Changes(p.changes)); err != nil {
		ce := deployment.CommandError(err, p.att.Target.Via).(*cmdutil.Error)
		ce.Err = fmt.Errorf("the files were written, but the deployment's variables were not set: %w", err)
		ce.Hint = strings.TrimPrefix(ce.Hint+"; run init again to set them (it leaves the files as they are)", "; ")
		return ce
	}
	return nil
}
