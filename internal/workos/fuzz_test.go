package workos

import (
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
