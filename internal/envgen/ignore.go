package envgen

import (
	"bytes"
	"errors"
	"io/fs"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/safefile"
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
	data, err := safefile.Read(filepath.Join(dir, ".gitignore"), safefile.Options{Limit: 1 << 20, What: ".gitignore"})
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return gitignoreMatches(data, name), nil
}

// gitignoreMatches applies the simple reading of .gitignore described at
// IgnoredByGit to a file in the same folder. Lines are read as git reads
// them: split at LF, a CR before it dropped, a byte order mark at the start
// skipped, trailing spaces dropped unless escaped with a backslash (tabs
// stay). path.Match then does the matching (see matchPattern); it knows
// git's backslash escapes, \# and \! among them.
func gitignoreMatches(data []byte, name string) bool {
	ignored := false
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	for line := range strings.Lines(string(data)) {
		p := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		p, _, _ = strings.Cut(p, "\x00") // git reads a pattern as a C string
		p = trimTrailingSpaces(p)
		if p == "" || strings.HasPrefix(p, "#") || strings.HasSuffix(p, "/") {
			continue
		}
		negate := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(p, "!"), "/"), "**/")
		if p, ok := matchPattern(p); ok {
			if match, _ := path.Match(p, name); match {
				ignored = !negate
			}
		}
	}
	return ignored
}

// trimTrailingSpaces drops the spaces that end a pattern, unless a
// backslash escapes them, as git's trim_trailing_spaces does.
func trimTrailingSpaces(p string) string {
	cut := -1 // where the trailing run of unescaped spaces starts
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case ' ':
			if cut < 0 {
				cut = i
			}
		case '\\':
			i++
			cut = -1
		default:
			cut = -1
		}
	}
	if cut < 0 {
		return p
	}
	return p[:cut]
}

// matchPattern writes a git pattern for path.Match: git's negated
// classes, [!...], become [^...]. A pattern with a POSIX class such as
// [[:alpha:]], which path.Match does not know, gives false: it is read as
// matching nothing, erring towards the warning.
func matchPattern(p string) (string, bool) {
	b := []byte(p)
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '[':
			// Skip the class: after its opening (and a ! or ^), a ] is one
			// of its characters, in git as in path.Match.
			i++
			if i < len(b) && (b[i] == '!' || b[i] == '^') {
				b[i] = '^'
				i++
			}
			if i < len(b) && b[i] == ']' {
				i++
			}
			for ; i < len(b) && b[i] != ']'; i++ {
				switch {
				case b[i] == '\\':
					i++
				case b[i] == '[' && i+1 < len(b) && b[i+1] == ':':
					return "", false
				}
			}
		}
	}
	return string(b), true
}
