package cmdutil

import (
	"errors"
	"fmt"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/netpolicy"
	"github.com/convex-authkit/convex-authkit/internal/workos"
)

// WorkOSBaseURL is the WorkOS API root a command talks to: the --workos-url
// flag, else WORKOS_BASE_URL from env, else workos.DefaultBaseURL, without a
// trailing slash. A value that is not https://host (or http:// on this
// machine) is a usage error naming where it came from, reported before any
// request rather than retried as a network failure or, for http:// to
// another host, sending the key in cleartext.
func WorkOSBaseURL(flag string, env map[string]string) (string, error) {
	base, from := strings.TrimRight(flag, "/"), "--workos-url"
	if base == "" {
		base, from = strings.TrimRight(env["WORKOS_BASE_URL"], "/"), "WORKOS_BASE_URL"
	}
	if base == "" {
		return workos.DefaultBaseURL, nil
	}
	if err := workos.CheckBaseURL(base); err != nil {
		hint := "give the API root with its scheme, e.g. https://api.workos.com or http://127.0.0.1:4100 for `convex-authkit emulate`"
		if errors.Is(err, netpolicy.ErrInsecure) {
			hint = "use https://: every request carries WORKOS_API_KEY; plain http:// is accepted only for an emulator on this machine (localhost, 127.0.0.1, ::1)"
		}
		return "", UsageError(fmt.Errorf("%s: %w", from, err), hint)
	}
	return base, nil
}
