package doctor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/deployment"
	"github.com/convex-authkit/convex-authkit/internal/secret"
	"github.com/convex-authkit/convex-authkit/internal/tokencheck"
)

// Deployment is the --json summary of the deployment a run judged. It
// never holds the key.
type Deployment struct {
	Connected bool `json:"connected"`
	// Describe is "deployment happy-otter-123 via CONVEX_DEPLOY_KEY", or
	// "no deployment".
	Describe string `json:"describe"`
	// NotConnected says why none is connected and how to connect one.
	NotConnected string `json:"notConnected"`
	hint         string
	// standIns is true when a reported check used local values in place
	// of the deployment's (auth config, deployment or token checks).
	standIns bool
}

// remoteDeployment is what doctor reads from the deployment. The three
// reads start together at the beginning of a run, beside the WorkOS ones;
// envDone closes when the variables and the site URL are in (auth.config.ts
// evaluation waits for it), provDone when the stored providers are (token
// routing waits for it).
type remoteDeployment struct {
	att *deployment.Attached

	vars    map[string]string
	envErr  error
	site    string
	siteErr error
	envDone chan struct{}

	providers []deployment.Provider
	provErr   error
	provDone  chan struct{}
}

// start launches the reads when a deployment is connected; otherwise both
// channels are closed at once, so nothing waits.
func (r *remoteDeployment) start(ctx context.Context, att *deployment.Attached) {
	r.att = att
	r.envDone, r.provDone = make(chan struct{}), make(chan struct{})
	if !att.Connected() {
		close(r.envDone)
		close(r.provDone)
		return
	}
	dep := att.Deployment
	go func() {
		defer close(r.provDone)
		r.providers, r.provErr = dep.AuthProviders(ctx)
	}()
	site := make(chan struct{})
	go func() {
		defer close(site)
		r.site, r.siteErr = dep.SiteURL(ctx)
	}()
	go func() {
		defer close(r.envDone)
		r.vars, r.envErr = dep.ListEnv(ctx)
		<-site
	}()
}

// connected reports whether a deployment is attached.
func (r *remoteDeployment) connected() bool { return r.att.Connected() }

// envRead reports whether the deployment's variables were read, so that
// auth.config.ts is evaluated with them.
func (r *remoteDeployment) envRead() bool { return r.connected() && r.envErr == nil }

// providersRead reports whether the stored providers were read, so that
// tokens are routed with them.
func (r *remoteDeployment) providersRead() bool { return r.connected() && r.provErr == nil }

// describe names the deployment in messages.
func (r *remoteDeployment) describe() string { return r.att.Describe() }

// usesDeployment reports whether a selected check judges the deployment's
// values: the auth config, its providers' JWKS, tokens, or the deployment
// itself.
func (s Selection) usesDeployment() bool {
	return s.group(GroupAuthConfig) || s.group(GroupDeployment) || s.group(GroupJWKS) || s.group(GroupToken)
}

// processEnv is what process.env holds on the deployment: its variables,
// and CONVEX_CLOUD_URL and CONVEX_SITE_URL, which a deployment provides
// itself. where names the deployment for the sources envReads reports.
func (r *remoteDeployment) processEnv(appURLName, appURL string) (vars, source map[string]string) {
	where := r.describe()
	vars, source = map[string]string{}, map[string]string{}
	for k, v := range r.vars {
		vars[k], source[k] = v, where
	}
	cloud, site := r.att.Target.URL, r.site
	cloudFrom, siteFrom := where, where
	if cloud == "" || r.siteErr != nil || site == "" {
		// The Convex CLI route has no URL, and an older backend may not
		// answer convexSiteUrl: the app's URL gives both on Convex Cloud.
		dc, ds := deploymentURLs(appURL)
		if cloud == "" {
			cloud, cloudFrom = dc, "derived from "+appURLName
		}
		if r.siteErr != nil || site == "" {
			site, siteFrom = ds, "derived from "+appURLName
		}
	}
	for _, s := range []struct{ name, value, from string }{{"CONVEX_CLOUD_URL", cloud, cloudFrom}, {"CONVEX_SITE_URL", site, siteFrom}} {
		if _, ok := vars[s.name]; !ok && s.value != "" {
			vars[s.name], source[s.name] = s.value, s.from
		}
	}
	return vars, source
}

// secrets are the deployment's values the report must never show.
func (r *remoteDeployment) secrets() []string {
	var out []string
	for k, v := range r.vars {
		if secret.IsSecretName(k) || secret.LooksLikeAPIKey(v) {
			out = append(out, v)
		}
	}
	return out
}

// routing is the provider list tokens are routed with: the stored one when
// it was read, else auth.config.ts as evaluated here (nil when unknown).
func (r *remoteDeployment) routing(ac authConfig) ([]tokencheck.Provider, bool) {
	if r.providersRead() {
		return storedProviders(r.providers), true
	}
	if ac.known {
		// Non-nil even without providers: an empty list is known, and
		// every token then gets "no providers configured".
		return append([]tokencheck.Provider{}, ac.tc...), true
	}
	return nil, false
}

// storedProviders converts the deployment's documents, keeping _auth's
// order, which is the order Convex tries them in.
func storedProviders(ps []deployment.Provider) []tokencheck.Provider {
	out := make([]tokencheck.Provider, len(ps))
	for i, p := range ps {
		issuer := p.Issuer
		if p.Type == deployment.ProviderOIDC {
			issuer = p.Domain
		}
		out[i] = tokencheck.Provider{Type: p.Type, Issuer: issuer, ApplicationID: p.ApplicationID, JWKS: p.JWKS, Algorithm: p.Algorithm, Stored: i + 1}
	}
	return out
}

// deploymentChecks are deployment.connection, workos-variables and
// providers.
func (d *doctor) deploymentChecks(ac authConfig, r *remoteDeployment) []Check {
	if !r.connected() {
		why := r.att.NotConnected
		return []Check{skip(IDDeploymentConnection, why), skip(IDDeploymentWorkOSVars, why), skip(IDDeploymentProviders, why)}
	}
	vars, stored := d.workosVarsCheck(ac, r), d.storedProvidersCheck(ac, r)
	if vars.Status == StatusFail && stored.Status == StatusFail {
		// A push now would store providers for the wrong variables.
		stored.Hint = "first fix the variables (see " + IDDeploymentWorkOSVars + "), then " + stored.Hint
	}
	return []Check{d.connectionCheck(r), vars, stored}
}

// failure turns a failed read into a check: a refused key, no answer or
// a failing server is a failure of the deployment; a system query or CLI
// run that failed means the check could not run.
func (d *doctor) failure(id string, r *remoteDeployment, err error) Check {
	via := r.att.Target.Via
	var de *deployment.Error
	if !errors.As(err, &de) {
		return newCheck(id, StatusError, err.Error(), "")
	}
	details := map[string]any{"status": de.Status, "via": via}
	switch de.Kind {
	case deployment.KindFunction, deployment.KindCLI:
		return newCheck(id, StatusError, err.Error(), de.Hint(via)).with(details)
	}
	return fail(id, err.Error(), de.Hint(via)).with(details)
}

// connectionCheck is deployment.connection: the variables could be listed,
// which needs the key's admin permission.
func (d *doctor) connectionCheck(r *remoteDeployment) Check {
	if r.envErr != nil {
		return d.failure(IDDeploymentConnection, r, r.envErr)
	}
	return pass(IDDeploymentConnection, fmt.Sprintf("%s answers and accepts the key (%d %s)", r.describe(), len(r.vars), plural(len(r.vars), "variable"))).
		with(map[string]any{"describe": r.describe(), "variables": len(r.vars)})
}

// workosVarsCheck is deployment.workos-variables: each WORKOS_* variable
// auth.config.ts reads, and always WORKOS_CLIENT_ID, is set on the
// deployment and equals the value the app uses here.
func (d *doctor) workosVarsCheck(ac authConfig, r *remoteDeployment) Check {
	if r.envErr != nil {
		return d.blocked(IDDeploymentWorkOSVars, IDDeploymentConnection, "the deployment's variables could not be read")
	}
	names := []string{"WORKOS_CLIENT_ID"}
	for _, n := range ac.envRead {
		if strings.HasPrefix(n, "WORKOS_") && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	show := func(name, v string) string {
		if secret.IsSecretName(name) || secret.LooksLikeAPIKey(v) {
			return secret.Mask(v)
		}
		return v
	}
	prod := ""
	if d.env == "prod" {
		prod = " --prod"
	}
	var problems, fixes, ok []string
	for _, n := range names {
		local, from := d.localValue(n)
		remote, set := r.vars[n]
		shownLocal := "<value>"
		if local != "" {
			shownLocal = show(n, local)
		}
		switch {
		case !set || remote == "":
			problems = append(problems, fmt.Sprintf("%s has no %s", r.describe(), n))
			fixes = append(fixes, fmt.Sprintf("npx convex env set %s %s%s", n, shownLocal, prod))
		case local != "" && remote != local:
			problems = append(problems, fmt.Sprintf("%s on %s is %s, but the app uses %s (%s)", n, r.describe(), show(n, remote), show(n, local), from))
			fixes = append(fixes, fmt.Sprintf("npx convex env set %s %s%s", n, shownLocal, prod))
		default:
			ok = append(ok, n)
		}
	}
	details := map[string]any{"checked": names, "ok": ok}
	if len(problems) == 0 {
		return pass(IDDeploymentWorkOSVars, fmt.Sprintf("%s has %s as the app uses them", r.describe(), strings.Join(names, ", "))).with(details)
	}
	details["problems"] = problems
	return fail(IDDeploymentWorkOSVars, strings.Join(problems, "; "),
		fmt.Sprintf("%s (or `convex-authkit apply --env %s`, which sets the missing ones), then push again (npx convex dev, or npx convex deploy): the providers are evaluated from these variables at push time", strings.Join(fixes, "; "), d.env)).
		with(details)
}

// localValue is the value the app uses for name here: for the client ID
// the one doctor judges the app by (WORKOS_CLIENT_ID, else the browser
// variable), for the others the project's environment and dotenv files.
func (d *doctor) localValue(name string) (value, source string) {
	if name == "WORKOS_CLIENT_ID" {
		return d.clientID, d.clientIDSource
	}
	v, src, _ := d.src.Get(name)
	return v, name + " (" + src + ")"
}

// storedProvidersCheck is deployment.providers: the providers of the last
// push equal what auth.config.ts evaluates to with the deployment's
// variables, compared provider by provider in canonical form.
func (d *doctor) storedProvidersCheck(ac authConfig, r *remoteDeployment) Check {
	switch {
	case r.provErr != nil:
		var de *deployment.Error
		if errors.As(r.provErr, &de) && (de.Kind == deployment.KindRefused || de.Kind == deployment.KindNetwork) && r.envErr != nil {
			return d.blocked(IDDeploymentProviders, IDDeploymentConnection, "the deployment could not be read")
		}
		// Unread providers are neither a pass nor a difference.
		c := d.failure(IDDeploymentProviders, r, r.provErr)
		c.Status = StatusError
		return c
	case r.envErr != nil:
		return d.blocked(IDDeploymentProviders, IDDeploymentConnection, "auth.config.ts could not be evaluated with the deployment's variables")
	case !ac.known:
		return d.providersUnknown(IDDeploymentProviders, ac)
	}
	// Both sides in the order Convex tries them: the local ones as a push
	// would store them, the deployment's as _auth holds them. The order
	// alone is no difference: it matters only when two providers match one
	// token, which token.ambiguous judges.
	var local []string
	for _, p := range tokencheck.StoredOrder(ac.tc) {
		local = append(local, canonical(p))
	}
	var stored []string
	for _, p := range storedProviders(r.providers) {
		stored = append(stored, canonical(p))
	}
	var added, removed []string
	for _, p := range local {
		if !slices.Contains(stored, p) {
			added = append(added, "+ in "+ac.file+", not on the deployment: "+p)
		}
	}
	for _, p := range stored {
		if !slices.Contains(local, p) {
			removed = append(removed, "- on the deployment, not in "+ac.file+": "+p)
		}
	}
	details := map[string]any{"stored": stored, "evaluated": local}
	if len(added)+len(removed) == 0 {
		return pass(IDDeploymentProviders, fmt.Sprintf("%s holds the %d %s %s evaluates to with its variables", r.describe(), len(stored), plural(len(stored), "provider"), fileOr(ac.file))).with(details)
	}
	diff := append(added, removed...)
	details["added"], details["removed"] = added, removed
	what := "still has the providers of an older push"
	if len(stored) == 0 {
		// Nothing stored at all: the auth config was never pushed here (or
		// an earlier push had no providers), which "older push" misnames.
		what = "holds no auth providers: " + fileOr(ac.file) + " has not been pushed to it"
	}
	return fail(IDDeploymentProviders, fmt.Sprintf("%s %s:\n%s", r.describe(), what, strings.Join(diff, "\n")),
		"push again: run `npx convex dev` (development) or `npx convex deploy` (production) so that the deployment stores what "+fileOr(ac.file)+" evaluates to").with(details)
}

func fileOr(file string) string {
	if file == "" {
		return "the project (no auth config file)"
	}
	return file
}

// canonical writes a provider as Convex lists it, with the fields that
// list leaves out (where the keys come from and how they sign), so that
// providers compare equal exactly when a deployment would treat them alike.
func canonical(p tokencheck.Provider) string {
	if p.Type == tokencheck.TypeOIDC {
		return p.String()
	}
	return fmt.Sprintf("%s jwks=%s algorithm=%s", p, p.JWKS, p.Algorithm)
}
