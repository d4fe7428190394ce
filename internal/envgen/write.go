package envgen

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"

	"github.com/convex-authkit/convex-authkit/internal/atomicfile"
	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/dotenv"
)

// Write writes the planned file, if it changes, with atomicfile: a
// temporary file renamed over the old one, with its permissions and
// owner, so a crash or a full disk never leaves half a .env.local; a
// symbolic link is kept and its target replaced. A new file is made 0600,
// since it holds secrets. What atomicfile refuses (a FIFO, a device, a
// read-only file) is refused before the file is read again, so a pipe is
// not read a second time only to be refused.
//
// Write refuses to overwrite a file that changed since Plan read it (an
// editor saving, a second run): the plan was made for the old content.
// Nothing locks the file between that check and the rename.
func (r *Result) Write() error {
	if !r.Changed() {
		return nil
	}
	if _, _, err := atomicfile.Check(r.Path); err != nil {
		return err
	}
	now, err := dotenv.Read(r.Path)
	var why string
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if r.Existed {
			why = "it was deleted"
		}
	case err != nil:
		// Plan read it without this error, so it changed since.
		why = err.Error()
	case !r.Existed:
		why = "it was created"
	case !bytes.Equal(now, r.Old):
		why = "its content changed"
	}
	if why != "" {
		return &cmdutil.Error{Code: cmdutil.ExitFailure,
			Err:  fmt.Errorf("%s changed while this command ran (%s), so nothing was written", r.Path, why),
			Hint: "another program (an editor, a second run) wrote to it; run the command again to plan from what is there now"}
	}
	if err := atomicfile.WriteMode(r.Path, r.New, 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", r.Path, err)
	}
	return nil
}
