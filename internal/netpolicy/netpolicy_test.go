package netpolicy

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestCheckAPIBase(t *testing.T) {
	for _, tc := range []struct {
		url, want string
		insecure  bool
	}{
		{url: "https://api.workos.com"},
		{url: "http://127.0.0.1:4100"},
		{url: "http://localhost:4100"},
		{url: "http://[::1]:4100"},
		{url: "http://api.workos.com", want: "uses http://", insecure: true},
		{url: "http://10.0.0.5:4100", want: "uses http://", insecure: true},
		{url: "api.workos.com", want: "want https://host"},
		{url: "ftp://api.workos.com", want: "want https://host"},
		{url: "https://user:pw@api.workos.com", want: "user information"},
	} {
		err := CheckAPIBase("WorkOS", tc.url)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.url, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.url, err, tc.want)
		}
		if errors.Is(err, ErrInsecure) != tc.insecure {
			t.Errorf("%s: errors.Is(ErrInsecure) = %v", tc.url, !tc.insecure)
		}
		if strings.Contains(err.Error(), "pw") {
			t.Errorf("%s: error shows the password: %v", tc.url, err)
		}
	}
}

// A redirect is reported, not followed, whatever the method and status: the
// second server must never see a request.
func TestNoRedirects(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
	}))
	defer other.Close()
	for _, status := range []int{301, 302, 303, 307, 308} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+r.URL.Path, status)
		}))
		hc := NoRedirects(srv.Client())
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/x", strings.NewReader("secret"))
		req.Header.Set("Authorization", "Bearer sk_test_x")
		resp, err := hc.Do(req)
		if resp != nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		var re *RedirectError
		if !errors.As(err, &re) || re.Status != status || re.Method != http.MethodPost || re.Location != other.URL+"/x" {
			t.Errorf("%d: got %v (%+v)", status, err, re)
		}
		srv.Close()
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the redirect target received %d requests", n)
	}
}

func TestNoRedirectsKeepsClient(t *testing.T) {
	base := &http.Client{Transport: http.DefaultTransport}
	c := NoRedirects(base)
	if c == base || c.Transport != base.Transport || base.CheckRedirect != nil {
		t.Fatal("NoRedirects must copy the client, keep its transport, and leave the original alone")
	}
	if NoRedirects(nil).CheckRedirect == nil {
		t.Fatal("nil client: no policy")
	}
}

func TestIsLocalHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST.": true, "app.localhost": true, "127.0.0.1": true, "127.1.2.3": true,
		"::1": true, "0.0.0.0": true, "example.com": false, "localhost.example.com": false, "10.0.0.1": false,
	} {
		if got := IsLocalHost(host); got != want {
			t.Errorf("%s: %v", host, got)
		}
	}
}

// A Location is the server's choice: whatever credentials it carries stay
// out of error messages, which end up in terminals and CI logs.
func TestRedirectErrorHidesLocationSecrets(t *testing.T) {
	for _, tc := range []struct{ location, want string }{
		{"http://localhost:5009/user_management/authenticate", "http://localhost:5009/user_management/authenticate"},
		{"https://u:hunter2@evil.example/x", "https://evil.example/x"},
		{"https://evil.example/cb?token=hunter2&code=hunter2#access_token=hunter2", "https://evil.example/cb?code=…&token=…"},
		{"/relative?secret=hunter2", "/relative?secret=…"},
		{"", "(no Location)"},
		{"http://[::1:hunter2", "(an unreadable Location)"},
	} {
		msg := (&RedirectError{Status: 307, Method: "POST", Location: tc.location}).Error()
		if !strings.Contains(msg, "307 Temporary Redirect to "+tc.want+";") || strings.Contains(msg, "hunter2") {
			t.Errorf("%q: %s", tc.location, msg)
		}
	}
}
