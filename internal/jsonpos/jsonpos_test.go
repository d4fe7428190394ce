package jsonpos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestKindString(t *testing.T) {
	want := map[Kind]string{
		Null: "null", Bool: "boolean", Number: "number",
		String: "string", Array: "array", Object: "object",
		Kind(42): "Kind(42)",
	}
	for k, s := range want {
		if got := k.String(); got != s {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), got, s)
		}
	}
}

// at walks v along path; a string step is an object key (last member
// wins), an int step an array index. A step prefixed with "key:" returns a
// pseudo-value whose Pos is the key's position.
func at(t *testing.T, v *Value, path ...any) *Value {
	t.Helper()
	for _, step := range path {
		switch s := step.(type) {
		case string:
			if key, ok := strings.CutPrefix(s, "key:"); ok {
				m, found := v.Lookup(key)
				if !found {
					t.Fatalf("no key %q", key)
				}
				return &Value{Pos: m.KeyPos}
			}
			m, found := v.Lookup(s)
			if !found {
				t.Fatalf("no key %q", s)
			}
			v = m.Value
		case int:
			if v.Kind != Array || s >= len(v.Elems) {
				t.Fatalf("no element %d in %s", s, v.Kind)
			}
			v = v.Elems[s]
		}
	}
	return v
}

func TestPositions(t *testing.T) {
	type want struct {
		path      []any
		line, col int
		offset    int // checked when >= 0
	}
	tests := []struct {
		name  string
		in    string
		wants []want
	}{
		{
			name: "tabs and LF",
			in:   "{\n\t\"a\": 1,\n\t\"b\": [true,\tnull],\n  \"c\": {\"d\": \"x\"}\n}",
			wants: []want{
				{nil, 1, 1, 0},
				{[]any{"key:a"}, 2, 2, 3},
				{[]any{"a"}, 2, 7, 8},
				{[]any{"key:b"}, 3, 2, 12},
				{[]any{"b"}, 3, 7, 17},
				{[]any{"b", 0}, 3, 8, 18},
				{[]any{"b", 1}, 3, 14, 24},
				{[]any{"key:c"}, 4, 3, -1},
				{[]any{"c", "key:d"}, 4, 9, -1},
				{[]any{"c", "d"}, 4, 14, -1},
			},
		},
		{
			name: "CRLF",
			in:   "{\r\n  \"a\": 1,\r\n\r\n  \"b\": \"x\"\r\n}\r\n",
			wants: []want{
				{[]any{"key:a"}, 2, 3, 5},
				{[]any{"a"}, 2, 8, 10},
				{[]any{"key:b"}, 4, 3, -1},
				{[]any{"b"}, 4, 8, -1},
			},
		},
		{
			// A lone CR is whitespace that does not end the line.
			name: "lone CR",
			in:   "{\"a\":1,\r\"b\":2}",
			wants: []want{
				{[]any{"key:b"}, 1, 9, 8},
				{[]any{"b"}, 1, 13, 12},
			},
		},
		{
			name: "multibyte keys and values",
			in:   "{\"日本語\": \"値\", \"k\": 1}",
			wants: []want{
				{[]any{"日本語"}, 1, 9, 14},
				{[]any{"key:k"}, 1, 14, 21},
				{[]any{"k"}, 1, 19, 26},
			},
		},
		{
			name: "astral rune counts as one column",
			in:   "[\"😀\", 2,\n \"é\", 3]",
			wants: []want{
				{[]any{1}, 1, 7, 9},
				{[]any{2}, 2, 2, -1},
				{[]any{3}, 2, 7, -1},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.wants {
				got := at(t, v, w.path...).Pos
				if got.Line != w.line || got.Column != w.col || (w.offset >= 0 && got.Offset != w.offset) {
					t.Errorf("%v: got %d:%d (offset %d), want %d:%d (offset %d)", w.path, got.Line, got.Column, got.Offset, w.line, w.col, w.offset)
				}
			}
			checkPositions(t, []byte(tt.in), v)
		})
	}
}

func TestEnd(t *testing.T) {
	in := "{\n  \"s\": \"ab\",\n  \"n\": -1.5e3,\n  \"a\": [1, [2]],\n  \"t\": true\n}"
	v, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path      []any
		text      string
		line, col int
	}{
		{nil, in, 6, 2},
		{[]any{"s"}, `"ab"`, 2, 12},
		{[]any{"n"}, `-1.5e3`, 3, 14},
		{[]any{"a"}, `[1, [2]]`, 4, 16},
		{[]any{"a", 1}, `[2]`, 4, 15},
		{[]any{"t"}, `true`, 5, 12},
	}
	for _, tt := range tests {
		x := at(t, v, tt.path...)
		if got := in[x.Pos.Offset:x.End.Offset]; got != tt.text {
			t.Errorf("%v: text %q, want %q", tt.path, got, tt.text)
		}
		if x.End.Line != tt.line || x.End.Column != tt.col {
			t.Errorf("%v: End %d:%d, want %d:%d", tt.path, x.End.Line, x.End.Column, tt.line, tt.col)
		}
	}
	if n := at(t, v, "n"); n.Number != "-1.5e3" {
		t.Errorf("Number = %q", n.Number)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		line, col int
		msg       string
		hint      string // substring of the hint; "-" means no hint
	}{
		{"empty", "", 1, 1, "unexpected end of input: the file is empty", "-"},
		{"whitespace only", " \r\n\t\n ", 1, 1, "unexpected end of input: the file is empty", "-"},
		{"BOM", "\xEF\xBB\xBF{}", 1, 1, "the file starts with a UTF-8 byte order mark (U+FEFF), which JSON does not allow", "without BOM"},
		{"invalid UTF-8 in string", "{\"a\": \"caf\xe9\"}", 1, 11, "invalid UTF-8 byte 0xE9", "UTF-8"},
		{"invalid UTF-8 on line 2", "{\n  \"é\": \"\xff\"}", 2, 9, "invalid UTF-8 byte 0xFF", "UTF-8"},
		{"invalid UTF-8 before syntax error wins", "{,\n\xc3(}", 2, 1, "invalid UTF-8 byte 0xC3", "UTF-8"},
		{"encoded surrogate", "\"\xed\xa0\x80\"", 1, 2, "invalid UTF-8 byte 0xED", "UTF-8"},
		{"line comment", "{\n  // settings\n  \"a\": 1\n}", 2, 3, "comments are not allowed in JSON", "remove the comment"},
		{"block comment at top", "/* x */ {}", 1, 1, "comments are not allowed in JSON", "strict JSON"},
		{"comment after member", "{\"a\": 1 // x\n}", 1, 9, "comments are not allowed in JSON", "remove the comment"},
		{"comment after comma", "[1, /* two */ 2]", 1, 5, "comments are not allowed in JSON", "remove the comment"},
		{"comment after value", "{} // x", 1, 4, "comments are not allowed in JSON", "remove the comment"},
		{"lone slash", "[/]", 1, 2, "expected a value, found '/'", "-"},
		{"trailing comma in object", "{\n  \"a\": 1,\n}", 2, 9, "trailing comma is not allowed in JSON", "remove the ','"},
		{"trailing comma in array", "[1, 2,]", 1, 6, "trailing comma is not allowed in JSON", "remove the ','"},
		{"trailing comma before newline", "[\n  1,\n  2,\n]", 3, 4, "trailing comma is not allowed in JSON", "remove the ','"},
		{"single-quoted value", "{\"a\": 'b'}", 1, 7, "strings must be double-quoted; single quotes are not allowed in JSON", "double quotes"},
		{"single-quoted key", "{'a': 1}", 1, 2, "strings must be double-quoted; single quotes are not allowed in JSON", "double quotes"},
		{"unquoted key", "{\n  authKit: {}\n}", 2, 3, "object keys must be double-quoted strings", `write "authKit"`},
		{"numeric key", "{1: 2}", 1, 2, "object keys must be double-quoted strings", `write "1"`},
		{"no key after brace", "{,}", 1, 2, "expected a double-quoted object key, found ','", "-"},
		{"typographic quote key", "{“a”: 1}", 1, 2, "expected a double-quoted object key, found '“' (U+201C)", "straight double quotes"},
		{"missing comma between members", "{\"a\": 1\n \"b\": 2}", 2, 2, "expected ',' or '}' after object member", "add a ','"},
		{"missing comma between elements", "[1 2]", 1, 4, "expected ',' or ']' after array element", "add a ','"},
		{"wrong closer for object", "{\"a\": 1]", 1, 8, "expected ',' or '}' after object member", "object opened at 1:1 must be closed with '}'"},
		{"wrong closer for array", "[1}", 1, 3, "expected ',' or ']' after array element", "array opened at 1:1 must be closed with ']'"},
		{"missing colon", "{\"a\" 1}", 1, 6, "expected ':' after object key", "add ':'"},
		{"equals for colon", "{\"a\"=1}", 1, 5, "expected ':' after object key", "instead of '='"},
		{"unterminated string", "{\"a\": \"abc", 1, 7, "unterminated string", "closing"},
		{"unterminated after backslash", "\"abc\\", 1, 1, "unterminated string", "closing"},
		{"raw newline in string", "{\"a\": \"ab\ncd\"}", 1, 10, `control character U+000A in string; escape it as \n`, "opened at 1:7"},
		{"raw CR in string", "[\"ab\r\n\"]", 1, 5, `control character U+000D in string; escape it as \r`, "span lines"},
		{"raw tab in string", "\"a\tb\"", 1, 3, `control character U+0009 in string; escape it as \t`, "-"},
		{"raw U+0001 in string", "\"\x01\"", 1, 2, `control character U+0001 in string; escape it as \u0001`, "-"},
		{"raw NUL in escaped string", "\"\\n\x00\"", 1, 4, `control character U+0000 in string; escape it as \u0000`, "-"},
		{"invalid escape", `"a\xb"`, 1, 3, `invalid escape sequence \x in string`, `\uXXXX`},
		{"escaped single quote", `"it\'s"`, 1, 4, `invalid escape sequence \' in string`, `\uXXXX`},
		{"bad \\u escape", `"\u12G4"`, 1, 2, `invalid \u escape in string: \u must be followed by exactly 4 hexadecimal digits`, `\u00e9`},
		{"short \\u escape", `"\u12`, 1, 2, `invalid \u escape in string: \u must be followed by exactly 4 hexadecimal digits`, `\u00e9`},
		{"leading zero", "[01]", 1, 2, `invalid number "01": leading zeros are not allowed`, "leading zeros"},
		{"negative leading zero", "{\"a\":\n  -007}", 2, 3, `invalid number "-007": leading zeros are not allowed`, "leading zeros"},
		{"plus sign", "[+1]", 1, 2, `invalid number "+1": numbers cannot start with '+'`, "remove the '+'"},
		{"no digit before point", "[.5]", 1, 2, `invalid number ".5": numbers need a digit before the decimal point`, "write 0.5"},
		{"no digit after point", "[1.]", 1, 2, `invalid number "1.": expected a digit after the decimal point`, ""},
		{"empty exponent", "{\"a\": 1e}", 1, 7, `invalid number "1e": expected a digit in the exponent`, "exponent"},
		{"signed empty exponent", "1E+", 1, 1, `invalid number "1E+": expected a digit in the exponent`, "exponent"},
		{"minus alone", "[-]", 1, 2, `invalid number "-": expected a digit after '-'`, "-"},
		{"minus point", "-.5", 1, 1, `invalid number "-.5": expected a digit after '-'`, "-"},
		{"two points", "[1.5.3]", 1, 2, `invalid number "1.5.3": not a JSON number`, "-"},
		{"unit suffix", "{\"port\": 80px}", 1, 10, `invalid number "80px": not a JSON number`, "-"},
		{"hex", "[0x1F]", 1, 2, `invalid number "0x1F": hexadecimal numbers are not allowed in JSON`, "decimal"},
		{"NaN", "[NaN]", 1, 2, "NaN is not allowed in JSON", "null"},
		{"Infinity", "{\"a\": Infinity}", 1, 7, "Infinity is not allowed in JSON", "null"},
		{"-Infinity", "[-Infinity]", 1, 2, "-Infinity is not allowed in JSON", "null"},
		{"tru", "[tru]", 1, 2, `invalid literal "tru"`, "did you mean true?"},
		{"nul", "nul", 1, 1, `invalid literal "nul"`, "did you mean null?"},
		{"fals at end", "[fals", 1, 2, `invalid literal "fals"`, "did you mean false?"},
		{"True", "[True]", 1, 2, `invalid literal "True"`, "lowercase; write true"},
		{"FALSE", "[FALSE]", 1, 2, `invalid literal "FALSE"`, "lowercase; write false"},
		{"None", "{\"a\": None}", 1, 7, `invalid literal "None"`, "null"},
		{"undefined", "[undefined]", 1, 2, "undefined is not allowed in JSON", "use null"},
		{"bare word", "{\"a\": production}", 1, 7, `unexpected word "production"`, `write "production"`},
		{"literal with suffix", "[truex]", 1, 2, `invalid literal "truex"`, "did you mean true?"},
		{"extra value", "{} {}", 1, 4, "unexpected data after the top-level value", "single value"},
		{"extra brace", "{\"a\": {}}}\n", 1, 10, "unexpected data after the top-level value", "one '}' too many"},
		{"two top-level values on lines", "1\n2", 2, 1, "unexpected data after the top-level value", "ends at 1:2"},
		{"EOF after member", "{\"a\": 1", 1, 8, "unexpected end of input: expected ',' or '}' after object member", "object opened at 1:1 is not closed with '}'"},
		{"EOF after comma", "[1, ", 1, 5, "unexpected end of input: expected a value", "array opened at 1:1 is not closed with ']'"},
		{"EOF after brace", "{\n", 2, 1, "unexpected end of input: expected an object key", "object opened at 1:1"},
		{"EOF after key", "{\"a\"", 1, 5, "unexpected end of input: expected ':' after object key", "object opened"},
		{"EOF after colon", "{\"a\": [1, {\"b\":", 1, 16, "unexpected end of input: expected a value", "object opened at 1:11"},
		{"EOF in array", "[[1]", 1, 5, "unexpected end of input: expected ',' or ']' after array element", "array opened at 1:1"},
		{"double comma", "[1,,2]", 1, 4, "expected a value, found ','", "-"},
		{"missing value", "{\"a\":}", 1, 6, "expected a value, found '}'", "-"},
		{"no-break space", "{\"a\":\u00a01}", 1, 6, "expected a value, found U+00A0", "whitespace"},
		{"form feed", "[\f1]", 1, 2, "expected a value, found U+000C", "whitespace"},
		{"BOM inside", "[\uFEFF1]", 1, 2, "expected a value, found U+FEFF", "whitespace"},
		{"control outside string", "[\x01]", 1, 2, "expected a value, found U+0001", "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := Parse([]byte(tt.in))
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want error", tt.in, v)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not *SyntaxError", err)
			}
			if se.Pos.Line != tt.line || se.Pos.Column != tt.col || se.Msg != tt.msg {
				t.Errorf("Parse(%q):\n got %d:%d: %s\nwant %d:%d: %s", tt.in, se.Pos.Line, se.Pos.Column, se.Msg, tt.line, tt.col, tt.msg)
			}
			if want := slowPos([]byte(tt.in), se.Pos.Offset); want != se.Pos {
				t.Errorf("Pos %+v disagrees with its offset (%+v)", se.Pos, want)
			}
			switch tt.hint {
			case "-":
				if se.Hint != "" {
					t.Errorf("unexpected hint %q", se.Hint)
				}
			case "":
			default:
				if !strings.Contains(se.Hint, tt.hint) {
					t.Errorf("hint %q does not contain %q", se.Hint, tt.hint)
				}
			}
			if want := fmt.Sprintf("%d:%d: %s", tt.line, tt.col, tt.msg); err.Error() != want {
				t.Errorf("Error() = %q, want %q", err.Error(), want)
			}
			if json.Valid([]byte(tt.in)) && utf8.ValidString(tt.in) {
				t.Errorf("encoding/json accepts %q", tt.in)
			}
		})
	}
}

func TestDepth(t *testing.T) {
	nest := func(n int, open, close string) []byte {
		return []byte(strings.Repeat(open, n) + "0" + strings.Repeat(close, n))
	}
	if _, err := Parse(nest(maxDepth, "[", "]")); err != nil {
		t.Errorf("depth %d arrays: %v", maxDepth, err)
	}
	if _, err := Parse(nest(maxDepth, `{"a":`, "}")); err != nil {
		t.Errorf("depth %d objects: %v", maxDepth, err)
	}
	for _, in := range [][]byte{
		nest(maxDepth+1, "[", "]"),
		nest(maxDepth+1, `{"a":`, "}"),
		[]byte(strings.Repeat("[", 10_000_000)), // hostile: must not overflow the stack
	} {
		_, err := Parse(in)
		var se *SyntaxError
		if !errors.As(err, &se) || !strings.HasPrefix(se.Msg, "nesting too deep") {
			t.Fatalf("depth > %d: got %v", maxDepth, err)
		}
		// The innermost bracket that is one too many.
		if se.Pos.Line != 1 || in[se.Pos.Offset] != in[0] || strings.Count(string(in[:se.Pos.Offset]), string(in[0])) != maxDepth {
			t.Errorf("nesting error at %+v", se.Pos)
		}
	}
}

func TestEscapes(t *testing.T) {
	tests := []struct{ in, want string }{
		{`"plain"`, "plain"},
		{`""`, ""},
		{`"\"\\\/\b\f\n\r\t"`, "\"\\/\b\f\n\r\t"},
		{`"a\nb"`, "a\nb"},
		{`"\u0041\u00e9\u4e2D\u00C9"`, "Aé中É"},
		{`"\u0000"`, "\x00"},
		{`"\u001f"`, "\x1f"},
		{`"\ud83d\ude00"`, "😀"},
		{`"\uD83D\uDE00!"`, "😀!"},
		{`"\udbff\udfff"`, "\U0010FFFF"},
		{`"\ud800"`, "\uFFFD"},
		{`"\udc00x"`, "\uFFFDx"},
		{`"\ud800\u0041"`, "\uFFFDA"},
		{`"\ud800\ud83d\ude00"`, "\uFFFD😀"},
		{`"\ude00\ud83d"`, "\uFFFD\uFFFD"},
		{`"\ud83dabc"`, "\uFFFDabc"},
		{`"\ud83d\n"`, "\uFFFD\n"},
		{`"\u2028\u2029"`, "\u2028\u2029"},
		{`"é\n日本 😀"`, "é\n日本 😀"},
		{"\"raw \u2028 and é\"", "raw \u2028 and é"},
		{`"\\u0041"`, `\u0041`},
	}
	for _, tt := range tests {
		v, err := Parse([]byte(tt.in))
		if err != nil {
			t.Errorf("Parse(%s): %v", tt.in, err)
			continue
		}
		if v.Kind != String || v.Str != tt.want {
			t.Errorf("Parse(%s) = %s %q, want %q", tt.in, v.Kind, v.Str, tt.want)
		}
		var std string
		if err := json.Unmarshal([]byte(tt.in), &std); err != nil || std != v.Str {
			t.Errorf("encoding/json decodes %s as %q (%v), we as %q", tt.in, std, err, v.Str)
		}
	}
}

func TestObjectAccessors(t *testing.T) {
	in := `{"b": 1, "a": 2, "b": 3, "c": {}, "a": 4, "b": 5}`
	v, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	m, ok := v.Lookup("b")
	if !ok || m.Value.Number != "5" || m.KeyPos.Column != 43 {
		t.Errorf("Lookup(b) = %+v, %v; want last member, 5 at column 43", m, ok)
	}
	if m, ok := v.Lookup("a"); !ok || m.Value.Number != "4" {
		t.Errorf("Lookup(a) = %+v, %v", m, ok)
	}
	if _, ok := v.Lookup("z"); ok {
		t.Error("Lookup(z) found a member")
	}
	if got, want := v.Keys(), []string{"b", "a", "c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Keys() = %q, want %q", got, want)
	}
	var dups []string
	for _, d := range v.Duplicates() {
		dups = append(dups, fmt.Sprintf("%s=%s@%d", d.Key, d.Value.Number, d.KeyPos.Column))
	}
	if want := []string{"b=1@2", "a=2@10", "b=3@18"}; !reflect.DeepEqual(dups, want) {
		t.Errorf("Duplicates() = %q, want %q", dups, want)
	}

	c := at(t, v, "c")
	if c.Keys() != nil || c.Duplicates() != nil {
		t.Error("empty object has keys or duplicates")
	}
	arr, _ := Parse([]byte(`[1]`))
	if _, ok := arr.Lookup("0"); ok || arr.Keys() != nil || arr.Duplicates() != nil {
		t.Error("accessors on an array should find nothing")
	}
	var nilValue *Value
	if _, ok := nilValue.Lookup("a"); ok || nilValue.Keys() != nil || nilValue.Duplicates() != nil {
		t.Error("accessors on nil should find nothing")
	}
}

// toAny converts v to what encoding/json decodes into with UseNumber.
func toAny(v *Value) any {
	switch v.Kind {
	case Null:
		return nil
	case Bool:
		return v.Bool
	case Number:
		return json.Number(v.Number)
	case String:
		return v.Str
	case Array:
		out := make([]any, len(v.Elems))
		for i, e := range v.Elems {
			out[i] = toAny(e)
		}
		return out
	case Object:
		out := make(map[string]any, len(v.Members))
		for _, m := range v.Members {
			out[m.Key] = toAny(m.Value) // later members overwrite, as in JSON.parse
		}
		return out
	}
	panic("unknown kind " + v.Kind.String())
}

func stdDecode(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var out any
	err := d.Decode(&out)
	return out, err
}

// differentialCorpus mixes valid and invalid documents; the test derives
// which is which from encoding/json.
var differentialCorpus = []string{
	`{}`, `[]`, `null`, `true`, `false`, `0`, `-0`, `1`, `-1`, `0.5`, `-0.0e-0`,
	`1E400`, `123456789012345678901234567890`, `1e+2`, `1E-2`, `""`, `"x"`,
	" \t\r\n{ \"a\" : [ 1 , 2 ] }\r\n ",
	`{"a":{"b":{"c":[[],[{}],{"d":null}]}}}`,
	`{"a":1,"a":2}`, `{"":""}`, `[1,"2",true,false,null,{},[]]`,
	`{"authKit":{"dev":{"configure":{"redirectUris":["http://localhost:5173/callback"]}}}}`,
	`"\u00e9\ud83d\ude00\ud800\"\\\/\b\f\n\r\t"`, "\"\u2028\"", `"日本"`,
	`{"a":1,}`, `[1,]`, `[01]`, `[1.]`, `[.1]`, `[+1]`, `[-]`, `1e`, `[NaN]`,
	`{'a':1}`, `{a:1}`, `{"a" 1}`, `{"a":1 "b":2}`, `[1 2]`, `"abc`, "\"a\nb\"",
	`"\x"`, `"\u12"`, `"\uZZZZ"`, `tru`, `True`, `nul`, `{} {}`, `{}}`, `[`, `{`,
	`]`, `}`, `,`, `:`, `{"a"}`, `{"a":}`, `[,]`, `[,1]`, "\xef\xbb\xbf{}",
	"// x\n{}", "{} /* */", " ", "", "[\f]", "\u00a0[]", "0x10", "1.5.3", "-01",
	"[1e1.5]", `{"a":[}`, `[{]`, `{,"a":1}`, `"\/"`, `"\'"`,
}

func TestDifferential(t *testing.T) {
	valid := 0
	for _, in := range differentialCorpus {
		data := []byte(in)
		v, err := Parse(data)
		if got, want := err == nil, json.Valid(data); got != want {
			t.Errorf("Parse(%q) error %v; json.Valid = %v", in, err, want)
			continue
		}
		if err != nil {
			continue
		}
		valid++
		std, err := stdDecode(data)
		if err != nil {
			t.Fatalf("encoding/json cannot decode valid %q: %v", in, err)
		}
		if got := toAny(v); !reflect.DeepEqual(got, std) {
			t.Errorf("Parse(%q) = %#v, encoding/json %#v", in, got, std)
		}
		checkPositions(t, data, v)
	}
	if valid < 20 {
		t.Errorf("only %d valid documents in the corpus", valid)
	}
}

// naivePositions recounts the position of every rune start the slow, obvious
// way; other offsets map to the zero Pos.
func naivePositions(data []byte) []Pos {
	out := make([]Pos, len(data)+1)
	line, col := 1, 1
	for i := 0; i < len(data); {
		out[i] = Pos{Offset: i, Line: line, Column: col}
		_, size := utf8.DecodeRune(data[i:])
		if data[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	out[len(data)] = Pos{Offset: len(data), Line: line, Column: col}
	return out
}

// checkPositions verifies that every position in v is inside data, agrees
// with a recount, and points at the right kind of token.
func checkPositions(t testing.TB, data []byte, v *Value) {
	t.Helper()
	want := naivePositions(data)
	check := func(what string, p Pos) {
		t.Helper()
		if p.Offset < 0 || p.Offset > len(data) {
			t.Fatalf("%s offset %d outside [0, %d]", what, p.Offset, len(data))
		}
		if want[p.Offset] != p {
			t.Fatalf("%s: got %+v, recount %+v", what, p, want[p.Offset])
		}
	}
	var walk func(v *Value)
	walk = func(v *Value) {
		check("Pos", v.Pos)
		check("End", v.End)
		if v.Pos.Offset >= v.End.Offset || v.Pos.Offset >= len(data) {
			t.Fatalf("%s spans %d..%d", v.Kind, v.Pos.Offset, v.End.Offset)
		}
		first, last := data[v.Pos.Offset], data[v.End.Offset-1]
		ok := true
		switch v.Kind {
		case Null:
			ok = string(data[v.Pos.Offset:v.End.Offset]) == "null"
		case Bool:
			ok = string(data[v.Pos.Offset:v.End.Offset]) == fmt.Sprint(v.Bool)
		case Number:
			ok = string(data[v.Pos.Offset:v.End.Offset]) == v.Number
		case String:
			ok = first == '"' && last == '"'
		case Array:
			ok = first == '[' && last == ']'
			for _, e := range v.Elems {
				walk(e)
			}
		case Object:
			ok = first == '{' && last == '}'
			for _, m := range v.Members {
				check("KeyPos", m.KeyPos)
				if data[m.KeyPos.Offset] != '"' || m.KeyPos.Offset <= v.Pos.Offset || m.KeyPos.Offset >= m.Value.Pos.Offset {
					t.Fatalf("key %q at %+v", m.Key, m.KeyPos)
				}
				walk(m.Value)
			}
		}
		if !ok {
			t.Fatalf("%s at %+v: text %q", v.Kind, v.Pos, data[v.Pos.Offset:v.End.Offset])
		}
	}
	walk(v)
}

func FuzzParse(f *testing.F) {
	for _, s := range differentialCorpus {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Parse(data)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not *SyntaxError", err)
			}
			if v != nil {
				t.Fatal("non-nil value with an error")
			}
			if se.Msg == "" {
				t.Fatal("empty message")
			}
			if p := se.Pos; p.Offset < 0 || p.Offset > len(data) || naivePositions(data)[p.Offset] != p {
				t.Fatalf("error position %+v is off (recount %+v)", p, slowPos(data, min(max(p.Offset, 0), len(data))))
			}
		} else {
			checkPositions(t, data, v)
		}

		// Deliberate differences from encoding/json; see the package doc.
		if !utf8.Valid(data) {
			if err == nil {
				t.Fatal("accepted invalid UTF-8")
			}
			return
		}
		if se := (*SyntaxError)(nil); errors.As(err, &se) && strings.HasPrefix(se.Msg, "nesting too deep") {
			return
		}

		if valid := json.Valid(data); valid != (err == nil) {
			t.Fatalf("Parse error %v, but json.Valid = %v", err, valid)
		}
		if err == nil {
			std, stdErr := stdDecode(data)
			if stdErr != nil {
				t.Fatalf("encoding/json: %v", stdErr)
			}
			if got := toAny(v); !reflect.DeepEqual(got, std) {
				t.Fatalf("decoded %#v, encoding/json %#v", got, std)
			}
		}
	})
}

// convexDoc builds a convex.json-like document whose authKit sections list
// n redirect URIs each.
func convexDoc(n int) []byte {
	var b strings.Builder
	b.WriteString("{\n  \"$schema\": \"https://raw.githubusercontent.com/get-convex/convex-backend/main/npm-packages/convex/schemas/convex.schema.json\",\n")
	b.WriteString("  \"node\": {\"externalPackages\": [\"sharp\", \"@aws-sdk/client-s3\"]},\n")
	b.WriteString("  \"authKit\": {\n")
	for i, env := range []string{"dev", "preview", "prod"} {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, "    %q: {\n", env)
		if env == "prod" {
			b.WriteString("      \"environmentType\": \"production\",\n")
		}
		b.WriteString("      \"configure\": {\n        \"redirectUris\": [\n")
		for j := range n {
			if j > 0 {
				b.WriteString(",\n")
			}
			fmt.Fprintf(&b, "          \"https://app-%d.%s.example.com/auth/callback?tenant=%d\"", j, env, j*7919%10007)
		}
		b.WriteString("\n        ],\n")
		b.WriteString("        \"appHomepageUrl\": \"${buildEnv.SITE_URL}\",\n")
		b.WriteString("        \"corsOrigins\": [\"${buildEnv.SITE_URL}\", \"http://localhost:5173\"]\n      },\n")
		b.WriteString("      \"localEnvVars\": {\n")
		b.WriteString("        \"VITE_WORKOS_CLIENT_ID\": \"${authEnv.WORKOS_CLIENT_ID}\",\n")
		b.WriteString("        \"VITE_WORKOS_REDIRECT_URI\": \"http://localhost:5173/callback\",\n")
		b.WriteString("        \"WORKOS_COOKIE_PASSWORD\": \"\\u00e9t\\u00e9 \\ud83d\\ude00 \\\"quoted\\\"\",\n")
		b.WriteString("        \"PORT\": 5173, \"DEBUG\": false, \"RATIO\": -1.25e-3, \"EXTRA\": null\n")
		b.WriteString("      }\n    }")
	}
	b.WriteString("\n  }\n}\n")
	return []byte(b.String())
}

func TestConvexDoc(t *testing.T) {
	data := convexDoc(50)
	v, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(data) {
		t.Fatal("generated document is not valid JSON")
	}
	std, _ := stdDecode(data)
	if !reflect.DeepEqual(toAny(v), std) {
		t.Error("decoded document differs from encoding/json")
	}
	checkPositions(t, data, v)
	uris := at(t, v, "authKit", "prod", "configure", "redirectUris")
	if len(uris.Elems) != 50 || uris.Elems[49].Pos.Column != 11 {
		t.Errorf("redirectUris: %d elements, last at %+v", len(uris.Elems), uris.Elems[len(uris.Elems)-1].Pos)
	}
}

func BenchmarkParse(b *testing.B) {
	data := convexDoc(2300)
	b.Logf("document size: %d bytes", len(data))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseMinified keeps the whole document on one line, where a
// column computed from the start of the line for every value would be
// quadratic.
func BenchmarkParseMinified(b *testing.B) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, convexDoc(2300)); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}
