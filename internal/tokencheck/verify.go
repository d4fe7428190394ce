package tokencheck

import (
	"context"
	"sync"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/jwks"
)

// Options configure VerifyToken.
type Options struct {
	// Providers as auth.config.ts lists them; indexes in results refer to
	// this order. Convex tries them in StoredOrder (see MatchingProviders).
	Providers []Provider
	// Fetcher fetches JWKS and discovery documents; share one with
	// CheckAllJWKS so each URL is fetched once. Nil means a new Fetcher
	// with http.DefaultClient.
	Fetcher *jwks.Fetcher
	// Now is the deployment's clock; zero means time.Now().
	Now time.Time
}

// Verification is the outcome of VerifyToken.
type Verification struct {
	Results []Result // token.decode, provider-match, ambiguous, signature, time, claims
	Matched []int    // indexes of the matching providers; Convex uses the first
	// Identity is what getUserIdentity would return, when Convex would
	// accept the token.
	Identity *Identity
	// Accepted reports whether Convex would accept the token: a provider
	// matches and no check failed or could not run.
	Accepted bool
}

// VerifyToken runs the token checks in the order a Convex deployment
// applies them. The signature is checked against every matching provider
// (their JWKS fetched concurrently, once per URL) so that token.ambiguous
// can tell whether the order of the providers changes the outcome;
// token.signature reports the first, which is the one Convex uses. When no
// provider matches, token.time and token.claims still run, with the rules
// of the closest provider's type, so that every problem shows at once.
func VerifyToken(ctx context.Context, raw string, opts Options) Verification {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	f := opts.Fetcher
	if f == nil {
		f = jwks.NewFetcher(nil)
	}
	providers := opts.Providers

	decode, tok := CheckDecode(raw)
	v := Verification{Results: []Result{decode}}
	if tok == nil || !tok.Claims.HasIss {
		for _, id := range []string{IDTokenProviderMatch, IDTokenAmbiguous, IDTokenSignature, IDTokenTime, IDTokenClaims} {
			v.Results = append(v.Results, skip(id, "the token could not be decoded (see token.decode)"))
		}
		return v
	}
	match := CheckProviderMatch(tok, providers)
	v.Matched = MatchingProviders(providers, tok.Claims.Iss, tok.Claims.Aud)

	outcomes := make(map[int]Result, len(v.Matched))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, i := range v.Matched {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := signatureFor(ctx, f, tok, providers[i])
			mu.Lock()
			outcomes[i] = r
			mu.Unlock()
		}()
	}
	wg.Wait()

	rules := Provider{Type: TypeCustomJWT}
	var sig Result
	if len(v.Matched) > 0 {
		rules = providers[v.Matched[0]]
		sig = outcomes[v.Matched[0]]
	} else {
		sig = skip(IDTokenSignature, "no provider matches the token (see token.provider-match)")
		if i, _ := Closest(providers, tok.Claims.Iss, tok.Claims.Aud); i >= 0 {
			rules.Type = providers[i].Type
		}
	}
	claims := CheckClaims(tok, rules)
	v.Results = append(v.Results, match, CheckAmbiguous(tok, providers, outcomes), sig, CheckTime(tok, rules, now), claims)

	v.Accepted = len(v.Matched) > 0
	for _, r := range v.Results {
		if r.ID != IDTokenAmbiguous && (r.Status == StatusFail || r.Status == StatusError) {
			v.Accepted = false
		}
	}
	if v.Accepted {
		if id, err := BuildIdentity(tok, rules.Type); err == nil {
			v.Identity = &id
		}
	}
	return v
}

// signatureFor verifies tok against one provider, getting its keys as
// Convex would; when Convex cannot get them, that is the token's fate.
func signatureFor(ctx context.Context, f *jwks.Fetcher, tok *Token, p Provider) Result {
	if p.Type == TypeOIDC {
		return CheckOIDCSignature(ctx, f, tok, p)
	}
	rep := CheckJWKS(ctx, f, p.JWKS, []string{p.Algorithm})
	if rep.Set == nil {
		return result(IDTokenSignature, rep.Status, "Convex cannot get this provider's keys: "+rep.ConvexError,
			"fix the JWKS first (see the jwks checks)", map[string]any{"jwks": p.JWKS, "cause": "jwks", "convexError": rep.ConvexError})
	}
	return CheckSignature(tok, p, rep.Set)
}
