package jwks

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/convex-authkit/convex-authkit/internal/jsonpos"
)

// serdeMaxDepth is serde_json's recursion limit: its parser starts with 128
// levels and fails when the count reaches zero, so 127 nested arrays or
// objects are the most it reads.
const serdeMaxDepth = 127

// ParseJSON parses data as strictly as serde_json::from_slice, which is what
// a Convex deployment uses for JWT headers, JWT payloads and JWKS bodies.
// jsonpos already rejects what JSON.parse rejects (invalid UTF-8, trailing
// data, comments); serde_json is stricter in three more ways, checked here:
// lone UTF-16 surrogate escapes, nesting deeper than 127 levels, and numbers
// beyond the float64 range (JSON.parse would read those as Infinity).
func ParseJSON(data []byte) (*jsonpos.Value, error) {
	v, err := jsonpos.Parse(data)
	if err != nil {
		var se *jsonpos.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("not valid JSON (byte %d: %s)", se.Pos.Offset, se.Msg)
		}
		return nil, fmt.Errorf("not valid JSON: %v", err)
	}
	if off, ok := loneSurrogate(data); ok {
		return nil, fmt.Errorf("not valid JSON for Convex (byte %d: a lone UTF-16 surrogate escape, which serde_json rejects)", off)
	}
	if err := checkTree(v, 1); err != nil {
		return nil, err
	}
	return v, nil
}

func checkTree(v *jsonpos.Value, depth int) error {
	switch v.Kind {
	case jsonpos.Number:
		if f, err := strconv.ParseFloat(v.Number, 64); err != nil && math.IsInf(f, 0) {
			return fmt.Errorf("not valid JSON for Convex (byte %d: the number %s is out of range, which serde_json rejects)", v.Pos.Offset, v.Number)
		}
	case jsonpos.Array, jsonpos.Object:
		if depth > serdeMaxDepth {
			return fmt.Errorf("not valid JSON for Convex (byte %d: nested more than %d levels deep, serde_json's limit)", v.Pos.Offset, serdeMaxDepth)
		}
		for _, e := range v.Elems {
			if err := checkTree(e, depth+1); err != nil {
				return err
			}
		}
		for _, m := range v.Members {
			if err := checkTree(m.Value, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// loneSurrogate finds a \uD800-\uDFFF escape that is not part of a valid
// high+low pair. It relies on data being valid JSON, where a backslash only
// occurs inside strings and always starts an escape.
func loneSurrogate(data []byte) (int, bool) {
	for i := 0; i < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		if i+1 >= len(data) || data[i+1] != 'u' {
			i++ // a two-character escape such as \\ or \"
			continue
		}
		r, ok := hex4(data, i+2)
		if !ok {
			return 0, false // not valid JSON; jsonpos reports it
		}
		switch {
		case r >= 0xDC00 && r <= 0xDFFF:
			return i, true
		case r >= 0xD800 && r <= 0xDBFF:
			if i+11 < len(data) && data[i+6] == '\\' && data[i+7] == 'u' {
				if lo, ok := hex4(data, i+8); ok && lo >= 0xDC00 && lo <= 0xDFFF {
					i += 11
					continue
				}
			}
			return i, true
		}
		i += 5
	}
	return 0, false
}

func hex4(data []byte, at int) (rune, bool) {
	if at+4 > len(data) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(data[at:at+4]), 16, 16)
	return rune(n), err == nil
}

// Field is an object member read with serde's rules: a key that appears
// twice is an error for the fields a struct declares, and null counts as
// absent for an Option.
type Field struct {
	Value *jsonpos.Value
}

// Present reports whether the member exists and is not null.
func (f Field) Present() bool { return f.Value != nil && f.Value.Kind != jsonpos.Null }

// Fields indexes the members of obj whose keys are in known, failing on a
// duplicate, as serde's derived Deserialize does ("duplicate field `kid`").
// Other members are ignored, as serde ignores unknown fields.
func Fields(obj *jsonpos.Value, known ...string) (map[string]Field, error) {
	out := make(map[string]Field, len(known))
	want := make(map[string]bool, len(known))
	for _, k := range known {
		want[k] = true
	}
	for _, m := range obj.Members {
		if !want[m.Key] {
			continue
		}
		if _, dup := out[m.Key]; dup {
			return nil, fmt.Errorf("duplicate field %q", m.Key)
		}
		out[m.Key] = Field{Value: m.Value}
	}
	return out, nil
}

// OptString reads an optional string member: absent or null is ("", false).
func OptString(fs map[string]Field, name string) (string, bool, error) {
	f := fs[name]
	if !f.Present() {
		return "", false, nil
	}
	if f.Value.Kind != jsonpos.String {
		return "", false, fmt.Errorf("%q must be a string, not %s", name, f.Value.Kind)
	}
	return f.Value.Str, true, nil
}

// OptStrings reads an optional array-of-strings member.
func OptStrings(fs map[string]Field, name string) ([]string, bool, error) {
	f := fs[name]
	if !f.Present() {
		return nil, false, nil
	}
	if f.Value.Kind != jsonpos.Array {
		return nil, false, fmt.Errorf("%q must be an array of strings, not %s", name, f.Value.Kind)
	}
	out := make([]string, 0, len(f.Value.Elems))
	for i, e := range f.Value.Elems {
		if e.Kind != jsonpos.String {
			return nil, false, fmt.Errorf("%q[%d] must be a string, not %s", name, i, e.Kind)
		}
		out = append(out, e.Str)
	}
	return out, true, nil
}
