package envgen

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"

	"github.com/convex-authkit/convex-authkit/internal/atomicfile"
	"github.com/convex-authkit/convex-authkit/internal/dotenv"
)

// Write writes the planned file, if it changes, with atomicfile: a
// temporary file renamed over the old one, with its permissions, so a
// crash or a full disk never leaves half a .env.local; a symbolic link is
// kept and its target replaced. A new file is made 0600, since it holds
// secrets.
//
// Write refuses to overwrite a file that changed since Plan read it (an
// editor saving, a second run): the plan was made for the old content.
// Nothing locks the file between that check and the rename.
func (r *Result) Write() error {
	if !r.Changed() {
		return nil
	}
	now, err := dotenv.Read(r.Path)
	switch {
	case err == nil && (!r.Existed || !bytes.Equal(now, r.Old)), errors.Is(err, fs.ErrNotExist) && r.Existed:
		return fmt.Errorf("%s changed while this command ran; run it again", r.Path)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return err
	}
	if err := atomicfile.WriteMode(r.Path, r.New, 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", r.Path, err)
	}
	return nil
}
