package apply

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// ParseBranches reads a list of live branches: one per line, as plain
// names (`gh pr list --json headRefName --jq '.[].headRefName'`),
// refs/heads/NAME, or `git ls-remote --heads` lines (SHA, white space, ref).
// Blank lines and # comments are skipped. Anything else is an error rather
// than a guess: a misread list would make live previews look stale.
func ParseBranches(r io.Reader) ([]string, error) {
	out := []string{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		switch {
		case len(fields) == 2 && strings.HasPrefix(fields[1], "refs/heads/"):
			line = fields[1]
		case len(fields) != 1:
			return nil, fmt.Errorf("line %d is not a branch name, refs/heads/NAME or a `git ls-remote --heads` line", n)
		}
		name := strings.TrimPrefix(line, "refs/heads/")
		if name == "" {
			return nil, fmt.Errorf("line %d names no branch", n)
		}
		out = append(out, name)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading the live branches: %w", err)
	}
	return out, nil
}
