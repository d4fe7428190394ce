package netpolicy

import (
	"net/url"
	"testing"
)

// FuzzSafeLocation reads any Location a server could send: it must not
// panic, and what it returns carries no user information, no fragment and
// no query value, only the parameter names. Seeds live in
// testdata/fuzz/FuzzSafeLocation.
func FuzzSafeLocation(f *testing.F) {
	f.Add("https://u:p@evil.example/cb?token=t#frag")
	f.Fuzz(func(t *testing.T, raw string) {
		got := SafeLocation(raw)
		if _, err := url.Parse(raw); raw == "" || err != nil {
			if got != "(no Location)" && got != "(an unreadable Location)" {
				t.Fatalf("SafeLocation(%q) = %q", raw, got)
			}
			return
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("SafeLocation(%q) = %q, which does not parse: %v", raw, got, err)
		}
		// A path such as "//@" re-parses as empty user information, which
		// holds nothing.
		if (u.User != nil && u.User.String() != "") || u.Fragment != "" {
			t.Fatalf("SafeLocation(%q) = %q keeps user information or a fragment", raw, got)
		}
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			t.Fatalf("SafeLocation(%q) = %q: query %v", raw, got, err)
		}
		for name, values := range q {
			for _, v := range values {
				if v != "…" {
					t.Fatalf("SafeLocation(%q) = %q keeps the value of %q", raw, got, name)
				}
			}
		}
	})
}
