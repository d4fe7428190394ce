package envgen

import (
	"bufio"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

// IgnoredByGit reports whether git ignores dir/name.
//
// With git installed and dir inside a work tree, git itself answers (`git
// check-ignore -q`), which knows every .gitignore up the tree, the global
// excludes file and .git/info/exclude, and says "not ignored" for a file
// already tracked, which is as bad. Otherwise (no git, or no repository
// yet) dir/.gitignore alone is read with a simple reading of its patterns:
// blank lines and comments skipped, "!" negating, a leading "/" or "**/"
// anchoring nothing more than a top-level name needs, patterns with a
// trailing "/" (folders) skipped, the last match winning. That covers the
// patterns project templates use (.env*.local, *.local, .env*), and errs
// towards warning. A project with neither answers "not ignored": the
// warning is worth having before the first `git init`.
func IgnoredByGit(dir, name string) (bool, error) {
	if git, err := exec.LookPath("git"); err == nil {
		cmd := exec.Command(git, "check-ignore", "-q", "--", name)
		cmd.Dir = dir
		err := cmd.Run()
		var ee *exec.ExitError
		switch {
		case err == nil:
			return true, nil
		case errors.As(err, &ee) && ee.ExitCode() == 1:
			return false, nil
		}
		// 128: not a repository (or git failed); read .gitignore instead.
	}
	data, err := os.ReadFile(filepath.Join(dir, ".gitignore"))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return gitignoreMatches(data, name), nil
}

// gitignoreMatches applies the simple reading of .gitignore described at
// IgnoredByGit to a file in the same folder.
func gitignoreMatches(data []byte, name string) bool {
	ignored := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		p := strings.TrimRight(strings.TrimSuffix(sc.Text(), "\r"), " \t")
		if p == "" || strings.HasPrefix(p, "#") || strings.HasSuffix(p, "/") {
			continue
		}
		negate := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(p, "!"), "/"), "**/")
		p = strings.TrimPrefix(p, `\`) // "\#x" and "\!x" name files starting with # and !
		if ok, _ := path.Match(p, name); ok {
			ignored = !negate
		}
	}
	return ignored
}
