package tokencheck

import (
	"strings"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/jwks/jwkstest"
)

// jwt builds an unsigned-looking token from raw JSON texts.
func jwt(header, payload string) string {
	return jwkstest.B64([]byte(header)) + "." + jwkstest.B64([]byte(payload)) + ".c2ln"
}

func TestDecode(t *testing.T) {
	const h = `{"alg":"RS256","kid":"k"}`
	tests := []struct {
		name    string
		token   string
		err     string // substring of the DecodeError
		check   func(*testing.T, *Token)
		headErr string // substring of HeaderErr
	}{
		{name: "empty", token: "", err: "empty"},
		{name: "opaque", token: "sk_test_abc", err: "no dots"},
		{name: "two parts route but cannot verify", token: jwkstest.B64([]byte(h)) + "." + jwkstest.B64([]byte(`{"iss":"x"}`)),
			check: func(t *testing.T, tok *Token) {
				if tok.SignatureErr == nil || !strings.Contains(tok.SignatureErr.Error(), "2 parts") {
					t.Errorf("SignatureErr = %v", tok.SignatureErr)
				}
			}},
		{name: "four parts", token: jwt(h, `{"iss":"x"}`) + ".x", check: func(t *testing.T, tok *Token) {
			if tok.SignatureErr == nil {
				t.Error("want a SignatureErr")
			}
		}},
		{name: "padded payload", token: jwkstest.B64([]byte(h)) + ".eyJpc3MiOiJ4In0=.c2ln", err: "padding"},
		{name: "standard base64", token: jwkstest.B64([]byte(h)) + ".eyJpc3MiOiJ4Pz8_In0+.c2ln", err: "standard base64"},
		{name: "not JSON", token: jwt(h, `{iss:1}`), err: "not valid JSON"},
		{name: "array payload", token: jwt(h, `["iss"]`), err: "not an object"},
		{name: "iss a number", token: jwt(h, `{"iss":1}`), err: `"iss" must be a string`},
		{name: "aud a number", token: jwt(h, `{"iss":"x","aud":1}`), err: `"aud" must be a string or an array`},
		{name: "aud array with a number", token: jwt(h, `{"iss":"x","aud":["a",1]}`), err: `"aud"[1]`},
		{name: "exp a string", token: jwt(h, `{"iss":"x","exp":"1700000000"}`), err: `"exp" must be a number`},
		{name: "exp negative", token: jwt(h, `{"iss":"x","exp":-5}`), err: "negative"},
		{name: "exp beyond chrono", token: jwt(h, `{"iss":"x","exp":9000000000000}`), err: "internal error"},
		{name: "exp at least 2^64", token: jwt(h, `{"iss":"x","exp":1.8446744073709552e19}`), err: "too large"},
		{name: "exp integer overflow", token: jwt(h, `{"iss":"x","exp":18446744073709551616}`), err: "too large"},
		{name: "duplicate iss", token: jwt(h, `{"iss":"x","iss":"y"}`), err: `duplicate field "iss"`},
		{name: "lone surrogate", token: jwt(h, `{"iss":"\udc00"}`), err: "surrogate"},
		{name: "invalid UTF-8", token: jwt(h, "{\"iss\":\"\xff\"}"), err: "UTF-8"},

		{name: "exp -0 is zero", token: jwt(h, `{"iss":"x","exp":-0}`), check: expIs(0)},
		{name: "exp 1.5 rounds up", token: jwt(h, `{"iss":"x","exp":1.5}`), check: expIs(2)},
		{name: "exp 1e3", token: jwt(h, `{"iss":"x","exp":1e3}`), check: expIs(1000)},
		{name: "exp u64 max wraps like Rust", token: jwt(h, `{"iss":"x","exp":18446744073709551615}`), check: expIs(-1)},
		{name: "null claims are absent", token: jwt(h, `{"iss":null,"aud":null,"exp":null}`), check: func(t *testing.T, tok *Token) {
			if c := tok.Claims; c.HasIss || c.HasAud || c.Exp != nil {
				t.Errorf("claims %+v", c)
			}
		}},
		{name: "duplicate custom claim is fine", token: jwt(h, `{"iss":"x","role":"a","role":"b"}`)},
		{name: "aud string", token: jwt(h, `{"iss":"x","aud":"a"}`), check: func(t *testing.T, tok *Token) {
			if c := tok.Claims; !c.HasAud || c.AudArray || len(c.Aud) != 1 {
				t.Errorf("claims %+v", c)
			}
		}},

		{name: "header without alg", token: jwt(`{"kid":"k"}`, `{"iss":"x"}`), headErr: `no "alg"`},
		{name: "header with unknown alg", token: jwt(`{"alg":"ES256K"}`, `{"iss":"x"}`), headErr: "ES256K"},
		{name: "header with numeric kid", token: jwt(`{"alg":"RS256","kid":1}`, `{"iss":"x"}`), headErr: `"kid" must be a string`},
		{name: "header not base64url", token: "e30=." + jwkstest.B64([]byte(`{"iss":"x"}`)) + ".c2ln", headErr: "padding"},
		{name: "EdDSA header is readable, but not by biscuit", token: jwt(`{"alg":"EdDSA","kid":"k"}`, `{"iss":"x"}`), check: func(t *testing.T, tok *Token) {
			if tok.Header == nil || tok.Header.BiscuitAlg {
				t.Errorf("header %+v", tok.Header)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := Decode(tt.token)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if tt.headErr != "" {
				if tok.HeaderErr == nil || !strings.Contains(tok.HeaderErr.Error(), tt.headErr) {
					t.Errorf("HeaderErr = %v, want %q", tok.HeaderErr, tt.headErr)
				}
			} else if tok.HeaderErr != nil {
				t.Errorf("HeaderErr = %v", tok.HeaderErr)
			}
			if tt.check != nil {
				tt.check(t, tok)
			}
		})
	}
}

func expIs(want int64) func(*testing.T, *Token) {
	return func(t *testing.T, tok *Token) {
		if tok.Claims.Exp == nil || tok.Claims.Exp.Unix != want {
			t.Errorf("exp = %+v, want %d", tok.Claims.Exp, want)
		}
	}
}

func TestCheckDecodeHints(t *testing.T) {
	tests := []struct {
		token, hint string
	}{
		{"sk_test_abc", "not a refresh token"},
		{jwt(`{"alg":"RS256"}`, `{"iss":"x"}`) + "\n", "whitespace"},
		// The Authorization header's value, copied whole.
		{"Bearer " + jwt(`{"alg":"RS256"}`, `{"iss":"x"}`), `remove the "Bearer " prefix`},
		{"bearer abc", `remove the "Bearer " prefix`},
	}
	for _, tt := range tests {
		r, _ := CheckDecode(tt.token)
		if r.Status != StatusFail || !strings.Contains(r.Hint, tt.hint) {
			t.Errorf("CheckDecode(%q) = %s, hint %q; want hint with %q", tt.token, r.Status, r.Hint, tt.hint)
		}
	}
}
