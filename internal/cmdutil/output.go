package cmdutil

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/convex-authkit/convex-authkit/internal/diag"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/secret"
)

// SchemaVersion is the version of every --json document. It changes only
// when a key is removed or changes meaning.
const SchemaVersion = 1

// WriteJSON writes v as one indented JSON document. HTML characters are not
// escaped: URLs with & must stay readable.
func WriteJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// PrintProblems writes problems as `file:line:col: path: message` with the
// hint indented below, the severity in words so it survives without colour.
func PrintProblems(w io.Writer, cs *iostreams.ColorScheme, problems []diag.Problem) {
	for _, p := range problems {
		label := cs.Red("error")
		if p.Severity == diag.SeverityWarning {
			label = cs.Yellow("warning")
		}
		fmt.Fprintf(w, "%s: %s\n", p.Location(), label+": "+secret.MaskKeys(p.Message))
		if p.Hint != "" {
			fmt.Fprintf(w, "  %s %s\n", cs.Gray("hint:"), secret.MaskKeys(p.Hint))
		}
	}
}

// Problems returns ps for JSON: an empty slice rather than null, and any
// sk_ key a message quotes (a parser echoing an unquoted word) masked.
func Problems(ps []diag.Problem) []diag.Problem {
	out := make([]diag.Problem, len(ps))
	for i, p := range ps {
		p.Message, p.Hint = secret.MaskKeys(p.Message), secret.MaskKeys(p.Hint)
		out[i] = p
	}
	return out
}
