// Package faults makes an emulated API misbehave on purpose (latency, 429,
// 503, dropped connections, lost responses), so that tests can check how a
// client copes. The WorkOS emulator and the Convex deployment emulator both
// put an Injector in front of their routes; each writes the error bodies in
// its own API's shape.
package faults

import (
	"cmp"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Faults selects requests and says how to spoil them. Match and Latency
// select and slow down requests; the four counts are consumed by matching
// requests, first come first served, in the order dropped connection, 429,
// 503, lost response (one fault per request).
type Faults struct {
	// Match selects the requests that Latency and the counts apply to: "" is
	// every request; "METHOD /path-prefix" or "/path-prefix" narrows it.
	Match string
	// Latency is added to every matching request. A client that gives up
	// while waiting gets nothing, and no count is consumed for it.
	Latency         time.Duration
	TooManyRequests int    // answer 429 with Retry-After: RetryAfter this many times
	RetryAfter      string // value of the Retry-After header, default "1"
	ServerErrors    int    // answer 503 this many times
	DropConnections int    // close the connection without answering this many times
	// LostResponses handles this many requests, changing the state as
	// usual, then closes the connection without answering: the client
	// cannot tell whether its write happened, and a retry finds it done.
	LostResponses int
}

// Injector holds the current Faults and applies them; the zero value
// injects nothing. It is safe for concurrent use.
type Injector struct {
	mu sync.Mutex
	f  Faults
}

// Set replaces the current faults (and any counts left in them).
func (in *Injector) Set(f Faults) {
	if f.RetryAfter == "" {
		f.RetryAfter = "1"
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.f = f
}

// Get returns the current faults, with the counts still left.
func (in *Injector) Get() Faults {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.f
}

// Matches reports whether r is selected by a Match pattern.
func Matches(pattern string, r *http.Request) bool {
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

type kind int

const (
	none kind = iota
	drop
	tooMany
	serverError
	lostResponse
)

// consume takes one count for r, if any is left. It reads the faults again
// after the latency so that a Set made meanwhile is honoured.
func (in *Injector) consume(r *http.Request) (kind, string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	f := &in.f
	if !Matches(f.Match, r) {
		return none, ""
	}
	switch {
	case f.DropConnections > 0:
		f.DropConnections--
		return drop, ""
	case f.TooManyRequests > 0:
		f.TooManyRequests--
		return tooMany, f.RetryAfter
	case f.ServerErrors > 0:
		f.ServerErrors--
		return serverError, ""
	case f.LostResponses > 0:
		f.LostResponses--
		return lostResponse, ""
	}
	return none, ""
}

// Inject applies latency and then at most one counted fault to r, and
// reports whether it has dealt with the request. serve is the server's own
// routing, run (with its answer thrown away) for a lost response;
// writeError writes the server's error body for a 429 or 503.
func (in *Injector) Inject(w http.ResponseWriter, r *http.Request, serve http.Handler, writeError func(w http.ResponseWriter, status int)) bool {
	if f := in.Get(); f.Latency > 0 && Matches(f.Match, r) {
		t := time.NewTimer(f.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true
		}
	}
	k, retryAfter := in.consume(r)
	switch k {
	case drop:
		DropConnection(w)
	case lostResponse:
		serve.ServeHTTP(&discardWriter{header: http.Header{}}, r)
		DropConnection(w)
	case tooMany:
		w.Header().Set("Retry-After", retryAfter)
		writeError(w, http.StatusTooManyRequests)
	case serverError:
		writeError(w, http.StatusServiceUnavailable)
	default:
		return false
	}
	return true
}

// DropConnection closes the client's connection without an answer.
func DropConnection(w http.ResponseWriter) {
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
	return strings.Join(parts, ", ")
}
