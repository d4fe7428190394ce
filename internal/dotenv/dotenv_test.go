package dotenv

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/joho/godotenv"

	"github.com/convex-authkit/convex-authkit/internal/safefile"
)

// pos is the part of an Entry that the line-number tests check.
type pos struct {
	Key      string
	Value    string
	Line     int
	EndLine  int
	Exported bool
	Quote    byte
}

func positions(f *File) []pos {
	var out []pos
	for _, e := range f.Entries {
		out = append(out, pos{e.Key, e.Value, e.Line, e.EndLine, e.Exported, e.Quote})
	}
	return out
}

func TestParseLines(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []pos
	}{
		{"simple", "A=1\nB=2\n", []pos{
			{"A", "1", 1, 1, false, 0},
			{"B", "2", 2, 2, false, 0},
		}},
		{"no final newline", "A=1\nB=2", []pos{
			{"A", "1", 1, 1, false, 0},
			{"B", "2", 2, 2, false, 0},
		}},
		{"exported", "export A=1\n  export\tB=2\nexportC=3\nexport=4\n", []pos{
			{"A", "1", 1, 1, true, 0},
			{"B", "2", 2, 2, true, 0},
			{"exportC", "3", 3, 3, false, 0},
			{"export", "4", 4, 4, false, 0},
		}},
		{"quoted", "A='x y'\nB=\"p\\nq\"\nC = \"\"\n", []pos{
			{"A", "x y", 1, 1, false, '\''},
			{"B", "p\nq", 2, 2, false, '"'},
			{"C", "", 3, 3, false, '"'},
		}},
		{"multi-line quoted", "A=\"one\ntwo\nthree\"\nB='x\n\ny'\nC=3\n", []pos{
			{"A", "one\ntwo\nthree", 1, 3, false, '"'},
			{"B", "x\n\ny", 4, 6, false, '\''},
			{"C", "3", 7, 7, false, 0},
		}},
		{"CRLF", "A=1\r\nB=\"x\r\ny\"\r\n\r\nC=3\r\n", []pos{
			{"A", "1", 1, 1, false, 0},
			{"B", "x\ny", 2, 3, false, '"'},
			{"C", "3", 5, 5, false, 0},
		}},
		{"comments and blank lines", "# head\n\nA=1 # note\n   # indented\n\n\tB=x#y\n#\nC='v' # after quote\n", []pos{
			{"A", "1", 3, 3, false, 0},
			{"B", "x#y", 6, 6, false, 0},
			{"C", "v", 8, 8, false, '\''},
		}},
		{"colon separator", "A: 1\nB : 'two'\n", []pos{
			{"A", "1", 1, 1, false, 0},
			{"B", "two", 2, 2, false, '\''},
		}},
		{"statement after closing quote", "A=\"x\" B=y\nC='1'D='2'\n", []pos{
			{"A", "x", 1, 1, false, '"'},
			{"B", "y", 1, 1, false, 0},
			{"C", "1", 2, 2, false, '\''},
			{"D", "2", 2, 2, false, '\''},
		}},
		{"duplicates keep every assignment", "A=1\nB=$A\nA=2\nC=${A}\nA=3\n", []pos{
			{"A", "1", 1, 1, false, 0},
			{"B", "1", 2, 2, false, 0},
			{"A", "2", 3, 3, false, 0},
			{"C", "2", 4, 4, false, 0},
			{"A", "3", 5, 5, false, 0},
		}},
		{"overridden values that expand", "A=x\nB=$A\nB=\"${A}y\"\nA=z\nB=$A$A\n", []pos{
			{"A", "x", 1, 1, false, 0},
			{"B", "x", 2, 2, false, 0},
			{"B", "xy", 3, 3, false, '"'},
			{"A", "z", 4, 4, false, 0},
			{"B", "zz", 5, 5, false, 0},
		}},
		{"last line without separator", "A=1\nFOO BAR", []pos{
			{"A", "1", 1, 1, false, 0},
			{"", "FOO BAR", 2, 2, false, 0},
		}},
		{"lone CR splits text without separator", "A=1\nFOO\rBAR", []pos{
			{"A", "1", 1, 1, false, 0},
			{"", "FOO", 2, 2, false, 0},
			{"", "BAR", 2, 2, false, 0},
		}},
		{"lone CR ends an unquoted value", "A=1\rB=2\n", []pos{
			{"A", "1", 1, 1, false, 0},
			{"B", "2", 1, 1, false, 0},
		}},
		{"blanks inside a key", "A B =1\n", []pos{
			{"A B", "1", 1, 1, false, 0},
		}},
		{"empty values", "A=\nB=   \nC=''\n", []pos{
			{"A", "", 1, 1, false, 0},
			{"B", "", 2, 2, false, 0},
			{"C", "", 3, 3, false, '\''},
		}},
		{"comment right after the separator is the value", "A= # c\n", []pos{
			{"A", "# c", 1, 1, false, 0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse(".env", []byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := positions(f); !slices.Equal(got, tt.want) {
				t.Errorf("entries:\n got %+v\nwant %+v", got, tt.want)
			}
			want, err := godotenv.Unmarshal(tt.in)
			if err != nil {
				t.Fatalf("godotenv: %v", err)
			}
			if got := f.Values(); !maps.Equal(got, want) {
				t.Errorf("Values() = %q, godotenv has %q", got, want)
			}
		})
	}
}

func TestLookupReturnsLastAssignment(t *testing.T) {
	f, err := Parse(".env.local", []byte("A=1\nB=2\nA=3\n"))
	if err != nil {
		t.Fatal(err)
	}
	e, ok := f.Lookup("A")
	if !ok || e.Value != "3" || e.Line != 3 {
		t.Errorf("Lookup(A) = %+v, %v; want value 3 from line 3", e, ok)
	}
	if _, ok := f.Lookup("C"); ok {
		t.Error("Lookup(C) found an entry that does not exist")
	}
}

// TestManyOverriddenAssignments checks that overridden values are exact in
// context and that finding them is not quadratic: 20000 reassignments would
// take minutes if each one cost a parse of the file before it.
func TestManyOverriddenAssignments(t *testing.T) {
	const n = 20000
	var buf bytes.Buffer
	for i := range n {
		fmt.Fprintf(&buf, "N=%d\nA=\"<$N>\"\n", i)
	}
	f, err := Parse(".env", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Entries) != 2*n {
		t.Fatalf("got %d entries, want %d", len(f.Entries), 2*n)
	}
	for i := range n {
		if e, want := f.Entries[2*i+1], fmt.Sprintf("<%d>", i); e.Value != want || e.Line != 2*i+2 {
			t.Fatalf("entry %d = %q at line %d, want %q at line %d", 2*i+1, e.Value, e.Line, want, 2*i+2)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		line   int
		reason string
	}{
		{"no separator", "A=1\nB C\n", 2, reasonNoSeparator},
		{"bare word", "A=1\n\nFOO\nB=2\n", 3, reasonNoSeparator},
		{"export then newline", "export\nA=1\n", 1, reasonNoSeparator},
		{"invalid key character", "A=1\n\nX-Y=2\n", 3, reasonBadKeyChar},
		{"comment after a key", "A=1\nFOO # note\n", 2, reasonBadKeyChar},
		{"byte order mark", "\ufeffA=1\n", 1, reasonBOM},
		{"non-ASCII key", "A=1\nCAFÉ=2\n", 2, reasonBadKeyChar},
		{"text after closing quote", "A=\"x\"junk\n", 1, reasonNoSeparator},
		{"doubled single quote", "A='it''s'\n", 1, reasonBadKeyChar},
		{"export alone on a line", "A=1\nexport   \nB=2\n", 2, reasonExportNoName},
		{"export at end of file", "A=1\nexport ", 2, reasonExportNoName},
		{"unterminated double quote", "A=1\nB=\"abc\nC=2\n", 2, reasonUnterminated},
		{"unterminated single quote", "A='abc", 1, reasonUnterminated},
		{"escaped closing quote", "A=1\nB=\"x\\\"\n", 2, reasonUnterminated},
		{"error after multi-line value", "A=\"x\ny\"\nBAD\n", 3, reasonNoSeparator},
		{"CRLF line count", "A=1\r\n\r\nB\r\n", 3, reasonNoSeparator},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := godotenv.Unmarshal(tt.in); err == nil {
				t.Fatal("godotenv accepts the input; the test is wrong")
			}
			_, err := Parse(".env.local", []byte(tt.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse error = %v, want a *ParseError", err)
			}
			want := ParseError{File: ".env.local", Line: tt.line, Reason: tt.reason}
			if *pe != want {
				t.Errorf("error = %+v, want %+v", *pe, want)
			}
			if got, wantMsg := err.Error(), fmt.Sprintf(".env.local:%d: %s", tt.line, tt.reason); got != wantMsg {
				t.Errorf("Error() = %q, want %q", got, wantMsg)
			}
		})
	}
}

// TestErrorsHideContent checks the point of the package: godotenv quotes
// the file in its errors, we must not.
func TestErrorsHideContent(t *testing.T) {
	const name = ".env.local"
	for _, in := range []string{
		"API_KEY=sk_test_SECRET\nsk_test_OOPS\n",
		"API_KEY=sk_test_SECRET\nPASS-WORD=hunter22\n",
		"STRIPE_KEY=\"sk_live_X\nOTHER=1\n",
		"export API_KEY='sk_live_X",
	} {
		if _, gerr := godotenv.Unmarshal(in); gerr == nil || len(leaks(gerr.Error(), in, name)) == 0 {
			t.Fatalf("godotenv error %v does not leak; the test input is too weak", gerr)
		}
		_, err := Parse(name, []byte(in))
		if err == nil {
			t.Fatalf("Parse(%q) succeeded", in)
		}
		if l := leaks(err.Error(), in, name); len(l) > 0 {
			t.Errorf("error %q contains %q from the file", err, l)
		}
	}
}

// leaks returns the 4-byte sequences of the file, other than those of its
// name, that appear in msg.
func leaks(msg, file, name string) []string {
	var out []string
	for i := 0; i+4 <= len(file); i++ {
		gram := file[i : i+4]
		if !strings.Contains(name, gram) && strings.Contains(msg, gram) {
			out = append(out, gram)
		}
	}
	return out
}

func TestExpands(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"A=plain", false},
		{"A=$B", true},
		{"A=pa$$word", true},
		{"A=$", true},
		{"A=\"${B}\"", true},
		{"A=\"\\$B\"", true}, // godotenv drops the backslash, npm dotenv keeps it
		{"A='$B'", false},
		{"A=x # costs $5", false}, // the '$' is in the comment
		{"A=\"x\" # $B", false},
	}
	for _, tt := range tests {
		f, err := Parse(".env", []byte(tt.in))
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.in, err)
		}
		if len(f.Entries) != 1 {
			t.Fatalf("Parse(%q) gave %d entries", tt.in, len(f.Entries))
		}
		if got := f.Entries[0].Expands(); got != tt.want {
			t.Errorf("Expands() for %q = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}

	t.Run("missing file", func(t *testing.T) {
		f, err := Load(filepath.Join(dir, "absent"), ".env")
		if f != nil || err != nil {
			t.Errorf("Load = %v, %v; want nil, nil", f, err)
		}
	})
	t.Run("dangling symlink", func(t *testing.T) {
		p := filepath.Join(dir, "link")
		if err := os.Symlink(filepath.Join(dir, "nowhere"), p); err != nil {
			t.Skip(err)
		}
		if _, err := Load(p, ".env"); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("Load = %v; want an error naming %s", err, p)
		}
	})
	t.Run("directory", func(t *testing.T) {
		p := filepath.Join(dir, "sub")
		if err := os.Mkdir(p, 0o700); err != nil {
			t.Fatal(err)
		}
		f, err := Load(p, ".env")
		if f != nil || err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("Load = %v, %v; want an error naming %s", f, err, p)
		}
	})
	t.Run("oversize", func(t *testing.T) {
		p := write("big", append([]byte("A="), bytes.Repeat([]byte("x"), MaxSize-1)...))
		f, err := Load(p, ".env")
		var tl *safefile.TooLargeError
		if f != nil || !errors.As(err, &tl) || !strings.Contains(err.Error(), p) {
			t.Errorf("Load = %v, %v; want a *safefile.TooLargeError naming %s", f, err, p)
		}
	})
	t.Run("largest accepted size", func(t *testing.T) {
		p := write("max", append([]byte("A="), bytes.Repeat([]byte("x"), MaxSize-2)...))
		f, err := Load(p, ".env")
		if err != nil || len(f.Entries) != 1 {
			t.Errorf("Load = %v, %v; want one entry", f, err)
		}
	})
	t.Run("parse error names the display name", func(t *testing.T) {
		p := write("bad", []byte("A=1\nB\n"))
		_, err := Load(p, ".env.local")
		if err == nil || err.Error() != ".env.local:2: "+reasonNoSeparator {
			t.Errorf("Load error = %v", err)
		}
	})
	t.Run("ok", func(t *testing.T) {
		p := write("ok", []byte("A=1\n"))
		f, err := Load(p, ".env.local")
		if err != nil || f.Name != ".env.local" || len(f.Entries) != 1 {
			t.Errorf("Load = %+v, %v", f, err)
		}
	})
}

var reasons = []string{reasonBadKeyChar, reasonBOM, reasonNoSeparator, reasonExportNoName, reasonUnterminated, reasonUnparseable}

func FuzzParse(f *testing.F) {
	f.Fuzz(checkAgainstGodotenv)
}

// checkAgainstGodotenv holds Parse to godotenv's behaviour on data.
func checkAgainstGodotenv(t *testing.T, data []byte) {
	const name = "f.env"
	file, err := Parse(name, data)
	want, gerr := godotenv.UnmarshalBytes(data)

	if norm, _ := normalize(data); !bytes.Equal(norm, bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))) {
		t.Fatalf("normalize(%q) = %q", data, norm)
	}

	if gerr != nil {
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("godotenv fails (%v) but Parse returned %v", gerr, err)
		}
		if pe.Line < 1 || !slices.Contains(reasons, pe.Reason) || pe.Reason == reasonUnparseable {
			t.Fatalf("unexpected error %+v (godotenv: %v)", *pe, gerr)
		}
		msg := err.Error()
		if msg != fmt.Sprintf("%s:%d: %s", name, pe.Line, pe.Reason) {
			t.Fatalf("error %q says more than file, line and reason", msg)
		}
		if len(data) > 8 && strings.Contains(msg, string(data)) {
			t.Fatalf("error %q contains the input", msg)
		}
		return
	}
	if err != nil {
		t.Fatalf("godotenv accepts %q but Parse fails: %v", data, err)
	}
	if got := file.Values(); !maps.Equal(got, want) {
		t.Fatalf("Values() = %q, godotenv has %q", got, want)
	}

	lines := bytes.Count(data, []byte("\n")) + 1
	prev := 0
	for _, e := range file.Entries {
		if e.Line < prev || e.Line > e.EndLine || e.EndLine > lines {
			t.Fatalf("entry %q spans lines %d-%d after line %d, file has %d", e.Key, e.Line, e.EndLine, prev, lines)
		}
		prev = e.Line
	}
	checkEveryValue(t, data, file)
}

// checkEveryValue compares each entry, overridden ones included, with what
// godotenv reads from the file cut just after it: the slow, obvious way to
// get the value an assignment had when it was made.
func checkEveryValue(t *testing.T, data []byte, file *File) {
	norm, crlfAt := normalize(data)
	stmts, perr := scan("f.env", norm)
	if perr != nil {
		t.Fatalf("scan: %v", perr)
	}
	if len(stmts) > 64 {
		return
	}
	for i, st := range stmts {
		end := st.end + sort.SearchInts(crlfAt, st.end)
		m, err := godotenv.UnmarshalBytes(data[:end])
		if err != nil {
			t.Fatalf("godotenv fails on a prefix: %v", err)
		}
		if got := file.Entries[i].Value; got != m[st.key] {
			t.Fatalf("entry %d (%q) = %q, want %q", i, st.key, got, m[st.key])
		}
	}
}

func BenchmarkParse(b *testing.B) {
	var buf bytes.Buffer
	for i := range 200 {
		switch i % 5 {
		case 0:
			fmt.Fprintf(&buf, "# section %d\n", i)
		case 1:
			fmt.Fprintf(&buf, "export VAR_%d=value-%d # note\n", i, i)
		case 2:
			fmt.Fprintf(&buf, "VAR_%d='single %d'\n", i, i)
		case 3:
			fmt.Fprintf(&buf, "VAR_%d=\"double ${VAR_%d}\\n\"\n", i, i-2)
		default:
			fmt.Fprintf(&buf, "VAR_%d=sk_test_%032d\n", i%20, i)
		}
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(".env", data); err != nil {
			b.Fatal(err)
		}
	}
}

// tokens are the pieces godotenv's rules turn on. Random byte mutation
// rarely assembles them into files that reach the odd corners, so
// TestTokenSoup builds files from them directly.
var tokens = []string{
	"A", "B", "b", "1", "_", ".", "=", ":", " ", "\t", "\r", "\n", "\r\n",
	"'", "\"", "\\", "#", " #", "$", "$A", "${B}", "$(A)", "export ",
	"\u00a0", "\u0085", "\u3000", "\xa0", "\xc3", "-", "A=", "B='", "\"\n",
}

func TestTokenSoup(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 2000
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var buf []byte
	for range n {
		buf = buf[:0]
		for range rng.IntN(24) {
			buf = append(buf, tokens[rng.IntN(len(tokens))]...)
		}
		checkAgainstGodotenv(t, buf)
	}
}
