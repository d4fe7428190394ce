package envgen

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/convex-authkit/convex-authkit/internal/atomicfile"
	"github.com/convex-authkit/convex-authkit/internal/dotenv"
)

// Write writes the planned file, if it changes, with atomicfile.Write: a
// temporary file renamed over the old one, with its permissions, so a
// crash or a full disk never leaves half a .env.local; a symbolic link is
// kept and its target replaced.
//
// A new file is made 0600, since it holds secrets: it is created empty
// with that mode first, which atomicfile then keeps. A reader that sees
// the empty file in between reads no variables, as it would with none.
//
// Write refuses to overwrite a file that changed since Plan read it (an
// editor saving, a second run): the plan was made for the old content.
// Nothing locks the file between that check and the rename.
func (r *Result) Write() error {
	if !r.Changed() {
		return nil
	}
	changed := fmt.Errorf("%s changed while this command ran; run it again", r.Path)
	now, err := dotenv.Read(r.Path)
	switch {
	case err == nil && (!r.Existed || !bytes.Equal(now, r.Old)):
		return changed
	case errors.Is(err, fs.ErrNotExist) && r.Existed:
		return changed
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return err
	}
	if !r.Existed {
		f, err := os.OpenFile(r.Path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return changed
		}
		if err != nil {
			return fmt.Errorf("writing %s: %w", r.Path, err)
		}
		f.Close()
	}
	if err := atomicfile.Write(r.Path, r.New); err != nil {
		if !r.Existed {
			os.Remove(r.Path) // the empty file made above
		}
		return fmt.Errorf("writing %s: %w", r.Path, err)
	}
	return nil
}
