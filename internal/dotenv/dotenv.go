// Package dotenv reads .env files the way npm dotenv 16.6.1 does (the
// reader of the Convex CLI, and under @next/env and Vite's loadEnv the
// reader of Next.js and Vite), and adds what dotenv does not offer: the
// line each value came from, so a resolved placeholder can be traced to
// ".env.local:12", and errors that name a file and line without quoting
// the file, which holds secrets.
//
// npm dotenv's grammar is one regular expression applied over and over:
// what it does not match (a line without '=', a name with a character
// outside [A-Za-z0-9_.-]) is skipped rather than refused, and nothing is
// expanded. Merge writes files that github.com/joho/godotenv, which Go
// tools use, reads the same way too.
package dotenv

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/convex-authkit/convex-authkit/internal/safefile"
)

// MaxSize is the largest file Load accepts. Real dotenv files are a few
// kilobytes; anything this big is a mistake (a build artefact, a log), and
// reading it whole would only waste memory.
const MaxSize = 1 << 20

// Entry is one assignment in a dotenv file.
type Entry struct {
	Key      string
	Value    string // the value as npm dotenv reads it
	Line     int    // 1-based line of the name
	EndLine  int    // line where the value ends (multi-line quoted values)
	Exported bool   // written as `export KEY=...`
	Quote    byte   // 0, '\'', '"' or '`' (how the value was written)
}

// Expands reports whether the value has a '$' that dotenv-expand, which
// Vite and Next.js run after npm dotenv, may treat as a variable
// reference. npm dotenv itself, the Convex CLI and this tool keep it
// literally, so such a value may mean different things to the app and to
// them. Single quotes stop dotenv-expand.
func (e Entry) Expands() bool {
	return e.Quote != '\'' && strings.Contains(e.Value, "$")
}

// File is the content of one dotenv file.
type File struct {
	Name    string  // display name, e.g. ".env.local"
	Entries []Entry // in file order, duplicates kept
	// Data is the file's content, as Parse was given it.
	Data []byte

	stmts []statement
	orig  func(int) int
}

// Lookup returns the entry npm dotenv keeps for key (the last assignment).
func (f *File) Lookup(key string) (Entry, bool) {
	for i := len(f.Entries) - 1; i >= 0; i-- {
		if f.Entries[i].Key == key {
			return f.Entries[i], true
		}
	}
	return Entry{}, false
}

// Values returns key -> value as npm dotenv would.
func (f *File) Values() map[string]string {
	m := make(map[string]string, len(f.Entries))
	for _, e := range f.Entries {
		m[e.Key] = e.Value
	}
	return m
}

// The reasons a ParseError may give. They are fixed strings so that no byte
// of the file can ever reach an error message.
const (
	reasonNotUTF8 = "the file is not UTF-8 text (npm dotenv would read the bad bytes as U+FFFD); save it as UTF-8"
)

// ParseError names a file and line, never the content.
type ParseError struct {
	File   string
	Line   int // 0 when the line is unknown
	Reason string
}

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Reason)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
}

// jsSpace is JavaScript's \s.
const jsSpace = `[\t\n\v\f\r \x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff}]`

// line is npm dotenv 16.6.1's LINE expression,
//
//	/(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/mg
//
// with the separator as a group of its own (Merge inserts a value after
// it), anchored where Parse tries it, and with JavaScript's multi-line $
// spelled out: it holds before '\n', U+2028 and U+2029 or at the end,
// which Go's $ does not know, so the expression consumes that terminator
// (group 5) and Parse gives it back. JavaScript's '.' stops at the same
// characters. Go's leftmost-first matching picks the match JavaScript's
// backtracking does for an expression without back-references.
var line = regexp.MustCompile(`\A` + jsSpace + `*(export` + jsSpace + `+)?([\w.-]+)(` + jsSpace + `*=` + jsSpace + `*?|:` + jsSpace + `+?)(` +
	jsSpace + `*'(?:\\'|[^'])*'|` + jsSpace + `*"(?:\\"|[^"])*"|` + jsSpace + "*`(?:\\\\`|[^`])*`|[^#\\r\\n]+)?" +
	jsSpace + `*(?:#[^\n\r\x{2028}\x{2029}]*)?(\n|\x{2028}|\x{2029}|\z)`)

// lineStart reports whether JavaScript's multi-line ^ holds at off.
func lineStart(src string, off int) bool {
	return off == 0 || src[off-1] == '\n' || strings.HasSuffix(src[:off], "\u2028") || strings.HasSuffix(src[:off], "\u2029")
}

// statement is where one assignment's parts are, as offsets in the
// normalised text.
type statement struct {
	valueStart, valueEnd int // the value as written, blanks around it trimmed
	sepEnd               int // just past the separator
}

// Parse reads data as npm dotenv 16.6.1 would. name is used in entries'
// provenance and in errors. The only error is a *ParseError for a file
// that is not UTF-8.
func Parse(name string, data []byte) (*File, error) {
	if !utf8.Valid(data) {
		bad := len(data)
		for i := 0; i < len(data); {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				bad = i
				break
			}
			i += size
		}
		return nil, &ParseError{File: name, Line: 1 + strings.Count(string(data[:bad]), "\n"), Reason: reasonNotUTF8}
	}
	norm, crlfAt := normalize(data)
	// orig maps an offset in the normalised text back to data.
	orig := func(off int) int { return off + sort.SearchInts(crlfAt, off) }
	f := &File{Name: name, Data: data, orig: orig}
	src := string(norm)
	lines := newLineCounter(src)
	// As RegExp.prototype.exec with the g flag: from lastIndex, the first
	// position where the expression matches; ^ lets only line starts match.
	for p := 0; p < len(src); {
		if !lineStart(src, p) {
			p++
			continue
		}
		m := line.FindStringSubmatchIndex(src[p:])
		if m == nil {
			p++
			continue
		}
		for i := range m {
			if m[i] >= 0 {
				m[i] += p
			}
		}
		p = m[10] // lastIndex: the terminator is not part of the match
		if p == m[0] {
			p++ // cannot happen (a name is not empty), but never loop
		}
		e := Entry{Key: src[m[4]:m[5]], Exported: m[2] >= 0}
		st := statement{sepEnd: m[7], valueStart: m[7], valueEnd: m[7]}
		if m[8] >= 0 {
			raw := src[m[8]:m[9]]
			trimmed := strings.TrimLeftFunc(raw, isJSSpace)
			st.valueStart = m[8] + len(raw) - len(trimmed)
			trimmed = strings.TrimRightFunc(trimmed, isJSSpace)
			st.valueEnd = st.valueStart + len(trimmed)
			e.Value, e.Quote = npmValue(trimmed)
		}
		e.Line, e.EndLine = lines.at(m[4]), lines.at(st.valueEnd)
		f.Entries = append(f.Entries, e)
		f.stmts = append(f.stmts, st)
	}
	return f, nil
}

// npmValue finishes a trimmed value as npm dotenv does: a quote at the
// start and the same quote ending a line are dropped (JavaScript's
// value.replace(/^(['"`])([\s\S]*)\1$/mg, '$2'), which may match again on
// a later line of a multi-line value), and in a value that started with
// '"' the escapes \n and \r become line breaks. It returns the quote
// that was dropped at the start, or 0.
func npmValue(v string) (string, byte) {
	var quote byte
	if v != "" && closingQuote(v, 0) > 0 {
		quote = v[0]
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if i == 0 || v[i-1] == '\n' || strings.HasSuffix(v[:i], "\u2028") || strings.HasSuffix(v[:i], "\u2029") {
			if e := closingQuote(v, i); e > 0 {
				b.WriteString(v[i+1 : e])
				i = e
				continue
			}
		}
		b.WriteByte(v[i])
	}
	out := b.String()
	if v != "" && v[0] == '"' {
		out = strings.ReplaceAll(strings.ReplaceAll(out, `\n`, "\n"), `\r`, "\r")
	}
	return out, quote
}

// closingQuote returns the offset of the farthest quote that closes the
// one at i and ends a line, or 0: [\s\S]* is greedy, and $ in multi-line
// mode matches before a line break or at the end.
func closingQuote(v string, i int) int {
	if strings.IndexByte("'\"`", v[i]) < 0 {
		return 0
	}
	for e := len(v) - 1; e > i; e-- {
		rest := v[e+1:]
		if v[e] == v[i] && (rest == "" || rest[0] == '\n' || strings.HasPrefix(rest, "\u2028") || strings.HasPrefix(rest, "\u2029")) {
			return e
		}
	}
	return 0
}

// isJSSpace is JavaScript's \s, which String.prototype.trim removes too.
func isJSSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

// lineCounter turns offsets, asked in increasing order, into line numbers.
type lineCounter struct {
	src          string
	counted, nls int
}

func newLineCounter(src string) *lineCounter { return &lineCounter{src: src} }

func (c *lineCounter) at(off int) int {
	if off < c.counted {
		c.counted, c.nls = 0, 0
	}
	c.nls += strings.Count(c.src[c.counted:off], "\n")
	c.counted = off
	return c.nls + 1
}

// normalize replaces CRLF and a lone CR with LF, as npm dotenv does
// (/\r\n?/g), and returns the offsets in the result where a CRLF became
// one byte, so offsets can be mapped back.
func normalize(data []byte) ([]byte, []int) {
	out := make([]byte, 0, len(data))
	var at []int
	for i := 0; i < len(data); i++ {
		if data[i] != '\r' {
			out = append(out, data[i])
			continue
		}
		if i+1 < len(data) && data[i+1] == '\n' {
			at = append(at, len(out))
			i++
		}
		out = append(out, '\n')
	}
	return out, at
}

// Load reads and parses the file at path, reporting it as name. A missing
// file returns (nil, nil): a project need not have every dotenv file.
func Load(path, name string) (*File, error) {
	data, err := Read(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	if data == nil {
		data = []byte{} // File.Data is nil only for a file that is not there
	}
	return Parse(name, data)
}

// Read returns the bytes of the dotenv file at path. A missing file is an
// error that matches fs.ErrNotExist. A named pipe, as secret managers
// serve dotenv files, is read if its writer delivers within
// safefile.PipeWait. Anything else that is not a regular file, a symbolic
// link to nowhere, and a file over MaxSize are safefile errors naming
// path, with a hint (see safefile.Usage).
func Read(path string) ([]byte, error) {
	return safefile.Read(path, safefile.Options{Limit: MaxSize, Pipe: true, What: "a dotenv file"})
}
