package emulator

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/webhooksig"
)

// TestDeliveries: user events go, signed, to the enabled endpoints that
// subscribe to them; a failing endpoint is retried with growing waits; an
// endpoint off this machine is recorded, never called.
func TestDeliveries(t *testing.T) {
	var mu sync.Mutex
	var got []map[string]any
	var times []time.Time
	fails := 2
	var secret string // set before any event, so before any request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		times = append(times, time.Now())
		if fails > 0 {
			fails--
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		if err := webhooksig.Verify(r.Header.Get("WorkOS-Signature"), body, secret, time.Now(), webhooksig.Tolerance); err != nil {
			t.Errorf("delivery to %s: %v", r.URL.Path, err)
		}
		var ev map[string]any
		if err := json.Unmarshal(body, &ev); err != nil {
			t.Error(err)
		}
		got = append(got, ev)
	}))
	defer srv.Close()

	s := New(Options{DeliveryBackoff: 20 * time.Millisecond, DeliveryAttempts: 4})
	defer s.Close()
	_, secret = s.AddWebhookEndpoint(srv.URL+"/all", []string{"user.created", "user.deleted"}, true)
	s.AddWebhookEndpoint(srv.URL+"/off", []string{"user.created"}, false)
	s.AddWebhookEndpoint("https://example.com/hook", []string{"user.created"}, true)
	id := s.AddUser("ada@example.com", "pw")
	s.mu.Lock()
	s.emitLocked("user.updated", s.users[0]) // not subscribed by /all
	s.mu.Unlock()
	if err := s.WaitDeliveries(context.Background()); err != nil {
		t.Fatal(err)
	}

	ds := s.Deliveries()
	if len(ds) != 2 {
		t.Fatalf("deliveries %+v, want one to /all and one skipped", ds)
	}
	if d := ds[0]; d.Endpoint != srv.URL+"/all" || d.Status != 200 || d.Attempts != 3 || !d.Done {
		t.Errorf("delivery %+v, want 200 on the third attempt", d)
	}
	if d := ds[1]; d.Endpoint != "https://example.com/hook" || !strings.Contains(d.Skipped, "loopback") || d.Attempts != 0 {
		t.Errorf("delivery %+v, want skipped without an attempt", d)
	}
	if len(times) == 3 && times[2].Sub(times[1]) < times[1].Sub(times[0]) {
		t.Errorf("waits did not grow: %v", times)
	}
	if len(got) != 1 || got[0]["event"] != "user.created" || !strings.HasPrefix(got[0]["id"].(string), "event_") || got[0]["created_at"] == nil {
		t.Fatalf("payloads %v", got)
	}
	if data := got[0]["data"].(map[string]any); data["id"] != id || data["email"] != "ada@example.com" || data["object"] != "user" {
		t.Errorf("data %v", data)
	}
}
