package doctor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/authconfig"
	"github.com/convex-authkit/convex-authkit/internal/authjs"
	"github.com/convex-authkit/convex-authkit/internal/convexauth"
	"github.com/convex-authkit/convex-authkit/internal/diag"
	"github.com/convex-authkit/convex-authkit/internal/project"
	"github.com/convex-authkit/convex-authkit/internal/tokencheck"
)

// authConfig is what a push of convex/auth.config.ts would store.
type authConfig struct {
	checks []Check // authconfig.present, evaluates, push-checks
	// known is true when the provider list is what the deployment would
	// have after a push: the file evaluated and passed the push checks, or
	// there is no file (no providers).
	known bool
	file  string // relative to the project, "" without one
	// envRead are the process.env names the file read.
	envRead []string
	stored  []convexauth.Provider
	tc      []tokencheck.Provider
	// cause is the check that explains why the providers are unknown, and
	// causeMsg its message.
	cause, causeMsg string
}

// providersUnknown is the result of a check that needs the providers when
// they are not known (see doctor.blocked); when it is an error, it says why.
func (d *doctor) providersUnknown(id string, ac authConfig) Check {
	c := d.blocked(id, ac.cause, "the deployment's providers are not known")
	if c.Status == StatusError {
		c.Message += ": " + ac.causeMsg
	}
	return c
}

// evaluateAuthConfig runs authconfig.present, evaluates and push-checks;
// it always runs, since the jwks and token checks need its providers.
func (d *doctor) evaluateAuthConfig(ctx context.Context, r *remoteDeployment) authConfig {
	var ac authConfig
	// The config loaded for config.valid names the folder; without it
	// (convex.json did not load) FunctionsDir says why.
	var fnDir string
	var err error
	if d.cfg != nil {
		fnDir, err = authconfig.Functions(d.cfg, d.opts.ConfigPath)
	} else {
		fnDir, err = authconfig.FunctionsDir(d.opts.ConfigPath, d.opts.ConfigName)
	}
	if err != nil {
		return d.notPresent(fail(IDAuthConfigPresent, "cannot find the Convex functions folder: "+err.Error(), "fix \"functions\" in convex.json"))
	}
	rel := d.relative(fnDir)
	path, err := authjs.Locate(fnDir)
	var both *authjs.BothFilesError
	switch {
	case errors.Is(err, authjs.ErrNotFound):
		ac.known = true
		why := "no auth config file, so the deployment has no providers"
		ac.checks = []Check{
			fail(IDAuthConfigPresent, fmt.Sprintf("no auth.config.ts or auth.config.js in %s: Convex has no auth providers, and every token gets \"No auth provider found matching the given token (no providers configured)\"", rel),
				"run `convex-authkit generate auth-config` to write the standard WorkOS providers, then push it (npx convex dev or npx convex deploy)").
				with(map[string]any{"functionsDir": rel}),
			skip(IDAuthConfigEvaluates, why), skip(IDAuthConfigPushChecks, why),
		}
		return ac
	case errors.As(err, &both):
		msg := (&authjs.BothFilesError{JS: d.relative(both.JS), TS: d.relative(both.TS)}).Error()
		return d.notPresent(fail(IDAuthConfigPresent, msg, "delete one of them; the Convex CLI refuses to push with both"))
	case err != nil:
		return d.notPresent(newCheck(IDAuthConfigPresent, StatusError, err.Error(), ""))
	}
	ac.file = d.relative(path)
	denv := d.deploymentEnv(r)
	res, err := authjs.Evaluate(ctx, authjs.Options{Dir: d.opts.Dir, FunctionsDir: fnDir, Env: denv.vars})
	if res != nil {
		ac.envRead = res.EnvRead
	}
	present := pass(IDAuthConfigPresent, ac.file+" exists").with(map[string]any{"file": ac.file})
	eval := d.evaluated(ac.file, denv, res, err)
	ac.checks = []Check{present, eval}
	if eval.Status == StatusFail || eval.Status == StatusError {
		ac.cause, ac.causeMsg = IDAuthConfigEvaluates, eval.Message
		ac.checks = append(ac.checks, d.blocked(IDAuthConfigPushChecks, IDAuthConfigEvaluates, "the file does not evaluate"))
		return ac
	}
	stored, problems, err := convexauth.Check(res.JSON)
	if err != nil {
		ac.cause, ac.causeMsg = IDAuthConfigPushChecks, err.Error()
		ac.checks = append(ac.checks, newCheck(IDAuthConfigPushChecks, StatusError, err.Error(), ""))
		return ac
	}
	push := pushChecks(ac.file, stored, problems)
	ac.checks = append(ac.checks, push)
	if len(problems) > 0 {
		ac.cause, ac.causeMsg = IDAuthConfigPushChecks, push.Message
		return ac
	}
	ac.known, ac.stored, ac.tc = true, stored, tokencheck.FromConvex(stored)
	return ac
}

// notPresent is the outcome when authconfig.present fails with c.
func (d *doctor) notPresent(c Check) authConfig {
	why := "no single auth config file to read"
	return authConfig{cause: IDAuthConfigPresent, causeMsg: c.Message, checks: []Check{c,
		d.blocked(IDAuthConfigEvaluates, IDAuthConfigPresent, why), d.blocked(IDAuthConfigPushChecks, IDAuthConfigPresent, why)}}
}

func (d *doctor) relative(path string) string { return project.Display(d.opts.Dir, path) }

// evaluated is authconfig.evaluates.
func (d *doctor) evaluated(file string, denv deployEnv, res *authjs.Result, err error) Check {
	details := map[string]any{"file": file}
	var withheld string
	if res != nil {
		details["envRead"] = denv.reads(res.EnvRead)
		withheld = denv.withheldHint(res.Missing)
		if len(res.Missing) > 0 {
			details["missing"] = res.Missing
		}
	}
	var (
		missing *authjs.MissingEnvError
		build   *authjs.BuildError
		runtime *authjs.RuntimeError
		timeout *authjs.TimeoutError
		memory  *authjs.MemoryError
		cfgErr  *authjs.ConfigError
	)
	switch {
	case errors.As(err, &missing):
		details["convexError"] = authjs.CodeMissingEnv
		names := missing.Names
		hint := fmt.Sprintf("set it on the deployment: npx convex env set %s <value> (add --prod for production); Convex fails the push even when the file has a fallback. To try a value here: --deployment-env %s=<value>", names[0], names[0])
		if names[0] == "WORKOS_CLIENT_ID" {
			hint = "set the WorkOS client ID on the deployment: npx convex env set WORKOS_CLIENT_ID client_... (add --prod for production), or let `npx convex dev` provision it from convex.json's authKit section; to try a value here, pass --client-id or --deployment-env WORKOS_CLIENT_ID=client_..."
		}
		hint = withheld + hint
		msg := err.Error()
		if len(names) > 1 {
			msg = fmt.Sprintf("%s: %s", authjs.CodeMissingEnv, strings.Split(msg, "\n")[0]) + fmt.Sprintf(" (and %s)", strings.Join(names[1:], ", "))
		} else {
			msg = authjs.CodeMissingEnv + ": " + msg
		}
		return fail(IDAuthConfigEvaluates, msg, hint).with(details).at(diag.Problem{File: file})
	case errors.As(err, &build):
		var at []diag.Problem
		for _, m := range build.Messages {
			at = append(at, diag.Problem{Severity: diag.SeverityError, File: m.File, Line: m.Line, Column: m.Column, Message: m.Text, Hint: buildHint(m)})
		}
		if build.Messages[0].Outside {
			return fail(IDAuthConfigEvaluates, "convex-authkit does not bundle "+file+": "+build.Messages[0].Text,
				"move the imported file into the project or install it as a package; convex-authkit reads no file outside the project while it runs auth.config.ts, which is code it must not trust").with(details).at(at...)
		}
		return fail(IDAuthConfigEvaluates, "the Convex CLI cannot bundle "+file+": "+build.Messages[0].Text,
			"fix the file; auth.config.ts may import only relative files and packages that run without Node.js built-ins").with(details).at(at...)
	case errors.As(err, &runtime):
		return fail(IDAuthConfigEvaluates, file+" throws while Convex evaluates it: "+runtime.Error(), "fix the code at that line").
			with(details).at(diag.Problem{Severity: diag.SeverityError, File: runtime.File, Line: runtime.Line, Column: runtime.Column, Message: "Uncaught " + runtime.Message})
	case errors.As(err, &timeout):
		if timeout.Cause != nil {
			return newCheck(IDAuthConfigEvaluates, StatusError, timeout.Error(), "").with(details)
		}
		hint := "the file must finish at once: look for a loop that never ends, or a regular expression that backtracks (nested quantifiers such as (a+)+)"
		if timeout.Phase == authjs.PhaseBundle {
			hint = "the file and what it imports must bundle at once: look for a very large imported file"
		}
		return fail(IDAuthConfigEvaluates, timeout.Error(), hint).with(details).
			at(diag.Problem{Severity: diag.SeverityError, File: timeout.File, Line: timeout.Line, Column: timeout.Column, Message: "evaluation stopped here"})
	case errors.As(err, &memory):
		hint := "the file must build a small object: look for a huge array, string or loop that keeps allocating"
		if memory.Phase == authjs.PhaseBundle {
			hint = "the file and what it imports must be small: look for a very large imported file (JSON, data)"
		}
		return fail(IDAuthConfigEvaluates, memory.Error(), hint).with(details).at(diag.Problem{Severity: diag.SeverityError, File: memory.File})
	case errors.As(err, &cfgErr):
		details["convexError"] = cfgErr.Code
		return fail(IDAuthConfigEvaluates, cfgErr.Code+": "+cfgErr.Message, "the file must `export default { providers: [...] }` with plain values").with(details)
	case err != nil:
		return newCheck(IDAuthConfigEvaluates, StatusError, err.Error(), "").with(details)
	}
	msg := file + " evaluates as on a Convex push"
	if len(res.EnvRead) > 0 {
		msg += ", reading " + strings.Join(res.EnvRead, ", ")
	}
	msg += denv.localNote(res.EnvRead)
	if len(res.Missing) > 0 {
		return warn(IDAuthConfigEvaluates, fmt.Sprintf("%s reads %s, which the deployment does not have; the file catches the error, so the push goes on without it", file, strings.Join(res.Missing, ", ")),
			withheld+"set it on the deployment (npx convex env set), or stop reading it").with(details)
	}
	return pass(IDAuthConfigEvaluates, msg).with(details)
}

// buildHint is the fix for one esbuild error. esbuild's own notes on an
// import that does not resolve advise options of its Go API ("mark the path
// as external", "Platform: api.PlatformNode"), which the user cannot give the
// Convex CLI, so those are replaced; other notes ("the unbalanced { is
// here") are kept.
func buildHint(m authjs.BuildMessage) string {
	path, ok := strings.CutPrefix(m.Text, `Could not resolve "`)
	if !ok {
		return strings.Join(m.Notes, "; ")
	}
	path = strings.TrimSuffix(path, `"`)
	builtin := strings.HasPrefix(path, "node:")
	for _, n := range m.Notes {
		builtin = builtin || strings.Contains(n, "built into node")
	}
	switch {
	case builtin:
		return fmt.Sprintf("%q is a Node.js built-in: the Convex CLI bundles auth.config.ts for Convex's own runtime, where Node.js modules do not exist; write the values into the file or read them from process.env", path)
	case strings.HasPrefix(path, "."), strings.HasPrefix(path, "/"):
		return "no file at that path: check the import path, which is relative to the importing file"
	}
	pkg := path
	if parts := strings.SplitN(path, "/", 3); strings.HasPrefix(path, "@") && len(parts) >= 2 {
		pkg = parts[0] + "/" + parts[1]
	} else {
		pkg, _, _ = strings.Cut(path, "/")
	}
	return fmt.Sprintf("install %s (npm install %s) so that the Convex CLI can bundle it, or remove the import", pkg, pkg)
}

// pushChecks is authconfig.push-checks.
func pushChecks(file string, stored []convexauth.Provider, problems []convexauth.Problem) Check {
	if len(problems) == 0 {
		return pass(IDAuthConfigPushChecks, fmt.Sprintf("a Convex push accepts the %d %s", len(stored), plural(len(stored), "provider"))).
			with(map[string]any{"providers": stored})
	}
	first := problems[0]
	at := []diag.Problem{{Severity: diag.SeverityError, File: file}}
	if len(problems) > 1 {
		// Convex reports the first; the others are listed so that one
		// round of fixes is enough.
		at = nil
		for _, p := range problems {
			at = append(at, diag.Problem{Severity: diag.SeverityError, File: file, Message: p.String()})
		}
	}
	hint := "fix the provider as described"
	switch first.Rule {
	case convexauth.RuleSharedIssuer:
		hint = "give this provider applicationID: the client ID (process.env.WORKOS_CLIENT_ID), so that only tokens for your application with aud set are accepted"
	case convexauth.RuleApplicationIDSpelling:
		hint = "spell it applicationID"
	case convexauth.RuleIssuerURL:
		hint = "write the issuer as a full https:// URL"
	case convexauth.RuleMissingExport:
		hint = "add `export default { providers: [...] }`"
	}
	if first.Detail != "" {
		hint = first.Detail + "; " + hint
	}
	return fail(IDAuthConfigPushChecks, fmt.Sprintf("a Convex push fails: %s: %s", first.Code, first.Message), hint).
		with(map[string]any{"problems": problems}).at(at...)
}

// providerChecks are authconfig.workos-providers and authconfig.client-id,
// which compare the stored providers with the client ID.
func (d *doctor) providerChecks(ac authConfig) []Check {
	if !ac.known {
		return []Check{d.providersUnknown(IDAuthConfigProviders, ac), d.providersUnknown(IDAuthConfigClientID, ac)}
	}
	if ac.file == "" {
		why := "no auth config file"
		return []Check{skip(IDAuthConfigProviders, why), skip(IDAuthConfigClientID, why)}
	}
	// The providers are judged for the client they name; whether that is
	// the app's client is authconfig.client-id's question.
	named := clientIDsIn(ac.stored)
	clientID := d.clientID
	if len(named) == 1 {
		clientID = named[0]
	}
	return []Check{d.workosProviders(ac, clientID), d.providersClientID(ac, named)}
}

// clientIDsIn lists the WorkOS client IDs the providers name: in issuer
// and JWKS paths, and as applicationID.
func clientIDsIn(ps []convexauth.Provider) []string {
	var out []string
	add := func(s string) {
		if strings.HasPrefix(s, "client_") && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, p := range ps {
		for _, s := range strings.Split(p.Issuer+"/"+p.JWKS, "/") {
			add(strings.TrimSpace(s))
		}
		if p.ApplicationID != nil {
			add(*p.ApplicationID)
		}
	}
	return out
}

// providersClientID is authconfig.client-id.
func (d *doctor) providersClientID(ac authConfig, named []string) Check {
	details := map[string]any{"named": named, "clientID": d.clientID}
	switch {
	case len(named) == 0:
		return skip(IDAuthConfigClientID, "the providers name no WorkOS client ID")
	case d.clientID == "":
		return skip(IDAuthConfigClientID, fmt.Sprintf("the providers name %s, and WORKOS_CLIENT_ID is not set here to compare (pass --client-id)", strings.Join(named, ", "))).with(details)
	}
	var other []string
	for _, id := range named {
		if id != d.clientID {
			other = append(other, id)
		}
	}
	if len(other) > 0 {
		return fail(IDAuthConfigClientID, fmt.Sprintf("%s, as the deployment evaluates it, names %s, but the app uses %s (%s)", ac.file, strings.Join(other, ", "), d.clientID, d.clientIDSource),
			fmt.Sprintf("tokens of %s would get NoAuthProvider: set WORKOS_CLIENT_ID=%s on the Convex deployment (npx convex env set WORKOS_CLIENT_ID %s, --prod for production) and push again, or fix the client ID in the app", d.clientID, d.clientID, d.clientID)).
			with(details).at(diag.Problem{File: ac.file})
	}
	return pass(IDAuthConfigClientID, fmt.Sprintf("the providers name %s, the app's client ID", d.clientID)).with(details)
}

// workosProviders is authconfig.workos-providers: the providers that
// AuthKit access tokens (iss <base>/user_management/<client>, no aud) and
// tokens of the shared issuer (<base>/, aud = client) would match, routed
// with Convex's own rule.
func (d *doctor) workosProviders(ac authConfig, clientID string) Check {
	if clientID == "" {
		return skip(IDAuthConfigProviders, "no WorkOS client ID is known (set WORKOS_CLIENT_ID or pass --client-id)")
	}
	hosts := []string{d.base}
	if h := d.authDomain(); h != "" {
		hosts = append(hosts, "https://"+h)
	}
	type finding struct {
		st        Status
		msg, hint string
	}
	var fs []finding
	add := func(st Status, msg, hint string) { fs = append(fs, finding{st, msg, hint}) }
	jwksURL := d.base + "/sso/jwks/" + clientID
	num := func(i int) string { return fmt.Sprintf("provider #%d", ac.stored[i].Index+1) }
	for hi, host := range hosts {
		um := host + "/user_management/" + clientID
		noAud := tokencheck.MatchingProviders(ac.tc, um, nil)
		withAud := tokencheck.MatchingProviders(ac.tc, um, []string{clientID})
		switch {
		case len(noAud) > 0:
			p := ac.tc[noAud[0]]
			add(StatusPass, fmt.Sprintf("%s accepts AuthKit access tokens (iss %s, no aud)", num(noAud[0]), um), "")
			if p.Type == tokencheck.TypeCustomJWT && p.Algorithm != "RS256" {
				add(StatusFail, fmt.Sprintf("%s has algorithm %s, but WorkOS signs with RS256", num(noAud[0]), p.Algorithm), `set algorithm: "RS256"`)
			}
			if p.Type == tokencheck.TypeCustomJWT && p.JWKS != jwksURL && hi == 0 {
				add(StatusWarn, fmt.Sprintf("%s fetches keys from %s; WorkOS publishes this client's keys at %s", num(noAud[0]), p.JWKS, jwksURL), "set jwks to "+jwksURL)
			}
		case len(withAud) > 0:
			add(StatusWarn, fmt.Sprintf("%s (iss %s) has applicationID, but AuthKit access tokens carry no aud unless the JWT template adds one, so they get NoAuthProvider", num(withAud[0]), um),
				"remove applicationID from that provider, as Convex's documented config does (its issuer names your client already), or make the JWT template set aud (see workos.jwt-template)")
		case hi == 0:
			add(StatusFail, fmt.Sprintf("no provider accepts AuthKit access tokens (iss %s, no aud): every sign-in gets NoAuthProvider", um),
				fmt.Sprintf(`add { type: "customJwt", issuer: "%s", jwks: "%s", algorithm: "RS256" } (`+"`convex-authkit generate auth-config`"+` writes the standard pair) and push`, um, jwksURL))
		default:
			add(StatusWarn, fmt.Sprintf("no provider accepts tokens from the custom authentication domain (iss %s)", um),
				"run `convex-authkit generate auth-config --auth-domain "+strings.TrimPrefix(host, "https://")+"` and push")
		}
	}
	root := tokencheck.MatchingProviders(ac.tc, d.base+"/", []string{clientID})
	if len(root) > 0 {
		add(StatusPass, fmt.Sprintf("%s accepts tokens of the shared issuer %s/ with aud %s", num(root[0]), d.base, clientID), "")
	} else {
		add(StatusWarn, fmt.Sprintf("no provider accepts tokens from the shared issuer %s/ with aud %s (the first of Convex's two documented WorkOS providers)", d.base, clientID),
			"`convex-authkit generate auth-config` writes both providers")
	}
	for i, p := range ac.tc {
		if p.Type == tokencheck.TypeCustomJWT && p.ApplicationID == nil && strings.TrimRight(p.Issuer, "/") == d.base {
			add(StatusWarn, fmt.Sprintf("%s (issuer %s) has applicationID: null: Convex lets it through, but it never checks aud, so it accepts tokens of every application of the shared issuer", num(i), p.Issuer),
				"set applicationID to the client ID (process.env.WORKOS_CLIENT_ID)")
		}
	}
	c := pass(IDAuthConfigProviders, "")
	var msgs []string
	for _, f := range fs {
		if f.st.WorseThan(c.Status) {
			c.Status, c.Hint = f.st, f.hint
		}
		msgs = append(msgs, f.msg)
	}
	c.Message = strings.Join(msgs, "; ")
	return c.with(map[string]any{"clientID": clientID, "issuers": hosts, "jwks": jwksURL})
}

// authDomain is the custom authentication domain the app uses, if any.
func (d *doctor) authDomain() string {
	names := []string{"WORKOS_API_HOSTNAME"}
	if d.fw != nil && d.fw.APIHostnameVar != "" {
		names = append([]string{d.fw.APIHostnameVar}, names...)
	}
	for _, n := range names {
		if v, _, _ := d.src.Get(n); v != "" && v != strings.TrimPrefix(d.base, "https://") {
			return v
		}
	}
	return ""
}
