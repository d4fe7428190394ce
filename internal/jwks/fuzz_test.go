package jwks

import (
	"encoding/json"
	"testing"
)

// FuzzParseJWKS checks that Parse never panics, that whatever it accepts is
// JSON for encoding/json too (serde_json is the stricter of the two), and
// that every accepted key can be asked about either algorithm. Seeds live in
// testdata/fuzz/FuzzParseJWKS.
func FuzzParseJWKS(f *testing.F) {
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","kid":"a","alg":"RS256"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		set, err := Parse(body)
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if !json.Valid(body) {
			t.Fatalf("accepted a body encoding/json rejects: %q", body)
		}
		for i := range set.Keys {
			k := &set.Keys[i]
			if _, ok := ktyMembers[k.Kty]; !ok {
				t.Fatalf("accepted unknown kty %q", k.Kty)
			}
			if k.Alg != "" && AlgFamily(k.Alg) == "" {
				t.Fatalf("accepted unknown alg %q", k.Alg)
			}
			for _, alg := range []string{"RS256", "ES256"} {
				if k.ProblemFor(alg) == nil {
					switch alg {
					case "RS256":
						if _, err := k.RSAPublicKey(); err != nil {
							t.Fatalf("usable for RS256 but no RSA key: %v", err)
						}
					case "ES256":
						if _, err := k.ECDSAPublicKey(); err != nil {
							t.Fatalf("usable for ES256 but no EC key: %v", err)
						}
					}
				}
			}
			if k.HasKid && set.Find(k.Kid) == nil {
				t.Fatalf("Find(%q) found nothing", k.Kid)
			}
		}
	})
}
