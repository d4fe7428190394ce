package dotenv

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/convex-authkit/convex-authkit/internal/safefile"
)

// pos is an Entry as the line-number tests write it.
type pos = Entry

func positions(f *File) []pos { return f.Entries }

// parseCases are files with what npm dotenv 16.6.1 reads from them.
// TestParseLines checks Parse against them, and TestNpmDotenv checks them,
// with every other grammar case, against the real npm dotenv.
var parseCases = []struct {
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
	{"quoted", "A='x y'\nB=\"p\\nq\"\nC = \"\"\nD=`b t`\n", []pos{
		{"A", "x y", 1, 1, false, '\''},
		{"B", "p\nq", 2, 2, false, '"'},
		{"C", "", 3, 3, false, '"'},
		{"D", "b t", 4, 4, false, '`'},
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
	// npm dotenv reads a lone CR as a line break, as old Mac editors wrote.
	{"CR-only line endings", "B=1\rA=\rC='x\ry'\r", []pos{
		{"B", "1", 1, 1, false, 0},
		{"A", "", 2, 2, false, 0},
		{"C", "x\ny", 3, 4, false, '\''},
	}},
	{"comments and blank lines", "# head\n\nA=1 # note\n   # indented\n\n\tB=x#y\n#\nC='v' # after quote\n", []pos{
		{"A", "1", 3, 3, false, 0},
		{"B", "x", 6, 6, false, 0},
		{"C", "v", 8, 8, false, '\''},
	}},
	{"empty value with a comment", "A= # note\nB=#x\nC=   \nD=\n", []pos{
		{"A", "", 1, 1, false, 0},
		{"B", "", 2, 2, false, 0},
		{"C", "", 3, 3, false, 0},
		{"D", "", 4, 4, false, 0},
	}},
	// A colon must follow the name and a blank must follow the colon.
	{"colon separator", "A: 1\nB : 'two'\nC:3\nD:\t'4'\n", []pos{
		{"A", "1", 1, 1, false, 0},
		{"D", "4", 4, 4, false, '\''},
	}},
	{"names with - and .", "A-B=1\nC.D=2\n-=3\n1X=4\n", []pos{
		{"A-B", "1", 1, 1, false, 0},
		{"C.D", "2", 2, 2, false, 0},
		{"-", "3", 3, 3, false, 0},
		{"1X", "4", 4, 4, false, 0},
	}},
	{"lines without = are skipped", "A=1\nFOO\nB C\nD=2\nJUNK", []pos{
		{"A", "1", 1, 1, false, 0},
		{"D", "2", 4, 4, false, 0},
	}},
	// "export" and the blanks after it may span lines.
	{"export on a line of its own", "export\nD=2\n", []pos{
		{"D", "2", 2, 2, true, 0},
	}},
	{"text after a closing quote makes it unquoted", "A=\"x\" B=y\nC='1'D='2'\n", []pos{
		{"A", "\"x\" B=y", 1, 1, false, 0},
		{"C", "1'D='2", 2, 2, false, '\''},
	}},
	{"nothing is expanded", "A=1\nB=$A\nC=\"${A}\\$A\"\n", []pos{
		{"A", "1", 1, 1, false, 0},
		{"B", "$A", 2, 2, false, 0},
		{"C", "${A}\\$A", 3, 3, false, '"'},
	}},
	{"duplicates keep every assignment", "A=1\nA=2\nA=3\n", []pos{
		{"A", "1", 1, 1, false, 0},
		{"A", "2", 2, 2, false, 0},
		{"A", "3", 3, 3, false, 0},
	}},
	{"unterminated quote is unquoted", "A='abc\nB=2\n", []pos{
		{"A", "'abc", 1, 1, false, 0},
		{"B", "2", 2, 2, false, 0},
	}},
	{"byte order mark", "\ufeffA=1\n", []pos{
		{"A", "1", 1, 1, false, 0},
	}},
	{"blanks inside a name end it", "A B =1\nC =2\n", []pos{
		{"C", "2", 2, 2, false, 0},
	}},
	{"non-ASCII name", "CAFÉ=2\nOK=1\n", []pos{
		{"OK", "1", 2, 2, false, 0},
	}},
	{"spaces around", "  A  =  x y  \n", []pos{
		{"A", "x y", 1, 1, false, 0},
	}},
	// JavaScript's ^ and $ also hold at U+2028 and U+2029.
	{"line separator", "A=1\u2028B=2\u2029C='x'\u2028", []pos{
		{"A", "1\u2028B=2\u2029C='x'", 1, 1, false, 0},
	}},
	{"line separator ends a comment", "A=1 #c\u2028B=2\n", []pos{
		{"A", "1", 1, 1, false, 0},
		{"B", "2", 1, 1, false, 0},
	}},
}

func TestParseLines(t *testing.T) {
	for _, tt := range parseCases {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse(".env", []byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := positions(f); !slices.Equal(got, tt.want) {
				t.Errorf("entries:\n got %+v\nwant %+v", got, tt.want)
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

// TestNotUTF8 checks the one error Parse gives, and that it names the line
// but never the content.
func TestNotUTF8(t *testing.T) {
	in := "API_KEY=sk_test_SECRET\r\nB=1\nPASS=hunter\xff22\n"
	_, err := Parse(".env.local", []byte(in))
	var pe *ParseError
	if !errors.As(err, &pe) || *pe != (ParseError{File: ".env.local", Line: 3, Reason: reasonNotUTF8}) {
		t.Fatalf("Parse error = %#v", err)
	}
	if l := leaks(err.Error(), in, ".env.local"); len(l) > 0 {
		t.Errorf("error %q contains %q from the file", err, l)
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
		{"A=\"${B}\"", true},
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
		p := write("bad", []byte("A=1\nB=\xff\n"))
		_, err := Load(p, ".env.local")
		if err == nil || err.Error() != ".env.local:2: "+reasonNotUTF8 {
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

func FuzzParse(f *testing.F) {
	f.Fuzz(checkParse)
}

// checkParse holds Parse to what holds for every file: only a file that is
// not UTF-8 fails, entries come in line order within the file, and each
// entry reads the same when its lines are parsed alone (nothing in npm
// dotenv depends on other lines). TestNpmDotenv holds the values to the
// real npm dotenv.
func checkParse(t *testing.T, data []byte) {
	const name = "f.env"
	file, err := Parse(name, data)
	if !utf8.Valid(data) {
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Reason != reasonNotUTF8 || pe.Line < 1 {
			t.Fatalf("Parse(%q) = %v, want a not-UTF-8 error", data, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Parse(%q): %v", data, err)
	}
	norm, _ := normalize(data)
	if want := bytes.ReplaceAll(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n")); !bytes.Equal(norm, want) {
		t.Fatalf("normalize(%q) = %q", data, norm)
	}
	lines := bytes.Count(norm, []byte("\n")) + 1
	prev := 0
	for _, e := range file.Entries {
		if e.Line < prev || e.Line > e.EndLine || e.EndLine > lines {
			t.Fatalf("entry %q spans lines %d-%d after line %d, file has %d", e.Key, e.Line, e.EndLine, prev, lines)
		}
		prev = e.Line
	}
	for i, st := range file.stmts {
		e := file.Entries[i]
		text := e.Key + "=" + string(norm[st.valueStart:st.valueEnd])
		alone, err := Parse(name, []byte(text))
		if err != nil || len(alone.Entries) != 1 || alone.Entries[0].Value != e.Value {
			t.Fatalf("entry %d %s=%q reads differently alone as %q: %+v, %v", i, e.Key, e.Value, text, alone, err)
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

// tokens are the pieces npm dotenv's grammar turns on. Random byte
// mutation rarely assembles them into files that reach the odd corners, so
// TestTokenSoup (and TestNpmDotenv) build files from them directly.
var tokens = []string{
	"A", "B", "b", "1", "_", ".", "-", "=", ":", " ", "\t", "\r", "\n", "\r\n",
	"'", "\"", "`", "\\", "#", " #", "$", "$A", "\\n", "export ", "\u00a0", "\u2028",
	"\u3000", "\ufeff", "A=", "B='", "\"\n", "A-B=", "C.D:", "x",
}

func tokenSoup(rng *rand.Rand) []byte {
	var buf []byte
	for range rng.IntN(24) {
		buf = append(buf, tokens[rng.IntN(len(tokens))]...)
	}
	return buf
}

func TestTokenSoup(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 2000
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range n {
		checkParse(t, tokenSoup(rng))
	}
}
