package apply

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/emulator"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
)

// frontedEmulator is an emulator behind a server that passes the lists
// through and answers every write with write instead.
func frontedEmulator(t *testing.T, write http.HandlerFunc) (*emulator.Server, string) {
	emu := emulator.New(emulator.Options{})
	base, err := emu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	target, _ := url.Parse(base)
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			proxy.ServeHTTP(w, r)
			return
		}
		write(w, r)
	}))
	t.Cleanup(front.Close)
	return emu, front.URL
}

// applyThrough runs apply on a dev section with two new values and an
// https homepage against base, and returns stdout and the exit code.
func applyThrough(t *testing.T, emu *emulator.Server, base string) (string, int) {
	t.Helper()
	po := projectWith(t, map[string]string{
		"convex.json": `{"authKit":{"dev":{"configure":{"redirectUris":["https://app.example.com/callback"],"appHomepageUrl":"https://app.example.com","corsOrigins":["https://app.example.com"]}}}}`,
	}, map[string]string{"WORKOS_API_KEY": emu.APIKey(), "WORKOS_BASE_URL": base})
	io, _, out, _ := iostreams.Test()
	err := Run(context.Background(), Options{IO: io, Options: po, Concurrency: 1})
	var ce *cmdutil.Error
	if !errors.As(err, &ce) {
		t.Fatalf("Run = %v, want a failure", err)
	}
	return out.String(), ce.Code
}

// Go's default client turns a POST or PUT answered 301/302 into a GET of the
// new place, whose 200 once counted as "created". A redirect is an error
// now: nothing is reported applied, nothing is written, exit 1.
func TestApplyThroughARedirectAppliesNothing(t *testing.T) {
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound} {
		var emu *emulator.Server
		var other string
		emu, front := frontedEmulator(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other+r.URL.Path, status)
		})
		other = emu.URL()
		out, code := applyThrough(t, emu, front)
		if code != cmdutil.ExitFailure {
			t.Errorf("%d: exit %d, want 1", status, code)
		}
		if strings.Contains(out, "✓") || !strings.Contains(out, "Applied: 0 created, 0 updated, 0 deleted, 0 unchanged, 0 skipped, 3 failed.\n") {
			t.Errorf("%d: stdout:\n%s", status, out)
		}
		want := fmt.Sprintf("✗ failed redirect URI https://app.example.com/callback: POST /user_management/redirect_uris: the server answered POST with %d %s to %s/user_management/redirect_uris; ",
			status, http.StatusText(status), other)
		if !strings.Contains(out, want) {
			t.Errorf("%d: stdout lacks %q:\n%s", status, want, out)
		}
		for _, r := range emu.Requests() {
			if r.Method != http.MethodGet {
				t.Errorf("%d: the emulator received %s %s", status, r.Method, r.Path)
			}
		}
		if len(emu.RedirectURIs())+len(emu.CORSOrigins()) > 0 || emu.HomepageURL() != "" {
			t.Errorf("%d: the emulator changed", status)
		}
	}
}

// A 2xx whose body is not the object written proves nothing: the write is
// "unknown", not "created", and the run fails.
func TestApplyNeedsTheCreatedObject(t *testing.T) {
	for _, tc := range []struct{ name, contentType, body string }{
		{"empty", "", ""},
		{"html", "text/html", "<html>ok</html>"},
		{"other object", "application/json", `{"object":"list","data":[]}`},
	} {
		emu, front := frontedEmulator(t, func(w http.ResponseWriter, r *http.Request) {
			if tc.contentType != "" {
				w.Header().Set("Content-Type", tc.contentType)
			}
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte(tc.body))
		})
		out, code := applyThrough(t, emu, front)
		if code != cmdutil.ExitFailure {
			t.Errorf("%s: exit %d, want 1", tc.name, code)
		}
		if strings.Contains(out, "✓") || !strings.Contains(out, "Applied: 0 created, 0 updated, 0 deleted, 0 unchanged, 0 skipped, 3 failed (3 unknown).\n") {
			t.Errorf("%s: stdout:\n%s", tc.name, out)
		}
		want := "? unknown CORS origin https://app.example.com: POST /user_management/cors_origins: the server answered 201 Created with "
		if !strings.Contains(out, want) {
			t.Errorf("%s: stdout lacks %q:\n%s", tc.name, want, out)
		}
	}
}
