package dotenv

import (
	"bytes"
	"errors"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/joho/godotenv"
)

func TestMerge(t *testing.T) {
	see := "# See this environment at https://dashboard.workos.com/environment_01/authentication"
	vite := []Assignment{
		{Name: "WORKOS_CLIENT_ID", Value: "client_123", Comment: see},
		{Name: "VITE_WORKOS_CLIENT_ID", Value: "client_123"},
		{Name: "VITE_WORKOS_REDIRECT_URI", Value: "http://localhost:5173/callback"},
		{Name: "WORKOS_API_KEY", Value: "sk_test_abc"},
	}
	one := func(value string, replace bool) []Assignment {
		return []Assignment{{Name: "WORKOS_CLIENT_ID", Value: value, Replace: replace}}
	}
	tests := []struct {
		name    string
		in      string
		as      []Assignment
		want    string
		actions []Action
	}{
		// The Convex CLI's own output for the reference's probe (§5).
		{"no file", "", vite,
			see + "\nWORKOS_CLIENT_ID=client_123\n\nVITE_WORKOS_CLIENT_ID=client_123\n\nVITE_WORKOS_REDIRECT_URI=http://localhost:5173/callback\n\nWORKOS_API_KEY=sk_test_abc\n",
			[]Action{Added, Added, Added, Added}},
		{"old value kept", "WORKOS_CLIENT_ID=client_OLD\n", one("client_123", false),
			"WORKOS_CLIENT_ID=client_OLD\n", []Action{Kept}},
		{"no final newline", "CONVEX_DEPLOYMENT=dev:x",
			[]Assignment{{Name: "WORKOS_CLIENT_ID", Value: "client_123", Comment: see}, {Name: "WORKOS_COOKIE_PASSWORD", Value: "p"}},
			"CONVEX_DEPLOYMENT=dev:x\n\n" + see + "\nWORKOS_CLIENT_ID=client_123\n\nWORKOS_COOKIE_PASSWORD=p\n",
			[]Action{Added, Added}},
		{"empty value filled", "WORKOS_CLIENT_ID=\nWORKOS_CLIENT_ID_X=keep\n", one("client_123", false),
			"WORKOS_CLIENT_ID=client_123\nWORKOS_CLIENT_ID_X=keep\n", []Action{Replaced}},
		// The Convex CLI overwrites WORKOS_CLIENT_ID_X here.
		{"never a prefix", "WORKOS_CLIENT_ID_X=keep\nWORKOS_CLIENT_ID=\n", one("client_123", false),
			"WORKOS_CLIENT_ID_X=keep\nWORKOS_CLIENT_ID=client_123\n", []Action{Replaced}},
		// The Convex CLI leaves this unchanged and says it updated it.
		{"export kept", "export WORKOS_CLIENT_ID=\n", one("client_123", false),
			"export WORKOS_CLIENT_ID=client_123\n", []Action{Replaced}},
		// The Convex CLI writes "\n\n" first.
		{"empty file", "", one("client_123", false), "WORKOS_CLIENT_ID=client_123\n", []Action{Added}},
		{"unchanged", "WORKOS_CLIENT_ID=client_123\n", one("client_123", true), "WORKOS_CLIENT_ID=client_123\n", []Action{Unchanged}},
		{"unchanged quoted", "WORKOS_CLIENT_ID='client_123' # ok\n", one("client_123", true), "WORKOS_CLIENT_ID='client_123' # ok\n", []Action{Unchanged}},
		{"force keeps export, spacing and comment", "A=1\n  export  WORKOS_CLIENT_ID = old # mine\nB=2\n", one("client_123", true),
			"A=1\n  export  WORKOS_CLIENT_ID = client_123 # mine\nB=2\n", []Action{Replaced}},
		{"force quoted stays quoted", "WORKOS_CLIENT_ID=\"old\" # c\n", one("new", true),
			"WORKOS_CLIENT_ID='new' # c\n", []Action{Replaced}},
		// npm dotenv reads text after a closing quote as part of an unquoted value.
		{"force after quote", "WORKOS_CLIENT_ID=\"old\" B=2\n", one("new", true),
			"WORKOS_CLIENT_ID=new\n", []Action{Replaced}},
		{"force multi-line", "X=1\nWORKOS_CLIENT_ID=\"a\nb\nc\"\nY=2\n", one("new", true),
			"X=1\nWORKOS_CLIENT_ID='new'\nY=2\n", []Action{Replaced}},
		{"last duplicate is the one read", "WORKOS_CLIENT_ID=a\nWORKOS_CLIENT_ID=\n", one("client_123", false),
			"WORKOS_CLIENT_ID=a\nWORKOS_CLIENT_ID=client_123\n", []Action{Replaced}},
		{"crlf stays crlf", "# top\r\nA=1\r\n", []Assignment{{Name: "B", Value: "x\ny"}, {Name: "C", Value: "it's"}, {Name: "D", Value: "a\"\nb", Comment: "# d"}},
			"# top\r\nA=1\r\n\r\nB=\"x\\ny\"\r\n\r\nC=\"it's\"\r\n\r\n# d\r\nD='a\"\r\nb'\r\n", []Action{Added, Added, Added}},
		{"crlf replace", "A=\r\nB=2\r\n", []Assignment{{Name: "A", Value: "1"}}, "A=1\r\nB=2\r\n", []Action{Replaced}},
		{"no stacked blank lines", "A=1\n\n", []Assignment{{Name: "B", Value: "2"}}, "A=1\n\nB=2\n", []Action{Added}},
		{"quoting", "", []Assignment{{Name: "A", Value: "a b # c"}, {Name: "B", Value: "$HOME"}},
			"A='a b # c'\n\nB='$HOME'\n", []Action{Added, Added}},
		{"comments and blank lines kept", "# c1\n\n   \n#c2 A=1\nA=1 # x\n", []Assignment{{Name: "A", Value: "1"}, {Name: "Z", Value: "z"}},
			"# c1\n\n   \n#c2 A=1\nA=1 # x\n\nZ=z\n", []Action{Unchanged, Added}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, changes, err := Merge(".env.local", []byte(tt.in), tt.as)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.want {
				t.Errorf("got\n%q\nwant\n%q", out, tt.want)
			}
			for i, c := range changes {
				if c.Action != tt.actions[i] || c.Name != tt.as[i].Name {
					t.Errorf("change %d = %+v, want %s", i, c, tt.actions[i])
				}
			}
			checkMergeProperties(t, []byte(tt.in), tt.as)
		})
	}
}

func TestMergeLines(t *testing.T) {
	in := "A=1\nB=\"x\ny\"\nC=\n"
	_, changes, err := Merge("f", []byte(in), []Assignment{{Name: "C", Value: "3"}, {Name: "B", Value: "z", Replace: true}, {Name: "D", Value: "4"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{{"C", Replaced, 3, 4}, {"B", Replaced, 2, 2}, {"D", Added, 5, 0}}
	for i := range want {
		if changes[i] != want[i] {
			t.Errorf("change %d = %+v, want %+v", i, changes[i], want[i])
		}
	}
}

func TestMergeErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		as   []Assignment
		want string
	}{
		{"not UTF-8", "A=1\nB=\xff\n", []Assignment{{Name: "A", Value: "1"}}, "f:2: the file is not UTF-8 text"},
		{"bad name", "", []Assignment{{Name: "A B", Value: "1"}}, `"A B" is not a variable name`},
		{"twice", "", []Assignment{{Name: "A", Value: "1"}, {Name: "A", Value: "2"}}, "A is assigned twice"},
		{"comment", "", []Assignment{{Name: "A", Value: "1", Comment: "no hash"}}, "must be one line starting with '#'"},
		{"unquotable", "", []Assignment{{Name: "A", Value: "it's $5"}}, "no quoting makes godotenv and npm dotenv both read the value back"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Merge("f", []byte(tt.in), tt.as)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "$5") {
				t.Errorf("error %q shows the value", err)
			}
		})
	}
}

// trickyValues are values whose quoting godotenv and npm dotenv disagree on.
// The Node test reads them back with the real npm dotenv.
var trickyValues = map[string]string{
	"PLAIN":      "client_01JXWR78G1RS943SJZG9G9KFDW",
	"URL":        "http://localhost:5173/callback?a=1&b=2",
	"HASH":       "a#b",
	"SPACE_HASH": "a b # c",
	"LEAD_HASH":  "#x",
	"DQUOTE":     `say "hi"`,
	"SQUOTE":     "it's",
	"BOTH":       `it's "fine"`,
	"SPACES":     "  padded  ",
	"EQUALS":     "a=b==c",
	"BACKSLASH":  `C:\path\to\file`,
	"TRAIL_BS":   `ends\`,
	"DOLLAR":     "$HOME and ${PATH} and $(cmd)",
	"ESC_DOLLAR": `\$HOME`,
	"NEWLINES":   "line1\nline2\n",
	"NL_QUOTES":  "a \"b\"\n$c",
	"CR":         "a\rb",
	"TAB":        "a\tb",
	"EMPTY":      "",
	"SPACE":      " ",
	"BACKTICK":   "`cmd`",
	"UNICODE":    "héllo wörld ✓",
	"NBSP":       "\u00a0x\u00a0",
	"BASE64URL":  "q1w2e3r4t5y6u7i8o9p0-_ASDFGHJKLZXCVBNMqwertyu",
	"BS_N":       `a\nb`,
	"QUOTE_ONLY": `"`,
	"SQ_ONLY":    "'",
	"JSON":       `{"a": [1, 2], "b": "c"}`,
}

// TestQuoteReadsBack writes every tricky value into one file and reads it
// back with godotenv itself and with Parse, which reads as npm dotenv does.
func TestQuoteReadsBack(t *testing.T) {
	for _, nl := range []string{"\n", "\r\n"} {
		data, as := trickyFile(t, nl)
		got, err := godotenv.UnmarshalBytes(data)
		if err != nil {
			t.Fatal(err)
		}
		npm := parsedValues(t, data)
		for _, a := range as {
			if got[a.Name] != a.Value {
				t.Errorf("godotenv reads %s as %q, want %q", a.Name, got[a.Name], a.Value)
			}
			if npm[a.Name] != a.Value {
				t.Errorf("npm dotenv (Parse) reads %s as %q, want %q", a.Name, npm[a.Name], a.Value)
			}
		}
	}
}

// trickyFile merges every tricky value (in name order) into a file that
// already holds some lines, with line break nl.
func trickyFile(t testing.TB, nl string) ([]byte, []Assignment) {
	var as []Assignment
	for _, name := range slices.Sorted(maps.Keys(trickyValues)) {
		as = append(as, Assignment{Name: name, Value: trickyValues[name]})
	}
	old := strings.ReplaceAll("# existing\nCONVEX_DEPLOYMENT=dev:x # team\n", "\n", nl)
	out, _, err := Merge(".env.local", []byte(old), as)
	if err != nil {
		t.Fatal(err)
	}
	return out, as
}

func TestQuoteForms(t *testing.T) {
	tests := []struct{ in, want string }{
		{"client_123", "client_123"},
		{"http://localhost:3000/callback", "http://localhost:3000/callback"},
		{"a b", "'a b'"},
		{"a\nb", `"a\nb"`},
		{"it's", `"it's"`},
		{`it's "x"`, `it's "x"`},
		{"a\"\nb", "'a\"\nb'"},
		{"", ""},
	}
	for _, tt := range tests {
		got, err := Quote(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Quote(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"it's $5", "'\\", "a'\r\"", "\xff"} {
		if _, err := Quote(bad); !errors.Is(err, ErrUnquotable) {
			t.Errorf("Quote(%q) err = %v, want ErrUnquotable", bad, err)
		}
	}
}

// TestMergeProperties merges random assignments into random files.
func TestMergeProperties(t *testing.T) {
	n := 5000
	if testing.Short() {
		n = 500
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range n {
		data, as := randomCase(rng)
		checkMergeProperties(t, data, as)
	}
}

// randomCase returns a file made of the kinds of line real .env files
// have, with a few of the raw tokens godotenv's rules turn on mixed in, and
// one to three assignments of tricky values.
func randomCase(rng *rand.Rand) ([]byte, []Assignment) {
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	names := []string{"A", "B", "b", "export", "A.B", "_"}
	values := []string{"", "1", "x y", "#", "$A", "'", "\"", "\\", "a\nb", "it's", " ", "\r", "é"}
	lineNames := append([]string{"A_X", "AA", "export A", "B ", " b"}, names...)
	lineValues := []string{"", "1", "v # c", "'q'", "'a\nb'", `"d\"q"`, `"$A"`, "${B}", " # only", "x#y", "'s' # c", `""`}
	var buf []byte
	nl := pick([]string{"\n", "\r\n"})
	for range rng.IntN(8) {
		switch rng.IntN(6) {
		case 0:
			buf = append(buf, pick([]string{"# c", "", "  ", "#A=1"})...)
		case 1:
			buf = append(buf, tokens[rng.IntN(len(tokens))]...)
		default:
			buf = append(buf, pick(lineNames)+pick([]string{"=", " = ", ":"})+pick(lineValues)...)
		}
		buf = append(buf, nl...)
	}
	if len(buf) > 0 && rng.IntN(4) == 0 {
		buf = bytes.TrimSuffix(buf, []byte(nl))
	}
	var as []Assignment
	for _, i := range rng.Perm(len(names))[:rng.IntN(3)+1] {
		as = append(as, Assignment{Name: names[i], Value: pick(values) + pick(values), Replace: rng.IntN(2) == 0})
	}
	return buf, as
}

func FuzzMerge(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, name, value string, replace bool) {
		as := []Assignment{{Name: name, Value: value, Replace: replace}, {Name: "WORKOS_CLIENT_ID", Value: "client_123", Comment: "# see"}}
		if name == as[1].Name {
			as = as[:1]
		}
		checkMergeProperties(t, data, as)
		// Alone in a file, the value must read back in npm dotenv too.
		if out, _, err := Merge("f", nil, as[:1]); err == nil {
			if got := parsedValues(t, out)[name]; got != value {
				t.Fatalf("npm dotenv (Parse) reads %q from %q, want %q", got, out, value)
			}
			// And godotenv, for Go tools.
			if got, err := godotenv.UnmarshalBytes(out); err == nil && got[name] != value {
				t.Fatalf("godotenv reads %q from %q, want %q", got[name], out, value)
			}
		}
	})
}

// checkMergeProperties holds Merge to its promises on data and as: it fails
// only for the documented reasons; it changes no line but those of the
// assignments it replaces and appends only the new assignments; godotenv
// reads every assignment as Merge reports; and merging again changes
// nothing.
func checkMergeProperties(t *testing.T, data []byte, as []Assignment) {
	t.Helper()
	out, changes, err := Merge("f", data, as)
	if err != nil {
		var pe *ParseError
		switch {
		case errors.As(err, &pe), errors.Is(err, ErrUnquotable),
			strings.Contains(err.Error(), "is not a variable name"),
			strings.Contains(err.Error(), "is assigned twice"),
			strings.Contains(err.Error(), "would change how the existing lines are read"):
			return
		}
		t.Fatalf("Merge(%q, %+v): %v", data, as, err)
	}
	old, err := Parse("f", data)
	if err != nil {
		t.Fatal(err)
	}
	merged, err := Parse("f", out)
	if err != nil {
		t.Fatalf("merged file does not parse: %v\n%q", err, out)
	}

	// Lines: old lines outside replaced statements come through as they
	// were, in order; what follows the old lines is the appended block.
	replacedLines := map[int]bool{}
	var added []Assignment
	for i, c := range changes {
		a := as[i]
		e, _ := merged.Lookup(a.Name)
		switch c.Action {
		case Replaced:
			oe, _ := old.Lookup(a.Name)
			for l := oe.Line; l <= oe.EndLine; l++ {
				replacedLines[l] = true
			}
			fallthrough
		case Added, Unchanged:
			if e.Value != a.Value {
				t.Fatalf("%s reads as %q after %s, want %q\n%q", a.Name, e.Value, c.Action, a.Value, out)
			}
		case Kept:
			oe, _ := old.Lookup(a.Name)
			if a.Replace || oe.Value == "" || oe.Value == a.Value || e.Value != oe.Value {
				t.Fatalf("%s kept wrongly: old %q, new %q, want %q\n%q\n%q", a.Name, oe.Value, e.Value, a.Value, data, out)
			}
		}
		if c.Action == Added {
			added = append(added, a)
		}
		if c.Line != e.Line {
			t.Fatalf("%s reported at line %d, is at %d", a.Name, c.Line, e.Line)
		}
	}
	oldLines, newLines := splitLines(data), splitLines(out)
	j := 0 // index in newLines of the line that old line i became
	for i := 0; i < len(oldLines); i++ {
		if replacedLines[i+1] {
			a := i + 1
			for i+1 < len(oldLines) && replacedLines[i+2] {
				i++
			}
			j = replacedEnd(old, merged, a, i+1)
			continue
		}
		if j >= len(newLines) {
			t.Fatalf("old line %d %q missing from\n%q", i+1, oldLines[i], out)
		}
		rest, ok := strings.CutPrefix(newLines[j], oldLines[i])
		if !ok || (rest != "" && (i < len(oldLines)-1 || (rest != "\n" && rest != "\r\n" && rest != "\r"))) {
			t.Fatalf("old line %d %q became %q\n%q", i+1, oldLines[i], newLines[j], out)
		}
		j++
	}
	block, err := Parse("f", []byte(strings.Join(newLines[j:], "")))
	if err != nil || len(block.Entries) != len(added) {
		t.Fatalf("appended block %q: %v, want %d entries", newLines[j:], err, len(added))
	}
	for i, a := range added {
		if block.Entries[i].Key != a.Name || block.Entries[i].Value != a.Value {
			t.Fatalf("appended %s=%q, want %s=%q", block.Entries[i].Key, block.Entries[i].Value, a.Name, a.Value)
		}
	}

	again, changes2, err := Merge("f", out, as)
	if err != nil || !bytes.Equal(again, out) {
		t.Fatalf("merging again: %v\n%q\nbecame\n%q", err, out, again)
	}
	for _, c := range changes2 {
		if c.Action != Unchanged && c.Action != Kept {
			t.Fatalf("merging again: %+v", c)
		}
	}
}

// replacedEnd returns the line of merged where old lines a..b, which hold
// replaced statements, end. Statements that share those lines without being
// replaced keep their shape, so only their first line counts.
func replacedEnd(old, merged *File, a, b int) int {
	end := 0
	for k, e := range old.Entries {
		if e.EndLine < a || e.Line > b {
			continue
		}
		m := merged.Entries[k]
		if m.Value != e.Value || m.EndLine-m.Line != e.EndLine-e.Line {
			end = max(end, m.EndLine)
		} else {
			end = max(end, m.Line+(min(e.EndLine, b)-e.Line))
		}
	}
	return end
}

func parsedValues(t *testing.T, data []byte) map[string]string {
	t.Helper()
	f, err := Parse("f", data)
	if err != nil {
		t.Fatal(err)
	}
	return f.Values()
}

// splitLines cuts s after each line break as npm dotenv sees them: "\n",
// "\r\n" and a lone "\r"; a last line without one is kept.
func splitLines(b []byte) []string {
	var out []string
	s := string(b)
	for s != "" {
		i := strings.IndexAny(s, "\r\n")
		if i < 0 {
			return append(out, s)
		}
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			i++
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}
