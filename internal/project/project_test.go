package project

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/dotenv"
)

func TestDisplay(t *testing.T) {
	root := filepath.FromSlash("/work/app")
	tests := []struct{ path, want string }{
		{"/work/app/convex/auth.config.ts", "convex/auth.config.ts"},
		{"/work/app", "."},
		// A folder whose name starts with two dots is inside the project.
		{"/work/app/..x/auth.config.ts", "..x/auth.config.ts"},
		{"/work/other/.env.local", "/work/other/.env.local"},
		{"/work", "/work"},
	}
	for _, tt := range tests {
		if got := Display(root, filepath.FromSlash(tt.path)); got != tt.want {
			t.Errorf("Display(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

// A dotenv file over the size limit is readable: the hint must say what
// is wrong with it, not ask to check that the files are readable.
func TestLoadTargetTooLarge(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".env.local"), make([]byte, dotenv.MaxSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadTarget(Options{Dir: dir, EnvFlag: "dev"})
	var ce *cmdutil.Error
	if !errors.As(err, &ce) || ce.Code != cmdutil.ExitUsage || !strings.Contains(err.Error(), "larger than 1 MiB") {
		t.Fatalf("LoadTarget = %v; want exit 3 saying the file is larger than 1 MiB", err)
	}
	if strings.Contains(ce.Hint, "readable") || !strings.Contains(ce.Hint, "shrink or remove it") {
		t.Errorf("hint %q", ce.Hint)
	}
}
