package workos

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzAPIError reads any error answer a server could send: it must not
// panic, the message must fit on one short line, and neither the message
// nor the error text may hold the API key, whatever the body echoes.
// Seeds live in testdata/fuzz/FuzzAPIError.
func FuzzAPIError(f *testing.F) {
	f.Add(422, "application/json", []byte(`{"code":"duplicate_redirect_uri","message":"Redirect URI already exists."}`))
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		status = 300 + int(uint(status)%300) // newAPIError only sees answers that are not 2xx
		res := &http.Response{StatusCode: status, Status: strconv.Itoa(status) + " " + http.StatusText(status),
			Header: http.Header{"Content-Type": {contentType}, "X-Request-Id": {"req_01"}}}
		e := newAPIError(http.MethodPost, "/user_management/redirect_uris", res, body, testKey)
		if e.Status != status || e.RequestID != "req_01" {
			t.Fatalf("status %d, request id %q", e.Status, e.RequestID)
		}
		if e.Message != strings.Join(strings.Fields(e.Message), " ") || utf8.RuneCountInString(e.Message) > maxMessageLen+1 {
			t.Fatalf("message %q is not one short line", e.Message)
		}
		if text := e.Error(); strings.Contains(text, testKey) || strings.ContainsAny(text, "\r\n") {
			t.Fatalf("error text %q", text)
		}
		IsAuth(e)
		IsNotFound(e)
		IsAlreadyExists(e)
	})
}

// FuzzRetryAfter checks the reading of Retry-After: delay-seconds (RFC
// 9110's 1*DIGIT) and HTTP dates are read exactly, up to the cap; nothing
// else is a wait, and no wait is negative or over the cap. Seeds live in
// testdata/fuzz/FuzzRetryAfter.
func FuzzRetryAfter(f *testing.F) {
	f.Add("120")
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c := New(Options{})
	c.now = func() time.Time { return now }
	digits := regexp.MustCompile(`^[0-9]+$`)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := c.retryAfter(v)
		if d < 0 || d > maxRetryAfter || (!ok && d != 0) {
			t.Fatalf("retryAfter(%q) = %s, %v", v, d, ok)
		}
		v = strings.TrimSpace(v)
		var want time.Duration
		if digits.MatchString(v) {
			want = maxRetryAfter
			if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs < int64(maxRetryAfter/time.Second) {
				want = time.Duration(secs) * time.Second
			}
		} else if date, err := http.ParseTime(v); err == nil {
			want = min(max(date.Sub(now), 0), maxRetryAfter)
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
