package doctor

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestTemplateAud(t *testing.T) {
	tests := []struct {
		template, aud string // aud "" when unset
		names         bool   // whether aud names client_01
	}{
		{`{"aud": "client_01", "email": {{ user.email }}}`, `"client_01"`, true},
		{`{"aud": ["https://api.example.com", "client_01"]}`, `["https://api.example.com","client_01"]`, true},
		{`{"aud": "client\u005f01"}`, `"client\u005f01"`, true},
		{`{"aud": "client_01", "aud": "client_02"}`, `"client_02"`, false},
		{`{"act": {"aud": "client_01"}}`, "", false},
		{`{"note": "\"aud\": \"client_01\""}`, "", false},
		{`{"aud": {{ organization.metadata.audience }}}`, `"{{ organization.metadata.audience }}"`, false},
		{`{"aud": "{{ user.metadata.app || 'client_01' }}"}`, `"{{ user.metadata.app || 'client_01' }}"`, false},
		{`{"name": {{ user.first_name || "x" }}, "aud": "client_01"}`, `"client_01"`, true},
	}
	for _, tt := range tests {
		aud, err := templateAud(tt.template)
		if err != nil || compactJSON(aud) != tt.aud || audNames(aud, "client_01") != tt.names {
			t.Errorf("templateAud(%s) = %s, %v; names client_01: %v", tt.template, aud, err, audNames(aud, "client_01"))
		}
	}
	for _, bad := range []string{`{"aud": {{ user.id }`, `["aud"]`, `{"aud": "a"} {}`} {
		if _, err := templateAud(bad); err == nil {
			t.Errorf("templateAud(%s) read it", bad)
		}
	}
}

// FuzzTemplateAud checks how workos.jwt-template reads aud from a JWT
// template (Liquid expressions in JSON). On a template that is plain JSON
// it must agree with encoding/json about the top-level aud member; and
// what an expression says must never change whether the template reads
// or sets aud, since doctor does not evaluate them. Seeds live in
// testdata/fuzz/FuzzTemplateAud.
func FuzzTemplateAud(f *testing.F) {
	f.Add(`{"aud": "client_01", "email": {{ user.email }}}`)
	const client = "client_01"
	expr := regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	f.Fuzz(func(t *testing.T, template string) {
		aud, err := templateAud(template)
		if err == nil && aud != nil && !json.Valid(aud) {
			t.Fatalf("aud %q is not JSON", aud)
		}
		if !strings.Contains(template, "{{") {
			var claims map[string]any
			if json.Unmarshal([]byte(template), &claims) != nil || claims == nil {
				return
			}
			if err != nil {
				t.Fatalf("a JSON object is unreadable: %v", err)
			}
			want, set := claims["aud"]
			if (aud != nil) != set {
				t.Fatalf("aud %s, but encoding/json reads %v (set %v)", aud, want, set)
			}
			if got := audNames(aud, client); got != (want == client || slices.Contains(anySlice(want), any(client))) {
				t.Fatalf("aud %s names %s: %v; encoding/json reads %#v", aud, client, got, want)
			}
			return
		}
		aud2, err2 := templateAud(expr.ReplaceAllString(template, "{{ user.id }}"))
		if (err == nil) != (err2 == nil) || (aud == nil) != (aud2 == nil) {
			t.Fatalf("an expression's text changed the reading: aud %s, %v; with other expressions aud %s, %v", aud, err, aud2, err2)
		}
	})
}

func anySlice(v any) []any {
	s, _ := v.([]any)
	return s
}
