//go:build unix

package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/safefile"
)

func TestWriteRefuses(t *testing.T) {
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	if err := os.WriteFile(at("readonly"), []byte("keep"), 0o444); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(at("fifo"), 0o600); err != nil {
		t.Skip("cannot make a FIFO:", err)
	}
	for _, link := range [][2]string{{"devnull", "/dev/null"}, {"nowhere", "missing"}, {"toreadonly", "readonly"}} {
		if err := os.Symlink(link[1], at(link[0])); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		err  any
		msg  string
	}{
		{"readonly", new(*ReadOnlyError), at("readonly") + " is read-only (mode 0444), so convex-authkit does not replace it"},
		{"toreadonly", new(*ReadOnlyError), at("readonly") + " is read-only (mode 0444), so convex-authkit does not replace it"},
		{"fifo", new(*safefile.SpecialError), at("fifo") + " is a named pipe (FIFO), not a regular file"},
		{"devnull", new(*safefile.SpecialError), at("devnull") + " is a symbolic link to /dev/null, a character device, not a regular file"},
		{"nowhere", new(*safefile.BrokenLinkError), at("nowhere") + " is a symbolic link to missing, which does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Check(at(tt.name))
			if !errors.As(err, tt.err) || err.Error() != tt.msg {
				t.Fatalf("Check = %v; want a %T: %s", err, tt.err, tt.msg)
			}
			if ue := safefile.Usage(err); ue == nil || ue.Code != 3 || ue.Hint == "" {
				t.Errorf("safefile.Usage = %+v, want exit 3 with a hint", ue)
			}
			if tt.name == "devnull" {
				return // never let a regression write to the device
			}
			if err := Write(at(tt.name), []byte("new")); !errors.As(err, tt.err) {
				t.Errorf("Write = %v; want a %T", err, tt.err)
			}
		})
	}
	if got, _ := os.ReadFile(at("readonly")); string(got) != "keep" {
		t.Errorf("read-only file now holds %q", got)
	}
	if fi, err := os.Lstat(at("fifo")); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v, %v", fi, err)
	}
	if fi, err := os.Lstat(at("nowhere")); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the dangling link was replaced: %v, %v", fi, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 5 {
		t.Errorf("files left behind: %v", entries)
	}
}

// TestWriteKeepsOwner needs root: only root may give a file away.
func TestWriteKeepsOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root can make a file owned by another user")
	}
	path := filepath.Join(t.TempDir(), ".env.local")
	if err := os.WriteFile(path, []byte("A=1\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	const uid, gid = 4321, 8765
	if err := os.Chown(path, uid, gid); err != nil {
		t.Fatal(err)
	}
	if err := WriteMode(path, []byte("A=2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	st := info.Sys().(*syscall.Stat_t)
	if st.Uid != uid || st.Gid != gid || info.Mode().Perm() != 0o640 {
		t.Errorf("owner %d:%d mode %v, want %d:%d 0640 kept", st.Uid, st.Gid, info.Mode().Perm(), uid, gid)
	}
}
