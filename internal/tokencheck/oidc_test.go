package tokencheck

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/jwks/jwkstest"
)

// oidcIssuer serves an OIDC discovery document and JWKS on 127.0.0.1; the
// issuer is the server's URL plus path, so one server can pose as several.
func oidcIssuer(t *testing.T) (*jwksServer, ed25519.PrivateKey) {
	_, edPriv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	keys := jwkstest.Set(
		jwkstest.RSAJWK("r1", "RS256", &jwkstest.RSA().PublicKey),
		map[string]any{"kty": "OKP", "crv": "Ed25519", "x": jwkstest.B64(edPriv.Public().(ed25519.PublicKey)), "kid": "ed1", "use": "sig"},
		map[string]any{"kty": "RSA", "kid": "broken", "n": "not base64!", "e": "AQAB"}, // skipped by the OIDC library
	)
	srv := newJWKSServer(t, map[string]doc{"/jwks": {ct: "application/json", body: keys}})
	mux := srv.Config.Handler.(*http.ServeMux)
	discovery := func(issuer string) []byte {
		b, _ := json.Marshal(map[string]any{
			"issuer": issuer, "jwks_uri": srv.URL + "/jwks", "authorization_endpoint": srv.URL + "/authorize",
			"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
		return b
	}
	mux.HandleFunc("/good/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(discovery(srv.URL + "/good"))
	})
	mux.HandleFunc("/slash/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = nil // none at all, which discovery allows
		w.Write(discovery(srv.URL + "/slash/"))
	})
	mux.HandleFunc("/html/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html></html>"))
	})
	return srv, edPriv
}

func signEdDSA(key ed25519.PrivateKey, header, c map[string]any) string {
	input := jwkstest.Segment(header) + "." + jwkstest.Segment(c)
	return input + "." + jwkstest.B64(ed25519.Sign(key, []byte(input)))
}

func TestOIDC(t *testing.T) {
	srv, edKey := oidcIssuer(t)
	iss := srv.URL + "/good"
	provider := func(domain string) []Provider {
		return []Provider{{Type: TypeOIDC, Issuer: domain, ApplicationID: strp("convex")}}
	}
	idToken := func(over map[string]any) map[string]any {
		return override(map[string]any{"iss": iss, "aud": "convex", "sub": "user_1", "iat": now.Unix() - 1, "exp": now.Unix() + 60, "email": "a@b.c"}, over)
	}
	rsa := jwkstest.RSA()
	tests := []struct {
		name      string
		token     string
		providers []Provider
		statuses  map[string]Status
		cause     string
		convex    map[string]string
	}{
		{name: "good RS256", token: mint(rsa, rs256("r1"), idToken(nil)), providers: provider(iss)},
		{name: "no kid but one key fits", token: mint(rsa, rs256(""), idToken(nil)), providers: provider(iss + "/")},
		{name: "EdDSA", token: signEdDSA(edKey, map[string]any{"alg": "EdDSA", "kid": "ed1"}, idToken(nil)), providers: provider(iss)},
		{name: "typ at+jwt", token: mint(rsa, map[string]any{"alg": "RS256", "kid": "r1", "typ": "at+jwt"}, idToken(nil)), providers: provider(iss),
			statuses: map[string]Status{IDTokenSignature: StatusFail}, cause: CauseTyp, convex: map[string]string{IDTokenSignature: convexOIDCVerify}},
		// openidconnect-rs (get-convex fork 15a9c55, src/verification/mod.rs
		// l.271) rejects any crit, "critical JWT header fields are unsupported".
		{name: "crit is rejected", token: mint(rsa, map[string]any{"alg": "RS256", "kid": "r1", "crit": []string{"exp"}}, idToken(nil)), providers: provider(iss),
			statuses: map[string]Status{IDTokenSignature: StatusFail}, cause: CauseCtyCrit, convex: map[string]string{IDTokenSignature: convexOIDCVerify}},
		{name: "ES256 is not accepted", token: mint(jwkstest.P256(), map[string]any{"alg": "ES256", "kid": "r1"}, idToken(nil)), providers: provider(iss),
			statuses: map[string]Status{IDTokenSignature: StatusFail}, cause: CauseAlgNotAllowed},
		{name: "bad signature", token: jwkstest.Graft(mint(rsa, rs256("r1"), idToken(nil)), mint(rsa, rs256("r1"), idToken(map[string]any{"sub": "x"}))), providers: provider(iss),
			statuses: map[string]Status{IDTokenSignature: StatusFail}, cause: CauseBadSignature},
		{name: "extra audience", token: mint(rsa, rs256("r1"), idToken(map[string]any{"aud": []string{"convex", "other"}})), providers: provider(iss),
			statuses: map[string]Status{IDTokenClaims: StatusFail}, convex: map[string]string{IDTokenClaims: convexOIDCVerify}},
		{name: "no iat", token: mint(rsa, rs256("r1"), idToken(map[string]any{"iat": nil})), providers: provider(iss),
			statuses: map[string]Status{IDTokenClaims: StatusFail, IDTokenTime: StatusWarn}, convex: map[string]string{IDTokenClaims: convexOIDCParseError}},
		{name: "expired by 1 s: no leeway", token: mint(rsa, rs256("r1"), idToken(map[string]any{"exp": now.Unix() - 1, "iat": now.Unix() - 100})), providers: provider(iss),
			statuses: map[string]Status{IDTokenTime: StatusFail}, convex: map[string]string{IDTokenTime: convexOIDCVerify}},
		{name: "discovery issuer has a trailing slash the token lacks",
			token: mint(rsa, rs256("r1"), idToken(map[string]any{"iss": srv.URL + "/slash"})), providers: provider(srv.URL + "/slash/"),
			statuses: map[string]Status{IDTokenSignature: StatusFail}, cause: CauseDiscovery,
			convex: map[string]string{IDTokenSignature: "Auth provider discovery of " + srv.URL + "/slash failed"}},
		{name: "discovery 404", token: mint(rsa, rs256("r1"), idToken(map[string]any{"iss": srv.URL + "/nope"})), providers: provider(srv.URL + "/nope"),
			statuses: map[string]Status{IDTokenSignature: StatusFail}, cause: CauseDiscovery,
			convex: map[string]string{IDTokenSignature: fmt.Sprintf("Auth provider discovery of %s/nope failed: 404 Not Found 404 page not found\n", srv.URL)}},
		{name: "discovery served as HTML", token: mint(rsa, rs256("r1"), idToken(map[string]any{"iss": srv.URL + "/html"})), providers: provider(srv.URL + "/html"),
			statuses: map[string]Status{IDTokenSignature: StatusFail}, cause: CauseDiscovery},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := VerifyToken(context.Background(), tt.token, Options{Providers: tt.providers, Fetcher: srv.fetcher(), Now: now})
			got := byID(v)
			for id, r := range got {
				want, ok := tt.statuses[id]
				if !ok {
					want = StatusPass
				}
				if r.Status != want {
					t.Errorf("%s = %s (%s), want %s", id, r.Status, r.Message, want)
				}
			}
			if tt.cause != "" && got[IDTokenSignature].Details["cause"] != tt.cause {
				t.Errorf("cause = %v, want %s (%s)", got[IDTokenSignature].Details["cause"], tt.cause, got[IDTokenSignature].Message)
			}
			for id, msg := range tt.convex {
				if c := got[id].Details["convexError"]; c != msg {
					t.Errorf("%s convexError = %q, want %q", id, c, msg)
				}
			}
			if v.Accepted && v.Identity.Fields["email"] != "a@b.c" {
				t.Errorf("OIDC identity: %+v", v.Identity)
			}
		})
	}
}
