package jwks

import (
	"encoding/base64"
	"fmt"
	"strings"
)

var rawURL = base64.RawURLEncoding.Strict()

// DecodeBase64URL decodes s as data_encoding's BASE64URL_NOPAD, the decoder
// Convex's JWT library uses for JWT segments and JWK members: the URL-safe
// alphabet, no padding, no whitespace, and zero trailing bits. The error
// names the first thing wrong, in words a user can act on.
func DecodeBase64URL(s string) ([]byte, error) {
	// encoding/base64 skips CR and LF even in strict mode; Convex does not.
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
		case c == '=':
			return nil, fmt.Errorf("has '=' padding at offset %d (base64url without padding is required)", i)
		case c == '+' || c == '/':
			return nil, fmt.Errorf("has %q at offset %d: that is standard base64, not base64url ('-' and '_')", c, i)
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			return nil, fmt.Errorf("has whitespace at offset %d", i)
		default:
			return nil, fmt.Errorf("has %s at offset %d, which is not a base64url character", quoteByte(c), i)
		}
	}
	if len(s)%4 == 1 {
		return nil, fmt.Errorf("has a length (%d) that no base64 text can have", len(s))
	}
	b, err := rawURL.DecodeString(s)
	if err != nil {
		// The alphabet and length are fine, so only the trailing bits remain.
		return nil, fmt.Errorf("has non-zero padding bits in its last character (not canonical base64url)")
	}
	return b, nil
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", rune(c))
	}
	return fmt.Sprintf("byte 0x%02X", c)
}

// DecodeForgivingBase64 is the WHATWG "forgiving-base64 decode" that data:
// URLs and atob use: ASCII whitespace is dropped, padding is optional, the
// standard alphabet is required and trailing bits are ignored.
func DecodeForgivingBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\f', '\r', ' ':
			return -1
		}
		return r
	}, s)
	if len(s)%4 == 0 {
		if strings.HasSuffix(s, "==") {
			s = s[:len(s)-2]
		} else if strings.HasSuffix(s, "=") {
			s = s[:len(s)-1]
		}
	}
	if len(s)%4 == 1 {
		return nil, fmt.Errorf("base64 text has an impossible length")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/') {
			return nil, fmt.Errorf("base64 text has %s at offset %d", quoteByte(c), i)
		}
	}
	return base64.RawStdEncoding.DecodeString(s)
}
