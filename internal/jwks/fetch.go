// Package jwks fetches and parses JSON Web Key Sets the way a Convex
// deployment does for customJwt providers, keeping every detail a diagnosis
// needs: the redirect chain, the status, the Content-Type verdict, and for a
// set that Convex would refuse, the one key and field that break it.
package jwks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Defaults for a Fetcher.
const (
	DefaultTimeout  = 10 * time.Second
	DefaultMaxBytes = 1 << 20
	// maxRedirects matches reqwest's Policy::default(), which follows 10
	// redirects and fails on the 11th.
	maxRedirects = 10
)

// Response is what one fetch of a JWKS URL produced.
type Response struct {
	URL       string   // as requested
	FinalURL  string   // after redirects
	Redirects []string // each Location followed, in order
	DataURL   bool     // a data: URL, decoded locally without any request

	Status       int
	StatusText   string   // reason phrase as Convex prints it
	ContentTypes []string // Content-Type header values, first one counts
	// CacheControl is the Cache-Control header: Convex caches JWKS by
	// HTTP caching rules, so it decides how long a rotated key stays unknown.
	CacheControl string
	Body         []byte // at most MaxBytes
	TooLarge     bool   // the body was longer than MaxBytes
	Elapsed      time.Duration
}

// FetchError kinds.
const (
	ErrKindURL       = "url"       // not an http(s) URL
	ErrKindDataURL   = "data-url"  // a data: URL whose base64 does not decode
	ErrKindTransport = "transport" // DNS, connection, TLS, redirects
	ErrKindTimeout   = "timeout"   // the per-request timeout passed
	ErrKindCanceled  = "canceled"  // the caller's context ended
)

// FetchError is a fetch that produced no HTTP response.
type FetchError struct {
	URL  string
	Kind string
	Err  error
}

func (e *FetchError) Error() string { return e.Err.Error() }
func (e *FetchError) Unwrap() error { return e.Err }

// Fetcher fetches JWKS URLs with a per-request timeout, fetching each URL at
// most once however many callers ask for it concurrently, and keeping the
// result for later callers: a doctor run asks for the same URL from several
// providers and checks, and the answer must be the same for all of them.
type Fetcher struct {
	// Client sends the requests; its Transport and Jar are used, its
	// CheckRedirect and Timeout are replaced. Nil means http.DefaultClient.
	Client   *http.Client
	Timeout  time.Duration // per request, including redirects; 0 means DefaultTimeout
	MaxBytes int64         // body cap; 0 means DefaultMaxBytes

	mu    sync.Mutex
	calls map[string]*call
}

type call struct {
	done chan struct{}
	resp *Response
	err  error
	// abandoned is set when the caller doing the fetch gave up (its context
	// ended): the result is not an answer about the URL, so it is not kept
	// and waiting callers fetch again.
	abandoned bool
}

// NewFetcher returns a Fetcher using client (nil for http.DefaultClient).
func NewFetcher(client *http.Client) *Fetcher {
	return &Fetcher{Client: client}
}

// Fetch returns the response for rawURL, fetching it only if no earlier or
// concurrent call did. Cancelling ctx stops this caller's wait (and the
// request, if this caller is the one making it).
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (*Response, error) {
	for {
		f.mu.Lock()
		if f.calls == nil {
			f.calls = make(map[string]*call)
		}
		c, ok := f.calls[rawURL]
		if !ok {
			c = &call{done: make(chan struct{})}
			f.calls[rawURL] = c
			f.mu.Unlock()
			c.resp, c.err = f.fetch(ctx, rawURL)
			if c.err != nil && ctx.Err() != nil {
				c.abandoned = true
				f.mu.Lock()
				delete(f.calls, rawURL)
				f.mu.Unlock()
			}
			close(c.done)
			return c.resp, c.err
		}
		f.mu.Unlock()
		select {
		case <-c.done:
			if c.abandoned && ctx.Err() == nil {
				continue
			}
			return c.resp, c.err
		case <-ctx.Done():
			return nil, f.transportError(ctx, ctx, rawURL, ctx.Err())
		}
	}
}

func (f *Fetcher) fetch(ctx context.Context, rawURL string) (*Response, error) {
	start := time.Now()
	if isDataURL(rawURL) {
		body, err := decodeDataURL(rawURL)
		if err != nil {
			return nil, &FetchError{URL: rawURL, Kind: ErrKindDataURL, Err: err}
		}
		resp := &Response{URL: rawURL, FinalURL: rawURL, DataURL: true, Status: http.StatusOK, StatusText: "OK", Body: body}
		resp.limit(f.maxBytes())
		return resp, nil
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &FetchError{URL: rawURL, Kind: ErrKindURL, Err: fmt.Errorf("%q is not an http:// or https:// URL", rawURL)}
	}

	reqCtx, cancel := context.WithTimeout(ctx, f.timeout())
	defer cancel()
	req, err := http.NewRequestWithContext(reqCtx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, &FetchError{URL: rawURL, Kind: ErrKindURL, Err: err}
	}
	// The headers fetch_jwks sends.
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "Convex/1.0")

	resp := &Response{URL: rawURL, FinalURL: rawURL}
	client := http.Client{Jar: nil}
	if f.Client != nil {
		client.Transport, client.Jar = f.Client.Transport, f.Client.Jar
	}
	client.CheckRedirect = func(next *http.Request, via []*http.Request) error {
		if len(via) > maxRedirects {
			return fmt.Errorf("too many redirects (more than %d)", maxRedirects)
		}
		resp.Redirects = append(resp.Redirects, next.URL.String())
		return nil
	}
	hr, err := client.Do(req)
	if err != nil {
		return nil, f.transportError(ctx, reqCtx, rawURL, err)
	}
	defer hr.Body.Close()
	resp.FinalURL = hr.Request.URL.String()
	resp.Status = hr.StatusCode
	resp.StatusText = ReasonPhrase(hr.StatusCode)
	resp.ContentTypes = hr.Header.Values("Content-Type")
	resp.CacheControl = hr.Header.Get("Cache-Control")
	body, err := io.ReadAll(io.LimitReader(hr.Body, f.maxBytes()+1))
	if err != nil {
		return nil, f.transportError(ctx, reqCtx, rawURL, fmt.Errorf("reading the body: %w", err))
	}
	resp.Body = body
	resp.limit(f.maxBytes())
	resp.Elapsed = time.Since(start)
	return resp, nil
}

func (r *Response) limit(max int64) {
	if int64(len(r.Body)) > max {
		r.Body, r.TooLarge = r.Body[:max], true
	}
}

func (f *Fetcher) transportError(ctx, reqCtx context.Context, rawURL string, err error) error {
	kind := ErrKindTransport
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		// The caller's deadline, not this request's: say so rather than
		// repeat the URL inside Go's "Get <url>: context deadline exceeded".
		kind = ErrKindCanceled
		err = errors.New("no complete answer before the overall time limit ran out")
	case ctx.Err() != nil:
		kind = ErrKindCanceled
	case errors.Is(reqCtx.Err(), context.DeadlineExceeded):
		kind = ErrKindTimeout
		err = fmt.Errorf("no complete answer within %s", f.timeout())
	}
	return &FetchError{URL: rawURL, Kind: kind, Err: err}
}

func (f *Fetcher) timeout() time.Duration {
	if f.Timeout > 0 {
		return f.Timeout
	}
	return DefaultTimeout
}

func (f *Fetcher) maxBytes() int64 {
	if f.MaxBytes > 0 {
		return f.MaxBytes
	}
	return DefaultMaxBytes
}

// ReasonPhrase is the reason phrase Convex prints after a status code: the
// http crate's canonical_reason, or "Unknown". It differs from Go's
// http.StatusText for a few codes renamed by RFC 9110.
func ReasonPhrase(code int) string {
	switch code {
	case http.StatusRequestEntityTooLarge:
		return "Payload Too Large"
	case http.StatusRequestURITooLong:
		return "URI Too Long"
	case http.StatusRequestedRangeNotSatisfiable:
		return "Range Not Satisfiable"
	}
	if s := http.StatusText(code); s != "" {
		return s
	}
	return "Unknown"
}
