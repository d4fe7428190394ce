package workos

import (
	"context"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
)

// Delivery records what became of the requests of one call, for callers
// that must report a write honestly after a failure: a request that never
// left is "not sent", one that left and got no answer may have been applied
// ("unknown"), and a retry's "already exists" or "not found" after such a
// silence means the first attempt did the work.
//
// Attach one to a call's context with WithDelivery; it is safe for
// concurrent use.
type Delivery struct {
	tracked, sent, unanswered atomic.Bool
}

// Tracked reports whether a call of this package recorded into d at all;
// a Delivery handed to some other implementation of a client stays empty,
// which says nothing about its requests.
func (d *Delivery) Tracked() bool { return d.tracked.Load() }

// track marks d as recorded into (nil d: nothing to do).
func (d *Delivery) track() {
	if d != nil {
		d.tracked.Store(true)
	}
}

// Sent reports whether at least one request of the call left this machine
// (its headers were written), or may have: a transport that does not report
// its progress counts as sending.
func (d *Delivery) Sent() bool { return d.sent.Load() }

// Unanswered reports whether at least one request that left got no
// complete answer: no response, a cut-off body, or a timeout or
// cancellation while waiting.
func (d *Delivery) Unanswered() bool { return d.unanswered.Load() }

type deliveryKey struct{}

// WithDelivery returns a context whose calls record into d.
func WithDelivery(ctx context.Context, d *Delivery) context.Context {
	return context.WithValue(ctx, deliveryKey{}, d)
}

func deliveryOf(ctx context.Context) *Delivery {
	d, _ := ctx.Value(deliveryKey{}).(*Delivery)
	return d
}

// attemptTrace follows one attempt through the transport.
type attemptTrace struct {
	d *Delivery
	// getConn is set when the transport reports its progress at all;
	// wrote counts the times the request's headers were written, which is
	// more than once when the transport itself re-sent the request on a
	// new connection after the first went silent.
	getConn atomic.Bool
	wrote   atomic.Int32
}

// trace returns req with an httptrace that records into d (nil d: req
// as it is, and a nil trace that records nothing).
func (d *Delivery) trace(req *http.Request) (*http.Request, *attemptTrace) {
	if d == nil {
		return req, nil
	}
	t := &attemptTrace{d: d}
	return req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		GetConn:      func(string) { t.getConn.Store(true) },
		WroteHeaders: func() { t.wrote.Add(1) },
	})), t
}

// done records the attempt's fate once the transport is finished with it;
// answered is whether a whole response (or a redirect, which is an answer
// too) came back.
func (t *attemptTrace) done(answered bool) {
	if t == nil {
		return
	}
	wrote := t.wrote.Load()
	sent := wrote > 0 || !t.getConn.Load()
	if !sent {
		return
	}
	t.d.sent.Store(true)
	if !answered || wrote > 1 {
		t.d.unanswered.Store(true)
	}
}
