package authconfig

import (
	"fmt"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
)

// DomainError is a rejected --auth-domain, with how to fix it. The form of
// init words it its own way from Reason and Hint.
type DomainError struct {
	Domain string
	Reason string
	Hint   string
}

func (e *DomainError) Error() string {
	return fmt.Sprintf("--auth-domain %q %s", e.Domain, e.Reason)
}

// CheckAuthDomain accepts a bare host name such as auth.example.com: the
// issuers are built as https://<host>/..., and Convex compares issuers
// exactly, so a scheme, path, port, upper case or trailing dot would make
// a provider that no token ever matches. Its error is a usage error (exit
// 3) with the hint, wrapping a *DomainError.
func CheckAuthDomain(d string) error {
	bad := func(reason, hint string) error {
		return cmdutil.UsageError(&DomainError{Domain: d, Reason: reason, Hint: hint}, hint)
	}
	const example = "give the host name alone, e.g. --auth-domain auth.example.com"
	hostOf := func(s string) string {
		if i := strings.IndexAny(s, "/?#"); i >= 0 {
			return s[:i]
		}
		return s
	}
	if _, rest, ok := strings.Cut(d, "://"); ok {
		return bad("has a scheme", "give the host name alone: --auth-domain "+hostOf(rest))
	}
	switch {
	case d == "":
		return bad("is empty", example)
	case strings.ContainsAny(d, "/?#"):
		return bad("has a path", "give the host name alone: --auth-domain "+hostOf(d))
	case strings.Contains(d, ":"):
		return bad("has a port", "a WorkOS custom domain is served on port 443: "+example)
	case strings.HasSuffix(d, "."):
		return bad("ends with a dot", "Convex compares issuers exactly: --auth-domain "+strings.TrimSuffix(d, "."))
	case strings.ToLower(d) != d:
		return bad("has upper-case letters", "Convex compares issuers exactly, and token issuers are lower case: --auth-domain "+strings.ToLower(d))
	case d == WorkOSHost:
		return bad("is the default WorkOS issuer host", "its providers are always there; leave out --auth-domain")
	case strings.HasSuffix(d, ".authkit.app"):
		return bad("is an AuthKit OAuth domain",
			"its tokens (OAuth/MCP clients, with aud set to a resource) are not the AuthKit session tokens this config accepts; give the custom authentication domain set up in the WorkOS dashboard, e.g. auth.example.com")
	case len(d) > 253:
		return bad("is longer than 253 characters", example)
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return bad("is not a domain name", "a custom authentication domain is a subdomain of yours: "+example)
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' || strings.Trim(l, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return bad(fmt.Sprintf("has an invalid label %q", l), "labels are 1 to 63 letters, digits or hyphens, not starting or ending with a hyphen; write an international name in its xn-- form")
		}
	}
	if tld := labels[len(labels)-1]; (len(tld) < 2 || strings.Trim(tld, "abcdefghijklmnopqrstuvwxyz") != "") && !strings.HasPrefix(tld, "xn--") {
		return bad("does not end in a top-level domain", "give a host name, not an IP address: "+example)
	}
	return nil
}
