package component

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/netpolicy"
)

// SiteURLFlag names the deployment's HTTP actions origin where it cannot
// be asked (custom domains, some self-hosted setups).
const SiteURLFlag = "--site-url"

// ValidateSiteURL returns the origin site names, from says where it came
// from. It must be https; plain http is accepted for a loopback host only
// (a self-hosted backend on this machine, which only an emulator delivers
// to). Anything else is a usage error (exit 3).
func ValidateSiteURL(site, from string) (string, error) {
	u, err := url.Parse(site)
	switch {
	case err != nil || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "":
		return "", cmdutil.UsageError(fmt.Errorf("site URL %q (from %s) is not an origin such as https://happy-otter-123.convex.site", site, from),
			"pass "+SiteURLFlag+" with the origin that serves the deployment's HTTP actions")
	case u.Scheme == "https":
	case u.Scheme == "http" && netpolicy.IsLocalHost(u.Hostname()):
	default:
		return "", cmdutil.UsageError(fmt.Errorf("site URL %s (from %s) is not https: WorkOS delivers webhooks only to https endpoints", site, from),
			"give the deployment an https site URL (a custom domain needs TLS), or pass "+SiteURLFlag+" https://...")
	}
	return strings.ToLower(u.Scheme) + "://" + u.Host, nil
}
