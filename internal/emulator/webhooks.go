package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/netpolicy"
)

type webhookEndpoint struct {
	Object      string   `json:"object"`
	ID          string   `json:"id"`
	EndpointURL string   `json:"endpoint_url"`
	Secret      string   `json:"secret"`
	Status      string   `json:"status"`
	Events      []string `json:"events"`
	CreatedAt   string   `json:"created_at"`
	UpdatedAt   string   `json:"updated_at"`
}

// webhookInput is the body of POST and PATCH; nil fields were not sent.
type webhookInput struct {
	EndpointURL *string   `json:"endpoint_url"`
	Status      *string   `json:"status"`
	Events      *[]string `json:"events"`
}

// check answers 422 itself for invalid fields and reports whether they
// were all valid. create requires endpoint_url and events.
func (in webhookInput) check(w http.ResponseWriter, create bool) bool {
	if in.EndpointURL != nil || create {
		var raw string
		if in.EndpointURL != nil {
			raw = *in.EndpointURL
		}
		// Convex deployments and every real receiver are HTTPS; WorkOS
		// refuses anything else. The emulator also takes plain http on a
		// loopback host, so that a local deployment emulator can receive
		// its deliveries offline.
		if u, err := url.Parse(raw); err != nil || u.Host == "" || !(u.Scheme == "https" || u.Scheme == "http" && netpolicy.IsLocalHost(u.Hostname())) {
			writeCoded(w, http.StatusUnprocessableEntity, "invalid_url", "The endpoint URL must be a valid HTTPS URL.")
			return false
		}
	}
	if in.Events != nil || create {
		if in.Events == nil || len(*in.Events) == 0 || slices.Contains(*in.Events, "") {
			writeFieldErrors(w, "events", "events must be a non-empty list of event names")
			return false
		}
	}
	if in.Status != nil && *in.Status != "enabled" && *in.Status != "disabled" {
		writeFieldErrors(w, "status", "status must be enabled or disabled")
		return false
	}
	return true
}

// writeFieldErrors writes the 422 body the webhook endpoints use for
// invalid parameters.
func writeFieldErrors(w http.ResponseWriter, field, msg string) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
		"code":    "invalid_request_parameters",
		"message": "Validation failed.",
		"errors":  []any{map[string]string{"field": field, "code": "invalid", "message": msg}},
	})
}

func writeDuplicateEndpoint(w http.ResponseWriter) {
	writeCoded(w, http.StatusConflict, "duplicate_endpoint", "A webhook endpoint with this URL already exists.")
}

func writeWebhookNotFound(w http.ResponseWriter, id string) {
	writeCoded(w, http.StatusNotFound, "entity_not_found", fmt.Sprintf("Webhook endpoint not found: '%s'.", id))
}

func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) {
	p, ok := parsePage(w, r.URL.Query())
	if !ok {
		return
	}
	s.mu.Lock()
	page := paginate(s.webhooks, func(e webhookEndpoint) string { return e.ID }, p)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) {
	var in webhookInput
	if !decodeJSON(w, r, &in) || !in.check(w, true) {
		return
	}
	s.mu.Lock()
	if slices.IndexFunc(s.webhooks, func(e webhookEndpoint) bool { return e.EndpointURL == *in.EndpointURL }) >= 0 {
		s.mu.Unlock()
		writeDuplicateEndpoint(w)
		return
	}
	now := s.now()
	e := webhookEndpoint{
		Object: "webhook_endpoint", ID: "we_" + s.ids.next(now), EndpointURL: *in.EndpointURL,
		Status: "enabled", Events: *in.Events,
		CreatedAt: timestamp(now), UpdatedAt: timestamp(now),
	}
	if in.Status != nil {
		e.Status = *in.Status
	}
	e.Secret = "whsec_" + s.derive("webhook secret", e.ID)
	s.webhooks = append(s.webhooks, e)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, e)
}

func (s *Server) updateWebhook(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var in webhookInput
	if !decodeJSON(w, r, &in) || !in.check(w, false) {
		return
	}
	s.mu.Lock()
	i := slices.IndexFunc(s.webhooks, func(e webhookEndpoint) bool { return e.ID == id })
	taken := in.EndpointURL != nil &&
		slices.IndexFunc(s.webhooks, func(o webhookEndpoint) bool { return o.ID != id && o.EndpointURL == *in.EndpointURL }) >= 0
	var e webhookEndpoint
	if i >= 0 && !taken {
		// Edit a copy and store it whole: list pages share the old Events.
		e = s.webhooks[i]
		if in.EndpointURL != nil {
			e.EndpointURL = *in.EndpointURL
		}
		if in.Status != nil {
			e.Status = *in.Status
		}
		if in.Events != nil {
			e.Events = *in.Events
		}
		e.UpdatedAt = timestamp(s.now())
		s.webhooks[i] = e
	}
	s.mu.Unlock()
	switch {
	case i < 0:
		writeWebhookNotFound(w, id)
	case taken:
		writeDuplicateEndpoint(w)
	default:
		writeJSON(w, http.StatusOK, e)
	}
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	i := slices.IndexFunc(s.webhooks, func(e webhookEndpoint) bool { return e.ID == id })
	if i >= 0 {
		s.webhooks = slices.Delete(s.webhooks, i, i+1)
	}
	s.mu.Unlock()
	if i < 0 {
		writeWebhookNotFound(w, id)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// AddWebhookEndpoint seeds an endpoint, as if made in the dashboard, and
// returns its id and secret.
func (s *Server) AddWebhookEndpoint(endpointURL string, events []string, enabled bool) (id, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	e := webhookEndpoint{Object: "webhook_endpoint", ID: "we_" + s.ids.next(now), EndpointURL: endpointURL,
		Status: "enabled", Events: slices.Clone(events), CreatedAt: timestamp(now), UpdatedAt: timestamp(now)}
	if !enabled {
		e.Status = "disabled"
	}
	e.Secret = "whsec_" + s.derive("webhook secret", e.ID)
	s.webhooks = append(s.webhooks, e)
	return e.ID, e.Secret
}

// WebhookEndpoints describes each endpoint as "URL status event,event",
// for tests to compare.
func (s *Server) WebhookEndpoints() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.webhooks))
	for i, e := range s.webhooks {
		out[i] = fmt.Sprintf("%s %s %s", e.EndpointURL, e.Status, strings.Join(e.Events, ","))
	}
	return out
}
