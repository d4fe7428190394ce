package workos

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/workos/workos-go/v4/pkg/usermanagement"

	"github.com/convex-authkit/convex-authkit/internal/netpolicy"
)

// elsewhere is a server that must never be reached: it counts requests and
// records whether one carried the key or the password.
type elsewhere struct {
	srv    *httptest.Server
	hits   atomic.Int32
	leaked atomic.Bool
}

func newElsewhere(t *testing.T) *elsewhere {
	e := &elsewhere{}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.hits.Add(1)
		body, _ := io.ReadAll(r.Body)
		if strings.Contains(r.Header.Get("Authorization"), testKey) || strings.Contains(string(body), testKey) || strings.Contains(string(body), "hunter2") {
			e.leaked.Store(true)
		}
		writeJSON(w, 200, "", `{"object":"list","data":[],"list_metadata":{"after":null},"uri":"https://x/cb","origin":"https://x","url":"https://x"}`)
	}))
	t.Cleanup(e.srv.Close)
	return e
}

// redirector answers every request with status to the same path on target.
func redirector(status int, target string, hits *atomic.Int32) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, target+r.URL.Path, status)
	})
}

// A redirect is never followed, by our own requests or by the SDK's
// (doctor --login sends the password and the key as client_secret), whatever
// client the caller passed, and it is not retried.
func TestRedirectsAreNotFollowed(t *testing.T) {
	calls := map[string]func(context.Context, *Client) error{
		"create redirect URI": func(ctx context.Context, c *Client) error {
			_, err := c.CreateRedirectURI(ctx, "https://x/cb")
			return err
		},
		"create CORS origin":  func(ctx context.Context, c *Client) error { _, err := c.CreateCORSOrigin(ctx, "https://x"); return err },
		"set homepage":        func(ctx context.Context, c *Client) error { return c.SetAppHomepageURL(ctx, "https://x") },
		"delete redirect URI": func(ctx context.Context, c *Client) error { return c.DeleteRedirectURI(ctx, "redir_1") },
		"list redirect URIs":  func(ctx context.Context, c *Client) error { _, err := c.ListRedirectURIs(ctx); return err },
		"authenticate": func(ctx context.Context, c *Client) error {
			_, err := c.UserManagement().AuthenticateWithPassword(ctx, usermanagement.AuthenticateWithPasswordOpts{
				ClientID: "client_1", Email: "a@example.com", Password: "hunter2"})
			return err
		},
	}
	for _, status := range []int{301, 302, 303, 307, 308} {
		for name, call := range calls {
			for _, passed := range []bool{false, true} {
				other := newElsewhere(t)
				var hits atomic.Int32
				c, _ := newClient(t, redirector(status, other.srv.URL, &hits), func(o *Options) {
					if passed {
						// A client with Go's default policy, which follows redirects.
						o.HTTPClient = &http.Client{}
					}
				})
				err := call(context.Background(), c)
				if err == nil || !strings.Contains(err.Error(), http.StatusText(status)+" to "+other.srv.URL) {
					t.Errorf("%d %s (client passed: %v): error %v, want it to name the redirect", status, name, passed, err)
				}
				if !errors.As(err, new(*netpolicy.RedirectError)) {
					t.Errorf("%d %s: %v is not a *netpolicy.RedirectError", status, name, err)
				}
				if n := hits.Load(); n != 1 {
					t.Errorf("%d %s: %d requests, want 1: a redirect is not retried", status, name, n)
				}
				if n := other.hits.Load(); n != 0 || other.leaked.Load() {
					t.Errorf("%d %s (client passed: %v): the redirect target received %d requests", status, name, passed, n)
				}
			}
		}
	}
}

// https → 307 → http would send the key in cleartext: nothing reaches the
// http server. The caller's TLS client (trusting the test certificate) is
// kept, only its redirect policy is replaced.
func TestRedirectDowngradeIsNotFollowed(t *testing.T) {
	other := newElsewhere(t)
	var hits atomic.Int32
	tlsSrv := httptest.NewTLSServer(redirector(http.StatusTemporaryRedirect, other.srv.URL, &hits))
	t.Cleanup(tlsSrv.Close)
	c := New(Options{BaseURL: tlsSrv.URL, APIKey: testKey, HTTPClient: tlsSrv.Client()})
	_, err := c.CreateRedirectURI(context.Background(), "https://x/cb")
	if err == nil || !strings.Contains(err.Error(), "307 Temporary Redirect to "+other.srv.URL) {
		t.Fatalf("error %v, want the redirect reported", err)
	}
	if hits.Load() != 1 || other.hits.Load() != 0 || other.leaked.Load() {
		t.Fatalf("https server: %d requests, http server: %d", hits.Load(), other.hits.Load())
	}
}

func TestCheckBaseURLRefusesCleartextRemote(t *testing.T) {
	for base, ok := range map[string]bool{
		"https://api.workos.com": true, "http://127.0.0.1:4100": true, "http://localhost:4100": true,
		"http://api.workos.com": false, "http://192.168.1.10:4100": false, "https://u:p@api.workos.com": false,
	} {
		if err := CheckBaseURL(base); (err == nil) != ok {
			t.Errorf("CheckBaseURL(%q) = %v", base, err)
		}
	}
	// The client refuses it too, before sending anything.
	_, err := New(Options{BaseURL: "http://api.workos.com", APIKey: testKey}).ListRedirectURIs(context.Background())
	if !errors.Is(err, netpolicy.ErrInsecure) {
		t.Fatalf("ListRedirectURIs over http to a remote host: %v", err)
	}
}

// A 2xx that does not hold the object written is not a success.
func TestWritesNeedTheObjectBack(t *testing.T) {
	calls := []struct {
		name, field string
		call        func(context.Context, *Client) error
	}{
		{"redirect URI", "uri", func(ctx context.Context, c *Client) error {
			_, err := c.CreateRedirectURI(ctx, "https://x/cb")
			return err
		}},
		{"CORS origin", "origin", func(ctx context.Context, c *Client) error { _, err := c.CreateCORSOrigin(ctx, "https://x"); return err }},
		{"app homepage URL", "url", func(ctx context.Context, c *Client) error { return c.SetAppHomepageURL(ctx, "https://x") }},
	}
	for _, answer := range []struct {
		status                 int
		contentType, body, why string
	}{
		{204, "", "", "an empty body"},
		{200, "text/html", "<html><body>Moved</body></html>", "not a JSON object"},
		{201, "application/json", `[]`, "not a JSON object"},
		{201, "application/json", `{"object":"list","data":[]}`, "an object without"},
		{201, "application/json", `{"uri":"https://other/cb","origin":"https://other","url":"https://other"}`, "is not the value sent"},
		{201, "application/json", `{"uri":1,"origin":1,"url":1}`, "is not the value sent"},
	} {
		for _, cl := range calls {
			var hits atomic.Int32
			c, _ := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				if answer.contentType != "" {
					w.Header().Set("Content-Type", answer.contentType)
				}
				w.WriteHeader(answer.status)
				_, _ = io.WriteString(w, answer.body)
			}), nil)
			err := cl.call(context.Background(), c)
			var ue *UnconfirmedError
			if !errors.As(err, &ue) || ue.Status != answer.status || !strings.Contains(err.Error(), answer.why) ||
				!strings.Contains(err.Error(), "instead of the "+cl.name+", so the change is not confirmed") {
				t.Errorf("%s, answer %d %q: error %v", cl.name, answer.status, answer.body, err)
			}
			if hits.Load() != 1 {
				t.Errorf("%s: %d requests: an unconfirmed answer is not retried", cl.name, hits.Load())
			}
		}
	}
}

// Delivery tells "never left" from "left, no answer", the difference
// between "not sent" and "unknown" in apply's report.
func TestDelivery(t *testing.T) {
	t.Run("lost response then already exists", func(t *testing.T) {
		var hits atomic.Int32
		c, _ := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if hits.Add(1) == 1 {
				// Handled, then the connection dies before the answer.
				conn, _, _ := w.(http.Hijacker).Hijack()
				_ = conn.Close()
				return
			}
			writeJSON(w, 422, "", `{"message":"Redirect URI 'https://x/cb' already exists."}`)
		}), nil)
		var d Delivery
		created, err := c.CreateRedirectURI(WithDelivery(context.Background(), &d), "https://x/cb")
		if err != nil || created || !d.Sent() || !d.Unanswered() {
			t.Fatalf("created=%v err=%v sent=%v unanswered=%v", created, err, d.Sent(), d.Unanswered())
		}
	})
	t.Run("answered", func(t *testing.T) {
		c, _ := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 422, "", `{"message":"Redirect URI 'https://x/cb' already exists."}`)
		}), nil)
		var d Delivery
		if _, err := c.CreateRedirectURI(WithDelivery(context.Background(), &d), "https://x/cb"); err != nil || !d.Sent() || d.Unanswered() {
			t.Fatalf("err=%v sent=%v unanswered=%v", err, d.Sent(), d.Unanswered())
		}
	})
	t.Run("nobody listening", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		base := "http://" + ln.Addr().String()
		_ = ln.Close()
		c := New(Options{BaseURL: base, APIKey: testKey, MaxAttempts: 2, Sleep: func(context.Context, time.Duration) error { return nil }})
		var d Delivery
		if err := c.DeleteRedirectURI(WithDelivery(context.Background(), &d), "redir_1"); err == nil || d.Sent() || d.Unanswered() {
			t.Fatalf("err=%v sent=%v unanswered=%v", err, d.Sent(), d.Unanswered())
		}
	})
	t.Run("cancelled while waiting for the answer", func(t *testing.T) {
		arrived := make(chan struct{})
		c, _ := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// Reading the body lets the server notice the client hanging up.
			_, _ = io.ReadAll(r.Body)
			close(arrived)
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}), nil)
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-arrived; cancel() }()
		var d Delivery
		_, err := c.CreateCORSOrigin(WithDelivery(ctx, &d), "https://x")
		if !errors.Is(err, context.Canceled) || !d.Sent() || !d.Unanswered() {
			t.Fatalf("err=%v sent=%v unanswered=%v", err, d.Sent(), d.Unanswered())
		}
	})
	t.Run("cancelled before sending", func(t *testing.T) {
		c, _ := newClient(t, http.NotFoundHandler(), nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var d Delivery
		if _, err := c.CreateCORSOrigin(WithDelivery(ctx, &d), "https://x"); !errors.Is(err, context.Canceled) || d.Sent() {
			t.Fatalf("err=%v sent=%v", err, d.Sent())
		}
	})
}
