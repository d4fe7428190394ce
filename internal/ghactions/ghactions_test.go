package ghactions

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/diag"
)

func TestAnnotationString(t *testing.T) {
	for _, tt := range []struct {
		a    Annotation
		want string
	}{
		{Annotation{Level: LevelError, Message: "plain"}, "::error::plain"},
		// Data escapes %, CR and LF; properties also : and , which would
		// end the property.
		{Annotation{Level: LevelWarning, File: "a,b:c%.json", Line: 3, Col: 7, Title: "t: x, y", Message: "100% a:b,c\r\nnext"},
			"::warning file=a%2Cb%3Ac%25.json,line=3,col=7,title=t%3A x%2C y::100%25 a:b,c%0D%0Anext"},
		// A column without a line, or a line without a file, means nothing.
		{Annotation{Level: LevelNotice, Col: 4, File: "f", Message: "m"}, "::notice file=f::m"},
		{Annotation{Level: LevelError, Line: 4, Message: "m"}, "::error::m"},
	} {
		if got := tt.a.String(); got != tt.want {
			t.Errorf("%+v: got %q, want %q", tt.a, got, tt.want)
		}
	}
}

func TestAnnotatorPath(t *testing.T) {
	ws := filepath.FromSlash("/repo")
	a := NewAnnotator(Env{Actions: true, Workspace: ws}, nil, filepath.Join(ws, "apps", "web"),
		map[string]string{"other/convex.json": filepath.Join(ws, "cfg", "convex.json")}, "t")
	for name, want := range map[string]string{
		"convex.json":           "apps/web/convex.json",
		"convex/auth.config.ts": "apps/web/convex/auth.config.ts",
		"other/convex.json":     "cfg/convex.json",
		"../../x.json":          "x.json",
		"../../../outside.json": filepath.ToSlash(filepath.Join(filepath.Dir(ws), "outside.json")),
		"":                      "",
	} {
		if got := a.Path(name); got != want {
			t.Errorf("Path(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestAnnotatorOff(t *testing.T) {
	var buf bytes.Buffer
	a := NewAnnotator(Env{Workspace: "/repo"}, &buf, "/repo", nil, "t")
	a.Problems([]diag.Problem{{Severity: diag.SeverityError, File: "f", Message: "m"}})
	a.Message(LevelError, "", "m", "")
	a.Wrap(func(w io.Writer) io.Writer { return w }).Message(LevelError, "", "m", "")
	if buf.Len() != 0 {
		t.Errorf("wrote %q outside GitHub Actions", buf.String())
	}
}

func TestFromEnv(t *testing.T) {
	e := FromEnv(map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": "/s.md"}, "/wd")
	if !e.Actions || e.Workspace != filepath.Clean("/wd") || e.SummaryPath != "/s.md" {
		t.Errorf("%+v", e)
	}
	if e := FromEnv(map[string]string{"GITHUB_ACTIONS": "1", "GITHUB_WORKSPACE": "/ws"}, "/wd"); e.Actions || e.Workspace != filepath.Clean("/ws") {
		t.Errorf("%+v", e)
	}
}

func TestSummarizeAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "summary.md")
	if err := os.WriteFile(path, []byte("before\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	md := NewMarkdown("head | x", func(s string) string { return s + "!" })
	md.Table([]string{"a", "b"}, []bool{true, false}, [][]string{{"x|y", "l1\nl2"}})
	var warn bytes.Buffer
	Step{SummaryPath: path}.Summarize(&warn, md)
	got, _ := os.ReadFile(path)
	want := "before\n### head | x!\n\n| a | b |\n| --- | --- |\n| `x\\|y!` | l1<br>l2! |\n\n"
	if string(got) != want || warn.Len() != 0 {
		t.Errorf("got %q, want %q (warning %q)", got, want, warn.String())
	}
	Step{SummaryPath: filepath.Join(path, "not-a-dir")}.Summarize(&warn, md)
	if warn.Len() == 0 {
		t.Error("no warning for an unwritable summary")
	}
}
