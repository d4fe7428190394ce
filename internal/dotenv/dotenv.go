// Package dotenv reads .env files the way github.com/joho/godotenv v1.5.1
// does, and adds what godotenv does not offer: the line each value came
// from, so a resolved placeholder can be traced to ".env.local:12", and
// parse errors that name a file and line without quoting the file. dotenv
// files hold secrets, and godotenv's own errors echo the text around the
// fault, so they must never reach the user.
//
// godotenv stays the authority on values: a scanner written here follows
// its statement rules only to find where each statement starts and ends,
// and every value is read back from godotenv itself.
package dotenv

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/joho/godotenv"

	"github.com/convex-authkit/convex-authkit/internal/safefile"
)

// MaxSize is the largest file Load accepts. Real dotenv files are a few
// kilobytes; anything this big is a mistake (a build artefact, a log), and
// reading it whole would only waste memory.
const MaxSize = 1 << 20

// Entry is one assignment in a dotenv file.
type Entry struct {
	Key      string
	Value    string // the value as godotenv.Unmarshal reads it (authoritative)
	Line     int    // 1-based line where the statement starts
	EndLine  int    // line where it ends (multi-line quoted values)
	Exported bool   // written as `export KEY=...`
	Quote    byte   // 0, '\'' or '"' (how the value was written)

	// raw is the value text before godotenv expands variables in it; it is
	// kept only so that Expands can answer without re-reading the file.
	raw string
}

// Expands reports whether godotenv would treat a '$' in this entry's value
// as a variable reference: the value was written unquoted or in double
// quotes and contains '$'. The npm dotenv package that the Convex CLI uses
// expands nothing, so such an entry may mean different things to the two
// tools. The test is deliberately broad: godotenv leaves some '$' forms
// (such as "$lower") alone, but it also drops the backslash of "\$", which
// npm dotenv keeps, so every '$' is a possible difference.
//
// Expands is meaningful only for entries returned by Parse or Load.
func (e Entry) Expands() bool {
	return e.Quote != '\'' && strings.Contains(e.raw, "$")
}

// File is the content of one dotenv file.
type File struct {
	Name    string  // display name, e.g. ".env.local"
	Entries []Entry // in file order, duplicates kept
}

// Lookup returns the entry godotenv keeps for key (the last assignment).
func (f *File) Lookup(key string) (Entry, bool) {
	for i := len(f.Entries) - 1; i >= 0; i-- {
		if f.Entries[i].Key == key {
			return f.Entries[i], true
		}
	}
	return Entry{}, false
}

// Values returns key -> value as godotenv would.
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
	reasonBadKeyChar   = "invalid character in variable name"
	reasonBOM          = "the file starts with a UTF-8 byte order mark (U+FEFF), which godotenv reads as part of the first name; save the file as UTF-8 without BOM"
	reasonNoSeparator  = "line has no '=' or ':' after the variable name"
	reasonExportNoName = "'export' is not followed by a variable name"
	reasonUnterminated = "unterminated quoted value"
	reasonUnparseable  = "cannot parse the file"
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

// Parse reads data as godotenv would. name is used in entries' provenance
// and in errors. The error, if any, is a *ParseError.
func Parse(name string, data []byte) (*File, error) {
	f, _, _, err := parse(name, data)
	return f, err
}

// parse is Parse that also returns the scanner's statements, one per entry,
// and orig, which maps an offset in them back to an offset in data.
func parse(name string, data []byte) (*File, []statement, func(int) int, error) {
	norm, crlfAt := normalize(data)
	stmts, scanErr := scan(name, norm)

	values, err := godotenv.UnmarshalBytes(data)
	if err != nil {
		// godotenv's error quotes the file; only ours may be shown.
		if scanErr != nil {
			return nil, nil, nil, scanErr
		}
		return nil, nil, nil, unparseable(name)
	}
	if scanErr != nil {
		// The scanner disagrees with godotenv, so its line numbers cannot be
		// trusted either; failing is better than pointing at wrong lines.
		return nil, nil, nil, unparseable(name)
	}

	// orig maps an offset in the normalised text back to the original data.
	// godotenv must be re-run on the original bytes, because normalising
	// twice is not a no-op: "\r\r\n" becomes "\r\n" and then "\n".
	orig := func(off int) int { return off + sort.SearchInts(crlfAt, off) }

	last := make(map[string]int, len(stmts))
	for i, st := range stmts {
		last[st.key] = i
	}
	if len(last) != len(values) {
		return nil, nil, nil, unparseable(name)
	}

	entries := make([]Entry, len(stmts))
	var overridden []int
	for i, st := range stmts {
		entries[i] = Entry{
			Key:      st.key,
			Line:     st.line,
			EndLine:  st.endLine,
			Exported: st.exported,
			Quote:    st.quote,
			raw:      st.raw,
		}
		v, ok := values[st.key]
		if !ok {
			return nil, nil, nil, unparseable(name)
		}
		if last[st.key] == i {
			entries[i].Value = v
		} else {
			overridden = append(overridden, i)
		}
	}
	if len(overridden) > 0 {
		if !fillOverridden(data, stmts, overridden, entries, values, orig) {
			return nil, nil, nil, unparseable(name)
		}
	}
	return &File{Name: name, Entries: entries}, stmts, orig, nil
}

// fillOverridden sets the values of assignments that a later one overrides,
// which godotenv's result does not include. It places a copy of each such
// assignment, under a fresh name, just before the original and parses the
// file once more: the copy sees exactly the variables the original saw, so
// godotenv expands it the same way. One extra parse keeps the cost linear;
// parsing the prefix up to each overridden assignment instead was quadratic
// and took seconds for a few thousand "A=$B" lines.
//
// Fresh names contain lowercase letters, which godotenv's $NAME syntax
// cannot refer to, so no statement of the file can see the copies. It
// reports false if the result does not check out, which means the scanner
// and godotenv disagree.
func fillOverridden(data []byte, stmts []statement, overridden []int, entries []Entry, values map[string]string, orig func(int) int) bool {
	var buf bytes.Buffer
	buf.Grow(2 * len(data))
	names := make([]string, len(overridden))
	probes, n, prev := 0, 0, 0
	for k, i := range overridden {
		st := stmts[i]
		// The copy keeps the value text and gets a name of its own. The
		// text alone would not do: "export x" without its separator reads
		// as an export prefix.
		value := data[orig(st.value):orig(st.end)]
		if st.bare {
			// A statement without a separator exists only because nothing
			// up to the end of the file ends its key, so inserting a copy
			// anywhere after it would change how it parses. Its value
			// cannot contain '$' (not a key character), so it does not
			// depend on other variables and parsing it alone is exact.
			m, err := godotenv.UnmarshalBytes(append([]byte("="), value...))
			v, ok := m[""]
			if err != nil || !ok || len(m) != 1 {
				return false
			}
			entries[i].Value = v
			continue
		}
		for {
			names[k] = "probe" + strconv.Itoa(n)
			n++
			if _, taken := values[names[k]]; !taken {
				break
			}
		}
		probes++
		at := orig(st.start)
		buf.Write(data[prev:at])
		buf.WriteString(names[k])
		buf.WriteByte('=')
		buf.Write(value)
		buf.WriteByte('\n')
		prev = at
	}
	if probes == 0 {
		return true
	}
	buf.Write(data[prev:])

	m, err := godotenv.UnmarshalBytes(buf.Bytes())
	if err != nil || len(m) != len(values)+probes {
		return false
	}
	for k, v := range values {
		if mv, ok := m[k]; !ok || mv != v {
			return false
		}
	}
	for k, i := range overridden {
		if names[k] != "" {
			entries[i].Value = m[names[k]]
		}
	}
	return true
}

func unparseable(name string) *ParseError {
	return &ParseError{File: name, Reason: reasonUnparseable}
}

// normalize replaces CRLF with LF exactly as godotenv does (leftmost,
// non-overlapping, in one pass) and also returns the offsets in the result
// where a replacement happened, so offsets can be mapped back.
func normalize(data []byte) ([]byte, []int) {
	if !bytes.Contains(data, []byte("\r\n")) {
		return data, nil
	}
	out := make([]byte, 0, len(data))
	var at []int
	for i := 0; i < len(data); i++ {
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			at = append(at, len(out))
			out = append(out, '\n')
			i++
			continue
		}
		out = append(out, data[i])
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
