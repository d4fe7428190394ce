package interpolate

import (
	"reflect"
	"strings"
	"testing"
)

// probeEnv is the environment of the reference's probe table.
var probeEnv = map[string]string{
	"SITE":       "https://example.com",
	"EMPTY":      "",
	"A B":        "spaced",
	"A.B":        "dotted",
	" SITE":      "leadingspace",
	"buildEnv.X": "weird",
}

var probeCreds = map[string]string{
	"WORKOS_CLIENT_ID":      "client_123",
	"WORKOS_API_KEY":        "sk_test_abc",
	"WORKOS_ENVIRONMENT_ID": "environment_01",
}

func probeLookup(creds map[string]string) Lookup {
	return func(kind Kind, name string) (string, string, bool) {
		m := probeEnv
		if kind == AuthEnv {
			m = creds
		}
		v, ok := m[name]
		return v, "test", ok && v != ""
	}
}

// TestProbeTable replays every row of the Convex CLI probe table
// (reference convex-cli-authkit.md §2). want is the value, or the first
// failure's expression when Convex throws.
func TestProbeTable(t *testing.T) {
	tests := []struct {
		in       string
		creds    map[string]string
		want     string
		failExpr string // first failing placeholder; empty when it resolves
		failKind Kind
	}{
		{in: "${buildEnv.SITE}/callback", want: "https://example.com/callback"},
		{in: "${authEnv.WORKOS_CLIENT_ID}", want: "client_123"},
		{in: "${authEnv.WORKOS_API_KEY}", want: "sk_test_abc"},
		{in: "${authEnv.WORKOS_ENVIRONMENT_ID}", want: "environment_01"},
		{in: "${authEnv.WORKOS_CLIENT_ID}", creds: map[string]string{}, failExpr: "${authEnv.WORKOS_CLIENT_ID}", failKind: AuthEnv},
		{in: "${authEnv.WORKOS_ENVIRONMENT_ID}", creds: map[string]string{"WORKOS_ENVIRONMENT_ID": ""}, failExpr: "${authEnv.WORKOS_ENVIRONMENT_ID}", failKind: AuthEnv},
		{in: "${buildEnv.MISSING}", failExpr: "${buildEnv.MISSING}", failKind: BuildEnv},
		{in: "${buildEnv.EMPTY}", failExpr: "${buildEnv.EMPTY}", failKind: BuildEnv},
		{in: "${buildEnv.}", failExpr: "${buildEnv.}", failKind: BuildEnv},
		{in: "${buildEnv.A B}", want: "spaced"},
		{in: "${buildEnv.A.B}", want: "dotted"},
		{in: "${buildEnv.SITE }", failExpr: "${buildEnv.SITE }", failKind: BuildEnv},
		{in: "${buildEnv. SITE}", want: "leadingspace"},
		{in: "${ buildEnv.SITE}", failExpr: "${ buildEnv.SITE}", failKind: Unknown},
		{in: "${ authEnv.WORKOS_CLIENT_ID }", failExpr: "${ authEnv.WORKOS_CLIENT_ID }", failKind: Unknown},
		{in: "${authenv.WORKOS_CLIENT_ID}", failExpr: "${authenv.WORKOS_CLIENT_ID}", failKind: Unknown},
		{in: "${authEnv.OTHER}", failExpr: "${authEnv.OTHER}", failKind: Unknown},
		{in: "${env.SITE}", failExpr: "${env.SITE}", failKind: Unknown},
		{in: "${SITE}", failExpr: "${SITE}", failKind: Unknown},
		{in: "$SITE", want: "$SITE"},
		{in: "${}", want: "${}"},
		{in: "${buildEnv.SITE", want: "${buildEnv.SITE"},
		{in: "$${buildEnv.SITE}", want: "$https://example.com"},
		{in: `\${buildEnv.SITE}`, want: `\https://example.com`},
		{in: "${buildEnv.${buildEnv.SITE}}", failExpr: "${buildEnv.${buildEnv.SITE}", failKind: BuildEnv},
		{in: "${buildEnv.SITE}${authEnv.WORKOS_CLIENT_ID}", want: "https://example.comclient_123"},
		{in: "${buildEnv.MISSING} ${env.X}", failExpr: "${buildEnv.MISSING}", failKind: BuildEnv},
		{in: "${buildEnv.buildEnv.X}", want: "weird"},
		// A JavaScript quirk in Convex (an inherited property of process.env);
		// here it is simply an unset variable.
		{in: "${buildEnv.toString}", failExpr: "${buildEnv.toString}", failKind: BuildEnv},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			creds := probeCreds
			if tt.creds != nil {
				creds = tt.creds
			}
			res := Resolve(tt.in, probeLookup(creds))
			if tt.failExpr == "" {
				if len(res.Failures) > 0 {
					t.Fatalf("unexpected failures: %+v", res.Failures)
				}
				if res.Value != tt.want {
					t.Fatalf("Value = %q, want %q", res.Value, tt.want)
				}
				return
			}
			if len(res.Failures) == 0 {
				t.Fatalf("resolved to %q, want a failure for %s", res.Value, tt.failExpr)
			}
			f := res.Failures[0]
			if f.Expression != tt.failExpr || f.Kind != tt.failKind {
				t.Fatalf("first failure = %s (kind %d), want %s (kind %d)", f.Expression, f.Kind, tt.failExpr, tt.failKind)
			}
			if f.Message == "" || f.Hint == "" {
				t.Fatalf("failure without message or hint: %+v", f)
			}
		})
	}
}

func TestResolveReportsEveryFailure(t *testing.T) {
	res := Resolve("${buildEnv.MISSING}/x/${env.X}/${authEnv.WORKOS_CLIENT_ID}/${buildEnv.SITE}", probeLookup(map[string]string{}))
	var got []string
	for _, f := range res.Failures {
		got = append(got, f.Expression)
	}
	want := []string{"${buildEnv.MISSING}", "${env.X}", "${authEnv.WORKOS_CLIENT_ID}"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("failures = %q, want %q", got, want)
	}
	if res.Value != "${buildEnv.MISSING}/x/${env.X}/${authEnv.WORKOS_CLIENT_ID}/https://example.com" {
		t.Fatalf("partial value = %q", res.Value)
	}
	if len(res.Uses) != 1 || res.Uses[0].Name != "SITE" || res.Uses[0].Source != "test" {
		t.Fatalf("uses = %+v", res.Uses)
	}
}

func TestParseSegments(t *testing.T) {
	segs := Parse("a${}b${buildEnv.X}c${authEnv.WORKOS_API_KEY}")
	var kinds []Kind
	var texts []string
	for _, s := range segs {
		kinds = append(kinds, s.Kind)
		texts = append(texts, s.Text)
	}
	if !reflect.DeepEqual(kinds, []Kind{Literal, BuildEnv, Literal, AuthEnv}) {
		t.Fatalf("kinds = %v", kinds)
	}
	if !reflect.DeepEqual(texts, []string{"a${}b", "${buildEnv.X}", "c", "${authEnv.WORKOS_API_KEY}"}) {
		t.Fatalf("texts = %q", texts)
	}
	if segs[1].Offset != 5 || segs[1].Name != "X" || segs[1].Expr() != "buildEnv.X" {
		t.Fatalf("segment = %+v", segs[1])
	}
}

func TestSecretUseIsMarked(t *testing.T) {
	res := Resolve("${authEnv.WORKOS_API_KEY}", probeLookup(probeCreds))
	if len(res.Uses) != 1 || !res.Uses[0].Secret {
		t.Fatalf("uses = %+v, want the API key marked secret", res.Uses)
	}
}

func TestHints(t *testing.T) {
	tests := []struct{ in, hint string }{
		{"${authenv.WORKOS_CLIENT_ID}", "did you mean ${authEnv.WORKOS_CLIENT_ID}?"},
		{"${ buildEnv.SITE }", "did you mean ${buildEnv.SITE}?"},
		{"${env.SITE}", "did you mean ${buildEnv.SITE}?"},
		{"${WORKOS_CLIENT_ID}", "did you mean ${authEnv.WORKOS_CLIENT_ID}?"},
		{"${buildEnv.SITE }", "Convex does not trim"},
		{"${buildEnv.MISSING}", "set MISSING in the environment"},
		{"${authEnv.WORKOS_API_KEY}", "never accepted as a flag"},
		{"${foo}", "use ${buildEnv.NAME}"},
	}
	for _, tt := range tests {
		res := Resolve(tt.in, probeLookup(map[string]string{}))
		if len(res.Failures) != 1 || !strings.Contains(res.Failures[0].Hint, tt.hint) {
			t.Errorf("Resolve(%q) failures = %+v, want a hint containing %q", tt.in, res.Failures, tt.hint)
		}
	}
}

func TestLookAlikes(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"https://$SITE/callback", []string{"$SITE"}},
		{"{buildEnv.SITE}/callback", []string{"{buildEnv.SITE}"}},
		{"${buildEnv.SITE", []string{"${buildEnv.SITE"}},
		{"a${}b", []string{"${}"}},
		{"${buildEnv.SITE}/callback", nil},
		{"https://example.com/$", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, l := range LookAlikes(Parse(tt.in)) {
			got = append(got, l.Text)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("LookAlikes(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzResolve checks the resolver against a direct reading of Convex's
// grammar (/\$\{([^}]+)\}/g): it never panics, a template without failures
// resolves to the same text as a regexp-based reference, and resolving is
// the identity on text without "${".
func FuzzResolve(f *testing.F) {
	for _, s := range []string{"", "${buildEnv.SITE}/cb", "${}", "$${buildEnv.SITE}", "${buildEnv.${buildEnv.SITE}}", "${authEnv.WORKOS_CLIENT_ID}", "${a}${b", "}${", "${buildEnv.A B}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tmpl string) {
		lookup := probeLookup(probeCreds)
		res := Resolve(tmpl, lookup)
		want, wantFail := referenceResolve(tmpl, lookup)
		if (len(res.Failures) > 0) != wantFail {
			t.Fatalf("Resolve(%q): failures %v, reference failed=%v", tmpl, res.Failures, wantFail)
		}
		if !wantFail && res.Value != want {
			t.Fatalf("Resolve(%q) = %q, reference %q", tmpl, res.Value, want)
		}
		if !strings.Contains(tmpl, "${") && res.Value != tmpl {
			t.Fatalf("Resolve(%q) changed text without placeholders: %q", tmpl, res.Value)
		}
		var joined strings.Builder
		for _, s := range Parse(tmpl) {
			joined.WriteString(s.Text)
		}
		if joined.String() != tmpl {
			t.Fatalf("segments of %q do not rebuild it: %q", tmpl, joined.String())
		}
	})
}

func TestUsesAuthEnv(t *testing.T) {
	tests := []struct {
		tmpl, name string
		want       bool
	}{
		{"${authEnv.WORKOS_API_KEY}", "WORKOS_API_KEY", true},
		{"key=${authEnv.WORKOS_API_KEY};", "WORKOS_API_KEY", true},
		{"${authEnv.WORKOS_CLIENT_ID}", "WORKOS_API_KEY", false},
		{"${buildEnv.WORKOS_API_KEY}", "WORKOS_API_KEY", false},
		{"$authEnv.WORKOS_API_KEY", "WORKOS_API_KEY", false},
		{"${authEnv.}", "", false},
	}
	for _, tt := range tests {
		if got := UsesAuthEnv(tt.tmpl, tt.name); got != tt.want {
			t.Errorf("UsesAuthEnv(%q, %q) = %v, want %v", tt.tmpl, tt.name, got, tt.want)
		}
	}
}
