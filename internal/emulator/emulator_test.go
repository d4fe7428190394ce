package emulator

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/big"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// testKey is shared so that only one RSA key is generated per test run.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

var fixedNow = time.Date(2026, 3, 4, 5, 6, 7, 890_000_000, time.UTC)

func clock() time.Time { return fixedNow }

// start runs a server on loopback for the test's duration.
func start(t *testing.T, opts Options) (*Server, string) {
	t.Helper()
	if opts.Key == nil {
		opts.Key = testKey()
	}
	if opts.Now == nil {
		opts.Now = clock
	}
	s := New(opts)
	url, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, url
}

type response struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any // nil when the body is empty
}

// call sends one request; key "" sends no Authorization header.
func call(t *testing.T, method, url, key string, body any) response {
	t.Helper()
	r, err := tryCall(context.Background(), method, url, key, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return r
}

func tryCall(ctx context.Context, method, url, key string, body any) (response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return response{}, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return response{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return response{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return response{}, err
	}
	out := response{status: res.StatusCode, header: res.Header, raw: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out.body); err != nil {
			return out, fmt.Errorf("body %q is not a JSON object: %v", raw, err)
		}
	}
	return out, nil
}

func (r response) want(t *testing.T, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.raw)
	}
	return r
}

// wantBody checks that the body is exactly want.
func (r response) wantBody(t *testing.T, want string) {
	t.Helper()
	var w map[string]any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if !jsonEqual(r.body, w) {
		t.Fatalf("body = %s, want %s", r.raw, want)
	}
}

func jsonEqual(a, b any) bool {
	ab, _ := json.Marshal(a)
	bb, _ := json.Marshal(b)
	return bytes.Equal(ab, bb)
}

func keysOf(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}

func wantKeys(t *testing.T, m map[string]any, want ...string) {
	t.Helper()
	slices.Sort(want)
	if got := keysOf(m); !slices.Equal(got, want) {
		t.Fatalf("keys = %v, want %v (object %v)", got, want, m)
	}
}

var (
	ulidPart    = `[0-9A-HJKMNP-TV-Z]{26}`
	timestampRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
)

func wantID(t *testing.T, id any, prefix string) string {
	t.Helper()
	s, _ := id.(string)
	if !regexp.MustCompile(`^` + prefix + ulidPart + `$`).MatchString(s) {
		t.Fatalf("id %q does not look like %s<ULID>", s, prefix)
	}
	return s
}

func wantTimestamps(t *testing.T, obj map[string]any) {
	t.Helper()
	for _, k := range []string{"created_at", "updated_at"} {
		if s, _ := obj[k].(string); !timestampRE.MatchString(s) {
			t.Fatalf("%s = %v, want an RFC 3339 UTC time with milliseconds", k, obj[k])
		}
	}
}

// wantList checks the list envelope and returns its data.
func wantList(t *testing.T, r response) []map[string]any {
	t.Helper()
	r.want(t, http.StatusOK)
	wantKeys(t, r.body, "object", "data", "list_metadata")
	if r.body["object"] != "list" {
		t.Fatalf("object = %v, want list", r.body["object"])
	}
	meta, ok := r.body["list_metadata"].(map[string]any)
	if !ok {
		t.Fatalf("list_metadata = %v", r.body["list_metadata"])
	}
	wantKeys(t, meta, "before", "after")
	data, ok := r.body["data"].([]any)
	if !ok {
		t.Fatalf("data = %v, want an array", r.body["data"])
	}
	out := make([]map[string]any, len(data))
	for i, d := range data {
		out[i] = d.(map[string]any)
	}
	return out
}

func TestDefaults(t *testing.T) {
	s := New(Options{})
	if !regexp.MustCompile(`^client_` + ulidPart + `$`).MatchString(s.ClientID()) {
		t.Errorf("ClientID() = %q, want client_ and a 26-character ULID", s.ClientID())
	}
	if s.ClientID() != "client_01EMV1AT0R0000000000000000" || s.APIKey() != "sk_test_emulator_0000000000000000" {
		t.Errorf("defaults = %q, %q", s.ClientID(), s.APIKey())
	}
	if s.URL() != "" {
		t.Errorf("URL() before Start = %q", s.URL())
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close before Start: %v", err)
	}
	custom := New(Options{ClientID: "client_X", APIKey: "sk_test_other"})
	if custom.ClientID() != "client_X" || custom.APIKey() != "sk_test_other" {
		t.Errorf("options ignored: %q, %q", custom.ClientID(), custom.APIKey())
	}
}

func TestStartLoopbackOnly(t *testing.T) {
	for _, addr := range []string{":0", "0.0.0.0:0", "192.0.2.1:0", "example.com:0", "nonsense"} {
		if _, err := New(Options{}).Start(addr); err == nil {
			t.Errorf("Start(%q) succeeded, want an error", addr)
		}
	}
	s := New(Options{})
	url, err := s.Start("localhost:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !regexp.MustCompile(`^http://127\.0\.0\.1:\d+$`).MatchString(url) || s.URL() != url {
		t.Errorf("Start = %q, URL() = %q", url, s.URL())
	}
	if _, err := s.Start("127.0.0.1:0"); err == nil {
		t.Error("second Start succeeded")
	}
	call(t, "GET", url+"/nope", "", nil).want(t, http.StatusNotFound)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := tryCall(context.Background(), "GET", url+"/nope", "", nil); err == nil {
		t.Error("request after Close succeeded")
	}
}

func TestAuthRequired(t *testing.T) {
	s, url := start(t, Options{})
	endpoints := []struct{ method, path string }{
		{"GET", "/user_management/redirect_uris"},
		{"POST", "/user_management/redirect_uris"},
		{"DELETE", "/user_management/redirect_uris/redir_01"},
		{"GET", "/user_management/cors_origins"},
		{"POST", "/user_management/cors_origins"},
		{"PUT", "/user_management/app_homepage_url"},
		{"GET", "/user_management/jwt_template"},
		{"PUT", "/user_management/jwt_template"},
		{"GET", "/webhook_endpoints"},
		{"POST", "/webhook_endpoints"},
		{"PATCH", "/webhook_endpoints/we_01"},
		{"DELETE", "/webhook_endpoints/we_01"},
		{"GET", "/user_management/users"},
		{"POST", "/user_management/users"},
		{"GET", "/user_management/users/user_01"},
	}
	for _, e := range endpoints {
		for _, key := range []string{"", "sk_test_wrong", strings.ToUpper(s.APIKey())} {
			r := call(t, e.method, url+e.path, key, map[string]any{})
			r.want(t, http.StatusUnauthorized).wantBody(t, `{"message":"Unauthorized"}`)
			if !strings.HasPrefix(r.header.Get("X-Request-ID"), "req_") {
				t.Errorf("%s %s: X-Request-ID = %q", e.method, e.path, r.header.Get("X-Request-ID"))
			}
		}
	}
	// The scheme is case-insensitive, as in HTTP.
	req, _ := http.NewRequest("GET", url+"/user_management/redirect_uris", nil)
	req.Header.Set("Authorization", "bearer "+s.APIKey())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("lower-case bearer: status %d", res.StatusCode)
	}
	// These two need no key.
	call(t, "GET", url+"/sso/jwks/"+s.ClientID(), "", nil).want(t, http.StatusOK)
	call(t, "POST", url+"/user_management/authenticate", "", map[string]any{}).want(t, http.StatusUnauthorized).
		wantBody(t, `{"error":"invalid_client","error_description":"Invalid client ID."}`)
}

func TestRoutingErrors(t *testing.T) {
	s, url := start(t, Options{})
	r := call(t, "GET", url+"/no/such/path", s.APIKey(), nil).want(t, http.StatusNotFound)
	r.wantBody(t, `{"message":"Not Found"}`)
	if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	r = call(t, "DELETE", url+"/user_management/redirect_uris", s.APIKey(), nil).want(t, http.StatusMethodNotAllowed)
	r.wantBody(t, `{"message":"Method Not Allowed"}`)
	if got := r.header.Get("Allow"); got != "GET, POST" {
		t.Errorf("Allow = %q", got)
	}
	// WorkOS cannot delete CORS origins: there is no such route.
	call(t, "DELETE", url+"/user_management/cors_origins/cors_origin_01", s.APIKey(), nil).want(t, http.StatusNotFound)
	call(t, "GET", url+"/user_management/redirect_uris/", s.APIKey(), nil).want(t, http.StatusNotFound)
	call(t, "POST", url+"/user_management/redirect_uris", s.APIKey(), "not an object").want(t, http.StatusBadRequest)
}

func TestRedirectURIs(t *testing.T) {
	s, url := start(t, Options{})
	base, key := url+"/user_management/redirect_uris", s.APIKey()

	first := call(t, "POST", base, key, map[string]string{"uri": "http://localhost:3000/callback"}).want(t, http.StatusCreated).body
	wantKeys(t, first, "object", "id", "uri", "default", "created_at", "updated_at")
	wantID(t, first["id"], "redir_")
	wantTimestamps(t, first)
	if first["object"] != "redirect_uri" || first["uri"] != "http://localhost:3000/callback" || first["default"] != true {
		t.Errorf("first = %v, want the default redirect_uri", first)
	}
	second := call(t, "POST", base, key, map[string]string{"uri": "myapp://callback"}).want(t, http.StatusCreated).body
	if second["default"] != false {
		t.Errorf("second default = %v", second["default"])
	}

	data := wantList(t, call(t, "GET", base, key, nil))
	if len(data) != 2 || data[0]["id"] != second["id"] || data[1]["id"] != first["id"] {
		t.Errorf("list (newest first) = %v", data)
	}
	if !jsonEqual(data[1], first) {
		t.Errorf("listed %v, created %v", data[1], first)
	}

	call(t, "POST", base, key, map[string]string{"uri": "http://localhost:3000/callback"}).
		want(t, http.StatusUnprocessableEntity).
		wantBody(t, `{"message":"Redirect URI 'http://localhost:3000/callback' already exists."}`)

	for _, bad := range []any{map[string]string{}, map[string]string{"uri": ""}, map[string]string{"uri": "/callback"},
		map[string]string{"uri": "https:///nohost"}, map[string]string{"uri": "https://a b.com/"}, map[string]int{"uri": 3}} {
		r := call(t, "POST", base, key, bad).want(t, http.StatusUnprocessableEntity)
		errs, _ := r.body["errors"].([]any)
		if r.body["message"] != "Validation failed." || len(errs) != 1 || errs[0].(map[string]any)["property"] != "uri" {
			t.Errorf("POST %v: body %s", bad, r.raw)
		}
	}

	call(t, "DELETE", base+"/"+first["id"].(string), key, nil).want(t, http.StatusConflict).
		wantBody(t, `{"message":"Cannot delete the default redirect URI."}`)
	r := call(t, "DELETE", base+"/"+second["id"].(string), key, nil).want(t, http.StatusNoContent)
	if len(r.raw) != 0 {
		t.Errorf("204 body = %q", r.raw)
	}
	call(t, "DELETE", base+"/"+second["id"].(string), key, nil).want(t, http.StatusNotFound).
		wantBody(t, fmt.Sprintf(`{"message":"Redirect URI not found: '%s'."}`, second["id"]))
	if got := s.RedirectURIs(); !slices.Equal(got, []string{"http://localhost:3000/callback"}) {
		t.Errorf("RedirectURIs() = %v", got)
	}
}

func TestAddRedirectURISeeds(t *testing.T) {
	s, url := start(t, Options{})
	s.AddRedirectURI("https://a.example.com/cb", false)
	s.AddRedirectURI("https://b.example.com/cb", true)
	s.AddRedirectURI("https://c.example.com/cb", true)
	s.AddRedirectURI("https://a.example.com/cb", false) // already there: no duplicate
	if got := s.RedirectURIs(); !slices.Equal(got, []string{"https://a.example.com/cb", "https://b.example.com/cb", "https://c.example.com/cb"}) {
		t.Fatalf("RedirectURIs() = %v", got)
	}
	defaults := map[string]bool{}
	for _, d := range wantList(t, call(t, "GET", url+"/user_management/redirect_uris?order=asc", s.APIKey(), nil)) {
		defaults[d["uri"].(string)] = d["default"].(bool)
	}
	if want := map[string]bool{"https://a.example.com/cb": false, "https://b.example.com/cb": false, "https://c.example.com/cb": true}; !maps.Equal(defaults, want) {
		t.Errorf("defaults = %v, want %v", defaults, want)
	}
}

func TestRedirectURIPagination(t *testing.T) {
	s, url := start(t, Options{})
	var all []string
	for i := range 250 {
		uri := fmt.Sprintf("https://app%03d.example.com/callback", i)
		s.AddRedirectURI(uri, false)
		all = append(all, uri)
	}
	base := url + "/user_management/redirect_uris"

	// Newest first by default, following list_metadata.after to the end.
	var got, ids []string
	after, pages := "", 0
	for {
		q := "?limit=100"
		if after != "" {
			q += "&after=" + after
		}
		r := call(t, "GET", base+q, s.APIKey(), nil)
		data := wantList(t, r)
		pages++
		for _, d := range data {
			got = append(got, d["uri"].(string))
			ids = append(ids, d["id"].(string))
		}
		meta := r.body["list_metadata"].(map[string]any)
		if (pages == 1) != (meta["before"] == nil) {
			t.Errorf("page %d: before = %v", pages, meta["before"])
		}
		next, _ := meta["after"].(string)
		if next == "" {
			break
		}
		if next != ids[len(ids)-1] {
			t.Errorf("page %d: after = %q, want the last id %q", pages, next, ids[len(ids)-1])
		}
		after = next
	}
	want := slices.Clone(all)
	slices.Reverse(want)
	if pages != 3 || !slices.Equal(got, want) {
		t.Fatalf("%d pages, %d items; first %v", pages, len(got), got[:3])
	}

	// Oldest first, default limit of 10.
	data := wantList(t, call(t, "GET", base+"?order=asc", s.APIKey(), nil))
	if len(data) != 10 || data[0]["uri"] != all[0] || data[9]["uri"] != all[9] {
		t.Errorf("asc page = %d items starting %v", len(data), data[0]["uri"])
	}

	// Paging backwards from the last page's first item returns the items
	// just before it.
	cursor := ids[200]
	r := call(t, "GET", base+"?limit=100&before="+cursor, s.APIKey(), nil)
	data = wantList(t, r)
	if len(data) != 100 || data[0]["id"] != ids[100] || data[99]["id"] != ids[199] {
		t.Errorf("before page: %d items from %v to %v", len(data), data[0]["id"], data[len(data)-1]["id"])
	}
	meta := r.body["list_metadata"].(map[string]any)
	if meta["before"] != ids[100] || meta["after"] != ids[199] {
		t.Errorf("before page metadata = %v", meta)
	}

	for _, q := range []string{"?limit=0", "?limit=101", "?limit=x", "?order=sideways"} {
		r := call(t, "GET", base+q, s.APIKey(), nil).want(t, http.StatusUnprocessableEntity)
		if r.body["message"] != "Validation failed." {
			t.Errorf("%s: %s", q, r.raw)
		}
	}
	data = wantList(t, call(t, "GET", base+"?limit=100&after="+ids[249], s.APIKey(), nil))
	if len(data) != 0 {
		t.Errorf("page after the last item has %d items", len(data))
	}
}

func TestPaginateDeletedCursor(t *testing.T) {
	items := []string{"a_1", "a_2", "a_3", "a_4"}
	id := func(s string) string { return s }
	// a_2 has been deleted; it still marks a place in the order.
	p := paginate([]string{"a_1", "a_3", "a_4"}, id, pageQuery{limit: 10, after: "a_2", asc: true})
	if !slices.Equal(p.Data, []string{"a_3", "a_4"}) || p.ListMetadata.Before == nil || *p.ListMetadata.Before != "a_3" || p.ListMetadata.After != nil {
		t.Errorf("after deleted cursor: %+v", p)
	}
	p = paginate(items, id, pageQuery{limit: 2, before: "a_1"})
	if !slices.Equal(p.Data, []string{"a_3", "a_2"}) || *p.ListMetadata.Before != "a_3" || *p.ListMetadata.After != "a_2" {
		t.Errorf("desc before a_1: %+v", p)
	}
	p = paginate(nil, id, pageQuery{limit: 2})
	if b, _ := json.Marshal(p); string(b) != `{"object":"list","data":[],"list_metadata":{"before":null,"after":null}}` {
		t.Errorf("empty list = %s", b)
	}
}

func TestDuplicateStatus(t *testing.T) {
	for _, tt := range []struct{ fault, redirect, cors int }{
		{0, http.StatusUnprocessableEntity, http.StatusConflict},
		{http.StatusConflict, http.StatusConflict, http.StatusConflict},
		{http.StatusUnprocessableEntity, http.StatusUnprocessableEntity, http.StatusUnprocessableEntity},
	} {
		t.Run(fmt.Sprint(tt.fault), func(t *testing.T) {
			s, url := start(t, Options{})
			s.SetFaults(Faults{DuplicateStatus: tt.fault})
			s.AddRedirectURI("https://app.example.com/cb", true)
			s.AddCORSOrigin("https://app.example.com")
			call(t, "POST", url+"/user_management/redirect_uris", s.APIKey(), map[string]string{"uri": "https://app.example.com/cb"}).
				want(t, tt.redirect).wantBody(t, `{"message":"Redirect URI 'https://app.example.com/cb' already exists."}`)
			call(t, "POST", url+"/user_management/cors_origins", s.APIKey(), map[string]string{"origin": "https://app.example.com"}).
				want(t, tt.cors).wantBody(t, `{"code":"duplicate_cors_origin","message":"CORS origin already exists."}`)
		})
	}
}

func TestProductionValidation(t *testing.T) {
	live, liveURL := start(t, Options{APIKey: "sk_live_emulator_0000000000000000"})
	test, testURL := start(t, Options{})
	for _, tt := range []struct {
		uri          string
		live, stated int
	}{
		{"https://app.example.com/callback", http.StatusCreated, http.StatusCreated},
		{"http://app.example.com/callback", http.StatusUnprocessableEntity, http.StatusCreated},
		{"http://localhost:3000/callback", http.StatusUnprocessableEntity, http.StatusCreated},
		{"https://localhost/callback", http.StatusUnprocessableEntity, http.StatusCreated},
		{"https://127.0.0.1:8443/callback", http.StatusUnprocessableEntity, http.StatusCreated},
		{"https://app.localhost/callback", http.StatusUnprocessableEntity, http.StatusCreated},
	} {
		body := map[string]string{"uri": tt.uri}
		r := call(t, "POST", liveURL+"/user_management/redirect_uris", live.APIKey(), body).want(t, tt.live)
		if tt.live == http.StatusUnprocessableEntity {
			wantKeys(t, r.body, "message")
			if msg := r.body["message"].(string); !strings.Contains(msg, tt.uri) || !strings.Contains(msg, "production") {
				t.Errorf("%s: message %q", tt.uri, msg)
			}
		}
		call(t, "POST", testURL+"/user_management/redirect_uris", test.APIKey(), body).want(t, tt.stated)
	}
	if got := live.RedirectURIs(); !slices.Equal(got, []string{"https://app.example.com/callback"}) {
		t.Errorf("live RedirectURIs() = %v", got)
	}
}

func TestCORSOrigins(t *testing.T) {
	s, url := start(t, Options{})
	base, key := url+"/user_management/cors_origins", s.APIKey()
	created := call(t, "POST", base, key, map[string]string{"origin": "http://localhost:5173"}).want(t, http.StatusCreated).body
	wantKeys(t, created, "object", "id", "origin", "created_at", "updated_at")
	wantID(t, created["id"], "cors_origin_")
	wantTimestamps(t, created)
	if created["object"] != "cors_origin" || created["origin"] != "http://localhost:5173" {
		t.Errorf("created = %v", created)
	}
	call(t, "POST", base, key, map[string]string{"origin": "https://app.example.com"}).want(t, http.StatusCreated)
	call(t, "POST", base, key, map[string]string{"origin": "capacitor://localhost"}).want(t, http.StatusCreated)

	data := wantList(t, call(t, "GET", base+"?order=asc", key, nil))
	if len(data) != 3 || !jsonEqual(data[0], created) {
		t.Errorf("list = %v", data)
	}
	call(t, "POST", base, key, map[string]string{"origin": "http://localhost:5173"}).want(t, http.StatusConflict).
		wantBody(t, `{"code":"duplicate_cors_origin","message":"CORS origin already exists."}`)

	for _, bad := range []string{"", "app.example.com", "https://app.example.com/", "https://app.example.com/path",
		"https://app.example.com?x=1", "https://app.example.com#top", "https://user@app.example.com", "https://", "https://app.example.com:"} {
		r := call(t, "POST", base, key, map[string]string{"origin": bad}).want(t, http.StatusUnprocessableEntity)
		wantKeys(t, r.body, "message", "errors")
		errs, _ := r.body["errors"].([]any)
		if r.body["message"] != "Validation failed." || len(errs) != 1 {
			t.Fatalf("%q: %s", bad, r.raw)
		}
		e := errs[0].(map[string]any)
		if _, ok := e["constraints"].(map[string]any); !ok || e["property"] != "origin" {
			t.Errorf("%q: error %v", bad, e)
		}
	}
	if got := s.CORSOrigins(); !slices.Equal(got, []string{"http://localhost:5173", "https://app.example.com", "capacitor://localhost"}) {
		t.Errorf("CORSOrigins() = %v", got)
	}
}

func TestHomepage(t *testing.T) {
	s, url := start(t, Options{})
	live, liveURL := start(t, Options{APIKey: "sk_live_x0000000000"})
	put := func(base, key, u string) response {
		return call(t, "PUT", base+"/user_management/app_homepage_url", key, map[string]string{"url": u})
	}
	put(url, s.APIKey(), "https://app.example.com").want(t, http.StatusOK).
		wantBody(t, `{"object":"app_homepage_url","url":"https://app.example.com"}`)
	if s.HomepageURL() != "https://app.example.com" {
		t.Errorf("HomepageURL() = %q", s.HomepageURL())
	}
	put(url, s.APIKey(), "http://staging.example.com").want(t, http.StatusOK)
	for _, u := range []string{"http://localhost:3000", "https://localhost", "http://127.0.0.1:5173", "not a url", "", "ftp://example.com", "/relative"} {
		r := put(url, s.APIKey(), u).want(t, http.StatusUnprocessableEntity)
		wantKeys(t, r.body, "message")
	}
	put(liveURL, live.APIKey(), "http://app.example.com").want(t, http.StatusUnprocessableEntity)
	put(liveURL, live.APIKey(), "https://app.example.com").want(t, http.StatusOK)
	if s.HomepageURL() != "http://staging.example.com" {
		t.Errorf("rejected URLs changed the homepage to %q", s.HomepageURL())
	}

	s.SetFaults(Faults{NoHomepage: true})
	put(url, s.APIKey(), "https://app.example.com").want(t, http.StatusNotFound)
}

func TestJWTTemplate(t *testing.T) {
	s, url := start(t, Options{})
	base, key := url+"/user_management/jwt_template", s.APIKey()
	call(t, "GET", base, key, nil).want(t, http.StatusNotFound).wantBody(t, `{"message":"JWT template not found."}`)
	if s.JWTTemplate() != "" {
		t.Errorf("JWTTemplate() = %q", s.JWTTemplate())
	}

	content := `{"aud": "convex", "email": {{ user.email }}, "name": "{{ user.first_name || 'Someone' }}"}`
	put := call(t, "PUT", base, key, map[string]string{"content": content}).want(t, http.StatusOK).body
	wantKeys(t, put, "object", "content", "created_at", "updated_at")
	wantTimestamps(t, put)
	if put["object"] != "jwt_template" || put["content"] != content || s.JWTTemplate() != content {
		t.Errorf("PUT = %v", put)
	}
	got := call(t, "GET", base, key, nil).want(t, http.StatusOK).body
	if !jsonEqual(got, put) {
		t.Errorf("GET = %v, want %v", got, put)
	}

	for _, tt := range []struct{ content, mention string }{
		{`{"iss": "me"}`, "iss"},
		{`{"sub": "x", "jti": "y", "ok": 1}`, "sub, jti"},
		{`{"exp": 1}`, "exp"},
		{`{"iat": 1}`, "iat"},
		{`{"nbf": 1}`, "nbf"},
		{`not json`, "JSON object"},
		{`["a"]`, "JSON object"},
		{`null`, "JSON object"},
		{`{"a": 1} {"b": 2}`, "single"},
		{`{"a": {{ session.id }}}`, "session.id"},
		{`{"a": {{ user.email }`, "never closed"},
		{`{"a": "{{ user.metadata }}"}`, "inside a string"},
	} {
		r := call(t, "PUT", base, key, map[string]string{"content": tt.content}).want(t, http.StatusUnprocessableEntity)
		wantKeys(t, r.body, "code", "message")
		if r.body["code"] != "invalid_request_parameters" || !strings.Contains(r.body["message"].(string), tt.mention) {
			t.Errorf("%s: %s", tt.content, r.raw)
		}
	}
	call(t, "PUT", base, key, map[string]any{}).want(t, http.StatusUnprocessableEntity)
	call(t, "PUT", base, key, map[string]any{"content": map[string]string{"aud": "x"}}).want(t, http.StatusUnprocessableEntity)
	if s.JWTTemplate() != content {
		t.Errorf("rejected templates replaced the template: %q", s.JWTTemplate())
	}
}

func TestWebhookEndpoints(t *testing.T) {
	s, url := start(t, Options{})
	base, key := url+"/webhook_endpoints", s.APIKey()
	events := []string{"user.created", "user.updated", "user.deleted"}
	created := call(t, "POST", base, key, map[string]any{"endpoint_url": "https://happy-otter-123.convex.site/workos/webhook", "events": events}).
		want(t, http.StatusCreated).body
	wantKeys(t, created, "object", "id", "endpoint_url", "secret", "status", "events", "created_at", "updated_at")
	id := wantID(t, created["id"], "we_")
	wantTimestamps(t, created)
	if created["object"] != "webhook_endpoint" || created["status"] != "enabled" || !jsonEqual(created["events"], events) ||
		!strings.HasPrefix(created["secret"].(string), "whsec_") || len(created["secret"].(string)) < 30 {
		t.Errorf("created = %v", created)
	}

	data := wantList(t, call(t, "GET", base, key, nil))
	if len(data) != 1 || !jsonEqual(data[0], created) {
		t.Errorf("list = %v", data)
	}

	call(t, "POST", base, key, map[string]any{"endpoint_url": "https://happy-otter-123.convex.site/workos/webhook", "events": events}).
		want(t, http.StatusConflict).wantBody(t, `{"code":"duplicate_endpoint","message":"A webhook endpoint with this URL already exists."}`)
	for _, u := range []string{"http://example.com/hook", "not a url", "https://", ""} {
		r := call(t, "POST", base, key, map[string]any{"endpoint_url": u, "events": events}).want(t, http.StatusUnprocessableEntity)
		if r.body["code"] != "invalid_url" {
			t.Errorf("%q: %s", u, r.raw)
		}
	}
	for _, ev := range []any{nil, []string{}, []string{""}} {
		body := map[string]any{"endpoint_url": "https://other.example.com/hook"}
		if ev != nil {
			body["events"] = ev
		}
		r := call(t, "POST", base, key, body).want(t, http.StatusUnprocessableEntity)
		if r.body["code"] != "invalid_request_parameters" {
			t.Errorf("events %v: %s", ev, r.raw)
		}
	}

	other := call(t, "POST", base, key, map[string]any{"endpoint_url": "https://other.example.com/hook", "events": []string{"user.created"}}).
		want(t, http.StatusCreated).body
	if other["secret"] == created["secret"] {
		t.Error("two endpoints share a secret")
	}

	patched := call(t, "PATCH", base+"/"+id, key, map[string]any{"status": "disabled", "events": []string{"user.created"}}).want(t, http.StatusOK).body
	if patched["status"] != "disabled" || !jsonEqual(patched["events"], []string{"user.created"}) || patched["secret"] != created["secret"] ||
		patched["endpoint_url"] != created["endpoint_url"] || patched["created_at"] != created["created_at"] {
		t.Errorf("patched = %v", patched)
	}
	call(t, "PATCH", base+"/"+id, key, map[string]any{"status": "paused"}).want(t, http.StatusUnprocessableEntity)
	call(t, "PATCH", base+"/"+id, key, map[string]any{"endpoint_url": "http://insecure.example.com"}).want(t, http.StatusUnprocessableEntity)
	r := call(t, "PATCH", base+"/"+id, key, map[string]any{"endpoint_url": "https://other.example.com/hook"}).want(t, http.StatusConflict)
	if r.body["code"] != "duplicate_endpoint" {
		t.Errorf("PATCH to a taken URL: %s", r.raw)
	}
	call(t, "PATCH", base+"/we_missing", key, map[string]any{"status": "enabled"}).want(t, http.StatusNotFound).
		wantBody(t, `{"code":"entity_not_found","message":"Webhook endpoint not found: 'we_missing'."}`)

	call(t, "DELETE", base+"/"+id, key, nil).want(t, http.StatusNoContent)
	call(t, "DELETE", base+"/"+id, key, nil).want(t, http.StatusNotFound)
	if data := wantList(t, call(t, "GET", base, key, nil)); len(data) != 1 || data[0]["id"] != other["id"] {
		t.Errorf("after delete: %v", data)
	}
}

// fetchJWKS returns the JWKS body and checks its transport details.
func fetchJWKS(t *testing.T, url string, s *Server) map[string]any {
	t.Helper()
	r := call(t, "GET", url+"/sso/jwks/"+s.ClientID(), "", nil).want(t, http.StatusOK)
	if ct := r.header.Get("Content-Type"); ct != "application/jwk-set+json" {
		t.Fatalf("JWKS Content-Type = %q", ct)
	}
	return r.body
}

func TestJWKS(t *testing.T) {
	s, url := start(t, Options{})
	body := fetchJWKS(t, url, s)
	wantKeys(t, body, "keys")
	keys := body["keys"].([]any)
	if len(keys) != 1 {
		t.Fatalf("%d keys", len(keys))
	}
	k := keys[0].(map[string]any)
	wantKeys(t, k, "kty", "kid", "use", "alg", "n", "e", "x5c", "x5t#S256")
	if k["kty"] != "RSA" || k["use"] != "sig" || k["alg"] != "RS256" || k["e"] != "AQAB" {
		t.Errorf("key = %v", k)
	}
	wantID(t, k["kid"], "sso_oidc_key_pair_")
	pub := publicKey(t, k)
	if !pub.Equal(&testKey().PublicKey) {
		t.Error("the JWKS key is not the signing key")
	}

	der, err := base64.StdEncoding.DecodeString(k["x5c"].([]any)[0].(string))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Equal(cert.PublicKey) {
		t.Error("x5c certificate holds another key")
	}
	if sum := sha256.Sum256(der); k["x5t#S256"] != base64.RawURLEncoding.EncodeToString(sum[:]) {
		t.Error("x5t#S256 is not the certificate's SHA-256")
	}

	// The kid depends on the key only.
	if again := fetchJWKS(t, url, s); !jsonEqual(again, body) {
		t.Error("JWKS changed between requests")
	}
	other, otherURL := start(t, Options{ClientID: "client_01OTHER0000000000000000000", APIKey: "sk_test_other0000000"})
	if kid := fetchJWKS(t, otherURL, other)["keys"].([]any)[0].(map[string]any)["kid"]; kid != k["kid"] {
		t.Errorf("same key, different kid: %v vs %v", kid, k["kid"])
	}

	r := call(t, "GET", url+"/sso/jwks/client_01SOMEONEELSE00000000000000", "", nil).want(t, http.StatusNotFound)
	wantKeys(t, r.body, "message")
}

// Without Options.Key every emulator signs with the same well-known key, so
// a token minted by one (a standalone `emulate`) verifies against the JWKS of
// another (the in-process one of `token verify --emulate`), whatever the
// clock; a key of the test's own still makes them differ.
func TestWellKnownKey(t *testing.T) {
	minter := New(Options{IssuerBase: "https://api.workos.com"})
	minter.AddUser("ada@example.com", "pw")
	tok, err := minter.Token("ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	other := New(Options{IssuerBase: "https://api.workos.com", Now: clock})
	srv := httptest.NewServer(other)
	defer srv.Close()
	k1 := fetchJWKS(t, srv.URL, other)
	if !jsonEqual(k1, fetchJWKS(t, srv.URL, other)) {
		t.Error("the JWKS must be built once per server")
	}
	if bits := publicKey(t, k1["keys"].([]any)[0].(map[string]any)).N.BitLen(); bits != 2048 {
		t.Errorf("the well-known key has %d bits", bits)
	}
	if _, claims := verify(t, tok, k1); claims["iss"] != "https://api.workos.com/user_management/"+DefaultClientID {
		t.Errorf("iss = %v", claims["iss"])
	}

	own := New(Options{Key: testKey()})
	srv2 := httptest.NewServer(own)
	defer srv2.Close()
	if jsonEqual(fetchJWKS(t, srv2.URL, own)["keys"].([]any)[0].(map[string]any)["n"], k1["keys"].([]any)[0].(map[string]any)["n"]) {
		t.Error("Options.Key must replace the well-known key")
	}
}

func publicKey(t *testing.T, jwk map[string]any) *rsa.PublicKey {
	t.Helper()
	n, err1 := base64.RawURLEncoding.DecodeString(jwk["n"].(string))
	e, err2 := base64.RawURLEncoding.DecodeString(jwk["e"].(string))
	if err1 != nil || err2 != nil {
		t.Fatalf("bad n or e: %v %v", err1, err2)
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
}

// verify checks an RS256 token against a JWKS with crypto/rsa alone and
// returns its raw header and its claims.
func verify(t *testing.T, token string, jwks map[string]any) (string, map[string]any) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	var h struct{ Alg, Kid string }
	if err := json.Unmarshal(header, &h); err != nil {
		t.Fatal(err)
	}
	var key *rsa.PublicKey
	for _, k := range jwks["keys"].([]any) {
		if k := k.(map[string]any); k["kid"] == h.Kid {
			key = publicKey(t, k)
		}
	}
	if key == nil || h.Alg != "RS256" {
		t.Fatalf("header %s: no RS256 key with that kid in the JWKS", header)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig); err != nil {
		t.Fatalf("signature: %v", err)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return string(header), claims
}

func authenticate(t *testing.T, url string, body map[string]any) response {
	t.Helper()
	return call(t, "POST", url+"/user_management/authenticate", "", body)
}

func passwordGrant(s *Server, email, password string) map[string]any {
	return map[string]any{"grant_type": "password", "client_id": s.ClientID(), "client_secret": s.APIKey(), "email": email, "password": password}
}

func TestPasswordAuthentication(t *testing.T) {
	s, url := start(t, Options{})
	id := s.AddUser("Ada@Example.com", "correct horse battery staple")
	wantID(t, id, "user_")
	if again := s.AddUser("ada@example.com", "correct horse battery staple"); again != id {
		t.Errorf("seeding the same email again made %q", again)
	}

	r := authenticate(t, url, passwordGrant(s, "ada@example.com", "correct horse battery staple")).want(t, http.StatusOK)
	wantKeys(t, r.body, "user", "access_token", "refresh_token", "authentication_method")
	if r.body["authentication_method"] != "Password" {
		t.Errorf("authentication_method = %v", r.body["authentication_method"])
	}
	u := r.body["user"].(map[string]any)
	wantKeys(t, u, "object", "id", "email", "email_verified", "first_name", "last_name", "profile_picture_url",
		"last_sign_in_at", "external_id", "metadata", "created_at", "updated_at")
	if u["id"] != id || u["email"] != "ada@example.com" || u["email_verified"] != true || u["last_sign_in_at"] != "2026-03-04T05:06:07.890Z" {
		t.Errorf("user = %v", u)
	}

	jwks := fetchJWKS(t, url, s)
	kid := jwks["keys"].([]any)[0].(map[string]any)["kid"]
	header, claims := verify(t, r.body["access_token"].(string), jwks)
	if want := `{"alg":"RS256","kid":"` + kid.(string) + `"}`; header != want {
		t.Errorf("header = %s, want %s", header, want)
	}
	wantKeys(t, claims, "iss", "sub", "sid", "jti", "iat", "exp")
	if claims["iss"] != url+"/user_management/"+s.ClientID() || claims["sub"] != id {
		t.Errorf("claims = %v", claims)
	}
	sid := wantID(t, claims["sid"], "session_")
	wantID(t, claims["jti"], "")
	if iat := claims["iat"].(float64); iat != float64(fixedNow.Unix()) || claims["exp"].(float64)-iat != 300 {
		t.Errorf("iat = %v, exp = %v", claims["iat"], claims["exp"])
	}

	// Refreshing keeps the session, rotates the refresh token and mints a
	// new token; a browser may refresh without the secret.
	refresh := r.body["refresh_token"].(string)
	rr := authenticate(t, url, map[string]any{"grant_type": "refresh_token", "client_id": s.ClientID(), "refresh_token": refresh}).want(t, http.StatusOK)
	wantKeys(t, rr.body, "user", "access_token", "refresh_token")
	_, claims2 := verify(t, rr.body["access_token"].(string), jwks)
	if claims2["sid"] != sid || claims2["jti"] == claims["jti"] || rr.body["refresh_token"] == refresh {
		t.Errorf("refreshed claims = %v", claims2)
	}
	authenticate(t, url, map[string]any{"grant_type": "refresh_token", "client_id": s.ClientID(), "client_secret": s.APIKey(), "refresh_token": refresh}).
		want(t, http.StatusBadRequest).wantBody(t, `{"error":"invalid_grant","error_description":"Invalid refresh token."}`)
	authenticate(t, url, map[string]any{"grant_type": "refresh_token", "client_id": s.ClientID(), "client_secret": s.APIKey()}).
		want(t, http.StatusBadRequest).wantBody(t, `{"error":"invalid_request","error_description":"Missing refresh token."}`)
	authenticate(t, url, map[string]any{"grant_type": "refresh_token", "client_id": s.ClientID(), "client_secret": "sk_test_wrong", "refresh_token": rr.body["refresh_token"]}).
		want(t, http.StatusUnauthorized)

	bad := []struct {
		body   map[string]any
		status int
		want   string
	}{
		{passwordGrant(s, "ada@example.com", "wrong"), http.StatusBadRequest, `{"code":"invalid_credentials","message":"Invalid credentials."}`},
		{passwordGrant(s, "nobody@example.com", "x"), http.StatusBadRequest, `{"code":"invalid_credentials","message":"Invalid credentials."}`},
		{map[string]any{"grant_type": "password", "client_id": "client_01OTHER0000000000000000000", "client_secret": s.APIKey(), "email": "ada@example.com", "password": "correct horse battery staple"},
			http.StatusUnauthorized, `{"error":"invalid_client","error_description":"Invalid client ID."}`},
		{map[string]any{"grant_type": "password", "client_id": s.ClientID(), "client_secret": "sk_test_wrong", "email": "ada@example.com", "password": "correct horse battery staple"},
			http.StatusUnauthorized, `{"error":"invalid_client","error_description":"Invalid client secret."}`},
		{map[string]any{"grant_type": "password", "client_id": s.ClientID(), "email": "ada@example.com", "password": "correct horse battery staple"},
			http.StatusUnauthorized, `{"error":"invalid_client","error_description":"Invalid client secret."}`},
		{map[string]any{"grant_type": "magic", "client_id": s.ClientID(), "client_secret": s.APIKey()},
			http.StatusBadRequest, `{"error":"unsupported_grant_type","error_description":"Unsupported grant type: 'magic'."}`},
	}
	for _, b := range bad {
		authenticate(t, url, b.body).want(t, b.status).wantBody(t, b.want)
	}

	// OAuth clients send forms.
	form := fmt.Sprintf("grant_type=password&client_id=%s&client_secret=%s&email=ada%%40example.com&password=correct+horse+battery+staple", s.ClientID(), s.APIKey())
	res, err := http.Post(url+"/user_management/authenticate", "application/x-www-form-urlencoded", strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("form-encoded sign-in: %d", res.StatusCode)
	}
}

func TestEmailVerificationRequired(t *testing.T) {
	s, url := start(t, Options{})
	call(t, "POST", url+"/user_management/users", s.APIKey(), map[string]any{"email": "new@example.com", "password": "pw-123456"}).want(t, http.StatusCreated)
	r := authenticate(t, url, passwordGrant(s, "new@example.com", "pw-123456")).want(t, http.StatusUnprocessableEntity)
	wantKeys(t, r.body, "code", "message", "email", "email_verification_id", "pending_authentication_token")
	if r.body["code"] != "email_verification_required" || r.body["email"] != "new@example.com" {
		t.Errorf("body = %s", r.raw)
	}
	wantID(t, r.body["email_verification_id"], "email_verification_")
	// A wrong password must not reveal that the account exists.
	authenticate(t, url, passwordGrant(s, "new@example.com", "wrong")).want(t, http.StatusBadRequest)
}

func TestUsers(t *testing.T) {
	s, url := start(t, Options{})
	base, key := url+"/user_management/users", s.APIKey()
	created := call(t, "POST", base, key, map[string]any{
		"email": "Grace@Example.com", "password": "pw-123456", "first_name": "Grace", "last_name": "Hopper", "email_verified": true,
	}).want(t, http.StatusCreated).body
	wantKeys(t, created, "object", "id", "email", "email_verified", "first_name", "last_name", "profile_picture_url",
		"last_sign_in_at", "external_id", "metadata", "created_at", "updated_at")
	id := wantID(t, created["id"], "user_")
	wantTimestamps(t, created)
	if created["object"] != "user" || created["email"] != "grace@example.com" || created["first_name"] != "Grace" ||
		created["last_sign_in_at"] != nil || created["profile_picture_url"] != nil || !jsonEqual(created["metadata"], map[string]any{}) {
		t.Errorf("created = %v", created)
	}
	call(t, "POST", base, key, map[string]any{"email": "someone@example.com"}).want(t, http.StatusCreated)

	r := call(t, "POST", base, key, map[string]any{"email": "grace@example.com"}).want(t, http.StatusUnprocessableEntity)
	if r.body["code"] != "user_creation_error" {
		t.Errorf("duplicate: %s", r.raw)
	}
	for _, bad := range []string{"", "grace", "Grace <grace@example.com>"} {
		call(t, "POST", base, key, map[string]any{"email": bad}).want(t, http.StatusUnprocessableEntity)
	}

	data := wantList(t, call(t, "GET", base+"?email=GRACE@example.com", key, nil))
	if len(data) != 1 || !jsonEqual(data[0], created) {
		t.Errorf("by email: %v", data)
	}
	if data := wantList(t, call(t, "GET", base, key, nil)); len(data) != 2 {
		t.Errorf("all users: %v", data)
	}
	if data := wantList(t, call(t, "GET", base+"?email=nobody@example.com", key, nil)); len(data) != 0 {
		t.Errorf("unknown email: %v", data)
	}
	got := call(t, "GET", base+"/"+id, key, nil).want(t, http.StatusOK).body
	if !jsonEqual(got, created) {
		t.Errorf("GET by id = %v", got)
	}
	call(t, "GET", base+"/user_missing", key, nil).want(t, http.StatusNotFound)

	// The created user signs in with the password given.
	authenticate(t, url, passwordGrant(s, "grace@example.com", "pw-123456")).want(t, http.StatusOK)
}

func TestOrganizationClaims(t *testing.T) {
	s, url := start(t, Options{})
	id := s.AddUser("ada@example.com", "pw")
	s.SetUserOrganization(id, "org_01ACME0000000000000000000", "admin", []string{"posts:write", "posts:read"})
	r := authenticate(t, url, passwordGrant(s, "ada@example.com", "pw")).want(t, http.StatusOK)
	if r.body["organization_id"] != "org_01ACME0000000000000000000" {
		t.Errorf("organization_id = %v", r.body["organization_id"])
	}
	_, claims := verify(t, r.body["access_token"].(string), fetchJWKS(t, url, s))
	wantKeys(t, claims, "iss", "sub", "sid", "jti", "iat", "exp", "org_id", "role", "permissions")
	if claims["org_id"] != "org_01ACME0000000000000000000" || claims["role"] != "admin" || !jsonEqual(claims["permissions"], []string{"posts:write", "posts:read"}) {
		t.Errorf("claims = %v", claims)
	}

	s.SetUserOrganization(id, "org_01ACME0000000000000000000", "", nil)
	_, claims = verify(t, authenticate(t, url, passwordGrant(s, "ada@example.com", "pw")).body["access_token"].(string), fetchJWKS(t, url, s))
	if claims["role"] != "member" || !jsonEqual(claims["permissions"], []string{}) {
		t.Errorf("default membership claims = %v", claims)
	}
	s.SetUserOrganization(id, "", "", nil)
	_, claims = verify(t, authenticate(t, url, passwordGrant(s, "ada@example.com", "pw")).body["access_token"].(string), fetchJWKS(t, url, s))
	wantKeys(t, claims, "iss", "sub", "sid", "jti", "iat", "exp")
}

func TestTemplateClaims(t *testing.T) {
	s, url := start(t, Options{})
	call(t, "POST", url+"/user_management/users", s.APIKey(), map[string]any{
		"email": "ada@example.com", "password": "pw-123456", "first_name": "Ada", "email_verified": true,
	}).want(t, http.StatusCreated)
	content := `{
		"aud": "convex-app",
		"email": {{ user.email }},
		"name": "{{ user.first_name }} {{ user.last_name || 'Lovelace' }}",
		"org": {{ organization.id || "none" }},
		"sid": "forged", "role": "owner", "org_id": "org_forged"
	}`
	call(t, "PUT", url+"/user_management/jwt_template", s.APIKey(), map[string]string{"content": content}).want(t, http.StatusOK)
	r := authenticate(t, url, passwordGrant(s, "ada@example.com", "pw-123456")).want(t, http.StatusOK)
	_, claims := verify(t, r.body["access_token"].(string), fetchJWKS(t, url, s))
	wantKeys(t, claims, "iss", "sub", "sid", "jti", "iat", "exp", "aud", "email", "name", "org")
	if claims["aud"] != "convex-app" || claims["email"] != "ada@example.com" || claims["name"] != "Ada Lovelace" || claims["org"] != "none" {
		t.Errorf("claims = %v", claims)
	}
	if claims["sid"] == "forged" {
		t.Error("the template overrode sid")
	}
}

func TestTokenShortcut(t *testing.T) {
	s, url := start(t, Options{})
	if _, err := s.Token("nobody@example.com"); err == nil {
		t.Error("Token for an unknown user succeeded")
	}
	id := s.AddUser("ada@example.com", "pw")
	token, err := s.Token("ADA@example.com")
	if err != nil {
		t.Fatal(err)
	}
	_, claims := verify(t, token, fetchJWKS(t, url, s))
	if claims["sub"] != id || claims["iss"] != url+"/user_management/"+s.ClientID() {
		t.Errorf("claims = %v", claims)
	}

	// Served without Start, the issuer follows the address clients use.
	h := New(Options{Key: testKey(), Now: clock})
	h.AddUser("ada@example.com", "pw")
	if _, err := h.Token("ada@example.com"); err == nil {
		t.Error("Token with no known base URL succeeded")
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	jwks := fetchJWKS(t, srv.URL, h)
	token, err = h.Token("ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, claims := verify(t, token, jwks); claims["iss"] != srv.URL+"/user_management/"+h.ClientID() {
		t.Errorf("iss = %v, want the httptest URL", claims["iss"])
	}
	r := authenticate(t, srv.URL, passwordGrant(h, "ada@example.com", "pw")).want(t, http.StatusOK)
	if _, claims := verify(t, r.body["access_token"].(string), jwks); claims["iss"] != srv.URL+"/user_management/"+h.ClientID() {
		t.Errorf("iss = %v", claims["iss"])
	}
}

func TestDeterministic(t *testing.T) {
	run := func() []string {
		s, url := start(t, Options{})
		var out []string
		for _, u := range []string{"https://a.example.com/cb", "https://b.example.com/cb"} {
			out = append(out, call(t, "POST", url+"/user_management/redirect_uris", s.APIKey(), map[string]string{"uri": u}).body["id"].(string))
		}
		we := call(t, "POST", url+"/webhook_endpoints", s.APIKey(), map[string]any{"endpoint_url": "https://x.example.com", "events": []string{"user.created"}}).body
		s.AddUser("ada@example.com", "pw")
		token, err := s.Token("ada@example.com")
		if err != nil {
			t.Fatal(err)
		}
		// Tokens embed the port, which differs per run.
		return append(out, we["id"].(string), we["secret"].(string), strings.Split(token, ".")[0])
	}
	a, b := run(), run()
	if !slices.Equal(a, b) {
		t.Errorf("two runs differ:\n%v\n%v", a, b)
	}
	if a[0] >= a[1] {
		t.Errorf("ids do not increase: %v", a[:2])
	}
}

func TestIDsIncreaseWhenTheClockStepsBack(t *testing.T) {
	g := newIDGen("seed")
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	prev := g.next(t0)
	for _, at := range []time.Time{t0, t0.Add(-time.Hour), t0.Add(time.Millisecond), t0} {
		id := g.next(at)
		if id <= prev || len(id) != 26 {
			t.Fatalf("%q after %q", id, prev)
		}
		prev = id
	}
}

func TestFaultTooManyRequests(t *testing.T) {
	s, url := start(t, Options{})
	s.SetFaults(Faults{TooManyRequests: 2})
	for range 2 {
		r := call(t, "GET", url+"/user_management/redirect_uris", s.APIKey(), nil).want(t, http.StatusTooManyRequests)
		if r.header.Get("Retry-After") != "1" || r.header.Get("X-Request-ID") == "" {
			t.Errorf("headers = %v", r.header)
		}
		wantKeys(t, r.body, "message")
	}
	call(t, "GET", url+"/user_management/redirect_uris", s.APIKey(), nil).want(t, http.StatusOK)

	s.SetFaults(Faults{TooManyRequests: 1, RetryAfter: "7"})
	if r := call(t, "GET", url+"/user_management/redirect_uris", s.APIKey(), nil).want(t, http.StatusTooManyRequests); r.header.Get("Retry-After") != "7" {
		t.Errorf("Retry-After = %q", r.header.Get("Retry-After"))
	}
}

func TestFaultServerErrors(t *testing.T) {
	s, url := start(t, Options{})
	s.SetFaults(Faults{ServerErrors: 1})
	r := call(t, "POST", url+"/user_management/redirect_uris", s.APIKey(), map[string]string{"uri": "https://a.example.com/cb"}).want(t, http.StatusServiceUnavailable)
	wantKeys(t, r.body, "message")
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	if len(s.RedirectURIs()) != 0 {
		t.Error("a faulted request changed state")
	}
	call(t, "POST", url+"/user_management/redirect_uris", s.APIKey(), map[string]string{"uri": "https://a.example.com/cb"}).want(t, http.StatusCreated)
}

func TestFaultDropConnection(t *testing.T) {
	s, url := start(t, Options{})
	s.SetFaults(Faults{DropConnections: 1})
	_, err := tryCall(context.Background(), "POST", url+"/user_management/redirect_uris", s.APIKey(), map[string]string{"uri": "https://a.example.com/cb"})
	if err == nil {
		t.Fatal("a dropped connection produced a response")
	}
	if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !strings.Contains(err.Error(), "EOF") && !strings.Contains(err.Error(), "reset") {
		t.Errorf("error = %v, want an EOF-like client error", err)
	}
	call(t, "POST", url+"/user_management/redirect_uris", s.APIKey(), map[string]string{"uri": "https://a.example.com/cb"}).want(t, http.StatusCreated)
	want := []Request{{"POST", "/user_management/redirect_uris", 0}, {"POST", "/user_management/redirect_uris", http.StatusCreated}}
	if got := s.Requests(); !slices.Equal(got, want) {
		t.Errorf("Requests() = %v, want %v", got, want)
	}

	// Without a connection to hijack, the handler aborts the response.
	s.SetFaults(Faults{DropConnections: 1})
	defer func() {
		if p := recover(); p != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler", p)
		}
	}()
	s.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/user_management/redirect_uris", nil))
}

// A lost response (consumed after the 503s): the write happens, the client
// gets no answer, and its retry finds the value already there. POST, since
// Go's transport itself retries a GET whose reused connection closes.
func TestFaultLostResponse(t *testing.T) {
	s, url := start(t, Options{})
	s.SetFaults(Faults{ServerErrors: 1, LostResponses: 1})
	body := map[string]string{"uri": "https://a.example.com/cb"}
	call(t, "POST", url+"/user_management/redirect_uris", s.APIKey(), body).want(t, http.StatusServiceUnavailable)
	if _, err := tryCall(context.Background(), "POST", url+"/user_management/redirect_uris", s.APIKey(), body); err == nil {
		t.Fatal("a lost response reached the client")
	}
	if got := s.RedirectURIs(); !slices.Equal(got, []string{"https://a.example.com/cb"}) {
		t.Fatalf("RedirectURIs() = %v, want the one created before the response was lost", got)
	}
	call(t, "POST", url+"/user_management/redirect_uris", s.APIKey(), body).want(t, http.StatusUnprocessableEntity)
	want := []Request{
		{"POST", "/user_management/redirect_uris", http.StatusServiceUnavailable},
		{"POST", "/user_management/redirect_uris", 0},
		{"POST", "/user_management/redirect_uris", http.StatusUnprocessableEntity},
	}
	if got := s.Requests(); !slices.Equal(got, want) {
		t.Errorf("Requests() = %v, want %v", got, want)
	}
}

func TestFaultOrderAndConsumption(t *testing.T) {
	s, url := start(t, Options{})
	s.SetFaults(Faults{DropConnections: 1, TooManyRequests: 1, ServerErrors: 1})
	get := func() (int, error) {
		r, err := tryCall(context.Background(), "GET", url+"/webhook_endpoints", s.APIKey(), nil)
		return r.status, err
	}
	if _, err := get(); err == nil {
		t.Error("first request was not dropped")
	}
	for _, want := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusOK, http.StatusOK} {
		if got, err := get(); err != nil || got != want {
			t.Errorf("status = %d (%v), want %d", got, err, want)
		}
	}
	var statuses []int
	for _, r := range s.Requests() {
		statuses = append(statuses, r.Status)
	}
	if !slices.Equal(statuses, []int{0, 429, 503, 200, 200}) {
		t.Errorf("recorded statuses = %v", statuses)
	}
	s.ResetRequests()
	if len(s.Requests()) != 0 {
		t.Error("ResetRequests kept requests")
	}
}

func TestFaultMatch(t *testing.T) {
	s, url := start(t, Options{})
	key := s.APIKey()
	s.SetFaults(Faults{Match: "POST /user_management/cors_origins", ServerErrors: 1})
	call(t, "GET", url+"/user_management/cors_origins", key, nil).want(t, http.StatusOK)
	call(t, "POST", url+"/user_management/redirect_uris", key, map[string]string{"uri": "https://a.example.com/cb"}).want(t, http.StatusCreated)
	call(t, "POST", url+"/user_management/cors_origins", key, map[string]string{"origin": "https://a.example.com"}).want(t, http.StatusServiceUnavailable)
	call(t, "POST", url+"/user_management/cors_origins", key, map[string]string{"origin": "https://a.example.com"}).want(t, http.StatusCreated)

	s.SetFaults(Faults{Match: "/webhook_endpoints", TooManyRequests: 2})
	call(t, "GET", url+"/user_management/redirect_uris", key, nil).want(t, http.StatusOK)
	call(t, "GET", url+"/webhook_endpoints", key, nil).want(t, http.StatusTooManyRequests)
	call(t, "DELETE", url+"/webhook_endpoints/we_x", key, nil).want(t, http.StatusTooManyRequests)
	call(t, "DELETE", url+"/webhook_endpoints/we_x", key, nil).want(t, http.StatusNotFound)

	// Faults come before authentication and routing.
	s.SetFaults(Faults{ServerErrors: 1})
	call(t, "GET", url+"/nowhere", "", nil).want(t, http.StatusServiceUnavailable)
}

func TestFaultLatency(t *testing.T) {
	s, url := start(t, Options{})
	s.SetFaults(Faults{Latency: time.Millisecond, Match: "GET /user_management"})
	call(t, "GET", url+"/user_management/redirect_uris", s.APIKey(), nil).want(t, http.StatusOK)

	// A client that gives up is let go, and consumes no count.
	s.SetFaults(Faults{Latency: time.Hour, ServerErrors: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := tryCall(ctx, "GET", url+"/user_management/redirect_uris", s.APIKey(), nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the deadline", err)
	}

	// Called directly, the handler returns as soon as the context ends.
	ctx, cancel = context.WithCancel(context.Background())
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		s.ServeHTTP(rec, httptest.NewRequest("GET", "/user_management/redirect_uris", nil).WithContext(ctx))
		close(done)
	}()
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("ServeHTTP ignored the cancelled context")
	}
	if rec.Body.Len() != 0 {
		t.Errorf("a cancelled request was answered: %q", rec.Body.String())
	}
	s.SetFaults(Faults{ServerErrors: s.currentFaults().ServerErrors})
	call(t, "GET", url+"/user_management/redirect_uris", s.APIKey(), nil).want(t, http.StatusServiceUnavailable)
	for _, r := range s.Requests()[1:3] {
		if r.Status != 0 {
			t.Errorf("abandoned request recorded as %d", r.Status)
		}
	}
}

func TestFaultOlderServer(t *testing.T) {
	s, url := start(t, Options{})
	s.SetFaults(Faults{NoListEndpoints: true})
	call(t, "GET", url+"/user_management/redirect_uris", s.APIKey(), nil).want(t, http.StatusNotFound)
	call(t, "GET", url+"/user_management/cors_origins", s.APIKey(), nil).want(t, http.StatusNotFound)
	call(t, "POST", url+"/user_management/redirect_uris", s.APIKey(), map[string]string{"uri": "https://a.example.com/cb"}).want(t, http.StatusCreated)
	wantList(t, call(t, "GET", url+"/webhook_endpoints", s.APIKey(), nil))
	s.SetFaults(Faults{})
	wantList(t, call(t, "GET", url+"/user_management/redirect_uris", s.APIKey(), nil))
}

func TestConcurrentCreates(t *testing.T) {
	s, url := start(t, Options{})
	const n = 50
	statuses := make([]int, 2*n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r, err := tryCall(context.Background(), "POST", url+"/user_management/redirect_uris", s.APIKey(), map[string]string{"uri": fmt.Sprintf("https://app%d.example.com/cb", i)})
			if err != nil {
				t.Error(err)
			}
			statuses[i] = r.status
		})
		wg.Go(func() {
			r, err := tryCall(context.Background(), "POST", url+"/user_management/cors_origins", s.APIKey(), map[string]string{"origin": "https://same.example.com"})
			if err != nil {
				t.Error(err)
			}
			statuses[n+i] = r.status
		})
	}
	wg.Wait()
	for i, st := range statuses[:n] {
		if st != http.StatusCreated {
			t.Errorf("distinct POST %d: %d", i, st)
		}
	}
	created := 0
	for _, st := range statuses[n:] {
		switch st {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
		default:
			t.Errorf("duplicate POST: %d", st)
		}
	}
	if created != 1 || len(s.CORSOrigins()) != 1 {
		t.Errorf("%d duplicates created, %d origins stored", created, len(s.CORSOrigins()))
	}
	ids := map[string]bool{}
	defaults := 0
	after := ""
	for {
		q := "?limit=100"
		if after != "" {
			q += "&after=" + after
		}
		r := call(t, "GET", url+"/user_management/redirect_uris"+q, s.APIKey(), nil)
		for _, d := range wantList(t, r) {
			ids[d["id"].(string)] = true
			if d["default"] == true {
				defaults++
			}
		}
		if after, _ = r.body["list_metadata"].(map[string]any)["after"].(string); after == "" {
			break
		}
	}
	if len(ids) != n || len(s.RedirectURIs()) != n || defaults != 1 {
		t.Errorf("%d ids, %d stored, %d defaults", len(ids), len(s.RedirectURIs()), defaults)
	}
	if len(s.Requests()) != 2*n+1 {
		t.Errorf("%d requests recorded", len(s.Requests()))
	}
}
