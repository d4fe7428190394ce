// Package jsonpos parses JSON exactly as strictly as JavaScript's JSON.parse
// (RFC 8259 / ECMA-404) and remembers where every value and key came from,
// so that later checks on convex.json can point at `convex.json:LINE:COL`.
//
// The Convex CLI reads convex.json with JSON.parse, so anything this package
// accepts the CLI accepts too, and anything it rejects would make the CLI
// fail. Rejections carry a specific message and, where a fix is obvious, a
// hint, because the people reading them are editing a config file by hand.
//
// Deliberate differences from encoding/json, which is more lenient:
//   - Invalid UTF-8 is rejected everywhere, including inside strings. Node
//     decodes the file as UTF-8 before JSON.parse sees it, which silently
//     turns such bytes into U+FFFD; an error is more useful than that.
//   - Arrays and objects may nest at most 1000 levels deep (encoding/json
//     allows 10000), which is far beyond any real config and keeps hostile
//     input from costing deep recursion.
//
// Both agree that lone UTF-16 surrogate escapes such as "\ud800" are valid
// and decode them to U+FFFD: Go strings cannot hold a lone surrogate.
//
// Positions: a line ends at LF, so CR LF counts as one line break. A lone CR
// is whitespace but does not start a new line; no editor in use today
// writes classic Mac line endings, and treating CR as an ordinary character
// keeps columns consistent with the byte stream.
package jsonpos

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is the type of a JSON value.
type Kind int

// The kinds of JSON value.
const (
	Null Kind = iota
	Bool
	Number
	String
	Array
	Object
)

// String returns the JavaScript-ish name of the kind, as users know it from
// messages such as "expected a string, got a number".
func (k Kind) String() string {
	switch k {
	case Null:
		return "null"
	case Bool:
		return "boolean"
	case Number:
		return "number"
	case String:
		return "string"
	case Array:
		return "array"
	case Object:
		return "object"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Pos is a position in the source. Line and Column are 1-based; Column counts
// Unicode characters (runes) from the start of the line, a tab counting as one.
// Only LF ends a line, so CR LF is one line break and a lone CR is just one
// more column (see the package comment).
type Pos struct {
	Offset int // byte offset, 0-based
	Line   int
	Column int
}

// Value is a parsed JSON value and where it was found.
type Value struct {
	Kind    Kind
	Pos     Pos      // first character of the value
	End     Pos      // just after the value's last character
	Bool    bool     // for Bool
	Number  string   // literal text, for Number
	Str     string   // decoded text, for String
	Elems   []*Value // for Array
	Members []Member // for Object, in document order, duplicates kept
}

// Member is one key/value pair of an object.
type Member struct {
	Key    string
	KeyPos Pos // the key's opening quote
	Value  *Value
}

// Lookup returns the member that JSON.parse would keep for key: the last one.
// It returns false for a missing key or when v is not an object.
func (v *Value) Lookup(key string) (*Member, bool) {
	if v == nil || v.Kind != Object {
		return nil, false
	}
	for i := len(v.Members) - 1; i >= 0; i-- {
		if v.Members[i].Key == key {
			return &v.Members[i], true
		}
	}
	return nil, false
}

// Keys returns the distinct keys in first-appearance order, which is how
// JSON.parse orders them (apart from JavaScript listing integer-like keys
// first, which is ignored here).
func (v *Value) Keys() []string {
	if v == nil || v.Kind != Object || len(v.Members) == 0 {
		return nil
	}
	seen := make(map[string]struct{}, len(v.Members))
	keys := make([]string, 0, len(v.Members))
	for _, m := range v.Members {
		if _, dup := seen[m.Key]; !dup {
			seen[m.Key] = struct{}{}
			keys = append(keys, m.Key)
		}
	}
	return keys
}

// Duplicates returns, in document order, every member whose key appears
// again later in the same object: the occurrences JSON.parse silently drops.
func (v *Value) Duplicates() []Member {
	if v == nil || v.Kind != Object || len(v.Members) < 2 {
		return nil
	}
	last := make(map[string]int, len(v.Members))
	for i, m := range v.Members {
		last[m.Key] = i
	}
	var dups []Member
	for i, m := range v.Members {
		if last[m.Key] != i {
			dups = append(dups, m)
		}
	}
	return dups
}

// SyntaxError describes why the input is not valid JSON.
type SyntaxError struct {
	Pos  Pos
	Msg  string
	Hint string // how to fix it, or empty
}

func (e *SyntaxError) Error() string {
	return strconv.Itoa(e.Pos.Line) + ":" + strconv.Itoa(e.Pos.Column) + ": " + e.Msg
}

// maxDepth bounds nesting; see the package comment.
const maxDepth = 1000

const (
	hintUTF8      = "save the file with UTF-8 encoding"
	hintComment   = "convex.json is strict JSON, which has no comments; remove the comment"
	hintLowercase = "JSON literals are lowercase; write "
)

// Parse parses data as a single JSON value. The error is always a
// *SyntaxError.
func Parse(data []byte) (*Value, error) {
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		return nil, &SyntaxError{
			Pos:  Pos{Offset: 0, Line: 1, Column: 1},
			Msg:  "the file starts with a UTF-8 byte order mark (U+FEFF), which JSON does not allow",
			Hint: "save the file as UTF-8 without BOM",
		}
	}
	// Checking the encoding up front, rather than while scanning, reports
	// the first bad byte even when a syntax error comes before it: with the
	// wrong encoding, the syntax error is usually a symptom.
	if !utf8.Valid(data) {
		off := firstInvalidUTF8(data)
		return nil, &SyntaxError{
			Pos:  slowPos(data, off),
			Msg:  fmt.Sprintf("invalid UTF-8 byte 0x%02X", data[off]),
			Hint: hintUTF8,
		}
	}

	p := &parser{data: data, src: string(data), line: 1}
	p.skipSpace()
	if p.off == len(data) {
		return nil, &SyntaxError{
			Pos: Pos{Offset: 0, Line: 1, Column: 1},
			Msg: "unexpected end of input: the file is empty",
		}
	}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.off < len(data) {
		hint := fmt.Sprintf("a JSON file holds a single value, which ends at %d:%d; remove what follows it", v.End.Line, v.End.Column)
		if c := data[p.off]; c == '}' || c == ']' {
			hint = fmt.Sprintf("there is one '%c' too many; remove it", c)
		}
		return nil, p.unexpected("unexpected data after the top-level value", hint)
	}
	return v, nil
}

// parser holds the scanning state. Line tracking is incremental: only
// whitespace can contain LF in valid JSON, so skipSpace is the one place
// that moves to a new line.
type parser struct {
	data []byte
	// src is data copied once into a string, so that strings without
	// escapes and number literals are substrings of it rather than one
	// allocation each.
	src string
	off int

	line      int
	lineStart int // offset of the first byte of the current line
	// colOff and col cache the last computed column on the current line so
	// that a long single-line (minified) file does not recount runes from
	// the start of the line for every value.
	colOff, col int

	// slab hands out Values in chunks, cutting one allocation per value to
	// one per chunk. A retained Value keeps its chunk alive, which costs
	// nothing in practice: callers keep or drop the tree as a whole.
	slab  []Value
	chunk int // size of the last chunk
	// elems and members are shared stacks for the children of the arrays and
	// objects being parsed; a finished container copies its children into
	// an exactly sized slice, so no per-container append garbage remains.
	elems   []*Value
	members []Member
	// buf is scratch space for strings with escapes.
	buf []byte
	// open lists the arrays and objects being parsed, for "not closed"
	// hints at end of input.
	open []*Value
}

// pos returns the position of byte offset off, which must not lie beyond
// the current line.
func (p *parser) pos(off int) Pos {
	if off < p.lineStart {
		return slowPos(p.data, off)
	}
	from, col := p.lineStart, 1
	if p.colOff >= p.lineStart && p.colOff <= off && p.col > 0 {
		from, col = p.colOff, p.col
	}
	col += utf8.RuneCount(p.data[from:off])
	p.colOff, p.col = off, col
	return Pos{Offset: off, Line: p.line, Column: col}
}

// slowPos recounts from the start of data; it serves error paths that do
// not know the line.
func slowPos(data []byte, off int) Pos {
	line, start := 1, 0
	for i := 0; i < off; i++ {
		if data[i] == '\n' {
			line++
			start = i + 1
		}
	}
	return Pos{Offset: off, Line: line, Column: 1 + utf8.RuneCount(data[start:off])}
}

func firstInvalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(data)
}

func (p *parser) skipSpace() {
	for p.off < len(p.data) {
		switch p.data[p.off] {
		case ' ', '\t', '\r':
			p.off++
		case '\n':
			p.off++
			p.line++
			p.lineStart = p.off
		default:
			return
		}
	}
}

func (p *parser) newValue(k Kind, start Pos) *Value {
	if len(p.slab) == 0 {
		// Grow chunks so tiny documents stay cheap and big ones need few
		// allocations.
		p.chunk = min(max(2*p.chunk, 16), 1024)
		p.slab = make([]Value, p.chunk)
	}
	v := &p.slab[0]
	p.slab = p.slab[1:]
	v.Kind = k
	v.Pos = start
	return v
}

func (p *parser) errAt(pos Pos, msg, hint string) error {
	return &SyntaxError{Pos: pos, Msg: msg, Hint: hint}
}

// unexpected reports the token at the current offset. A comment is the most
// likely thing to be found where a token was expected, so it gets its own
// message wherever it appears.
func (p *parser) unexpected(msg, hint string) error {
	if p.off+1 < len(p.data) && p.data[p.off] == '/' {
		if c := p.data[p.off+1]; c == '/' || c == '*' {
			return p.errAt(p.pos(p.off), "comments are not allowed in JSON", hintComment)
		}
	}
	if p.off >= len(p.data) {
		return p.eof(msg)
	}
	if h := charHint(p.data[p.off:]); h != "" {
		hint = h
	}
	return p.errAt(p.pos(p.off), msg, hint)
}

// eof reports the end of input inside a value, naming the innermost
// unclosed array or object.
func (p *parser) eof(expected string) error {
	hint := ""
	if n := len(p.open); n > 0 {
		o := p.open[n-1]
		closer := '}'
		if o.Kind == Array {
			closer = ']'
		}
		hint = fmt.Sprintf("the %s opened at %d:%d is not closed with '%c'", o.Kind, o.Pos.Line, o.Pos.Column, closer)
	}
	return p.errAt(p.pos(p.off), "unexpected end of input: "+expected, hint)
}

// found describes the character at the current offset for messages.
func (p *parser) found() string {
	if p.off >= len(p.data) {
		return "end of input"
	}
	r, _ := utf8.DecodeRune(p.data[p.off:])
	return describeRune(r)
}

func describeRune(r rune) string {
	switch {
	case r == '\'':
		return `"'"`
	case r < utf8.RuneSelf && strconv.IsPrint(r):
		return "'" + string(r) + "'"
	case r >= utf8.RuneSelf && unicode.IsGraphic(r) && !unicode.IsSpace(r):
		return fmt.Sprintf("'%c' (U+%04X)", r, r)
	}
	return fmt.Sprintf("U+%04X", r)
}

// charHint recognises characters that commonly sneak in from word
// processors and web pages.
func charHint(b []byte) string {
	r, _ := utf8.DecodeRune(b)
	switch r {
	case '\u201C', '\u201D', '\u201E', '\u2018', '\u2019':
		return "replace typographic quotes with straight double quotes (\")"
	case '\uFEFF', '\u200B', '\f', '\v':
		return "only space, tab, line feed and carriage return are whitespace in JSON; delete this character"
	}
	if r >= utf8.RuneSelf && unicode.IsSpace(r) {
		return "only space, tab, line feed and carriage return are whitespace in JSON; delete this character"
	}
	return ""
}

// value parses the value at the current offset; depth counts the arrays and
// objects around it.
func (p *parser) value(depth int) (*Value, error) {
	if p.off >= len(p.data) {
		return nil, p.eof("expected a value")
	}
	switch c := p.data[p.off]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		start := p.pos(p.off)
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		v := p.newValue(String, start)
		v.Str = s
		v.End = p.pos(p.off)
		return v, nil
	case c == '-' || isDigit(c):
		return p.number()
	case isWordStart(c):
		return p.literal()
	case c == '\'':
		return nil, p.errAt(p.pos(p.off), "strings must be double-quoted; single quotes are not allowed in JSON", "replace the single quotes with double quotes (\")")
	case c == '+':
		return nil, p.errAt(p.pos(p.off), fmt.Sprintf("invalid number %q: numbers cannot start with '+'", p.wordAt(p.off)), "remove the '+'")
	case c == '.' && p.off+1 < len(p.data) && isDigit(p.data[p.off+1]):
		w := p.wordAt(p.off)
		return nil, p.errAt(p.pos(p.off), fmt.Sprintf("invalid number %q: numbers need a digit before the decimal point", w), "write 0"+w)
	}
	return nil, p.unexpected("expected a value, found "+p.found(), "")
}

func (p *parser) object(depth int) (*Value, error) {
	v := p.newValue(Object, p.pos(p.off))
	if depth > maxDepth {
		return nil, p.errAt(v.Pos, fmt.Sprintf("nesting too deep: more than %d levels of arrays and objects", maxDepth), "")
	}
	p.off++
	p.open = append(p.open, v)
	base := len(p.members)
	p.skipSpace()
	if p.off < len(p.data) && p.data[p.off] == '}' {
		return p.closeObject(v, base), nil
	}
	for {
		if p.off >= len(p.data) {
			return nil, p.eof("expected an object key")
		}
		if p.data[p.off] != '"' {
			return nil, p.badKey()
		}
		keyPos := p.pos(p.off)
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.off >= len(p.data) {
			return nil, p.eof("expected ':' after object key")
		}
		if p.data[p.off] != ':' {
			hint := "add ':' between the key and its value"
			if p.data[p.off] == '=' {
				hint = "use ':' instead of '=' between a key and its value"
			}
			return nil, p.unexpected("expected ':' after object key", hint)
		}
		p.off++
		p.skipSpace()
		elem, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		p.members = append(p.members, Member{Key: key, KeyPos: keyPos, Value: elem})
		p.skipSpace()
		if p.off >= len(p.data) {
			return nil, p.eof("expected ',' or '}' after object member")
		}
		switch p.data[p.off] {
		case '}':
			return p.closeObject(v, base), nil
		case ',':
			comma := p.pos(p.off)
			p.off++
			p.skipSpace()
			if p.off < len(p.data) && p.data[p.off] == '}' {
				return nil, p.errAt(comma, "trailing comma is not allowed in JSON", "remove the ',' after the last member")
			}
		default:
			return nil, p.unexpected("expected ',' or '}' after object member", p.missingComma(v, '}', "members"))
		}
	}
}

func (p *parser) closeObject(v *Value, base int) *Value {
	p.off++
	if n := len(p.members) - base; n > 0 {
		v.Members = make([]Member, n)
		copy(v.Members, p.members[base:])
		clear(p.members[base:]) // let the collector reclaim abandoned trees
		p.members = p.members[:base]
	}
	v.End = p.pos(p.off)
	p.open = p.open[:len(p.open)-1]
	return v
}

func (p *parser) array(depth int) (*Value, error) {
	v := p.newValue(Array, p.pos(p.off))
	if depth > maxDepth {
		return nil, p.errAt(v.Pos, fmt.Sprintf("nesting too deep: more than %d levels of arrays and objects", maxDepth), "")
	}
	p.off++
	p.open = append(p.open, v)
	base := len(p.elems)
	p.skipSpace()
	if p.off < len(p.data) && p.data[p.off] == ']' {
		return p.closeArray(v, base), nil
	}
	for {
		elem, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		p.elems = append(p.elems, elem)
		p.skipSpace()
		if p.off >= len(p.data) {
			return nil, p.eof("expected ',' or ']' after array element")
		}
		switch p.data[p.off] {
		case ']':
			return p.closeArray(v, base), nil
		case ',':
			comma := p.pos(p.off)
			p.off++
			p.skipSpace()
			if p.off < len(p.data) && p.data[p.off] == ']' {
				return nil, p.errAt(comma, "trailing comma is not allowed in JSON", "remove the ',' after the last element")
			}
		default:
			return nil, p.unexpected("expected ',' or ']' after array element", p.missingComma(v, ']', "elements"))
		}
	}
}

func (p *parser) closeArray(v *Value, base int) *Value {
	p.off++
	if n := len(p.elems) - base; n > 0 {
		v.Elems = make([]*Value, n)
		copy(v.Elems, p.elems[base:])
		clear(p.elems[base:])
		p.elems = p.elems[:base]
	}
	v.End = p.pos(p.off)
	p.open = p.open[:len(p.open)-1]
	return v
}

// missingComma explains a token found where ',' or the closer of v was
// expected.
func (p *parser) missingComma(v *Value, closer byte, what string) string {
	c := p.data[p.off]
	switch {
	case c == '}' || c == ']':
		return fmt.Sprintf("the %s opened at %d:%d must be closed with '%c'", v.Kind, v.Pos.Line, v.Pos.Column, closer)
	case c == '"' || c == '{' || c == '[' || c == '-' || isDigit(c) || isWordStart(c):
		return "add a ',' between the " + what
	}
	return "found " + p.found()
}

// badKey reports a token other than '"' where an object key belongs.
func (p *parser) badKey() error {
	c := p.data[p.off]
	switch {
	case c == '\'':
		return p.errAt(p.pos(p.off), "strings must be double-quoted; single quotes are not allowed in JSON", "replace the single quotes with double quotes (\")")
	case isWordStart(c) || isDigit(c):
		w := p.wordAt(p.off)
		return p.errAt(p.pos(p.off), "object keys must be double-quoted strings", "write "+strconv.Quote(w))
	}
	return p.unexpected("expected a double-quoted object key, found "+p.found(), "")
}

// str parses the string whose opening quote is at the current offset.
func (p *parser) str() (string, error) {
	quote := p.off
	i := quote + 1
	i = p.skipPlain(i)
	// Most strings in a config file have no escapes and can be sliced out
	// of src as they are.
	if i < len(p.data) && p.data[i] == '"' {
		p.off = i + 1
		return p.src[quote+1 : i], nil
	}
	buf := append(p.buf[:0], p.data[quote+1:i]...)
	for {
		if i >= len(p.data) {
			return "", p.unterminated(quote)
		}
		c := p.data[i]
		switch {
		case c == '"':
			p.off = i + 1
			p.buf = buf
			return string(buf), nil
		case c < 0x20:
			return "", p.controlChar(quote, i)
		case c != '\\':
			j := p.skipPlain(i + 1)
			buf = append(buf, p.data[i:j]...)
			i = j
			continue
		}
		if i+1 >= len(p.data) {
			return "", p.unterminated(quote)
		}
		switch e := p.data[i+1]; e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := hex4(p.data[i+2:])
			if !ok {
				return "", p.errAt(p.pos(i), "invalid \\u escape in string: \\u must be followed by exactly 4 hexadecimal digits", `write e.g. \u00e9 for "é"`)
			}
			i += 6
			if utf16IsHigh(r) && i+1 < len(p.data) && p.data[i] == '\\' && p.data[i+1] == 'u' {
				if lo, ok := hex4(p.data[i+2:]); ok && utf16IsLow(lo) {
					r = (r-0xD800)<<10 + (lo - 0xDC00) + 0x10000
					i += 6
				}
			}
			// A surrogate left unpaired here is one JSON.parse keeps as a
			// lone UTF-16 unit; a Go string cannot, so it becomes U+FFFD,
			// as encoding/json does too.
			if utf16IsHigh(r) || utf16IsLow(r) {
				r = utf8.RuneError
			}
			buf = utf8.AppendRune(buf, r)
			continue
		default:
			if e < 0x20 {
				return "", p.controlChar(quote, i+1)
			}
			r, _ := utf8.DecodeRune(p.data[i+1:])
			return "", p.errAt(p.pos(i), fmt.Sprintf("invalid escape sequence \\%c in string", r),
				`valid escapes are \" \\ \/ \b \f \n \r \t and \uXXXX; write \\ for a literal backslash`)
		}
		i += 2
	}
}

// plain marks the bytes that stand for themselves inside a string; a
// table lookup per byte is the cheapest test in the hot loop.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// skipPlain returns the offset of the first byte at or after i that ends a
// run of plain string bytes.
func (p *parser) skipPlain(i int) int {
	for i < len(p.data) && plain[p.data[i]] {
		i++
	}
	return i
}

func (p *parser) unterminated(quote int) error {
	return p.errAt(p.pos(quote), "unterminated string", "add the closing '\"'")
}

func (p *parser) controlChar(quote, at int) error {
	c := p.data[at]
	var esc string
	switch c {
	case '\b':
		esc = `\b`
	case '\t':
		esc = `\t`
	case '\n':
		esc = `\n`
	case '\f':
		esc = `\f`
	case '\r':
		esc = `\r`
	default:
		esc = fmt.Sprintf(`\u%04x`, c)
	}
	hint := ""
	if c == '\n' || c == '\r' {
		q := p.pos(quote)
		hint = fmt.Sprintf("strings cannot span lines: close the string opened at %d:%d with '\"', or write the line break as %s", q.Line, q.Column, esc)
	}
	return p.errAt(p.pos(at), fmt.Sprintf("control character U+%04X in string; escape it as %s", c, esc), hint)
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, true
}

func utf16IsHigh(r rune) bool { return 0xD800 <= r && r < 0xDC00 }
func utf16IsLow(r rune) bool  { return 0xDC00 <= r && r < 0xE000 }

// number parses -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?.
func (p *parser) number() (*Value, error) {
	start := p.off
	i := start
	d := p.data
	if d[i] == '-' {
		i++
		if i < len(d) && d[i] == 'I' && p.wordAt(i) == "Infinity" {
			return nil, p.errAt(p.pos(start), "-Infinity is not allowed in JSON", "use null, a string, or a finite number")
		}
		if i >= len(d) || !isDigit(d[i]) {
			return nil, p.badNumber(start, "expected a digit after '-'", "")
		}
	}
	if d[i] == '0' {
		i++
		if i < len(d) && isDigit(d[i]) {
			return nil, p.badNumber(start, "leading zeros are not allowed", "remove the leading zeros, or use a string if they matter")
		}
	} else {
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || !isDigit(d[i]) {
			return nil, p.badNumber(start, "expected a digit after the decimal point", "add a digit after the '.', or remove it")
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || !isDigit(d[i]) {
			return nil, p.badNumber(start, "expected a digit in the exponent", "write the exponent's digits, e.g. 1e3, or remove the 'e'")
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	// "1.5.3", "12px" or "0x1F" would otherwise be reported as a missing
	// comma after a valid prefix, which misleads.
	if i < len(d) && isNumberByte(d[i]) {
		w := p.wordAt(start)
		if strings.HasPrefix(w, "0x") || strings.HasPrefix(w, "0X") || strings.HasPrefix(w, "-0x") || strings.HasPrefix(w, "-0X") {
			return nil, p.badNumber(start, "hexadecimal numbers are not allowed in JSON", "write the number in decimal")
		}
		return nil, p.badNumber(start, "not a JSON number", "")
	}
	v := p.newValue(Number, p.pos(start))
	v.Number = p.src[start:i]
	p.off = i
	v.End = p.pos(i)
	return v, nil
}

func (p *parser) badNumber(start int, why, hint string) error {
	return p.errAt(p.pos(start), fmt.Sprintf("invalid number %q: %s", p.wordAt(start), why), hint)
}

// literal parses true, false or null, and explains the words people write
// instead.
func (p *parser) literal() (*Value, error) {
	start := p.off
	w := p.wordAt(start)
	end := start + len(w)
	var v *Value
	switch w {
	case "true", "false":
		v = p.newValue(Bool, p.pos(start))
		v.Bool = w == "true"
	case "null":
		v = p.newValue(Null, p.pos(start))
	}
	if v != nil {
		p.off = end
		v.End = p.pos(end)
		return v, nil
	}
	at := p.pos(start)
	switch w {
	case "NaN", "Infinity":
		return nil, p.errAt(at, w+" is not allowed in JSON", "use null, a string, or a finite number")
	case "undefined":
		return nil, p.errAt(at, "undefined is not allowed in JSON", "use null, or remove the member")
	case "None", "nil", "Nil", "NIL", "none":
		return nil, p.errAt(at, fmt.Sprintf("invalid literal %q", w), "JSON writes an empty value as null")
	}
	msg := fmt.Sprintf("invalid literal %q", w)
	for _, lit := range [...]string{"true", "false", "null"} {
		if strings.EqualFold(w, lit) {
			return nil, p.errAt(at, msg, hintLowercase+lit)
		}
		if strings.HasPrefix(lit, w) || strings.HasPrefix(w, lit) {
			return nil, p.errAt(at, msg, "did you mean "+lit+"?")
		}
	}
	return nil, p.errAt(at, fmt.Sprintf("unexpected word %q", w), "strings must be double-quoted: write "+strconv.Quote(w))
}

// wordAt returns the run of identifier or number characters at off, to
// quote the offending token in messages. It is cut short so that a
// minified file does not produce a megabyte-long message.
func (p *parser) wordAt(off int) string {
	const maxWord = 40
	end := off
	for end < len(p.data) && end-off < maxWord && (isWordByte(p.data[end]) || isNumberByte(p.data[end])) {
		end++
	}
	return p.src[off:end]
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isWordStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == '$'
}

func isWordByte(c byte) bool { return isWordStart(c) || isDigit(c) }

// isNumberByte reports bytes that, directly after a number, mean the author
// meant them as part of it.
func isNumberByte(c byte) bool {
	return isWordByte(c) || c == '.' || c == '+' || c == '-'
}
