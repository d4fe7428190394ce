package apply

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/diag"
	"github.com/convex-authkit/convex-authkit/internal/interpolate"
	"github.com/convex-authkit/convex-authkit/internal/resolve"
)

// slugPattern matches a branch as previews spell it (envsel.Slug): what
// stands for "some other branch" inside a preview's redirect URI.
const slugPattern = `([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)`

// branchURI is a redirect URI of the preview section that names the branch
// it was resolved for. Its pattern is the same URI with the branch left
// open, so it recognises every other branch's version of it, and only
// those: the fixed parts (https://my-app-git- … -team.vercel.app/callback)
// come from the template and the variable's value around the branch.
type branchURI struct {
	Value   string // this branch's URI, as resolved
	pattern *regexp.Regexp
}

// branchOf returns the branch slug a remote URI stands for, if it is this
// template's URI for some branch.
func (b branchURI) branchOf(uri string) (string, bool) {
	for _, u := range []string{uri, Canonical(RedirectURI, uri)} {
		if m := b.pattern.FindStringSubmatch(u); m != nil {
			return m[1], true
		}
	}
	return "", false
}

// Scope splits the preview section's redirect URIs, resolved for the branch
// whose slug is given, into those that name the branch (this preview's own)
// and those that do not (the same for every preview: shared). The branch
// must appear in a buildEnv placeholder's value, exactly once per URI: a
// literal part of the template is the same for every branch, and a branch
// seen twice leaves unclear which part another branch would change.
func Scope(file string, sec *resolve.Section, src *resolve.Sources, slug string) (own []branchURI, shared []string, problems []diag.Problem) {
	for _, v := range sec.RedirectURIs {
		var pat strings.Builder
		found := 0
		for _, seg := range interpolate.Parse(v.Template) {
			text := seg.Text
			switch seg.Kind {
			case interpolate.BuildEnv:
				text, _, _ = src.Get(seg.Name)
			case interpolate.AuthEnv:
				text, _, _ = src.GetAuth(seg.Name)
			}
			if seg.Kind != interpolate.BuildEnv || slug == "" {
				pat.WriteString(regexp.QuoteMeta(text))
				continue
			}
			// Host names are compared without regard to case, and Vercel
			// writes the branch in lower case whatever git's spelling.
			parts := strings.Split(strings.ToLower(text), slug)
			found += len(parts) - 1
			for i, p := range parts {
				if i > 0 {
					pat.WriteString(slugPattern)
				}
				pat.WriteString(regexp.QuoteMeta(p))
			}
		}
		switch found {
		case 0:
			shared = append(shared, v.Value)
		case 1:
			own = append(own, branchURI{Value: v.Value, pattern: regexp.MustCompile("^(?i:" + pat.String() + ")$")})
		default:
			problems = append(problems, diag.Problem{Severity: diag.SeverityError, File: file, Path: v.Path, Line: v.Line, Column: v.Column,
				Message: fmt.Sprintf("redirect URI %q names the branch %q %d times, so which part is the branch is unclear", v.Value, slug, found),
				Hint:    "pass --branch with a name that appears once, e.g. the full branch name"})
		}
	}
	return own, shared, problems
}
