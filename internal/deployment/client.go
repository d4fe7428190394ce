package deployment

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/httpretry"
	"github.com/convex-authkit/convex-authkit/internal/netpolicy"
)

// Deployment reads and writes one deployment. Open returns the HTTP client
// for a key, or the project's Convex CLI for ViaCLI.
type Deployment interface {
	Target() Target
	// ListEnv returns every environment variable with its value. Values
	// are secrets: never print them unmasked.
	ListEnv(ctx context.Context) (map[string]string, error)
	// UpdateEnv applies changes (nil Value deletes). Names are checked
	// first, as Convex would, and nothing is sent if one is bad.
	UpdateEnv(ctx context.Context, changes []Change) error
	// AuthProviders returns the providers of the last push, in _auth order.
	AuthProviders(ctx context.Context) ([]Provider, error)
	// SiteURL returns CONVEX_SITE_URL, the origin serving HTTP actions.
	SiteURL(ctx context.Context) (string, error)
}

// ClientOptions tunes the HTTP client and the CLI runner. The zero value is
// ready to use.
type ClientOptions struct {
	HTTPClient  *http.Client  // nil = a plain client; redirects are never followed either way
	Timeout     time.Duration // per attempt (per CLI run for ViaCLI); 0 = 10s (60s for the CLI)
	MaxAttempts int           // 0 = 4
	UserAgent   string
	// Log receives one line per request: method, path, status, time. Never
	// the key, never a value.
	Log io.Writer
	// Sleep waits between attempts; tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Env is the environment the Convex CLI runs with (ViaCLI); the
	// deployment variables that would override its login are removed.
	Env map[string]string
}

const (
	defaultTimeout     = 10 * time.Second
	defaultMaxAttempts = 4
	// maxBodySize bounds an answer; the largest real one, 100 variables of
	// at most 8 KB, is far smaller.
	maxBodySize = 8 << 20
)

// Open returns the Deployment for t. It does no I/O.
func Open(t Target, opts ClientOptions) (Deployment, error) {
	if t.Via == ViaCLI {
		return newCLI(t, opts), nil
	}
	if err := netpolicy.CheckAPIBase("Convex deployment", t.URL); err != nil {
		return nil, &UsageError{Msg: err.Error(), Hint: "give the deployment's https:// URL"}
	}
	c := &Client{t: t, hc: netpolicy.NoRedirects(opts.HTTPClient), timeout: opts.Timeout,
		maxAttempts: opts.MaxAttempts, userAgent: opts.UserAgent, sleep: opts.Sleep, now: time.Now}
	if c.timeout <= 0 {
		c.timeout = defaultTimeout
	}
	if c.maxAttempts <= 0 {
		c.maxAttempts = defaultMaxAttempts
	}
	if c.userAgent == "" {
		c.userAgent = "convex-authkit"
	}
	if c.sleep == nil {
		c.sleep = httpretry.Sleep
	}
	if opts.Log != nil {
		c.log = &logger{w: opts.Log}
	}
	return c, nil
}

// Client talks to a deployment's HTTP API with its admin or deploy key.
type Client struct {
	t           Target
	hc          *http.Client
	timeout     time.Duration
	maxAttempts int
	userAgent   string
	log         *logger
	sleep       func(ctx context.Context, d time.Duration) error
	now         func() time.Time
	jitter      func(time.Duration) time.Duration // nil = full jitter; tests fix it
}

func (c *Client) Target() Target { return c.t }

// ListEnv reads GET /api/v1/list_environment_variables.
func (c *Client) ListEnv(ctx context.Context) (map[string]string, error) {
	const op = "list environment variables"
	body, err := c.do(ctx, op, http.MethodGet, "/api/v1/list_environment_variables", nil)
	if err != nil {
		return nil, err
	}
	var out struct {
		Vars map[string]string `json:"environmentVariables"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.Vars == nil {
		return nil, c.badAnswer(op, "the answer has no environmentVariables object")
	}
	return out.Vars, nil
}

// UpdateEnv posts all changes in one request, which the deployment applies
// as one transaction: all or nothing. Setting a value is idempotent, so the
// request is retried like a read.
func (c *Client) UpdateEnv(ctx context.Context, changes []Change) error {
	if err := ValidateChanges(changes); err != nil {
		return err
	}
	if len(changes) == 0 {
		return nil
	}
	_, err := c.do(ctx, "update environment variables", http.MethodPost, "/api/v1/update_environment_variables",
		map[string]any{"changes": changes})
	return err
}

// AuthProviders runs _system/frontend/listAuthProviders.
func (c *Client) AuthProviders(ctx context.Context) ([]Provider, error) {
	const op = "read the stored auth providers"
	v, err := c.query(ctx, op, "_system/frontend/listAuthProviders")
	if err != nil {
		return nil, err
	}
	ps, err := DecodeProviders(v)
	if err != nil {
		return nil, c.badAnswer(op, err.Error())
	}
	return ps, nil
}

// SiteURL runs _system/frontend/convexSiteUrl.
func (c *Client) SiteURL(ctx context.Context) (string, error) {
	const op = "read the deployment's site URL"
	v, err := c.query(ctx, op, "_system/frontend/convexSiteUrl")
	if err != nil {
		return "", err
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", c.badAnswer(op, "the answer is not a string")
	}
	return s, nil
}

// query posts to /api/function exactly what `npx convex run` sends.
func (c *Client) query(ctx context.Context, op, path string) (json.RawMessage, error) {
	body, err := c.do(ctx, op, http.MethodPost, "/api/function",
		map[string]any{"path": path + ":default", "format": "convex_encoded_json", "args": map[string]any{}})
	if err != nil {
		return nil, err
	}
	return decodeFunctionAnswer(c, op, body)
}

// statusFunctionError is Convex's status for "the function ran and threw".
const statusFunctionError = 560

func decodeFunctionAnswer(c *Client, op string, body []byte) (json.RawMessage, error) {
	var a functionAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, c.badAnswer(op, "the answer is not JSON")
	}
	switch a.Status {
	case "success":
		return a.Value, nil
	case "error":
		return nil, &Error{Kind: KindFunction, Op: op, Target: c.t.Describe(), Message: tidy(a.ErrorMessage, c.t.adminKey)}
	}
	return nil, c.badAnswer(op, "the answer has no status success or error")
}

func (c *Client) badAnswer(op, msg string) error {
	return &Error{Kind: KindBadAnswer, Op: op, Target: c.t.Describe(), Message: msg}
}

// do sends one logical request until it gets a 2xx, a failure another try
// cannot fix, or runs out of attempts.
func (c *Client) do(ctx context.Context, op, method, path string, payload any) ([]byte, error) {
	var data []byte
	if payload != nil {
		var err error
		if data, err = json.Marshal(payload); err != nil {
			return nil, fmt.Errorf("encoding the request: %w", err)
		}
	}
	for attempt := 1; ; attempt++ {
		start := time.Now()
		status, header, body, err := c.attempt(ctx, method, path, data)
		elapsed := time.Since(start).Round(time.Millisecond)
		if ctxErr := ctx.Err(); ctxErr != nil {
			c.log.printf("convex: %s %s -> %v (%s)\n", method, path, ctxErr, elapsed)
			return nil, &Error{Kind: KindNetwork, Op: op, Target: c.t.Describe(), Err: ctxErr}
		}
		var fail *Error
		retry := false
		switch {
		case err != nil:
			c.log.printf("convex: %s %s -> %v (%s)\n", method, path, err, elapsed)
			fail = &Error{Kind: KindNetwork, Op: op, Target: c.t.Describe(), Err: err}
			retry = !errors.As(err, new(httpretry.Permanent))
		case status >= 200 && status < 300:
			c.log.printf("convex: %s %s -> %d (%s)\n", method, path, status, elapsed)
			if len(body) > 0 && !json.Valid(body) {
				return nil, c.badAnswer(op, fmt.Sprintf("the answer (%d, %s) is not JSON", status, contentType(header)))
			}
			return body, nil
		default:
			c.log.printf("convex: %s %s -> %d (%s)\n", method, path, status, elapsed)
			fail = c.statusError(op, status, header, body)
			retry = status == http.StatusTooManyRequests || (status >= 500 && status != statusFunctionError)
		}
		if !retry || attempt >= c.maxAttempts {
			if retry {
				fail.Attempts = attempt
			}
			return nil, fail
		}
		wait := httpretry.Backoff(attempt, c.jitter)
		if httpretry.HonoursRetryAfter(status) {
			if d, ok := httpretry.RetryAfter(header.Get("Retry-After"), c.now()); ok {
				wait = d
			}
		}
		c.log.printf("convex: retrying in %s (attempt %d/%d)\n", wait.Round(time.Millisecond), attempt+1, c.maxAttempts)
		if err := c.sleep(ctx, wait); err != nil {
			return nil, &Error{Kind: KindNetwork, Op: op, Target: c.t.Describe(), Err: err}
		}
	}
}

// statusError reads a non-2xx answer: Convex sends {"code", "message"}; a
// function failure (560) sends {"status": "error", "errorMessage"}.
func (c *Client) statusError(op string, status int, header http.Header, body []byte) *Error {
	var a struct {
		Code         string `json:"code"`
		Message      string `json:"message"`
		ErrorMessage string `json:"errorMessage"`
	}
	e := &Error{Op: op, Target: c.t.Describe(), Status: status}
	if err := json.Unmarshal(body, &a); err != nil {
		e.Message = fmt.Sprintf("the answer is not JSON (%s)", contentType(header))
	} else {
		e.Code = tidy(a.Code, c.t.adminKey)
		e.Message = tidy(a.Message+a.ErrorMessage, c.t.adminKey)
	}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		e.Kind = KindRefused
	case status == statusFunctionError:
		e.Kind = KindFunction
	case status == http.StatusTooManyRequests || status >= 500:
		e.Kind = KindServer
	default:
		e.Kind = KindRejected
	}
	return e
}

func contentType(h http.Header) string {
	if ct := h.Get("Content-Type"); ct != "" {
		return ct
	}
	return "no Content-Type"
}

// attempt sends one request under its own deadline and reads the whole body
// before the deadline is released, so a server stalling mid-body is caught.
func (c *Client) attempt(ctx context.Context, method, path string, payload []byte) (int, http.Header, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.t.URL+path, body)
	if err != nil {
		return 0, nil, nil, httpretry.Permanent{Err: err}
	}
	req.Header.Set("Authorization", "Convex "+c.t.adminKey)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Convex-Client", "convex-authkit")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, nil, c.transportError(ctx, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxBodySize+1))
	if err != nil {
		return 0, nil, nil, c.transportError(ctx, fmt.Errorf("reading the answer: %w", err))
	}
	if len(data) > maxBodySize {
		return 0, nil, nil, httpretry.Permanent{Err: fmt.Errorf("answer larger than %d bytes", maxBodySize)}
	}
	return res.StatusCode, res.Header, data, nil
}

// transportError is httpretry.Transport with the per-attempt deadline put
// into words.
func (c *Client) transportError(attemptCtx context.Context, err error) error {
	if errors.Is(attemptCtx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("no answer within %s", c.timeout)
	}
	return httpretry.Transport(err)
}

// logger serialises log lines from concurrent requests. A nil *logger is
// silent. Lines carry method, path, status and time only.
type logger struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *logger) printf(format string, args ...any) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, format, args...)
}
