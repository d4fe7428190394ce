package doctor

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/jwks/jwkstest"
)

func TestInspect(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 2, 30, 0, time.UTC)
	tok := jwkstest.Sign(jwkstest.RSA(), map[string]any{"alg": "RS256", "kid": "k1"}, map[string]any{
		"iss": "https://api.workos.com/user_management/client_X", "sub": "user_1",
		"iat": now.Add(-150 * time.Second).Unix(), "nbf": now.Add(90 * time.Second).Unix(), "exp": now.Add(150 * time.Second).Unix(),
		"act": map[string]any{"sub": "admin"},
	})
	tokyo := time.FixedZone("JST", 9*3600)
	ios, _, out, _ := iostreams.Test()
	if err := Inspect(InspectOptions{IO: ios, Token: tok, JSON: true, Now: func() time.Time { return now }, Location: tokyo}); err != nil {
		t.Fatal(err)
	}
	var in Inspection
	if err := json.Unmarshal(out.Bytes(), &in); err != nil {
		t.Fatal(err)
	}
	want := []TimeClaim{
		{"exp", now.Unix() + 150, "2026-01-01T00:05:00Z", "2026-01-01 09:05:00 JST", "expires in 2m30s"},
		{"nbf", now.Unix() + 90, "2026-01-01T00:04:00Z", "2026-01-01 09:04:00 JST", "valid in 1m30s"},
		{"iat", now.Unix() - 150, "2026-01-01T00:00:00Z", "2026-01-01 09:00:00 JST", "issued 2m30s ago"},
	}
	for i, w := range want {
		if i >= len(in.Times) || in.Times[i] != w {
			t.Errorf("times[%d] = %+v, want %+v", i, in.Times, w)
		}
	}
	var header, claims bytes.Buffer
	_ = json.Compact(&header, in.Header)
	_ = json.Compact(&claims, in.Claims)
	if *in.LifetimeSeconds != 300 || in.Parts != 3 || in.Token == tok || !strings.HasPrefix(in.Token, "…") ||
		header.String() != `{"alg":"RS256","kid":"k1"}` || !strings.Contains(claims.String(), `"act":{"sub":"admin"}`) {
		t.Errorf("inspection = %+v", in)
	}
	if strings.Contains(out.String(), tok) {
		t.Error("the token was printed")
	}

	// A broken header is reported, the claims still shown.
	parts := strings.Split(tok, ".")
	ios, _, out, _ = iostreams.Test()
	if err := Inspect(InspectOptions{IO: ios, Token: "e30." + parts[1] + ".x", Now: func() time.Time { return now }, Location: tokyo}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\nheader\n", "\n  sub: \"user_1\"\n", "problem: the header has no \"alg\"", "decoded only: nothing was verified"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}

func TestReadToken(t *testing.T) {
	got, err := ReadToken(strings.NewReader("  eyJ.a.b\r\nsecond line\n"))
	if err != nil || got != "eyJ.a.b" {
		t.Errorf("ReadToken = %q, %v", got, err)
	}
	if _, err := ReadToken(strings.NewReader("\n \n")); err == nil {
		t.Error("an empty stdin is an error")
	}
	// Exactly the limit is read whole; one byte more is refused, not cut.
	limit := "eyJ." + strings.Repeat("a", MaxTokenInput-4)
	if got, err := ReadToken(strings.NewReader(limit)); err != nil || got != limit {
		t.Errorf("ReadToken(1 MiB) = %d bytes, %v", len(got), err)
	}
	if _, err := ReadToken(strings.NewReader(limit + "a")); !errors.Is(err, ErrTokenTooLarge) {
		t.Errorf("ReadToken(1 MiB + 1) error = %v, want %v", err, ErrTokenTooLarge)
	}
}
