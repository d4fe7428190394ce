package apply

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"

	"github.com/convex-authkit/convex-authkit/internal/netpolicy"
	"github.com/convex-authkit/convex-authkit/internal/workos"
)

// Client is the part of the WorkOS client that apply uses.
type Client interface {
	ListRedirectURIs(ctx context.Context) ([]workos.RedirectURI, error)
	CreateRedirectURI(ctx context.Context, uri string) (bool, error)
	DeleteRedirectURI(ctx context.Context, id string) error
	ListCORSOrigins(ctx context.Context) ([]workos.CORSOrigin, error)
	CreateCORSOrigin(ctx context.Context, origin string) (bool, error)
	SetAppHomepageURL(ctx context.Context, url string) error
}

// Statuses of a result, as they appear in --json.
const (
	StatusCreated   = "created"
	StatusUnchanged = "unchanged"
	StatusDeleted   = "deleted"
	StatusUpdated   = "updated"
	StatusFailed    = "failed"
	StatusSkipped   = "skipped"
	// StatusPresent: WorkOS has the value now, but whether this run added
	// it is unknown. Only in ensure mode (no list to compare with), when
	// the first answer to the create was lost and a retry found it.
	StatusPresent = "present"
)

// Outcomes of a result, as they appear in --json: what is known about the
// write. Every status but "failed" and "skipped" is OutcomeDone; "skipped"
// is OutcomeNotDone; "failed" is one of the other three.
const (
	OutcomeDone    = "done"     // WorkOS confirmed it (or that the goal was already met)
	OutcomeNotDone = "not_done" // WorkOS answered, and the change was not made
	OutcomeNotSent = "not_sent" // no request left: cancelled first, or WorkOS could not be reached
	OutcomeUnknown = "unknown"  // sent, but no answer settled it; a re-run does
)

// Result is what happened to one plan item that needed a request.
type Result struct {
	Resource string `json:"resource"`
	Name     string `json:"name,omitempty"`
	Value    string `json:"value"`
	Status   string `json:"status"`
	Outcome  string `json:"outcome"`
	Error    string `json:"error,omitempty"`
	// Note explains a skip, e.g. why a homepage answer was not an error.
	Note string `json:"note,omitempty"`
	// expected marks a skip that is WorkOS's known answer to a value init
	// itself writes (a localhost homepage for dev): no sign of trouble, so
	// it is not shown as a warning.
	expected bool
	err      error
}

// FetchRemote lists redirect URIs and CORS origins concurrently. A 404 from
// a list endpoint means the server cannot list (older WorkOS, the official
// emulator): that list is unknown and the plan ensures instead.
func FetchRemote(ctx context.Context, c Client) (Remote, error) {
	var r Remote
	var redirectErr, corsErr error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		r.RedirectURIs, redirectErr = c.ListRedirectURIs(ctx)
		r.RedirectsListed = redirectErr == nil
		if workos.IsNotFound(redirectErr) {
			redirectErr = nil
		}
	}()
	go func() {
		defer wg.Done()
		r.CORSOrigins, corsErr = c.ListCORSOrigins(ctx)
		r.CORSListed = corsErr == nil
		if workos.IsNotFound(corsErr) {
			corsErr = nil
		}
	}()
	wg.Wait()
	if err := firstError(redirectErr, corsErr); err != nil {
		return Remote{}, err
	}
	return r, nil
}

// firstError picks the one failure to report when both lists fail, usually
// for the same reason: a rejected key first, since it decides the exit code.
func firstError(errs ...error) error {
	var first error
	for _, err := range errs {
		if workos.IsAuth(err) {
			return err
		}
		if first == nil {
			first = err
		}
	}
	return first
}

// DefaultConcurrency is how many WorkOS requests apply and preview keep in
// flight unless --concurrency says otherwise. A write costs one round trip to
// api.workos.com (about 50 ms) and the server does little per request, so
// latency, not the server, sets apply's time: 16 sends the usual project
// (a few dozen URIs and origins) in two waves. A 429 is retried after its
// Retry-After by the client, so a lower rate limit slows apply, never fails it.
const DefaultConcurrency = 16

// Execute applies the plan's pending items with at most concurrency requests
// in flight. Results follow the plan's order; items that need no request get
// no result. It never stops early: every item is tried, so one run applies
// everything it can and a rerun converges.
func Execute(ctx context.Context, c Client, p *Plan, concurrency int) []Result {
	if concurrency < 1 {
		concurrency = 1
	}
	var work []Item
	for _, it := range p.Items {
		if it.Resource == DeploymentVariable || it.Resource == WebhookEndpoint {
			continue // WriteVariables and ApplyWebhook send these
		}
		if it.Pending() || it.Action == ActionSet {
			work = append(work, it)
		}
	}
	results := make([]Result, len(work))
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for i, it := range work {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				results[i] = failed(it, ctx.Err(), nil)
				return
			}
			defer func() { <-sem }()
			results[i] = apply(ctx, c, it)
		}()
	}
	wg.Wait()
	return results
}

// failed records a write that did not succeed, with what is known about it:
// d says whether its requests left and were answered (nil: none left).
func failed(it Item, err error, d *workos.Delivery) Result {
	r := Result{Resource: it.Resource, Value: it.Value, Status: StatusFailed, Outcome: outcome(err, d), Error: err.Error(), err: err}
	if r.Outcome == OutcomeNotSent && errors.Is(err, context.Canceled) {
		r.Error = "cancelled before the request was sent"
	}
	return r
}

// outcome classifies a failed write. An answer that refuses settles it,
// even after an earlier attempt went unanswered, unless it is one that says
// nothing about that attempt (429 and 5xx: the server did not look at this
// one). A 303 is how a server says "done, see over there", so it settles
// nothing either.
func outcome(err error, d *workos.Delivery) string {
	var (
		ae *workos.APIError
		re *netpolicy.RedirectError
	)
	switch {
	case d != nil && !d.Tracked():
		// A Client that does not report its requests (a test's fake):
		// its error is taken as the answer.
		return OutcomeNotDone
	case d == nil || !d.Sent():
		return OutcomeNotSent
	case errors.As(err, new(*workos.UnconfirmedError)):
		return OutcomeUnknown
	case errors.As(err, &re):
		if re.Status == http.StatusSeeOther || d.Unanswered() {
			return OutcomeUnknown
		}
		return OutcomeNotDone
	case !d.Unanswered():
		return OutcomeNotDone
	case errors.As(err, &ae) && ae.Status != http.StatusTooManyRequests && ae.Status < 500:
		return OutcomeNotDone
	}
	return OutcomeUnknown
}

func apply(ctx context.Context, c Client, it Item) Result {
	res := Result{Resource: it.Resource, Value: it.Value, Outcome: OutcomeDone}
	d := &workos.Delivery{}
	ctx = workos.WithDelivery(ctx, d)
	var err error
	switch {
	case it.Action == ActionDelete:
		err = c.DeleteRedirectURI(ctx, it.ID)
		res.Status = StatusDeleted
		if workos.IsNotFound(err) {
			err = nil
			if !d.Unanswered() {
				// Someone else deleted it since we listed: the goal is met.
				// After a lost answer, it was this run's first attempt.
				res.Status = StatusUnchanged
			}
		}
	case it.Resource == RedirectURI:
		var created bool
		created, err = c.CreateRedirectURI(ctx, it.Value)
		res.Status = createdStatus(created, it, d)
	case it.Resource == CORSOrigin:
		var created bool
		// WorkOS accepts only the serialised origin, which is also what
		// browsers send: https://app.example.com/ would be refused with 422.
		created, err = c.CreateCORSOrigin(ctx, Canonical(CORSOrigin, it.Value))
		res.Status = createdStatus(created, it, d)
	case it.Resource == AppHomepageURL:
		err = c.SetAppHomepageURL(ctx, it.Value)
		res.Status = StatusUpdated
		switch {
		case workos.IsStatus(err, 422) && isLocalURL(it.Value):
			// WorkOS rejects localhost homepages; the Convex CLI expects this
			// answer for its dev templates and so do we.
			err, res.Status, res.Outcome, res.expected = nil, StatusSkipped, OutcomeNotDone, true
			res.Note = "WorkOS does not accept localhost homepage URLs; set it for deployed environments only"
		case workos.IsNotFound(err):
			err, res.Status, res.Outcome = nil, StatusSkipped, OutcomeNotDone
			res.Note = "this WorkOS server has no app homepage URL endpoint"
		}
	default:
		err = fmt.Errorf("internal error: no way to apply %s %s", it.Action, it.Resource)
	}
	if err != nil {
		return failed(it, err, d)
	}
	return res
}

// createdStatus says what a create did. "Already exists" after an attempt
// whose answer was lost means that attempt most likely made it: certainly
// so when the list read before showed the value absent (ActionAdd); in
// ensure mode nothing says whether it was there before.
func createdStatus(created bool, it Item, d *workos.Delivery) string {
	switch {
	case created:
		return StatusCreated
	case !d.Unanswered():
		return StatusUnchanged
	case it.Action == ActionAdd:
		return StatusCreated
	}
	return StatusPresent
}

func isLocalURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && netpolicy.IsLocalHost(u.Hostname())
}

// Failures returns the results that failed.
func Failures(rs []Result) []Result {
	var out []Result
	for _, r := range rs {
		if r.Status == StatusFailed {
			out = append(out, r)
		}
	}
	return out
}
