package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
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
	var out strings.Builder
	inString := false
	for i := 0; i < len(content); {
		if strings.HasPrefix(content[i:], "{{") {
			n := strings.Index(content[i+2:], "}}")
			if n < 0 {
				return nil, errors.New("an expression opened with {{ is never closed")
			}
			v, err := evalExpr(content[i+2:i+2+n], ctx)
			if err != nil {
				return nil, err
			}
			if err := writeValue(&out, v, inString); err != nil {
				return nil, err
			}
			i += n + 4
			continue
		}
		c := content[i]
		switch {
		case inString && c == '\\' && i+1 < len(content):
			// Copy the escaped character too, so an escaped quote does not
			// end the string.
			out.WriteString(content[i : i+2])
			i += 2
			continue
		case c == '"':
			inString = !inString
		}
		out.WriteByte(c)
		i++
	}

	dec := json.NewDecoder(strings.NewReader(out.String()))
	dec.UseNumber() // keep numbers exactly as written
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil || claims == nil {
		return nil, errors.New("it must be a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("it must be a single JSON object")
	}
	return claims, nil
}

func writeValue(out *strings.Builder, v any, inString bool) error {
	if !inString {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		out.Write(b)
		return nil
	}
	var text string
	switch v := v.(type) {
	case nil:
	case string:
		text = v
	case map[string]any, []any:
		return errors.New("objects and arrays cannot be interpolated inside a string")
	default:
		text = fmt.Sprint(v)
	}
	b, _ := json.Marshal(text) // a string always encodes
	out.Write(b[1 : len(b)-1])
	return nil
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
