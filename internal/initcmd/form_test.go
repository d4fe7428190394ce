package initcmd

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/framework"
)

// terminalInput hands out one line per Read, as a terminal in line mode
// does. huh's accessible prompts read each answer with a fresh bufio.Scanner,
// which would swallow every later line of a plain buffer.
type terminalInput struct{ lines []string }

func (r *terminalInput) Read(p []byte) (int, error) {
	if len(r.lines) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.lines[0]+"\n")
	r.lines = r.lines[1:]
	return n, nil
}

func allQuestions() Questions {
	return Questions{Framework: true, Port: true, ClientID: true, AuthDomain: true, Files: true, APIKey: true,
		PortFor: func(f *framework.Framework) int { return f.DefaultPort }}
}

// TestAccessibleForm drives the huh form in accessible mode through its
// streams, answering as a screen reader user would, line by line.
func TestAccessibleForm(t *testing.T) {
	in := &terminalInput{lines: []string{
		"2",                         // framework: Next.js (the detected Vite + React is the default)
		"abc",                       // not a port: asked again
		"4000",                      // port
		"3",                         // files: untick .env.local
		"0",                         // done choosing files
		"",                          // client ID: not needed without .env.local
		"y",                         // custom auth domain?
		"https://auth.example.com/", // its host, pasted as a URL
	}}
	var out bytes.Buffer
	form := &HuhForm{In: in, Out: &out, Accessible: true}
	a := &Answers{Framework: framework.ViteReact, Port: 5173, Files: slices.Clone(AllFiles)}
	if err := form.Ask(a, allQuestions()); err != nil {
		t.Fatal(err)
	}
	if a.Framework != framework.NextJS || a.Port != 4000 || a.ClientID != "" || a.AuthDomain != "auth.example.com" {
		t.Errorf("answers = %s %d %q %q", a.Framework.ID, a.Port, a.ClientID, a.AuthDomain)
	}
	if !slices.Equal(a.Files, []string{FileConvexJSON, FileAuthConfig}) {
		t.Errorf("files = %v", a.Files)
	}
	if len(in.lines) != 0 {
		t.Errorf("unread answers: %q", in.lines)
	}
	text := out.String()
	for _, want := range []string{
		"Framework", "1. TanStack Start", "2. Next.js", "4. Vite + React",
		"Dev server port [3000]", // the default follows the framework chosen
		"not a port",
		"Files to write", ".env.local",
		"WorkOS client ID",
		"Do you use a custom auth domain for AuthKit? [y/N]",
		"Auth domain host",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	// Without .env.local there is no reason to ask for the key at all.
	if strings.Contains(text, "API key") {
		t.Errorf("asked for the API key:\n%s", text)
	}
}

func TestAccessibleFormDefaultsAndRequiredClientID(t *testing.T) {
	in := &terminalInput{lines: []string{
		"",                         // framework: keep Vite + React
		"",                         // port: keep 5173
		"0",                        // files: keep all three
		"",                         // client ID is required for .env.local: asked again
		"sk_test_abcdefghijklmnop", // an API key pasted by mistake: refused, not echoed back
		"client_01ABC",
		"", // no custom domain
	}}
	var out bytes.Buffer
	a := &Answers{Framework: framework.ViteReact, Port: 5173, Files: slices.Clone(AllFiles)}
	q := allQuestions()
	q.APIKey = false
	if err := (&HuhForm{In: in, Out: &out, Accessible: true}).Ask(a, q); err != nil {
		t.Fatal(err)
	}
	if a.Framework != framework.ViteReact || a.Port != 5173 || a.ClientID != "client_01ABC" || a.AuthDomain != "" || len(a.Files) != 3 {
		t.Errorf("answers = %s %d %q %q %v", a.Framework.ID, a.Port, a.ClientID, a.AuthDomain, a.Files)
	}
	text := out.String()
	if n := strings.Count("\n"+text, "\nWorkOS client ID "); n != 3 {
		t.Errorf("client ID asked %d times, want 3:\n%s", n, text)
	}
	if !strings.Contains(text, "needed for .env.local") {
		t.Errorf("no reason given for requiring the client ID:\n%s", text)
	}
	if strings.Contains(text, "sk_test_abcdefghijklmnop") {
		t.Errorf("the form echoed an API key:\n%s", text)
	}
}

// TestAPIKeyIsNeverAskedWithEcho: the key field is a password field, which
// huh's accessible mode reads only from a terminal with echo off. Given a
// stream that is not a terminal it refuses rather than read the key in the
// clear, so the key stays unset and no answer line is consumed.
func TestAPIKeyIsNeverAskedWithEcho(t *testing.T) {
	in := &terminalInput{lines: []string{"sk_test_abcdefghijklmnop"}}
	var out bytes.Buffer
	a := &Answers{Framework: framework.NextJS, Port: 3000, Files: slices.Clone(AllFiles), ClientID: "client_01ABC"}
	if err := (&HuhForm{In: in, Out: &out, Accessible: true}).Ask(a, Questions{APIKey: true}); err != nil {
		t.Fatal(err)
	}
	if a.APIKey != "" || len(in.lines) != 1 {
		t.Fatalf("API key read from a non-terminal: %q", a.APIKey)
	}
	if strings.Contains(out.String(), "sk_test_") {
		t.Fatalf("echoed: %s", out.String())
	}
}

func TestFlagsFixAnswers(t *testing.T) {
	var out bytes.Buffer
	a := &Answers{Framework: framework.ReactRouter, Port: 5173, Files: []string{FileConvexJSON}, ClientID: "client_01ABC", AuthDomain: "auth.example.com"}
	if err := (&HuhForm{In: &terminalInput{}, Out: &out, Accessible: true}).Ask(a, Questions{}); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Errorf("asked although every answer was fixed:\n%s", out.String())
	}
	if a.Framework != framework.ReactRouter || a.AuthDomain != "auth.example.com" {
		t.Errorf("answers changed: %+v", a)
	}
}

func TestValidators(t *testing.T) {
	for in, want := range map[string]string{"auth.example.com": "auth.example.com", "https://Auth.Example.com/": "auth.example.com", " login.my-app.io ": "login.my-app.io"} {
		if got, err := NormalizeAuthDomain(in); err != nil || got != want {
			t.Errorf("NormalizeAuthDomain(%q) = %q, %v", in, got, err)
		}
	}
	for _, s := range []string{"", "localhost", "auth.example.com/path", "http://auth.example.com", "1.2.3.4", "a..b", "-a.com", "a b.com", "api.workos.com"} {
		if _, err := NormalizeAuthDomain(s); err == nil {
			t.Errorf("NormalizeAuthDomain(%q) accepted", s)
		}
	}
	if err := ValidateClientID("client_01JXWR78G1RS943SJZG9G9KFDW"); err != nil {
		t.Error(err)
	}
	for _, s := range []string{"", "client_", "project_01ABC", "client_01 ABC"} {
		if ValidateClientID(s) == nil {
			t.Errorf("ValidateClientID(%q) accepted", s)
		}
	}
	if err := ValidateClientID("sk_test_secretvalue123456"); err == nil || strings.Contains(err.Error(), "secretvalue") {
		t.Errorf("API key as client ID: %v", err)
	}
	if _, err := ParsePort("0"); err == nil {
		t.Error("port 0 accepted")
	}
	if _, err := ParseFiles([]string{"auth.config.ts", "env"}); err != nil {
		t.Error(err)
	}
	if _, err := ParseFiles([]string{"package.json"}); err == nil {
		t.Error("unknown file accepted")
	}
}
