// Package jwkstest builds keys, JWKS documents and signed tokens for tests
// of the jwks and tokencheck packages.
package jwkstest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"sync"
)

var (
	once          sync.Once
	rsa2048, rsaB *rsa.PrivateKey
	rsa1024       *rsa.PrivateKey
	p256          *ecdsa.PrivateKey
)

func gen() {
	var err error
	if rsa2048, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		panic(err)
	}
	if rsaB, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		panic(err)
	}
	if rsa1024, err = rsa.GenerateKey(rand.Reader, 1024); err != nil {
		panic(err)
	}
	if p256, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		panic(err)
	}
}

// RSA returns a 2048-bit key, generated once per test binary.
func RSA() *rsa.PrivateKey { once.Do(gen); return rsa2048 }

// OtherRSA returns a second 2048-bit key, for signatures that must not verify.
func OtherRSA() *rsa.PrivateKey { once.Do(gen); return rsaB }

// RSA1024 returns a 1024-bit key, too small for Convex.
func RSA1024() *rsa.PrivateKey { once.Do(gen); return rsa1024 }

// P256 returns a P-256 key.
func P256() *ecdsa.PrivateKey { once.Do(gen); return p256 }

// B64 is base64url without padding.
func B64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// RSAJWK is the public JWK of k; alg "" leaves "alg" out.
func RSAJWK(kid, alg string, k *rsa.PublicKey) map[string]any {
	m := map[string]any{
		"kty": "RSA", "use": "sig",
		"n": B64(k.N.Bytes()),
		"e": B64(big.NewInt(int64(k.E)).Bytes()),
	}
	if kid != "" {
		m["kid"] = kid
	}
	if alg != "" {
		m["alg"] = alg
	}
	return m
}

// ECJWK is the public JWK of a P-256 key; alg "" leaves "alg" out.
func ECJWK(kid, alg string, k *ecdsa.PublicKey) map[string]any {
	point, err := k.Bytes() // 0x04 || x || y
	if err != nil {
		panic(err)
	}
	m := map[string]any{"kty": "EC", "crv": "P-256", "x": B64(point[1:33]), "y": B64(point[33:])}
	if kid != "" {
		m["kid"] = kid
	}
	if alg != "" {
		m["alg"] = alg
	}
	return m
}

// Set is the JSON of {"keys": keys}.
func Set(keys ...map[string]any) []byte {
	if keys == nil {
		keys = []map[string]any{}
	}
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		panic(err)
	}
	return b
}

// Segment is base64url(JSON(v)).
func Segment(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return B64(b)
}

// Sign returns a compact JWS of header and claims signed with key: an
// *rsa.PrivateKey signs RS256 (PKCS#1 v1.5), an *ecdsa.PrivateKey signs
// ES256 (raw R||S). The header is used as given, so tests can lie in it.
func Sign(key crypto.Signer, header, claims map[string]any) string {
	input := Segment(header) + "." + Segment(claims)
	return input + "." + B64(SignInput(key, input))
}

// SignInput signs the JWS signing input.
func SignInput(key crypto.Signer, input string) []byte {
	sum := sha256.Sum256([]byte(input))
	switch k := key.(type) {
	case *rsa.PrivateKey:
		sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
		if err != nil {
			panic(err)
		}
		return sig
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand.Reader, k, sum[:])
		if err != nil {
			panic(err)
		}
		out := make([]byte, 64)
		r.FillBytes(out[:32])
		s.FillBytes(out[32:])
		return out
	}
	panic("jwkstest: unsupported key type")
}

// Graft returns token with the signature of from: a well-formed token
// whose signature does not match its content.
func Graft(token, from string) string {
	parts := strings.Split(token, ".")
	other := strings.Split(from, ".")
	parts[2] = other[2]
	return strings.Join(parts, ".")
}
