package convexauth

import (
	"errors"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// hasScheme is Convex's PROTOCOL_REGEX, ^\w+:// with Rust's Unicode \w.
var hasScheme = regexp.MustCompile(`^[\p{L}\p{M}\p{Nd}\p{Pc}]+://`)

// IssuerURL applies Convex's issuer rules (deserialize_issuer_url) to the
// issuer of a customJwt provider or the domain of an OIDC one, and returns
// the string Convex stores: the original text, with https:// in front when
// it has no scheme. The error text is Convex's.
//
// URL parsing follows the WHATWG rules of the Rust url crate for http and
// https closely enough to reject what Convex rejects: an empty host, a bad
// port, forbidden host characters, malformed IP addresses. Two parts are
// approximations: international domain names are not converted to
// punycode (so their errors are not detected), and "ends with a top-level
// domain" accepts any last label of two or more letters (or xn--) where
// Convex looks it up in the IANA list.
func IssuerURL(original string) (string, error) {
	invalid := func(why string) error { return &URLError{URL: original, Reason: why} }
	if strings.HasPrefix(original, `"`) {
		return "", invalid(`starts with a double quote (")`)
	}
	url, hadScheme := original, hasScheme.MatchString(original)
	if !hadScheme {
		url = "https://" + original
	}
	scheme, host, err := parseURL(url)
	if err != nil {
		return "", invalid(err.Error())
	}
	if scheme != "http" && scheme != "https" {
		return "", invalid("scheme should be http or https")
	}
	if !hadScheme && !endsWithTLD(host) {
		return "", invalid("Does not look like a URL (must have a scheme or end with a top-level domain)")
	}
	return url, nil
}

// URLError is an issuer or domain Convex rejects. Its text is Convex's.
type URLError struct {
	URL    string // as written in the config
	Reason string // e.g. "empty host", "scheme should be http or https"
}

func (e *URLError) Error() string {
	// Convex writes the URL between quotes as it is, without escaping.
	return `Invalid provider domain URL "` + e.URL + `": ` + e.Reason
}

// The url crate's ParseError texts.
var (
	errEmptyHost      = errors.New("empty host")
	errInvalidPort    = errors.New("invalid port number")
	errInvalidIPv4    = errors.New("invalid IPv4 address")
	errInvalidIPv6    = errors.New("invalid IPv6 address")
	errDomainChar     = errors.New("invalid domain character")
	errRelativeNoBase = errors.New("relative URL without a base")
)

// specialSchemes have an authority with a host, per WHATWG.
var specialSchemes = map[string]bool{"http": true, "https": true, "ws": true, "wss": true, "ftp": true, "file": true}

// parseURL returns the lower-cased scheme and, for special schemes, the
// lower-cased host, or the url crate's error.
func parseURL(s string) (scheme, host string, err error) {
	// WHATWG: strip leading and trailing C0 controls and spaces; drop tabs
	// and newlines anywhere. Convex still stores the original text.
	s = strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, s)
	colon := strings.IndexByte(s, ':')
	if colon <= 0 || !validScheme(s[:colon]) {
		return "", "", errRelativeNoBase
	}
	scheme = strings.ToLower(s[:colon])
	if !specialSchemes[scheme] {
		return scheme, "", nil
	}
	rest := strings.TrimLeft(s[colon+1:], `/\`)
	if end := strings.IndexAny(rest, `/\?#`); end >= 0 {
		rest = rest[:end]
	}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		rest = rest[at+1:]
	}
	hostPart, port := rest, ""
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return "", "", errInvalidIPv6
		}
		hostPart, port = rest[:end+1], rest[end+1:]
		if port != "" && port[0] != ':' {
			return "", "", errInvalidPort
		}
		port = strings.TrimPrefix(port, ":")
	} else if i := strings.IndexByte(rest, ':'); i >= 0 {
		hostPart, port = rest[:i], rest[i+1:]
	}
	if hostPart == "" {
		if scheme == "file" {
			return scheme, "", nil
		}
		return "", "", errEmptyHost
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n > 65535 || strings.TrimLeft(port, "0123456789") != "" {
			return "", "", errInvalidPort
		}
	}
	host, err = parseHost(hostPart)
	return scheme, host, err
}

func validScheme(s string) bool {
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return true
}

func parseHost(h string) (string, error) {
	if strings.HasPrefix(h, "[") {
		if !validIPv6(h[1 : len(h)-1]) {
			return "", errInvalidIPv6
		}
		return h, nil
	}
	h = percentDecode(h)
	for _, r := range h {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(" #%/:<>?@[\\]^|", r) {
			return "", errDomainChar
		}
	}
	h = strings.ToLower(h)
	if h == "" {
		return "", errEmptyHost
	}
	if endsInNumber(h) && !validIPv4(h) {
		return "", errInvalidIPv4
	}
	return h, nil
}

func percentDecode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// endsInNumber is WHATWG's "ends in a number" test, which makes the host
// parse as IPv4.
func endsInNumber(h string) bool {
	parts := strings.Split(h, ".")
	if parts[len(parts)-1] == "" {
		if len(parts) == 1 {
			return false
		}
		parts = parts[:len(parts)-1]
	}
	last := parts[len(parts)-1]
	if last != "" && strings.Trim(last, "0123456789") == "" {
		return true
	}
	_, ok := ipv4Number(last)
	return ok && (strings.HasPrefix(last, "0x") || strings.HasPrefix(last, "0X"))
}

func validIPv4(h string) bool {
	parts := strings.Split(h, ".")
	if parts[len(parts)-1] == "" && len(parts) > 1 {
		parts = parts[:len(parts)-1]
	}
	if len(parts) > 4 {
		return false
	}
	for i, p := range parts {
		n, ok := ipv4Number(p)
		if !ok {
			return false
		}
		limit := uint64(255)
		if i == len(parts)-1 {
			limit = 1<<(8*(5-len(parts))) - 1
		}
		if n > limit {
			return false
		}
	}
	return true
}

// ipv4Number parses one IPv4 part: decimal, 0x hex or 0-prefixed octal.
func ipv4Number(p string) (uint64, bool) {
	if p == "" {
		return 0, false
	}
	base := 10
	switch {
	case len(p) >= 2 && (p[:2] == "0x" || p[:2] == "0X"):
		p, base = p[2:], 16
		if p == "" {
			return 0, true
		}
	case len(p) >= 2 && p[0] == '0':
		p, base = p[1:], 8
	}
	n, err := strconv.ParseUint(p, base, 64)
	return n, err == nil
}

// validIPv6 checks the text between brackets. WHATWG has no zones.
func validIPv6(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is6() && a.Zone() == ""
}

// endsWithTLD is Convex's ends_with_tld: localhost, or a host whose last
// label is a top-level domain. Convex checks the IANA list; this accepts
// any label of two or more ASCII letters, or an xn-- label.
func endsWithTLD(host string) bool {
	if host == "localhost" {
		return true
	}
	i := strings.LastIndexByte(host, '.')
	if i < 0 {
		return false
	}
	tld := host[i+1:]
	if strings.HasPrefix(tld, "xn--") && len(tld) > 4 {
		return true
	}
	return len(tld) >= 2 && strings.Trim(tld, "abcdefghijklmnopqrstuvwxyz") == ""
}
