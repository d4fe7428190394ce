package tokencheck

import (
	"strings"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/jwks/jwkstest"
)

func TestSpan(t *testing.T) {
	for secs, want := range map[int64]string{
		0: "0s", 59: "59s", 61: "1m01s", 3 * 3600: "3h00m", 47*3600 + 59*60: "47h59m", 49 * 3600: "2d01h",
		-300: "-5m00s", 8210298412799: "95026601d23h",
	} {
		if got := Span(secs); got != want {
			t.Errorf("Span(%d) = %q, want %q", secs, got, want)
		}
	}
}

// TestTimeFarFuture: an exp Convex still reads, a quarter of a million
// years away, is beyond what a time.Duration holds; the message must not
// wrap around into a negative span.
func TestTimeFarFuture(t *testing.T) {
	tok, err := Decode(mint(jwkstest.RSA(), rs256("k1"), claims(map[string]any{"exp": chronoMaxUnix})))
	if err != nil {
		t.Fatal(err)
	}
	r := CheckTime(tok, customJWT(umIssuer, "", nil), now)
	if r.Status != StatusPass || !strings.Contains(r.Message, "expires in "+Span(chronoMaxUnix-now.Unix())+" (262143-12-31T23:59:59Z)") {
		t.Errorf("%s: %s", r.Status, r.Message)
	}
}
