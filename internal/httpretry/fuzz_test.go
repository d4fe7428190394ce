package httpretry

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzRetryAfter checks the reading of Retry-After: delay-seconds (RFC
// 9110's 1*DIGIT) and HTTP dates are read exactly, up to the cap; nothing
// else is a wait, and no wait is negative or over the cap. Seeds live in
// testdata/fuzz/FuzzRetryAfter.
func FuzzRetryAfter(f *testing.F) {
	f.Add("120")
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	digits := regexp.MustCompile(`^[0-9]+$`)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := RetryAfter(v, now)
		if d < 0 || d > MaxRetryAfter || (!ok && d != 0) {
			t.Fatalf("retryAfter(%q) = %s, %v", v, d, ok)
		}
		v = strings.TrimSpace(v)
		var want time.Duration
		if digits.MatchString(v) {
			want = MaxRetryAfter
			if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs < int64(MaxRetryAfter/time.Second) {
				want = time.Duration(secs) * time.Second
			}
		} else if date, err := http.ParseTime(v); err == nil {
			want = min(max(date.Sub(now), 0), MaxRetryAfter)
		} else {
			if ok {
				t.Fatalf("retryAfter(%q) = %s", v, d)
			}
			return
		}
		if !ok || d != want {
			t.Fatalf("retryAfter(%q) = %s, %v; want %s", v, d, ok, want)
		}
	})
}
