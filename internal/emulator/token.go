package emulator

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	_ "embed"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// tokenLifetime is WorkOS's default access-token lifetime (exp - iat).
const tokenLifetime = 300 * time.Second

// signer holds the signing key and what is derived from it once.
type signer struct {
	key  *rsa.PrivateKey
	kid  string
	jwks map[string]any // the JWKS response body
}

// ownedClaims are set by the emulator itself; a JWT template's values for
// them are dropped rather than allowed to override the session's.
var ownedClaims = map[string]bool{
	"iss": true, "sub": true, "sid": true, "jti": true, "iat": true, "exp": true, "nbf": true,
	"org_id": true, "role": true, "roles": true, "permissions": true,
}

// wellKnownPEM is the emulator's default signing key. It is public on
// purpose: every emulator, in every process, signs with it, so that a token
// minted by a standalone `emulate` verifies against the in-process emulator
// of `token verify --emulate` or `doctor --emulate`, as a token from WorkOS
// verifies against WorkOS's JWKS wherever it is fetched.
//
//go:embed wellknown_signing_key.pem
var wellKnownPEM []byte

// wellKnownKey is the default signing key (Options.Key nil), parsed once.
var wellKnownKey = sync.OnceValue(func() *rsa.PrivateKey {
	block, _ := pem.Decode(wellKnownPEM)
	if block == nil {
		panic("emulator: the embedded signing key is not PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		panic("emulator: the embedded signing key: " + err.Error())
	}
	return k.(*rsa.PrivateKey)
})

func (s *Server) signer() (*signer, error) {
	s.keyOnce.Do(func() {
		key := s.optKey
		if key == nil {
			key = wellKnownKey()
		}
		s.sig, s.sigErr = newSigner(key, s.now())
	})
	return s.sig, s.sigErr
}

func newSigner(key *rsa.PrivateKey, now time.Time) (*signer, error) {
	b64 := base64.RawURLEncoding.EncodeToString
	n := b64(key.N.Bytes())
	e := b64(big.NewInt(int64(key.E)).Bytes())
	// The kid is the key's RFC 7638 thumbprint, spelled like WorkOS kids, so
	// it is stable for a given key across servers and runs.
	thumb := sha256.Sum256([]byte(`{"e":"` + e + `","kty":"RSA","n":"` + n + `"}`))
	kid := "sso_oidc_key_pair_" + encodeULID(binary.BigEndian.Uint64(thumb[:8]), binary.BigEndian.Uint64(thumb[8:16]))

	// WorkOS publishes a self-signed certificate with each key (x5c and
	// x5t#S256); clients that check them, or trip over them, see the same.
	notBefore := now.UTC().Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber: new(big.Int).SetBytes(thumb[:16]),
		Subject:      pkix.Name{CommonName: "convex-authkit WorkOS emulator"},
		NotBefore:    notBefore,
		NotAfter:     notBefore.AddDate(5, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("emulator: creating the JWKS certificate: %w", err)
	}
	certHash := sha256.Sum256(der)
	return &signer{key: key, kid: kid, jwks: map[string]any{"keys": []any{map[string]any{
		"alg": "RS256", "kty": "RSA", "use": "sig", "kid": kid, "n": n, "e": e,
		"x5c": []string{base64.StdEncoding.EncodeToString(der)}, "x5t#S256": b64(certHash[:]),
	}}}}, nil
}

func (s *Server) jwks(w http.ResponseWriter, r *http.Request) {
	if id := r.PathValue("clientID"); id != s.clientID {
		writeMessage(w, http.StatusNotFound, fmt.Sprintf("Client not found: '%s'.", id))
		return
	}
	sig, err := s.signer()
	if err != nil {
		writeMessage(w, http.StatusInternalServerError, err.Error())
		return
	}
	// Exactly the media type WorkOS sends, unless a fault says otherwise;
	// Convex checks it.
	ct := "application/jwk-set+json"
	if f := s.currentFaults(); f.JWKSContentType != "" {
		ct = f.JWKSContentType
	}
	writeBody(w, http.StatusOK, ct, sig.jwks)
}

// Token mints an access token for an existing user, as a password sign-in
// would, without going through HTTP. The issuer base is Options.IssuerBase,
// else the started URL, else the base URL of the latest request served.
func (s *Server) Token(email string) (string, error) {
	norm := strings.ToLower(email)
	s.mu.Lock()
	i := slices.IndexFunc(s.users, func(u user) bool { return u.Email == norm })
	if i < 0 {
		s.mu.Unlock()
		return "", fmt.Errorf("emulator: no user with email %q", email)
	}
	u := s.users[i]
	sess := s.newSessionLocked(u.ID)
	base := s.issuerBaseLocked(s.seenBase)
	s.mu.Unlock()
	if base == "" {
		return "", fmt.Errorf("emulator: no base URL for the issuer yet: call Start, or serve a request first")
	}
	return s.mint(base, u, sess.id)
}

// mint signs an AuthKit-shaped access token for u in session sid.
func (s *Server) mint(base string, u user, sid string) (string, error) {
	sig, err := s.signer()
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	now := s.now()
	jti := s.ids.next(now)
	var content string
	if s.template != nil {
		content = s.template.Content
	}
	s.mu.Unlock()

	claims := map[string]any{}
	if content != "" {
		custom, err := renderTemplate(content, templateContext(u))
		if err != nil {
			return "", fmt.Errorf("rendering the JWT template: %w", err)
		}
		for k, v := range custom {
			if !ownedClaims[k] {
				claims[k] = v
			}
		}
	}
	iat := now.Unix()
	claims["iss"] = base + "/user_management/" + s.clientID
	claims["sub"] = u.ID
	claims["sid"] = sid
	claims["jti"] = jti
	claims["iat"] = iat
	claims["exp"] = iat + int64(tokenLifetime/time.Second)
	if u.org != nil {
		claims["org_id"] = u.org.orgID
		claims["role"] = u.org.role
		claims["permissions"] = u.org.permissions
	}

	// The header is written by hand so that it is exactly WorkOS's: alg,
	// then kid, and no typ.
	header := `{"alg":"RS256","kid":"` + sig.kid + `"}`
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	b64 := base64.RawURLEncoding.EncodeToString
	input := b64([]byte(header)) + "." + b64(payload)
	digest := sha256.Sum256([]byte(input))
	signature, err := rsa.SignPKCS1v15(nil, sig.key, crypto.SHA256, digest[:])
	if err != nil {
		return "", err
	}
	return input + "." + b64(signature), nil
}

// templateContext is what a JWT template can refer to for u; unknown or
// unset values are null, so that fallbacks apply.
func templateContext(u user) map[string]any {
	str := func(p *string) any {
		if p == nil {
			return nil
		}
		return *p
	}
	meta := map[string]any{}
	for k, v := range u.Metadata {
		meta[k] = v
	}
	ctx := map[string]any{"user": map[string]any{
		"id": u.ID, "email": u.Email, "email_verified": u.EmailVerified,
		"first_name": str(u.FirstName), "last_name": str(u.LastName),
		"external_id": str(u.ExternalID), "profile_picture_url": str(u.ProfilePictureURL),
		"metadata": meta,
	}}
	if u.org != nil {
		perms := make([]any, len(u.org.permissions))
		for i, p := range u.org.permissions {
			perms[i] = p
		}
		ctx["organization"] = map[string]any{"id": u.org.orgID}
		ctx["organization_membership"] = map[string]any{
			"role": map[string]any{"slug": u.org.role}, "permissions": perms,
		}
	}
	return ctx
}
