// Package deployemu is an in-process HTTP server that answers like a Convex
// deployment for what convex-authkit and `npx convex` need from one: the
// environment-variable routes (/api/v1/list_environment_variables,
// /api/v1/update_environment_variables and their forms without /v1) and the
// system queries over /api/function and /api/query
// (_system/frontend/listAuthProviders, _system/frontend/convexSiteUrl,
// _system/cli/convexUrl:cloudUrl, _system/cli/queryEnvironmentVariables and
// its :get). Every route needs "Authorization: Convex <admin key>"; a wrong
// key gets 401 BadAdminKey. State (variables, stored auth providers, site
// URL) is seeded through Options and read back with Vars.
//
// The real `convex` 1.48.0 CLI drives it in tests through
// CONVEX_SELF_HOSTED_URL and CONVEX_SELF_HOSTED_ADMIN_KEY: `env set`, `env
// remove` and `run` work. `env list` and `env get` do not: the CLI reads
// them over the deployment's WebSocket sync protocol, which this server
// does not speak (it answers that route 404).
//
// Faults (latency, 429, 503, dropped connections, lost responses) come from
// internal/faults, as for the WorkOS emulator.
package deployemu

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/convex-authkit/convex-authkit/internal/emuhttp"
	"github.com/convex-authkit/convex-authkit/internal/faults"
)

// Fixed defaults, so that documentation and tests can quote them.
const (
	DefaultAdminKey = "convex-self-hosted|emulator-admin-key-0000000000000000"
	DefaultName     = "emulated-otter-123"
)

// Options seeds a Server. The zero value serves an empty deployment.
type Options struct {
	AdminKey string // default DefaultAdminKey
	// ReadOnlyKey, if set, is a second key that may read but not write:
	// updates answer 403 as Convex does for a key lacking the permission.
	ReadOnlyKey string
	Vars        map[string]string
	// Providers are the stored _auth documents, as
	// _system/frontend/listAuthProviders returns them.
	Providers []map[string]any
	SiteURL   string // default: the server's URL with .site-style port unchanged
	CloudURL  string // default: the server's URL
}

// Request is one request served, as Requests records it.
type Request struct {
	Method, Path string
	Status       int // 0 when no answer was sent
	// Function is the system function called through /api/function or
	// /api/query, "" otherwise.
	Function string
}

// Server is the deployment emulator; safe for concurrent use.
type Server struct {
	adminKey, readOnlyKey string
	mux                   *http.ServeMux
	inj                   faults.Injector
	served                emuhttp.Served
	// htmlPages makes the requests the faults' Match selects get an HTML
	// page (see SetHTMLPages).
	htmlPages atomic.Bool

	// routes is whether the app's HTTP actions include the
	// @convex-dev/workos-authkit routes (SetComponentRoutes).
	routes atomic.Bool

	mu         sync.Mutex
	deliveries []Received
	vars       map[string]string
	providers  []map[string]any
	siteURL    string
	cloudURL   string

	requests emuhttp.Log[Request]
}

// New returns a Server holding opts' state. It does not listen: call Start,
// or mount it as an http.Handler.
func New(opts Options) *Server {
	s := &Server{adminKey: opts.AdminKey, readOnlyKey: opts.ReadOnlyKey, vars: maps.Clone(opts.Vars),
		providers: opts.Providers, siteURL: opts.SiteURL, cloudURL: opts.CloudURL}
	if s.adminKey == "" {
		s.adminKey = DefaultAdminKey
	}
	if s.vars == nil {
		s.vars = map[string]string{}
	}
	mux := http.NewServeMux()
	for _, prefix := range []string{"/api/v1", "/api"} {
		mux.HandleFunc("GET "+prefix+"/list_environment_variables", s.authed(false, s.listVars))
		mux.HandleFunc("POST "+prefix+"/update_environment_variables", s.authed(true, s.updateVars))
	}
	mux.HandleFunc("POST /api/function", s.authed(false, s.function(false)))
	mux.HandleFunc("POST /api/query", s.authed(false, s.function(true)))
	mux.HandleFunc("POST /workos/webhook", s.componentRoute("WORKOS_WEBHOOK_SECRET"))
	mux.HandleFunc("POST /workos/action", s.componentRoute("WORKOS_ACTION_SECRET"))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "NotFound", "No route for "+r.Method+" "+r.URL.Path)
	})
	s.mux = mux
	return s
}

// Start listens on a loopback addr ("127.0.0.1:0") and serves in the
// background. The admin key is fixed and public, so the server must never be
// reachable from the network.
func (s *Server) Start(addr string) (string, error) {
	return s.served.Start("deployment emulator", addr, s)
}

// Close stops a started server and drops its open connections, which also
// ends requests waiting on injected latency. It is a no-op otherwise.
func (s *Server) Close() error { return s.served.Close() }

// URL is the base URL returned by Start, or "" before it.
func (s *Server) URL() string { return s.served.URL() }

// AdminKey is the key the server accepts for everything.
func (s *Server) AdminKey() string { return s.adminKey }

// SetFaults replaces the injected faults.
func (s *Server) SetFaults(f faults.Faults) { s.inj.Set(f) }

// SetHTMLPages makes the server answer the requests that the faults' Match
// selects (all of them by default) with 200 and an HTML page, instead of
// the other faults, as a proxy's sign-in page or a
// web app at the deployment's URL would: an answer that is not Convex's
// JSON. false answers them normally again.
func (s *Server) SetHTMLPages(on bool) { s.htmlPages.Store(on) }

// htmlPage is what SetHTMLPages serves.
const htmlPage = "<!DOCTYPE html>\n<html><head><title>Sign in to the network</title></head><body><p>Sign in to continue.</p></body></html>\n"

// Vars returns a copy of the environment variables.
func (s *Server) Vars() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.vars)
}

// SetVar sets one environment variable, as the dashboard would.
func (s *Server) SetVar(name, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.vars[name] = value
}

// DeleteVar removes one environment variable.
func (s *Server) DeleteVar(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.vars, name)
}

// SetProviders replaces the stored auth providers, as a push would.
func (s *Server) SetProviders(p []map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.providers = p
}

// Requests returns the requests served so far, in arrival order.
func (s *Server) Requests() []Request { return s.requests.All() }

// ServeHTTP records r, applies the faults, then routes it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &Request{Method: r.Method, Path: r.URL.Path}
	s.requests.Add(rec)
	sw := &emuhttp.StatusWriter{ResponseWriter: w, Record: func(code int) {
		s.requests.Update(func() { rec.Status = code })
	}}
	ctx := withRecord(r, rec)
	if s.htmlPages.Load() && faults.Matches(s.inj.Get().Match, r) {
		sw.Header().Set("Content-Type", "text/html; charset=utf-8")
		sw.WriteHeader(http.StatusOK)
		_, _ = sw.Write([]byte(htmlPage))
		return
	}
	if s.inj.Inject(sw, ctx, s.mux, func(w http.ResponseWriter, status int) {
		writeError(w, status, strings.ReplaceAll(http.StatusText(status), " ", ""), http.StatusText(status))
	}) {
		return
	}
	s.mux.ServeHTTP(sw, ctx)
}

// authed checks "Authorization: Convex <key>". write routes refuse the
// read-only key with 403, in the words Convex uses.
func (s *Server) authed(write bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		scheme, key, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		switch {
		case scheme == "Convex" && key == s.adminKey:
		case scheme == "Convex" && s.readOnlyKey != "" && key == s.readOnlyKey:
			if write {
				writeError(w, http.StatusForbidden, "Forbidden", "You do not have permission to perform this operation (deployment:env:write).")
				return
			}
		default:
			writeError(w, http.StatusUnauthorized, "BadAdminKey", "The provided admin key was invalid for this instance")
			return
		}
		h(w, r)
	}
}

func (s *Server) listVars(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"environmentVariables": s.Vars()})
}

// Convex's limits (docs): names, at most 100 variables, values up to 8 KiB.
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,39}$`)

const (
	maxVars      = 100
	maxValueSize = 8 << 10
)

// updateVars applies the whole batch or nothing, as the deployment's one
// transaction does, and answers 200 with an empty body.
func (s *Server) updateVars(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Changes []struct {
			Name  string  `json:"name"`
			Value *string `json:"value"`
		} `json:"changes"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<20)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "BadJsonBody", "The request body is not {\"changes\": [...]}")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	next := maps.Clone(s.vars)
	for _, c := range req.Changes {
		if !envName.MatchString(c.Name) {
			writeError(w, http.StatusBadRequest, "EnvVarNameInvalid", fmt.Sprintf("Environment variable name %q is invalid: it must start with a letter or underscore, contain only letters, numbers and underscores, and be at most 40 characters", c.Name))
			return
		}
		if c.Value == nil {
			delete(next, c.Name)
			continue
		}
		if len(*c.Value) > maxValueSize {
			writeError(w, http.StatusBadRequest, "EnvVarValueTooLarge", fmt.Sprintf("Environment variable %s is larger than %d bytes", c.Name, maxValueSize))
			return
		}
		next[c.Name] = *c.Value
	}
	if len(next) > maxVars {
		writeError(w, http.StatusBadRequest, "TooManyEnvironmentVariables", fmt.Sprintf("A deployment can have at most %d environment variables", maxVars))
		return
	}
	s.vars = next
	w.WriteHeader(http.StatusOK)
}

// function answers /api/function (args an object) and /api/query (args a
// one-element list), for the system functions this emulator knows.
func (s *Server) function(query bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Path string          `json:"path"`
			Args json.RawMessage `json:"args"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil || req.Path == "" {
			writeError(w, http.StatusBadRequest, "BadJsonBody", "The request body must be {\"path\", \"args\"}")
			return
		}
		recordOf(r).setFunction(s, req.Path)
		args := req.Args
		if query {
			var list []json.RawMessage
			if err := json.Unmarshal(args, &list); err != nil || len(list) != 1 {
				writeError(w, http.StatusBadRequest, "InvalidArgs", "args must be a list holding one object")
				return
			}
			args = list[0]
		}
		value, ok := s.call(strings.TrimSuffix(req.Path, ":default"), args, requestBase(r))
		if !ok {
			writeJSON(w, 560, map[string]any{"status": "error", "logLines": []string{},
				"errorMessage": fmt.Sprintf("Could not find public function for '%s'. Did you forget to run `npx convex dev` or `npx convex deploy`?", req.Path)})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"status": "success", "value": value, "logLines": []string{}})
	}
}

func (s *Server) call(path string, args json.RawMessage, base string) (any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch path {
	case "_system/frontend/listAuthProviders":
		if s.providers == nil {
			return []any{}, true
		}
		return s.providers, true
	case "_system/frontend/convexSiteUrl":
		if s.siteURL != "" {
			return s.siteURL, true
		}
		return base, true
	case "_system/cli/convexUrl:cloudUrl":
		if s.cloudURL != "" {
			return s.cloudURL, true
		}
		return base, true
	case "_system/cli/queryEnvironmentVariables":
		names := make([]string, 0, len(s.vars))
		for k := range s.vars {
			names = append(names, k)
		}
		sort.Strings(names)
		out := make([]map[string]string, 0, len(names))
		for _, k := range names {
			out = append(out, map[string]string{"name": k, "value": s.vars[k]})
		}
		return out, true
	case "_system/cli/queryEnvironmentVariables:get":
		var a struct {
			Name string `json:"name"`
		}
		_ = json.Unmarshal(args, &a)
		if v, ok := s.vars[a.Name]; ok {
			return map[string]string{"name": a.Name, "value": v}, true
		}
		return nil, true
	}
	return nil, false
}

func requestBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // every value is built here; failing to encode one is a bug
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeError writes Convex's error body, {"code", "message"}.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]string{"code": code, "message": msg})
}
