package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/jwttemplate"
)

// reservedClaims are the claims a JWT template may not set; WorkOS rejects
// such a template. aud is deliberately not among them.
var reservedClaims = []string{"iss", "sub", "exp", "iat", "nbf", "jti"}

// templateRoots are the objects a template expression may start from.
var templateRoots = map[string]bool{"user": true, "organization": true, "organization_membership": true}

// checkTemplate validates a template as a PUT does: it must render, for a
// user about whom nothing is known, to a JSON object without reserved claims.
func checkTemplate(content string) error {
	claims, err := renderTemplate(content, map[string]any{
		// Objects where WorkOS has objects, so that interpolating one into
		// a string is caught now rather than at sign-in.
		"user":                    map[string]any{"metadata": map[string]any{}},
		"organization":            map[string]any{"metadata": map[string]any{}},
		"organization_membership": map[string]any{"role": map[string]any{}, "custom_attributes": map[string]any{}},
	})
	if err != nil {
		return err
	}
	var bad []string
	for _, c := range reservedClaims {
		if _, ok := claims[c]; ok {
			bad = append(bad, c)
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("it cannot set the reserved claims %s", strings.Join(bad, ", "))
	}
	return nil
}

// renderTemplate renders a WorkOS JWT template for ctx. A template is a JSON
// object in which {{ expr }} may stand for a whole value (the expression's
// JSON value) or sit inside a string (its text). An expression is a path
// such as user.email or organization.domains.0.domain, or a quoted string,
// with fallbacks separated by ||, taken when a value is null or missing.
func renderTemplate(content string, ctx map[string]any) (map[string]any, error) {
	return jwttemplate.Render[any](content, func(expr string, inString bool) (string, error) {
		v, err := evalExpr(expr, ctx)
		if err != nil {
			return "", err
		}
		return valueText(v, inString)
	})
}

// valueText is an expression's value as JSON, or as the inside of the JSON
// string it sits in.
func valueText(v any, inString bool) (string, error) {
	if !inString {
		b, err := json.Marshal(v)
		return string(b), err
	}
	var text string
	switch v := v.(type) {
	case nil:
	case string:
		text = v
	case map[string]any, []any:
		return "", errors.New("objects and arrays cannot be interpolated inside a string")
	default:
		text = fmt.Sprint(v)
	}
	b, _ := json.Marshal(text) // a string always encodes
	return string(b[1 : len(b)-1]), nil
}

// evalExpr evaluates the inside of {{ }}: the first alternative that is not
// null.
func evalExpr(expr string, ctx map[string]any) (any, error) {
	alts, err := splitAlternatives(expr)
	if err != nil {
		return nil, err
	}
	for _, alt := range alts {
		v, err := evalTerm(alt, ctx)
		if err != nil {
			return nil, err
		}
		if v != nil {
			return v, nil
		}
	}
	return nil, nil
}

// splitAlternatives splits on || outside quoted strings.
func splitAlternatives(expr string) ([]string, error) {
	var alts []string
	var quote byte
	start := 0
	for i := 0; i < len(expr); i++ {
		switch c := expr[i]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '|' && i+1 < len(expr) && expr[i+1] == '|':
			alts = append(alts, strings.TrimSpace(expr[start:i]))
			start = i + 2
			i++
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated string in {{%s}}", expr)
	}
	alts = append(alts, strings.TrimSpace(expr[start:]))
	for _, a := range alts {
		if a == "" {
			return nil, fmt.Errorf("empty expression in {{%s}}", expr)
		}
	}
	return alts, nil
}

func evalTerm(term string, ctx map[string]any) (any, error) {
	if q := term[0]; q == '\'' || q == '"' {
		if len(term) < 2 || term[len(term)-1] != q {
			return nil, fmt.Errorf("invalid string %s", term)
		}
		return term[1 : len(term)-1], nil
	}
	var num json.Number
	if c := term[0]; (c == '-' || c >= '0' && c <= '9') && json.Unmarshal([]byte(term), &num) == nil {
		return num, nil
	}
	segs := strings.Split(term, ".")
	if !templateRoots[segs[0]] {
		return nil, fmt.Errorf("unknown variable %q: expressions start with user, organization or organization_membership", term)
	}
	for _, seg := range segs {
		if !validSegment(seg) {
			return nil, fmt.Errorf("invalid expression %q", term)
		}
	}
	var cur any = ctx
	for _, seg := range segs {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[seg]
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(c) {
				return nil, nil
			}
			cur = c[i]
		default:
			return nil, nil
		}
	}
	return cur, nil
}

func validSegment(seg string) bool {
	if seg == "" {
		return false
	}
	for _, r := range seg {
		if !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}
