package authconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/iostreams"
)

// TestPlanWrite: Plan writes nothing, and Write writes what it planned.
func TestPlanWrite(t *testing.T) {
	dir := t.TempDir()
	ios, _, out, _ := iostreams.Test()
	opts := Options{IO: ios, Dir: dir, ConfigPath: filepath.Join(dir, "convex.json"), ConfigName: "convex.json"}
	plan := func() *Result {
		t.Helper()
		res, err := Plan(opts)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}

	res := plan()
	if res.Status != StatusWouldCreate || res.Existing != OriginNone || res.Name != "convex/auth.config.ts" ||
		!strings.HasPrefix(res.Diff, "--- /dev/null\n+++ b/convex/auth.config.ts\n") {
		t.Fatalf("new file: %+v", res)
	}
	if _, err := os.Stat(filepath.Join(dir, "convex")); !os.IsNotExist(err) {
		t.Fatalf("Plan made the functions folder: %v", err)
	}
	if err := res.Write(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(res.Path); string(got) != res.Content {
		t.Fatal("Write did not write the planned content")
	}

	if res := plan(); res.Status != StatusUnchanged || res.Existing != OriginGenerated || res.Diff != "" {
		t.Errorf("rerun: %+v", res)
	}
	if err := os.WriteFile(res.Path, []byte(res.Content+"// mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if res := plan(); res.Status != StatusWouldUpdate || res.Existing != OriginEdited || !strings.Contains(res.Diff, "\n-// mine\n") {
		t.Errorf("edited: %+v", res)
	}
	if out.Len() != 0 {
		t.Errorf("Plan wrote to stdout: %q", out)
	}
}

// TestPlanNameInDotDotFolder: a functions folder whose name starts with
// ".." is inside the project, so messages name it relative to it.
func TestPlanNameInDotDotFolder(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"convex.json": `{"functions": "..backend/"}`})
	ios, _, _, _ := iostreams.Test()
	res, err := Plan(Options{IO: ios, Dir: dir, ConfigPath: filepath.Join(dir, "convex.json"), ConfigName: "convex.json"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Name != "..backend/auth.config.ts" || !strings.HasPrefix(res.Diff, "--- /dev/null\n+++ b/..backend/auth.config.ts\n") {
		t.Errorf("Name = %q, diff starts %q", res.Name, res.Diff[:min(len(res.Diff), 60)])
	}
}

// TestRecordedAuthDomain: the domain counts only in the file Convex
// bundles, and only while the file is as convex-authkit wrote it.
func TestRecordedAuthDomain(t *testing.T) {
	render := func(spec Spec) string {
		t.Helper()
		content, err := Render(spec)
		if err != nil {
			t.Fatal(err)
		}
		return content
	}
	ts := render(Spec{TypeScript: true, AuthDomain: "auth.example.com"})
	js := render(Spec{AuthDomain: "login.example.org"})
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"none", nil, ""},
		{"generated .ts", map[string]string{"auth.config.ts": ts}, "auth.example.com"},
		{"generated .js", map[string]string{"auth.config.js": js}, "login.example.org"},
		{"without a domain", map[string]string{"auth.config.ts": render(Spec{TypeScript: true})}, ""},
		{"edited", map[string]string{"auth.config.ts": ts + "// mine\n"}, ""},
		{"both, which Convex refuses", map[string]string{"auth.config.ts": ts, "auth.config.js": js}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tt.files)
			if got := RecordedAuthDomain(dir); got != tt.want {
				t.Errorf("RecordedAuthDomain = %q, want %q", got, tt.want)
			}
		})
	}
}
