// Package jwttemplate reads the syntax of WorkOS JWT templates: a JSON
// object in which {{ expr }} stands for a whole value or sits inside a
// string. The embedded emulator renders templates with it, and doctor reads
// a template's aud without rendering it.
package jwttemplate

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// Render expands content and decodes the result, which must be a single
// JSON object, as the claims of a token. Every {{ expr }} is replaced by
// what value gives for the text between the braces: JSON for a whole value,
// or the escaped inside of a JSON string when the expression sits in one
// (inString). Numbers decode as json.Number when V is any, to keep them
// exactly as written.
func Render[V any](content string, value func(expr string, inString bool) (string, error)) (map[string]V, error) {
	text, err := expand(content, value)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var claims map[string]V
	if err := dec.Decode(&claims); err != nil || claims == nil {
		return nil, errors.New("it must be a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("it must be a single JSON object")
	}
	return claims, nil
}

// expand returns content with every {{ expr }} replaced by what value
// gives for it. An expression runs to the first }}, and a backslash in a
// string escapes the next character, so an escaped quote does not end the
// string.
func expand(content string, value func(expr string, inString bool) (string, error)) (string, error) {
	var out strings.Builder
	inString := false
	for i := 0; i < len(content); {
		if strings.HasPrefix(content[i:], "{{") {
			n := strings.Index(content[i+2:], "}}")
			if n < 0 {
				return "", errors.New("an expression opened with {{ is never closed")
			}
			v, err := value(content[i+2:i+2+n], inString)
			if err != nil {
				return "", err
			}
			out.WriteString(v)
			i += n + 4
			continue
		}
		c := content[i]
		switch {
		case inString && c == '\\' && i+1 < len(content):
			out.WriteString(content[i : i+2])
			i += 2
			continue
		case c == '"':
			inString = !inString
		}
		out.WriteByte(c)
		i++
	}
	return out.String(), nil
}
