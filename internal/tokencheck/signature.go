package tokencheck

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/jwks"
)

// Causes of a token.signature failure ("cause" in the details). Convex
// reports all of them with one message (convexDecodeError); these tell
// them apart. Key problems use the jwks.Key* codes.
const (
	CauseParts             = "parts"              // not three segments
	CauseSignatureEncoding = "signature-encoding" // third segment not base64url
	CauseHeader            = "header"             // header unreadable or unknown alg
	CauseKidMissing        = "kid-missing"
	CauseKidNotFound       = "kid-not-found"
	CauseAlgHeaderVsKey    = "alg-header-vs-key"        // header alg differs from the JWK's alg
	CauseAlgConfigVsKey    = "alg-configured-vs-key"    // provider algorithm differs from the JWK's alg
	CauseAlgConfigVsHeader = "alg-configured-vs-header" // JWK has no alg; provider algorithm differs from the header's
	CauseBadSignature      = "bad-signature"
)

// convexDecodeError is the message Convex gives for any failure of
// decode_with_jwks: it depends only on whether the header has a readable
// kid, and production deployments redact the kid.
func convexDecodeError(tok *Token, redacted bool) string {
	if tok.Header == nil || !tok.Header.BiscuitAlg || !tok.Header.HasKid {
		return convexKidMissing
	}
	if redacted {
		return convexKidRedacted
	}
	return fmt.Sprintf("Could not decode token. The JWT's 'kid' (key ID) header is '%s', does this key match any key in the provider's JWKS?", tok.Header.Kid)
}

// CheckSignature is token.signature for a customJwt provider: biscuit's
// decode_with_jwks with the provider's algorithm, step by step. The header
// needs a kid; the key is the first JWK with exactly that kid; a JWK alg,
// when present, must be a signature algorithm equal to both the header alg
// and the configured algorithm (without one, header and configured must be
// equal); the key must suit the algorithm (RSA 2048-8192 bits for RS256,
// P-256 for ES256); and the signature must verify. set is the provider's
// JWKS as Convex would parse it.
//
// Details: "jwks", "algorithm", "alg", "kid", "kids" (in the JWKS),
// "keyIndex", "key", "cause", "convexError", "convexErrorRedacted".
func CheckSignature(tok *Token, p Provider, set *jwks.Set) Result {
	d := map[string]any{"jwks": p.JWKS, "algorithm": p.Algorithm}
	if tok.Header != nil {
		d["alg"] = tok.Header.Alg
		if tok.Header.HasKid {
			d["kid"] = tok.Header.Kid
		}
	}
	fail := func(cause, msg, hint string) Result {
		d["cause"] = cause
		d["convexError"], d["convexErrorRedacted"] = convexDecodeError(tok, false), convexDecodeError(tok, true)
		return result(IDTokenSignature, StatusFail, msg, hint, d)
	}
	if cause, msg, hint := malformed(tok); cause != "" {
		return fail(cause, msg, hint)
	}
	h := tok.Header
	if !h.BiscuitAlg {
		return fail(CauseHeader, fmt.Sprintf("the token's alg %s is unknown to the library Convex uses for customJwt providers, so it cannot read the header", h.Alg),
			"customJwt providers accept RS256 and ES256; EdDSA tokens need an OIDC provider")
	}
	if !h.HasKid {
		return fail(CauseKidMissing, "the token's header has no kid; Convex selects the JWKS key by kid, so a customJwt token without one is always rejected",
			"configure the issuer to put the signing key's kid in the JWT header")
	}
	d["kids"] = set.Kids()
	key := set.Find(h.Kid)
	if key == nil {
		return fail(CauseKidNotFound, fmt.Sprintf("no key in the JWKS at %s has kid %q; it has %s", p.JWKS, h.Kid, kidList(set)),
			"the token was signed by a key this JWKS does not publish: check that the provider's jwks URL belongs to the same environment and client ID as the token's issuer; after a key rotation, a deployment may keep a cached JWKS until its cache headers expire")
	}
	d["keyIndex"], d["key"] = key.Index, key.Describe()
	if key.Alg != "" {
		if jwks.AlgFamily(key.Alg) != "signature" {
			return fail(jwks.KeyNotSigning, fmt.Sprintf("the JWK with kid %q has alg %s, an encryption algorithm, so it cannot verify signatures", h.Kid, key.Alg),
				"publish the signing key under this kid")
		}
		if h.Alg != key.Alg {
			return fail(CauseAlgHeaderVsKey, fmt.Sprintf("the token's header says alg %s but the JWK with kid %q has alg %s", h.Alg, h.Kid, key.Alg),
				"the issuer signs with a different algorithm than the key declares; fix the issuer or the JWKS")
		}
		if p.Algorithm != key.Alg {
			return fail(CauseAlgConfigVsKey, fmt.Sprintf("the token and its JWK use %s but the provider's algorithm is %s", key.Alg, p.Algorithm),
				fmt.Sprintf("set algorithm: %q for this provider in convex/auth.config.ts and push again", key.Alg))
		}
	} else if p.Algorithm != h.Alg {
		return fail(CauseAlgConfigVsHeader, fmt.Sprintf("the token is signed with %s but the provider's algorithm is %s", h.Alg, p.Algorithm),
			fmt.Sprintf("if the issuer really uses %s, set algorithm: %q for this provider (Convex supports RS256 and ES256) and push again", h.Alg, h.Alg))
	}
	if prob := key.ProblemFor(p.Algorithm); prob != nil {
		msg := fmt.Sprintf("the JWK with kid %q cannot verify %s: %s", h.Kid, p.Algorithm, prob.Message)
		if key.Kty == "RSA" && p.Algorithm == "ES256" {
			msg += " (Convex fails with an internal error on this combination)"
		}
		return fail(prob.Code, msg, keyHint(prob.Code))
	}
	if err := verifyJWS(p.Algorithm, key, tok.SigningInput(), tok.Signature); err != nil {
		return fail(CauseBadSignature, fmt.Sprintf("the signature does not verify with the JWK with kid %q (%s): %v", h.Kid, key.Describe(), err),
			"the token was altered after signing, or signed by another key published under the same kid (for example a token from another environment); get a fresh token from the issuer")
	}
	return result(IDTokenSignature, StatusPass, fmt.Sprintf("signature verified with the JWK with kid %q (%s)", h.Kid, key.Describe()), "", d)
}

// malformed says what keeps any library from verifying tok, if anything:
// the number of parts, the signature's encoding or an unreadable header.
func malformed(tok *Token) (cause, msg, hint string) {
	switch {
	case len(tok.Segments) != 3:
		return CauseParts, tok.SignatureErr.Error(), "send the complete token: header.payload.signature"
	case tok.SignatureErr != nil:
		return CauseSignatureEncoding, tok.SignatureErr.Error(), "send the token exactly as the issuer produced it"
	case tok.HeaderErr != nil:
		return CauseHeader, tok.HeaderErr.Error(), "the issuer must produce a standard JWS header with an alg and a kid"
	}
	return "", "", ""
}

func kidList(set *jwks.Set) string {
	kids := set.Kids()
	if len(kids) == 0 {
		return "no keys with a kid"
	}
	q := make([]string, len(kids))
	for i, k := range kids {
		q[i] = fmt.Sprintf("%q", k)
	}
	return strings.Join(q, ", ")
}

func keyHint(code string) string {
	switch code {
	case jwks.KeyTooSmall:
		return "Convex verifies RS256 with ring, which needs a 2048-bit or larger RSA key: rotate the issuer to a 2048-bit key"
	case jwks.KeyTooLarge:
		return "ring accepts RSA keys up to 8192 bits: use a smaller key"
	case jwks.KeyWrongType:
		return "the provider's algorithm must fit the key type: RS256 for RSA keys, ES256 for EC P-256 keys"
	}
	return "publish a valid signing key under this kid"
}

// verifyJWS checks sig over input with the key, for RS256 (PKCS#1 v1.5,
// SHA-256) or ES256 (raw 64-byte R||S, as ring's ECDSA_P256_SHA256_FIXED).
func verifyJWS(alg string, key *jwks.Key, input string, sig []byte) error {
	sum := sha256.Sum256([]byte(input))
	switch alg {
	case "RS256":
		pub, err := key.RSAPublicKey()
		if err != nil {
			return err
		}
		if len(sig) != (pub.N.BitLen()+7)/8 {
			return fmt.Errorf("an RS256 signature for this key is %d bytes, this one is %d", (pub.N.BitLen()+7)/8, len(sig))
		}
		if rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) != nil {
			return errors.New("it was not made by this key over this header and payload")
		}
		return nil
	case "ES256":
		pub, err := key.ECDSAPublicKey()
		if err != nil {
			return err
		}
		if len(sig) != 64 {
			return fmt.Errorf("an ES256 signature is 64 bytes (R||S), this one is %d (a DER-encoded signature?)", len(sig))
		}
		r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
		if !ecdsa.Verify(pub, sum[:], r, s) {
			return errors.New("it was not made by this key over this header and payload")
		}
		return nil
	}
	return fmt.Errorf("unsupported algorithm %q", alg)
}
