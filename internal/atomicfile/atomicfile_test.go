package atomicfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.ts")
	if err := Write(path, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != NewFileMode {
		t.Errorf("new file mode %v", info.Mode().Perm())
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("two")); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	info, _ := os.Stat(path)
	if string(got) != "two" || info.Mode().Perm() != 0o600 {
		t.Errorf("got %q mode %v, want \"two\" 0600", got, info.Mode().Perm())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

func TestWriteMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env.local")
	if err := WriteMode(path, []byte("A=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("new file mode %v, want 0600", info.Mode().Perm())
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := WriteMode(path, []byte("A=2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if info, _ := os.Stat(path); string(got) != "A=2\n" || info.Mode().Perm() != 0o640 {
		t.Errorf("got %q mode %v, want \"A=2\\n\" 0640 kept", got, info.Mode().Perm())
	}
}

func TestWriteKeepsSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "shared.ts")
	link := filepath.Join(dir, "auth.config.ts")
	if err := os.WriteFile(target, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("shared.ts", link); err != nil {
		t.Fatal(err)
	}
	if err := Write(link, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced by a file")
	}
	got, _ := os.ReadFile(target)
	info, _ := os.Stat(target)
	if string(got) != "new" || info.Mode().Perm() != 0o640 {
		t.Errorf("target holds %q mode %v", got, info.Mode().Perm())
	}
}

func TestWriteMissingFolder(t *testing.T) {
	if err := Write(filepath.Join(t.TempDir(), "no", "f"), nil); err == nil {
		t.Error("no error for a missing folder")
	}
}

func TestTempPattern(t *testing.T) {
	tests := []struct{ base, want string }{
		{".env.local", ".env.tmp-*.local"},
		{".env.development.local", ".env.development.tmp-*.local"},
		{"convex.json", ".convex.json.tmp-*"},
		{"auth.config.ts", ".auth.config.ts.tmp-*"},
		{"my.local", ".my.local.tmp-*"},
	}
	for _, tt := range tests {
		got := tempPattern(tt.base)
		if got != tt.want {
			t.Errorf("tempPattern(%q) = %q, want %q", tt.base, got, tt.want)
		}
		// A leftover of a .env*.local file must be ignored as one is.
		leftover := strings.Replace(got, "*", "123456", 1)
		envLocal, _ := filepath.Match(".env*.local", tt.base)
		if ignored, _ := filepath.Match(".env*.local", leftover); ignored != envLocal {
			t.Errorf("leftover %q of %q: matched by .env*.local = %v", leftover, tt.base, ignored)
		}
	}
}
