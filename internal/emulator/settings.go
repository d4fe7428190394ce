package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/netpolicy"
)

type redirectURI struct {
	Object    string `json:"object"`
	ID        string `json:"id"`
	URI       string `json:"uri"`
	Default   bool   `json:"default"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

type corsOrigin struct {
	Object    string `json:"object"`
	ID        string `json:"id"`
	Origin    string `json:"origin"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

type jwtTemplate struct {
	Object    string `json:"object"`
	Content   string `json:"content"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// AddRedirectURI seeds a redirect URI without validation, with exactly the
// default flag given (unlike POST, which makes the first one the default).
// Seeding one that exists only sets its flag. An environment has at most one
// default, so a new default takes the flag from the previous one.
func (s *Server) AddRedirectURI(uri string, isDefault bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.redirectIndex(uri)
	if i < 0 {
		s.addRedirectLocked(uri, false)
		i = len(s.redirects) - 1
	}
	for j := range s.redirects {
		if j == i {
			s.redirects[j].Default = isDefault
		} else if isDefault {
			s.redirects[j].Default = false
		}
	}
}

// RedirectURIs lists the redirect URIs in creation order.
func (s *Server) RedirectURIs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.redirects))
	for i, r := range s.redirects {
		out[i] = r.URI
	}
	return out
}

// AddCORSOrigin seeds a CORS origin without validation.
func (s *Server) AddCORSOrigin(origin string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.originIndex(origin) < 0 {
		s.addOriginLocked(origin)
	}
}

// CORSOrigins lists the CORS origins in creation order.
func (s *Server) CORSOrigins() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.origins))
	for i, o := range s.origins {
		out[i] = o.Origin
	}
	return out
}

// HomepageURL is the app homepage URL last set, or "".
func (s *Server) HomepageURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.homepage
}

// JWTTemplate is the JWT template's content, or "" when none is set.
func (s *Server) JWTTemplate() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.template == nil {
		return ""
	}
	return s.template.Content
}

func (s *Server) redirectIndex(uri string) int {
	for i, r := range s.redirects {
		if r.URI == uri {
			return i
		}
	}
	return -1
}

func (s *Server) addRedirectLocked(uri string, isDefault bool) redirectURI {
	now := s.now()
	r := redirectURI{
		Object: "redirect_uri", ID: "redir_" + s.ids.next(now), URI: uri,
		Default:   isDefault,
		CreatedAt: timestamp(now), UpdatedAt: timestamp(now),
	}
	s.redirects = append(s.redirects, r)
	return r
}

func (s *Server) originIndex(origin string) int {
	for i, o := range s.origins {
		if o.Origin == origin {
			return i
		}
	}
	return -1
}

func (s *Server) addOriginLocked(origin string) corsOrigin {
	now := s.now()
	o := corsOrigin{
		Object: "cors_origin", ID: "cors_origin_" + s.ids.next(now), Origin: origin,
		CreatedAt: timestamp(now), UpdatedAt: timestamp(now),
	}
	s.origins = append(s.origins, o)
	return o
}

// duplicateStatus is the status for an "already exists" answer: the
// resource's own unless a fault overrides it.
func (s *Server) duplicateStatus(spec int) int {
	if st := s.currentFaults().DuplicateStatus; st == http.StatusConflict || st == http.StatusUnprocessableEntity {
		return st
	}
	return spec
}

func (s *Server) listRedirectURIs(w http.ResponseWriter, r *http.Request) {
	p, ok := parsePage(w, r.URL.Query())
	if !ok {
		return
	}
	s.mu.Lock()
	page := paginate(s.redirects, func(r redirectURI) string { return r.ID }, p)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) createRedirectURI(w http.ResponseWriter, r *http.Request) {
	var body struct {
		URI string `json:"uri"`
	}
	if !decodeJSON(w, r, &body) {
		return
	}
	if !validRedirectURI(body.URI) {
		writeValidation(w, "uri", "isUrl", "uri must be an absolute URL")
		return
	}
	if s.production() {
		if msg := productionProblem(body.URI); msg != "" {
			writeMessage(w, http.StatusUnprocessableEntity, fmt.Sprintf("Redirect URI '%s' is not allowed in a production environment: %s.", body.URI, msg))
			return
		}
	}
	dup := s.duplicateStatus(http.StatusUnprocessableEntity)
	s.mu.Lock()
	if s.redirectIndex(body.URI) >= 0 {
		s.mu.Unlock()
		writeMessage(w, dup, fmt.Sprintf("Redirect URI '%s' already exists.", body.URI))
		return
	}
	// The first one becomes the default, as in the WorkOS dashboard: an
	// environment with redirect URIs always has a default one.
	created := s.addRedirectLocked(body.URI, len(s.redirects) == 0)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, created)
}

func (s *Server) deleteRedirectURI(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	i := slices.IndexFunc(s.redirects, func(red redirectURI) bool { return red.ID == id })
	isDefault := i >= 0 && s.redirects[i].Default
	if i >= 0 && !isDefault {
		s.redirects = slices.Delete(s.redirects, i, i+1)
	}
	s.mu.Unlock()
	switch {
	case i < 0:
		writeMessage(w, http.StatusNotFound, fmt.Sprintf("Redirect URI not found: '%s'.", id))
	case isDefault:
		writeMessage(w, http.StatusConflict, "Cannot delete the default redirect URI.")
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) listCORSOrigins(w http.ResponseWriter, r *http.Request) {
	p, ok := parsePage(w, r.URL.Query())
	if !ok {
		return
	}
	s.mu.Lock()
	page := paginate(s.origins, func(o corsOrigin) string { return o.ID }, p)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) createCORSOrigin(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Origin string `json:"origin"`
	}
	if !decodeJSON(w, r, &body) {
		return
	}
	if body.Origin == "" {
		writeValidation(w, "origin", "isNotEmpty", "origin should not be empty")
		return
	}
	if !validOrigin(body.Origin) {
		writeValidation(w, "origin", "isOrigin", "origin must be a scheme, host and optional port, without path, query or fragment (e.g. https://app.example.com)")
		return
	}
	dup := s.duplicateStatus(http.StatusConflict)
	s.mu.Lock()
	if s.originIndex(body.Origin) >= 0 {
		s.mu.Unlock()
		writeCoded(w, dup, "duplicate_cors_origin", "CORS origin already exists.")
		return
	}
	created := s.addOriginLocked(body.Origin)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, created)
}

func (s *Server) putHomepage(w http.ResponseWriter, r *http.Request) {
	if s.currentFaults().NoHomepage {
		notFound(w, r)
		return
	}
	var body struct {
		URL string `json:"url"`
	}
	if !decodeJSON(w, r, &body) {
		return
	}
	u, err := url.Parse(body.URL)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		writeMessage(w, http.StatusUnprocessableEntity, fmt.Sprintf("App homepage URL '%s' is not a valid URL.", body.URL))
		return
	case netpolicy.IsLocalHost(u.Hostname()):
		// WorkOS rejects localhost homepages in every environment; the
		// Convex CLI counts on this 422.
		writeMessage(w, http.StatusUnprocessableEntity, fmt.Sprintf("App homepage URL '%s' cannot point to localhost.", body.URL))
		return
	case s.production() && u.Scheme == "http":
		writeMessage(w, http.StatusUnprocessableEntity, fmt.Sprintf("App homepage URL '%s' is not allowed in a production environment: it must use HTTPS.", body.URL))
		return
	}
	s.mu.Lock()
	s.homepage = body.URL
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"object": "app_homepage_url", "url": body.URL})
}

func (s *Server) getTemplate(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	t := s.template
	s.mu.Unlock()
	if t == nil {
		writeMessage(w, http.StatusNotFound, "JWT template not found.")
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) putTemplate(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Content *string `json:"content"`
	}
	if !decodeJSON(w, r, &body) {
		return
	}
	if body.Content == nil {
		writeCoded(w, http.StatusUnprocessableEntity, "invalid_request_parameters", "content must be a string.")
		return
	}
	if err := checkTemplate(*body.Content); err != nil {
		writeCoded(w, http.StatusUnprocessableEntity, "invalid_request_parameters", "Invalid JWT template: "+err.Error()+".")
		return
	}
	s.mu.Lock()
	now := timestamp(s.now())
	// A new value each time: handlers that read the old one keep it intact.
	t := &jwtTemplate{Object: "jwt_template", Content: *body.Content, CreatedAt: now, UpdatedAt: now}
	if s.template != nil {
		t.CreatedAt = s.template.CreatedAt
	}
	s.template = t
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, t)
}

// validRedirectURI accepts absolute URLs, including native-app schemes such
// as myapp://callback, but web URLs must name a host.
func validRedirectURI(raw string) bool {
	if raw == "" || strings.ContainsAny(raw, " \t\r\n") {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() {
		return false
	}
	if u.Scheme == "http" || u.Scheme == "https" {
		return u.Host != ""
	}
	return u.Host != "" || u.Opaque != "" || u.Path != ""
}

// productionProblem says why a production environment refuses a URL, or "".
func productionProblem(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	if netpolicy.IsLocalHost(u.Hostname()) {
		return "localhost is not allowed"
	}
	if u.Scheme == "http" {
		return "it must use HTTPS"
	}
	return ""
}

// validOrigin accepts exactly scheme://host[:port], the form a browser puts
// in the Origin header.
func validOrigin(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme != "" && u.Host != "" && u.Opaque == "" && u.User == nil &&
		u.Path == "" && u.RawQuery == "" && !u.ForceQuery && u.Fragment == "" && !strings.HasSuffix(raw, "#") &&
		!strings.HasSuffix(u.Host, ":")
}
