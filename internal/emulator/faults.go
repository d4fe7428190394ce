package emulator

import (
	"cmp"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Faults makes the server misbehave, so that tests can check how a client
// copes. Match and Latency select and slow down requests; the four counts are
// consumed by matching requests, first come first served, in the order
// dropped connection, 429, 503, lost response (one fault per request). The
// remaining fields switch the server's behaviour for every request, whatever
// Match says.
type Faults struct {
	// Match selects the requests that Latency and the counts apply to: "" is
	// every request; "METHOD /path-prefix" or "/path-prefix" narrows it.
	Match string
	// Latency is added to every matching request. A client that gives up
	// while waiting gets nothing, and no count is consumed for it.
	Latency         time.Duration
	TooManyRequests int    // answer 429 with Retry-After: RetryAfter this many times
	RetryAfter      string // value of the Retry-After header, default "1"
	ServerErrors    int    // answer 503 (JSON body) this many times
	DropConnections int    // close the connection without answering this many times
	// LostResponses handles this many requests, changing the state as
	// usual, then closes the connection without answering: the client
	// cannot tell whether its write happened, and a retry finds it done.
	LostResponses int
	// DuplicateStatus is the status for "already exists" on redirect URIs
	// and CORS origins: 0 answers as the spec does (422 for redirect URIs,
	// 409 for CORS origins); 409 or 422 answers that status for both, with
	// the same bodies, as other WorkOS servers and emulators do.
	DuplicateStatus int
	// NoListEndpoints makes GET /user_management/redirect_uris and
	// /cors_origins answer 404, like older servers and the official emulator.
	NoListEndpoints bool
	// NoHomepage makes PUT /user_management/app_homepage_url answer 404.
	NoHomepage bool
	// JWKSContentType replaces the JWKS response's Content-Type (WorkOS
	// sends application/jwk-set+json), as a proxy or a misconfigured custom
	// domain might.
	JWKSContentType string
}

// SetFaults replaces the current faults (and any counts left in them).
func (s *Server) SetFaults(f Faults) {
	if f.RetryAfter == "" {
		f.RetryAfter = "1"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

func (s *Server) currentFaults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// matches reports whether r is selected by a Match pattern.
func matches(pattern string, r *http.Request) bool {
	fields := strings.Fields(pattern)
	method, prefix := "", ""
	switch len(fields) {
	case 0:
		return true
	case 1:
		if strings.HasPrefix(fields[0], "/") {
			prefix = fields[0]
		} else {
			method = fields[0]
		}
	default:
		method, prefix = fields[0], fields[1]
	}
	if method != "" && !strings.EqualFold(method, r.Method) {
		return false
	}
	return strings.HasPrefix(r.URL.Path, prefix)
}

type faultKind int

const (
	noFault faultKind = iota
	dropFault
	tooManyFault
	serverErrorFault
	lostResponseFault
)

// consumeFault takes one count from the current faults for r, if any is
// left. It reads the faults again after the latency so that a SetFaults
// made meanwhile is honoured.
func (s *Server) consumeFault(r *http.Request) (faultKind, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := &s.faults
	if !matches(f.Match, r) {
		return noFault, ""
	}
	switch {
	case f.DropConnections > 0:
		f.DropConnections--
		return dropFault, ""
	case f.TooManyRequests > 0:
		f.TooManyRequests--
		return tooManyFault, f.RetryAfter
	case f.ServerErrors > 0:
		f.ServerErrors--
		return serverErrorFault, ""
	case f.LostResponses > 0:
		f.LostResponses--
		return lostResponseFault, ""
	}
	return noFault, ""
}

// injectFault applies latency and then at most one counted fault. It
// reports whether it has dealt with the request.
func (s *Server) injectFault(w http.ResponseWriter, r *http.Request) bool {
	if f := s.currentFaults(); f.Latency > 0 && matches(f.Match, r) {
		t := time.NewTimer(f.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true
		}
	}
	kind, retryAfter := s.consumeFault(r)
	switch kind {
	case dropFault:
		dropConnection(w)
	case lostResponseFault:
		s.mux.ServeHTTP(&discardWriter{header: http.Header{}}, r)
		dropConnection(w)
	case tooManyFault:
		w.Header().Set("Retry-After", retryAfter)
		writeMessage(w, http.StatusTooManyRequests, "Too Many Requests")
	case serverErrorFault:
		writeMessage(w, http.StatusServiceUnavailable, "Service Unavailable")
	default:
		return false
	}
	return true
}

// dropConnection closes the client's connection without an answer.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// HTTP/2, or a ResponseRecorder: make net/http abort the response
		// instead, which a client also sees as a broken connection.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// discardWriter takes a handler's answer and throws it away.
type discardWriter struct{ header http.Header }

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

// unlessNoList answers 404 for list endpoints when NoListEndpoints is set;
// it runs before authentication because an older server has no such route
// at all.
func (s *Server) unlessNoList(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.currentFaults().NoListEndpoints {
			notFound(w, r)
			return
		}
		h(w, r)
	}
}

// Validate reports the first setting that cannot work, naming it as the
// emulate flags do, so a rehearsal does not silently run without its fault.
func (f Faults) Validate() error {
	for _, c := range []struct {
		name string
		n    int
	}{{"--fail-429", f.TooManyRequests}, {"--fail-503", f.ServerErrors}, {"--drop", f.DropConnections}, {"--lose", f.LostResponses}} {
		if c.n < 0 {
			return fmt.Errorf("%s must be 0 or more, got %d", c.name, c.n)
		}
	}
	if f.Latency < 0 {
		return fmt.Errorf("--latency must not be negative, got %s", f.Latency)
	}
	if f.DuplicateStatus != 0 && f.DuplicateStatus != http.StatusConflict && f.DuplicateStatus != http.StatusUnprocessableEntity {
		return fmt.Errorf("--duplicate-status must be 409 or 422, got %d", f.DuplicateStatus)
	}
	fields := strings.Fields(f.Match)
	switch {
	case len(fields) > 2:
		return fmt.Errorf("--fault-match %q has more than a method and a path prefix", f.Match)
	case len(fields) == 2 && !strings.HasPrefix(fields[1], "/"):
		return fmt.Errorf("--fault-match %q: the path prefix must start with /", f.Match)
	case len(fields) == 2 && strings.HasPrefix(fields[0], "/"):
		return fmt.Errorf("--fault-match %q: write the method first", f.Match)
	}
	return nil
}

// Describe lists the faults that are set, for a server to announce what it
// will do; "" when there are none.
func (f Faults) Describe() string {
	var parts []string
	add := func(ok bool, format string, args ...any) {
		if ok {
			parts = append(parts, fmt.Sprintf(format, args...))
		}
	}
	add(f.Latency > 0, "latency %s", f.Latency)
	add(f.DropConnections > 0, "%d dropped connection(s)", f.DropConnections)
	add(f.TooManyRequests > 0, "%d × 429 (Retry-After: %s)", f.TooManyRequests, cmp.Or(f.RetryAfter, "1"))
	add(f.ServerErrors > 0, "%d × 503", f.ServerErrors)
	add(f.LostResponses > 0, "%d lost response(s)", f.LostResponses)
	add(len(parts) > 0 && f.Match != "", "those only for %s", f.Match)
	add(f.DuplicateStatus != 0, "%d for duplicates", f.DuplicateStatus)
	add(f.NoListEndpoints, "no list endpoints")
	add(f.NoHomepage, "no homepage endpoint")
	add(f.JWKSContentType != "", "JWKS served as %s", f.JWKSContentType)
	return strings.Join(parts, ", ")
}
