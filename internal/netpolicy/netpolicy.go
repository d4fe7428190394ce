// Package netpolicy holds the rules every client that carries credentials
// follows: where an API root may point, and that an answer's redirect is
// never followed. The WorkOS client and the Convex deployment client send an
// API key or admin key on every request (and user passwords on login); a
// redirect to another host, port or scheme would hand those to whoever
// answered, and Go's default policy also turns a redirected POST into a GET
// that then "succeeds" without writing anything.
package netpolicy

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// IsLocalHost reports whether host names this machine: localhost, a
// *.localhost name, or a loopback or unspecified address.
func IsLocalHost(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && (ip.IsLoopback() || ip.IsUnspecified())
}

// ErrInsecure is wrapped by CheckAPIBase's error for an http:// root that is
// not on this machine.
var ErrInsecure = errors.New("credentials would be sent in cleartext")

// CheckAPIBase reports whether raw can be the root of an API that is sent
// credentials: an absolute http(s) URL with a host and no user information,
// and https unless the host is this machine (emulators listen on loopback
// with plain http). what names the API in messages ("WorkOS", "Convex
// deployment").
func CheckAPIBase(what, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("invalid %s base URL %q: want https://host (or http://127.0.0.1:port for a local emulator)", what, raw)
	}
	if u.User != nil {
		return fmt.Errorf("invalid %s base URL: it must not contain user information (user:password@)", what)
	}
	if u.Scheme == "http" && !IsLocalHost(u.Hostname()) {
		return fmt.Errorf("%s base URL %q uses http:// on a host that is not this machine: %w", what, raw, ErrInsecure)
	}
	return nil
}

// RedirectError is returned, wrapped in the *url.Error of http.Client.Do, when
// a server answers a request with a redirect: the request is not repeated
// anywhere.
type RedirectError struct {
	Status   int    // the 3xx status
	Method   string // the request's method
	Location string // where the server pointed, as sent
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("the server answered %s with %d %s to %s; API requests never follow redirects, so nothing was sent there",
		e.Method, e.Status, http.StatusText(e.Status), SafeLocation(e.Location))
}

// SafeLocation is a redirect target fit for an error message. The server
// chose it, so it may carry credentials meant for someone else (user:pass@)
// or tokens in the query or fragment: those are dropped, keeping only the
// query's parameter names, which are enough to recognise where it points.
func SafeLocation(raw string) string {
	if raw == "" {
		return "(no Location)"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "(an unreadable Location)"
	}
	u.User = nil
	if u.RawQuery != "" || u.ForceQuery {
		q, _ := url.ParseQuery(u.RawQuery)
		names := make([]string, 0, len(q))
		for name := range q {
			names = append(names, url.QueryEscape(name)+"=…")
		}
		slices.Sort(names)
		u.RawQuery, u.ForceQuery = strings.Join(names, "&"), false
	}
	u.Fragment, u.RawFragment = "", ""
	out := u.String()
	// Some odd inputs (no host, a path starting with //) do not survive a
	// round trip and would read as something else, even as user
	// information; a message is better off without them.
	if v, err := url.Parse(out); err != nil || (v.User != nil && v.User.String() != "") || v.Fragment != "" {
		return "(an unreadable Location)"
	}
	return out
}

// NoRedirects returns a copy of hc (nil: a plain client) that never follows
// a redirect: Do returns the 3xx as an error (*RedirectError inside the
// *url.Error) before anything is sent to the new location. The transport,
// jar and timeout are shared with hc.
func NoRedirects(hc *http.Client) *http.Client {
	c := &http.Client{}
	if hc != nil {
		cp := *hc
		c = &cp
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		prev := via[len(via)-1]
		status := 0
		if req.Response != nil {
			status = req.Response.StatusCode
		}
		loc := ""
		if req.Response != nil {
			loc = req.Response.Header.Get("Location")
		}
		if loc == "" {
			loc = req.URL.Redacted()
		}
		return &RedirectError{Status: status, Method: prev.Method, Location: loc}
	}
	return c
}
