// Package secret decides which values are secrets and how to show them.
// WorkOS API keys, cookie passwords, webhook secrets and tokens must never
// reach output, logs or --json in full.
package secret

import (
	"io"
	"strings"
	"unicode/utf8"
)

// publicPrefixes are the variable-name prefixes that frameworks inline into
// browser bundles. A secret under one of them is published to every visitor.
var publicPrefixes = []string{"VITE_", "NEXT_PUBLIC_", "PUBLIC_", "EXPO_PUBLIC_", "REACT_APP_", "GATSBY_", "NUXT_PUBLIC_"}

// PublicPrefix returns the public prefix of name, or "" when it has none.
func PublicPrefix(name string) string {
	for _, p := range publicPrefixes {
		if strings.HasPrefix(name, p) {
			return p
		}
	}
	return ""
}

// LooksLikeAPIKey reports whether v has the shape of a WorkOS secret key.
func LooksLikeAPIKey(v string) bool {
	return strings.HasPrefix(v, "sk_")
}

// IsSecretName reports whether a variable of this name holds a secret
// whatever its value looks like.
func IsSecretName(name string) bool {
	n := strings.ToUpper(name)
	for _, marker := range []string{"API_KEY", "SECRET", "PASSWORD", "TOKEN", "PRIVATE_KEY", "DEPLOY_KEY"} {
		if strings.Contains(n, marker) {
			return true
		}
	}
	return false
}

// Mask shows enough of a secret to recognise it and no more:
// "sk_test_…a1b2" for API keys, "…a1b2" for other long values, and "****"
// for short ones, whose tail would give too much away.
func Mask(v string) string {
	if v == "" {
		return ""
	}
	n := utf8.RuneCountInString(v)
	if n < 16 {
		return "****"
	}
	tail := string([]rune(v)[n-4:])
	if LooksLikeAPIKey(v) {
		// Keep the environment marker (sk_test_, sk_live_) when there is one:
		// it is what users need to tell keys apart, and it is not secret.
		if i := strings.IndexByte(v[3:], '_'); i >= 0 && i < 8 {
			return v[:3+i+1] + "…" + tail
		}
		return "sk_…" + tail
	}
	return "…" + tail
}

// Redactor replaces known secret values in free text. It is used on any text
// that may echo a value: error messages from servers, resolved templates.
type Redactor struct {
	values []string
}

// Add registers a secret value. Values shorter than 6 characters are ignored:
// replacing them would mangle unrelated text and hide almost nothing.
func (r *Redactor) Add(v string) {
	if len(v) < 6 {
		return
	}
	for _, have := range r.values {
		if have == v {
			return
		}
	}
	r.values = append(r.values, v)
}

// Redact masks every registered value in s, and any sk_ key even if it was
// not registered.
func (r *Redactor) Redact(s string) string {
	for _, v := range r.values {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, Mask(v))
		}
	}
	return redactKeys(s)
}

// MaskKeys masks every WorkOS-style key (a word starting "sk_") in s. It
// needs no list of secrets, so every printer of text that may quote user
// input (a parser's "unexpected word ...") can apply it.
func MaskKeys(s string) string { return redactKeys(s) }

// redactKeys masks every token of the form sk_<chars> in s.
func redactKeys(s string) string {
	if !strings.Contains(s, "sk_") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "sk_")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		// Only a key when "sk_" starts a word.
		if i > 0 && isKeyChar(s[i-1]) {
			b.WriteString(s[:i+3])
			s = s[i+3:]
			continue
		}
		j := i + 3
		for j < len(s) && isKeyChar(s[j]) {
			j++
		}
		b.WriteString(s[:i])
		key := s[i:j]
		if len(key) > 8 {
			b.WriteString(Mask(key))
		} else {
			b.WriteString(key)
		}
		s = s[j:]
	}
}

func isKeyChar(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// Writer returns a writer that redacts each write before passing it on.
// Callers write whole lines or documents at a time, so a secret is never
// split across two writes.
func (r *Redactor) Writer(w io.Writer) io.Writer {
	return &redactWriter{w: w, r: r}
}

type redactWriter struct {
	w io.Writer
	r *Redactor
}

func (rw *redactWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(rw.w, rw.r.Redact(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
