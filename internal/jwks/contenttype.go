package jwks

import (
	"errors"
	"fmt"
	"strings"
)

// Why a Content-Type is refused, for hints.
const (
	CTMissing    = "missing"    // no Content-Type header at all
	CTNotASCII   = "not-ascii"  // bytes outside visible ASCII: Convex cannot read the header
	CTUnparsable = "unparsable" // not a media type by the mime crate's grammar
	CTEssence    = "essence"    // a media type other than the two JSON ones
	CTCharset    = "charset"    // a charset other than utf-8
	CTOK         = ""           // accepted
)

// ContentType is the verdict on a JWKS response's Content-Type, reached
// exactly as fetch_jwks does (crates/authentication/src/lib.rs): the header
// must be present, readable as visible ASCII, parse as a media type with the
// Rust mime 0.3 crate, have the essence application/json or
// application/jwk-set+json (any case), and carry no charset or a utf-8 one
// (any case, quoted or not).
type ContentType struct {
	OK         bool
	Shown      string // the value as Convex prints it: the header, or "unknown"
	Essence    string // lower case, when it parsed
	Charset    string // lower case, when present
	HasCharset bool
	Problem    string // one of the CT* constants
	ParseError string // for CTUnparsable
}

// jwksMediaTypes are the essences fetch_jwks accepts; application/jwk-set+json
// was added on 2025-05-16 (commit 19e240ead, "used by WorkOS").
var jwksMediaTypes = []string{"application/json", "application/jwk-set+json"}

// CheckContentType judges the Content-Type header values of a response
// (http.Header.Values); like the http crate's HeaderMap::get, only the first
// one counts.
func CheckContentType(values []string) ContentType {
	if len(values) == 0 {
		return ContentType{Shown: "unknown", Problem: CTMissing}
	}
	v := values[0]
	for i := 0; i < len(v); i++ {
		if c := v[i]; !(c >= 0x20 && c < 0x7f || c == '\t') {
			return ContentType{Shown: "unknown", Problem: CTNotASCII}
		}
	}
	ct := ContentType{Shown: v}
	mt, err := parseMime(v)
	if err != nil {
		ct.Problem, ct.ParseError = CTUnparsable, err.Error()
		return ct
	}
	ct.Essence = mt.essence
	for _, p := range mt.params {
		if p.name == "charset" {
			ct.Charset, ct.HasCharset = p.value, true
			break
		}
	}
	essenceOK := false
	for _, want := range jwksMediaTypes {
		if strings.EqualFold(mt.essence, want) {
			essenceOK = true
		}
	}
	switch {
	case !essenceOK:
		ct.Problem = CTEssence
	case ct.HasCharset && ct.Charset != "utf-8":
		ct.Problem = CTCharset
	default:
		ct.OK = true
	}
	return ct
}

// ContentTypeMessage is Convex's error for a refused Content-Type.
func ContentTypeMessage(shown, url string) string {
	return fmt.Sprintf("Invalid Content-Type '%s' when fetching JWKS from '%s'. Expected 'application/json' or 'application/jwk-set+json'.", shown, url)
}

type mimeParam struct{ name, value string }

type mediaType struct {
	essence string
	params  []mimeParam
}

var errMissingSlash = errors.New("a slash (/) was missing between the type and subtype")

// parseMime follows mime 0.3's parser byte for byte, because its quirks
// decide what Convex accepts: no whitespace before ';', spaces (not tabs)
// allowed before a parameter name, quoted values without escapes, and names
// plus the charset value lower-cased.
func parseMime(s string) (mediaType, error) {
	if s == "*/*" {
		return mediaType{essence: s}, nil
	}
	invalid := func(i int) error {
		return fmt.Errorf("an invalid token was encountered, %X at position %d", s[i], i)
	}
	i, start := 0, 0
	for {
		if i >= len(s) {
			return mediaType{}, errMissingSlash
		}
		c := s[i]
		if isMimeToken(c) {
			i++
			continue
		}
		if c == '/' && i > 0 {
			start = i + 1
			i++
			break
		}
		return mediaType{}, invalid(i)
	}
	for {
		if i >= len(s) {
			return mediaType{essence: strings.ToLower(s)}, nil
		}
		c := s[i]
		if c == ';' && i > start {
			break
		}
		if !isMimeToken(c) {
			return mediaType{}, invalid(i)
		}
		i++
	}
	mt := mediaType{essence: strings.ToLower(s[:i])}
	i++
	start = i
params:
	for start < len(s) {
		var name string
		for {
			if i >= len(s) {
				return mediaType{}, errors.New("an equals sign (=) was missing between a parameter and its value")
			}
			c := s[i]
			switch {
			case c == ' ' && i == start:
				i++
				start = i
				continue params
			case isMimeToken(c):
				i++
				continue
			case c == '=' && i > start:
				name = strings.ToLower(s[start:i])
				i++
				start = i
			default:
				return mediaType{}, invalid(i)
			}
			break
		}
		var value string
		quoted := false
	value:
		for {
			if i >= len(s) {
				if quoted {
					return mediaType{}, errors.New("a quote (\") was missing from a parameter value")
				}
				value, start = s[start:], len(s)
				break
			}
			c := s[i]
			switch {
			case quoted && c == '"' && i > start:
				value = s[start:i]
				i++
				break value
			case quoted && c > 31 && c != 127:
			case quoted:
				return mediaType{}, invalid(i)
			case c == '"' && i == start:
				quoted = true
				start = i + 1
			case isMimeToken(c):
			case c == ';' && i > start:
				value = s[start:i]
				i++
				start = i
				break value
			default:
				return mediaType{}, invalid(i)
			}
			i++
		}
		if quoted {
			for {
				if i >= len(s) {
					start = len(s)
					break
				}
				c := s[i]
				i++
				if c == ';' {
					start = i
					break
				}
				if c != ' ' {
					return mediaType{}, invalid(i - 1)
				}
			}
		}
		if name == "charset" {
			value = strings.ToLower(value)
		}
		mt.params = append(mt.params, mimeParam{name: name, value: value})
	}
	return mt, nil
}

// isMimeToken is RFC 7230's tchar, the mime crate's TOKEN_MAP.
func isMimeToken(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
