// Package doctor diagnoses a WorkOS AuthKit + Convex project the way a Convex
// deployment and WorkOS would judge it: convex.json's authKit section, the
// app's environment variables, convex/auth.config.ts evaluated as a push
// evaluates it, the JWKS of every provider, the WorkOS environment's
// settings, and optionally a token, routed and verified exactly as Convex
// does (internal/tokencheck).
//
// Every check has a stable ID and group and ends pass, warn, fail, skip (it
// does not apply, or an earlier failure makes it meaningless) or error (it
// could not run). Network work runs concurrently, each request with its own
// timeout and the whole run under an overall one.
package doctor

import (
	"fmt"
	"slices"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/tokencheck"
)

// Status is the outcome of a check (the same values as tokencheck's).
type Status = tokencheck.Status

// Statuses.
const (
	StatusPass  = tokencheck.StatusPass
	StatusWarn  = tokencheck.StatusWarn
	StatusFail  = tokencheck.StatusFail
	StatusSkip  = tokencheck.StatusSkip
	StatusError = tokencheck.StatusError
)

// Groups, in report order.
const (
	GroupConfig     = "config"
	GroupEnv        = "env"
	GroupAuthConfig = "authconfig"
	GroupDeployment = "deployment"
	GroupJWKS       = "jwks"
	GroupWorkOS     = "workos"
	GroupWebhooks   = "webhooks"
	GroupToken      = "token"
)

// Groups lists the groups in report order.
var Groups = []string{GroupConfig, GroupEnv, GroupAuthConfig, GroupDeployment, GroupJWKS, GroupWorkOS, GroupWebhooks, GroupToken}

// Check IDs that are not tokencheck's.
const (
	IDConfigValid        = "config.valid"
	IDConfigPlaceholders = "config.placeholders"
	IDConfigURLs         = "config.urls"

	IDEnvClientID       = "env.client-id"
	IDEnvRedirectURI    = "env.redirect-uri"
	IDEnvSecretExposure = "env.secret-exposure"
	IDEnvCookiePassword = "env.cookie-password"
	IDEnvGitignore      = "env.gitignore"
	IDEnvKeyEnvironment = "env.key-environment"
	IDEnvDevPort        = "env.dev-port"
	IDEnvCallbackRoute  = "env.callback-route"
	IDEnvMiddleware     = "env.middleware"

	IDAuthConfigPresent    = "authconfig.present"
	IDAuthConfigEvaluates  = "authconfig.evaluates"
	IDAuthConfigPushChecks = "authconfig.push-checks"
	IDAuthConfigProviders  = "authconfig.workos-providers"
	IDAuthConfigClientID   = "authconfig.client-id"

	IDDeploymentConnection = "deployment.connection"
	IDDeploymentWorkOSVars = "deployment.workos-variables"
	IDDeploymentProviders  = "deployment.providers"

	IDWorkOSAPIKey       = "workos.api-key"
	IDWorkOSRedirectURIs = "workos.redirect-uris"
	IDWorkOSCORS         = "workos.cors"
	IDWorkOSJWTTemplate  = "workos.jwt-template"

	IDWebhooksWiring    = "webhooks.wiring"
	IDWebhooksVariables = "webhooks.deployment-variables"
	IDWebhooksEndpoint  = "webhooks.endpoint"
	IDWebhooksRoutes    = "webhooks.routes"
	IDWebhooksDelivery  = "webhooks.delivery"

	IDTokenLogin = "token.login"
)

// Spec describes one check for --list-checks and the README.
type Spec struct {
	ID          string `json:"id"`
	Group       string `json:"group"`
	Description string `json:"description"`
}

// Specs lists every check in report order.
var Specs = []Spec{
	{IDConfigValid, GroupConfig, "convex.json loads and its authKit section passes the Convex CLI's validation"},
	{IDConfigPlaceholders, GroupConfig, "every ${authEnv.X} and ${buildEnv.X} of the chosen section resolves"},
	{IDConfigURLs, GroupConfig, "the section's URLs are absolute http(s) URLs; for prod https only, no localhost, wildcards or query strings; redirect URI paths fit the framework"},

	{IDEnvClientID, GroupEnv, "the client ID variable the app reads (VITE_WORKOS_CLIENT_ID, ...) equals WORKOS_CLIENT_ID"},
	{IDEnvRedirectURI, GroupEnv, "the redirect URI variable the app reads is one of the section's redirectUris"},
	{IDEnvSecretExposure, GroupEnv, "no sk_ key, API key or other secret under a public prefix (VITE_, NEXT_PUBLIC_, ...)"},
	{IDEnvCookiePassword, GroupEnv, "WORKOS_COOKIE_PASSWORD is set and at least 32 characters (server-side SDKs: Next.js, TanStack Start, React Router)"},
	{IDEnvGitignore, GroupEnv, "dotenv files holding secrets are ignored by git"},
	{IDEnvKeyEnvironment, GroupEnv, "the API key's environment fits the section: no sk_live_ key with localhost, no sk_test_ key for prod"},
	{IDEnvDevPort, GroupEnv, "authKit.dev's localhost redirect URI, homepage and CORS origin use the dev server's port (package.json dev scripts, vite.config server.port, the framework's default)"},
	{IDEnvCallbackRoute, GroupEnv, "the path of the redirect URI is a route of the app (Next.js app/ or pages/, TanStack Start and React Router route files or routes.ts)"},
	{IDEnvMiddleware, GroupEnv, "Next.js: middleware.ts or proxy.ts (Next.js 16) runs AuthKit, at the root or in src/ next to the app"},

	{IDAuthConfigPresent, GroupAuthConfig, "convex/auth.config.ts or .js exists (not both)"},
	{IDAuthConfigEvaluates, GroupAuthConfig, "the file bundles and runs as on a Convex push, with every process.env variable it reads set on the deployment"},
	{IDAuthConfigPushChecks, GroupAuthConfig, "the push-time checks of a Convex deployment pass (schema, applicationID spelling, issuer URLs, the WorkOS guard)"},
	{IDAuthConfigProviders, GroupAuthConfig, "the two standard WorkOS providers are there for the client ID, with applicationID only where tokens carry aud"},
	{IDAuthConfigClientID, GroupAuthConfig, "the client ID in the providers' issuers, applicationIDs and JWKS URLs equals WORKOS_CLIENT_ID"},

	{IDDeploymentConnection, GroupDeployment, "the Convex deployment answers and accepts the key (CONVEX_DEPLOY_KEY, CONVEX_SELF_HOSTED_ADMIN_KEY or the project's Convex CLI)"},
	{IDDeploymentWorkOSVars, GroupDeployment, "WORKOS_CLIENT_ID and every WORKOS_* variable auth.config.ts reads are set on the deployment and equal the values the app uses"},
	{IDDeploymentProviders, GroupDeployment, "the providers the deployment stored at its last push equal what auth.config.ts evaluates to with the deployment's variables"},

	{tokencheck.IDJWKSFetch, GroupJWKS, "each distinct JWKS URL answers 200 (redirects followed as Convex does, size capped)"},
	{tokencheck.IDJWKSContentType, GroupJWKS, "the Content-Type is one Convex accepts: application/json or application/jwk-set+json, charset absent or utf-8"},
	{tokencheck.IDJWKSParse, GroupJWKS, "the body parses as strictly as Convex parses it (one unusable key breaks the set)"},
	{tokencheck.IDJWKSKeys, GroupJWKS, "keys have a kid, RSA keys are at least 2048 bits, and algorithms fit the providers"},

	{IDWorkOSAPIKey, GroupWorkOS, "WorkOS accepts the API key (needs WORKOS_API_KEY)"},
	{IDWorkOSRedirectURIs, GroupWorkOS, "every redirect URI of the section is registered in WorkOS"},
	{IDWorkOSCORS, GroupWorkOS, "the app's origins are allowed CORS origins, for frameworks whose browser code calls WorkOS"},
	{IDWorkOSJWTTemplate, GroupWorkOS, "the JWT template sets aud to the client ID when a provider AuthKit tokens match requires it"},

	{IDWebhooksWiring, GroupWebhooks, "with @convex-dev/workos-authkit in package.json: installed by app.use in convex.config.ts, routes registered in http.ts, additionalEventTypes readable"},
	{IDWebhooksVariables, GroupWebhooks, "the deployment has WORKOS_CLIENT_ID, WORKOS_API_KEY and WORKOS_WEBHOOK_SECRET, and WORKOS_ACTION_SECRET when authKit.actions is used"},
	{IDWebhooksEndpoint, GroupWebhooks, "WorkOS has an enabled webhook endpoint at <site URL>/workos/webhook delivering every event type the app needs"},
	{IDWebhooksRoutes, GroupWebhooks, "an unsigned POST to <site URL>/workos/webhook is refused, not 404 (the routes are deployed)"},
	{IDWebhooksDelivery, GroupWebhooks, "with --webhook-test: the route accepts a " + DeliveryEvent + " event signed with the deployment's secret (prod only with --webhook-test-prod)"},

	{IDTokenLogin, GroupToken, "with --login: WorkOS password authentication mints an access token"},
	{tokencheck.IDTokenDecode, GroupToken, "the token is a JWT Convex can read, with an iss"},
	{tokencheck.IDTokenProviderMatch, GroupToken, "a provider matches the token's iss and aud by Convex's rule; otherwise the closest one and the exact difference"},
	{tokencheck.IDTokenAmbiguous, GroupToken, "no two matching providers would verify the token differently"},
	{tokencheck.IDTokenSignature, GroupToken, "kid found in the JWKS, alg as configured, signature valid (each cause told apart)"},
	{tokencheck.IDTokenTime, GroupToken, "exp, nbf and iat pass with Convex's 5 s leeway; a lifetime of 10 s or less warns"},
	{tokencheck.IDTokenClaims, GroupToken, "sub and exp are present; the identity Convex would build"},
}

func specIndex(id string) int {
	return slices.IndexFunc(Specs, func(s Spec) bool { return s.ID == id })
}

// groupOf is the part of an ID before the dot.
func groupOf(id string) string {
	g, _, _ := strings.Cut(id, ".")
	return g
}

// Selection is the set of checks a run reports.
type Selection map[string]bool

// Select turns `doctor ID...` arguments (check IDs or group names) into a
// Selection; no arguments select everything.
func Select(args []string) (Selection, error) {
	sel := Selection{}
	for _, a := range args {
		switch {
		case specIndex(a) >= 0:
			sel[a] = true
		case slices.Contains(Groups, a):
			for _, s := range Specs {
				if s.Group == a {
					sel[s.ID] = true
				}
			}
		default:
			return nil, &UnknownCheckError{Name: a}
		}
	}
	if len(args) == 0 {
		for _, s := range Specs {
			sel[s.ID] = true
		}
	}
	return sel, nil
}

// UnknownCheckError is an argument that names no check or group.
type UnknownCheckError struct{ Name string }

func (e *UnknownCheckError) Error() string {
	return fmt.Sprintf("unknown check %q", e.Name)
}

// Valid lists the group names and check IDs, for the error's hint.
func (e *UnknownCheckError) Valid() string {
	ids := make([]string, len(Specs))
	for i, s := range Specs {
		ids[i] = s.ID
	}
	return "groups: " + strings.Join(Groups, ", ") + "; checks: " + strings.Join(ids, ", ")
}

// group reports whether any check of group g is selected.
func (s Selection) group(g string) bool {
	for id := range s {
		if groupOf(id) == g {
			return true
		}
	}
	return false
}
