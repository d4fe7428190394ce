package dotenv

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// statement is what the scanner learns about one assignment. Offsets index
// the CRLF-normalised text.
type statement struct {
	key      string
	raw      string // value text before variable expansion
	quote    byte
	exported bool
	bare     bool // no separator: the value of the empty key
	start    int  // offset of the first byte of the statement
	value    int  // offset where the value text starts
	end      int  // offset just past the statement: its line end, or after its closing quote
	line     int
	endLine  int
}

// scanner finds statement boundaries following godotenv v1.5.1's parser
// (parser.go) rule for rule, including its oddities: whenever the two
// disagree, the line numbers shown to users are wrong. Each rule below
// notes the godotenv behaviour it reproduces.
type scanner struct {
	name string
	src  []byte

	// Lines are counted incrementally: offsets only move forward.
	counted int // src[:counted] has been counted
	lines   int // number of '\n' in src[:counted]
}

// scan returns the statements of src, which must already be normalised.
func scan(name string, src []byte) ([]statement, *ParseError) {
	s := &scanner{name: name, src: src}
	var out []statement
	pos := 0
	for {
		start, ok := s.nextStatement(pos)
		if !ok {
			return out, nil
		}
		st, err := s.statement(start)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
		pos = st.end
	}
}

// lineAt returns the 1-based line of the byte at off.
func (s *scanner) lineAt(off int) int {
	if off < s.counted {
		s.counted, s.lines = 0, 0
	}
	s.lines += bytes.Count(s.src[s.counted:off], []byte{'\n'})
	s.counted = off
	return s.lines + 1
}

func (s *scanner) fail(line int, reason string) *ParseError {
	return &ParseError{File: s.name, Line: line, Reason: reason}
}

// nextStatement skips whitespace and comment lines from pos. Like godotenv,
// it decodes runes and skips everything unicode.IsSpace accepts (so U+3000
// or U+2028 count as blank), and a '#' starts a comment only here, at the
// start of a statement. A comment runs to '\n'; a lone '\r' does not end it.
func (s *scanner) nextStatement(pos int) (int, bool) {
	for {
		i := bytes.IndexFunc(s.src[pos:], func(r rune) bool { return !unicode.IsSpace(r) })
		if i < 0 {
			return 0, false
		}
		pos += i
		if s.src[pos] != '#' {
			return pos, true
		}
		j := bytes.IndexByte(s.src[pos:], '\n')
		if j < 0 {
			return 0, false
		}
		pos += j
	}
}

// statement reads the statement starting at start, which is neither blank
// nor a comment.
func (s *scanner) statement(start int) (statement, *ParseError) {
	st := statement{start: start, line: s.lineAt(start)}

	// "export" is a prefix only when a blank follows it; "exportFOO=1" and
	// "export=1" assign to variables of those names.
	k := start
	if rest, ok := bytes.CutPrefix(s.src[start:], []byte("export")); ok {
		if r, _ := utf8.DecodeRune(rest); len(rest) > 0 && isBlank(r) {
			st.exported = true
			k = len(s.src) - len(bytes.TrimLeftFunc(rest, isBlank))
		}
	}

	// godotenv looks for the separator one byte at a time, so a '\n'
	// before it is an error rather than the end of the statement.
	sep := -1
	for i := k; i < len(s.src) && sep < 0; i++ {
		switch b := s.src[i]; {
		case b == '=' || b == ':':
			sep = i
		case isKeyByte(b):
			// still in the key
		case b != '\n' && start == 0 && bytes.HasPrefix(s.src, []byte("\ufeff")):
			// Editors on Windows add it; "invalid character" alone would
			// send the user looking for a character they cannot see.
			return st, s.fail(st.line, reasonBOM)
		case b != '\n':
			return st, s.fail(st.line, reasonBadKeyChar)
		case st.exported && i == k:
			return st, s.fail(st.line, reasonExportNoName)
		default:
			return st, s.fail(st.line, reasonNoSeparator)
		}
	}

	valueStart := k
	switch {
	case sep >= 0:
		st.key = strings.TrimRightFunc(string(s.src[k:sep]), unicode.IsSpace)
		valueStart = sep + 1
	case k == len(s.src):
		return st, s.fail(st.line, reasonExportNoName)
	default:
		// Text without a separator that runs to the end of the file is not
		// an error in godotenv, because the key loop skips '\r' as a blank:
		// the text becomes the value of the empty key, up to the first '\r'
		// if any, and whatever follows that '\r' is another statement.
		st.bare = true
	}
	v := len(s.src) - len(bytes.TrimLeftFunc(s.src[valueStart:], isBlank))
	st.value = v

	if v < len(s.src) && (s.src[v] == '"' || s.src[v] == '\'') {
		q := s.src[v]
		end := closingQuote(s.src, v)
		if end < 0 {
			return st, s.fail(st.line, reasonUnterminated)
		}
		// godotenv strips every quote character from both ends of the
		// quoted text, so a value ending in an escaped quote loses it:
		// "a\"" reads as a\.
		isQuote := func(r rune) bool { return r == rune(q) }
		st.raw = string(bytes.TrimLeftFunc(bytes.TrimRightFunc(s.src[v:end], isQuote), isQuote))
		st.quote = q
		// Whatever follows the closing quote is scanned as a new
		// statement, even on the same line.
		st.end = end + 1
		st.endLine = s.lineAt(end)
		return st, nil
	}

	// An unquoted value ends at '\n' or at a lone '\r'.
	end := len(s.src)
	if i := bytes.IndexAny(s.src[v:], "\r\n"); i >= 0 {
		end = v + i
	}
	st.raw = unquotedRaw(s.src[v:end])
	st.end = end
	st.endLine = st.line
	return st, nil
}

// closingQuote returns the offset of the quote that closes the one at open,
// or -1. A quote preceded by a backslash never closes, even when that
// backslash is itself escaped ("a\\" does not end at its last quote).
func closingQuote(src []byte, open int) int {
	q := src[open]
	for i := open + 1; i < len(src); i++ {
		j := bytes.IndexByte(src[i:], q)
		if j < 0 {
			return -1
		}
		i += j
		if src[i-1] != '\\' {
			return i
		}
	}
	return -1
}

// unquotedRaw returns an unquoted value as godotenv has it just before
// expanding variables. A comment starts at a '#' that follows a blank, and
// godotenv searches from the end of the line, so the value runs up to the
// last " #" rather than the first.
func unquotedRaw(line []byte) string {
	runes := []rune(string(line))
	cut := len(runes)
	for i := len(runes) - 1; i > 0; i-- {
		if runes[i] == '#' && isBlank(runes[i-1]) {
			cut = i
			break
		}
	}
	return strings.TrimFunc(string(runes[:cut]), isBlank)
}

// isBlank is godotenv's notion of a space that does not end a line. It
// includes '\r', and U+0085 (NEL) even though Unicode calls that a line
// break.
func isBlank(r rune) bool {
	switch r {
	case '\t', '\v', '\f', '\r', ' ', 0x85, 0xA0:
		return true
	}
	return false
}

// isKeyByte reports whether godotenv lets b appear before the separator.
// godotenv widens each byte to a rune on its own, so the bytes of a UTF-8
// character are judged as if they were Latin-1: "É" (C3 89) is rejected
// because 0x89 is a control character, while "à" (C3 A0) passes because
// 0xA0 is a no-break space. Blanks are allowed anywhere in the key and only
// trailing ones are trimmed, so "A B=1" assigns to "A B".
func isKeyByte(b byte) bool {
	r := rune(b)
	return isBlank(r) || b == '_' || b == '.' || unicode.IsLetter(r) || unicode.IsNumber(r)
}
