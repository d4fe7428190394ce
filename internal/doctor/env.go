package doctor

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/apply"
	"github.com/convex-authkit/convex-authkit/internal/config"
	"github.com/convex-authkit/convex-authkit/internal/diag"
	"github.com/convex-authkit/convex-authkit/internal/dotenv"
	"github.com/convex-authkit/convex-authkit/internal/envgen"
	"github.com/convex-authkit/convex-authkit/internal/interpolate"
	"github.com/convex-authkit/convex-authkit/internal/netpolicy"
	"github.com/convex-authkit/convex-authkit/internal/resolve"
	"github.com/convex-authkit/convex-authkit/internal/secret"
)

// envChecks look at the variables the app is built with. For dev they are
// the local files; for preview and prod the build environment, where a
// missing variable may simply live on the hosting platform, so it is
// skipped rather than failed.
func (d *doctor) envChecks() []Check {
	return []Check{d.envClientID(), d.envRedirectURI(), d.envSecretExposure(), d.envCookiePassword(), d.envGitignore(), d.envKeyEnvironment(),
		d.envDevPort(), d.envCallbackRoute(), d.envMiddleware()}
}

func (d *doctor) local() bool { return d.env == config.Dev }

// varsUsing lists the framework's variable and the section's localEnvVars
// whose name contains marker or whose template uses the authEnv name, in
// order, each once; fallback is used when the framework is unknown.
func (d *doctor) varsUsing(frameworkVar string, fallback []string, marker, authEnv string) []string {
	var names []string
	if d.fw != nil {
		names = append(names, frameworkVar)
	} else {
		names = append(names, fallback...)
	}
	if d.sec != nil {
		for _, ev := range d.sec.LocalEnvVars {
			if strings.Contains(ev.Name, marker) || interpolate.UsesAuthEnv(ev.Template, authEnv) {
				names = append(names, ev.Name)
			}
		}
	}
	var out []string
	for _, n := range names {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// where returns the place a variable is set, when it is a file.
func where(v resolve.Variable, msg string) []diag.Problem {
	if v.File == "" {
		return nil
	}
	return []diag.Problem{{Severity: diag.SeverityError, File: v.File, Line: v.Line, Path: v.Name, Message: msg}}
}

// envClientID is env.client-id.
func (d *doctor) envClientID() Check {
	fwVar := ""
	if d.fw != nil {
		fwVar = d.fw.ClientIDVar
	}
	names := d.varsUsing(fwVar, []string{"VITE_WORKOS_CLIENT_ID", "NEXT_PUBLIC_WORKOS_CLIENT_ID"}, "CLIENT_ID", "WORKOS_CLIENT_ID")
	ref, refSource, _ := d.src.GetAuth("WORKOS_CLIENT_ID")
	var set []string
	var bad []diag.Problem
	var firstBad resolve.Variable
	for _, n := range names {
		v, ok := d.src.Lookup(n)
		if !ok || v.Value == "" {
			continue
		}
		set = append(set, n)
		if ref != "" && v.Value != ref {
			msg := fmt.Sprintf("%s is %s (%s), but WORKOS_CLIENT_ID is %s (%s)", n, v.Value, v.Source(), ref, refSource)
			if len(bad) == 0 {
				firstBad = v
			}
			bad = append(bad, diag.Problem{Severity: diag.SeverityError, File: v.File, Line: v.Line, Path: n, Message: msg})
		}
	}
	details := map[string]any{"variables": names, "set": set, "clientID": ref}
	switch {
	case len(bad) > 0:
		c := fail(IDEnvClientID, bad[0].Message,
			fmt.Sprintf("the app would sign users in with another WorkOS client (often another environment's), and Convex, whose providers name %s, would reject their tokens; %s", ref, d.clientIDFix(firstBad, ref))).with(details)
		for _, p := range bad {
			if p.File != "" {
				c = c.at(p)
			}
		}
		return c
	case ref == "" && len(set) > 0:
		return skip(IDEnvClientID, fmt.Sprintf("nothing to compare %s with: WORKOS_CLIENT_ID is not set (pass --client-id)", strings.Join(set, ", "))).with(details)
	case ref == "" && !d.local():
		return skip(IDEnvClientID, "no WorkOS client ID in this build environment; the app's hosting platform must set it")
	case ref == "":
		unset := "WORKOS_CLIENT_ID is not"
		if others := slices.DeleteFunc(slices.Clone(names), func(n string) bool { return n == "WORKOS_CLIENT_ID" }); len(others) > 0 {
			unset = "neither WORKOS_CLIENT_ID nor " + strings.Join(others, " nor ") + " is"
		}
		return warn(IDEnvClientID, "no WorkOS client ID is set: "+unset+" set",
			"set WORKOS_CLIENT_ID (from the WorkOS dashboard) in .env.local, or pass --client-id; `convex-authkit generate env` writes the app's variables").with(details)
	case len(set) == 0 && d.fw != nil && fwVar != "WORKOS_CLIENT_ID" && d.local():
		return warn(IDEnvClientID, fmt.Sprintf("%s reads %s, which is not set", d.fw.Name, fwVar),
			"run `convex-authkit generate env` to write it into .env.local").with(details)
	}
	// Next.js and the server SDKs read WORKOS_CLIENT_ID itself: comparing
	// it with itself says nothing, so only the other names are compared.
	others := slices.DeleteFunc(slices.Clone(set), func(n string) bool { return n == "WORKOS_CLIENT_ID" })
	if len(others) == 0 {
		return pass(IDEnvClientID, fmt.Sprintf("WORKOS_CLIENT_ID is %s (%s)", ref, refSource)).with(details)
	}
	return pass(IDEnvClientID, fmt.Sprintf("%s %s WORKOS_CLIENT_ID, %s", strings.Join(others, " and "), equalVerb(len(others)), ref)).with(details)
}

// clientIDFix says how to give v the client ID: `generate env` keeps a
// value .env.local already has, so replacing it needs --force, and it
// writes only the variables localEnvVars lists, and only into .env.local.
func (d *doctor) clientIDFix(v resolve.Variable, ref string) string {
	set := fmt.Sprintf("set %s=%s", v.Name, ref)
	if v.File == "" {
		return set + " in the environment, or unset it"
	}
	if v.File == resolve.DotenvFiles[0] && d.sec != nil && slices.ContainsFunc(d.sec.LocalEnvVars, func(ev resolve.EnvVar) bool {
		return ev.Name == v.Name && interpolate.UsesAuthEnv(ev.Template, "WORKOS_CLIENT_ID")
	}) {
		return set + " (`convex-authkit generate env --force` replaces it in .env.local)"
	}
	return fmt.Sprintf("%s in %s (line %d)", set, v.File, v.Line)
}

func equalVerb(n int) string {
	if n == 1 {
		return "equals"
	}
	return "equal"
}

// envRedirectURI is env.redirect-uri.
func (d *doctor) envRedirectURI() Check {
	fwVar := ""
	if d.fw != nil {
		fwVar = d.fw.RedirectURIVar
	}
	names := d.varsUsing(fwVar, []string{"NEXT_PUBLIC_WORKOS_REDIRECT_URI", "VITE_WORKOS_REDIRECT_URI", "WORKOS_REDIRECT_URI"}, "REDIRECT_URI", "")
	if d.sec == nil || !d.sec.Configured {
		return skip(IDEnvRedirectURI, fmt.Sprintf("no authKit.%s section lists redirect URIs to compare with", d.env))
	}
	registered := onlyResolved(d.sec.RedirectURIs)
	if len(registered) == 0 {
		return skip(IDEnvRedirectURI, fmt.Sprintf("authKit.%s lists no redirect URIs to compare with", d.env))
	}
	var list []string
	for _, r := range registered {
		list = append(list, r.Value)
	}
	var set []string
	for _, n := range names {
		v, ok := d.src.Lookup(n)
		if !ok || v.Value == "" {
			continue
		}
		set = append(set, n)
		if !slices.ContainsFunc(list, func(r string) bool {
			return apply.Canonical(apply.RedirectURI, r) == apply.Canonical(apply.RedirectURI, v.Value)
		}) {
			msg := fmt.Sprintf("%s is %s (%s), which is not among authKit.%s.configure.redirectUris", n, v.Value, v.Source(), d.env)
			return fail(IDEnvRedirectURI, msg,
				fmt.Sprintf("WorkOS only sends users back to registered URIs (error.workos.com/sso/redirect-uri-invalid otherwise): set %s to one of %s, or add it to redirectUris and run `convex-authkit apply`", n, strings.Join(list, ", "))).
				with(map[string]any{"variable": n, "value": v.Value, "redirectUris": list}).at(where(v, msg)...)
		}
	}
	switch {
	case len(set) > 0:
		return pass(IDEnvRedirectURI, fmt.Sprintf("%s is one of authKit.%s's redirect URIs", strings.Join(set, " and "), d.env))
	case d.fw != nil && !d.fw.CORS && d.local():
		return warn(IDEnvRedirectURI, fmt.Sprintf("%s reads %s, which is not set", d.fw.Name, fwVar),
			fmt.Sprintf("set %s=%s in .env.local (`convex-authkit generate env` writes it when localEnvVars lists it)", fwVar, list[0]))
	}
	return skip(IDEnvRedirectURI, fmt.Sprintf("no redirect URI variable (%s) is set here", strings.Join(names, ", ")))
}

// envSecretExposure is env.secret-exposure: a value published to browsers
// under a public prefix must not be a WorkOS secret. Public API keys of
// other services (NEXT_PUBLIC_POSTHOG_KEY...) are fine, so the check is
// about sk_ keys, WorkOS's key and cookie password, and WORKOS_* secrets.
func (d *doctor) envSecretExposure() Check {
	cookie, _, _ := d.src.Get(envgen.CookiePasswordName)
	var found []diag.Problem
	n := 0
	for _, v := range d.src.Variables() {
		prefix := secret.PublicPrefix(v.Name)
		if prefix == "" || v.Value == "" {
			continue
		}
		n++
		what := ""
		switch {
		case d.apiKey != "" && strings.Contains(v.Value, d.apiKey):
			what = "the WorkOS API key"
		case secret.LooksLikeAPIKey(v.Value):
			what = "an sk_ secret key"
		case cookie != "" && v.Value == cookie:
			what = "the cookie password"
		case strings.Contains(v.Name, "WORKOS") && secret.IsSecretName(v.Name):
			what = "a WorkOS secret"
		default:
			continue
		}
		msg := fmt.Sprintf("%s (%s) holds %s under the public prefix %s, which the framework publishes to every visitor", v.Name, v.Source(), what, prefix)
		found = append(found, diag.Problem{Severity: diag.SeverityError, File: v.File, Line: v.Line, Path: v.Name, Message: msg})
	}
	if d.sec != nil {
		for _, ev := range d.sec.LocalEnvVars {
			prefix := secret.PublicPrefix(ev.Name)
			if prefix == "" || !(interpolate.UsesAuthEnv(ev.Template, "WORKOS_API_KEY") || secret.LooksLikeAPIKey(ev.Value.Value)) {
				continue
			}
			found = append(found, diag.Problem{Severity: diag.SeverityError, File: d.cfg.File, Path: ev.Path, Line: ev.Line, Column: ev.Column,
				Message: fmt.Sprintf("localEnvVars writes the WorkOS API key under the public prefix %s", prefix)})
		}
	}
	if len(found) > 0 {
		c := fail(IDEnvSecretExposure, found[0].Message,
			"rename the variable without the public prefix (browser code needs only the client ID), then rotate the key in the WorkOS dashboard: a published key must be considered leaked")
		for _, p := range found {
			if p.File != "" {
				c = c.at(p)
			}
		}
		return c
	}
	return pass(IDEnvSecretExposure, fmt.Sprintf("no secret under a public prefix (%d public %s checked)", n, plural(n, "variable")))
}

// envCookiePassword is env.cookie-password.
func (d *doctor) envCookiePassword() Check {
	const name = envgen.CookiePasswordName
	switch {
	case d.fw == nil:
		return skip(IDEnvCookiePassword, "the framework is not known (no package.json naming one)")
	case !d.fw.CookiePassword:
		return skip(IDEnvCookiePassword, d.fw.Name+" keeps no AuthKit session cookie on a server")
	}
	v, ok := d.src.Lookup(name)
	n := len([]rune(v.Value))
	switch {
	case (!ok || v.Value == "") && !d.local():
		return skip(IDEnvCookiePassword, fmt.Sprintf("%s is not set in this build environment; the server the app runs on must have it (at least %d characters)", name, envgen.CookiePasswordMinLength))
	case !ok || v.Value == "":
		return fail(IDEnvCookiePassword, fmt.Sprintf("%s is not set: %s's AuthKit SDK refuses to start without it", name, d.fw.Name),
			"run `convex-authkit generate env`, which writes a random 43-character one into .env.local")
	case n < envgen.CookiePasswordMinLength:
		msg := fmt.Sprintf("%s (%s) has %d characters; AuthKit needs at least %d", name, v.Source(), n, envgen.CookiePasswordMinLength)
		return fail(IDEnvCookiePassword, msg,
			fmt.Sprintf("replace it with a random value of at least %d characters (`openssl rand -base64 32`), or delete it and run `convex-authkit generate env`", envgen.CookiePasswordMinLength)).
			with(map[string]any{"length": n}).at(where(v, msg)...)
	}
	return pass(IDEnvCookiePassword, fmt.Sprintf("%s is set (%s, %d characters)", name, v.Source(), n)).with(map[string]any{"length": n})
}

// envGitignore is env.gitignore: a dotenv file with a secret must not be
// committed; .env.local is meant to be local whatever it holds.
func (d *doctor) envGitignore() Check {
	var checked []string
	var worst Check
	for _, f := range d.src.Files() {
		name := f.Name
		checked = append(checked, name)
		ignored, err := envgen.IgnoredByGit(d.opts.Dir, name)
		if err != nil {
			return newCheck(IDEnvGitignore, StatusError, fmt.Sprintf("cannot tell whether git ignores %s: %v", name, err), "")
		}
		if ignored {
			continue
		}
		secrets := secretNames(f)
		var c Check
		switch {
		case len(secrets) > 0:
			c = fail(IDEnvGitignore, fmt.Sprintf("%s holds %s and git does not ignore it", name, strings.Join(secrets, ", ")),
				fmt.Sprintf("add %s to .gitignore (and if it was ever committed, rotate the secrets)", name))
		case name == envgen.FileName:
			c = warn(IDEnvGitignore, name+" is not ignored by git", "add .env*.local to .gitignore: it is meant for this machine only")
		default:
			continue
		}
		if worst.ID == "" || c.Status == StatusFail {
			worst = c
		}
	}
	switch {
	case worst.ID != "":
		return worst.with(map[string]any{"files": checked})
	case len(checked) == 0:
		return skip(IDEnvGitignore, "no .env.local or .env file")
	}
	return pass(IDEnvGitignore, strings.Join(checked, " and ")+": ignored by git, or holding no secret").with(map[string]any{"files": checked})
}

// secretNames lists the variables of a dotenv file that hold secrets.
func secretNames(f *dotenv.File) []string {
	var out []string
	for _, e := range f.Entries {
		if e.Value != "" && (secret.IsSecretName(e.Key) || secret.LooksLikeAPIKey(e.Value)) && !slices.Contains(out, e.Key) {
			out = append(out, e.Key)
		}
	}
	return out
}

// envKeyEnvironment is env.key-environment: WorkOS keys name their
// environment (sk_test_ staging, sk_live_ production), and production
// environments refuse http and localhost URLs.
func (d *doctor) envKeyEnvironment() Check {
	key := d.apiKey
	if key == "" {
		return skip(IDEnvKeyEnvironment, "no WORKOS_API_KEY")
	}
	masked := secret.Mask(key)
	live, test := strings.HasPrefix(key, "sk_live_"), strings.HasPrefix(key, "sk_test_")
	var local []diag.Problem
	if d.sec != nil && d.cfg != nil {
		for _, v := range d.sectionValues() {
			if isLocalURL(v.Value) && v.Path != "" && !strings.Contains(v.Path, "localEnvVars") {
				local = append(local, diag.Problem{Severity: diag.SeverityError, File: d.cfg.File, Path: v.Path, Line: v.Line, Column: v.Column,
					Message: fmt.Sprintf("%q points at this machine", v.Value)})
			}
		}
	}
	details := map[string]any{"key": masked, "source": d.apiKeySource}
	switch {
	case !live && !test:
		return warn(IDEnvKeyEnvironment, fmt.Sprintf("WORKOS_API_KEY (%s) does not look like a WorkOS key (sk_test_... or sk_live_...)", d.apiKeySource),
			"copy the key from the WorkOS dashboard's API Keys page").with(details)
	case live && len(local) > 0:
		return fail(IDEnvKeyEnvironment, fmt.Sprintf("a production key (%s) with localhost URLs in authKit.%s: WorkOS production environments refuse them", masked, d.env),
			"use the staging environment's sk_test_ key for local development").with(details).at(local...)
	case live && d.env == config.Dev:
		return warn(IDEnvKeyEnvironment, fmt.Sprintf("a production key (%s) for authKit.dev: local development would act on production users and settings", masked),
			"use the staging environment's sk_test_ key in .env.local").with(details)
	case test && d.env == config.Prod:
		return warn(IDEnvKeyEnvironment, fmt.Sprintf("a staging key (%s) for authKit.prod: production users would sign in to the staging environment", masked),
			"set the production environment's sk_live_ key (and its client ID) in the production build").with(details)
	}
	kind := "staging"
	if live {
		kind = "production"
	}
	return pass(IDEnvKeyEnvironment, fmt.Sprintf("a %s key (%s) for authKit.%s", kind, masked, d.env)).with(details)
}

func isLocalURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && netpolicy.IsLocalHost(u.Hostname())
}
