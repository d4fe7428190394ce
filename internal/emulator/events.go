package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/netpolicy"
	"github.com/convex-authkit/convex-authkit/internal/webhooksig"
)

// Delivery defaults: WorkOS retries a failed delivery with exponential
// backoff, up to 6 attempts (over days); the emulator keeps the shape and
// shrinks the scale so that a test sees the retries.
const (
	DefaultDeliveryAttempts = 6
	DefaultDeliveryBackoff  = 500 * time.Millisecond
)

// Delivery is what became of one event sent to one endpoint.
type Delivery struct {
	EventID  string
	Event    string
	Endpoint string
	Attempts int
	// Status is the last answer's status, 0 when none came; Skipped says
	// why nothing was sent.
	Status  int
	Skipped string
	Done    bool // no more attempts will be made
}

// event is WorkOS's webhook payload.
type event struct {
	ID        string `json:"id"`
	Event     string `json:"event"`
	Data      any    `json:"data"`
	CreatedAt string `json:"created_at"`
}

// deliverer sends events in the background; Close stops it.
type deliverer struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu         sync.Mutex
	deliveries []*Delivery
}

// Deliveries returns a copy of every delivery so far, in the order the
// events happened.
func (s *Server) Deliveries() []Delivery {
	s.events.mu.Lock()
	defer s.events.mu.Unlock()
	out := make([]Delivery, len(s.events.deliveries))
	for i, d := range s.events.deliveries {
		out[i] = *d
	}
	return out
}

// WaitDeliveries blocks until every delivery has succeeded or run out of
// attempts, or ctx ends.
func (s *Server) WaitDeliveries(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		s.events.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// emitLocked sends an event about data to every enabled endpoint that
// subscribes to its type. The caller holds s.mu.
func (s *Server) emitLocked(name string, data any) {
	now := s.now()
	ev := event{ID: "event_" + s.ids.next(now), Event: name, Data: data, CreatedAt: timestamp(now)}
	// The component hands JSON.parse(body) to the Node SDK, which checks
	// the signature over JSON.stringify of it: the body must be what
	// JSON.stringify writes, so no HTML escaping and no trailing newline.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ev); err != nil {
		return // data is the emulator's own objects, which always marshal
	}
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	for _, e := range s.webhooks {
		if e.Status != "enabled" || !slices.Contains(e.Events, name) {
			continue
		}
		d := &Delivery{EventID: ev.ID, Event: name, Endpoint: e.EndpointURL}
		s.events.mu.Lock()
		s.events.deliveries = append(s.events.deliveries, d)
		s.events.mu.Unlock()
		// The emulator promises that nothing leaves the machine: an
		// endpoint elsewhere is recorded, never called.
		if u, err := url.Parse(e.EndpointURL); err != nil || !netpolicy.IsLocalHost(u.Hostname()) {
			s.events.mu.Lock()
			d.Skipped, d.Done = "not a loopback host: the emulator delivers on this machine only", true
			s.events.mu.Unlock()
			continue
		}
		s.events.wg.Add(1)
		go s.deliver(d, e.Secret, body)
	}
}

// deliver POSTs body until the endpoint answers 2xx or the attempts run
// out, waiting twice as long after each failure. Each attempt is signed
// afresh, so a late retry still passes the receiver's tolerance.
func (s *Server) deliver(d *Delivery, secret string, body []byte) {
	defer s.events.wg.Done()
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	backoff := s.deliveryBackoff
	for attempt := 1; attempt <= s.deliveryAttempts; attempt++ {
		status := s.post(client, d.Endpoint, secret, body)
		s.events.mu.Lock()
		d.Attempts, d.Status = attempt, status
		ok := status >= 200 && status < 300
		d.Done = ok || attempt == s.deliveryAttempts
		s.events.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-time.After(backoff):
			backoff *= 2
		case <-s.events.ctx.Done():
			s.events.mu.Lock()
			d.Done = true
			s.events.mu.Unlock()
			return
		}
	}
}

func (s *Server) post(client *http.Client, endpoint, secret string, body []byte) int {
	req, err := http.NewRequestWithContext(s.events.ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return 0
	}
	sig, err := webhooksig.Sign(secret, body, s.now())
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(webhooksig.Header, sig)
	req.Header.Set("User-Agent", "WorkOS Webhooks (convex-authkit emulator)")
	res, err := client.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	_ = res.Body.Close()
	return res.StatusCode
}

// userPatch is the body of PUT /user_management/users/{id}; nil fields
// were not sent.
type userPatch struct {
	FirstName     *string            `json:"first_name"`
	LastName      *string            `json:"last_name"`
	EmailVerified *bool              `json:"email_verified"`
	ExternalID    *string            `json:"external_id"`
	Metadata      *map[string]string `json:"metadata"`
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var in userPatch
	if !decodeJSON(w, r, &in) {
		return
	}
	i := s.lockUser(w, id)
	if i < 0 {
		return
	}
	u := &s.users[i]
	if in.FirstName != nil {
		u.FirstName = in.FirstName
	}
	if in.LastName != nil {
		u.LastName = in.LastName
	}
	if in.EmailVerified != nil {
		u.EmailVerified = *in.EmailVerified
	}
	if in.ExternalID != nil {
		u.ExternalID = in.ExternalID
	}
	if in.Metadata != nil {
		u.Metadata = *in.Metadata
	}
	u.UpdatedAt = timestamp(s.now())
	out := *u
	s.emitLocked("user.updated", out)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	i := s.lockUser(w, id)
	if i < 0 {
		return
	}
	u := s.users[i]
	s.users = slices.Delete(s.users, i, i+1)
	s.emitLocked("user.deleted", u)
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// lockUser locks s.mu and returns the index of the user id; for an
// unknown id it answers 404, unlocks and returns -1.
func (s *Server) lockUser(w http.ResponseWriter, id string) int {
	s.mu.Lock()
	i := slices.IndexFunc(s.users, func(u user) bool { return u.ID == id })
	if i < 0 {
		s.mu.Unlock()
		writeCoded(w, http.StatusNotFound, "entity_not_found", fmt.Sprintf("User not found: '%s'.", id))
	}
	return i
}
