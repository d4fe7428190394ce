// Package apply registers a section's redirect URIs, CORS origins and app
// homepage URL in WorkOS: it validates the values, lists what WorkOS has,
// prints a plan in the style of terraform, and applies it concurrently so
// that a failed run can simply be run again.
package apply

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/diag"
	"github.com/convex-authkit/convex-authkit/internal/netpolicy"
	"github.com/convex-authkit/convex-authkit/internal/resolve"
)

// Resource names, as they appear in --json.
const (
	RedirectURI    = "redirect_uri"
	CORSOrigin     = "cors_origin"
	AppHomepageURL = "app_homepage_url"
)

// label is how a resource is named in human output.
func label(resource string) string {
	switch resource {
	case RedirectURI:
		return "redirect URI"
	case CORSOrigin:
		return "CORS origin"
	case DeploymentVariable:
		return "deployment variable"
	case WebhookEndpoint:
		return "webhook endpoint"
	}
	return "app homepage URL"
}

// Validate checks every resolved value before any network call. strict
// applies the production rules (prod section, or an sk_live_ key): https
// only, no localhost, no wildcard, no query string.
func Validate(file string, sec *resolve.Section, strict bool, why string) []diag.Problem {
	var out []diag.Problem
	check := func(resource string, v resolve.Value) {
		msg, hint := checkValue(resource, v.Value, strict, why)
		if v.SecretIn != "" {
			// Registering it would publish the secret in the WorkOS
			// dashboard and to every browser sent there. The message must
			// not quote the value.
			msg = fmt.Sprintf("%s carries %s once resolved; a URL registered in WorkOS must hold no secret", label(resource), v.SecretIn)
			hint = "build the URL only from variables that hold no secret (" + v.Template + ")"
		}
		if msg != "" {
			out = append(out, diag.Problem{
				Severity: diag.SeverityError, File: file, Path: v.Path, Line: v.Line, Column: v.Column,
				Message: msg, Hint: hint,
			})
		}
	}
	for _, v := range sec.RedirectURIs {
		check(RedirectURI, v)
	}
	if sec.AppHomepageURL != nil && sec.AppHomepageURL.Value != "" {
		check(AppHomepageURL, *sec.AppHomepageURL)
	}
	for _, v := range sec.CORSOrigins {
		check(CORSOrigin, v)
	}
	return out
}

func checkValue(resource, raw string, strict bool, why string) (msg, hint string) {
	name := label(resource)
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		return fmt.Sprintf("%s %q is not an absolute URL", name, raw), "write a full URL such as https://example.com/callback"
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Sprintf("%s %q must use http or https", name, raw), "write a URL starting with https://"
	}
	if u.User != nil {
		return fmt.Sprintf("%s %q must not contain user information", name, raw), "remove the user:password@ part"
	}
	if resource == CORSOrigin && (u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "") {
		return fmt.Sprintf("CORS origin %q has a path, query or fragment", raw), fmt.Sprintf("a CORS origin is scheme://host[:port] only: %s://%s", u.Scheme, u.Host)
	}
	if u.Fragment != "" {
		return fmt.Sprintf("%s %q has a fragment", name, raw), "remove the #... part: browsers never send it"
	}
	if !strict {
		return "", ""
	}
	switch {
	case u.Scheme != "https":
		return fmt.Sprintf("%s %q uses http, which %s does not allow", name, raw, why), "use https://"
	case netpolicy.IsLocalHost(u.Hostname()):
		return fmt.Sprintf("%s %q points at this machine, which %s does not allow", name, raw, why), "use the deployed site's host name; keep localhost URLs in the dev section"
	case strings.Contains(u.Host, "*"):
		return fmt.Sprintf("%s %q has a wildcard, which %s does not allow", name, raw, why), "list each host explicitly"
	case u.RawQuery != "" || u.ForceQuery:
		return fmt.Sprintf("%s %q has a query string, which %s does not allow", name, raw, why), "remove the ?... part"
	}
	return "", ""
}

// Canonical returns the form used to compare a local value with WorkOS's:
// scheme and host lower-cased, default ports dropped, an empty path made
// "/" for redirect URIs, and a trailing "/" dropped for origins. Paths keep
// their case and trailing slashes: WorkOS compares them exactly.
func Canonical(resource, raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	u.Scheme = strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (u.Scheme == "https" && port == "443") || (u.Scheme == "http" && port == "80") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	u.Host = host
	if resource == CORSOrigin {
		return u.Scheme + "://" + u.Host
	}
	if u.Path == "" && u.RawPath == "" {
		u.Path = "/"
	}
	return u.String()
}
