package tokencheck

import (
	"strings"
	"testing"
)

// TestProviderMatchNamesTheListedPosition: Convex's message lists the
// providers in stored order, so when the closest one is #2 in
// auth.config.ts but printed first, the hint says so instead of sending the
// reader to the second provider printed.
func TestProviderMatchNamesTheListedPosition(t *testing.T) {
	client := "client_01EMV1AT0R0000000000000000"
	providers := []Provider{
		{Type: TypeCustomJWT, Issuer: "https://api.workos.com/", ApplicationID: &client, JWKS: "https://api.workos.com/sso/jwks/" + client, Algorithm: "RS256"},
		{Type: TypeCustomJWT, Issuer: "https://api.workos.com/user_management/" + client, JWKS: "https://api.workos.com/sso/jwks/" + client, Algorithm: "RS256"},
	}
	tests := []struct {
		name, iss, want string
	}{
		{"closest printed first", "https://api.workos.com/user_management/client_01PR0D0000000000000000000000",
			"closest is provider #2 CustomJWT(issuer=https://api.workos.com/user_management/" + client + ", app_id=none) (1st in the list above, which is in Convex's order): "},
		{"closest printed where numbered", "https://api.workos.com",
			"closest is provider #1 CustomJWT(issuer=https://api.workos.com/, app_id=" + client + ") (2nd in the list above, which is in Convex's order): "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := CheckProviderMatch(&Token{Claims: &Claims{Iss: tt.iss, HasIss: true}}, providers)
			if r.Status != StatusFail || !strings.HasPrefix(r.Hint, tt.want) {
				t.Fatalf("%s: %s\nhint %q\nwant %q", r.Status, r.Message, r.Hint, tt.want)
			}
			list := r.Message[strings.Index(r.Message, "["):]
			if !strings.HasPrefix(list, "[CustomJWT(issuer=https://api.workos.com/user_management/") {
				t.Fatalf("Convex's list is not in stored order: %s", list)
			}
		})
	}
}

// TestEmulatorIssuerHint: a token minted by a standalone emulator names
// http://127.0.0.1:PORT; the hint says so instead of blaming a custom auth
// domain.
func TestEmulatorIssuerHint(t *testing.T) {
	client := "client_01EMV1AT0R0000000000000000"
	providers := []Provider{{Type: TypeCustomJWT, Issuer: "https://api.workos.com/user_management/" + client, JWKS: "https://api.workos.com/sso/jwks/" + client, Algorithm: "RS256"}}
	r := CheckProviderMatch(&Token{Claims: &Claims{Iss: "http://127.0.0.1:4100/user_management/" + client, HasIss: true}}, providers)
	if !strings.Contains(r.Hint, "the token comes from a WorkOS emulator on this machine (127.0.0.1:4100), the provider expects api.workos.com") ||
		!strings.Contains(r.Hint, "An emulator's tokens name its own URL") || strings.Contains(r.Hint, "custom auth domain") {
		t.Fatalf("hint %q", r.Hint)
	}
}
