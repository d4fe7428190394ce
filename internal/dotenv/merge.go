package dotenv

import (
	"bytes"

	"errors"
	"fmt"
	"github.com/joho/godotenv"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Assignment is a variable Merge writes into a dotenv file.
type Assignment struct {
	Name  string
	Value string
	// Comment, when not empty, is a line such as "# See ..." written just
	// above the assignment when Merge appends it. An assignment replaced in
	// place gets no comment: adding a line there would move the rest.
	Comment string
	// Replace allows overwriting a non-empty value that differs. Without
	// it such a value is kept, as the Convex CLI keeps it.
	Replace bool
}

// Action says what Merge did with one Assignment.
type Action string

// The actions of Merge.
const (
	Added     Action = "added"     // appended at the end of the file
	Replaced  Action = "replaced"  // an empty or (with Replace) different value rewritten in place
	Unchanged Action = "unchanged" // the file already has exactly this value
	Kept      Action = "kept"      // the file has another non-empty value, left alone
)

// Change is the outcome of one Assignment.
type Change struct {
	Name   string
	Action Action
	// Line is where the assignment that godotenv reads for Name starts in
	// the merged file.
	Line int
	// OldLine is where it started in the original file; 0 when Added.
	OldLine int
}

// Merge writes assignments into the dotenv file data (empty or nil for a
// file that does not exist) the way the Convex CLI updates .env.local, and
// returns the new content. name is used in errors.
//
// The format follows the Convex CLI: an assignment whose name is absent is
// appended as NAME=value after a blank line, its Comment on the line just
// above; an assignment whose name has an empty value is filled in place;
// one whose name has another value is kept unless Replace is set.
//
// Where the Convex CLI goes wrong, Merge does not:
//
//   - A name matches only itself, with or without "export", never as a
//     prefix of a longer name (the CLI's /^NAME.*$/ can overwrite
//     NAME_X=... and leave NAME= empty). When a name is assigned several
//     times, the last assignment is the one npm dotenv reads, so it is the
//     one compared and replaced.
//   - A value is quoted when it needs to be (see Quote), so that npm dotenv
//     and godotenv both read back exactly that value; the CLI writes
//     values raw, so "a b # c" reads back as "a b".
//   - A replacement rewrites only the value: "export ", the name, the
//     separator and an inline comment stay as they were ("A= # note" gets
//     its value before the comment), and every other byte of the file is
//     kept, CRLF and CR line breaks included. New lines use the file's
//     line break (that of its first line).
//   - The CLI writes "\n\n" before the first entry of an existing empty
//     file; Merge treats an empty file as a missing one. It also adds no
//     blank line when the file already ends with one.
//
// Before returning, Merge parses the result and checks that npm dotenv
// reads every assignment with its intended value and every other
// assignment as before, and, when godotenv could read the file before,
// that godotenv reads the result with every written value. A merge that
// would fail that check is refused with an error rather than written.
//
// Errors are a *ParseError when data cannot be read as a dotenv file, and
// otherwise name the file and variable but never a value.
func Merge(name string, data []byte, as []Assignment) ([]byte, []Change, error) {
	old, err := Parse(name, data)
	if err != nil {
		return nil, nil, err
	}
	return MergeFile(old, as)
}

// MergeFile is Merge for a file already parsed, which callers that have
// read it (resolve.Load) use so that a run parses it once. old.Name is
// used in errors.
func MergeFile(old *File, as []Assignment) ([]byte, []Change, error) {
	name, data := old.Name, old.Data
	nl := lineBreak(data)

	type edit struct {
		start, end int // in data
		text       string
	}
	var edits []edit
	var appended []Assignment
	changes := make([]Change, len(as))
	replaced := map[int]string{} // entry index -> new value
	seen := map[string]bool{}
	for i, a := range as {
		if !validName(a.Name) {
			return nil, nil, fmt.Errorf("%s: %q is not a variable name npm dotenv reads; use letters, digits, '_', '.' and '-'", name, a.Name)
		}
		if seen[a.Name] {
			return nil, nil, fmt.Errorf("%s: %s is assigned twice", name, a.Name)
		}
		seen[a.Name] = true
		if strings.ContainsAny(a.Comment, "\r\n") || (a.Comment != "" && !strings.HasPrefix(a.Comment, "#")) {
			return nil, nil, fmt.Errorf("%s: the comment above %s must be one line starting with '#'", name, a.Name)
		}
		changes[i] = Change{Name: a.Name}
		idx := lastIndex(old.Entries, a.Name)
		if idx < 0 {
			changes[i].Action = Added
			appended = append(appended, a)
			continue
		}
		e := old.Entries[idx]
		changes[i].OldLine = e.Line
		switch {
		case e.Value == a.Value:
			changes[i].Action = Unchanged
			continue
		case e.Value != "" && !a.Replace:
			changes[i].Action = Kept
			continue
		}
		changes[i].Action = Replaced
		st := old.stmts[idx]
		text, err := quote(a.Value, e.Quote != 0)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %s: %w", name, a.Name, err)
		}
		start, end := old.orig(st.valueStart), old.orig(st.valueEnd)
		if st.valueStart == st.valueEnd {
			// An empty value: the new one goes right after the separator,
			// ahead of any blanks, so that a comment stays one ("A= # x").
			start = old.orig(st.sepEnd)
			end = start
			if start < len(data) && data[start] == '#' {
				text += " " // "A=#x" would otherwise become "A=value#x"
			}
		}
		edits = append(edits, edit{start, end, strings.ReplaceAll(text, "\n", nl)})
		replaced[idx] = a.Value
	}

	var out bytes.Buffer
	out.Grow(len(data) + 64*len(appended))
	prev := 0
	// Statements do not overlap and the assignments name different
	// statements, so sorting by start orders the edits.
	slices.SortFunc(edits, func(a, b edit) int { return a.start - b.start })
	for _, e := range edits {
		out.Write(data[prev:e.start])
		out.WriteString(e.text)
		prev = e.end
	}
	out.Write(data[prev:])

	for _, a := range appended {
		text, err := Quote(a.Value)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %s: %w", name, a.Name, err)
		}
		if out.Len() > 0 {
			if !endsWithBreak(out.Bytes()) {
				out.WriteString(nl)
			}
			if !endsWithBlankLine(out.Bytes()) {
				out.WriteString(nl)
			}
		}
		if a.Comment != "" {
			out.WriteString(a.Comment + nl)
		}
		out.WriteString(a.Name + "=" + strings.ReplaceAll(text, "\n", nl) + nl)
	}

	result := out.Bytes()
	merged, err := Parse(name, result)
	if err != nil {
		return nil, nil, errMergeBreaks(name, as, 0)
	}
	if err := checkMerge(name, old, merged, replaced, appended, as); err != nil {
		return nil, nil, err
	}
	for i := range changes {
		if e, ok := merged.Lookup(changes[i].Name); ok {
			changes[i].Line = e.Line
		}
	}
	return result, changes, nil
}

// checkMerge verifies that merged is old with the replaced values and the
// appended assignments, as npm dotenv reads them, and that godotenv, when
// it could read old, reads the result too, with every written value.
func checkMerge(name string, old, merged *File, replaced map[int]string, appended []Assignment, as []Assignment) error {
	if len(merged.Entries) != len(old.Entries)+len(appended) {
		return errMergeBreaks(name, as, 0)
	}
	for i, e := range old.Entries {
		m := merged.Entries[i]
		want, isReplaced := replaced[i]
		if !isReplaced {
			want = e.Value
		}
		if m.Key != e.Key || m.Exported != e.Exported || m.Value != want {
			return errMergeBreaks(name, as, e.Line)
		}
	}
	for i, a := range appended {
		m := merged.Entries[len(old.Entries)+i]
		if m.Key != a.Name || m.Value != a.Value {
			return errMergeBreaks(name, as, 0)
		}
	}
	if _, err := godotenv.UnmarshalBytes(old.Data); err != nil {
		return nil // Go tools could not read it before either
	}
	values, err := godotenv.UnmarshalBytes(merged.Data)
	if err != nil {
		return errMergeBreaks(name, as, 0)
	}
	written := slices.Clone(appended)
	for i, v := range replaced {
		written = append(written, Assignment{Name: old.Entries[i].Key, Value: v})
	}
	for _, a := range written {
		if values[a.Name] != a.Value {
			return errMergeBreaks(name, as, 0)
		}
	}
	return nil
}

// errMergeBreaks explains a merge that failed its check. It happens only
// with files that godotenv reads in surprising ways, so the message points
// at the line when it knows it.
func errMergeBreaks(name string, as []Assignment, line int) error {
	names := make([]string, len(as))
	for i, a := range as {
		names[i] = a.Name
	}
	where := "near its end (a last line without '=' is the usual cause)"
	if line > 0 {
		where = fmt.Sprintf("at line %d", line)
	}
	return fmt.Errorf("%s: writing %s would change how the existing lines are read, %s; fix the file and run again", name, strings.Join(names, ", "), where)
}

func lastIndex(entries []Entry, key string) int {
	for i := len(entries) - 1; i >= 0; i-- {
		if entries[i].Key == key {
			return i
		}
	}
	return -1
}

// lineBreak returns the line break of the file's first line: "\r\n",
// "\r" (which npm dotenv reads as a line break too), or "\n", also for a
// file with none.
func lineBreak(data []byte) string {
	i := bytes.IndexAny(data, "\r\n")
	switch {
	case i < 0 || data[i] == '\n':
		return "\n"
	case i+1 < len(data) && data[i+1] == '\n':
		return "\r\n"
	}
	return "\r"
}

// endsWithBreak reports whether b ends with a line break.
func endsWithBreak(b []byte) bool {
	return bytes.HasSuffix(b, []byte("\n")) || bytes.HasSuffix(b, []byte("\r"))
}

// endsWithBlankLine reports whether the last line of b, which ends in a
// line break, holds nothing but blanks.
func endsWithBlankLine(b []byte) bool {
	b = bytes.TrimSuffix(b[:len(b)-1], []byte("\r"))
	last := b[bytes.LastIndexAny(b, "\r\n")+1:]
	return len(bytes.TrimSpace(last)) == 0
}

var nameRE = regexp.MustCompile(`^[\w.-]+$`)

// validName accepts the names npm dotenv reads. godotenv refuses a file
// with '-' in a name, but the apps read .env.local with npm dotenv.
func validName(name string) bool {
	return nameRE.MatchString(name)
}

// ErrUnquotable is wrapped by Quote's error for a value that no quoting
// makes godotenv and npm dotenv read alike.
var ErrUnquotable = errors.New("no quoting makes godotenv and npm dotenv both read the value back exactly: single quotes cannot hold its ', double quotes change its \", \\ or $, and unquoted it has a $, #, line break, or a blank or quote at an end (or it is not UTF-8)")

// Quote returns value as the text to write after "NAME=" so that godotenv
// v1.5.1 and npm dotenv 16.6.1 (the Convex CLI's) both read back exactly
// value. The two disagree on much: godotenv expands $VAR in unquoted and
// double-quoted values and unescapes \x in double quotes; npm dotenv does
// neither (it only turns \n and \r into line breaks in double quotes), cuts
// an unquoted value at its first '#' where godotenv needs " #", and trims
// more kinds of space. The forms tried, in order, are:
//
//  1. unquoted, when every byte is printable ASCII other than space, quotes,
//     backslash, '#' and '$': what the Convex CLI would write;
//  2. double quotes with \n and \r escapes, for a value with line breaks
//     and no \, " or $;
//  3. single quotes, which both read literally, for a value with no ' or
//     carriage return that does not end in \ (godotenv would take \' as an
//     escaped quote);
//  4. double quotes, for a value with ' but no \, " or $;
//  5. unquoted, for what is left that has no '#', '$', line break, control
//     character or unusual space, and neither starts with a quote nor
//     starts or ends with a space.
//
// Anything else (say "it's $5") has no common form and is ErrUnquotable.
// Line breaks in a single-quoted value are written as they are; Merge
// turns them into the file's line break, which both readers normalise.
func Quote(value string) (string, error) {
	return quote(value, false)
}

// quote is Quote; mustQuote skips the unquoted forms, for a value replacing
// a quoted one that other text may follow on the same line.
func quote(value string, mustQuote bool) (string, error) {
	if !utf8.ValidString(value) {
		return "", ErrUnquotable
	}
	hasBreak := strings.ContainsAny(value, "\r\n")
	doubleOK := !strings.ContainsAny(value, "\\\"$")
	switch {
	case !mustQuote && plain(value):
		return value, nil
	case hasBreak && doubleOK:
		return doubleQuote(value), nil
	case !strings.ContainsAny(value, "'\r") && !strings.HasSuffix(value, "\\"):
		return "'" + value + "'", nil
	case doubleOK:
		return doubleQuote(value), nil
	case !mustQuote && bare(value):
		return value, nil
	}
	return "", ErrUnquotable
}

func doubleQuote(v string) string {
	return `"` + strings.NewReplacer("\n", `\n`, "\r", `\r`).Replace(v) + `"`
}

// plain reports whether v needs no quotes for anyone.
func plain(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("#$'\"`\\", c) >= 0 {
			return false
		}
	}
	return true
}

// bare reports whether both readers take v unquoted as it is.
func bare(v string) bool {
	if v == "" || strings.ContainsAny(v, "#$\r\n") || strings.ContainsRune("'\"` ", rune(v[0])) || v[len(v)-1] == ' ' {
		return false
	}
	for _, r := range v {
		if r != ' ' && (unicode.IsSpace(r) || unicode.IsControl(r) || r == '\ufeff') {
			return false
		}
	}
	return true
}
