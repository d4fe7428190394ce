package initcmd

import "strings"

// VitePort finds `server: { port: N }` in a Vite config file (JavaScript or
// TypeScript) without running it: it tokenises the source, skipping
// comments and strings, and takes the first integer literal given to a
// `port` key directly inside a `server` object. Ports nested deeper
// (server.hmr.port) and computed ports (Number(process.env.PORT)) are not
// the dev server's literal port, so they do not count.
func VitePort(src string) (int, bool) {
	toks := tokenize(src)
	for i := 0; i+2 < len(toks); i++ {
		if !toks[i].isKey("server") || !toks[i+1].is(':') || !toks[i+2].is('{') {
			continue
		}
		depth := 0
		for j := i + 2; j < len(toks); j++ {
			t := toks[j]
			switch {
			case t.is('{') || t.is('[') || t.is('('):
				depth++
			case t.is('}') || t.is(']') || t.is(')'):
				depth--
			case depth == 1 && t.isKey("port") && j+3 < len(toks) && toks[j+1].is(':') &&
				toks[j+2].kind == tokNumber && (toks[j+3].is(',') || toks[j+3].is('}')):
				if port, ok := parsePort(toks[j+2].text); ok {
					return port, true
				}
			}
			if depth == 0 {
				break
			}
		}
	}
	return 0, false
}

type tokKind int

const (
	tokPunct tokKind = iota
	tokIdent
	tokString
	tokNumber
)

type token struct {
	kind tokKind
	text string // the identifier, number, punctuation, or string content
}

func (t token) is(c byte) bool { return t.kind == tokPunct && t.text == string(c) }

// isKey matches an object key written bare or quoted.
func (t token) isKey(name string) bool {
	return (t.kind == tokIdent || t.kind == tokString) && t.text == name
}

// tokenize splits JavaScript into identifiers, numbers, strings and single
// punctuation characters. It does not know regular expression literals; a
// quote inside one can only make VitePort miss a port, never invent one in
// a place that is not `server: { port: N }`.
func tokenize(src string) []token {
	var toks []token
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return toks
			}
			i += 2 + end + 2
		case c == '"' || c == '\'' || c == '`':
			j := i + 1
			for j < len(src) && src[j] != c {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			toks = append(toks, token{tokString, src[i+1 : min(j, len(src))]})
			i = j + 1
		case isIdentByte(c):
			j := i
			for j < len(src) && (isIdentByte(src[j]) || isDigitByte(src[j])) {
				j++
			}
			toks = append(toks, token{tokIdent, src[i:j]})
			i = j
		case isDigitByte(c):
			j := i
			for j < len(src) && (isDigitByte(src[j]) || isIdentByte(src[j]) || src[j] == '.') {
				j++
			}
			toks = append(toks, token{tokNumber, src[i:j]})
			i = j
		default:
			toks = append(toks, token{tokPunct, src[i : i+1]})
			i++
		}
	}
	return toks
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80
}

func isDigitByte(c byte) bool { return '0' <= c && c <= '9' }
