package iostreams

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

func TestColorFromEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		tty  bool
		want bool
	}{
		{"terminal", nil, true, true},
		{"pipe", nil, false, false},
		{"NO_COLOR wins over a terminal", map[string]string{"NO_COLOR": "1"}, true, false},
		{"NO_COLOR wins over CLICOLOR_FORCE", map[string]string{"NO_COLOR": "1", "CLICOLOR_FORCE": "1"}, true, false},
		{"CLICOLOR_FORCE on a pipe", map[string]string{"CLICOLOR_FORCE": "1"}, false, true},
		{"CLICOLOR_FORCE=0 is not forcing", map[string]string{"CLICOLOR_FORCE": "0"}, false, false},
		{"CLICOLOR=0", map[string]string{"CLICOLOR": "0"}, true, false},
		{"TERM=dumb", map[string]string{"TERM": "dumb"}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ColorFromEnv(func(k string) string { return tt.env[k] }, tt.tty)
			if got != tt.want {
				t.Fatalf("ColorFromEnv = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCanPrompt(t *testing.T) {
	s, _, _, _ := Test()
	if s.CanPrompt() {
		t.Fatal("buffers are not terminals")
	}
	s.SetStdinTTY(true)
	s.SetStdoutTTY(true)
	if !s.CanPrompt() {
		t.Fatal("both terminals: want prompting")
	}
	s.SetNeverPrompt(true)
	if s.CanPrompt() {
		t.Fatal("--no-input must disable prompting")
	}
}

func TestColorSchemeKeepsWords(t *testing.T) {
	s, _, _, _ := Test()
	if got := s.ColorScheme().Red("error"); got != "error" {
		t.Fatalf("colour off: %q", got)
	}
	s.SetColorEnabled(true)
	if got := s.ColorScheme().Red("error"); got != "\x1b[31merror\x1b[0m" {
		t.Fatalf("colour on: %q", got)
	}
}

func TestWrap(t *testing.T) {
	s, _, out, errOut := Test()
	s.SetColorEnabled(true)
	upper := func(w io.Writer) io.Writer { return upperWriter{w} }
	w := s.Wrap(upper)
	fmt.Fprint(w.Out, "out")
	fmt.Fprint(w.ErrOut, "err")
	if out.String() != "OUT" || errOut.String() != "ERR" {
		t.Errorf("out %q, err %q", out, errOut)
	}
	if !w.ColorEnabled() || s.Out == w.Out {
		t.Error("Wrap must keep the stream facts and leave the original alone")
	}
}

type upperWriter struct{ w io.Writer }

func (u upperWriter) Write(p []byte) (int, error) {
	return u.w.Write(bytes.ToUpper(p))
}
