package tokencheck

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/jwks/jwkstest"
)

func byID(v Verification) map[string]Result {
	m := map[string]Result{}
	for _, r := range v.Results {
		m[r.ID] = r
	}
	return m
}

func diffKinds(r Result) []string {
	ds, _ := r.Details["differences"].([]Difference)
	var kinds []string
	for _, d := range ds {
		kinds = append(kinds, d.Kind)
	}
	return kinds
}

func TestVerifyToken(t *testing.T) {
	srv := newJWKSServer(t, map[string]doc{
		"/jwks":  {ct: "application/jwk-set+json", body: standardKeys()},
		"/other": {ct: "application/json", body: jwkstest.Set(jwkstest.RSAJWK("k1", "RS256", &jwkstest.OtherRSA().PublicKey))},
		"/html":  {ct: "text/html", body: []byte("<html></html>")},
	})
	jwksURL := srv.URL + "/jwks"
	rsaKey, ecKey := jwkstest.RSA(), jwkstest.P256()
	good := mint(rsaKey, rs256("k1"), claims(nil))
	other := mint(rsaKey, rs256("k1"), claims(map[string]any{"sub": "user_other"}))

	tests := []struct {
		name      string
		token     string
		providers []Provider
		// non-pass statuses expected, by check ID
		statuses map[string]Status
		cause    string   // token.signature cause
		diffs    []string // token.provider-match difference kinds
		convex   map[string]string
		accepted bool
	}{
		{name: "good", token: good, providers: workosProviders(jwksURL), accepted: true},
		{name: "aud as array matches applicationID",
			token:     mint(rsaKey, rs256("k1"), claims(map[string]any{"iss": "https://api.workos.com", "aud": []string{"other", clientID}})),
			providers: workosProviders(jwksURL), accepted: true},
		{name: "iss with trailing slash, provider without",
			token:     mint(rsaKey, rs256("k1"), claims(map[string]any{"iss": umIssuer + "/"})),
			providers: workosProviders(jwksURL), accepted: true},
		{name: "iss without trailing slash, provider with",
			token:     mint(rsaKey, rs256("k1"), claims(map[string]any{"iss": "https://api.workos.com", "aud": clientID})),
			providers: workosProviders(jwksURL), accepted: true},
		{name: "iss without scheme gets https",
			token:     mint(rsaKey, rs256("k1"), claims(map[string]any{"iss": "api.workos.com/user_management/" + clientID})),
			providers: workosProviders(jwksURL), accepted: true},
		{name: "ES256 token with ES256 provider",
			token:     mint(ecKey, map[string]any{"alg": "ES256", "kid": "e1"}, claims(nil)),
			providers: []Provider{{Type: TypeCustomJWT, Issuer: umIssuer, JWKS: jwksURL, Algorithm: "ES256"}}, accepted: true},

		// biscuit (get-convex/biscuit 05bdaab, src/jws.rs RegisteredHeader)
		// reads crit as Option<Vec<String>> and never acts on it ("not
		// implemented"): customJwt accepts a token with crit, even one naming
		// extensions nobody understands, unlike RFC 7515 §4.1.11 asks. Only
		// its type matters: anything but a list of strings breaks the header.
		{name: "crit is ignored by customJwt",
			token:     mint(rsaKey, map[string]any{"alg": "RS256", "kid": "k1", "crit": []string{"urn:example:unknown"}}, claims(nil)),
			providers: workosProviders(jwksURL), accepted: true},
		{name: "crit that is not a list of strings breaks the header",
			token:     mint(rsaKey, map[string]any{"alg": "RS256", "kid": "k1", "crit": "exp"}, claims(nil)),
			providers: workosProviders(jwksURL), statuses: map[string]Status{IDTokenDecode: StatusFail, IDTokenSignature: StatusFail}, cause: CauseHeader,
			convex: map[string]string{IDTokenSignature: "Could not decode token. JWT may be missing a 'kid' (key ID) header."}},
		{name: "wrong kid", token: mint(rsaKey, rs256("nope"), claims(nil)), providers: workosProviders(jwksURL),
			statuses: map[string]Status{IDTokenSignature: StatusFail}, cause: CauseKidNotFound,
			convex: map[string]string{IDTokenSignature: "Could not decode token. The JWT's 'kid' (key ID) header is 'nope', does this key match any key in the provider's JWKS?"}},
		{name: "no kid", token: mint(rsaKey, rs256(""), claims(nil)), providers: workosProviders(jwksURL),
			statuses: map[string]Status{IDTokenSignature: StatusFail}, cause: CauseKidMissing,
			convex: map[string]string{IDTokenSignature: "Could not decode token. JWT may be missing a 'kid' (key ID) header."}},
		{name: "wrong alg in header", token: mint(rsaKey, map[string]any{"alg": "RS384", "kid": "k1"}, claims(nil)), providers: workosProviders(jwksURL),
			statuses: map[string]Status{IDTokenSignature: StatusFail}, cause: CauseAlgHeaderVsKey},
		{name: "bad signature", token: jwkstest.Graft(good, other), providers: workosProviders(jwksURL),
			statuses: map[string]Status{IDTokenSignature: StatusFail}, cause: CauseBadSignature},
		{name: "signed by another key under the same kid", token: mint(jwkstest.OtherRSA(), rs256("k1"), claims(nil)), providers: workosProviders(jwksURL),
			statuses: map[string]Status{IDTokenSignature: StatusFail}, cause: CauseBadSignature},
		{name: "ES256 token with RS256 provider, key has alg",
			token:     mint(ecKey, map[string]any{"alg": "ES256", "kid": "e1"}, claims(nil)),
			providers: workosProviders(jwksURL), statuses: map[string]Status{IDTokenSignature: StatusFail}, cause: CauseAlgConfigVsKey},
		{name: "ES256 token with RS256 provider, key without alg",
			token:     mint(ecKey, map[string]any{"alg": "ES256", "kid": "e-noalg"}, claims(nil)),
			providers: workosProviders(jwksURL), statuses: map[string]Status{IDTokenSignature: StatusFail}, cause: CauseAlgConfigVsHeader},
		{name: "1024-bit key", token: mint(jwkstest.RSA1024(), rs256("small"), claims(nil)), providers: workosProviders(jwksURL),
			statuses: map[string]Status{IDTokenSignature: StatusFail}, cause: "rsa-too-small"},
		{name: "JWKS is a web page", token: good, providers: workosProviders(srv.URL + "/html"),
			statuses: map[string]Status{IDTokenSignature: StatusFail}, cause: "jwks",
			convex: map[string]string{IDTokenSignature: "Invalid Content-Type 'text/html' when fetching JWKS from '" + srv.URL + "/html'. Expected 'application/json' or 'application/jwk-set+json'."}},

		{name: "expired 4 s ago passes thanks to the leeway",
			token:     mint(rsaKey, rs256("k1"), claims(map[string]any{"exp": now.Unix() - 4, "iat": now.Unix() - 304})),
			providers: workosProviders(jwksURL), statuses: map[string]Status{IDTokenTime: StatusWarn}, accepted: true},
		{name: "expired 6 s ago",
			token:     mint(rsaKey, rs256("k1"), claims(map[string]any{"exp": now.Unix() - 6, "iat": now.Unix() - 306})),
			providers: workosProviders(jwksURL), statuses: map[string]Status{IDTokenTime: StatusFail},
			convex: map[string]string{IDTokenTime: "Could not validate token: Token expired 6 seconds ago"}},
		{name: "fractional exp is rounded down",
			token:     mint(rsaKey, rs256("k1"), claims(map[string]any{"exp": float64(now.Unix()) - 6.4, "iat": now.Unix() - 300})),
			providers: workosProviders(jwksURL), statuses: map[string]Status{IDTokenTime: StatusFail},
			convex: map[string]string{IDTokenTime: "Could not validate token: Token expired 6 seconds ago"}},
		{name: "fractional exp is rounded half away from zero",
			token:     mint(rsaKey, rs256("k1"), claims(map[string]any{"exp": float64(now.Unix()) - 5.5, "iat": now.Unix() - 300})),
			providers: workosProviders(jwksURL), statuses: map[string]Status{IDTokenTime: StatusWarn}, accepted: true},
		{name: "nbf ahead",
			token:     mint(rsaKey, rs256("k1"), claims(map[string]any{"nbf": now.Unix() + 30})),
			providers: workosProviders(jwksURL), statuses: map[string]Status{IDTokenTime: StatusFail},
			convex: map[string]string{IDTokenTime: "Could not validate token: Token will be valid in 30 seconds"}},
		{name: "iat 3 s ahead is within the leeway",
			token:     mint(rsaKey, rs256("k1"), claims(map[string]any{"iat": now.Unix() + 3})),
			providers: workosProviders(jwksURL), statuses: map[string]Status{IDTokenTime: StatusWarn}, accepted: true},
		{name: "short lifetime warns about refresh",
			token:     mint(rsaKey, rs256("k1"), claims(map[string]any{"iat": now.Unix(), "exp": now.Unix() + 10})),
			providers: workosProviders(jwksURL), statuses: map[string]Status{IDTokenTime: StatusWarn}, accepted: true},
		{name: "no sub",
			token:     mint(rsaKey, rs256("k1"), claims(map[string]any{"sub": nil})),
			providers: workosProviders(jwksURL), statuses: map[string]Status{IDTokenClaims: StatusFail},
			convex: map[string]string{IDTokenClaims: "Could not verify token claim. Check that the JWT contains valid claims and matches your auth provider configuration."}},
		{name: "no exp",
			token:     mint(rsaKey, rs256("k1"), claims(map[string]any{"exp": nil})),
			providers: workosProviders(jwksURL), statuses: map[string]Status{IDTokenClaims: StatusFail}},

		{name: "http vs https", token: mint(rsaKey, rs256("k1"), claims(map[string]any{"iss": "http://api.workos.com/user_management/" + clientID})),
			providers: workosProviders(jwksURL), statuses: nomatch(), diffs: []string{DiffScheme}},
		{name: "uppercase host", token: mint(rsaKey, rs256("k1"), claims(map[string]any{"iss": "https://API.workos.com/user_management/" + clientID})),
			providers: workosProviders(jwksURL), statuses: nomatch(), diffs: []string{DiffHostCase}},
		{name: "uppercase scheme", token: mint(rsaKey, rs256("k1"), claims(map[string]any{"iss": "HTTPS://api.workos.com/user_management/" + clientID})),
			providers: workosProviders(jwksURL), statuses: nomatch(), diffs: []string{DiffSchemeCase}},
		{name: "explicit default port", token: mint(rsaKey, rs256("k1"), claims(map[string]any{"iss": "https://api.workos.com:443/user_management/" + clientID})),
			providers: workosProviders(jwksURL), statuses: nomatch(), diffs: []string{DiffPort}},
		{name: "custom domain", token: mint(rsaKey, rs256("k1"), claims(map[string]any{"iss": "https://auth.example.com/user_management/" + clientID})),
			providers: workosProviders(jwksURL), statuses: nomatch(), diffs: []string{DiffCustomDomain}},
		{name: "wrong client ID in issuer", token: mint(rsaKey, rs256("k1"), claims(map[string]any{"iss": "https://api.workos.com/user_management/client_01PROD"})),
			providers: workosProviders(jwksURL), statuses: nomatch(), diffs: []string{DiffClientID}},
		{name: "base issuer without aud", token: mint(rsaKey, rs256("k1"), claims(map[string]any{"iss": "https://api.workos.com/"})),
			providers: workosProviders(jwksURL), statuses: nomatch(), diffs: []string{DiffAudMissing}},
		{name: "base issuer with another client's aud", token: mint(rsaKey, rs256("k1"), claims(map[string]any{"iss": "https://api.workos.com", "aud": "client_01PROD"})),
			providers: workosProviders(jwksURL), statuses: nomatch(), diffs: []string{DiffClientID}},
		{name: "newline in provider issuer", token: good,
			providers: []Provider{customJWT(umIssuer+"\n", jwksURL, nil)}, statuses: nomatch(), diffs: []string{DiffWhitespace}},
		{name: "no providers", token: good, statuses: nomatch(),
			convex: map[string]string{IDTokenProviderMatch: "No auth provider found matching the given token (no providers configured). Check convex/auth.config.ts."}},

		{name: "two providers match with different JWKS",
			token: good, providers: []Provider{customJWT(umIssuer, jwksURL, nil), customJWT(umIssuer+"/", srv.URL+"/other", nil)},
			statuses: map[string]Status{IDTokenAmbiguous: StatusWarn}, accepted: true},
		{name: "Convex verifies with the first match in stored order, not the file's",
			// A stored provider without applicationID comes before one with
			// it: the second, whose JWKS has another key under kid k1, wins.
			token:     mint(rsaKey, rs256("k1"), claims(map[string]any{"aud": clientID})),
			providers: []Provider{customJWT(umIssuer, jwksURL, strp(clientID)), customJWT(umIssuer, srv.URL+"/other", nil)},
			statuses:  map[string]Status{IDTokenAmbiguous: StatusWarn, IDTokenSignature: StatusFail}, cause: CauseBadSignature},
		{name: "two equivalent providers match",
			token: good, providers: []Provider{customJWT(umIssuer, jwksURL, nil), customJWT(umIssuer, jwksURL, strp(""))},
			accepted: true},
		{name: "padded payload", token: strings.Replace(good, ".", "=.", 2),
			statuses: map[string]Status{IDTokenDecode: StatusFail, IDTokenProviderMatch: StatusSkip, IDTokenAmbiguous: StatusSkip, IDTokenSignature: StatusSkip, IDTokenTime: StatusSkip, IDTokenClaims: StatusSkip},
			convex:   map[string]string{IDTokenDecode: ConvexPayloadError}},
		{name: "no iss", token: mint(rsaKey, rs256("k1"), claims(map[string]any{"iss": nil})),
			statuses: map[string]Status{IDTokenDecode: StatusFail, IDTokenProviderMatch: StatusSkip, IDTokenAmbiguous: StatusSkip, IDTokenSignature: StatusSkip, IDTokenTime: StatusSkip, IDTokenClaims: StatusSkip},
			convex:   map[string]string{IDTokenDecode: ConvexMissingIssuer}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := VerifyToken(context.Background(), tt.token, Options{Providers: tt.providers, Fetcher: srv.fetcher(), Now: now})
			got := byID(v)
			if len(got) != 6 {
				t.Fatalf("got %d results, want 6: %+v", len(got), v.Results)
			}
			for id, r := range got {
				want, ok := tt.statuses[id]
				if !ok {
					want = StatusPass
					if id == IDTokenSignature && len(v.Matched) == 0 {
						want = StatusSkip
					}
				}
				if r.Status != want {
					t.Errorf("%s = %s (%s; hint %s), want %s", id, r.Status, r.Message, r.Hint, want)
				}
				if (r.Status == StatusWarn || r.Status == StatusFail) && r.Hint == "" {
					t.Errorf("%s: %s without a hint", id, r.Status)
				}
			}
			if tt.cause != "" {
				if c := got[IDTokenSignature].Details["cause"]; c != tt.cause {
					t.Errorf("signature cause = %v, want %s (%s)", c, tt.cause, got[IDTokenSignature].Message)
				}
			}
			if tt.diffs != nil {
				if kinds := diffKinds(got[IDTokenProviderMatch]); !reflect.DeepEqual(kinds, tt.diffs) {
					t.Errorf("differences = %v, want %v (%s)", kinds, tt.diffs, got[IDTokenProviderMatch].Hint)
				}
			}
			for id, msg := range tt.convex {
				if c := got[id].Details["convexError"]; c != msg {
					t.Errorf("%s convexError = %q, want %q", id, c, msg)
				}
			}
			if v.Accepted != tt.accepted {
				t.Errorf("accepted = %v, want %v", v.Accepted, tt.accepted)
			}
			if v.Accepted != (v.Identity != nil) {
				t.Errorf("identity %v with accepted %v", v.Identity, v.Accepted)
			}
			if _, err := json.Marshal(v.Results); err != nil {
				t.Errorf("results do not marshal: %v", err)
			}
		})
	}
}

// nomatch is the outcome when no provider matches: routing fails, and the
// signature check cannot run.
func nomatch() map[string]Status {
	return map[string]Status{IDTokenProviderMatch: StatusFail, IDTokenAmbiguous: StatusSkip, IDTokenSignature: StatusSkip}
}

func TestNoAuthProviderMessage(t *testing.T) {
	ps := []Provider{
		customJWT("https://api.workos.com/user_management/client_X", "", nil),
		customJWT("https://api.workos.com/", "", strp("client_X")),
		{Type: TypeOIDC, Issuer: "https://x.clerk.accounts.dev", ApplicationID: strp("convex")},
	}
	want := "No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your configured providers: " +
		"[OIDC(domain=https://x.clerk.accounts.dev, app_id=convex), CustomJWT(issuer=https://api.workos.com/user_management/client_X, app_id=none), CustomJWT(issuer=https://api.workos.com/, app_id=client_X)]"
	if got := NoAuthProviderMessage(ps, false); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := NoAuthProviderMessage(ps, true); got != "No auth provider found matching the given token" {
		t.Errorf("redacted: %s", got)
	}
}

// TestStoredOrder: a first push stores providers sorted by AuthInfo's Ord,
// whatever their order in auth.config.ts, and drops exact duplicates.
func TestStoredOrder(t *testing.T) {
	es := customJWT("https://b.example.com", "", nil)
	es.Algorithm = "ES256"
	rs := customJWT("https://b.example.com", "", nil)
	ps := []Provider{
		customJWT("https://a.example.com", "", strp("z")),
		es,
		customJWT("https://a.example.com", "", strp("y")),
		rs,
		{Type: TypeOIDC, Issuer: "https://o.example.com", ApplicationID: strp("app")},
		customJWT("https://a.example.com", "", strp("y")),
	}
	var got []string
	for _, p := range StoredOrder(ps) {
		got = append(got, p.String()+"/"+p.Algorithm)
	}
	want := []string{
		"OIDC(domain=https://o.example.com, app_id=app)/",
		"CustomJWT(issuer=https://b.example.com, app_id=none)/" + rs.Algorithm,
		"CustomJWT(issuer=https://b.example.com, app_id=none)/ES256",
		"CustomJWT(issuer=https://a.example.com, app_id=y)/" + rs.Algorithm,
		"CustomJWT(issuer=https://a.example.com, app_id=z)/" + rs.Algorithm,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// TestStoredOrderRead: providers read from a deployment are tried in its
// _auth order, where a provider kept from an earlier push comes first even
// when a first push would sort it later.
func TestStoredOrderRead(t *testing.T) {
	older := customJWT("https://a.example.com", "", strp("app"))
	older.JWKS, older.Stored = "https://old.example.com/jwks", 1
	newer := customJWT("https://a.example.com", "", nil)
	newer.Stored = 2
	ps := []Provider{older, newer}
	if got := MatchingProviders(ps, "https://a.example.com", []string{"app"}); !slices.Equal(got, []int{0, 1}) {
		t.Errorf("stored: matched %v, want [0 1]", got)
	}
	// Evaluated here, the same two sort as a first push stores them:
	// applicationID unset first.
	older.Stored, newer.Stored = 0, 0
	if got := MatchingProviders([]Provider{older, newer}, "https://a.example.com", []string{"app"}); !slices.Equal(got, []int{1, 0}) {
		t.Errorf("evaluated: matched %v, want [1 0]", got)
	}
}

func TestMatches(t *testing.T) {
	tests := []struct {
		iss, provider string
		aud           []string
		appID         *string
		match         bool
	}{
		{"https://x.com", "https://x.com/", nil, nil, true},
		{"https://x.com//", "https://x.com", nil, nil, true},
		{"x.com/abc", "https://x.com/abc", nil, nil, true},
		{"http://x.com", "https://x.com", nil, nil, false},
		{"HTTPS://x.com", "https://x.com", nil, nil, false},
		{"https://X.com", "https://x.com", nil, nil, false},
		{"https://x.com:443", "https://x.com", nil, nil, false},
		{"https://x.com/a/client_ABC", "https://x.com/a/client_abc", nil, nil, false},
		{"https://x.com", "https://x.com\n", nil, nil, false},
		{"https://x.com", "https://x.com", nil, strp("A"), false},
		{"https://x.com", "https://x.com", []string{"A"}, strp("A"), true},
		{"https://x.com", "https://x.com", []string{"B", "A"}, strp("A"), true},
		{"https://x.com", "https://x.com", []string{"a"}, strp("A"), false},
		{"https://x.com", "https://x.com", nil, strp(""), false},
		{"https://x.com", "https://x.com", []string{""}, strp(""), true},
	}
	for _, tt := range tests {
		p := Provider{Type: TypeCustomJWT, Issuer: tt.provider, ApplicationID: tt.appID}
		if got := p.Matches(tt.iss, tt.aud); got != tt.match {
			t.Errorf("Matches(iss %q, aud %q) against %q (app %v) = %v", tt.iss, tt.aud, tt.provider, tt.appID, got)
		}
		if diffs := p.Compare(tt.iss, tt.aud); (len(diffs) == 0) != tt.match {
			t.Errorf("Compare(%q, %q) = %v with match %v", tt.iss, tt.provider, diffs, tt.match)
		}
	}
	oidc := Provider{Type: TypeOIDC, Issuer: "https://x.com", ApplicationID: strp("A")}
	if oidc.Matches("https://x.com", nil) || !oidc.Matches("https://x.com/", []string{"A"}) {
		t.Error("OIDC providers always check aud")
	}
}

func TestIdentity(t *testing.T) {
	tok, err := Decode(mint(jwkstest.RSA(), rs256("k1"), map[string]any{
		"iss": umIssuer + "/", "sub": "user_1", "aud": "a", "exp": 2, "nbf": 1, "iat": 1, "jti": "j", "fva": []int{1, 2},
		"email_verified": true, "picture": "p", "act": map[string]any{"sub": "admin", "deep": map[string]any{"x": 1}},
		"empty": map[string]any{}, "roles": []string{"admin"},
	}))
	if err != nil {
		t.Fatal(err)
	}
	id, err := BuildIdentity(tok, TypeCustomJWT)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(id.Map())
	want := `{"act.deep.x":1,"act.sub":"admin","email_verified":true,"issuer":"` + umIssuer + `/","picture":"p","roles":["admin"],"subject":"user_1","tokenIdentifier":"` + umIssuer + `/|user_1"}`
	if string(got) != want {
		t.Errorf("identity\n got %s\nwant %s", got, want)
	}
	oidc, err := BuildIdentity(tok, TypeOIDC)
	if err != nil {
		t.Fatal(err)
	}
	if oidc.Fields["pictureUrl"] != "p" || oidc.Fields["emailVerified"] != true || oidc.Fields["act"] == nil {
		t.Errorf("OIDC identity fields: %v", oidc.Fields)
	}
}
