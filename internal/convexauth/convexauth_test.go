package convexauth

import (
	"reflect"
	"strings"
	"testing"
)

// workos is Convex's documented WorkOS config, serialised, for client_X.
const workos = `{"providers":[
 {"type":"customJwt","issuer":"https://api.workos.com/","algorithm":"RS256","jwks":"https://api.workos.com/sso/jwks/client_X","applicationID":"client_X"},
 {"type":"customJwt","issuer":"https://api.workos.com/user_management/client_X","algorithm":"RS256","jwks":"https://api.workos.com/sso/jwks/client_X"}]}`

func ptr(s string) *string { return &s }

func TestCheckValid(t *testing.T) {
	tests := []struct {
		name   string
		config string
		want   []Provider
	}{
		{"WorkOS pair", workos, []Provider{
			{Index: 0, Kind: KindCustomJWT, ApplicationID: ptr("client_X"), Issuer: "https://api.workos.com/", JWKS: "https://api.workos.com/sso/jwks/client_X", Algorithm: "RS256"},
			{Index: 1, Kind: KindCustomJWT, Issuer: "https://api.workos.com/user_management/client_X", JWKS: "https://api.workos.com/sso/jwks/client_X", Algorithm: "RS256"},
		}},
		{"OIDC without type, scheme added", `{"providers":[{"domain":"example.com","applicationID":"convex"}]}`, []Provider{
			{Index: 0, Kind: KindOIDC, ApplicationID: ptr("convex"), Issuer: "https://example.com"},
		}},
		{"type oidc", `{"providers":[{"type":"oidc","domain":"https://x.example.com","applicationID":"c"}]}`, []Provider{
			{Index: 0, Kind: KindOIDC, ApplicationID: ptr("c"), Issuer: "https://x.example.com"},
		}},
		{"customJwt applicationID null, extra keys, http, ES256", `{"providers":[{"type":"customJwt","applicationID":null,"issuer":"http://localhost:3000","jwks":"data:application/json,{}","algorithm":"ES256","note":1}],"other":true}`, []Provider{
			{Index: 0, Kind: KindCustomJWT, Issuer: "http://localhost:3000", JWKS: "data:application/json,{}", Algorithm: "ES256"},
		}},
		{"empty applicationID counts as set", `{"providers":[{"type":"customJwt","applicationID":"","issuer":"https://api.workos.com","jwks":"j","algorithm":"RS256"}]}`, []Provider{
			{Index: 0, Kind: KindCustomJWT, ApplicationID: ptr(""), Issuer: "https://api.workos.com", JWKS: "j", Algorithm: "RS256"},
		}},
		{"stored issuer keeps case and whitespace", `{"providers":[{"type":"customJwt","issuer":"HTTPS://Auth.Example.com:443/\n","jwks":"j","algorithm":"RS256"}]}`, []Provider{
			{Index: 0, Kind: KindCustomJWT, Issuer: "HTTPS://Auth.Example.com:443/\n", JWKS: "j", Algorithm: "RS256"},
		}},
		{"no providers at all", `{"providers":[]}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems, err := Check([]byte(tt.config))
			if err != nil {
				t.Fatal(err)
			}
			if len(problems) > 0 {
				t.Fatalf("problems: %v", problems)
			}
			if len(got) == 0 && len(tt.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestCheckRules makes each rule fail on its own and checks the rule, the
// code, the index and Convex's text.
func TestCheckRules(t *testing.T) {
	const schema = "auth config file must include a list of provider credentials: "
	const mismatch = schema + "data did not match any variant of untagged enum SerializedAuthInfo"
	cj := func(fields string) string {
		return `{"providers":[` + workosFirst + `,{"type":"customJwt"` + fields + `}]}`
	}
	tests := []struct {
		name    string
		config  string
		rule    Rule
		code    string
		index   int
		field   string
		message string
		detail  string
	}{
		{"missing export", `null`, RuleMissingExport, CodeMissingExport, -1, "",
			"auth config file is missing default export. To learn more, see the auth documentation at https://docs.convex.dev/auth.", ""},
		{"applicationId spelling", cj(`,"applicationId":"x","issuer":"https://a.example.com","jwks":"j","algorithm":"RS256"`),
			RuleApplicationIDSpelling, CodeNotMatchingSchema, 1, "applicationId",
			schema + "Provider at index 1 must have applicationID property spelled lowercase 'application', capital I, capital D.", ""},
		{"applicationid spelling", `{"providers":[{"domain":"a.example.com","applicationid":"x","applicationID":"x"}]}`,
			RuleApplicationIDSpelling, CodeNotMatchingSchema, 0, "applicationid",
			schema + "Provider at index 0 must have applicationID property spelled lowercase 'application', capital I, capital D.", ""},
		{"unexpected type", `{"providers":[{"type":"jwt","issuer":"https://a.example.com","jwks":"j","algorithm":"RS256"}]}`,
			RuleUnexpectedType, CodeNotMatchingSchema, 0, "type",
			schema + "Provider at index 0 has unexpected 'type' value 'jwt'", ""},
		{"customJwt with domain", cj(`,"domain":"a.example.com","issuer":"https://a.example.com","jwks":"j","algorithm":"RS256"`),
			RuleCustomJWTDomain, CodeNotMatchingSchema, 1, "domain",
			schema + "Provider at index 1 is a customJwt so cannot have a 'domain' specified", ""},
		{"oidc with issuer", `{"providers":[{"issuer":"https://a.example.com","domain":"a.example.com","applicationID":"x"}]}`,
			RuleOIDCIssuer, CodeNotMatchingSchema, 0, "issuer",
			schema + "Provider at index 0 is oidc so cannot have an 'issuer' specified.", ""},
		{"non-string type counts as oidc", `{"providers":[{"type":7,"issuer":"https://a.example.com","domain":"a.example.com","applicationID":"x"}]}`,
			RuleOIDCIssuer, CodeNotMatchingSchema, 0, "issuer",
			schema + "Provider at index 0 is oidc so cannot have an 'issuer' specified.", ""},
		{"WorkOS shared issuer without applicationID", cj(`,"issuer":"https://api.workos.com","jwks":"j","algorithm":"RS256"`),
			RuleSharedIssuer, CodeInsecure, 1, "applicationID",
			"This auth configuration appears potentially insecure: Provider at index 1 has an issuer that is shared among many applications, so must to specify an ApplicationID to check against an `aud` field of a JWT.", ""},
		{"export not an object", `["x"]`, RuleConfigShape, CodeNotMatchingSchema, -1, "",
			schema + "invalid type: sequence, expected struct SerializedAuthConfig", "the default export must be an object with a providers array"},
		{"export a string", `"x"`, RuleConfigShape, CodeNotMatchingSchema, -1, "",
			schema + `invalid type: string "x", expected struct SerializedAuthConfig`, "the default export must be an object with a providers array"},
		{"no providers key", `{"provider":[]}`, RuleConfigShape, CodeNotMatchingSchema, -1, "providers",
			schema + "missing field `providers`", "the default export has no providers key"},
		{"providers not an array", `{"providers":{"a":1}}`, RuleConfigShape, CodeNotMatchingSchema, -1, "providers",
			schema + "invalid type: map, expected a sequence", "providers must be an array"},
		{"provider not an object", `{"providers":[3]}`, RuleProviderShape, CodeNotMatchingSchema, 0, "",
			mismatch, "a provider must be an object, found integer `3`"},
		{"customJwt without jwks", cj(`,"issuer":"https://a.example.com","algorithm":"RS256"`),
			RuleMissingField, CodeNotMatchingSchema, 1, "jwks", mismatch, "missing field `jwks`"},
		{"customJwt without issuer", cj(`,"jwks":"j","algorithm":"RS256"`),
			RuleMissingField, CodeNotMatchingSchema, 1, "issuer", mismatch, "missing field `issuer`"},
		{"customJwt without algorithm", cj(`,"issuer":"https://a.example.com","jwks":"j"`),
			RuleMissingField, CodeNotMatchingSchema, 1, "algorithm", mismatch, "missing field `algorithm`"},
		{"customJwt applicationID a number", cj(`,"applicationID":5,"issuer":"https://a.example.com","jwks":"j","algorithm":"RS256"`),
			RuleFieldType, CodeNotMatchingSchema, 1, "applicationID", mismatch, "`applicationID` must be a string, found integer `5`"},
		{"customJwt issuer not a string", cj(`,"issuer":["https://a.example.com"],"jwks":"j","algorithm":"RS256"`),
			RuleFieldType, CodeNotMatchingSchema, 1, "issuer", mismatch, "`issuer` must be a string, found sequence"},
		{"algorithm HS256", cj(`,"issuer":"https://a.example.com","jwks":"j","algorithm":"HS256"`),
			RuleAlgorithm, CodeNotMatchingSchema, 1, "algorithm", mismatch, "unknown variant `HS256`, expected `RS256` or `ES256`"},
		{"algorithm is case-sensitive", cj(`,"issuer":"https://a.example.com","jwks":"j","algorithm":"rs256"`),
			RuleAlgorithm, CodeNotMatchingSchema, 1, "algorithm", mismatch, "unknown variant `rs256`, expected `RS256` or `ES256`"},
		{"oidc without applicationID", `{"providers":[{"domain":"a.example.com"}]}`,
			RuleMissingField, CodeNotMatchingSchema, 0, "applicationID", mismatch, "missing field `applicationID`"},
		{"oidc applicationID null", `{"providers":[{"domain":"a.example.com","applicationID":null}]}`,
			RuleFieldType, CodeNotMatchingSchema, 0, "applicationID", mismatch, "`applicationID` must be a string, found null"},
		{"oidc without domain", `{"providers":[{"applicationID":"x"}]}`,
			RuleMissingField, CodeNotMatchingSchema, 0, "domain", mismatch, "missing field `domain`"},
		{"issuer with a quote", cj(`,"issuer":"\"https://a.example.com\"","jwks":"j","algorithm":"RS256"`),
			RuleIssuerURL, CodeInvalidProviderURL, 1, "issuer", `Invalid provider domain URL ""https://a.example.com"": starts with a double quote (")`, ""},
		{"issuer with another scheme", cj(`,"issuer":"ftp://a.example.com","jwks":"j","algorithm":"RS256"`),
			RuleIssuerURL, CodeInvalidProviderURL, 1, "issuer", `Invalid provider domain URL "ftp://a.example.com": scheme should be http or https`, ""},
		{"domain without a TLD", `{"providers":[{"domain":"token123","applicationID":"x"}]}`,
			RuleIssuerURL, CodeInvalidProviderURL, 0, "domain", `Invalid provider domain URL "token123": Does not look like a URL (must have a scheme or end with a top-level domain)`, ""},
		{"issuer with an empty host", cj(`,"issuer":"https://","jwks":"j","algorithm":"RS256"`),
			RuleIssuerURL, CodeInvalidProviderURL, 1, "issuer", `Invalid provider domain URL "https://": empty host`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, problems, err := Check([]byte(tt.config))
			if err != nil {
				t.Fatal(err)
			}
			if len(problems) != 1 {
				t.Fatalf("want exactly one problem, got %d:\n%s", len(problems), list(problems))
			}
			p := problems[0]
			want := Problem{Rule: tt.rule, Code: tt.code, Index: tt.index, Field: tt.field, Message: tt.message, Detail: tt.detail}
			if p != want {
				t.Errorf("got  %#v\nwant %#v", p, want)
			}
		})
	}
}

const workosFirst = `{"type":"customJwt","issuer":"https://api.workos.com/","algorithm":"RS256","jwks":"j","applicationID":"c"}`

// TestCheckOrder checks that the first problem is the one Convex reports:
// confusions before the schema, the schema before URLs, whatever the
// providers' order.
func TestCheckOrder(t *testing.T) {
	config := `{"providers":[
		{"type":"customJwt","issuer":"ftp://x.example.com","jwks":"j","algorithm":"RS256"},
		{"type":"customJwt","issuer":"https://x.example.com","jwks":"j","algorithm":"HS256"},
		{"type":"customJwt","issuer":"https://api.workos.com/","jwks":"j","algorithm":"RS256"}]}`
	_, problems, err := Check([]byte(config))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range problems {
		got = append(got, string(p.Rule)+"@"+string(rune('0'+p.Index)))
	}
	want := []string{"shared-issuer-without-applicationid@2", "algorithm@1", "issuer-url@0"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

// The guard looks at the key, as Convex does: an applicationID of null
// satisfies it, and serde then reads null as "no applicationID".
func TestSharedIssuerGuardChecksTheKey(t *testing.T) {
	providers, problems, err := Check([]byte(`{"providers":[{"type":"customJwt","issuer":"https://api.workos.com/","jwks":"j","algorithm":"RS256","applicationID":null}]}`))
	if err != nil || len(problems) != 0 {
		t.Fatalf("problems %v, err %v", problems, err)
	}
	if providers[0].ApplicationID != nil {
		t.Errorf("applicationID = %q, want none", *providers[0].ApplicationID)
	}
	// Only the two exact spellings are guarded.
	_, problems, _ = Check([]byte(`{"providers":[{"type":"customJwt","issuer":"https://api.workos.com//","jwks":"j","algorithm":"RS256"}]}`))
	if len(problems) != 0 {
		t.Errorf("https://api.workos.com// is not guarded by Convex: %v", problems)
	}
}

func TestCheckNotJSON(t *testing.T) {
	for _, in := range []string{`{`, `{} {}`, `undefined`} {
		if _, _, err := Check([]byte(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

func TestIssuerURL(t *testing.T) {
	tests := []struct {
		in, want, reason string
	}{
		{"https://api.workos.com/", "https://api.workos.com/", ""},
		{"api.workos.com", "https://api.workos.com", ""},
		{"localhost:3000", "https://localhost:3000", ""},
		{"http://127.0.0.1:3210", "http://127.0.0.1:3210", ""},
		{"https://[::1]:8080/x", "https://[::1]:8080/x", ""},
		{"auth.example.xn--p1ai", "https://auth.example.xn--p1ai", ""},
		{"https://x.example.com\n", "https://x.example.com\n", ""},
		{"https://user@x.example.com", "https://user@x.example.com", ""},
		{"127.0.0.1", "", "Does not look like a URL (must have a scheme or end with a top-level domain)"},
		{"example.com.", "", "Does not look like a URL (must have a scheme or end with a top-level domain)"},
		{"https://x.example.com:99999", "", "invalid port number"},
		{"https://x.example.com:8o", "", "invalid port number"},
		{"https://exa mple.com", "", "invalid domain character"},
		{"https://exa%20mple.com", "", "invalid domain character"},
		{"https://x|y.com", "", "invalid domain character"},
		{"https://256.1.1.1", "", "invalid IPv4 address"},
		{"https://1.2.3.4.5", "", "invalid IPv4 address"},
		{"https://[::1", "", "invalid IPv6 address"},
		{"https://[fe80::1%25eth0]", "", "invalid IPv6 address"},
		{"wss://x.example.com", "", "scheme should be http or https"},
		{"mailto://x", "", "scheme should be http or https"},
		{"1http://x.example.com", "", "relative URL without a base"},
		{"https:x.example.com", "", "invalid port number"}, // https://https:x.example.com
	}
	for _, tt := range tests {
		got, err := IssuerURL(tt.in)
		if tt.reason == "" {
			if err != nil || got != tt.want {
				t.Errorf("IssuerURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			continue
		}
		ue, ok := err.(*URLError)
		if !ok || ue.Reason != tt.reason {
			t.Errorf("IssuerURL(%q) error %v, want reason %q", tt.in, err, tt.reason)
		}
	}
}

func list(ps []Problem) string {
	var sb strings.Builder
	for _, p := range ps {
		sb.WriteString(p.String() + "\n")
	}
	return sb.String()
}

// FuzzCheck feeds arbitrary text to Check: it must not panic, every problem
// must carry Convex's code and text, and only providers that pass every
// check are returned. Seeds live in testdata/fuzz/FuzzCheck.
func FuzzCheck(f *testing.F) {
	f.Add(workos)
	f.Add(`{"providers":[{"domain":"token123","applicationID":"x"},{"type":"customJwt","issuer":"https://[::1","jwks":"j","algorithm":"RS256"}]}`)
	f.Add(`{"providers":[{"type":"customJwt","applicationId":"x","domain":"a","issuer":"https://api.workos.com"}]}`)
	f.Add(`null`)
	f.Fuzz(func(t *testing.T, config string) {
		stored, problems, err := Check([]byte(config))
		if err != nil {
			return
		}
		bad := map[int]bool{}
		for _, p := range problems {
			if p.Code == "" || p.Message == "" || p.Rule == "" {
				t.Fatalf("incomplete problem %#v", p)
			}
			bad[p.Index] = true
		}
		for _, p := range stored {
			if bad[p.Index] {
				t.Fatalf("provider %d returned despite a problem", p.Index)
			}
			if _, err := IssuerURL(p.Issuer); err != nil {
				t.Fatalf("stored issuer %q is rejected: %v", p.Issuer, err)
			}
		}
	})
}
