// Package emuhttp holds what the in-process emulators (WorkOS, the Convex
// deployment) share about serving: listening on loopback only, since they
// accept fixed public credentials, and a ResponseWriter that records the
// status it sends, for their request logs.
package emuhttp

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

// Listen serves h on addr (e.g. "127.0.0.1:0") in the background and returns
// the server and its base URL. Only loopback addresses are accepted;
// "localhost" is pinned to 127.0.0.1 so the URL does not depend on how this
// machine resolves it. name prefixes errors ("emulator").
func Listen(name, addr string, h http.Handler) (*http.Server, string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, "", fmt.Errorf("%s: invalid address %q: %w", name, addr, err)
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, "", fmt.Errorf("%s: refusing to listen on %q: only loopback addresses such as 127.0.0.1 are allowed", name, addr)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, "", err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		// Dropped connections are the point of some faults; the standard
		// logger would print them to the CLI's stderr.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	go func() { _ = srv.Serve(ln) }()
	return srv, "http://" + ln.Addr().String(), nil
}

// StatusWriter calls Record with the status as it is written, so that a
// request log shows it by the time the client has read the answer.
type StatusWriter struct {
	http.ResponseWriter
	Record func(int)
	wrote  bool
}

func (w *StatusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		w.Record(code)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *StatusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection to hijack it.
func (w *StatusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Served is an emulator's place on the network: started at most once, then
// closed. The emulators embed it rather than each keeping a server and URL
// under their own lock.
type Served struct {
	mu  sync.Mutex
	srv *http.Server
	url string
}

// Start serves h on a loopback addr (see Listen) and returns the base URL.
func (s *Served) Start(name, addr string, h http.Handler) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return "", fmt.Errorf("%s: already started", name)
	}
	srv, url, err := Listen(name, addr, h)
	if err != nil {
		return "", err
	}
	s.srv, s.url = srv, url
	return url, nil
}

// Close stops a started server and drops its open connections, which also
// ends requests waiting on injected latency; a no-op before Start.
func (s *Served) Close() error {
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	return srv.Close()
}

// URL is the base URL Start returned, or "" before it.
func (s *Served) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Log records an emulator's requests for tests and scripts. Its lock is its
// own, so recording a status never waits on (or deadlocks with) a handler
// holding the emulator's state lock. The zero value is ready to use.
type Log[T any] struct {
	mu   sync.Mutex
	recs []*T
}

// Add records rec, which handlers may go on filling in through Update.
func (l *Log[T]) Add(rec *T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs = append(l.recs, rec)
}

// Update changes a record under the log's lock.
func (l *Log[T]) Update(change func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	change()
}

// All returns copies of the records, in arrival order.
func (l *Log[T]) All() []T {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]T, len(l.recs))
	for i, r := range l.recs {
		out[i] = *r
	}
	return out
}

// Reset forgets every record.
func (l *Log[T]) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs = nil
}
