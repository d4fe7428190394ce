package jwks

import (
	"strings"
)

// isDataURL reports whether Convex's fetch_jwks would treat u as a data: URL
// (the data_url crate's DataUrl::process succeeds): after trimming C0
// controls and spaces and dropping tabs and newlines, it starts with
// "data:" in any case and has a comma.
func isDataURL(u string) bool {
	_, ok := splitDataURL(u)
	return ok
}

type dataURL struct {
	mediaType string
	base64    bool
	body      string // still percent-encoded
}

func splitDataURL(u string) (dataURL, bool) {
	u = strings.TrimFunc(u, func(r rune) bool { return r <= 0x20 })
	u = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, u)
	if len(u) < 5 || !strings.EqualFold(u[:5], "data:") {
		return dataURL{}, false
	}
	rest := u[5:]
	comma := strings.IndexByte(rest, ',')
	if comma < 0 {
		return dataURL{}, false
	}
	d := dataURL{mediaType: rest[:comma], body: rest[comma+1:]}
	if hash := strings.IndexByte(d.body, '#'); hash >= 0 {
		d.body = d.body[:hash] // the fragment is not part of the data
	}
	mt := strings.TrimRight(d.mediaType, " ")
	if n := len(mt); n >= 6 && strings.EqualFold(mt[n-6:], "base64") {
		head := strings.TrimRight(mt[:n-6], " ")
		if strings.HasSuffix(head, ";") {
			d.base64 = true
			d.mediaType = head[:len(head)-1]
		}
	}
	return d, true
}

// decodeDataURL returns the bytes a data: URL holds. Only base64 bodies can
// fail, which Convex reports as "Invalid JWKS data URL".
func decodeDataURL(u string) ([]byte, error) {
	d, _ := splitDataURL(u)
	body := percentDecode(d.body)
	if !d.base64 {
		return body, nil
	}
	return DecodeForgivingBase64(string(body))
}

// percentDecode decodes %XX escapes and keeps malformed ones as they are,
// as the URL standard's percent-decode does.
func percentDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		out = append(out, s[i])
	}
	return out
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
