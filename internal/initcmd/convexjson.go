package initcmd

import (
	"bytes"
	"encoding/json"
	"reflect"

	"github.com/convex-authkit/convex-authkit/internal/jsonpos"
)

// File actions, as reported in the output and --json.
const (
	ActionCreated   = "created"
	ActionUpdated   = "updated"
	ActionUnchanged = "unchanged"
)

// convexJSONEdit is the change init would make to convex.json.
type convexJSONEdit struct {
	Action  string
	Content []byte // the whole new file; nil when unchanged
	// Replaced is set when an authKit section with other content would be
	// replaced, which needs the user's consent.
	Replaced bool
}

// editConvexJSON puts section into convex.json as its authKit member. src
// is the current file and root its parsed top-level object (as
// config.Parse checked it), or both nil when there is no file; a new file
// also gets $schema when withSchema is set. Everything outside the authKit
// member keeps its bytes: the member is spliced in at the positions the
// parser recorded, written with the file's own indentation and line
// endings. An existing authKit section with the same content, however it
// is laid out, is left alone.
func editConvexJSON(src []byte, root *jsonpos.Value, section obj, withSchema bool) *convexJSONEdit {
	if root == nil {
		top := obj{}
		if withSchema {
			top = append(top, member{"$schema", SchemaURL})
		}
		top = append(top, member{"authKit", section})
		return &convexJSONEdit{Action: ActionCreated, Content: []byte(defaultStyle.render(top, "") + "\n")}
	}
	st := detectStyle(src, root)
	if m, ok := root.Lookup("authKit"); ok {
		if sameJSON(src[m.Value.Pos.Offset:m.Value.End.Offset], defaultStyle.render(section, "")) {
			return &convexJSONEdit{Action: ActionUnchanged}
		}
		value := st.render(section, lineIndent(src, m.KeyPos.Offset))
		return &convexJSONEdit{
			Action:   ActionUpdated,
			Content:  splice(src, m.Value.Pos.Offset, m.Value.End.Offset, value),
			Replaced: true,
		}
	}
	if len(root.Members) == 0 {
		text := "{" + st.newline + st.indent + `"authKit": ` + st.render(section, st.indent) + st.newline + "}"
		return &convexJSONEdit{Action: ActionUpdated, Content: splice(src, root.Pos.Offset, root.End.Offset, text)}
	}
	last := root.Members[len(root.Members)-1]
	var text string
	if st.compact {
		text = `,"authKit":` + st.render(section, "")
	} else {
		base := lineIndent(src, last.KeyPos.Offset)
		text = "," + st.newline + base + `"authKit": ` + st.render(section, base)
	}
	at := last.Value.End.Offset
	return &convexJSONEdit{Action: ActionUpdated, Content: splice(src, at, at, text)}
}

// sameJSON compares JSON texts as values: key order, layout and escapes
// aside. Like JSON.parse, encoding/json keeps the last of duplicate keys.
func sameJSON(a []byte, b string) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal([]byte(b), &y) == nil && reflect.DeepEqual(x, y)
}

func splice(src []byte, from, to int, text string) []byte {
	out := make([]byte, 0, len(src)-(to-from)+len(text))
	out = append(out, src[:from]...)
	out = append(out, text...)
	return append(out, src[to:]...)
}

// detectStyle reads the layout of a file whose top level is an object.
func detectStyle(src []byte, root *jsonpos.Value) style {
	st := defaultStyle
	if bytes.Contains(src, []byte("\r\n")) {
		st.newline = "\r\n"
	}
	if len(root.Members) > 0 && root.Pos.Line == root.End.Line {
		st.compact = true
		return st
	}
	// The indent unit is the indentation of the first key that starts a
	// line; a file with its top-level keys at column 1 has none to copy.
	for _, m := range root.Members {
		if ind := lineIndent(src, m.KeyPos.Offset); ind != "" && onlyIndentBefore(src, m.KeyPos.Offset) {
			st.indent = ind
			break
		}
	}
	return st
}

// lineIndent returns the spaces and tabs that start the line holding off.
func lineIndent(src []byte, off int) string {
	start := bytes.LastIndexByte(src[:off], '\n') + 1
	end := start
	for end < off && (src[end] == ' ' || src[end] == '\t') {
		end++
	}
	return string(src[start:end])
}

// onlyIndentBefore says nothing but indentation precedes off on its line.
func onlyIndentBefore(src []byte, off int) bool {
	start := bytes.LastIndexByte(src[:off], '\n') + 1
	return len(bytes.Trim(src[start:off], " \t")) == 0
}
