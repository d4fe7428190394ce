package textdiff

import (
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"testing"
)

func TestUnified(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		want     string
	}{
		{"equal", "a\nb\n", "a\nb\n", ""},
		{"both empty", "", "", ""},
		{"create", "", "a\nb\n", `--- a/f
+++ b/f
@@ -0,0 +1,2 @@
+a
+b
`},
		{"delete all", "a\n", "", `--- a/f
+++ b/f
@@ -1 +0,0 @@
-a
`},
		{"change in the middle keeps three lines of context", "1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nfive\n6\n7\n8\n9\n", `--- a/f
+++ b/f
@@ -2,7 +2,7 @@
 2
 3
 4
-5
+five
 6
 7
 8
`},
		{"far apart changes are two hunks", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", "one\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\ntwelve\n", `--- a/f
+++ b/f
@@ -1,4 +1,4 @@
-1
+one
 2
 3
 4
@@ -9,4 +9,4 @@
 9
 10
 11
-12
+twelve
`},
		{"changes six lines apart share a hunk", "1\n2\n3\n4\n5\n6\n7\n8\n", "one\n2\n3\n4\n5\n6\n7\neight\n", `--- a/f
+++ b/f
@@ -1,8 +1,8 @@
-1
+one
 2
 3
 4
 5
 6
 7
-8
+eight
`},
		{"insert at the end", "a\nb\n", "a\nb\nc\n", `--- a/f
+++ b/f
@@ -1,2 +1,3 @@
 a
 b
+c
`},
		{"missing final newline", "a\nb", "a\nb\n", `--- a/f
+++ b/f
@@ -1,2 +1,2 @@
 a
-b
\ No newline at end of file
+b
`},
		{"missing final newline in context", "a\nb\nc", "x\nb\nc", `--- a/f
+++ b/f
@@ -1,3 +1,3 @@
-a
+x
 b
 c
\ No newline at end of file
`},
		{"CRLF lines differ from LF lines", "a\r\n", "a\n", "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\r\n+a\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Unified("a/f", "b/f", tt.old, tt.new); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestUnifiedNames(t *testing.T) {
	got := Unified("/dev/null", "b/convex/auth.config.ts", "", "x\n")
	if !strings.HasPrefix(got, "--- /dev/null\n+++ b/convex/auth.config.ts\n") {
		t.Errorf("headers: %q", got)
	}
}

// TestUnifiedRandom checks on random inputs that applying the diff to old
// gives new, and that the diff is minimal: as many changed lines as the
// longest common subsequence allows.
func TestUnifiedRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 2000; i++ {
		old, new := randomText(rng), randomText(rng)
		d := Unified("a", "b", old, new)
		got, err := apply(old, d)
		if err != nil {
			t.Fatalf("old %q new %q: %v\n%s", old, new, err, d)
		}
		if got != new {
			t.Fatalf("old %q new %q: patch gives %q\n%s", old, new, got, d)
		}
		a, b := splitLines(old), splitLines(new)
		if changed, want := countChanges(d), len(a)+len(b)-2*lcs(a, b); changed != want {
			t.Fatalf("old %q new %q: %d changed lines, minimal is %d\n%s", old, new, changed, want, d)
		}
	}
}

// FuzzUnified checks that the diff of any two texts is empty exactly when
// they are equal and, applied by a strict patch, turns the old text into
// the new. Seeds live in testdata/fuzz/FuzzUnified.
func FuzzUnified(f *testing.F) {
	f.Add("a\nb\nc\n", "a\nc\nd")
	f.Add("", "x")
	f.Add("1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n9\n")
	f.Fuzz(func(t *testing.T, old, new string) {
		d := Unified("a", "b", old, new)
		if (d == "") != (old == new) {
			t.Fatalf("empty diff iff equal: %q", d)
		}
		got, err := apply(old, d)
		if err != nil {
			t.Fatalf("%v\n%s", err, d)
		}
		if got != new {
			t.Fatalf("patch gives %q, want %q\n%s", got, new, d)
		}
	})
}

func BenchmarkUnified(b *testing.B) {
	rng := rand.New(rand.NewSource(2))
	var old, new strings.Builder
	for i := 0; i < 5000; i++ {
		line := strconv.Itoa(rng.Intn(200)) + "\n"
		old.WriteString(line)
		if rng.Intn(10) != 0 {
			new.WriteString(line)
		} else {
			new.WriteString("changed\n")
		}
	}
	for b.Loop() {
		Unified("a", "b", old.String(), new.String())
	}
}

func randomText(rng *rand.Rand) string {
	var sb strings.Builder
	for n := rng.Intn(12); n > 0; n-- {
		sb.WriteString(string(rune('a' + rng.Intn(3))))
		if n > 1 || rng.Intn(4) != 0 {
			sb.WriteByte('\n')
		}
	}
	return sb.String()
}

const noNewline = "\\ No newline at end of file\n"

// apply is a strict patch: every context and deleted line must match.
func apply(old, diff string) (string, error) {
	if diff == "" {
		return old, nil
	}
	a := splitLines(old)
	lines := splitLines(diff)
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "--- ") || !strings.HasPrefix(lines[1], "+++ ") {
		return "", fmt.Errorf("bad headers")
	}
	var out strings.Builder
	pos := 0 // next unconsumed line of a
	for i := 2; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "@@ "):
			// "-S,C" or "-S": S is 1-based, or the line before an empty range.
			startText, count, _ := strings.Cut(strings.Fields(l)[1][1:], ",")
			start, err := strconv.Atoi(startText)
			if err != nil {
				return "", fmt.Errorf("bad hunk header %q", l)
			}
			oldStart := start - 1
			if count == "0" {
				oldStart = start
			}
			if oldStart < pos {
				return "", fmt.Errorf("hunks overlap or go backwards at %q", l)
			}
			for ; pos < oldStart; pos++ {
				out.WriteString(a[pos])
			}
		case l == noNewline:
			return "", fmt.Errorf("misplaced no-newline marker")
		case l[0] == ' ' || l[0] == '-':
			if pos >= len(a) {
				return "", fmt.Errorf("line %q past the end", l)
			}
			text := l[1:]
			if i+1 < len(lines) && lines[i+1] == noNewline {
				text = strings.TrimSuffix(text, "\n")
				i++
			}
			if text != a[pos] {
				return "", fmt.Errorf("line %d is %q, diff says %q", pos+1, a[pos], text)
			}
			if l[0] == ' ' {
				out.WriteString(text)
			}
			pos++
		case l[0] == '+':
			text := l[1:]
			if i+1 < len(lines) && lines[i+1] == noNewline {
				text = strings.TrimSuffix(text, "\n")
				i++
			}
			out.WriteString(text)
		default:
			return "", fmt.Errorf("unexpected line %q", l)
		}
	}
	for ; pos < len(a); pos++ {
		out.WriteString(a[pos])
	}
	return out.String(), nil
}

func countChanges(diff string) int {
	n := 0
	for i, l := range splitLines(diff) {
		if i >= 2 && (l[0] == '+' || l[0] == '-') {
			n++
		}
	}
	return n
}

func lcs(a, b []string) int {
	dp := make([][]int, len(a)+1)
	for i := range dp {
		dp[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				dp[i][j] = dp[i+1][j+1] + 1
			} else {
				dp[i][j] = max(dp[i+1][j], dp[i][j+1])
			}
		}
	}
	return dp[0][0]
}
