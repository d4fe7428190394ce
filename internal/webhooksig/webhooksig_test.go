package webhooksig

import (
	"errors"
	"testing"
	"time"
)

func TestSignVerify(t *testing.T) {
	now := time.UnixMilli(1_700_000_000_000)
	body := []byte(`{"id":"event_1","event":"user.created"}`)
	good, err := Sign("whsec_test", body, now)
	if err != nil {
		t.Fatal(err)
	}
	// The known answer pins the format WorkOS's SDKs parse: milliseconds,
	// ", " between the parts, lower-case hex of HMAC-SHA256("t.body").
	if want := "t=1700000000000, v1=" + mac("whsec_test", "1700000000000", body); good != want {
		t.Fatalf("Sign = %q, want %q", good, want)
	}
	tests := []struct {
		name, header, secret string
		body                 []byte
		at                   time.Time
		want                 error
	}{
		{"good", good, "whsec_test", body, now, nil},
		{"future is accepted", good, "whsec_test", body, now.Add(-time.Hour), nil},
		{"just within tolerance", good, "whsec_test", body, now.Add(Tolerance), nil},
		{"too old", good, "whsec_test", body, now.Add(Tolerance + time.Millisecond), ErrTooOld},
		{"other secret", good, "whsec_other", body, now, ErrBadSig},
		{"other body", good, "whsec_test", []byte(`{}`), now, ErrBadSig},
		{"no secret", good, "", body, now, ErrBadSig},
		{"empty", "  ", "whsec_test", body, now, ErrNotSigned},
		{"seconds are 1970", "t=1700000000, v1=00", "whsec_test", body, now, ErrTooOld},
		{"comma only", ",", "whsec_test", body, now, ErrBadHeader},
		{"no v1", "t=1700000000000", "whsec_test", body, now, ErrBadHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Verify(tt.header, tt.body, tt.secret, tt.at, Tolerance); !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := Sign("", body, now); err == nil {
		t.Fatal("Sign with no secret succeeded")
	}
}

// FuzzVerify: any header and body, never a panic, and only a header made
// by Sign for that body verifies.
func FuzzVerify(f *testing.F) {
	f.Add("t=1700000000000, v1=abc", []byte("{}"))
	f.Add(",", []byte(""))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		now := time.UnixMilli(1_700_000_000_000)
		err := Verify(header, body, "whsec_fuzz", now, Tolerance)
		signed, _ := Sign("whsec_fuzz", body, now)
		if err == nil && header != signed {
			// Another spelling of the same t and v1 (spaces, extra parts)
			// is fine; a different signature is not.
			if Verify(signed, body, "whsec_fuzz", now, Tolerance) != nil {
				t.Fatalf("%q verified but Sign's own header does not", header)
			}
		}
	})
}
