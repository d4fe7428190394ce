package tokencheck

import (
	"context"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/jwks"
	"github.com/convex-authkit/convex-authkit/internal/jwks/jwkstest"
)

// BenchmarkVerify measures what Convex does per token once it has the
// JWKS: decode, route to a provider, verify the RS256 signature.
func BenchmarkVerify(b *testing.B) {
	set, err := jwks.Parse(standardKeys())
	if err != nil {
		b.Fatal(err)
	}
	providers := workosProviders("https://api.workos.com/sso/jwks/" + clientID)
	token := mint(jwkstest.RSA(), rs256("k1"), claims(nil))
	b.ReportAllocs()
	for b.Loop() {
		tok, err := Decode(token)
		if err != nil {
			b.Fatal(err)
		}
		m := MatchingProviders(providers, tok.Claims.Iss, tok.Claims.Aud)
		if r := CheckSignature(tok, providers[m[0]], set); r.Status != StatusPass {
			b.Fatal(r.Message)
		}
	}
}

// BenchmarkVerifyToken measures all six token checks, the JWKS coming from
// the Fetcher's kept result after the first round.
func BenchmarkVerifyToken(b *testing.B) {
	srv := newJWKSServer(b, map[string]doc{"/jwks": {ct: "application/json", body: standardKeys()}})
	opts := Options{Providers: workosProviders(srv.URL + "/jwks"), Fetcher: srv.fetcher(), Now: now}
	token := mint(jwkstest.RSA(), rs256("k1"), claims(nil))
	b.ReportAllocs()
	for b.Loop() {
		if v := VerifyToken(context.Background(), token, opts); !v.Accepted {
			b.Fatal(v.Results)
		}
	}
}
