package tokencheck

import (
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/convexauth"
)

// TestFromConvex routes tokens through providers as a push stores them:
// the scheme Convex adds to a bare issuer, and a null applicationID.
func TestFromConvex(t *testing.T) {
	stored, problems, err := convexauth.Check([]byte(`{"providers":[
		{"type":"customJwt","issuer":"auth.example.com","jwks":"https://auth.example.com/jwks","algorithm":"ES256","applicationID":null},
		{"domain":"https://oidc.example.com","applicationID":"app"}]}`))
	if err != nil || len(problems) > 0 {
		t.Fatal(err, problems)
	}
	ps := FromConvex(stored)
	if ps[0].Type != TypeCustomJWT || ps[0].Issuer != "https://auth.example.com" || ps[0].ApplicationID != nil || ps[0].Algorithm != "ES256" || ps[0].JWKS != "https://auth.example.com/jwks" {
		t.Errorf("customJwt: %+v", ps[0])
	}
	if ps[1].Type != TypeOIDC || *ps[1].ApplicationID != "app" {
		t.Errorf("oidc: %+v", ps[1])
	}
	if got := MatchingProviders(ps, "auth.example.com/", []string{"anything"}); len(got) != 1 || got[0] != 0 {
		t.Errorf("matching = %v", got)
	}
	if got := MatchingProviders(ps, "https://oidc.example.com", nil); len(got) != 0 {
		t.Errorf("OIDC without aud matched: %v", got)
	}
}
