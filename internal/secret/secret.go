// Package secret decides which values are secrets and how to show them.
// WorkOS API keys, cookie passwords, webhook secrets and tokens must never
// reach output, logs or --json in full.
package secret

import (
	"encoding/json"
	"io"
	"net/url"
	"slices"
	"strings"
	"unicode/utf16"
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

// minLen is the length below which a value (or a line of one) is not
// worth masking: replacing it would mangle unrelated text and hide almost
// nothing.
const minLen = 6

// Meaningful reports whether v is long enough to be looked for in text as a
// secret: shorter values would match unrelated text and hide almost nothing.
func Meaningful(v string) bool { return len(v) >= minLen }

// pieceMask replaces a line of a multi-line secret. It shows no tail: the
// last characters of every line together would give away too much.
const pieceMask = "****"

// Redactor replaces known secret values in free text. It is used on any text
// that may echo a value: error messages from servers, resolved templates,
// diffs. Add must not be called while another goroutine uses the Redactor.
type Redactor struct {
	values []string
	// needles are every form in which output may carry a registered
	// value, longest first, each with what replaces it.
	needles []needle
}

type needle struct{ text, mask string }

// Add registers a secret value. Values shorter than 6 characters are ignored:
// replacing them would mangle unrelated text and hide almost nothing.
//
// Output can carry a value in other forms than its own: escaped inside a
// JSON string (a server echoing the request body, our own --json), URL
// query- or path-escaped, or, for a multi-line value, one line at a time
// (a diff prints each line with its own prefix). Add registers them all.
func (r *Redactor) Add(v string) {
	if len(v) < minLen || slices.Contains(r.values, v) {
		return
	}
	r.values = append(r.values, v)
	r.needles = appendForms(r.needles, v, Mask(v))
	if strings.ContainsAny(v, "\r\n") {
		for _, line := range strings.FieldsFunc(v, func(c rune) bool { return c == '\n' || c == '\r' }) {
			if line = strings.TrimSpace(line); len(line) >= minLen {
				r.needles = appendForms(r.needles, line, pieceMask)
			}
		}
	}
	// Longest first, so that when two needles start at the same place the
	// mask of the whole value wins over the mask of a line.
	slices.SortStableFunc(r.needles, func(a, b needle) int { return len(b.text) - len(a.text) })
	r.needles = slices.CompactFunc(r.needles, func(a, b needle) bool { return a.text == b.text })
}

// appendForms adds v in each encoding output may carry it in, each replaced
// by mask in the same encoding so that the text around it stays valid (a
// JSON document stays parseable).
func appendForms(ns []needle, v, mask string) []needle {
	add := func(text, m string) {
		if text != "" {
			ns = append(ns, needle{text, m})
		}
	}
	add(v, mask)
	for _, enc := range jsonEncodings(v) {
		ev := enc(v)
		add(ev, enc(mask))
		// A JSON string quoted inside our own JSON output (a server's error
		// body in a doctor --json message) is escaped twice.
		add(goJSON(ev, false), goJSON(enc(mask), false))
		add(goJSON(ev, true), goJSON(enc(mask), true))
	}
	add(url.QueryEscape(v), url.QueryEscape(mask))
	add(url.PathEscape(v), url.PathEscape(mask))
	return ns
}

// Redact masks every registered value in s, in every form Add registered,
// then does what MaskKeys does.
func (r *Redactor) Redact(s string) string {
	if r != nil && len(r.needles) > 0 {
		s = r.maskNeedles(s)
	}
	return MaskKeys(s)
}

type span struct {
	start, end int
	mask       string
}

// maskNeedles replaces what spans finds.
func (r *Redactor) maskNeedles(s string) string {
	spans := r.spans(s)
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, sp := range spans {
		b.WriteString(s[last:sp.start])
		b.WriteString(sp.mask)
		last = sp.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// spans finds every occurrence of every needle first and returns the union
// of what they cover, in order, each with its mask. Replacing needle by
// needle instead would let one replacement break up another needle's
// occurrence and leave the rest of it readable.
func (r *Redactor) spans(s string) []span {
	var found []span
	for _, n := range r.needles {
		for off := 0; ; {
			i := strings.Index(s[off:], n.text)
			if i < 0 {
				break
			}
			found = append(found, span{off + i, off + i + len(n.text), n.mask})
			// Overlapping occurrences ("aaaaaaa" holds "aaaaaa" twice) are
			// all recorded, so that their union is masked.
			off += i + 1
		}
	}
	if len(found) == 0 {
		return nil
	}
	slices.SortFunc(found, func(a, b span) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return b.end - a.end
	})
	merged := found[:1]
	for _, sp := range found[1:] {
		cur := &merged[len(merged)-1]
		switch {
		case sp.start >= cur.end:
			merged = append(merged, sp)
		case sp.end > cur.end:
			// Two occurrences overlap: neither mask describes the union.
			cur.end, cur.mask = sp.end, pieceMask
		}
	}
	return merged
}

// MaskKeys masks, with no list of secrets, what is recognisably secret by
// its shape: every WorkOS-style key (a word starting "sk_") and the
// password of every URL's userinfo (scheme://user:PASS@host). Every printer
// of text that may quote user input (a parser's "unexpected word ...", a
// diff of a dotenv file) can apply it.
func MaskKeys(s string) string { return maskUserinfo(redactKeys(s)) }

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

// ContainsKey reports whether s holds a WorkOS-style key anywhere, not only
// at its start: in a URL's query, path or userinfo.
func ContainsKey(s string) bool { return redactKeys(s) != s }

// maskUserinfo replaces the password of every scheme://user:password@host
// in s with "****". The authority ends where RFC 3986 ends it (at /, ? or
// #) or at a character that cannot be in a URL, so an '@' in a path or
// query is not taken for the end of a userinfo.
func maskUserinfo(s string) string {
	// Most text has no '@' at all; it then has no userinfo either.
	if strings.IndexByte(s, '@') < 0 || !strings.Contains(s, "://") {
		return s
	}
	var b strings.Builder
	rest := s
	for {
		i := strings.Index(rest, "://")
		if i < 0 {
			break
		}
		authStart := i + 3
		authEnd := authStart
		for authEnd < len(rest) && !endsAuthority(rest[authEnd]) {
			authEnd++
		}
		auth := rest[authStart:authEnd]
		at := strings.LastIndexByte(auth, '@')
		colon := -1
		if at > 0 {
			colon = strings.IndexByte(auth[:at], ':')
		}
		if !hasScheme(rest[:i]) || colon < 0 || colon+1 == at || auth[colon+1:at] == pieceMask {
			b.WriteString(rest[:authEnd])
			rest = rest[authEnd:]
			continue
		}
		b.WriteString(rest[:authStart+colon+1])
		b.WriteString(pieceMask)
		b.WriteString(rest[authStart+at : authEnd])
		rest = rest[authEnd:]
	}
	if b.Len() == 0 {
		return s
	}
	b.WriteString(rest)
	return b.String()
}

// hasScheme reports whether before ends with a URL scheme: a letter then
// letters, digits, '+', '-' or '.'.
func hasScheme(before string) bool {
	j := len(before)
	for j > 0 {
		c := before[j-1]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.' {
			j--
			continue
		}
		break
	}
	for ; j < len(before); j++ {
		if c := before[j] | 0x20; c >= 'a' && c <= 'z' {
			return true
		}
	}
	return false
}

func endsAuthority(c byte) bool {
	return c <= ' ' || c == 0x7f || strings.IndexByte("/?#\"'<>`{}|^\\[]", c) >= 0
}

func isKeyChar(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// Writer returns a writer that redacts each write before passing it on.
// Every writer it wraps receives whole lines or whole documents per Write
// (fmt.Fprint* calls, cmdutil.WriteJSON, the WorkOS request log), so a
// secret on one line is never split across two writes; a multi-line secret
// printed one line per write is caught line by line (see Add).
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

// jsonStyle is one way of escaping a string inside JSON quotes. Encoders
// differ: Go escapes <, > and & by default, PHP escapes '/', Python escapes
// everything beyond ASCII, some write \u001F where others write \u001f or
// \b, and not all use the short forms \b and \f.
type jsonStyle struct{ html, slash, ascii, upperHex, shortBF bool }

// jsonEncodings returns an escaper for each way a JSON encoder may write v,
// one per distinct result. A value with nothing to escape gets none.
func jsonEncodings(v string) []func(string) string {
	if !needsJSONEscape(v) {
		return nil
	}
	var out []func(string) string
	seen := map[string]bool{v: true}
	try := func(enc func(string) string) {
		if ev := enc(v); !seen[ev] {
			seen[ev] = true
			out = append(out, enc)
		}
	}
	try(func(s string) string { return goJSON(s, true) })
	try(func(s string) string { return goJSON(s, false) })
	for bits := range 32 {
		st := jsonStyle{html: bits&1 != 0, slash: bits&2 != 0, ascii: bits&4 != 0, upperHex: bits&8 != 0, shortBF: bits&16 != 0}
		try(st.escape)
	}
	return out
}

func needsJSONEscape(v string) bool {
	for _, c := range []byte(v) {
		if c < 0x20 || c >= 0x7f || strings.IndexByte("\"\\/<>&", c) >= 0 {
			return true
		}
	}
	return false
}

// goJSON is what encoding/json writes between the quotes for s.
func goJSON(s string, escapeHTML bool) string {
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s) // a string always encodes
	out := strings.TrimSuffix(buf.String(), "\n")
	return out[1 : len(out)-1]
}

func (st jsonStyle) escape(s string) string {
	hex := "0123456789abcdef"
	if st.upperHex {
		hex = "0123456789ABCDEF"
	}
	u := func(b *strings.Builder, r rune) {
		b.WriteString(`\u`)
		for shift := 12; shift >= 0; shift -= 4 {
			b.WriteByte(hex[r>>shift&0xf])
		}
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b' && st.shortBF:
			b.WriteString(`\b`)
		case r == '\f' && st.shortBF:
			b.WriteString(`\f`)
		case r < 0x20, st.html && (r == '<' || r == '>' || r == '&'), r == 0x2028 || r == 0x2029:
			u(&b, r)
		case r == '/' && st.slash:
			b.WriteString(`\/`)
		case r > 0x7e && st.ascii:
			if r > 0xffff {
				r1, r2 := utf16.EncodeRune(r)
				u(&b, r1)
				u(&b, r2)
			} else {
				u(&b, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
