package httpretry

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/netpolicy"
)

// Transport unwraps *url.Error and marks redirects and untrusted
// certificates permanent; a refused connection stays retryable.
func TestTransport(t *testing.T) {
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://127.0.0.1:1/elsewhere", http.StatusTemporaryRedirect)
	}))
	defer redirecting.Close()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer tlsSrv.Close()
	closed := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	closedURL := closed.URL
	closed.Close()

	for _, tc := range []struct {
		name      string
		url       string
		permanent bool
	}{
		{"redirect", redirecting.URL, true},
		{"untrusted certificate", tlsSrv.URL, true},
		{"nothing listening", closedURL, false},
	} {
		_, err := netpolicy.NoRedirects(&http.Client{}).Get(tc.url)
		if err == nil {
			t.Fatalf("%s: no error", tc.name)
		}
		got := Transport(err)
		if errors.As(got, new(Permanent)) != tc.permanent {
			t.Errorf("%s: %v: permanent = %v, want %v", tc.name, got, !tc.permanent, tc.permanent)
		}
		if strings.Contains(got.Error(), tc.url) {
			t.Errorf("%s: the *url.Error wrapper was kept: %v", tc.name, got)
		}
	}
}
