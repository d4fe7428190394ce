package secret

import (
	"strings"
	"testing"
)

func TestMask(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"short", "****"},
		{"sk_test_abcdefghijklmnopqrstuvwxyz1234", "sk_test_…1234"},
		{"sk_live_abcdefghijklmnopqrstuvwxyz9876", "sk_live_…9876"},
		{"sk_abcdefghijklmnopqrstuvwxyz9876", "sk_…9876"},
		{"a-long-cookie-password-of-32-chars-x", "…rs-x"},
	}
	for _, tt := range tests {
		if got := Mask(tt.in); got != tt.want {
			t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedact(t *testing.T) {
	var r Redactor
	r.Add("cookie-password-0123456789-abcdef")
	r.Add("abc") // too short to register
	in := "key sk_test_0123456789abcdef and cookie-password-0123456789-abcdef, not ask_me or abc"
	got := r.Redact(in)
	for _, leak := range []string{"sk_test_0123456789abcdef", "cookie-password-0123456789-abcdef"} {
		if strings.Contains(got, leak) {
			t.Errorf("Redact left %q in %q", leak, got)
		}
	}
	for _, keep := range []string{"sk_test_…cdef", "ask_me", "abc"} {
		if !strings.Contains(got, keep) {
			t.Errorf("Redact(%q) = %q, want it to contain %q", in, got, keep)
		}
	}
}

func TestPublicPrefix(t *testing.T) {
	for name, want := range map[string]string{
		"VITE_WORKOS_CLIENT_ID":       "VITE_",
		"NEXT_PUBLIC_WORKOS_REDIRECT": "NEXT_PUBLIC_",
		"WORKOS_API_KEY":              "",
		"EXPO_PUBLIC_X":               "EXPO_PUBLIC_",
	} {
		if got := PublicPrefix(name); got != want {
			t.Errorf("PublicPrefix(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestIsSecretName(t *testing.T) {
	for name, want := range map[string]bool{
		"WORKOS_API_KEY":         true,
		"WORKOS_COOKIE_PASSWORD": true,
		"WORKOS_WEBHOOK_SECRET":  true,
		"WORKOS_CLIENT_ID":       false,
		"VITE_WORKOS_REDIRECT":   false,
	} {
		if got := IsSecretName(name); got != want {
			t.Errorf("IsSecretName(%q) = %v, want %v", name, got, want)
		}
	}
}
