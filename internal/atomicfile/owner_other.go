//go:build !unix

package atomicfile

import (
	"io/fs"
	"os"
)

// keepOwner does nothing: outside Unix a file's owner is not part of
// its mode, and the folder's permissions apply to the new file.
func keepOwner(*os.File, fs.FileInfo) {}

// canWrite leaves it to the write: Check has refused a file marked
// read-only, which is what Windows' permission bits show.
func canWrite(string) error { return nil }
