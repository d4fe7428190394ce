package deployemu

import (
	"context"
	"net/http"
)

type recordKey struct{}

// withRecord lets a handler add what it learns (the function called) to the
// request's record.
func withRecord(r *http.Request, rec *Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), recordKey{}, rec))
}

func recordOf(r *http.Request) *Request {
	rec, _ := r.Context().Value(recordKey{}).(*Request)
	return rec
}

func (rec *Request) setFunction(s *Server, path string) {
	if rec == nil {
		return
	}
	s.requests.Update(func() { rec.Function = path })
}
