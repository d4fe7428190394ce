package jwks

import (
	"bytes"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/jsonpos"
)

// Key is one JWK as Convex's JWT library (biscuit) reads it.
type Key struct {
	Index  int    // position in "keys"
	Kid    string // key ID; compare only when HasKid
	HasKid bool
	Kty    string // "RSA", "EC", "oct" or "OKP"
	Alg    string // "alg" as written; "" when absent
	Use    string // "use" as written; "" when absent
	Crv    string // for EC and OKP

	N, E *big.Int // RSA modulus and exponent
	X, Y []byte   // EC coordinates (Y empty for OKP)
	// Private reports a private member ("d" and friends, or an oct secret):
	// a JWKS published for verification should not carry one.
	Private bool
}

// Set is a parsed JWKS.
type Set struct {
	Keys []Key
}

// Find returns the key Convex would pick for kid: the first whose "kid"
// equals it exactly. Keys without a kid are never picked.
func (s *Set) Find(kid string) *Key {
	for i := range s.Keys {
		if s.Keys[i].HasKid && s.Keys[i].Kid == kid {
			return &s.Keys[i]
		}
	}
	return nil
}

// Kids lists the key IDs in order, for messages.
func (s *Set) Kids() []string {
	var kids []string
	for _, k := range s.Keys {
		if k.HasKid {
			kids = append(kids, k.Kid)
		}
	}
	return kids
}

// ParseError is why Convex would refuse a JWKS body. Convex's own message
// (InvalidBodyMessage) says only that the body is invalid; this names the
// key and member responsible.
type ParseError struct {
	Index  int    // the key at fault, or -1 for the set itself
	Kid    string // the key's kid, when it has a readable one
	Reason string
	HTML   bool // the body looks like an HTML page
}

func (e *ParseError) Error() string {
	if e.Index < 0 {
		return e.Reason
	}
	if e.Kid != "" {
		return fmt.Sprintf("keys[%d] (kid %q): %s", e.Index, e.Kid, e.Reason)
	}
	return fmt.Sprintf("keys[%d]: %s", e.Index, e.Reason)
}

// InvalidBodyMessage is Convex's error for a body that does not parse.
func InvalidBodyMessage(url string) string {
	return fmt.Sprintf("Invalid JWKS response body from '%s'. The response is not valid JSON or doesn't match the expected JWKS format.", url)
}

// Algorithm families as biscuit's jwa::Algorithm knows them. A JWK "alg"
// outside all three (EdDSA, ES256K, RSA-OAEP-384, ...) makes the whole set
// fail to parse.
var (
	signatureAlgs = []string{"none", "HS256", "HS384", "HS512", "RS256", "RS384", "RS512",
		"ES256", "ES384", "ES512", "PS256", "PS384", "PS512"}
	keyManagementAlgs = []string{"RSA1_5", "RSA-OAEP", "RSA-OAEP-256", "A128KW", "A192KW", "A256KW",
		"dir", "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW",
		"A128GCMKW", "A192GCMKW", "A256GCMKW",
		"PBES2-HS256+A128KW", "PBES2-HS384+A192KW", "PBES2-HS512+A256KW"}
	contentEncryptionAlgs = []string{"A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512",
		"A128GCM", "A192GCM", "A256GCM"}
	// curves is biscuit's EllipticCurve enum, shared by EC and OKP keys.
	curves = []string{"P-256", "P-384", "P-521", "Ed25519", "Ed448"}
)

// IsSignatureAlg reports whether alg is one of biscuit's JWS algorithms, the
// only ones a JWT header may name.
func IsSignatureAlg(alg string) bool { return slices.Contains(signatureAlgs, alg) }

// AlgFamily names biscuit's family for a JWK alg: "signature",
// "key-management", "content-encryption", or "" for an unknown one.
func AlgFamily(alg string) string {
	switch {
	case slices.Contains(signatureAlgs, alg):
		return "signature"
	case slices.Contains(keyManagementAlgs, alg):
		return "key-management"
	case slices.Contains(contentEncryptionAlgs, alg):
		return "content-encryption"
	}
	return ""
}

// Members of a JWK that biscuit declares, per part of the flattened struct.
var (
	commonMembers = []string{"use", "key_ops", "alg", "kid", "x5u", "x5c", "x5t"}
	ktyMembers    = map[string][]string{
		"EC":  {"kty", "crv", "x", "y", "d"},
		"RSA": {"kty", "n", "e", "d", "p", "q", "dp", "dq", "qi", "oth"},
		"oct": {"kty", "k"},
		"OKP": {"kty", "crv", "x", "d"},
	}
)

// Parse reads body as biscuit's JWKSet<Empty> via serde_json: strictly.
// One key that biscuit cannot represent (an unknown alg, kty or curve, a
// member of the wrong type, base64 that is not canonical base64url) makes
// the whole set unusable, which is what Convex does for customJwt.
func Parse(body []byte) (*Set, error) {
	keys, err := parseSetShape(body)
	if err != nil {
		return nil, err
	}
	set := &Set{Keys: make([]Key, 0, len(keys))}
	for i, kv := range keys {
		k, err := parseKey(kv)
		if err != nil {
			return nil, keyError(i, kv, err)
		}
		k.Index = i
		set.Keys = append(set.Keys, k)
	}
	return set, nil
}

// parseSetShape checks the set around the keys: a JSON object with one
// "keys" array.
func parseSetShape(body []byte) ([]*jsonpos.Value, error) {
	v, err := ParseJSON(body)
	if err != nil {
		return nil, &ParseError{Index: -1, Reason: "the body is " + err.Error(), HTML: looksLikeHTML(body)}
	}
	if v.Kind != jsonpos.Object {
		return nil, &ParseError{Index: -1, Reason: fmt.Sprintf("the body is a JSON %s, not an object with \"keys\"", v.Kind)}
	}
	fs, err := Fields(v, "keys")
	if err != nil {
		return nil, &ParseError{Index: -1, Reason: err.Error()}
	}
	keys := fs["keys"].Value
	switch {
	case keys == nil:
		return nil, &ParseError{Index: -1, Reason: `the object has no "keys" member`}
	case keys.Kind != jsonpos.Array:
		return nil, &ParseError{Index: -1, Reason: fmt.Sprintf(`"keys" must be an array, not %s`, keys.Kind)}
	}
	return keys.Elems, nil
}

// ParseLenient reads body as the OIDC library Convex uses for OIDC
// providers does: the set itself must be well-formed, but keys it cannot
// read are skipped (and returned as errors) rather than failing the set.
func ParseLenient(body []byte) (*Set, []*ParseError, error) {
	keys, err := parseSetShape(body)
	if err != nil {
		return nil, nil, err
	}
	set := &Set{}
	var skipped []*ParseError
	for i, kv := range keys {
		k, err := parseKey(kv)
		if err != nil {
			skipped = append(skipped, keyError(i, kv, err))
			continue
		}
		k.Index = i
		set.Keys = append(set.Keys, k)
	}
	return set, skipped, nil
}

func keyError(i int, kv *jsonpos.Value, err error) *ParseError {
	pe := &ParseError{Index: i, Reason: err.Error()}
	if kv.Kind == jsonpos.Object {
		if m, ok := kv.Lookup("kid"); ok && m.Value.Kind == jsonpos.String {
			pe.Kid = m.Value.Str
		}
	}
	return pe
}

func parseKey(v *jsonpos.Value) (Key, error) {
	var k Key
	if v.Kind != jsonpos.Object {
		return k, fmt.Errorf("a key must be an object, not %s", v.Kind)
	}
	common, err := Fields(v, commonMembers...)
	if err != nil {
		return k, err
	}
	if k.Use, _, err = OptString(common, "use"); err != nil {
		return k, err
	}
	if _, _, err = OptStrings(common, "key_ops"); err != nil {
		return k, err
	}
	if k.Kid, k.HasKid, err = OptString(common, "kid"); err != nil {
		return k, err
	}
	for _, name := range []string{"x5u", "x5t"} {
		if _, _, err = OptString(common, name); err != nil {
			return k, err
		}
	}
	if _, _, err = OptStrings(common, "x5c"); err != nil {
		return k, err
	}
	if k.Alg, _, err = OptString(common, "alg"); err != nil {
		return k, err
	}
	if k.Alg != "" && AlgFamily(k.Alg) == "" {
		return k, fmt.Errorf("\"alg\" %q is not an algorithm Convex's JWT library knows", k.Alg)
	}

	kty, ok := v.Lookup("kty")
	if !ok || kty.Value.Kind == jsonpos.Null {
		return k, fmt.Errorf(`no "kty" member`)
	}
	if kty.Value.Kind != jsonpos.String {
		return k, fmt.Errorf(`"kty" must be a string, not %s`, kty.Value.Kind)
	}
	k.Kty = kty.Value.Str
	members, known := ktyMembers[k.Kty]
	if !known {
		return k, fmt.Errorf("\"kty\" %q is not a key type Convex's JWT library knows (EC, RSA, oct, OKP)", k.Kty)
	}
	fs, err := Fields(v, members...)
	if err != nil {
		return k, err
	}
	switch k.Kty {
	case "EC", "OKP":
		crv, has, err := OptString(fs, "crv")
		if err != nil {
			return k, err
		}
		if !has {
			return k, fmt.Errorf(`an %s key needs "crv"`, k.Kty)
		}
		if !slices.Contains(curves, crv) {
			return k, fmt.Errorf("\"crv\" %q is not a curve Convex's JWT library knows (%s)", crv, strings.Join(curves, ", "))
		}
		k.Crv = crv
		if k.X, err = b64Member(fs, "x", true); err != nil {
			return k, err
		}
		if k.Kty == "EC" {
			if k.Y, err = b64Member(fs, "y", true); err != nil {
				return k, err
			}
		}
		d, err := b64Member(fs, "d", false)
		if err != nil {
			return k, err
		}
		k.Private = d != nil
	case "RSA":
		n, err := b64Member(fs, "n", true)
		if err != nil {
			return k, err
		}
		e, err := b64Member(fs, "e", true)
		if err != nil {
			return k, err
		}
		k.N, k.E = new(big.Int).SetBytes(n), new(big.Int).SetBytes(e)
		for _, name := range []string{"d", "p", "q", "dp", "dq", "qi"} {
			b, err := b64Member(fs, name, false)
			if err != nil {
				return k, err
			}
			k.Private = k.Private || b != nil
		}
		if err := checkOtherPrimes(fs["oth"]); err != nil {
			return k, err
		}
	case "oct":
		if _, err := b64Member(fs, "k", true); err != nil {
			return k, err
		}
		k.Private = true
	}
	return k, nil
}

func b64Member(fs map[string]Field, name string, required bool) ([]byte, error) {
	f := fs[name]
	if !f.Present() {
		if required {
			return nil, fmt.Errorf("no %q member", name)
		}
		return nil, nil
	}
	if f.Value.Kind != jsonpos.String {
		return nil, fmt.Errorf("%q must be a base64url string, not %s", name, f.Value.Kind)
	}
	b, err := DecodeBase64URL(f.Value.Str)
	if err != nil {
		return nil, fmt.Errorf("%q %v", name, err)
	}
	if b == nil {
		b = []byte{}
	}
	return b, nil
}

func checkOtherPrimes(f Field) error {
	if !f.Present() {
		return nil
	}
	if f.Value.Kind != jsonpos.Array {
		return fmt.Errorf(`"oth" must be an array, not %s`, f.Value.Kind)
	}
	for i, e := range f.Value.Elems {
		if e.Kind != jsonpos.Object {
			return fmt.Errorf(`"oth"[%d] must be an object`, i)
		}
		fs, err := Fields(e, "r", "d", "t")
		if err != nil {
			return fmt.Errorf(`"oth"[%d]: %v`, i, err)
		}
		for _, name := range []string{"r", "d", "t"} {
			if _, err := b64Member(fs, name, true); err != nil {
				return fmt.Errorf(`"oth"[%d]: %v`, i, err)
			}
		}
	}
	return nil
}

// looksLikeHTML reports a body that starts with a tag, as the web page a
// wrong URL serves does; a JWKS starts with "{".
func looksLikeHTML(body []byte) bool {
	return bytes.HasPrefix(bytes.TrimSpace(body), []byte("<"))
}
