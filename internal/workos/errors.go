package workos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/workos/workos-go/v4/pkg/workos_errors"

	"github.com/convex-authkit/convex-authkit/internal/secret"
)

// APIError is a non-2xx answer from WorkOS. It is built from workos-go's own
// error parsing so that errors from this package and from UserManagement()
// carry the same fields, above all the request id WorkOS support asks for.
type APIError struct {
	Method    string
	Path      string
	Status    int
	Code      string // the JSON "code" or, for OAuth-style bodies, "error"
	Message   string
	RequestID string
	// Attempts is how many requests were made before giving up; it is only
	// mentioned in Error when a retryable failure outlasted every attempt.
	Attempts int

	body string
	sdk  error
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d", e.Method, e.Path, e.Status)
	if text := http.StatusText(e.Status); text != "" {
		b.WriteString(" " + text)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, ": request id %q", e.RequestID)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (gave up after %d attempts)", e.Attempts)
	}
	return b.String()
}

// UnconfirmedError is a 2xx answer to a write that does not show the write
// happened. The server may or may not have made the change; asking again
// (apply run again lists what is there) settles it.
type UnconfirmedError struct {
	Method, Path string
	Status       int
	What         string // the object the answer should have been, e.g. "redirect URI"
	Why          string // what came instead
}

func (e *UnconfirmedError) Error() string {
	return fmt.Sprintf("%s %s: the server answered %d %s with %s instead of the %s, so the change is not confirmed",
		e.Method, e.Path, e.Status, http.StatusText(e.Status), e.Why, e.What)
}

// Unwrap exposes the workos-go error so callers that already match
// workos_errors.HTTPError keep working.
func (e *APIError) Unwrap() error { return e.sdk }

// maxMessageLen keeps an HTML error page from a proxy from flooding the
// terminal; WorkOS's own messages are one short sentence.
const maxMessageLen = 300

// newAPIError parses a response whose body has already been read. The
// response is rebuilt around the bytes because TryGetHTTPError insists on
// reading the body itself.
func newAPIError(method, path string, res *http.Response, body []byte, apiKey string) *APIError {
	res.Body = io.NopCloser(bytes.NewReader(body))
	sdkErr := workos_errors.TryGetHTTPError(res)
	he, _ := sdkHTTPError(sdkErr)

	// workos-go drops the code when a body has no "message", and on 422 it
	// ignores "error" and falls back to the raw body when "errors" is a
	// list of strings. Reading the three fields ourselves fills those gaps.
	var plain struct {
		Message string `json:"message"`
		Code    string `json:"code"`
		Error   string `json:"error"`
	}
	_ = json.Unmarshal(body, &plain)

	code := he.ErrorCode
	if code == "" {
		code = plain.Code
	}
	if code == "" {
		code = plain.Error
	}
	msg := he.Message
	if msg == string(body) && plain.Message != "" {
		msg = plain.Message
	}
	requestID := he.RequestID
	if requestID == "" {
		requestID = res.Header.Get("X-Request-ID")
	}
	return &APIError{
		Method:    method,
		Path:      path,
		Status:    res.StatusCode,
		Code:      code,
		Message:   tidyMessage(msg, apiKey),
		RequestID: requestID,
		body:      string(body),
		sdk:       sdkErr,
	}
}

// tidyMessage makes a server message fit on one line of an error report,
// and masks the API key should a server ever echo it back.
func tidyMessage(msg, apiKey string) string {
	if apiKey != "" {
		msg = strings.ReplaceAll(msg, apiKey, secret.Mask(apiKey))
	}
	msg = strings.Join(strings.Fields(msg), " ")
	if utf8.RuneCountInString(msg) > maxMessageLen {
		msg = string([]rune(msg)[:maxMessageLen]) + "…"
	}
	return msg
}

// sdkHTTPError finds the workos-go HTTPError in err. workos-go returns the
// generic error by value but its authentication-flow errors as pointers that
// embed it, so a single errors.As does not see them all.
func sdkHTTPError(err error) (workos_errors.HTTPError, bool) {
	var (
		he   workos_errors.HTTPError
		ev   *workos_errors.EmailVerificationRequiredError
		mfaE *workos_errors.MFAEnrollmentError
		mfaC *workos_errors.MFAChallengeError
		org  *workos_errors.OrganizationSelectionRequiredError
		sso  *workos_errors.SSORequiredError
		orgM *workos_errors.OrganizationAuthenticationMethodsRequiredError
	)
	switch {
	case err == nil:
	case errors.As(err, &he):
		return he, true
	case errors.As(err, &ev):
		return ev.HTTPError, true
	case errors.As(err, &mfaE):
		return mfaE.HTTPError, true
	case errors.As(err, &mfaC):
		return mfaC.HTTPError, true
	case errors.As(err, &org):
		return org.HTTPError, true
	case errors.As(err, &sso):
		return sso.HTTPError, true
	case errors.As(err, &orgM):
		return orgM.HTTPError, true
	}
	return workos_errors.HTTPError{}, false
}

// facts is what the Is* helpers need, taken from either error family so they
// also answer for errors returned by the UserManagement() client.
type facts struct {
	status        int
	code, message string
	body          string
}

func errorFacts(err error) (facts, bool) {
	var ae *APIError
	if errors.As(err, &ae) {
		return facts{ae.Status, ae.Code, ae.Message, ae.body}, true
	}
	if he, ok := sdkHTTPError(err); ok {
		return facts{he.Code, he.ErrorCode, he.Message, he.RawBody}, true
	}
	return facts{}, false
}

// IsStatus reports whether err is a WorkOS answer with the given HTTP status.
func IsStatus(err error, status int) bool {
	f, ok := errorFacts(err)
	return ok && f.status == status
}

// IsAuth reports whether WorkOS rejected the API key (missing, invalid, or
// not allowed to do this), which the CLI reports with its own exit code.
func IsAuth(err error) bool {
	return IsStatus(err, http.StatusUnauthorized) || IsStatus(err, http.StatusForbidden)
}

// IsNotFound reports whether WorkOS answered 404.
func IsNotFound(err error) bool {
	return IsStatus(err, http.StatusNotFound)
}

// IsAlreadyExists reports whether WorkOS refused to create something because
// it is already there. The spec, the live API and the official emulator
// disagree on status and code (422 with a message, 409
// duplicate_cors_origin, 422 *_already_exists), so every form is accepted;
// a 409 without those markers (such as "Cannot delete the default redirect
// URI.") is a real conflict and does not count.
func IsAlreadyExists(err error) bool {
	f, ok := errorFacts(err)
	if !ok || (f.status != http.StatusConflict && f.status != http.StatusUnprocessableEntity) {
		return false
	}
	code := strings.ToLower(f.code)
	if strings.HasPrefix(code, "duplicate_") || strings.HasSuffix(code, "_already_exists") {
		return true
	}
	return strings.Contains(strings.ToLower(f.message), "already exists") ||
		strings.Contains(strings.ToLower(f.body), "already exists")
}
