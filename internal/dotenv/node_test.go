package dotenv

import (
	"bytes"
	"encoding/json"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/convex-authkit/convex-authkit/internal/npmpin"
)

// npmDotenv is the dotenv the Convex CLI bundles (reference §0), pinned
// with its lockfile in testdata/npm.
var npmDotenv = npmpin.Spec{Name: "dotenv", Version: "16.6.1"}

// parseScript reads a JSON array of file contents on stdin and prints the
// array of what dotenv.parse makes of each.
const parseScript = `
const dotenv = require(process.argv[1]);
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (c) => { input += c; });
process.stdin.on("end", () => {
  const out = JSON.parse(input).map((text) => dotenv.parse(Buffer.from(text, "utf8")));
  process.stdout.write(JSON.stringify(out));
});
`

// TestNpmDotenv reads files with the real npm dotenv under node and holds
// Parse to it: the grammar cases of TestParseLines, random files built
// from the grammar's tokens, and files written by Merge, in which every
// tricky value must read back exactly, as Quote promises. It installs
// dotenv on first run (see npmpin) and needs node and npm; only -short
// skips it.
func TestNpmDotenv(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: not running node")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node not found in PATH: this test reads generated files with npm dotenv, the Convex CLI's reader; install Node.js and npm, or run with -short")
	}
	spec := npmDotenv
	for name, dst := range map[string]*[]byte{"package.json": &spec.PackageJSON, "package-lock.json": &spec.Lock} {
		if *dst, err = os.ReadFile(filepath.Join("testdata", "npm", name)); err != nil {
			t.Fatal(err)
		}
	}
	dir, err := npmpin.Install(spec, t.Logf)
	if err != nil {
		t.Fatal(err)
	}

	var files []string
	var want [][]Assignment
	for _, nl := range []string{"\n", "\r\n"} {
		data, as := trickyFile(t, nl)
		files, want = append(files, string(data)), append(want, as)
	}
	for _, c := range parseCases {
		files, want = append(files, c.in), append(want, nil)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		if soup := tokenSoup(rng); utf8.Valid(soup) {
			files, want = append(files, string(soup)), append(want, nil)
		}
	}
	for len(files) < 2300 {
		data, as := randomCase(rng)
		if out, _, err := Merge("f", data, as); err == nil && utf8.Valid(out) {
			files, want = append(files, string(out)), append(want, nil)
		}
	}
	input, err := json.Marshal(files)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "-e", parseScript, filepath.Join(dir, "node_modules", "dotenv"))
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.Bytes())
	}
	var got []map[string]string
	if err := json.Unmarshal(out, &got); err != nil || len(got) != len(files) {
		t.Fatalf("node printed %d results (%v), want %d", len(got), err, len(files))
	}
	for i, file := range files {
		for _, a := range want[i] {
			if v, ok := got[i][a.Name]; !ok || v != a.Value {
				t.Errorf("npm dotenv reads %s as %q, want %q, in\n%q", a.Name, v, a.Value, file)
			}
		}
		f, err := Parse("f", []byte(file))
		if err != nil {
			t.Errorf("Parse(%q): %v", file, err)
		} else if !maps.Equal(f.Values(), got[i]) {
			t.Errorf("Parse(%q) = %q, npm dotenv has %q", file, f.Values(), got[i])
		}
	}
}
