// Package workos talks to the WorkOS REST API: the environment settings
// AuthKit needs (redirect URIs, CORS origins, homepage URL, JWT template,
// webhook endpoints), the public JWKS, and, through workos-go, user
// management. workos-go v4 has no calls for the settings and does not retry,
// so this package makes those requests itself, with retries, per-attempt
// timeouts and a request log that never shows a secret.
package workos

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/httpretry"
	"github.com/convex-authkit/convex-authkit/internal/netpolicy"
)

// DefaultBaseURL is the production WorkOS API.
const DefaultBaseURL = "https://api.workos.com"

const (
	defaultTimeout     = 10 * time.Second
	defaultMaxAttempts = 4
	defaultUserAgent   = "convex-authkit"

	// maxBodySize protects against a misbehaving proxy streaming forever.
	// The largest legitimate answer, a page of 100 webhook endpoints, is far
	// smaller.
	maxBodySize = 8 << 20
)

// Options configures a Client. The zero value talks to DefaultBaseURL with
// sane defaults; only APIKey is needed for authenticated calls.
type Options struct {
	BaseURL     string // "" = DefaultBaseURL; a trailing slash is trimmed
	APIKey      string
	HTTPClient  *http.Client  // nil = a client with sane transport defaults and no overall Timeout
	Timeout     time.Duration // per attempt; 0 = 10s
	MaxAttempts int           // 0 = 4
	UserAgent   string        // e.g. "convex-authkit/1.2.3"
	Log         io.Writer     // verbose request log; nil = silent
	// Sleep waits between attempts; tests replace it. nil = a context-aware timer sleep.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client is safe for concurrent use: it is never modified after New.
type Client struct {
	baseURL     string
	apiKey      string
	hc          *http.Client
	timeout     time.Duration
	maxAttempts int
	userAgent   string
	log         *logger
	sleep       func(ctx context.Context, d time.Duration) error

	// now and jitter are fixed by tests to make Retry-After dates and
	// backoff durations exact.
	now    func() time.Time
	jitter func(ceiling time.Duration) time.Duration
}

// New builds a Client. It does no I/O; a malformed BaseURL is reported by
// the first request.
func New(opts Options) *Client {
	c := &Client{
		baseURL:     strings.TrimSuffix(opts.BaseURL, "/"),
		apiKey:      opts.APIKey,
		hc:          opts.HTTPClient,
		timeout:     opts.Timeout,
		maxAttempts: opts.MaxAttempts,
		userAgent:   opts.UserAgent,
		sleep:       opts.Sleep,
		now:         time.Now,
		jitter:      httpretry.FullJitter,
	}
	if c.baseURL == "" {
		c.baseURL = DefaultBaseURL
	}
	if c.hc == nil {
		c.hc = defaultHTTPClient()
	}
	// Every request carries the API key (and authenticate the password):
	// whatever client the caller passed, a redirect is reported, never
	// followed. The SDK client of UserManagement is built from this one.
	c.hc = netpolicy.NoRedirects(c.hc)
	if c.timeout <= 0 {
		c.timeout = defaultTimeout
	}
	switch {
	case c.maxAttempts == 0:
		c.maxAttempts = defaultMaxAttempts
	case c.maxAttempts < 0:
		c.maxAttempts = 1
	}
	if c.userAgent == "" {
		c.userAgent = defaultUserAgent
	}
	if c.sleep == nil {
		c.sleep = httpretry.Sleep
	}
	if opts.Log != nil {
		c.log = &logger{w: opts.Log}
	}
	return c
}

// BaseURL is the API root requests go to, without a trailing slash.
func (c *Client) BaseURL() string { return c.baseURL }

// UnreachableHint says what to check when nothing answered at base: the
// WorkOS status page is no help when base is a server of the user's own
// (--workos-url, WORKOS_BASE_URL: an emulator that is not running).
func UnreachableHint(base string) string {
	base = strings.TrimSuffix(base, "/")
	if base == "" || base == DefaultBaseURL {
		return "check your network and https://status.workos.com, then run again"
	}
	host := base
	if u, err := url.Parse(base); err == nil && u.Host != "" {
		host = u.Host
	}
	return fmt.Sprintf("check that the server at %s (from --workos-url or WORKOS_BASE_URL) is running, or unset both to use %s", host, DefaultBaseURL)
}

func defaultHTTPClient() *http.Client {
	// No Client.Timeout: it would cap the sum of all attempts, while each
	// attempt already gets its own deadline from Options.Timeout.
	t, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return &http.Client{}
	}
	t = t.Clone()
	// apply sends many small requests to one host, often in parallel.
	t.MaxIdleConnsPerHost = 16
	return &http.Client{Transport: t}
}

// request is one logical API call; do may send it several times.
type request struct {
	method string
	path   string
	query  url.Values
	body   any  // JSON-encoded once, so every attempt sends the same bytes
	noAuth bool // for the public JWKS, which must not see the key
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends r until it gets a 2xx answer, a non-retryable failure, or runs
// out of attempts. Non-2xx answers come back as *APIError.
func (c *Client) do(ctx context.Context, r request) (*response, error) {
	deliveryOf(ctx).track()
	target, err := c.target(r)
	if err != nil {
		return nil, err
	}
	var payload []byte
	if r.body != nil {
		if payload, err = json.Marshal(r.body); err != nil {
			return nil, fmt.Errorf("%s %s: encoding request: %w", r.method, r.path, err)
		}
	}
	logPath := r.path
	if len(r.query) > 0 {
		logPath += "?" + r.query.Encode()
	}

	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("%s %s: %w", r.method, r.path, err)
		}
		start := time.Now()
		res, err := c.attempt(ctx, r, target, payload)
		elapsed := time.Since(start).Round(time.Millisecond)
		if ctxErr := ctx.Err(); ctxErr != nil {
			// The caller gave up; whatever the attempt saw is beside the point.
			c.log.printf("workos: %s %s -> %v (%s)\n", r.method, logPath, ctxErr, elapsed)
			return nil, fmt.Errorf("%s %s: %w", r.method, r.path, ctxErr)
		}

		var (
			failure   error
			retryable bool
			outcome   string
		)
		if err != nil {
			failure = err
			retryable = !errors.As(err, new(httpretry.Permanent))
			outcome = fmt.Sprintf("%s -> %v (%s)", logPath, err, elapsed)
		} else {
			outcome = fmt.Sprintf("%s -> %d (%s%s)", logPath, res.status, elapsed, requestIDNote(res.header))
			if res.status >= 200 && res.status < 300 {
				c.log.printf("workos: %s %s\n", r.method, outcome)
				return res, nil
			}
			failure = newAPIError(r.method, r.path, &http.Response{
				StatusCode: res.status,
				Status:     fmt.Sprintf("%d %s", res.status, http.StatusText(res.status)),
				Header:     res.header,
			}, res.body, c.apiKey)
			retryable = res.status == http.StatusTooManyRequests || res.status >= 500
		}

		if !retryable || attempt >= c.maxAttempts {
			c.log.printf("workos: %s %s\n", r.method, outcome)
			return nil, giveUp(r, failure, attempt, retryable)
		}

		wait := c.backoff(attempt)
		if res != nil && httpretry.HonoursRetryAfter(res.status) {
			if d, ok := httpretry.RetryAfter(res.header.Get("Retry-After"), c.now()); ok {
				wait = d
			}
		}
		c.log.printf("workos: %s %s; retrying in %s (attempt %d/%d)\n",
			r.method, outcome, wait.Round(time.Millisecond), attempt+1, c.maxAttempts)
		if err := c.sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%s %s: %w", r.method, r.path, err)
		}
	}
}

// giveUp shapes the final error so it says how hard we tried when retrying
// was the plan, and stays short when a single answer settled it.
func giveUp(r request, failure error, attempts int, retryable bool) error {
	if ae, ok := failure.(*APIError); ok {
		if retryable {
			ae.Attempts = attempts
		}
		return ae
	}
	if retryable && attempts > 1 {
		return fmt.Errorf("%s %s: gave up after %d attempts: %w", r.method, r.path, attempts, failure)
	}
	return fmt.Errorf("%s %s: %w", r.method, r.path, failure)
}

// CheckBaseURL reports whether base can be a WorkOS API root: an absolute
// URL with a host and no user information, https unless the host is this
// machine (emulators). Commands check it before any request, so that a
// mistyped --workos-url or WORKOS_BASE_URL is a usage error, not a network
// failure, and so that the API key never travels in cleartext.
func CheckBaseURL(base string) error {
	return netpolicy.CheckAPIBase("WorkOS", base)
}

func (c *Client) target(r request) (string, error) {
	// Caught here too because the transport's "unsupported protocol
	// scheme" would otherwise be retried as if it were a network problem.
	if err := CheckBaseURL(c.baseURL); err != nil {
		return "", err
	}
	u, err := url.Parse(c.baseURL + r.path)
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", r.method, r.path, err)
	}
	if len(r.query) > 0 {
		u.RawQuery = r.query.Encode()
	}
	return u.String(), nil
}

// attempt sends one request under its own deadline and reads the whole
// body before that deadline is released, so a server that stalls mid-body
// is caught too.
func (c *Client) attempt(ctx context.Context, r request, target string, payload []byte) (*response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target, body)
	if err != nil {
		return nil, httpretry.Permanent{Err: err}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if !r.noAuth {
		req.Header.Set("Authorization", "Bearer "+c.apiKey)
	}

	req, trace := deliveryOf(ctx).trace(req)
	res, err := c.hc.Do(req)
	if err != nil {
		trace.done(errors.As(err, new(*netpolicy.RedirectError)))
		return nil, c.transportError(ctx, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxBodySize+1))
	// A response cut short is no answer: a 201 whose body never arrived
	// does not say what was created.
	trace.done(err == nil)
	if err != nil {
		return nil, c.transportError(ctx, fmt.Errorf("reading response: %w", err))
	}
	if len(data) > maxBodySize {
		return nil, httpretry.Permanent{Err: fmt.Errorf("response larger than %d bytes", maxBodySize)}
	}
	return &response{status: res.StatusCode, header: res.Header, body: data}, nil
}

// transportError is httpretry.Transport with the per-attempt deadline put
// into words a user can act on.
func (c *Client) transportError(attemptCtx context.Context, err error) error {
	if errors.Is(attemptCtx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("no response within %s", c.timeout)
	}
	return httpretry.Transport(err)
}

// backoff is httpretry.Backoff with this client's jitter, which tests fix.
func (c *Client) backoff(failed int) time.Duration {
	return httpretry.Backoff(failed, c.jitter)
}

func requestIDNote(h http.Header) string {
	if id := h.Get("X-Request-ID"); id != "" {
		return ", request id " + id
	}
	return ""
}

// logger serialises log lines from concurrent requests so they never
// interleave. A nil *logger is silent.
type logger struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *logger) printf(format string, args ...any) {
	if l == nil {
		return
	}
	line := fmt.Sprintf(format, args...)
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = io.WriteString(l.w, line)
}
