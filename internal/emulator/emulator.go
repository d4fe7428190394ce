// Package emulator is an in-process HTTP server that behaves like the parts of
// the WorkOS API convex-authkit uses: redirect URIs, CORS origins, the app
// homepage URL, the JWT template, webhook endpoints, the JWKS, users and
// password authentication, which mints RS256 access tokens shaped like
// AuthKit's.
//
// Every test and the demo command run against it, so it answers with WorkOS's
// shapes, statuses and error bodies, and it is deterministic wherever the
// clock (Options.Now) and the signing key (Options.Key) are fixed. Faults
// (latency, 429, 503, dropped connections, older-server quirks) can be
// injected to exercise a client's error handling.
package emulator

import (
	"cmp"
	"context"
	"crypto/rsa"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/emuhttp"
	"github.com/convex-authkit/convex-authkit/internal/faults"
)

// Defaults used when Options leaves a field empty. They are fixed, not
// random, so that documentation and golden files can quote them.
const (
	// DefaultClientID reads "emulator" within the Crockford alphabet (which
	// has no I, L, O or U), so that it passes client-ID format checks.
	DefaultClientID = "client_01EMV1AT0R0000000000000000"
	DefaultAPIKey   = "sk_test_emulator_0000000000000000"
)

// Options configures a Server. The zero value is ready to use.
type Options struct {
	ClientID string // default DefaultClientID
	APIKey   string // default DefaultAPIKey; an sk_live_ key makes it a production environment
	// Key signs access tokens; nil = wellKnownKey, the same in every
	// emulator, so that one emulator's tokens verify against another's JWKS.
	// A test that needs keys to differ passes its own.
	Key *rsa.PrivateKey
	Now func() time.Time // default time.Now
	// IssuerBase is the base of minted tokens' iss
	// (<IssuerBase>/user_management/<client ID>). "https://api.workos.com"
	// makes tokens exactly like WorkOS's, for a client that reaches the
	// emulator through Transport; empty means the server's own URL.
	IssuerBase string
	// DeliveryAttempts and DeliveryBackoff shape webhook deliveries'
	// retries (defaults DefaultDeliveryAttempts, DefaultDeliveryBackoff).
	DeliveryAttempts int
	DeliveryBackoff  time.Duration
}

// Request is one request the server received, as recorded by Requests.
type Request struct {
	Method, Path string
	// Status is the status answered, or 0 when no answer was sent (a dropped
	// connection, or a client that gave up during injected latency).
	Status int
}

// Server is the emulator. Create it with New; it is safe for concurrent use.
type Server struct {
	clientID string
	apiKey   string
	issuer   string // Options.IssuerBase
	now      func() time.Time
	mux      *http.ServeMux

	// The signer (the JWKS and its certificate) is built on first use:
	// most tests never mint a token.
	keyOnce sync.Once
	optKey  *rsa.PrivateKey
	sig     *signer
	sigErr  error

	requests emuhttp.Log[Request]

	// events sends webhook deliveries; it has its own lock, so a
	// delivery's record never waits on a handler holding mu.
	events           deliverer
	deliveryAttempts int
	deliveryBackoff  time.Duration

	mu       sync.Mutex
	served   emuhttp.Served
	seenBase string // base URL of the latest request, for servers used via ServeHTTP only
	ids      idGen
	faults   Faults
	inj      faults.Injector

	redirects []redirectURI
	origins   []corsOrigin
	homepage  string
	template  *jwtTemplate
	webhooks  []webhookEndpoint
	users     []user
	sessions  map[string]*session // by session id
	refresh   map[string]string   // refresh token -> session id
}

// New returns a Server with empty state. It does not listen: call Start, or
// mount it as an http.Handler (e.g. with httptest.NewServer).
func New(opts Options) *Server {
	s := &Server{
		clientID: opts.ClientID,
		apiKey:   opts.APIKey,
		issuer:   strings.TrimRight(opts.IssuerBase, "/"),
		now:      opts.Now,
		optKey:   opts.Key,
		sessions: map[string]*session{},
		refresh:  map[string]string{},

		deliveryAttempts: cmp.Or(opts.DeliveryAttempts, DefaultDeliveryAttempts),
		deliveryBackoff:  cmp.Or(opts.DeliveryBackoff, DefaultDeliveryBackoff),
	}
	s.events.ctx, s.events.cancel = context.WithCancel(context.Background())
	if s.clientID == "" {
		s.clientID = DefaultClientID
	}
	if s.apiKey == "" {
		s.apiKey = DefaultAPIKey
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.ids = newIDGen(s.clientID)
	s.mux = s.routes()
	return s
}

func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/user_management/redirect_uris", methods{
		http.MethodGet:  s.unlessNoList(s.authed(s.listRedirectURIs)),
		http.MethodPost: s.authed(s.createRedirectURI),
	})
	mux.Handle("/user_management/redirect_uris/{id}", methods{
		http.MethodDelete: s.authed(s.deleteRedirectURI),
	})
	mux.Handle("/user_management/cors_origins", methods{
		http.MethodGet:  s.unlessNoList(s.authed(s.listCORSOrigins)),
		http.MethodPost: s.authed(s.createCORSOrigin),
	})
	mux.Handle("/user_management/app_homepage_url", methods{
		http.MethodPut: s.authed(s.putHomepage),
	})
	mux.Handle("/user_management/jwt_template", methods{
		http.MethodGet: s.authed(s.getTemplate),
		http.MethodPut: s.authed(s.putTemplate),
	})
	mux.Handle("/webhook_endpoints", methods{
		http.MethodGet:  s.authed(s.listWebhooks),
		http.MethodPost: s.authed(s.createWebhook),
	})
	mux.Handle("/webhook_endpoints/{id}", methods{
		http.MethodPatch:  s.authed(s.updateWebhook),
		http.MethodDelete: s.authed(s.deleteWebhook),
	})
	mux.Handle("/user_management/users", methods{
		http.MethodGet:  s.authed(s.listUsers),
		http.MethodPost: s.authed(s.createUser),
	})
	mux.Handle("/user_management/users/{id}", methods{
		http.MethodGet:    s.authed(s.getUser),
		http.MethodPut:    s.authed(s.updateUser),
		http.MethodDelete: s.authed(s.deleteUser),
	})
	// Browsers and SDKs call these two without the API key.
	mux.Handle("/user_management/authenticate", methods{
		http.MethodPost: s.authenticate,
	})
	mux.Handle("/sso/jwks/{clientID}", methods{
		http.MethodGet: s.jwks,
	})
	mux.HandleFunc("/", notFound)
	return mux
}

// Start listens on addr (e.g. "127.0.0.1:0") and serves in the background.
// Only loopback addresses are accepted: the emulator hands out tokens for
// fixed credentials and must never be reachable from the network.
func (s *Server) Start(addr string) (string, error) {
	return s.served.Start("emulator", addr, s)
}

// Close stops a started server and drops its open connections, which also
// ends requests waiting on injected latency. It is a no-op otherwise.
// Pending webhook deliveries stop.
func (s *Server) Close() error {
	s.events.cancel()
	s.events.wg.Wait()
	return s.served.Close()
}

// URL is the base URL returned by Start, or "" before it.
func (s *Server) URL() string { return s.served.URL() }

// ClientID is the client ID the emulator answers for.
func (s *Server) ClientID() string { return s.clientID }

// APIKey is the only API key the emulator accepts.
func (s *Server) APIKey() string { return s.apiKey }

// Requests returns every request served so far, in arrival order, including
// faulted ones.
func (s *Server) Requests() []Request { return s.requests.All() }

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() { s.requests.Reset() }

// ServeHTTP answers one request: it records it, applies the configured
// faults, then routes it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &Request{Method: r.Method, Path: r.URL.Path}
	s.requests.Add(rec)
	s.mu.Lock()
	reqID := "req_" + s.ids.next(s.now())
	if s.served.URL() == "" {
		s.seenBase = requestBase(r)
	}
	s.mu.Unlock()

	sw := &emuhttp.StatusWriter{ResponseWriter: w, Record: func(code int) {
		s.requests.Update(func() { rec.Status = code })
	}}
	sw.Header().Set("X-Request-ID", reqID)
	if s.injectFault(sw, r) {
		return
	}
	s.mux.ServeHTTP(sw, r)
}

// baseURL is the issuer base for tokens minted while answering r.
func (s *Server) baseURL(r *http.Request) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issuerBaseLocked(requestBase(r))
}

// issuerBaseLocked is Options.IssuerBase, else the started URL, else
// fallback: the base URL a client used to reach a server that was never
// started.
func (s *Server) issuerBaseLocked(fallback string) string {
	switch {
	case s.issuer != "":
		return s.issuer
	case s.served.URL() != "":
		return s.served.URL()
	}
	return fallback
}

func requestBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// authed rejects requests without the API key, as WorkOS does, with a body
// that carries no hint about which part was wrong.
func (s *Server) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || token != s.apiKey {
			writeMessage(w, http.StatusUnauthorized, "Unauthorized")
			return
		}
		h(w, r)
	}
}

func (s *Server) production() bool { return strings.HasPrefix(s.apiKey, "sk_live_") }

// methods routes one path by method and answers 405 (with Allow) for others.
type methods map[string]http.HandlerFunc

func (m methods) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, ok := m[r.Method]
	if !ok {
		allow := make([]string, 0, len(m))
		for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			if m[method] != nil {
				allow = append(allow, method)
			}
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeMessage(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	h(w, r)
}

func notFound(w http.ResponseWriter, r *http.Request) {
	writeMessage(w, http.StatusNotFound, "Not Found")
}
