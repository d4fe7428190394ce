package emulator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Transport returns an http.RoundTripper that plays origin (such as
// "https://api.workos.com"): requests for it go to the started server, with
// the same method, path, query, headers and body. Requests for the server's
// own URL pass unchanged, and every other request fails without leaving the
// machine: the transport dials nothing but the server's loopback address.
//
// With Options.IssuerBase set to the same origin, a client on this
// transport sees exactly what it would see from WorkOS, URLs and token
// issuers included, so that code can be run unchanged against the emulator.
// Responses carry the request as the client sent it, so that errors and
// reports name the origin's URL, not the emulator's.
func (s *Server) Transport(origin string) (http.RoundTripper, error) {
	from, err := url.Parse(origin)
	if err != nil || (from.Scheme != "http" && from.Scheme != "https") || from.Host == "" ||
		strings.Trim(from.Path, "/") != "" || from.RawQuery != "" || from.User != nil {
		return nil, fmt.Errorf("emulator: the origin to play must be scheme://host[:port], got %q", origin)
	}
	base := s.URL()
	if base == "" {
		return nil, errors.New("emulator: Transport needs a started server (call Start first)")
	}
	to, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	return &routeTransport{from: originOf(from), name: strings.TrimRight(origin, "/"), to: to, next: &http.Transport{
		// No proxy, and one address to dial, whatever the URL says.
		Proxy: nil,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, to.Host)
		},
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     30 * time.Second,
	}}, nil
}

type routeTransport struct {
	from string // scheme://host:port of the origin played
	name string // the origin as given, for messages
	to   *url.URL
	next http.RoundTripper
}

func (t *routeTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	out := r
	switch originOf(r.URL) {
	case originOf(t.to):
	case t.from:
		out = r.Clone(r.Context())
		out.URL.Scheme, out.URL.Host = t.to.Scheme, t.to.Host
		out.Host = ""
	default:
		if r.Body != nil {
			_ = r.Body.Close()
		}
		return nil, fmt.Errorf("refused by the WorkOS emulator's transport: only %s (played by the emulator at %s) is reachable, so that nothing leaves this machine",
			t.name, t.to)
	}
	res, err := t.next.RoundTrip(out)
	if res != nil {
		res.Request = r
	}
	return res, err
}

// originOf is u's scheme://host:port, lower-case, with the default port
// spelled out, so that equal origins compare equal.
func originOf(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		port = "80"
		if scheme == "https" {
			port = "443"
		}
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}
