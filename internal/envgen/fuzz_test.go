package envgen

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// FuzzGitignoreMatches checks the simple reading of .gitignore used where
// git cannot answer. A line naming the file after the rest ignores it and
// a "!" line un-ignores it; CRLF line ends read as LF; and, where git is
// installed, the reading errs only towards warning: what it calls ignored,
// git ignores too. Seeds live in testdata/fuzz/FuzzGitignoreMatches.
func FuzzGitignoreMatches(f *testing.F) {
	f.Add([]byte("node_modules\n*.local\n!.env.example\n"), true)
	git := newGitRepo(f)
	f.Fuzz(func(t *testing.T, data []byte, local bool) {
		name := ".env"
		if local {
			name = FileName
		}
		got := gitignoreMatches(data, name)
		if !gitignoreMatches(append(bytes.Clone(data), "\n"+name+"\n"...), name) {
			t.Fatalf("a last line %q does not ignore it", name)
		}
		if gitignoreMatches(append(bytes.Clone(data), "\n!"+name+"\n"...), name) {
			t.Fatalf("a last line %q does not un-ignore it", "!"+name)
		}
		if !bytes.Contains(data, []byte("\r")) {
			if crlf := bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")); gitignoreMatches(crlf, name) != got {
				t.Fatalf("%v with CRLF line ends, %v with LF", !got, got)
			}
		}
		if got && git != nil && !git(t, data, name) {
			t.Fatalf("read as ignoring %s, which git does not ignore", name)
		}
	})
}

// newGitRepo makes a repository that sees no global or system settings,
// and returns a function asking git whether a .gitignore holding data
// ignores name; nil when git is not installed.
func newGitRepo(tb testing.TB) func(t *testing.T, data []byte, name string) bool {
	git, err := exec.LookPath("git")
	if err != nil {
		return nil
	}
	dir := tb.TempDir()
	env := append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	repo := filepath.Join(dir, "repo")
	cmd := exec.Command(git, "init", "-q", repo)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("git init: %v\n%s", err, out)
	}
	return func(t *testing.T, data []byte, name string) bool {
		if err := os.WriteFile(filepath.Join(repo, ".gitignore"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(git, "check-ignore", "-q", "--", name)
		cmd.Dir, cmd.Env = repo, env
		err := cmd.Run()
		var ee *exec.ExitError
		if err != nil && (!errors.As(err, &ee) || ee.ExitCode() != 1) {
			t.Fatalf("git check-ignore: %v", err)
		}
		return err == nil
	}
}
