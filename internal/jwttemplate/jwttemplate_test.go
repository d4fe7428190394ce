package jwttemplate

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestExpand(t *testing.T) {
	var seen []string
	got, err := expand(`{"a": {{ user.email }}, "b": "x {{ user.id }} \"{{ '}' }}\"", "c": "\\{{ z }}"}`, func(expr string, inString bool) (string, error) {
		seen = append(seen, expr)
		if inString {
			return "S", nil
		}
		return "V", nil
	})
	if want := `{"a": V, "b": "x S \"S\"", "c": "\\S"}`; err != nil || got != want {
		t.Errorf("expand = %s, %v; want %s", got, err, want)
	}
	if want := []string{" user.email ", " user.id ", " '}' ", " z "}; strings.Join(seen, "|") != strings.Join(want, "|") {
		t.Errorf("expressions %q, want %q", seen, want)
	}
	if _, err := expand(`{"a": {{ user.id }`, nil); err == nil {
		t.Error("an unclosed expression expanded")
	}
	boom := errors.New("boom")
	if _, err := expand(`{{x}}`, func(string, bool) (string, error) { return "", boom }); err != boom {
		t.Errorf("the value's error is lost: %v", err)
	}
}

// FuzzExpand checks that expanding every expression to its own text gives
// the template back, that no expression spans a }}, and that expand fails
// only on a {{ that no }} follows. Seeds live in
// testdata/fuzz/FuzzExpand.
func FuzzExpand(f *testing.F) {
	f.Add(`{"email": {{ user.email }}, "n": "{{ user.first_name || 'x' }} \"{{ organization.id }}\""}`)
	f.Fuzz(func(t *testing.T, content string) {
		got, err := expand(content, func(expr string, _ bool) (string, error) {
			if strings.Contains(expr, "}}") {
				t.Fatalf("expression %q holds }}", expr)
			}
			return "{{" + expr + "}}", nil
		})
		if err != nil {
			// An unclosed expression leaves the last {{ unclosed too.
			if i := strings.LastIndex(content, "{{"); i < 0 || strings.Contains(content[i+2:], "}}") {
				t.Fatalf("%v, in %q", err, content)
			}
			return
		}
		if got != content {
			t.Fatalf("expand gives %q", got)
		}
	})
}

func TestRender(t *testing.T) {
	quote := func(expr string, inString bool) (string, error) {
		if inString {
			return "s", nil
		}
		return `"v"`, nil
	}
	claims, err := Render[any](`{"a": {{ x }}, "b": "{{ y }}!", "n": 1.50}`, quote)
	if err != nil || claims["a"] != "v" || claims["b"] != "s!" || claims["n"] != json.Number("1.50") {
		t.Errorf("Render = %#v, %v", claims, err)
	}
	for _, bad := range []string{`null`, `[{{ x }}]`, `{} {}`, `{"a": {{ x }`} {
		if _, err := Render[json.RawMessage](bad, quote); err == nil {
			t.Errorf("Render(%s) succeeded", bad)
		}
	}
}
