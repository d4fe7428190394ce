package authconfig

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// FuzzClassify reads the header of any existing auth config. It must not
// panic; line ends must not matter (a checkout with autocrlf is not an
// edit); a file with a convex-authkit header and hash line must read as
// generated once the hash line holds the hash of the rest, and as edited
// as soon as anything else differs; and the recorded --auth-domain is one
// word. Seeds live in testdata/fuzz/FuzzClassify.
func FuzzClassify(f *testing.F) {
	if content, err := Render(Spec{TypeScript: true, Typed: true, AuthDomain: "auth.example.com"}); err == nil {
		f.Add(content)
	}
	f.Fuzz(func(t *testing.T, content string) {
		origin := Classify(content)
		if d := writtenWith(content); strings.ContainsAny(d, " \t\r\n") {
			t.Fatalf("auth domain %q", d)
		}
		if !strings.Contains(content, "\r") {
			if crlf := strings.ReplaceAll(content, "\n", "\r\n"); Classify(crlf) != origin {
				t.Fatalf("%s with CRLF line ends, %s with LF", Classify(crlf), origin)
			}
		}
		sum, ok := bodyHash(content)
		if !ok {
			if origin == OriginGenerated {
				t.Fatal("generated without a hash line")
			}
			return
		}
		stamped := stamp(content, sum)
		want := OriginForeign
		if strings.HasPrefix(content, marker) {
			want = OriginGenerated
		}
		if got := Classify(stamped); got != want {
			t.Fatalf("stamped with its hash, %q reads as %s", stamped, got)
		}
		if want == OriginGenerated {
			if got := Classify(stamped + "x"); got != OriginEdited {
				t.Fatalf("an appended x reads as %s", got)
			}
		}
	})
}

// stamp writes sum into the first hash line of the header, as Render does.
func stamp(content, sum string) string {
	lines := strings.SplitAfter(content, "\n")
	for i, line := range lines[:min(len(lines), headerLines)] {
		if strings.HasPrefix(line, hashPrefix) {
			end := line[len(strings.TrimRight(line, "\n")):]
			if strings.HasSuffix(strings.TrimSuffix(line, "\n"), "\r") && end == "\n" {
				end = "\r\n"
			}
			lines[i] = hashPrefix + sum + end
			return strings.Join(lines, "")
		}
	}
	return content
}

// FuzzConvexVersion checks the reading of node_modules/convex's version
// against semver's grammar: MAJOR.MINOR.PATCH, then an optional
// -pre-release, then an optional +build that never changes the answer.
// Seeds live in testdata/fuzz/FuzzConvexVersion.
func FuzzConvexVersion(f *testing.F) {
	f.Add("1.27.5")
	core := regexp.MustCompile(`^(\d+)\.(\d+)\.(\d+)$`)
	f.Fuzz(func(t *testing.T, version string) {
		got := ConvexPackage{Version: version}.ExportsAuthConfig()
		release, build, hasBuild := strings.Cut(version, "+")
		c, pre, hasPre := strings.Cut(release, "-")
		m := core.FindStringSubmatch(c)
		var v [3]int
		for i := range v {
			if m == nil {
				break
			}
			n, err := strconv.Atoi(m[i+1])
			if err != nil {
				m = nil
				break
			}
			v[i] = n
		}
		if pv, ok := parseVersion(version); ok != (m != nil) || ok && pv != v {
			t.Fatalf("parseVersion = %v, %v; semver reads %q", pv, ok, m)
		}
		want := m != nil && (v[0] > 1 || v[0] == 1 && (v[1] > 27 || v[1] == 27 && (v[2] > 5 || v[2] == 5 && !hasPre)))
		if got != want {
			t.Fatalf("ExportsAuthConfig = %v for core %v, pre-release %q, build %q", got, v, pre, build)
		}
		if !hasBuild {
			if again := (ConvexPackage{Version: version + "+build-1"}).ExportsAuthConfig(); again != got {
				t.Fatalf("%v with +build-1, %v without", again, got)
			}
		}
	})
}
