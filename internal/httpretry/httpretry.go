// Package httpretry holds the retry timing shared by the API clients that
// retry (WorkOS, the Convex deployment): exponential backoff with full
// jitter, Retry-After parsing with a cap, a sleep that a cancelled context
// cuts short, and which transport failures are worth another attempt. The retry loops stay in each client, because what an
// answer means (which statuses retry, how an error reads) is the client's
// business; the timing is not, and two copies of it would drift.
package httpretry

import (
	"context"
	"crypto/tls"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/netpolicy"
)

const (
	// BackoffBase is the ceiling of the first wait; it doubles per failure.
	BackoffBase = 200 * time.Millisecond
	// BackoffCap bounds any single backoff wait.
	BackoffCap = 5 * time.Second
	// MaxRetryAfter bounds how long a 429 or 503 can stall the CLI; a server
	// asking for more is better reported than waited for.
	MaxRetryAfter = 30 * time.Second
)

// Sleep waits d, or less if ctx ends first (then it returns ctx's error).
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// FullJitter spreads retries uniformly over [0, ceiling] so that many CLIs
// hitting the same rate limit do not come back in lockstep.
func FullJitter(ceiling time.Duration) time.Duration {
	if ceiling <= 0 {
		return 0
	}
	return rand.N(ceiling + 1)
}

// Backoff is the wait after the failed-th failed attempt: the ceiling
// doubles from BackoffBase and stops at BackoffCap, and jitter (FullJitter
// when nil) picks the wait under it.
func Backoff(failed int, jitter func(time.Duration) time.Duration) time.Duration {
	if jitter == nil {
		jitter = FullJitter
	}
	ceiling := BackoffBase
	for i := 1; i < failed && ceiling < BackoffCap; i++ {
		ceiling *= 2
	}
	return jitter(min(ceiling, BackoffCap))
}

// RetryAfter reads a Retry-After value as delay-seconds or an HTTP date
// (relative to now), capped at MaxRetryAfter. ok is false for an absent or
// unreadable value, which leaves the choice to Backoff.
func RetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if strings.Trim(v, "0123456789") == "" {
		// delay-seconds is 1*DIGIT; one past int64 is past the cap too.
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs > int64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter, true
		}
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = max(t.Sub(now), 0)
	} else {
		return 0, false
	}
	return min(d, MaxRetryAfter), true
}

// HonoursRetryAfter reports whether an answer's Retry-After applies: RFC
// 9110 defines it for 429 and 503.
func HonoursRetryAfter(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable
}

// Permanent marks a failure that another attempt cannot fix; retry loops
// stop on it (errors.As(err, new(Permanent))).
type Permanent struct{ Err error }

func (p Permanent) Error() string { return p.Err.Error() }
func (p Permanent) Unwrap() error { return p.Err }

// Transport turns an error from http.Client.Do or from reading a body into
// what a retry loop and a user need: the *url.Error wrapper is dropped (its
// text repeats the method and URL the caller's own message names), and what
// asking again cannot change is marked Permanent: a redirect (an answer, and
// never followed) and a certificate the system does not trust. A per-attempt
// deadline is the caller's to word, since only it knows the timeout.
func Transport(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var certErr *tls.CertificateVerificationError
	if errors.As(err, &certErr) || errors.As(err, new(*netpolicy.RedirectError)) {
		return Permanent{err}
	}
	return err
}
