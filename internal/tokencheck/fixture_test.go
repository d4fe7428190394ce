package tokencheck

import (
	"crypto"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/jwks"
	"github.com/convex-authkit/convex-authkit/internal/jwks/jwkstest"
)

// now is the deployment clock in every test.
var now = time.Unix(1_800_000_000, 0)

const (
	clientID = "client_01ABC"
	umIssuer = "https://api.workos.com/user_management/" + clientID
)

// jwksServer serves JWKS documents on 127.0.0.1 by path, each with its own
// Content-Type and status, and counts requests.
type jwksServer struct {
	*httptest.Server
	hits atomic.Int32
}

type doc struct {
	ct     string // "" sends no Content-Type
	status int
	body   []byte
}

func newJWKSServer(t testing.TB, docs map[string]doc) *jwksServer {
	s := &jwksServer{}
	mux := http.NewServeMux()
	for path, d := range docs {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			s.hits.Add(1)
			if d.ct == "" {
				w.Header()["Content-Type"] = nil
			} else {
				w.Header().Set("Content-Type", d.ct)
			}
			if d.status != 0 {
				w.WriteHeader(d.status)
			}
			w.Write(d.body)
		})
	}
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) fetcher() *jwks.Fetcher { return jwks.NewFetcher(s.Client()) }

// standardKeys is the JWKS most tests use: an RSA key with alg, an RSA key
// without alg, and an EC key.
func standardKeys() []byte {
	return jwkstest.Set(
		jwkstest.RSAJWK("k1", "RS256", &jwkstest.RSA().PublicKey),
		jwkstest.RSAJWK("k-noalg", "", &jwkstest.OtherRSA().PublicKey),
		jwkstest.ECJWK("e1", "ES256", &jwkstest.P256().PublicKey),
		jwkstest.ECJWK("e-noalg", "", &jwkstest.P256().PublicKey),
		jwkstest.RSAJWK("small", "RS256", &jwkstest.RSA1024().PublicKey),
	)
}

func strp(s string) *string { return &s }

func customJWT(issuer, jwksURL string, appID *string) Provider {
	return Provider{Type: TypeCustomJWT, Issuer: issuer, ApplicationID: appID, JWKS: jwksURL, Algorithm: "RS256"}
}

// workosProviders is Convex's documented AuthKit config.
func workosProviders(jwksURL string) []Provider {
	return []Provider{
		customJWT("https://api.workos.com/", jwksURL, strp(clientID)),
		customJWT(umIssuer, jwksURL, nil),
	}
}

// claims are WorkOS-like access token claims issued a second before now.
func claims(overrides map[string]any) map[string]any {
	c := map[string]any{
		"iss": umIssuer, "sub": "user_01XYZ", "sid": "session_01", "jti": "01J",
		"iat": now.Unix() - 1, "exp": now.Unix() + 299,
		"org_id": "org_1", "role": "member", "permissions": []string{"read"},
		"act": map[string]any{"sub": "admin@example.com"},
	}
	return override(c, overrides)
}

// override sets the claims in over on base, deleting those set to nil.
func override(base, over map[string]any) map[string]any {
	for k, v := range over {
		if v == nil {
			delete(base, k)
		} else {
			base[k] = v
		}
	}
	return base
}

func rs256(kid string) map[string]any {
	h := map[string]any{"alg": "RS256"}
	if kid != "" {
		h["kid"] = kid
	}
	return h
}

func mint(key crypto.Signer, header, c map[string]any) string {
	return jwkstest.Sign(key, header, c)
}
