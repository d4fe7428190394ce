//go:build !unix

package safefile

import (
	"os"
)

// openNonblocking opens path for reading. Outside Unix there are no
// FIFOs in the file system to block on.
func openNonblocking(path string) (*os.File, error) {
	return os.Open(path)
}

// readPipe refuses: a named pipe cannot appear here.
func readPipe(f *os.File, path string, _ int64) ([]byte, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return nil, Special(path, info.Mode())
}
