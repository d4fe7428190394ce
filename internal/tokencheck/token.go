package tokencheck

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/jsonpos"
	"github.com/convex-authkit/convex-authkit/internal/jwks"
)

// Token is a compact JWS split and decoded the way Convex's JWT library
// (biscuit, via serde_json) reads it, keeping apart the parts Convex reads
// at different moments: the payload while routing, the header and
// signature only when verifying.
type Token struct {
	Raw      string
	Segments []string // Raw split on "."; a JWS has three

	Header    *Header // nil when HeaderErr is set
	HeaderErr error

	Claims *Claims // nil only when Decode failed

	Signature    []byte
	SignatureErr error // set when there is no third segment or it is not base64url
}

// Header holds the JOSE header members Convex and its libraries look at.
type Header struct {
	Alg string
	// BiscuitAlg reports an alg the customJwt library knows; EdDSA, which
	// only OIDC providers accept, makes the whole header unreadable to it.
	BiscuitAlg bool
	Kid        string
	HasKid     bool
	Typ        string
	HasTyp     bool
	Cty        string
	HasCty     bool
	Crit       []string
}

// NumericDate is an exp, nbf or iat claim as Convex reads it: whole seconds
// (fractions rounded half away from zero, as the Convex fork of biscuit
// does).
type NumericDate struct {
	Unix int64
}

// Time is the claim as a time.
func (d NumericDate) Time() time.Time { return time.Unix(d.Unix, 0).UTC() }

// Claims are the registered claims with their presence. A claim that is
// null counts as absent, as serde reads an Option.
type Claims struct {
	Iss    string
	HasIss bool
	Sub    string
	HasSub bool
	// Aud is the audience list: a single string becomes one element.
	Aud      []string
	HasAud   bool
	AudArray bool

	Exp, Nbf, Iat *NumericDate

	// Payload is the whole payload object, for the identity and for display.
	Payload *jsonpos.Value
}

// DecodeError says why Convex cannot read the token's payload, which it
// reports as ConvexPayloadError.
type DecodeError struct {
	Reason string
}

func (e *DecodeError) Error() string { return e.Reason }

// Convex's messages for tokens it cannot route (validate_id_token).
const (
	ConvexPayloadError   = "Could not parse JWT payload. Check that the token is a valid JWT format with three base64-encoded parts separated by dots."
	ConvexMissingIssuer  = "Missing issuer claim ('iss') in JWT payload. The JWT must include an 'iss' claim that matches one of your configured auth providers."
	convexKidMissing     = "Could not decode token. JWT may be missing a 'kid' (key ID) header."
	convexKidRedacted    = "Could not decode token. The JWT's 'kid' (key ID) header doesn't match any key in the provider's JWKS, or the JWT signature is invalid."
	convexClaimsError    = "Could not verify token claim. Check that the JWT contains valid claims and matches your auth provider configuration."
	convexOIDCParseError = "Could not parse as OIDC ID token. Token might not be an OIDC-compliant JWT."
	convexOIDCVerify     = "Could not verify OIDC token claim. Check that the token signature is valid and the token hasn't expired."
)

// The range of timestamps chrono can hold (years -262144 to 262143). The
// Convex fork of biscuit unwraps the conversion, so a claim outside it makes
// the backend fail with an internal error rather than an auth error.
const (
	chronoMinUnix = -8334632851200
	chronoMaxUnix = 8210298412799
)

// Decode reads raw as Convex does while routing a token (biscuit's
// unverified_payload): the second dot-separated part must be base64url
// without padding, holding a JSON object whose registered claims have the
// right types. An error here is Convex's ConvexPayloadError. Header and
// signature problems do not stop routing, so they are recorded on the Token
// instead. raw is used as given: callers reading a token from a file or
// stdin should trim the line ending first.
func Decode(raw string) (*Token, error) {
	tok := &Token{Raw: raw, Segments: strings.Split(raw, ".")}
	if len(tok.Segments) < 2 {
		reason := "it has no dots, so it is not a JWT (three base64url parts separated by dots)"
		if raw == "" {
			reason = "the token is empty"
		}
		return tok, &DecodeError{Reason: reason}
	}
	claims, err := decodeClaims(tok.Segments[1])
	if err != nil {
		return tok, &DecodeError{Reason: err.Error()}
	}
	tok.Claims = claims
	tok.Header, tok.HeaderErr = decodeHeader(tok.Segments[0])
	if len(tok.Segments) != 3 {
		tok.SignatureErr = fmt.Errorf("the token has %d parts; a signed JWT has exactly 3", len(tok.Segments))
	} else if tok.Signature, err = jwks.DecodeBase64URL(tok.Segments[2]); err != nil {
		tok.SignatureErr = fmt.Errorf("the signature (part 3) %v", err)
	}
	return tok, nil
}

// SigningInput is what the signature covers: header "." payload.
func (t *Token) SigningInput() string {
	return t.Segments[0] + "." + t.Segments[1]
}

func decodeObject(segment, what string) (*jsonpos.Value, error) {
	b, err := jwks.DecodeBase64URL(segment)
	if err != nil {
		return nil, fmt.Errorf("the %s %v", what, err)
	}
	v, err := jwks.ParseJSON(b)
	if err != nil {
		return nil, fmt.Errorf("the %s is %v", what, err)
	}
	if v.Kind != jsonpos.Object {
		return nil, fmt.Errorf("the %s is a JSON %s, not an object", what, v.Kind)
	}
	return v, nil
}

func decodeClaims(segment string) (*Claims, error) {
	v, err := decodeObject(segment, "payload (part 2)")
	if err != nil {
		return nil, err
	}
	fs, err := jwks.Fields(v, "iss", "sub", "aud", "exp", "nbf", "iat", "jti")
	if err != nil {
		return nil, fmt.Errorf("the payload has a %v", err)
	}
	c := &Claims{Payload: v}
	if c.Iss, c.HasIss, err = jwks.OptString(fs, "iss"); err != nil {
		return nil, claimErr(err)
	}
	if c.Sub, c.HasSub, err = jwks.OptString(fs, "sub"); err != nil {
		return nil, claimErr(err)
	}
	if _, _, err = jwks.OptString(fs, "jti"); err != nil {
		return nil, claimErr(err)
	}
	if aud := fs["aud"]; aud.Present() {
		c.HasAud = true
		switch aud.Value.Kind {
		case jsonpos.String:
			c.Aud = []string{aud.Value.Str}
		case jsonpos.Array:
			c.AudArray = true
			if c.Aud, _, err = jwks.OptStrings(fs, "aud"); err != nil {
				return nil, claimErr(err)
			}
		default:
			return nil, fmt.Errorf(`claim "aud" must be a string or an array of strings, not %s`, aud.Value.Kind)
		}
	}
	for _, d := range []struct {
		name string
		dst  **NumericDate
	}{{"exp", &c.Exp}, {"nbf", &c.Nbf}, {"iat", &c.Iat}} {
		if f := fs[d.name]; f.Present() {
			nd, err := numericDate(f.Value)
			if err != nil {
				return nil, fmt.Errorf("claim %q %v", d.name, err)
			}
			*d.dst = nd
		}
	}
	return c, nil
}

func claimErr(err error) error { return fmt.Errorf("claim %v", err) }

// numericDate follows biscuit's numeric_type as forked by Convex: a
// non-negative integer, or a finite non-negative float below 2^64 rounded
// to whole seconds; then Rust's `as i64` and chrono's range.
func numericDate(v *jsonpos.Value) (*NumericDate, error) {
	if v.Kind != jsonpos.Number {
		return nil, fmt.Errorf("must be a number of seconds since 1970, not %s", v.Kind)
	}
	lit := v.Number
	var u uint64
	integer := !strings.ContainsAny(lit, ".eE")
	switch {
	case integer && !strings.HasPrefix(lit, "-"):
		n, err := strconv.ParseUint(lit, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s is too large", lit)
		}
		u = n
	case integer && strings.Trim(lit[1:], "0") != "":
		return nil, fmt.Errorf("%s is negative", lit)
	case integer: // "-0", which serde_json reads as the float -0.0
	default:
		f, err := strconv.ParseFloat(lit, 64)
		if err != nil || !(f >= 0 && f < 18446744073709551616.0) {
			return nil, fmt.Errorf("%s is negative or too large", lit)
		}
		u = uint64(math.Round(f))
	}
	secs := int64(u) // wraps like Rust's `as i64`
	if secs < chronoMinUnix || secs > chronoMaxUnix {
		return nil, fmt.Errorf("%s is beyond the dates Convex can represent (its backend fails with an internal error)", lit)
	}
	return &NumericDate{Unix: secs}, nil
}

// decodeHeader reads the JOSE header as biscuit's Header<Empty> does, except
// that EdDSA is allowed, which the OIDC library knows and biscuit does not
// (Header.BiscuitAlg tells): "alg" is required; the other registered
// members must have their types; a repeated registered member is an error.
func decodeHeader(segment string) (*Header, error) {
	v, err := decodeObject(segment, "header (part 1)")
	if err != nil {
		return nil, err
	}
	fs, err := jwks.Fields(v, "alg", "typ", "cty", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "crit")
	if err != nil {
		return nil, fmt.Errorf("the header has a %v", err)
	}
	h := &Header{}
	alg, has, err := jwks.OptString(fs, "alg")
	switch {
	case err != nil:
		return nil, fmt.Errorf("header %v", err)
	case !has:
		return nil, fmt.Errorf(`the header has no "alg"`)
	case !jwks.IsSignatureAlg(alg) && alg != "EdDSA":
		return nil, fmt.Errorf("the header's alg %q is not a JWS algorithm Convex knows", alg)
	}
	h.Alg, h.BiscuitAlg = alg, jwks.IsSignatureAlg(alg)
	if h.Kid, h.HasKid, err = jwks.OptString(fs, "kid"); err != nil {
		return nil, fmt.Errorf("header %v", err)
	}
	if h.Typ, h.HasTyp, err = jwks.OptString(fs, "typ"); err != nil {
		return nil, fmt.Errorf("header %v", err)
	}
	if h.Cty, h.HasCty, err = jwks.OptString(fs, "cty"); err != nil {
		return nil, fmt.Errorf("header %v", err)
	}
	for _, name := range []string{"jku", "x5u", "x5t"} {
		if _, _, err = jwks.OptString(fs, name); err != nil {
			return nil, fmt.Errorf("header %v", err)
		}
	}
	if _, _, err = jwks.OptStrings(fs, "x5c"); err != nil {
		return nil, fmt.Errorf("header %v", err)
	}
	if h.Crit, _, err = jwks.OptStrings(fs, "crit"); err != nil {
		return nil, fmt.Errorf("header %v", err)
	}
	return h, nil
}
