package workos

import (
	"encoding/json"
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

// FuzzUnconfirmed reads any 2xx body a server could send to a write: it
// must not panic, it confirms exactly the JSON objects whose field holds the
// value sent, and its words never repeat the body. Seeds live in
// testdata/fuzz/FuzzUnconfirmed.
func FuzzUnconfirmed(f *testing.F) {
	f.Add([]byte(`{"object":"redirect_uri","id":"redir_1","uri":"https://app.example.com/callback"}`), "https://app.example.com/callback")
	f.Fuzz(func(t *testing.T, body []byte, value string) {
		why := unconfirmed(body, "uri", value)
		// The field's name must match exactly, unlike encoding/json's
		// struct fields: "URI" is not what WorkOS sends.
		var generic map[string]any
		got, isString := any(nil), false
		if json.Unmarshal(body, &generic) == nil && generic != nil {
			got = generic["uri"]
			_, isString = got.(string)
		}
		ok := isString && got == value
		if (why == "") != ok {
			t.Fatalf("unconfirmed(%q, %q) = %q, want confirmed=%v", body, value, why, ok)
		}
		if why != "" && len(body) > 8 && strings.Contains(why, string(body)) {
			t.Fatalf("the reason %q repeats the body", why)
		}
	})
}
