package cmdutil

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/convex-authkit/convex-authkit/internal/diag"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
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
		fmt.Fprintf(w, "%s: %s\n", p.Location(), label+": "+p.Message)
		if p.Hint != "" {
			fmt.Fprintf(w, "  %s %s\n", cs.Gray("hint:"), p.Hint)
		}
	}
}

// Problems returns ps, or an empty slice so JSON shows [] rather than null.
func Problems(ps []diag.Problem) []diag.Problem {
	if ps == nil {
		return []diag.Problem{}
	}
	return ps
}
