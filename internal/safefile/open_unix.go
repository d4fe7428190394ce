//go:build unix

package safefile

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// pipePoll is how often readPipe looks again at a pipe with nothing to
// read yet.
const pipePoll = 10 * time.Millisecond

// openNonblocking opens path for reading without waiting for a FIFO's
// writer, and without making a terminal the controlling one.
func openNonblocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
}

// readPipe reads a FIFO opened without blocking, up to max bytes, within
// PipeWait. It reads the descriptor directly because only the raw read
// tells "no writer yet" (0 bytes) from "a writer with nothing written
// yet" (EAGAIN); through os.File both would look like the end of the
// file, and an unserved pipe would read as an empty file.
//
// Once a writer has been seen, 0 bytes is the end of the file. A writer
// that opens, writes nothing and closes between two looks goes unseen,
// so an empty file served that way reads as a pipe nobody served.
func readPipe(f *os.File, path string, max int64) ([]byte, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(PipeWait)
	buf := make([]byte, 32<<10)
	var data []byte
	started := false
	for int64(len(data)) < max {
		var n int
		var rerr error
		if err := rc.Read(func(fd uintptr) bool {
			n, rerr = syscall.Read(int(fd), buf)
			return true // never park on the poller: EAGAIN is an answer here
		}); err != nil {
			return nil, err
		}
		switch {
		case errors.Is(rerr, syscall.EINTR):
			continue
		case errors.Is(rerr, syscall.EAGAIN):
			started = true
		case rerr != nil:
			return nil, &fs.PathError{Op: "read", Path: path, Err: rerr}
		case n > 0:
			data, started = append(data, buf[:n]...), true
			continue
		case started:
			return data, nil
		}
		if time.Now().After(deadline) {
			return nil, &PipeError{Path: path, Started: started}
		}
		time.Sleep(pipePoll)
	}
	return data, nil
}
