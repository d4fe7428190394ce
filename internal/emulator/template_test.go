package emulator

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRenderTemplate(t *testing.T) {
	ctx := templateContext(user{
		ID: "user_01", Email: "ada@example.com", EmailVerified: true,
		FirstName: ptr("Ada"), Metadata: map[string]string{"tier": "gold", "quote": `say "hi"`},
		org: &membership{orgID: "org_01", role: "admin", permissions: []string{"a", "b"}},
	})
	for _, tt := range []struct{ content, want string }{
		{`{"email": {{ user.email }}}`, `{"email":"ada@example.com"}`},
		{`{"email": "{{user.email}}"}`, `{"email":"ada@example.com"}`},
		{`{"n": "{{ user.first_name }} {{ user.last_name }}"}`, `{"n":"Ada "}`},
		{`{"n": {{ user.last_name }}}`, `{"n":null}`},
		{`{"n": {{ user.last_name || user.first_name }}}`, `{"n":"Ada"}`},
		{`{"n": "{{ user.last_name || 'Lovelace' }}"}`, `{"n":"Lovelace"}`},
		{`{"n": {{ user.last_name || "a || b" }}}`, `{"n":"a || b"}`},
		{`{"v": {{ user.email_verified }}, "s": "{{ user.email_verified }}"}`, `{"s":"true","v":true}`},
		{`{"m": {{ user.metadata }}}`, `{"m":{"quote":"say \"hi\"","tier":"gold"}}`},
		{`{"q": "<{{ user.metadata.quote }}>"}`, `{"q":"\u003csay \"hi\"\u003e"}`},
		{`{"p": {{ organization_membership.permissions }}, "p0": {{ organization_membership.permissions.0 }}}`, `{"p":["a","b"],"p0":"a"}`},
		{`{"r": {{ organization_membership.role.slug }}, "o": {{ organization.id }}}`, `{"o":"org_01","r":"admin"}`},
		{`{"x": {{ organization.metadata.tier || 3 }}}`, `{"x":3}`},
		{`{"escaped": "a \" {{ user.id }}"}`, `{"escaped":"a \" user_01"}`},
		{`{"n": 1.50, "list": [1, {{ user.id }}]}`, `{"list":[1,"user_01"],"n":1.50}`},
	} {
		claims, err := renderTemplate(tt.content, ctx)
		if err != nil {
			t.Errorf("%s: %v", tt.content, err)
			continue
		}
		got, _ := json.Marshal(claims)
		if string(got) != tt.want {
			t.Errorf("%s\n got %s\nwant %s", tt.content, got, tt.want)
		}
	}
	for _, bad := range []string{
		`{"a": {{ }}}`, `{"a": {{ user.email || }}}`, `{"a": {{ 'open }}}`, `{"a": {{ env.HOME }}}`,
		`{"a": {{ user..email }}}`, `{"a": {{ user.email | upcase }}}`, `{"a": "{{ organization_membership.permissions }}"}`,
	} {
		if _, err := renderTemplate(bad, ctx); err == nil {
			t.Errorf("%s rendered", bad)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// FuzzRenderTemplate renders any template for a known user: it must not
// panic, a rendered template must be a JSON object that encodes again, and
// one that passes validation cannot name a reserved claim literally. Seeds
// live in testdata/fuzz/FuzzRenderTemplate.
func FuzzRenderTemplate(f *testing.F) {
	for _, seed := range []string{
		`{"email": {{ user.email }}}`,
		`{"n": "{{ user.first_name || 'x' }} {{ organization.id }}"}`,
		`{"a": "\"{{"}`, `{{`, `}}`, `"`, `{"a": {{ "}}" }}}`, `{"a": {{ user.metadata.0 || -1.5e3 }}}`,
	} {
		f.Add(seed)
	}
	ctx := templateContext(user{ID: "user_01", Email: "a@example.com", Metadata: map[string]string{"k": "v"}})
	f.Fuzz(func(t *testing.T, content string) {
		claims, err := renderTemplate(content, ctx)
		if err != nil {
			return
		}
		if claims == nil {
			t.Fatal("success without an object")
		}
		if _, err := json.Marshal(claims); err != nil {
			t.Fatalf("claims do not encode: %v", err)
		}
		// A template that renders for a real user cannot name a reserved
		// claim literally and still pass validation.
		if checkTemplate(content) == nil {
			for _, c := range reservedClaims {
				if _, ok := claims[c]; ok && strings.Contains(content, `"`+c+`"`) {
					t.Fatalf("validation accepted a template setting %s", c)
				}
			}
		}
	})
}
