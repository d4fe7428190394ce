package interpolate

import (
	"regexp"
	"strings"
)

// placeholderRE is the Convex CLI's own pattern, used as an oracle.
var placeholderRE = regexp.MustCompile(`\$\{([^}]+)\}`)

// referenceResolve is a deliberately naive transcription of the Convex
// CLI's resolveTemplate, to test Resolve against.
func referenceResolve(tmpl string, lookup Lookup) (string, bool) {
	failed := false
	out := placeholderRE.ReplaceAllStringFunc(tmpl, func(m string) string {
		expr := m[2 : len(m)-1]
		var kind Kind
		var name string
		switch {
		case expr == "authEnv.WORKOS_CLIENT_ID" || expr == "authEnv.WORKOS_API_KEY" || expr == "authEnv.WORKOS_ENVIRONMENT_ID":
			kind, name = AuthEnv, strings.TrimPrefix(expr, "authEnv.")
		case strings.HasPrefix(expr, "buildEnv."):
			kind, name = BuildEnv, strings.TrimPrefix(expr, "buildEnv.")
		default:
			failed = true
			return m
		}
		v, _, ok := lookup(kind, name)
		if !ok || v == "" {
			failed = true
			return m
		}
		return v
	})
	return out, failed
}
