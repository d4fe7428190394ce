package deployemu

import (
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/webhooksig"
)

// SetComponentRoutes says whether the emulated app has deployed
// @convex-dev/workos-authkit's routes (authKit.registerRoutes(http)). Off,
// POST /workos/webhook answers 404 like any unknown route: what a
// deployment says before the routes are pushed.
func (s *Server) SetComponentRoutes(on bool) { s.routes.Store(on) }

// Received is a webhook delivery the route accepted: the body and the
// signature header exactly as they came, for a test to check them again
// with another verifier.
type Received struct {
	Body, Signature string
}

// Deliveries returns the webhook deliveries the route accepted, in order.
func (s *Server) Deliveries() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.deliveries)
}

// componentRoute answers like the component's handler (0.2.9): a request
// without a valid signature makes the handler throw, which Convex turns
// into a 500; a verified delivery is accepted with 200 "OK". The secret
// comes from the deployment's variable, as the AuthKit constructor reads it.
func (s *Server) componentRoute(secretVar string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.routes.Load() {
			writeError(w, http.StatusNotFound, "NotFound", "No route for "+r.Method+" "+r.URL.Path)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "Server Error", http.StatusInternalServerError)
			return
		}
		s.mu.Lock()
		secret := s.vars[secretVar]
		s.mu.Unlock()
		if err := webhooksig.Verify(r.Header.Get(webhooksig.Header), body, secret, time.Now(), webhooksig.Tolerance); err != nil {
			// Convex hides an uncaught error's message from the caller.
			http.Error(w, "Server Error", http.StatusInternalServerError)
			return
		}
		s.mu.Lock()
		s.deliveries = append(s.deliveries, Received{Body: string(body), Signature: r.Header.Get(webhooksig.Header)})
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "OK")
	}
}
