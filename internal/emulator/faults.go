package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/faults"
)

// Faults makes the server misbehave, so that tests can check how a client
// copes. The counted faults are applied by internal/faults, which the
// deployment emulator shares. Match and Latency select and slow down requests; the four counts are
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

// Counts is the part of f that the shared injector applies.
func (f Faults) Counts() faults.Faults {
	return faults.Faults{
		Match: f.Match, Latency: f.Latency,
		TooManyRequests: f.TooManyRequests, RetryAfter: f.RetryAfter,
		ServerErrors: f.ServerErrors, DropConnections: f.DropConnections, LostResponses: f.LostResponses,
	}
}

// SetFaults replaces the current faults (and any counts left in them).
func (s *Server) SetFaults(f Faults) {
	s.inj.Set(f.Counts())
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// currentFaults returns the faults with the counts still left.
func (s *Server) currentFaults() Faults {
	c := s.inj.Get()
	s.mu.Lock()
	f := s.faults
	s.mu.Unlock()
	f.Match, f.Latency = c.Match, c.Latency
	f.TooManyRequests, f.RetryAfter = c.TooManyRequests, c.RetryAfter
	f.ServerErrors, f.DropConnections, f.LostResponses = c.ServerErrors, c.DropConnections, c.LostResponses
	return f
}

// injectFault applies the shared injector with WorkOS's error bodies.
func (s *Server) injectFault(w http.ResponseWriter, r *http.Request) bool {
	return s.inj.Inject(w, r, s.mux, func(w http.ResponseWriter, status int) {
		writeMessage(w, status, http.StatusText(status))
	})
}

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
	if err := f.Counts().Validate(); err != nil {
		return err
	}
	if f.DuplicateStatus != 0 && f.DuplicateStatus != http.StatusConflict && f.DuplicateStatus != http.StatusUnprocessableEntity {
		return fmt.Errorf("--duplicate-status must be 409 or 422, got %d", f.DuplicateStatus)
	}
	return nil
}

// Describe lists the faults that are set, for a server to announce what it
// will do; "" when there are none.
func (f Faults) Describe() string {
	parts := []string{}
	if d := f.Counts().Describe(); d != "" {
		parts = append(parts, d)
	}
	add := func(ok bool, format string, args ...any) {
		if ok {
			parts = append(parts, fmt.Sprintf(format, args...))
		}
	}
	add(f.DuplicateStatus != 0, "%d for duplicates", f.DuplicateStatus)
	add(f.NoListEndpoints, "no list endpoints")
	add(f.NoHomepage, "no homepage endpoint")
	add(f.JWKSContentType != "", "JWKS served as %s", f.JWKSContentType)
	return strings.Join(parts, ", ")
}
