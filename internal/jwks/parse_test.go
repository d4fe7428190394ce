package jwks

import (
	"strings"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/jwks/jwkstest"
)

func TestDecodeBase64URL(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: "aGk", want: "hi"},
		{in: "", want: ""},
		{in: "aGk=", err: "padding"},
		{in: "a+k", err: "standard base64"},
		{in: "aG\nk", err: "whitespace"},
		{in: "aGl", err: "non-zero padding bits"},
		{in: "a", err: "length"},
		{in: "a*k", err: "not a base64url character"},
	}
	for _, tt := range tests {
		got, err := DecodeBase64URL(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("DecodeBase64URL(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || string(got) != tt.want {
			t.Errorf("DecodeBase64URL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestCheckContentType(t *testing.T) {
	tests := []struct {
		values  []string
		ok      bool
		problem string
		shown   string
	}{
		{[]string{"application/json"}, true, CTOK, "application/json"},
		{[]string{"application/jwk-set+json"}, true, CTOK, ""},
		{[]string{"Application/JSON"}, true, CTOK, ""},
		{[]string{"application/json; charset=utf-8"}, true, CTOK, ""},
		{[]string{"application/json;charset=UTF-8"}, true, CTOK, ""},
		{[]string{`application/json; charset="utf-8"`}, true, CTOK, ""},
		{[]string{"application/json;  charset=utf-8"}, true, CTOK, ""},
		{[]string{"application/json; foo=bar; charset=utf-8"}, true, CTOK, ""},
		{[]string{"application/json; charset=utf-8; charset=latin1"}, true, CTOK, ""}, // first wins
		{[]string{"application/json; "}, true, CTOK, ""},
		{[]string{"application/json", "text/html"}, true, CTOK, ""},
		{[]string{"application/json; charset=iso-8859-1"}, false, CTCharset, "application/json; charset=iso-8859-1"},
		{[]string{"application/json; charset=utf8"}, false, CTCharset, ""},
		{[]string{"text/html; charset=utf-8"}, false, CTEssence, ""},
		{[]string{"text/plain"}, false, CTEssence, ""},
		{[]string{"application/jwk+json"}, false, CTEssence, ""},
		{[]string{"application/json ; charset=utf-8"}, false, CTUnparsable, ""}, // no space before ';' in mime 0.3
		{[]string{"application/json;\tcharset=utf-8"}, false, CTUnparsable, ""},
		{[]string{"application/json; charset=utf-8 "}, false, CTUnparsable, ""},
		{[]string{"application/json; charset"}, false, CTUnparsable, ""},
		{[]string{`application/json; charset="utf-8`}, false, CTUnparsable, ""},
		{[]string{"json"}, false, CTUnparsable, ""},
		{[]string{""}, false, CTUnparsable, ""},
		{nil, false, CTMissing, "unknown"},
		{[]string{"application/json; charset=\u00e9"}, false, CTNotASCII, "unknown"},
	}
	for _, tt := range tests {
		got := CheckContentType(tt.values)
		if got.OK != tt.ok || got.Problem != tt.problem {
			t.Errorf("CheckContentType(%q) = ok %v problem %q (%s), want ok %v problem %q", tt.values, got.OK, got.Problem, got.ParseError, tt.ok, tt.problem)
		}
		if tt.shown != "" && got.Shown != tt.shown {
			t.Errorf("CheckContentType(%q).Shown = %q, want %q", tt.values, got.Shown, tt.shown)
		}
	}
}

func TestParse(t *testing.T) {
	rsaKey := jwkstest.RSAJWK("k1", "RS256", &jwkstest.RSA().PublicKey)
	ecKey := jwkstest.ECJWK("e1", "ES256", &jwkstest.P256().PublicKey)
	with := func(base map[string]any, k string, v any) map[string]any {
		m := map[string]any{}
		for kk, vv := range base {
			m[kk] = vv
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name  string
		body  string
		keys  int
		err   string // substring of the ParseError
		index int
	}{
		{name: "rsa and ec", body: string(jwkstest.Set(rsaKey, ecKey)), keys: 2},
		{name: "empty set", body: `{"keys":[]}`, keys: 0},
		{name: "extra members ignored", body: `{"keys":[],"other":1}`, keys: 0},
		{name: "workos shape", body: string(jwkstest.Set(with(with(rsaKey, "x5c", []string{"MIIB"}), "x5t#S256", "abc"))), keys: 1},
		{name: "null kid is absent", body: string(jwkstest.Set(with(rsaKey, "kid", nil))), keys: 1},
		{name: "okp ed25519 without alg parses", body: `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"o"}]}`, keys: 1},
		{name: "oct key parses", body: `{"keys":[{"kty":"oct","k":"c2VjcmV0","kid":"h"}]}`, keys: 1},

		{name: "EdDSA alg breaks the set", body: string(jwkstest.Set(rsaKey, with(ecKey, "alg", "EdDSA"))), err: `"alg" "EdDSA" is not an algorithm`, index: 1},
		{name: "ES256K alg", body: string(jwkstest.Set(with(ecKey, "alg", "ES256K"))), err: "ES256K", index: 0},
		{name: "unknown kty", body: `{"keys":[{"kty":"foo","kid":"x"}]}`, err: `"kty" "foo"`},
		{name: "unknown curve", body: string(jwkstest.Set(with(ecKey, "crv", "secp256k1"))), err: `"crv" "secp256k1"`},
		{name: "X25519 curve", body: `{"keys":[{"kty":"OKP","crv":"X25519","x":"AA"}]}`, err: `"crv" "X25519"`},
		{name: "missing y", body: string(jwkstest.Set(with(ecKey, "y", nil))), err: `no "y" member`},
		{name: "numeric kid", body: string(jwkstest.Set(with(rsaKey, "kid", 7))), err: `"kid" must be a string`},
		{name: "padded n", body: string(jwkstest.Set(with(rsaKey, "e", "AQAB=="))), err: `"e" has '=' padding`},
		{name: "standard base64 n", body: `{"keys":[{"kty":"RSA","n":"a+b/","e":"AQAB"}]}`, err: "standard base64"},
		{name: "duplicate kid member", body: `{"keys":[{"kty":"RSA","kid":"a","kid":"b","n":"AQAB","e":"AQAB"}]}`, err: `duplicate field "kid"`},
		{name: "key_ops not strings", body: `{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","key_ops":[1]}]}`, err: `"key_ops"[0]`},
		{name: "no kty", body: `{"keys":[{"n":"AQAB","e":"AQAB"}]}`, err: `no "kty"`},
		{name: "key not object", body: `{"keys":["x"]}`, err: "must be an object"},
		{name: "no keys", body: `{"jwks":[]}`, err: `no "keys" member`, index: -1},
		{name: "keys not array", body: `{"keys":{}}`, err: `"keys" must be an array`, index: -1},
		{name: "duplicate keys", body: `{"keys":[],"keys":[]}`, err: `duplicate field "keys"`, index: -1},
		{name: "array body", body: `[]`, err: "JSON array", index: -1},
		{name: "html", body: "<!DOCTYPE html><html></html>", err: "not valid JSON", index: -1},
		{name: "lone surrogate", body: `{"keys":[],"x":"\udc00"}`, err: "surrogate", index: -1},
		{name: "surrogate pair ok", body: `{"keys":[],"x":"\ud83d\ude00"}`, keys: 0},
		{name: "huge number", body: `{"keys":[],"x":1e400}`, err: "out of range", index: -1},
		{name: "too deep", body: `{"keys":[],"x":` + strings.Repeat("[", 127) + strings.Repeat("]", 127) + `}`, err: "nested more than", index: -1},
		{name: "deep but fine", body: `{"keys":[],"x":` + strings.Repeat("[", 126) + strings.Repeat("]", 126) + `}`, keys: 0},
		{name: "trailing garbage", body: `{"keys":[]} x`, err: "not valid JSON", index: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := Parse([]byte(tt.body))
			if tt.err == "" {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if len(set.Keys) != tt.keys {
					t.Fatalf("got %d keys, want %d", len(set.Keys), tt.keys)
				}
				return
			}
			pe, ok := err.(*ParseError)
			if !ok {
				t.Fatalf("Parse error = %v (%T), want *ParseError", err, err)
			}
			if !strings.Contains(pe.Error(), tt.err) {
				t.Errorf("error %q does not contain %q", pe.Error(), tt.err)
			}
			if pe.Index != tt.index {
				t.Errorf("index = %d, want %d", pe.Index, tt.index)
			}
		})
	}
}

func TestParseHTMLIsFlagged(t *testing.T) {
	_, err := Parse([]byte("\n<!doctype html>\n<title>Sign in</title>"))
	if pe, ok := err.(*ParseError); !ok || !pe.HTML {
		t.Fatalf("want an HTML ParseError, got %#v", err)
	}
}

func TestProblemFor(t *testing.T) {
	mustKey := func(m map[string]any) Key {
		set, err := Parse(jwkstest.Set(m))
		if err != nil {
			t.Fatal(err)
		}
		return set.Keys[0]
	}
	rsa := mustKey(jwkstest.RSAJWK("r", "RS256", &jwkstest.RSA().PublicKey))
	rsaNoAlg := mustKey(jwkstest.RSAJWK("r", "", &jwkstest.RSA().PublicKey))
	small := mustKey(jwkstest.RSAJWK("s", "RS256", &jwkstest.RSA1024().PublicKey))
	ec := mustKey(jwkstest.ECJWK("e", "ES256", &jwkstest.P256().PublicKey))
	oaep := mustKey(jwkstest.RSAJWK("o", "RSA-OAEP", &jwkstest.RSA().PublicKey))
	badPoint := mustKey(map[string]any{"kty": "EC", "crv": "P-256", "x": jwkstest.B64(make([]byte, 32)), "y": jwkstest.B64(make([]byte, 32))})
	short := mustKey(map[string]any{"kty": "EC", "crv": "P-256", "x": jwkstest.B64(make([]byte, 31)), "y": jwkstest.B64(make([]byte, 32))})
	evenE := mustKey(map[string]any{"kty": "RSA", "n": jwkstest.B64(jwkstest.RSA().N.Bytes()), "e": "Ag"})
	tests := []struct {
		name string
		key  Key
		alg  string
		code string
	}{
		{"rsa for RS256", rsa, "RS256", ""},
		{"rsa without alg for RS256", rsaNoAlg, "RS256", ""},
		{"rsa for ES256", rsa, "ES256", KeyAlgMismatch},
		{"rsa without alg for ES256", rsaNoAlg, "ES256", KeyWrongType},
		{"1024-bit key", small, "RS256", KeyTooSmall},
		{"ec for ES256", ec, "ES256", ""},
		{"ec for RS256", ec, "RS256", KeyAlgMismatch},
		{"encryption key", oaep, "RS256", KeyNotSigning},
		{"point not on curve", badPoint, "ES256", KeyBadPoint},
		{"short coordinate", short, "ES256", KeyBadPoint},
		{"even exponent", evenE, "RS256", KeyBadExponent},
	}
	for _, tt := range tests {
		p := tt.key.ProblemFor(tt.alg)
		got := ""
		if p != nil {
			got = p.Code
		}
		if got != tt.code {
			t.Errorf("%s: ProblemFor(%s) = %v, want %q", tt.name, tt.alg, p, tt.code)
		}
	}
}

func TestFind(t *testing.T) {
	set, err := Parse([]byte(`{"keys":[{"kty":"oct","k":"AA"},{"kty":"oct","k":"AQ","kid":"a"},{"kty":"oct","k":"Ag","kid":"a"},{"kty":"oct","k":"Aw","kid":""}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if k := set.Find("a"); k == nil || k.Index != 1 {
		t.Errorf("Find(a) = %+v, want the first key with kid a", k)
	}
	if k := set.Find(""); k == nil || k.Index != 3 {
		t.Errorf(`Find("") = %+v, want the key whose kid is ""`, k)
	}
	if k := set.Find("A"); k != nil {
		t.Errorf("Find is case-sensitive, got %+v", k)
	}
}
