package doctor

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"time"

	"github.com/workos/workos-go/v4/pkg/usermanagement"

	"github.com/convex-authkit/convex-authkit/internal/secret"
	"github.com/convex-authkit/convex-authkit/internal/tokencheck"
	"github.com/convex-authkit/convex-authkit/internal/workos"
)

// tokenIDs are the checks VerifyToken reports, in order.
var tokenIDs = []string{tokencheck.IDTokenDecode, tokencheck.IDTokenProviderMatch, tokencheck.IDTokenAmbiguous,
	tokencheck.IDTokenSignature, tokencheck.IDTokenTime, tokencheck.IDTokenClaims}

var jwksIDs = []string{tokencheck.IDJWKSFetch, tokencheck.IDJWKSContentType, tokencheck.IDJWKSParse, tokencheck.IDJWKSKeys}

// login is token.login: WorkOS password authentication, as a sign-in
// form would do it, with the client ID and the API key as client secret.
func (d *doctor) login(ctx context.Context) (Check, string) {
	details := map[string]any{"email": d.opts.Login, "clientID": d.clientID, "baseURL": d.base}
	switch {
	case d.wos == nil:
		return fail(IDTokenLogin, "--login needs WORKOS_API_KEY: password authentication sends it as the client secret",
			"set WORKOS_API_KEY (environment, .env.local or .env), or pass a token with --token").with(details), ""
	case d.clientID == "":
		return fail(IDTokenLogin, "--login needs the WorkOS client ID", "set WORKOS_CLIENT_ID or pass --client-id").with(details), ""
	}
	res, err := d.wos.UserManagement().AuthenticateWithPassword(ctx, usermanagement.AuthenticateWithPasswordOpts{
		ClientID: d.clientID, Email: d.opts.Login, Password: d.password,
	})
	switch {
	case err == nil:
	case workos.IsStatus(err, http.StatusBadRequest) || workos.IsStatus(err, http.StatusUnprocessableEntity) || workos.IsAuth(err):
		hint := "check the email and WORKOS_TEST_PASSWORD; the user must exist in this WorkOS environment, have a verified email and be allowed to sign in with a password"
		if workos.IsAuth(err) {
			hint = fmt.Sprintf("WorkOS refused the client: check that the client ID %s and the API key belong to the same environment", d.clientID)
		}
		return fail(IDTokenLogin, fmt.Sprintf("WorkOS refused to sign %s in: %v", d.opts.Login, err), hint).with(details), ""
	default:
		return newCheck(IDTokenLogin, StatusError, fmt.Sprintf("signing %s in: %v", d.opts.Login, err), "check the network and run again").with(details), ""
	}
	// The caller adds the token to the redactor once every goroutine is
	// done: the redactor is not safe for concurrent use, and the WorkOS
	// request log may be writing through it now.
	details["userID"] = res.User.ID
	return pass(IDTokenLogin, fmt.Sprintf("signed in as %s (%s) with password authentication; access token %s", d.opts.Login, res.User.ID, secret.Mask(res.AccessToken))).
		with(details), res.AccessToken
}

func (d *doctor) now() time.Time {
	if d.opts.Now != nil {
		return d.opts.Now()
	}
	return time.Now()
}

// verify runs the token checks against the providers the deployment holds
// (remoteDeployment.routing), sharing the JWKS fetches of the jwks checks;
// nil when they are not known.
func (d *doctor) verify(ctx context.Context, token string, providers []tokencheck.Provider) *tokencheck.Verification {
	if providers == nil {
		return nil
	}
	v := tokencheck.VerifyToken(ctx, token, tokencheck.Options{Providers: providers, Fetcher: d.fetcher, Now: d.now()})
	return &v
}

// matchedJWKS runs the jwks checks for the providers the token matched,
// for `token verify`; their JWKS were fetched already.
func (d *doctor) matchedJWKS(ctx context.Context, providers []tokencheck.Provider, v *tokencheck.Verification) []tokencheck.JWKSReport {
	if v == nil {
		return nil
	}
	var matched []tokencheck.Provider
	for _, i := range v.Matched {
		matched = append(matched, providers[i])
	}
	reps := tokencheck.CheckAllJWKS(ctx, d.fetcher, matched)
	// The reports count providers within matched; the report numbers them
	// as auth.config.ts does.
	for _, rep := range reps {
		for j, i := range rep.Providers {
			rep.Providers[j] = v.Matched[i]
		}
	}
	return reps
}

// jwksChecks converts the JWKS reports: one set of four checks per URL.
func (d *doctor) jwksChecks(ac authConfig, routed bool, reps []tokencheck.JWKSReport) []Check {
	var out []Check
	if !ac.known && !(d.opts.TokenOnly && routed) {
		for _, id := range jwksIDs {
			if d.opts.TokenOnly {
				// token.provider-match reports it.
				out = append(out, skip(id, "the deployment's providers are not known (see "+tokencheck.IDTokenProviderMatch+")"))
			} else {
				out = append(out, d.providersUnknown(id, ac))
			}
		}
		return out
	}
	if len(reps) == 0 {
		why := "no customJwt provider, so no JWKS to fetch"
		if d.opts.TokenOnly {
			why = "the token matched no customJwt provider"
		}
		for _, id := range jwksIDs {
			out = append(out, skip(id, why))
		}
		return out
	}
	for _, rep := range reps {
		var nums []int
		for _, i := range rep.Providers {
			nums = append(nums, i+1)
		}
		for _, r := range rep.Results {
			c := fromResult(r)
			c.Details = maps.Clone(c.Details)
			if c.Details == nil {
				c.Details = map[string]any{}
			}
			c.Details["url"], c.Details["providers"] = rep.URL, nums
			if len(reps) > 1 && r.ID != tokencheck.IDJWKSFetch {
				c.Message = rep.URL + ": " + c.Message
			}
			out = append(out, c)
		}
	}
	return out
}

// tokenChecks converts the verification, or says why there is none.
func (d *doctor) tokenChecks(ac authConfig, r *remoteDeployment, login *Check, token string, v *tokencheck.Verification) []Check {
	var out []Check
	switch {
	case login != nil:
		out = append(out, *login)
	case token != "":
		out = append(out, skip(IDTokenLogin, "the token comes from "+d.opts.TokenSource))
	default:
		why := "no token: pass --token T, --token - (stdin) or --login EMAIL"
		out = append(out, skip(IDTokenLogin, why))
		for _, id := range tokenIDs {
			out = append(out, skip(id, why))
		}
		return out
	}
	switch {
	case token == "":
		for _, id := range tokenIDs {
			out = append(out, d.blocked(id, IDTokenLogin, "no token, since --login failed"))
		}
	case v == nil:
		decode, _ := tokencheck.CheckDecode(token)
		out = append(out, fromResult(decode), d.providersUnknown(tokencheck.IDTokenProviderMatch, ac))
		for _, id := range tokenIDs[2:] {
			out = append(out, skip(id, "the deployment's providers are not known (see "+tokencheck.IDTokenProviderMatch+")"))
		}
	default:
		for _, res := range v.Results {
			c := fromResult(res)
			if res.ID == tokencheck.IDTokenProviderMatch {
				c = d.routedWith(c, ac, r, token)
			}
			if res.ID == tokencheck.IDTokenClaims && v.Identity != nil {
				c.Details = maps.Clone(c.Details)
				if c.Details == nil {
					c.Details = map[string]any{}
				}
				c.Details["identity"] = v.Identity.Map()
				c.Details["accepted"] = v.Accepted
			}
			out = append(out, c)
		}
	}
	return out
}

// routedWith says which providers token.provider-match routed with. With
// the stored ones, a token they refuse but the local evaluation accepts
// means the deployment holds an older push. Without them, the message says
// the providers came from this machine.
func (d *doctor) routedWith(c Check, ac authConfig, r *remoteDeployment, token string) Check {
	switch {
	case r.providersRead():
		c.Message += " (the providers " + r.describe() + " holds)"
		if c.Status != StatusFail || !ac.known {
			return c
		}
		_, tok := tokencheck.CheckDecode(token)
		if tok == nil {
			return c
		}
		if m := tokencheck.MatchingProviders(ac.tc, tok.Claims.Iss, tok.Claims.Aud); len(m) > 0 {
			c.Hint = fmt.Sprintf("%s as evaluated with the deployment's variables would accept it (provider #%d %s): the deployment still has the providers of an older push: push again (npx convex dev, or npx convex deploy for production); see %s. %s",
				ac.file, m[0]+1, ac.tc[m[0]], IDDeploymentProviders, c.Hint)
		}
	case r.connected():
		// The verdict is the local file's, not the deployment's: never a
		// plain pass.
		c.Message += " (could not read the stored providers, see " + IDDeploymentProviders + "; routed with " + fileOr(ac.file) + " as evaluated here)"
		if c.Status == StatusPass {
			c.Status = StatusWarn
			c.Hint = "the deployment may hold other providers: run `npx convex run _system/frontend/listAuthProviders` to see them"
		}
	case ac.file == "":
		c.Message += " (no auth config file here; the deployment's stored providers were not read)"
	default:
		c.Message += " (providers of " + ac.file + " as evaluated here, not read from the deployment)"
	}
	return c
}
