package tokencheck

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/jsonpos"
	"github.com/convex-authkit/convex-authkit/internal/jwks"
)

// Causes of an OIDC token.signature failure, besides those of CheckSignature.
const (
	CauseDiscovery     = "discovery"       // discovery or its JWKS failed
	CauseIssuerNoURL   = "iss-not-url"     // iss without a scheme: an internal error in Convex
	CauseTyp           = "typ"             // typ other than JWT / application/jose
	CauseCtyCrit       = "cty-crit"        // cty or crit header present
	CauseAlgNotAllowed = "alg-not-allowed" // OIDC accepts RS256 and EdDSA only
	CauseNoKey         = "no-matching-key"
	CauseAmbiguousKey  = "ambiguous-key"
)

// convexDiscoveryError is Convex's message when discovery or the JWKS it
// points at fails: with the answer's status and body when there was one.
func convexDiscoveryError(iss string, err error) string {
	msg := fmt.Sprintf("Auth provider discovery of %s failed", iss)
	var de *discoveryError
	if errors.As(err, &de) && de.status != "" {
		msg += ": " + de.status
	}
	return msg
}

// DiscoveryURL is where Convex looks for an OIDC issuer's metadata: built
// from the token's raw iss, not from the provider's domain.
func DiscoveryURL(iss string) string {
	if strings.HasSuffix(iss, "/") {
		return iss + ".well-known/openid-configuration"
	}
	return iss + "/.well-known/openid-configuration"
}

// CheckOIDCSignature is token.signature for an OIDC provider: discovery from
// the token's iss (200, Content-Type application/json or none, metadata
// whose issuer equals iss exactly), its jwks_uri (keys it cannot read are
// skipped), then the ID-token verifier: typ absent, JWT or
// application/jose; no cty or crit; alg RS256 or EdDSA; exactly one key
// that fits (by kid when the token has one); a valid signature. The aud and
// expiry rules are in CheckClaims and CheckTime.
//
// Details: "discoveryURL", "jwksURI", "skippedKeys", "cause", and as in
// CheckSignature.
func CheckOIDCSignature(ctx context.Context, f *jwks.Fetcher, tok *Token, p Provider) Result {
	iss := tok.Claims.Iss
	d := map[string]any{"discoveryURL": DiscoveryURL(iss)}
	fail := func(st Status, cause, msg, hint, convexErr string) Result {
		d["cause"], d["convexError"], d["convexErrorRedacted"] = cause, convexErr, convexErr
		return result(IDTokenSignature, st, msg, hint, d)
	}
	if !strings.Contains(iss, "://") {
		return fail(StatusFail, CauseIssuerNoURL, fmt.Sprintf("the token's iss %q has no scheme, so OIDC discovery cannot start (Convex fails with an internal error)", iss),
			"use a customJwt provider for this issuer", "")
	}
	meta, st, err := discover(ctx, f, iss)
	if err != nil {
		return fail(st, CauseDiscovery, fmt.Sprintf("OIDC discovery of %s failed: %v", iss, err),
			"check "+DiscoveryURL(iss)+" and that its issuer equals the token's iss exactly; if the issuer has no usable discovery document, use a customJwt provider", convexDiscoveryError(iss, err))
	}
	d["jwksURI"] = meta.jwksURI
	set, skipped, st, err := oidcKeys(ctx, f, meta.jwksURI)
	if err != nil {
		return fail(st, CauseDiscovery, fmt.Sprintf("the OIDC JWKS at %s is unusable: %v", meta.jwksURI, err), "fix the JWKS the discovery document points at", convexDiscoveryError(iss, err))
	}
	if len(skipped) > 0 {
		reasons := make([]string, len(skipped))
		for i, s := range skipped {
			reasons[i] = s.Error()
		}
		d["skippedKeys"] = reasons
	}

	verifyFail := func(cause, msg, hint string) Result {
		return fail(StatusFail, cause, msg, hint, convexOIDCVerify)
	}
	if cause, msg, hint := malformed(tok); cause != "" {
		return verifyFail(cause, msg, hint)
	}
	h := tok.Header
	d["alg"] = h.Alg
	if h.HasKid {
		d["kid"] = h.Kid
	}
	if h.HasTyp && !oidcTypOK(h.Typ) {
		return verifyFail(CauseTyp, fmt.Sprintf("the token's typ is %q; Convex's OIDC verifier accepts only ID tokens (typ absent, JWT or application/jose)", h.Typ),
			"this is an access token, not an ID token: use a customJwt provider, which does not check typ")
	}
	if h.HasCty || h.Crit != nil {
		return verifyFail(CauseCtyCrit, "the token's header has cty or crit, which Convex's OIDC verifier rejects", "use a customJwt provider")
	}
	if h.Alg != "RS256" && h.Alg != "EdDSA" {
		return verifyFail(CauseAlgNotAllowed, fmt.Sprintf("the token is signed with %s; Convex's OIDC providers accept RS256 and EdDSA only", h.Alg),
			"use a customJwt provider (which supports RS256 and ES256)")
	}
	var fits []*jwks.Key
	for i := range set.Keys {
		k := &set.Keys[i]
		if h.HasKid && (!k.HasKid || k.Kid != h.Kid) {
			continue
		}
		if (k.Use == "" || k.Use == "sig") && (k.Alg == "" || k.Alg == h.Alg) && oidcKeyFits(k, h.Alg) {
			fits = append(fits, k)
		}
	}
	switch len(fits) {
	case 0:
		return verifyFail(CauseNoKey, fmt.Sprintf("no key in %s fits the token (kid %q, alg %s)", meta.jwksURI, h.Kid, h.Alg),
			"the token was signed by a key the issuer does not publish at its jwks_uri")
	case 1:
	default:
		return verifyFail(CauseAmbiguousKey, fmt.Sprintf("%d keys in %s fit the token; the OIDC verifier needs exactly one", len(fits), meta.jwksURI),
			"have the issuer set kid in the token header")
	}
	key := fits[0]
	d["keyIndex"], d["key"] = key.Index, key.Describe()
	var err2 error
	if h.Alg == "EdDSA" {
		if !ed25519.Verify(ed25519.PublicKey(key.X), []byte(tok.SigningInput()), tok.Signature) {
			err2 = errors.New("it was not made by this key over this header and payload")
		}
	} else if prob := key.ProblemFor("RS256"); prob != nil {
		return verifyFail(prob.Code, "the key cannot verify RS256: "+prob.Message, keyHint(prob.Code))
	} else {
		err2 = verifyJWS("RS256", key, tok.SigningInput(), tok.Signature)
	}
	if err2 != nil {
		return verifyFail(CauseBadSignature, fmt.Sprintf("the signature does not verify with %s: %v", key.Describe(), err2), "get a fresh token from the issuer")
	}
	return result(IDTokenSignature, StatusPass, fmt.Sprintf("OIDC discovery, JWKS and signature verified (%s)", key.Describe()), "", d)
}

func oidcKeyFits(k *jwks.Key, alg string) bool {
	if alg == "EdDSA" {
		return k.Kty == "OKP" && k.Crv == "Ed25519" && len(k.X) == ed25519.PublicKeySize
	}
	return k.Kty == "RSA"
}

// oidcTypOK normalises typ as the openidconnect crate does: case-insensitive,
// "application/" implied when there is no slash.
func oidcTypOK(typ string) bool {
	t := strings.ToLower(typ)
	if !strings.Contains(t, "/") {
		t = "application/" + t
	}
	return t == "application/jwt" || t == "application/jose"
}

type discoveryError struct {
	status string // "404 Not Found <body>", for Convex's message; empty when Convex gives only the short text
	err    error
}

func (e *discoveryError) Error() string { return e.err.Error() }

type metadata struct {
	issuer, jwksURI string
}

// fetchOIDC fetches url and applies the openidconnect crate's response
// rules: status 200 and a Content-Type that is absent or one of allowed.
func fetchOIDC(ctx context.Context, f *jwks.Fetcher, url string, allowed ...string) ([]byte, Status, error) {
	resp, err := f.Fetch(ctx, url)
	if err != nil {
		st := StatusFail
		var fe *jwks.FetchError
		if errors.As(err, &fe) && (fe.Kind == jwks.ErrKindTimeout || fe.Kind == jwks.ErrKindCanceled) {
			st = StatusError
		}
		return nil, st, &discoveryError{err: err}
	}
	status := fmt.Sprintf("%d %s %s", resp.Status, resp.StatusText, strings.ToValidUTF8(string(resp.Body), "\uFFFD"))
	if resp.Status != 200 {
		return nil, StatusFail, &discoveryError{status: status, err: fmt.Errorf("%s answered HTTP %d %s", url, resp.Status, resp.StatusText)}
	}
	if len(resp.ContentTypes) > 0 {
		ct := jwks.CheckContentType(resp.ContentTypes)
		if !slices.Contains(allowed, ct.Essence) {
			return nil, StatusFail, &discoveryError{status: status, err: fmt.Errorf("%s answered with Content-Type %q", url, ct.Shown)}
		}
	}
	if resp.TooLarge {
		return nil, StatusFail, &discoveryError{err: fmt.Errorf("%s answered with more than %d bytes", url, len(resp.Body))}
	}
	return resp.Body, StatusPass, nil
}

// discover fetches and reads the discovery document for iss.
func discover(ctx context.Context, f *jwks.Fetcher, iss string) (metadata, Status, error) {
	body, st, err := fetchOIDC(ctx, f, DiscoveryURL(iss), "application/json")
	if err != nil {
		return metadata{}, st, err
	}
	v, err := jwks.ParseJSON(body)
	if err != nil || v.Kind != jsonpos.Object {
		return metadata{}, StatusFail, &discoveryError{err: fmt.Errorf("the discovery document is not a JSON object")}
	}
	fs, err := jwks.Fields(v, "issuer", "jwks_uri", "authorization_endpoint", "response_types_supported", "subject_types_supported", "id_token_signing_alg_values_supported")
	if err != nil {
		return metadata{}, StatusFail, &discoveryError{err: fmt.Errorf("the discovery document has a %v", err)}
	}
	var m metadata
	for _, req := range []struct {
		name string
		dst  *string
	}{{"issuer", &m.issuer}, {"jwks_uri", &m.jwksURI}, {"authorization_endpoint", nil}} {
		s, has, err := jwks.OptString(fs, req.name)
		if err != nil || !has {
			return metadata{}, StatusFail, &discoveryError{err: fmt.Errorf("the discovery document has no string %q", req.name)}
		}
		if req.dst != nil {
			*req.dst = s
		}
	}
	for _, name := range []string{"response_types_supported", "subject_types_supported", "id_token_signing_alg_values_supported"} {
		if f := fs[name]; !f.Present() || f.Value.Kind != jsonpos.Array {
			return metadata{}, StatusFail, &discoveryError{err: fmt.Errorf("the discovery document has no %q array", name)}
		}
	}
	if m.issuer != iss {
		return metadata{}, StatusFail, &discoveryError{err: fmt.Errorf("the discovery document's issuer is %q but the token's iss is %q; they must be equal exactly", m.issuer, iss)}
	}
	return m, StatusPass, nil
}

func oidcKeys(ctx context.Context, f *jwks.Fetcher, url string) (*jwks.Set, []*jwks.ParseError, Status, error) {
	body, st, err := fetchOIDC(ctx, f, url, "application/json", "application/jwk-set+json")
	if err != nil {
		return nil, nil, st, err
	}
	set, skipped, err := jwks.ParseLenient(body)
	if err != nil {
		return nil, nil, StatusFail, &discoveryError{err: err}
	}
	return set, skipped, StatusPass, nil
}
