package jwks

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
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

// FuzzCheckContentType judges any Content-Type header a JWKS server could
// send. It must not panic; a verdict is either OK or names one problem;
// the header is shown only when Convex could read it; an accepted one has
// a JSON essence and no charset but utf-8; case never matters; and a
// parse error names a position inside the header. Seeds live in
// testdata/fuzz/FuzzCheckContentType.
func FuzzCheckContentType(f *testing.F) {
	f.Add("application/json; charset=utf-8")
	position := regexp.MustCompile(`at position (\d+)$`)
	f.Fuzz(func(t *testing.T, header string) {
		ct := CheckContentType([]string{header, "application/json"})
		if ct.OK != (ct.Problem == CTOK) {
			t.Fatalf("ok %v with problem %q", ct.OK, ct.Problem)
		}
		visible := !strings.ContainsFunc(header, func(r rune) bool { return !(r >= 0x20 && r < 0x7f || r == '\t') })
		if (ct.Problem == CTNotASCII) == visible || (ct.Shown == header) != visible {
			t.Fatalf("problem %q, shown %q", ct.Problem, ct.Shown)
		}
		if ct.OK && (!strings.EqualFold(ct.Essence, "application/json") && !strings.EqualFold(ct.Essence, "application/jwk-set+json") ||
			ct.HasCharset && ct.Charset != "utf-8") {
			t.Fatalf("accepted essence %q charset %q", ct.Essence, ct.Charset)
		}
		if m := position.FindStringSubmatch(ct.ParseError); m != nil {
			if at, _ := strconv.Atoi(m[1]); at >= len(header) {
				t.Fatalf("%s, in a header of %d bytes", ct.ParseError, len(header))
			}
		}
		if visible {
			if up := CheckContentType([]string{strings.ToUpper(header)}); up.OK != ct.OK || up.Problem != ct.Problem {
				t.Fatalf("upper case: ok %v %q; as sent: ok %v %q", up.OK, up.Problem, ct.OK, ct.Problem)
			}
		}
	})
}

// FuzzDataURL reads any data: URL a jwks setting could hold, and checks
// that whatever bytes are put in one, percent-encoded or in base64 (padded
// or not, with whitespace), come back out. Seeds live in
// testdata/fuzz/FuzzDataURL.
func FuzzDataURL(f *testing.F) {
	f.Add("data:application/json;base64,eyJrZXlzIjpbXX0=", []byte(`{"keys":[]}`))
	f.Fuzz(func(t *testing.T, u string, data []byte) {
		if isDataURL(u) {
			_, _ = decodeDataURL(u)
		}
		if isDataURL(u) != isDataURL(" \n"+u+"\t ") {
			t.Fatalf("surrounding whitespace changes whether %q is a data: URL", u)
		}
		var pct strings.Builder
		for _, c := range data {
			fmt.Fprintf(&pct, "%%%02X", c)
		}
		std := base64.StdEncoding.EncodeToString(data)
		spaced := strings.Join(strings.SplitAfter(base64.RawStdEncoding.EncodeToString(data), ""), " ")
		for _, u := range []string{
			"data:application/json," + pct.String(),
			"DATA:application/json;base64," + std + "#fragment",
			"data:;BASE64," + spaced,
		} {
			got, err := decodeDataURL(u)
			if !isDataURL(u) || err != nil || !bytes.Equal(got, data) {
				t.Fatalf("%q gives %q, %v; want %q", u, got, err, data)
			}
		}
	})
}
