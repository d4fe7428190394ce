package doctor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/convex-authkit/convex-authkit/internal/apply"
	"github.com/convex-authkit/convex-authkit/internal/diag"
	"github.com/convex-authkit/convex-authkit/internal/jwttemplate"
	"github.com/convex-authkit/convex-authkit/internal/resolve"
	"github.com/convex-authkit/convex-authkit/internal/secret"
	"github.com/convex-authkit/convex-authkit/internal/tokencheck"
	"github.com/convex-authkit/convex-authkit/internal/workos"
)

// workosRemote is what the WorkOS environment has, read concurrently.
type workosRemote struct {
	redirects    []string
	redirectsErr error
	origins      []string
	originsErr   error
	template     string
	hasTemplate  bool
	templateErr  error
	asked        bool
}

// fetch starts one request per list the selected checks need; wg waits
// for them.
func (r *workosRemote) fetch(ctx context.Context, d *doctor, wg *sync.WaitGroup) {
	r.asked = true
	// workos.api-key is judged from the answers of the three requests.
	all := d.sel[IDWorkOSAPIKey]
	spawn := func(needed bool, f func()) {
		if !needed {
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			f()
		}()
	}
	spawn(all || d.sel[IDWorkOSRedirectURIs], func() {
		list, err := d.wos.ListRedirectURIs(ctx)
		for _, x := range list {
			r.redirects = append(r.redirects, x.URI)
		}
		r.redirectsErr = err
	})
	spawn(all || d.sel[IDWorkOSCORS], func() {
		list, err := d.wos.ListCORSOrigins(ctx)
		for _, x := range list {
			r.origins = append(r.origins, x.Origin)
		}
		r.originsErr = err
	})
	spawn(all || d.sel[IDWorkOSJWTTemplate], func() { r.template, r.hasTemplate, r.templateErr = d.wos.GetJWTTemplate(ctx) })
}

// workosChecks are the workos group.
func (d *doctor) workosChecks(ac authConfig, r *workosRemote) []Check {
	if d.wos == nil {
		why := "no WORKOS_API_KEY (environment, .env.local or .env), so WorkOS cannot be asked"
		return []Check{skip(IDWorkOSAPIKey, why), skip(IDWorkOSRedirectURIs, why), skip(IDWorkOSCORS, why), skip(IDWorkOSJWTTemplate, why)}
	}
	if !r.asked {
		return nil
	}
	key := d.apiKeyCheck(r)
	if key.Status == StatusFail {
		why := "WorkOS rejected the API key"
		return []Check{key, d.blocked(IDWorkOSRedirectURIs, IDWorkOSAPIKey, why), d.blocked(IDWorkOSCORS, IDWorkOSAPIKey, why), d.blocked(IDWorkOSJWTTemplate, IDWorkOSAPIKey, why)}
	}
	return []Check{key, d.redirectURIs(r), d.corsOrigins(r), d.jwtTemplate(ac, r)}
}

// apiKeyCheck is workos.api-key: any answer other than 401/403 means the
// key was accepted (a 404 from a server without list endpoints included).
func (d *doctor) apiKeyCheck(r *workosRemote) Check {
	details := map[string]any{"key": secret.Mask(d.apiKey), "source": d.apiKeySource, "baseURL": d.base}
	var other error
	for _, err := range []error{r.redirectsErr, r.originsErr, r.templateErr} {
		switch {
		case workos.IsAuth(err):
			return fail(IDWorkOSAPIKey, fmt.Sprintf("WorkOS rejected the API key %s (%s): %v", secret.Mask(d.apiKey), d.apiKeySource, err),
				"copy a current key from the WorkOS dashboard's API Keys page, for the environment whose client ID the app uses").with(details)
		case err != nil && !workos.IsNotFound(err) && other == nil:
			other = err
		}
	}
	if other != nil && r.redirectsErr != nil && r.originsErr != nil && r.templateErr != nil {
		return newCheck(IDWorkOSAPIKey, StatusError, fmt.Sprintf("could not reach WorkOS at %s: %v", d.base, other), workos.UnreachableHint(d.base)).with(details)
	}
	return pass(IDWorkOSAPIKey, fmt.Sprintf("WorkOS accepts the API key %s (%s)", secret.Mask(d.apiKey), d.apiKeySource)).with(details)
}

// remoteError turns a failed list into the check's result: a server that
// cannot list (older servers, the official emulator) makes it a skip.
func remoteError(id, what, base string, err error) Check {
	if workos.IsNotFound(err) {
		return skip(id, "this WorkOS server cannot list "+what)
	}
	switch {
	case errors.Is(err, context.Canceled):
		return newCheck(id, StatusError, fmt.Sprintf("listing %s: interrupted", what), "")
	case errors.Is(err, context.DeadlineExceeded):
		return newCheck(id, StatusError, fmt.Sprintf("listing %s: %v", what, err), "raise --timeout (the whole run) or --request-timeout (each request), or check the network")
	}
	return newCheck(id, StatusError, fmt.Sprintf("listing %s: %v", what, err), workos.UnreachableHint(base))
}

// missingIn lists the values whose canonical form is not among have.
func missingIn(resource string, want []resolve.Value, have []string) []resolve.Value {
	var out []resolve.Value
	for _, v := range want {
		c := apply.Canonical(resource, v.Value)
		if !slices.ContainsFunc(have, func(h string) bool { return apply.Canonical(resource, h) == c }) {
			out = append(out, v)
		}
	}
	return out
}

// unregistered compares the values of the section with what WorkOS has
// (or could not list): a check when that decides it, else the values
// missing there, with the details to report.
func (d *doctor) unregistered(id, what, resource string, want []resolve.Value, have []string, err error) (*Check, []resolve.Value, map[string]any) {
	if err != nil {
		c := remoteError(id, what+"s", d.base, err)
		return &c, nil, nil
	}
	missing := missingIn(resource, want, have)
	return nil, missing, map[string]any{"registered": have}
}

// valuesAt locates missing values in convex.json.
func (d *doctor) valuesAt(vs []resolve.Value, what string) []diag.Problem {
	var out []diag.Problem
	for _, v := range vs {
		out = append(out, diag.Problem{Severity: diag.SeverityError, File: d.cfg.File, Path: v.Path, Line: v.Line, Column: v.Column,
			Message: fmt.Sprintf("%s %s is not registered in WorkOS", what, v.Value)})
	}
	return out
}

// redirectURIs is workos.redirect-uris.
func (d *doctor) redirectURIs(r *workosRemote) Check {
	if d.sec == nil || !d.sec.Configured {
		return skip(IDWorkOSRedirectURIs, fmt.Sprintf("no authKit.%s section lists redirect URIs", d.env))
	}
	want := onlyResolved(d.sec.RedirectURIs)
	if len(want) == 0 {
		return skip(IDWorkOSRedirectURIs, fmt.Sprintf("authKit.%s lists no redirect URIs", d.env))
	}
	c, missing, details := d.unregistered(IDWorkOSRedirectURIs, "redirect URI", apply.RedirectURI, want, r.redirects, r.redirectsErr)
	switch {
	case c != nil:
		return *c
	case len(missing) > 0:
		what := fmt.Sprintf("%d of %d redirect URIs of authKit.%s are not registered in WorkOS: sign-in with them", len(missing), len(want), d.env)
		switch {
		case len(want) == 1:
			what = fmt.Sprintf("the redirect URI of authKit.%s is not registered in WorkOS: sign-in with it", d.env)
		case len(missing) == 1:
			what = fmt.Sprintf("1 of %d redirect URIs of authKit.%s is not registered in WorkOS: sign-in with it", len(want), d.env)
		}
		return fail(IDWorkOSRedirectURIs, what+" ends at error.workos.com/sso/redirect-uri-invalid",
			fmt.Sprintf("run `convex-authkit apply --env %s` (or `npx convex dev`/`deploy`, which registers them)", d.env)).with(details).at(d.valuesAt(missing, "redirect URI")...)
	}
	return pass(IDWorkOSRedirectURIs, every(len(want), "the redirect URI of authKit."+string(d.env)+" is registered", "all %d redirect URIs of authKit."+string(d.env)+" are registered")).with(details)
}

// corsOrigins is workos.cors: for SDKs that call WorkOS from the browser
// (authkit-js, authkit-react), the app's origins must be allowed. The
// origins are the section's corsOrigins and those of its redirect URIs,
// where the app runs.
func (d *doctor) corsOrigins(r *workosRemote) Check {
	switch {
	case d.fw == nil:
		return skip(IDWorkOSCORS, "the framework is not known (no package.json naming one)")
	case !d.fw.CORS:
		return skip(IDWorkOSCORS, d.fw.Name+"'s AuthKit SDK calls WorkOS from the server, so CORS does not apply")
	case d.sec == nil || !d.sec.Configured:
		return skip(IDWorkOSCORS, fmt.Sprintf("no authKit.%s section lists the app's origins", d.env))
	}
	want := onlyResolved(d.sec.CORSOrigins)
	for _, v := range onlyResolved(d.sec.RedirectURIs) {
		if u, err := url.Parse(v.Value); err == nil && u.Host != "" {
			o := v
			o.Value = u.Scheme + "://" + u.Host
			if len(missingIn(apply.CORSOrigin, []resolve.Value{o}, valuesOf(want))) > 0 {
				want = append(want, o)
			}
		}
	}
	if len(want) == 0 {
		return skip(IDWorkOSCORS, fmt.Sprintf("authKit.%s lists no origins", d.env))
	}
	c, missing, details := d.unregistered(IDWorkOSCORS, "CORS origin", apply.CORSOrigin, want, r.origins, r.originsErr)
	switch {
	case c != nil:
		return *c
	case len(missing) > 0:
		var names []string
		for _, m := range missing {
			names = append(names, m.Value)
		}
		return fail(IDWorkOSCORS, fmt.Sprintf("%s: not an allowed CORS origin in WorkOS, so the browser's calls to WorkOS are blocked (\"blocked by CORS policy\")", strings.Join(names, ", ")),
			fmt.Sprintf("list them in authKit.%s.configure.corsOrigins and run `convex-authkit apply --env %s`", d.env, d.env)).with(details).at(d.valuesAt(missing, "CORS origin")...)
	}
	return pass(IDWorkOSCORS, every(len(want), "the app's origin is allowed in WorkOS's CORS settings", "all %d of the app's origins are allowed in WorkOS's CORS settings")).with(details)
}

func valuesOf(vs []resolve.Value) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Value
	}
	return out
}

// templateAud returns the top-level aud member of a JWT template as JSON,
// or nil when the template sets none. doctor cannot know what an
// expression gives at sign-in, so each one is read as a string holding its
// own text: an aud computed by the template shows as the expression. The
// rest is read as WorkOS reads the rendered text, as JSON: nested objects,
// escapes, arrays and repeated keys (the last one counts) are what they
// are there.
func templateAud(content string) (json.RawMessage, error) {
	claims, err := jwttemplate.Render[json.RawMessage](content, func(expr string, inString bool) (string, error) {
		b, _ := json.Marshal("{{" + expr + "}}") // a string always encodes
		if inString {
			b = b[1 : len(b)-1]
		}
		return string(b), nil
	})
	if err != nil {
		return nil, err
	}
	return claims["aud"], nil
}

// audNames says whether tokens with this aud name clientID, as Convex
// requires of an applicationID: aud is that string, or an array holding it.
func audNames(aud json.RawMessage, clientID string) bool {
	var one string
	if json.Unmarshal(aud, &one) == nil {
		return one == clientID
	}
	var many []any
	return json.Unmarshal(aud, &many) == nil && slices.Contains(many, any(clientID))
}

// jwtTemplate is workos.jwt-template: needed only when no provider
// accepts AuthKit tokens as they come (without aud) but one would with aud.
func (d *doctor) jwtTemplate(ac authConfig, r *workosRemote) Check {
	clientID := d.clientID
	switch {
	case !ac.known:
		return d.providersUnknown(IDWorkOSJWTTemplate, ac)
	case clientID == "":
		return skip(IDWorkOSJWTTemplate, "no WorkOS client ID is known (set WORKOS_CLIENT_ID or pass --client-id)")
	}
	um := d.base + "/user_management/" + clientID
	if m := tokencheck.MatchingProviders(ac.tc, um, nil); len(m) > 0 {
		return skip(IDWorkOSJWTTemplate, fmt.Sprintf("provider #%d accepts AuthKit tokens without aud, so the template needs none", ac.stored[m[0]].Index+1))
	}
	if len(tokencheck.MatchingProviders(ac.tc, um, []string{clientID})) == 0 {
		if named := clientIDsIn(ac.stored); len(named) > 0 && !slices.Contains(named, clientID) {
			return skip(IDWorkOSJWTTemplate, fmt.Sprintf("the providers name %s, not the app's client %s, so no aud would make them accept its tokens (see authconfig.client-id)", strings.Join(named, ", "), clientID))
		}
		return skip(IDWorkOSJWTTemplate, "no provider would accept AuthKit tokens even with aud (see authconfig.workos-providers)")
	}
	if r.templateErr != nil {
		return remoteError(IDWorkOSJWTTemplate, "the JWT template", d.base, r.templateErr)
	}
	hint := fmt.Sprintf(`add "aud": "%s" to the JWT template (WorkOS dashboard, Authentication, JWT template), or remove applicationID from the user_management provider`, clientID)
	if !r.hasTemplate {
		return fail(IDWorkOSJWTTemplate, "a provider for AuthKit tokens requires aud, but the environment has no JWT template, so tokens carry no aud", hint)
	}
	aud, err := templateAud(r.template)
	switch {
	case err != nil:
		return fail(IDWorkOSJWTTemplate, fmt.Sprintf("a provider for AuthKit tokens requires aud, but the JWT template cannot be read: %v", err), hint).with(map[string]any{"template": r.template})
	case aud == nil:
		return fail(IDWorkOSJWTTemplate, "a provider for AuthKit tokens requires aud, but the JWT template does not set it", hint).with(map[string]any{"template": r.template})
	case !audNames(aud, clientID):
		return fail(IDWorkOSJWTTemplate, fmt.Sprintf("the JWT template sets aud to %s, but the provider requires %s", compactJSON(aud), clientID), hint).with(map[string]any{"template": r.template})
	}
	return pass(IDWorkOSJWTTemplate, fmt.Sprintf("the JWT template sets aud to %s, which the provider requires", clientID))
}

// compactJSON shows a JSON value on one line.
func compactJSON(v json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, v) != nil {
		return string(v)
	}
	return b.String()
}
