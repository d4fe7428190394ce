package deployemu

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/faults"
)

// TestHTMLPages: the requests the faults' Match selects get a 200 HTML
// page, the others Convex's JSON, and turning it off restores the JSON.
func TestHTMLPages(t *testing.T) {
	s := New(Options{Vars: map[string]string{"A": "1"}})
	get := func(method, path string) (int, string, string) {
		t.Helper()
		r := httptest.NewRequest(method, path, strings.NewReader(`{"path": "_system/frontend/listAuthProviders", "args": {}}`))
		r.Header.Set("Authorization", "Convex "+DefaultAdminKey)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		body, _ := io.ReadAll(w.Result().Body)
		return w.Code, w.Header().Get("Content-Type"), string(body)
	}
	s.SetFaults(faults.Faults{Match: "GET /api/v1/list_environment_variables"})
	s.SetHTMLPages(true)
	tests := []struct {
		method, path string
		wantType     string
	}{
		{http.MethodGet, "/api/v1/list_environment_variables", "text/html; charset=utf-8"},
		{http.MethodPost, "/api/function", "application/json"},
	}
	for _, tt := range tests {
		code, ct, body := get(tt.method, tt.path)
		if code != http.StatusOK || ct != tt.wantType {
			t.Errorf("%s %s: %d %s %q", tt.method, tt.path, code, ct, body)
		}
	}
	s.SetHTMLPages(false)
	if code, ct, body := get(http.MethodGet, "/api/v1/list_environment_variables"); code != http.StatusOK || ct != "application/json" || !strings.Contains(body, `"A":"1"`) {
		t.Errorf("after SetHTMLPages(false): %d %s %q", code, ct, body)
	}
}
