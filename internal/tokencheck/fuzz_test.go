package tokencheck

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/jwks"
)

// FuzzDecode checks that decoding and every check that works on a decoded
// token never panic, and that what Decode accepts is consistent: the
// payload is JSON to encoding/json too, and token.decode passes exactly
// when nothing was recorded as broken. Seeds live in
// testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiIsImtpZCI6ImsifQ.eyJpc3MiOiJodHRwczovL3guY29tIiwic3ViIjoidSIsImV4cCI6MX0.c2ln")
	f.Fuzz(func(t *testing.T, raw string) {
		tok, err := Decode(raw)
		if strings.Join(tok.Segments, ".") != raw {
			t.Fatalf("segments do not rebuild the token")
		}
		if err != nil {
			if tok.Claims != nil {
				t.Fatal("claims with a decode error")
			}
			return
		}
		payload, perr := jwks.DecodeBase64URL(tok.Segments[1])
		if perr != nil || !json.Valid(payload) {
			t.Fatalf("accepted a payload encoding/json rejects: %q", payload)
		}
		if (tok.Header == nil) == (tok.HeaderErr == nil) {
			t.Fatalf("header %v with error %v", tok.Header, tok.HeaderErr)
		}
		r, _ := CheckDecode(raw)
		healthy := tok.Claims.HasIss && tok.HeaderErr == nil && tok.SignatureErr == nil
		if (r.Status == StatusPass) != healthy {
			t.Fatalf("token.decode %s for a token with iss %v, header error %v, signature error %v", r.Status, tok.Claims.HasIss, tok.HeaderErr, tok.SignatureErr)
		}
		for _, p := range []Provider{{Type: TypeCustomJWT, Issuer: "https://x.com", Algorithm: "RS256"}, {Type: TypeOIDC, Issuer: "https://x.com", ApplicationID: new(string)}} {
			CheckTime(tok, p, now)
			CheckClaims(tok, p)
			if tok.Claims.HasIss {
				CheckProviderMatch(tok, []Provider{p})
				CheckAmbiguous(tok, []Provider{p, p}, nil)
			}
		}
		if tok.Claims.HasIss && tok.Claims.HasSub {
			id, err := BuildIdentity(tok, TypeCustomJWT)
			if err != nil || id.TokenIdentifier != tok.Claims.Iss+"|"+tok.Claims.Sub {
				t.Fatalf("identity %+v, %v", id, err)
			}
			if _, err := json.Marshal(id.Map()); err != nil {
				t.Fatalf("identity does not marshal: %v", err)
			}
		}
	})
}
