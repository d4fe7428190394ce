// Package interpolate implements the placeholder language of convex.json's
// authKit section exactly as the Convex CLI does: `${` then one or more
// characters other than `}` then `}`. There is no escaping, nesting,
// trimming or default value, and names are case-sensitive.
//
// Unlike the Convex CLI, which stops at the first failure, Resolve reports
// every failure of a template at once.
package interpolate

import (
	"fmt"
	"strings"
)

// Kind classifies a segment of a template.
type Kind int

const (
	// Literal is text copied as is.
	Literal Kind = iota
	// AuthEnv is ${authEnv.NAME} with one of the three WorkOS credentials.
	AuthEnv
	// BuildEnv is ${buildEnv.NAME}: a variable of the build environment.
	BuildEnv
	// Unknown is any other ${...}: Convex rejects it.
	Unknown
)

// AuthEnvNames are the only names authEnv knows.
var AuthEnvNames = []string{"WORKOS_CLIENT_ID", "WORKOS_API_KEY", "WORKOS_ENVIRONMENT_ID"}

const (
	authEnvPrefix  = "authEnv."
	buildEnvPrefix = "buildEnv."
)

// Segment is one piece of a parsed template.
type Segment struct {
	Kind Kind
	// Text is the literal text, or the whole placeholder including ${ and }.
	Text string
	// Name is the variable looked up: after "authEnv." or after the first
	// "buildEnv.", verbatim (it may be empty or contain spaces).
	Name string
	// Offset is the byte offset of Text in the template.
	Offset int
}

// Expr returns the placeholder's inner expression, e.g. "buildEnv.SITE".
func (s Segment) Expr() string {
	if s.Kind == Literal {
		return ""
	}
	return s.Text[2 : len(s.Text)-1]
}

// Parse splits a template into literal text and placeholders. It never
// fails: text that is not a placeholder is literal.
func Parse(tmpl string) []Segment {
	var segs []Segment
	lit := 0 // start of the pending literal
	i := 0
	for {
		j := strings.Index(tmpl[i:], "${")
		if j < 0 {
			break
		}
		start := i + j
		end := strings.IndexByte(tmpl[start+2:], '}')
		if end < 0 {
			// No closing brace anywhere after this point, so no later "${"
			// can close either.
			break
		}
		if end == 0 {
			// "${}" has an empty body and is literal; a placeholder may
			// still start at the next "$".
			i = start + 1
			continue
		}
		if start > lit {
			segs = append(segs, Segment{Kind: Literal, Text: tmpl[lit:start], Offset: lit})
		}
		stop := start + 2 + end + 1
		segs = append(segs, classify(tmpl[start:stop], start))
		lit, i = stop, stop
	}
	if lit < len(tmpl) {
		segs = append(segs, Segment{Kind: Literal, Text: tmpl[lit:], Offset: lit})
	}
	return segs
}

func classify(text string, offset int) Segment {
	expr := text[2 : len(text)-1]
	seg := Segment{Kind: Unknown, Text: text, Offset: offset}
	switch {
	case strings.HasPrefix(expr, authEnvPrefix) && isAuthEnvName(expr[len(authEnvPrefix):]):
		seg.Kind, seg.Name = AuthEnv, expr[len(authEnvPrefix):]
	case strings.HasPrefix(expr, buildEnvPrefix):
		seg.Kind, seg.Name = BuildEnv, expr[len(buildEnvPrefix):]
	}
	return seg
}

func isAuthEnvName(n string) bool {
	for _, a := range AuthEnvNames {
		if n == a {
			return true
		}
	}
	return false
}

// UsesAuthEnv reports whether a template reads ${authEnv.NAME}; "" is no
// name, so never read.
func UsesAuthEnv(tmpl, name string) bool {
	if name == "" {
		return false
	}
	for _, s := range Parse(tmpl) {
		if s.Kind == AuthEnv && s.Name == name {
			return true
		}
	}
	return false
}

// HasPlaceholders reports whether a parsed template has a placeholder.
func HasPlaceholders(segs []Segment) bool {
	for _, s := range segs {
		if s.Kind != Literal {
			return true
		}
	}
	return false
}

// Lookup returns the value of a variable and a description of where it came
// from ("flag", "environment", ".env.local:3"). ok is false when the
// variable is not set; an empty value counts as not set.
type Lookup func(kind Kind, name string) (value, source string, ok bool)

// Use records one placeholder that was resolved.
type Use struct {
	Expression string `json:"expression"` // e.g. "${buildEnv.SITE}"
	Name       string `json:"name"`
	Source     string `json:"source"`
	Secret     bool   `json:"-"` // authEnv.WORKOS_API_KEY
}

// Failure is one placeholder that could not be resolved.
type Failure struct {
	Expression string // the whole placeholder, e.g. "${buildEnv.SITE}"
	Kind       Kind
	Name       string
	Message    string
	Hint       string
}

// Result is a resolved template.
type Result struct {
	Value    string
	Uses     []Use
	Failures []Failure
}

// Resolve substitutes every placeholder of tmpl. When some fail, Value holds
// what could be resolved with the failed placeholders left as written, and
// Failures lists every one of them in order.
func Resolve(tmpl string, lookup Lookup) Result {
	var res Result
	var b strings.Builder
	for _, seg := range Parse(tmpl) {
		switch seg.Kind {
		case Literal:
			b.WriteString(seg.Text)
			continue
		case Unknown:
			res.Failures = append(res.Failures, unknownFailure(seg))
			b.WriteString(seg.Text)
			continue
		}
		v, src, ok := lookup(seg.Kind, seg.Name)
		if !ok || v == "" {
			res.Failures = append(res.Failures, missingFailure(seg))
			b.WriteString(seg.Text)
			continue
		}
		b.WriteString(v)
		res.Uses = append(res.Uses, Use{
			Expression: seg.Text,
			Name:       seg.Name,
			Source:     src,
			Secret:     seg.Kind == AuthEnv && seg.Name == "WORKOS_API_KEY",
		})
	}
	res.Value = b.String()
	return res
}

func missingFailure(seg Segment) Failure {
	f := Failure{Expression: seg.Text, Kind: seg.Kind, Name: seg.Name}
	if seg.Kind == AuthEnv {
		f.Message = fmt.Sprintf("cannot resolve %s: %s is not set", seg.Text, seg.Name)
		switch seg.Name {
		case "WORKOS_CLIENT_ID":
			f.Hint = "pass --client-id, or set WORKOS_CLIENT_ID in the environment, .env.local or .env"
		case "WORKOS_ENVIRONMENT_ID":
			f.Hint = "pass --environment-id, or set WORKOS_ENVIRONMENT_ID in the environment, .env.local or .env"
		default:
			f.Hint = "set WORKOS_API_KEY in the environment, .env.local or .env (it is never accepted as a flag)"
		}
		return f
	}
	switch {
	case seg.Name == "":
		f.Message = fmt.Sprintf("cannot resolve %s: the variable name is empty", seg.Text)
		f.Hint = "write the variable's name after buildEnv., e.g. ${buildEnv.SITE_URL}"
	case strings.TrimSpace(seg.Name) != seg.Name:
		f.Message = fmt.Sprintf("cannot resolve %s: environment variable %q is not set", seg.Text, seg.Name)
		f.Hint = fmt.Sprintf("the name includes white space, which Convex does not trim: write ${buildEnv.%s}", strings.TrimSpace(seg.Name))
	default:
		f.Message = fmt.Sprintf("cannot resolve %s: environment variable %s is not set", seg.Text, seg.Name)
		f.Hint = fmt.Sprintf("set %s in the environment, .env.local or .env (an empty value counts as unset)", seg.Name)
	}
	return f
}

func unknownFailure(seg Segment) Failure {
	f := Failure{Expression: seg.Text, Kind: Unknown, Message: fmt.Sprintf("unknown placeholder %s", seg.Text)}
	if s := Suggest(seg.Expr()); s != "" {
		f.Hint = fmt.Sprintf("did you mean ${%s}? Placeholders are case-sensitive and white space is not trimmed", s)
	} else {
		f.Hint = "use ${buildEnv.NAME} for a build environment variable, or ${authEnv.WORKOS_CLIENT_ID}, ${authEnv.WORKOS_API_KEY} or ${authEnv.WORKOS_ENVIRONMENT_ID}"
	}
	return f
}

// Suggest guesses what an unknown expression meant: the same text with the
// prefix's case fixed and surrounding white space removed. It returns ""
// when nothing close is known.
func Suggest(expr string) string {
	e := strings.TrimSpace(expr)
	lower := strings.ToLower(e)
	switch {
	case strings.HasPrefix(lower, strings.ToLower(buildEnvPrefix)):
		name := strings.TrimSpace(e[len(buildEnvPrefix):])
		if name == "" {
			return ""
		}
		return buildEnvPrefix + name
	case strings.HasPrefix(lower, strings.ToLower(authEnvPrefix)):
		name := strings.TrimSpace(e[len(authEnvPrefix):])
		for _, a := range AuthEnvNames {
			if strings.EqualFold(name, a) {
				return authEnvPrefix + a
			}
		}
		return ""
	case strings.HasPrefix(lower, "env.") || strings.HasPrefix(lower, "process.env."):
		name := e[strings.LastIndexByte(e, '.')+1:]
		if isAuthEnvName(name) {
			return authEnvPrefix + name
		}
		if name != "" {
			return buildEnvPrefix + name
		}
	case isAuthEnvName(e):
		return authEnvPrefix + e
	}
	return ""
}

// LookAlike describes text that a user probably meant as a placeholder but
// that Convex copies literally, such as "$SITE" or "{buildEnv.SITE}".
type LookAlike struct {
	Text   string
	Offset int
	Reason string
}

// LookAlikes finds near-miss placeholders in the literal parts of a parsed
// template.
func LookAlikes(segs []Segment) []LookAlike {
	var out []LookAlike
	for _, seg := range segs {
		if seg.Kind != Literal {
			continue
		}
		text := seg.Text
		for i := 0; i < len(text); i++ {
			rest := text[i:]
			switch {
			case strings.HasPrefix(rest, "${}"):
				out = append(out, LookAlike{Text: "${}", Offset: seg.Offset + i, Reason: "an empty ${} is copied literally"})
				i += 2
			case strings.HasPrefix(rest, "${"):
				out = append(out, LookAlike{Text: rest, Offset: seg.Offset + i, Reason: "a ${ without a closing } is copied literally"})
				i = len(text)
			case rest[0] == '$' && len(rest) > 1 && isNameStart(rest[1]):
				n := 1
				for n < len(rest) && isNameChar(rest[n]) {
					n++
				}
				out = append(out, LookAlike{Text: rest[:n], Offset: seg.Offset + i, Reason: "Convex does not expand $NAME; write ${buildEnv." + rest[1:n] + "}"})
				i += n - 1
			case rest[0] == '{' && (i == 0 || text[i-1] != '$') && (strings.HasPrefix(rest, "{buildEnv.") || strings.HasPrefix(rest, "{authEnv.")):
				n := strings.IndexByte(rest, '}')
				if n < 0 {
					n = len(rest) - 1
				}
				out = append(out, LookAlike{Text: rest[:n+1], Offset: seg.Offset + i, Reason: "a placeholder needs a leading $: write $" + rest[:n+1]})
				i += n
			}
		}
	}
	return out
}

func isNameStart(c byte) bool {
	return c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

func isNameChar(c byte) bool {
	return isNameStart(c) || c >= '0' && c <= '9'
}

// Check returns the failures of a parsed template that no environment can
// fix: unknown placeholders. Missing variables are not reported.
func Check(segs []Segment) []Failure {
	var out []Failure
	for _, seg := range segs {
		if seg.Kind == Unknown {
			out = append(out, unknownFailure(seg))
		}
	}
	return out
}
