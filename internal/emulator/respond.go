package emulator

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	writeBody(w, status, "application/json; charset=utf-8", v)
}

func writeBody(w http.ResponseWriter, status int, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Every value written here is built by this package; failing to
		// encode one is a bug, not a client error.
		panic(err)
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeMessage writes WorkOS's plainest error body, {"message": ...}.
func writeMessage(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"message": msg})
}

// writeCoded writes an error body with a machine-readable code.
func writeCoded(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"code": code, "message": msg})
}

// writeValidation writes the 422 body of WorkOS's request validation (the
// shape its CORS endpoint documents): one property, one constraint.
func writeValidation(w http.ResponseWriter, property, constraint, msg string) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
		"message": "Validation failed.",
		"errors": []any{map[string]any{
			"property":    property,
			"constraints": map[string]string{constraint: msg},
		}},
	})
}

// writeOAuthError writes the OAuth-style body the authenticate endpoint uses
// for client and grant errors.
func writeOAuthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]any{"error": code, "error_description": desc})
}

// decodeJSON reads the request body into dst and answers the error itself
// when it cannot. An empty body counts as {} so that a missing field is
// reported by validation (422), as WorkOS does, rather than as bad JSON.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) bool {
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(dst)
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil, errors.Is(err, io.EOF):
		return true
	case errors.As(err, &typeErr) && typeErr.Field != "":
		writeValidation(w, typeErr.Field, "isValid", typeErr.Field+" must be a "+typeErr.Type.Kind().String())
	default:
		writeMessage(w, http.StatusBadRequest, "The request body must be a JSON object.")
	}
	return false
}

// listMetadata is the cursor part of a list; nil cursors encode as null.
type listMetadata struct {
	Before *string `json:"before"`
	After  *string `json:"after"`
}

type list[T any] struct {
	Object       string       `json:"object"`
	Data         []T          `json:"data"`
	ListMetadata listMetadata `json:"list_metadata"`
}

// pageQuery is a list request's pagination: WorkOS cursors are object ids,
// and the default order is newest first.
type pageQuery struct {
	limit         int
	after, before string
	asc           bool
}

// parsePage reads limit, after, before and order, answering 422 itself for
// values WorkOS would reject.
func parsePage(w http.ResponseWriter, q url.Values) (pageQuery, bool) {
	p := pageQuery{limit: 10, after: q.Get("after"), before: q.Get("before")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			writeValidation(w, "limit", "isInt", "limit must be an integer between 1 and 100")
			return p, false
		}
		p.limit = n
	}
	switch q.Get("order") {
	case "asc":
		p.asc = true
	case "", "desc", "normal":
	default:
		writeValidation(w, "order", "isEnum", "order must be one of the following values: normal, desc, asc")
		return p, false
	}
	return p, true
}

// paginate returns one page of items, which must be in creation order (so
// in ascending id order). Cursors are compared rather than looked up, so a
// cursor naming a since-deleted object still works.
func paginate[T any](items []T, id func(T) string, p pageQuery) list[T] {
	// Never nil, so that an empty page encodes as [] rather than null.
	ordered := append(make([]T, 0, len(items)), items...)
	// follows reports whether a comes after b in the requested order.
	follows := func(a, b string) bool { return strings.Compare(a, b) > 0 }
	if !p.asc {
		slices.Reverse(ordered)
		follows = func(a, b string) bool { return strings.Compare(a, b) < 0 }
	}
	lo, hi := 0, len(ordered)
	if p.after != "" {
		lo = slices.IndexFunc(ordered, func(t T) bool { return follows(id(t), p.after) })
		if lo < 0 {
			lo = len(ordered)
		}
	}
	if p.before != "" {
		hi = slices.IndexFunc(ordered, func(t T) bool { return !follows(p.before, id(t)) })
		if hi < 0 {
			hi = len(ordered)
		}
	}
	hi = max(hi, lo)
	start := lo
	if p.before != "" && p.after == "" {
		// Paging backwards: the page ends next to the cursor.
		start = max(lo, hi-p.limit)
	}
	end := min(start+p.limit, hi)
	out := list[T]{Object: "list", Data: ordered[start:end]}
	if start < end {
		if start > 0 {
			first := id(ordered[start])
			out.ListMetadata.Before = &first
		}
		if end < len(ordered) {
			last := id(ordered[end-1])
			out.ListMetadata.After = &last
		}
	}
	return out
}
