package workos

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
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
