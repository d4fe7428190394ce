package emulator

import (
	"strings"
	"testing"
)

func TestParseSeed(t *testing.T) {
	tests := []struct {
		name, in string
		users    int
		ignored  string
		err      string
	}{
		{"official format", `{"users": [{"email": "ada@example.com", "password": "pw", "first_name": "Ada", "email_verified": true}], "organizations": [{"name": "Acme"}]}`, 1, "organizations", ""},
		{"no users", `{}`, 0, "", ""},
		{"misspelt section", `{"user": []}`, 0, "", `unknown section "user"`},
		{"unknown user field", `{"users": [{"email": "a@example.com", "password": "p", "pasword": "x"}]}`, 0, "", `users: json: unknown field "pasword"`},
		{"no password", `{"users": [{"email": "a@example.com"}]}`, 0, "", "users[0]: a@example.com has no password"},
		{"bad email", `{"users": [{"email": "ada", "password": "p"}]}`, 0, "", `users[0]: "ada" is not an email address`},
		{"twice", `{"users": [{"email": "a@example.com", "password": "p"}, {"email": "A@example.com", "password": "q"}]}`, 0, "", "users[1]: A@example.com is seeded twice"},
		{"not an object", `[]`, 0, "", "not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSeed([]byte(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || len(s.Users) != tt.users || strings.Join(s.Ignored, ",") != tt.ignored {
				t.Fatalf("ParseSeed = %+v, %v", s, err)
			}
		})
	}
}

func TestParseUserFlag(t *testing.T) {
	u, err := ParseUserFlag("ada@example.com:correct:horse")
	if err != nil || u.Email != "ada@example.com" || u.Password != "correct:horse" {
		t.Fatalf("= %+v, %v", u, err)
	}
	for _, bad := range []string{"ada@example.com", "ada@example.com:", "ada:pw"} {
		if _, err := ParseUserFlag(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// FuzzParseSeed: any input is parsed or refused, never a panic, and every
// user of a parsed seed can be seeded.
func FuzzParseSeed(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSeed(data)
		if err != nil {
			return
		}
		for _, u := range s.Users {
			if u.Password == "" {
				t.Fatalf("user %q without a password", u.Email)
			}
		}
	})
}
