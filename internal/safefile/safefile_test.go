//go:build unix

package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// readGuarded is Read that fails the test instead of hanging it.
func readGuarded(t *testing.T, path string, opts Options) ([]byte, error) {
	t.Helper()
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := Read(path, opts)
		done <- result{data, err}
	}()
	select {
	case r := <-done:
		return r.data, r.err
	case <-time.After(time.Minute):
		t.Fatalf("Read(%s) still blocked after a minute", path)
		return nil, nil
	}
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skip("cannot make a FIFO:", err)
	}
}

// serve plays a secret manager: it opens the FIFO for writing (waiting
// for the reader), writes content, holds the pipe open for hold, and
// closes it.
func serve(t *testing.T, path, content string, hold time.Duration) {
	t.Helper()
	go func() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		time.Sleep(hold)
		_, _ = f.WriteString(content)
	}()
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	if err := os.WriteFile(at("regular"), []byte("A=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(at("big"), make([]byte, 11), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(at("folder"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, link := range [][2]string{{"devnull", "/dev/null"}, {"nowhere", "missing"}, {"tofile", "regular"}} {
		if err := os.Symlink(link[1], at(link[0])); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"unserved", "served", "served-late", "served-empty", "refused-pipe"} {
		mkfifo(t, at(name))
	}
	serve(t, at("served"), "A=1\n", 0)
	serve(t, at("served-late"), "A=1\n", 200*time.Millisecond)
	serve(t, at("served-empty"), "", 200*time.Millisecond)

	pipes := Options{Limit: 10, Pipe: true, What: "a dotenv file"}
	tests := []struct {
		name string
		opts Options
		want string // content, or a fragment of the error
		err  any    // a pointer to the error type wanted, nil for none
	}{
		{"regular", pipes, "A=1\n", nil},
		{"tofile", pipes, "A=1\n", nil},
		{"served", pipes, "A=1\n", nil},
		{"served-late", pipes, "A=1\n", nil},
		{"served-empty", pipes, "", nil},
		{"unserved", pipes, "is a named pipe (FIFO) and no program wrote to it within 3s", new(*PipeError)},
		{"refused-pipe", Options{Limit: 10}, "is a named pipe (FIFO), not a regular file", new(*SpecialError)},
		{"devnull", pipes, "is a symbolic link to /dev/null, a character device, not a regular file", new(*SpecialError)},
		{"folder", pipes, "is a directory, not a regular file", new(*SpecialError)},
		{"nowhere", pipes, "is a symbolic link to missing, which does not exist", new(*BrokenLinkError)},
		{"big", pipes, "is larger than 10 bytes, which is too big for a dotenv file", new(*TooLargeError)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := readGuarded(t, at(tt.name), tt.opts)
			if tt.err == nil {
				if err != nil || string(data) != tt.want {
					t.Fatalf("Read = %q, %v; want %q", data, err, tt.want)
				}
				return
			}
			if err == nil || !errors.As(err, tt.err) {
				t.Fatalf("Read = %q, %v; want a %T", data, err, tt.err)
			}
			if msg := err.Error(); msg != at(tt.name)+" "+tt.want {
				t.Errorf("error %q, want %q", msg, at(tt.name)+" "+tt.want)
			}
			ue := Usage(err)
			if ue == nil || ue.Code != 3 || ue.Hint == "" || strings.Contains(ue.Hint, "writable") {
				t.Errorf("Usage(err) = %+v, want exit 3 with its own hint", ue)
			}
		})
	}
}

func TestReadMissing(t *testing.T) {
	_, err := Read(filepath.Join(t.TempDir(), "absent"), Options{Limit: 10})
	if !errors.Is(err, fs.ErrNotExist) || Usage(err) != nil {
		t.Errorf("Read = %v; want fs.ErrNotExist, which Usage leaves to the caller", err)
	}
}

func TestKind(t *testing.T) {
	tests := []struct {
		mode fs.FileMode
		want string
	}{
		{0o644, "a regular file"},
		{fs.ModeDir, "a directory"},
		{fs.ModeNamedPipe, "a named pipe (FIFO)"},
		{fs.ModeDevice | fs.ModeCharDevice, "a character device"},
		{fs.ModeDevice, "a block device"},
		{fs.ModeSocket, "a socket"},
		{fs.ModeSymlink, "a symbolic link"},
		{fs.ModeIrregular, "a special file"},
	}
	for _, tt := range tests {
		if got := Kind(tt.mode); got != tt.want {
			t.Errorf("Kind(%v) = %q, want %q", tt.mode, got, tt.want)
		}
	}
}
