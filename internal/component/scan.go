package component

// The scanner reads TypeScript and JavaScript just far enough to find the
// component's wiring without running the app's code: identifiers, string
// literals and punctuation, with their positions. Comments are dropped so
// that a commented-out `app.use(workOSAuthKit)` does not count as wiring,
// and strings are kept whole so that a `//` inside a URL is not a comment.

type tokenKind int

const (
	tokIdent tokenKind = iota
	tokString
	tokPunct
)

type token struct {
	kind tokenKind
	text string // an identifier's name, a string's value, the punctuation
	line int
	col  int
}

// scan splits src into tokens. It never fails: unterminated strings and
// comments end at the end of the input, and unknown bytes are punctuation,
// since a file being edited must still be readable for a diagnosis.
func scan(src string) []token {
	var toks []token
	line, col := 1, 1
	i := 0
	advance := func(n int) {
		for k := 0; k < n && i < len(src); k++ {
			if src[i] == '\n' {
				line++
				col = 1
			} else {
				col++
			}
			i++
		}
	}
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\n' || c == ' ' || c == '\t' || c == '\r':
			advance(1)
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				advance(1)
			}
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			advance(2)
			for i < len(src) && !(src[i] == '*' && i+1 < len(src) && src[i+1] == '/') {
				advance(1)
			}
			advance(2)
		case c == '"' || c == '\'' || c == '`':
			l, cl := line, col
			advance(1)
			var val []byte
			for i < len(src) && src[i] != c {
				if src[i] == '\\' && i+1 < len(src) {
					val = append(val, src[i+1])
					advance(2)
					continue
				}
				if c != '`' && src[i] == '\n' {
					break // an unterminated quote ends with its line
				}
				val = append(val, src[i])
				advance(1)
			}
			advance(1)
			toks = append(toks, token{kind: tokString, text: string(val), line: l, col: cl})
		case isIdentStart(c):
			l, cl, start := line, col, i
			for i < len(src) && isIdentPart(src[i]) {
				advance(1)
			}
			toks = append(toks, token{kind: tokIdent, text: src[start:i], line: l, col: cl})
		default:
			toks = append(toks, token{kind: tokPunct, text: string(c), line: line, col: col})
			advance(1)
		}
	}
	return toks
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
}

func isIdentPart(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

// is reports whether toks[i] exists and is of kind with this text.
func is(toks []token, i int, kind tokenKind, text string) bool {
	return i >= 0 && i < len(toks) && toks[i].kind == kind && toks[i].text == text
}

// importsFrom returns the local names a module is imported under, with the
// import's token: `import x from "m"`, `import * as x from "m"`,
// `import {default as x} from "m"` and `const x = require("m")`. Named
// imports are returned too; callers match what they look for.
func importsFrom(toks []token, module func(string) bool) map[string]token {
	names := map[string]token{}
	for i, t := range toks {
		if t.kind == tokString && module(t.text) {
			switch {
			case is(toks, i-1, tokIdent, "from"):
				// Walk back to `import`, collecting the bound names: the
				// identifier after `as`, or one standing alone.
				for j := i - 2; j >= 0 && !is(toks, j, tokIdent, "import"); j-- {
					if toks[j].kind != tokIdent || toks[j].text == "type" || toks[j].text == "default" {
						continue
					}
					if is(toks, j+1, tokIdent, "as") {
						continue // the exported name; the local one follows `as`
					}
					names[toks[j].text] = toks[j]
				}
			case is(toks, i-1, tokPunct, "(") && is(toks, i-2, tokIdent, "require") && is(toks, i-3, tokPunct, "=") && i >= 4 && toks[i-4].kind == tokIdent:
				names[toks[i-4].text] = toks[i-4]
			}
		}
	}
	return names
}

// calls returns the tokens of `.method(` in toks: the method's name token.
func calls(toks []token, method string) []token {
	var out []token
	for i := range toks {
		if is(toks, i, tokIdent, method) && is(toks, i-1, tokPunct, ".") && is(toks, i+1, tokPunct, "(") {
			out = append(out, toks[i])
		}
	}
	return out
}

// stringList reads the array literal that starts at toks[i] (`[`): its
// string elements, and whether every element was a plain string, which is
// all the scanner can read without running code.
func stringList(toks []token, i int) (values []string, literal bool) {
	if !is(toks, i, tokPunct, "[") {
		return nil, false
	}
	literal = true
	for j := i + 1; j < len(toks); j++ {
		t := toks[j]
		switch {
		case t.kind == tokPunct && t.text == "]":
			return values, literal
		case t.kind == tokPunct && t.text == ",":
		case t.kind == tokString:
			values = append(values, t.text)
		case is(toks, j, tokIdent, "as") && is(toks, j+1, tokIdent, "const"):
			j++ // `"session.created" as const` is still that string
		default:
			// `...other`, a variable, a call: the list depends on code.
			literal = false
		}
	}
	return values, false
}
