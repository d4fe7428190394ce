package workos

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/workos/workos-go/v4/pkg/usermanagement"
	"github.com/workos/workos-go/v4/pkg/workos_errors"

	"github.com/convex-authkit/convex-authkit/internal/httpretry"
)

const (
	testKey       = "sk_test_a1b2c3d4e5f6g7h8i9j0SECRET"
	testUA        = "convex-authkit/test"
	webhookSecret = "whsec_NeverLogThisSecretValue"
)

// sleeps records the waits between attempts instead of waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// newClient starts h on 127.0.0.1 and returns a client for it whose sleeps
// are recorded and whose backoff is the un-jittered ceiling, so durations
// can be asserted exactly.
func newClient(t *testing.T, h http.Handler, tweak func(*Options)) (*Client, *sleeps) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	s := &sleeps{}
	opts := Options{BaseURL: srv.URL, APIKey: testKey, UserAgent: testUA, Sleep: s.sleep}
	if tweak != nil {
		tweak(&opts)
	}
	c := New(opts)
	c.jitter = func(d time.Duration) time.Duration { return d }
	return c, s
}

func writeJSON(w http.ResponseWriter, status int, requestID, body string) {
	w.Header().Set("Content-Type", "application/json")
	if requestID != "" {
		w.Header().Set("X-Request-ID", requestID)
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

type recorded struct {
	method, path, query string
	header              http.Header
	body                []byte
}

func TestEndpoints(t *testing.T) {
	strp := func(s string) *string { return &s }
	tests := []struct {
		name        string
		call        func(context.Context, *Client) (any, error)
		status      int
		respType    string // "" = application/json
		resp        string
		wantMethod  string
		wantPath    string
		wantQuery   string
		wantBody    string // JSON; "" = no body
		wantNoAuth  bool
		want        any
		wantErrFunc func(error) bool
	}{
		{
			name:       "list redirect URIs",
			call:       func(ctx context.Context, c *Client) (any, error) { return c.ListRedirectURIs(ctx) },
			status:     200,
			resp:       `{"object":"list","data":[{"object":"redirect_uri","id":"redir_1","uri":"http://localhost:3000/callback","default":true,"created_at":"x"}],"list_metadata":{"before":null,"after":null}}`,
			wantMethod: "GET", wantPath: "/user_management/redirect_uris", wantQuery: "limit=100",
			want: []RedirectURI{{ID: "redir_1", URI: "http://localhost:3000/callback", Default: true, CreatedAt: "x"}},
		},
		{
			name:       "list redirect URIs empty",
			call:       func(ctx context.Context, c *Client) (any, error) { return c.ListRedirectURIs(ctx) },
			status:     200,
			resp:       `{"object":"list","data":[],"list_metadata":{"before":null,"after":null}}`,
			wantMethod: "GET", wantPath: "/user_management/redirect_uris", wantQuery: "limit=100",
			want: []RedirectURI{},
		},
		{
			name: "create redirect URI",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CreateRedirectURI(ctx, "https://app.example.com/callback")
			},
			status:     201,
			resp:       `{"object":"redirect_uri","id":"redir_2","uri":"https://app.example.com/callback","default":false}`,
			wantMethod: "POST", wantPath: "/user_management/redirect_uris",
			wantBody: `{"uri":"https://app.example.com/callback"}`,
			want:     true,
		},
		{
			name:       "delete redirect URI",
			call:       func(ctx context.Context, c *Client) (any, error) { return nil, c.DeleteRedirectURI(ctx, "redir_1") },
			status:     204,
			wantMethod: "DELETE", wantPath: "/user_management/redirect_uris/redir_1",
		},
		{
			name:       "delete redirect URI escapes the id",
			call:       func(ctx context.Context, c *Client) (any, error) { return nil, c.DeleteRedirectURI(ctx, "a/b?c") },
			status:     204,
			wantMethod: "DELETE", wantPath: "/user_management/redirect_uris/a%2Fb%3Fc",
		},
		{
			name:       "delete default redirect URI is a conflict, not a duplicate",
			call:       func(ctx context.Context, c *Client) (any, error) { return nil, c.DeleteRedirectURI(ctx, "redir_1") },
			status:     409,
			resp:       `{"message":"Cannot delete the default redirect URI."}`,
			wantMethod: "DELETE", wantPath: "/user_management/redirect_uris/redir_1",
			wantErrFunc: func(err error) bool { return IsStatus(err, 409) && !IsAlreadyExists(err) },
		},
		{
			name:       "list CORS origins",
			call:       func(ctx context.Context, c *Client) (any, error) { return c.ListCORSOrigins(ctx) },
			status:     200,
			resp:       `{"object":"list","data":[{"object":"cors_origin","id":"cors_origin_1","origin":"https://app.example.com"}],"list_metadata":{"before":null,"after":null}}`,
			wantMethod: "GET", wantPath: "/user_management/cors_origins", wantQuery: "limit=100",
			want: []CORSOrigin{{ID: "cors_origin_1", Origin: "https://app.example.com"}},
		},
		{
			name: "create CORS origin",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CreateCORSOrigin(ctx, "https://app.example.com")
			},
			status:     201,
			resp:       `{"object":"cors_origin","id":"cors_origin_1","origin":"https://app.example.com"}`,
			wantMethod: "POST", wantPath: "/user_management/cors_origins",
			wantBody: `{"origin":"https://app.example.com"}`,
			want:     true,
		},
		{
			name: "set app homepage URL",
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.SetAppHomepageURL(ctx, "https://app.example.com")
			},
			status:     200,
			resp:       `{"object":"app_homepage_url","url":"https://app.example.com"}`,
			wantMethod: "PUT", wantPath: "/user_management/app_homepage_url",
			wantBody: `{"url":"https://app.example.com"}`,
		},
		{
			name: "set app homepage URL rejected",
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.SetAppHomepageURL(ctx, "http://localhost:3000")
			},
			status:     422,
			resp:       `{"message":"Invalid URL."}`,
			wantMethod: "PUT", wantPath: "/user_management/app_homepage_url",
			wantBody:    `{"url":"http://localhost:3000"}`,
			wantErrFunc: func(err error) bool { return IsStatus(err, 422) && !IsAlreadyExists(err) },
		},
		{
			name: "get JWT template",
			call: func(ctx context.Context, c *Client) (any, error) {
				content, found, err := c.GetJWTTemplate(ctx)
				return []any{content, found}, err
			},
			status:     200,
			resp:       `{"object":"jwt_template","content":"{\"aud\": \"{{ user.id }}\"}","created_at":"x","updated_at":"y"}`,
			wantMethod: "GET", wantPath: "/user_management/jwt_template",
			want: []any{`{"aud": "{{ user.id }}"}`, true},
		},
		{
			name: "get JWT template when none is set",
			call: func(ctx context.Context, c *Client) (any, error) {
				content, found, err := c.GetJWTTemplate(ctx)
				return []any{content, found}, err
			},
			status:     404,
			resp:       `{"message":"Not found"}`,
			wantMethod: "GET", wantPath: "/user_management/jwt_template",
			want: []any{"", false},
		},
		{
			name: "set JWT template",
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.SetJWTTemplate(ctx, `{"aud":"convex"}`)
			},
			status:     200,
			resp:       `{"object":"jwt_template","content":"{\"aud\":\"convex\"}"}`,
			wantMethod: "PUT", wantPath: "/user_management/jwt_template",
			wantBody: `{"content":"{\"aud\":\"convex\"}"}`,
		},
		{
			name:       "list webhook endpoints",
			call:       func(ctx context.Context, c *Client) (any, error) { return c.ListWebhookEndpoints(ctx) },
			status:     200,
			resp:       `{"object":"list","data":[{"object":"webhook_endpoint","id":"we_1","endpoint_url":"https://x.convex.site/workos/webhook","secret":"` + webhookSecret + `","status":"enabled","events":["user.created"]}],"list_metadata":{"before":null,"after":null}}`,
			wantMethod: "GET", wantPath: "/webhook_endpoints", wantQuery: "limit=100",
			want: []WebhookEndpoint{{ID: "we_1", URL: "https://x.convex.site/workos/webhook", Secret: webhookSecret, Status: "enabled", Events: []string{"user.created"}}},
		},
		{
			name: "create webhook endpoint",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CreateWebhookEndpoint(ctx, "https://x.convex.site/workos/webhook", []string{"user.created", "user.deleted"})
			},
			status:     201,
			resp:       `{"object":"webhook_endpoint","id":"we_2","endpoint_url":"https://x.convex.site/workos/webhook","secret":"` + webhookSecret + `","status":"enabled","events":["user.created","user.deleted"]}`,
			wantMethod: "POST", wantPath: "/webhook_endpoints",
			wantBody: `{"endpoint_url":"https://x.convex.site/workos/webhook","events":["user.created","user.deleted"]}`,
			want:     WebhookEndpoint{ID: "we_2", URL: "https://x.convex.site/workos/webhook", Secret: webhookSecret, Status: "enabled", Events: []string{"user.created", "user.deleted"}},
		},
		{
			name: "create webhook endpoint sends an empty list for nil events",
			call: func(ctx context.Context, c *Client) (any, error) {
				we, err := c.CreateWebhookEndpoint(ctx, "https://x.convex.site/h", nil)
				return we.ID, err
			},
			status:     201,
			resp:       `{"id":"we_3"}`,
			wantMethod: "POST", wantPath: "/webhook_endpoints",
			wantBody: `{"endpoint_url":"https://x.convex.site/h","events":[]}`,
			want:     "we_3",
		},
		{
			name: "create webhook endpoint duplicate is an error",
			call: func(ctx context.Context, c *Client) (any, error) {
				_, err := c.CreateWebhookEndpoint(ctx, "https://x.convex.site/h", []string{"user.created"})
				return nil, err
			},
			status:     409,
			resp:       `{"code":"duplicate_endpoint","message":"An endpoint with this URL already exists."}`,
			wantMethod: "POST", wantPath: "/webhook_endpoints",
			wantBody:    `{"endpoint_url":"https://x.convex.site/h","events":["user.created"]}`,
			wantErrFunc: IsAlreadyExists,
		},
		{
			name: "update webhook endpoint status only",
			call: func(ctx context.Context, c *Client) (any, error) {
				we, err := c.UpdateWebhookEndpoint(ctx, "we_1", nil, nil, strp("disabled"))
				return we.Status, err
			},
			status:     200,
			resp:       `{"id":"we_1","status":"disabled"}`,
			wantMethod: "PATCH", wantPath: "/webhook_endpoints/we_1",
			wantBody: `{"status":"disabled"}`,
			want:     "disabled",
		},
		{
			name: "update webhook endpoint URL and clear events",
			call: func(ctx context.Context, c *Client) (any, error) {
				we, err := c.UpdateWebhookEndpoint(ctx, "we_1", strp("https://y.convex.site/h"), []string{}, nil)
				return we.URL, err
			},
			status:     200,
			resp:       `{"id":"we_1","endpoint_url":"https://y.convex.site/h","events":[]}`,
			wantMethod: "PATCH", wantPath: "/webhook_endpoints/we_1",
			wantBody: `{"endpoint_url":"https://y.convex.site/h","events":[]}`,
			want:     "https://y.convex.site/h",
		},
		{
			name:       "delete webhook endpoint",
			call:       func(ctx context.Context, c *Client) (any, error) { return nil, c.DeleteWebhookEndpoint(ctx, "we_1") },
			status:     204,
			wantMethod: "DELETE", wantPath: "/webhook_endpoints/we_1",
		},
		{
			name: "JWKS is fetched without the API key",
			call: func(ctx context.Context, c *Client) (any, error) {
				body, ct, err := c.JWKS(ctx, "client_01ABC")
				return []any{string(body), ct}, err
			},
			status:     200,
			respType:   "application/json; charset=utf-8",
			resp:       `{"keys":[{"kty":"RSA","kid":"k1"}]}`,
			wantMethod: "GET", wantPath: "/sso/jwks/client_01ABC",
			wantNoAuth: true,
			want:       []any{`{"keys":[{"kty":"RSA","kid":"k1"}]}`, "application/json; charset=utf-8"},
		},
		{
			name: "JWKS unknown client",
			call: func(ctx context.Context, c *Client) (any, error) {
				_, _, err := c.JWKS(ctx, "client_nope")
				return nil, err
			},
			status:      404,
			resp:        `{"message":"Not found"}`,
			wantMethod:  "GET",
			wantPath:    "/sso/jwks/client_nope",
			wantNoAuth:  true,
			wantErrFunc: IsNotFound,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				mu   sync.Mutex
				reqs []recorded
			)
			c, _ := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				mu.Lock()
				reqs = append(reqs, recorded{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Clone(), body})
				mu.Unlock()
				if tt.status == http.StatusNoContent {
					w.WriteHeader(tt.status)
					return
				}
				ct := tt.respType
				if ct == "" {
					ct = "application/json"
				}
				w.Header().Set("Content-Type", ct)
				w.Header().Set("X-Request-ID", "req_test")
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.resp)
			}), nil)

			got, err := tt.call(context.Background(), c)
			switch {
			case tt.wantErrFunc != nil:
				if err == nil || !tt.wantErrFunc(err) {
					t.Fatalf("error = %v, want one matching the predicate", err)
				}
			case err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != nil && !reflect.DeepEqual(got, tt.want):
				t.Errorf("result = %#v, want %#v", got, tt.want)
			}

			if len(reqs) != 1 {
				t.Fatalf("server saw %d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.method != tt.wantMethod || r.path != tt.wantPath || r.query != tt.wantQuery {
				t.Errorf("request = %s %s?%s, want %s %s?%s", r.method, r.path, r.query, tt.wantMethod, tt.wantPath, tt.wantQuery)
			}
			wantAuth := "Bearer " + testKey
			if tt.wantNoAuth {
				wantAuth = ""
			}
			if got := r.header.Get("Authorization"); got != wantAuth {
				t.Errorf("Authorization = %q, want %q", got, wantAuth)
			}
			if got := r.header.Get("Accept"); got != "application/json" {
				t.Errorf("Accept = %q", got)
			}
			if got := r.header.Get("User-Agent"); got != testUA {
				t.Errorf("User-Agent = %q", got)
			}
			wantCT := ""
			if tt.wantBody != "" {
				wantCT = "application/json"
			}
			if got := r.header.Get("Content-Type"); got != wantCT {
				t.Errorf("Content-Type = %q, want %q", got, wantCT)
			}
			assertJSONEqual(t, r.body, tt.wantBody)
		})
	}
}

func assertJSONEqual(t *testing.T, got []byte, want string) {
	t.Helper()
	if want == "" {
		if len(got) != 0 {
			t.Errorf("body = %s, want none", got)
		}
		return
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("request body %q is not JSON: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad test JSON %q: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("body = %s, want %s", got, want)
	}
}

func TestEmptyIDsAreRefusedLocally(t *testing.T) {
	c, _ := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s %s", r.Method, r.URL)
	}), nil)
	ctx := context.Background()
	_, _, jwksErr := c.JWKS(ctx, "")
	_, updErr := c.UpdateWebhookEndpoint(ctx, "", nil, nil, nil)
	for name, err := range map[string]error{
		"DeleteRedirectURI":     c.DeleteRedirectURI(ctx, ""),
		"DeleteWebhookEndpoint": c.DeleteWebhookEndpoint(ctx, ""),
		"UpdateWebhookEndpoint": updErr,
		"JWKS":                  jwksErr,
	} {
		if err == nil {
			t.Errorf("%s with an empty id: no error", name)
		}
	}
}

func TestPagination(t *testing.T) {
	pages := map[string]string{ // after cursor -> page body
		"":   `{"data":[ITEM1],"list_metadata":{"before":null,"after":"c1"}}`,
		"c1": `{"data":[ITEM2],"list_metadata":{"before":"c0","after":"c2"}}`,
		"c2": `{"data":[ITEM3],"list_metadata":{"before":"c1","after":null}}`,
	}
	tests := []struct {
		name  string
		path  string
		item  func(i int) string
		list  func(context.Context, *Client) (any, error)
		wantN func(any) int
	}{
		{
			name: "redirect URIs", path: "/user_management/redirect_uris",
			item: func(i int) string { return fmt.Sprintf(`{"id":"redir_%d","uri":"https://a/%d"}`, i, i) },
			list: func(ctx context.Context, c *Client) (any, error) { return c.ListRedirectURIs(ctx) },
		},
		{
			name: "CORS origins", path: "/user_management/cors_origins",
			item: func(i int) string { return fmt.Sprintf(`{"id":"cors_origin_%d","origin":"https://%d"}`, i, i) },
			list: func(ctx context.Context, c *Client) (any, error) { return c.ListCORSOrigins(ctx) },
		},
		{
			name: "webhook endpoints", path: "/webhook_endpoints",
			item: func(i int) string { return fmt.Sprintf(`{"id":"we_%d","endpoint_url":"https://%d"}`, i, i) },
			list: func(ctx context.Context, c *Client) (any, error) { return c.ListWebhookEndpoints(ctx) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cursors []string
			c, _ := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != tt.path || r.URL.Query().Get("limit") != "100" {
					t.Errorf("unexpected request %s", r.URL)
				}
				after := r.URL.Query().Get("after")
				cursors = append(cursors, after)
				body := pages[after]
				for i := 1; i <= 3; i++ {
					body = strings.Replace(body, fmt.Sprintf("ITEM%d", i), tt.item(i), 1)
				}
				writeJSON(w, 200, "", body)
			}), nil)
			got, err := tt.list(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"", "c1", "c2"}; !reflect.DeepEqual(cursors, want) {
				t.Errorf("cursors = %q, want %q", cursors, want)
			}
			// Every list type has an ID field; the order must be page order.
			var ids []string
			v := reflect.ValueOf(got)
			for i := range v.Len() {
				ids = append(ids, v.Index(i).FieldByName("ID").String())
			}
			if len(ids) != 3 || !strings.HasSuffix(ids[0], "1") || !strings.HasSuffix(ids[2], "3") {
				t.Errorf("ids = %q, want three in page order", ids)
			}
		})
	}
}

func TestPaginationStopsOnRepeatedOrEmptyCursor(t *testing.T) {
	tests := []struct {
		name  string
		after string
		want  int
	}{
		{"repeated cursor", `"same"`, 2},
		{"empty cursor", `""`, 1},
		{"null cursor", `null`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int32
			c, _ := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if hits.Add(1) > 5 {
					t.Error("client is looping")
					writeJSON(w, 200, "", `{"data":[],"list_metadata":{"after":null}}`)
					return
				}
				writeJSON(w, 200, "", `{"data":[{"id":"redir_1"}],"list_metadata":{"after":`+tt.after+`}}`)
			}), nil)
			got, err := c.ListRedirectURIs(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if int(hits.Load()) != tt.want || len(got) != tt.want {
				t.Errorf("requests = %d, items = %d, want %d", hits.Load(), len(got), tt.want)
			}
		})
	}
}

func TestCreateAlreadyExists(t *testing.T) {
	type create func(context.Context, *Client) (bool, error)
	redirect := func(ctx context.Context, c *Client) (bool, error) { return c.CreateRedirectURI(ctx, "https://x/cb") }
	cors := func(ctx context.Context, c *Client) (bool, error) { return c.CreateCORSOrigin(ctx, "https://x") }
	tests := []struct {
		name        string
		create      create
		status      int
		contentType string
		body        string
		wantErr     bool
	}{
		{"redirect 422 message (spec)", redirect, 422, "", `{"message":"Redirect URI 'https://x/cb' already exists."}`, false},
		{"redirect 422 code (emulator)", redirect, 422, "", `{"code":"redirect_uri_already_exists","message":"Redirect URI exists"}`, false},
		{"redirect 409 (WorkOS CLI)", redirect, 409, "", `{"message":"Redirect URI already exists."}`, false},
		{"cors 409 duplicate_cors_origin (spec)", cors, 409, "", `{"code":"duplicate_cors_origin","message":"CORS origin already exists."}`, false},
		{"cors 422 code (emulator)", cors, 422, "", `{"code":"cors_origin_already_exists","message":"CORS origin exists"}`, false},
		{"cors 422 code without message", cors, 422, "", `{"code":"cors_origin_already_exists"}`, false},
		{"cors 409 code without message", cors, 409, "", `{"code":"duplicate_cors_origin"}`, false},
		{"cors 422 message", cors, 422, "", `{"message":"Origin already exists"}`, false},
		{"plain text body", redirect, 409, "text/plain", `Redirect URI already exists`, false},
		{"422 validation", cors, 422, "", `{"message":"Validation failed.","errors":[{"property":"origin","constraints":{"isUrl":"origin must be a URL"}}]}`, true},
		{"422 invalid redirect", redirect, 422, "", `{"code":"invalid_redirect_uri","message":"Invalid redirect URI."}`, true},
		{"409 without marker", redirect, 409, "", `{"message":"Conflict."}`, true},
		{"400 mentioning already exists", redirect, 400, "", `{"message":"already exists"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int32
			c, _ := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				ct := tt.contentType
				if ct == "" {
					ct = "application/json"
				}
				w.Header().Set("Content-Type", ct)
				w.Header().Set("X-Request-ID", "req_dup")
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}), nil)
			created, err := tt.create(context.Background(), c)
			if created {
				t.Error("created = true")
			}
			if gotErr := err != nil; gotErr != tt.wantErr {
				t.Fatalf("error = %v, want error: %v", err, tt.wantErr)
			}
			if err != nil && (!IsStatus(err, tt.status) || IsAlreadyExists(err)) {
				t.Errorf("error %v: want status %d and not already-exists", err, tt.status)
			}
			if hits.Load() != 1 {
				t.Errorf("requests = %d, want 1", hits.Load())
			}
		})
	}
}

func TestAPIErrors(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		wantText string
		auth     bool
		notFound bool
		code     string
	}{
		{
			name: "401", status: 401, body: `{"message":"Unauthorized"}`, auth: true,
			wantText: `GET /user_management/redirect_uris: 401 Unauthorized: request id "req_1": Unauthorized`,
		},
		{
			name: "403", status: 403, body: `{"message":"Forbidden","code":"forbidden"}`, auth: true, code: "forbidden",
			wantText: `GET /user_management/redirect_uris: 403 Forbidden: request id "req_1": Forbidden`,
		},
		{
			name: "404", status: 404, body: `{"message":"Not found","code":"entity_not_found"}`, notFound: true, code: "entity_not_found",
			wantText: `GET /user_management/redirect_uris: 404 Not Found: request id "req_1": Not found`,
		},
		{
			name: "400 OAuth style", status: 400, body: `{"error":"invalid_request","error_description":"Bad limit."}`, code: "invalid_request",
			wantText: `GET /user_management/redirect_uris: 400 Bad Request: request id "req_1": invalid_request Bad limit.`,
		},
		{
			name: "server echoes the key", status: 401, body: `{"message":"Key ` + testKey + ` is invalid"}`, auth: true,
			wantText: `GET /user_management/redirect_uris: 401 Unauthorized: request id "req_1": Key sk_test_…CRET is invalid`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, tt.status, "req_1", tt.body)
			}), nil)
			_, err := c.ListRedirectURIs(context.Background())
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tt.wantText {
				t.Errorf("Error() =\n%s\nwant\n%s", err, tt.wantText)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Error("error text contains the API key")
			}
			if IsAuth(err) != tt.auth || IsNotFound(err) != tt.notFound || !IsStatus(err, tt.status) || IsAlreadyExists(err) {
				t.Errorf("IsAuth=%v IsNotFound=%v IsStatus=%v IsAlreadyExists=%v", IsAuth(err), IsNotFound(err), IsStatus(err, tt.status), IsAlreadyExists(err))
			}
			var ae *APIError
			if !errors.As(err, &ae) || ae.Code != tt.code || ae.RequestID != "req_1" || ae.Method != "GET" || ae.Path != "/user_management/redirect_uris" {
				t.Errorf("APIError = %+v", ae)
			}
			var he workos_errors.HTTPError
			if !errors.As(err, &he) || he.Code != tt.status {
				t.Errorf("workos_errors.HTTPError not reachable through Unwrap: %+v", he)
			}
			if n := len(s.got()); n != 0 {
				t.Errorf("slept %d times for a %d", n, tt.status)
			}
		})
	}
}

func TestIsHelpersOnForeignErrors(t *testing.T) {
	for _, err := range []error{nil, errors.New("boom"), context.Canceled} {
		if IsAuth(err) || IsNotFound(err) || IsAlreadyExists(err) || IsStatus(err, 0) {
			t.Errorf("%v classified as an API answer", err)
		}
	}
}

func TestRetries(t *testing.T) {
	fixedNow := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	type reply struct {
		status     int
		retryAfter string
		drop       bool // hijack and close the connection without answering
	}
	tests := []struct {
		name        string
		maxAttempts int
		replies     []reply // the last one repeats
		wantHits    int
		wantSleeps  []time.Duration
		wantErr     string // substring; "" = success
	}{
		{
			name:       "429 Retry-After seconds",
			replies:    []reply{{status: 429, retryAfter: "3"}, {status: 429, retryAfter: "1"}, {status: 201}},
			wantHits:   3,
			wantSleeps: []time.Duration{3 * time.Second, time.Second},
		},
		{
			name:       "429 Retry-After HTTP date",
			replies:    []reply{{status: 429, retryAfter: fixedNow.Add(7 * time.Second).Format(http.TimeFormat)}, {status: 201}},
			wantHits:   2,
			wantSleeps: []time.Duration{7 * time.Second},
		},
		{
			name:       "429 Retry-After date in the past",
			replies:    []reply{{status: 429, retryAfter: fixedNow.Add(-time.Minute).Format(http.TimeFormat)}, {status: 201}},
			wantHits:   2,
			wantSleeps: []time.Duration{0},
		},
		{
			name:       "429 Retry-After capped",
			replies:    []reply{{status: 429, retryAfter: "3600"}, {status: 429, retryAfter: fixedNow.Add(time.Hour).Format(http.TimeFormat)}, {status: 201}},
			wantHits:   3,
			wantSleeps: []time.Duration{30 * time.Second, 30 * time.Second},
		},
		{
			name:       "429 without usable Retry-After backs off",
			replies:    []reply{{status: 429}, {status: 429, retryAfter: "soon"}, {status: 201}},
			wantHits:   3,
			wantSleeps: []time.Duration{200 * time.Millisecond, 400 * time.Millisecond},
		},
		{
			name:       "503 then success",
			replies:    []reply{{status: 503}, {status: 502}, {status: 500}, {status: 201}},
			wantHits:   4,
			wantSleeps: []time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond},
		},
		{
			name:       "503 Retry-After honoured",
			replies:    []reply{{status: 503, retryAfter: "2"}, {status: 201}},
			wantHits:   2,
			wantSleeps: []time.Duration{2 * time.Second},
		},
		{
			name:       "dropped connection",
			replies:    []reply{{drop: true}, {status: 201}},
			wantHits:   2,
			wantSleeps: []time.Duration{200 * time.Millisecond},
		},
		{
			name:       "gives up after MaxAttempts on 503",
			replies:    []reply{{status: 503}},
			wantHits:   4,
			wantSleeps: []time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond},
			wantErr:    `POST /user_management/redirect_uris: 503 Service Unavailable: request id "req_4": try later (gave up after 4 attempts)`,
		},
		{
			name:        "gives up after MaxAttempts on dropped connections",
			maxAttempts: 3,
			replies:     []reply{{drop: true}},
			wantHits:    3,
			wantSleeps:  []time.Duration{200 * time.Millisecond, 400 * time.Millisecond},
			wantErr:     "POST /user_management/redirect_uris: gave up after 3 attempts: ",
		},
		{
			name:        "one attempt means no retry",
			maxAttempts: 1,
			replies:     []reply{{status: 503}},
			wantHits:    1,
			wantErr:     `POST /user_management/redirect_uris: 503 Service Unavailable: request id "req_1": try later`,
		},
		{name: "no retry on 400", replies: []reply{{status: 400}}, wantHits: 1, wantErr: "400 Bad Request"},
		{name: "no retry on 401", replies: []reply{{status: 401}}, wantHits: 1, wantErr: "401 Unauthorized"},
		{name: "no retry on 404", replies: []reply{{status: 404}}, wantHits: 1, wantErr: "404 Not Found"},
		{name: "no retry on 409", replies: []reply{{status: 409}}, wantHits: 1, wantErr: "409 Conflict"},
		{name: "no retry on 422", replies: []reply{{status: 422}}, wantHits: 1, wantErr: "422 Unprocessable Entity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int32
			c, s := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := int(hits.Add(1))
				body, _ := io.ReadAll(r.Body)
				if string(body) != `{"uri":"https://x/cb"}` {
					t.Errorf("attempt %d body = %q: bodies must be replayed", n, body)
				}
				rp := tt.replies[min(n, len(tt.replies))-1]
				if rp.drop {
					conn, _, err := w.(http.Hijacker).Hijack()
					if err != nil {
						t.Error(err)
						return
					}
					_ = conn.Close()
					return
				}
				if rp.retryAfter != "" {
					w.Header().Set("Retry-After", rp.retryAfter)
				}
				answer := `{"message":"try later"}`
				if rp.status == 201 {
					answer = `{"object":"redirect_uri","id":"redir_1","uri":"https://x/cb"}`
				}
				writeJSON(w, rp.status, fmt.Sprintf("req_%d", n), answer)
			}), func(o *Options) { o.MaxAttempts = tt.maxAttempts })
			c.now = func() time.Time { return fixedNow }

			created, err := c.CreateRedirectURI(context.Background(), "https://x/cb")
			if tt.wantErr == "" {
				if err != nil || !created {
					t.Fatalf("created=%v err=%v, want success", created, err)
				}
			} else if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
			}
			if int(hits.Load()) != tt.wantHits {
				t.Errorf("requests = %d, want %d", hits.Load(), tt.wantHits)
			}
			if got := s.got(); !reflect.DeepEqual(got, tt.wantSleeps) && (len(got) != 0 || len(tt.wantSleeps) != 0) {
				t.Errorf("sleeps = %v, want %v", got, tt.wantSleeps)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	c := New(Options{})
	c.jitter = func(d time.Duration) time.Duration { return d }
	want := []time.Duration{200, 400, 800, 1600, 3200, 5000, 5000}
	for i, w := range want {
		if got := c.backoff(i + 1); got != w*time.Millisecond {
			t.Errorf("backoff(%d) = %v, want %v", i+1, got, w*time.Millisecond)
		}
	}
	if got := c.backoff(1000); got != httpretry.BackoffCap {
		t.Errorf("backoff(1000) = %v, want the cap", got)
	}
	// The real jitter stays within [0, ceiling].
	for range 1000 {
		if d := httpretry.FullJitter(400 * time.Millisecond); d < 0 || d > 400*time.Millisecond {
			t.Fatalf("httpretry.FullJitter(400ms) = %v", d)
		}
	}
	if d := httpretry.FullJitter(0); d != 0 {
		t.Errorf("httpretry.FullJitter(0) = %v", d)
	}
}

func TestPerAttemptTimeout(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"no headers", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}},
		{"stalls mid-body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(200)
			_, _ = io.WriteString(w, `{"data":[`)
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int32
			c, s := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				tt.handler(w, r)
			}), func(o *Options) {
				o.Timeout = 50 * time.Millisecond
				o.MaxAttempts = 2
			})
			_, err := c.ListRedirectURIs(context.Background())
			if err == nil {
				t.Fatal("no error from a hung server")
			}
			if want := "GET /user_management/redirect_uris: gave up after 2 attempts: no response within 50ms"; err.Error() != want {
				t.Errorf("error = %q, want %q", err, want)
			}
			if hits.Load() != 2 || len(s.got()) != 1 {
				t.Errorf("requests = %d, sleeps = %d; a timeout must be retried", hits.Load(), len(s.got()))
			}
		})
	}
}

func TestContextCancellation(t *testing.T) {
	t.Run("during the wait between attempts", func(t *testing.T) {
		var hits atomic.Int32
		c, _ := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			writeJSON(w, 503, "", `{}`)
		}), nil)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		c.sleep = func(ctx context.Context, d time.Duration) error {
			cancel()
			return httpretry.Sleep(ctx, time.Hour)
		}
		_, err := c.CreateCORSOrigin(ctx, "https://x")
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error = %v, want context.Canceled", err)
		}
		if hits.Load() != 1 {
			t.Errorf("requests = %d, want 1", hits.Load())
		}
	})

	t.Run("while a request is in flight", func(t *testing.T) {
		arrived := make(chan struct{}, 4)
		var hits atomic.Int32
		c, s := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			arrived <- struct{}{}
			<-r.Context().Done()
		}), nil)
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-arrived
			cancel()
		}()
		_, err := c.ListCORSOrigins(ctx)
		if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "GET /user_management/cors_origins: ") {
			t.Fatalf("error = %v, want a wrapped context.Canceled", err)
		}
		if hits.Load() != 1 || len(s.got()) != 0 {
			t.Errorf("requests = %d, sleeps = %d; want no retry after cancellation", hits.Load(), len(s.got()))
		}
	})

	t.Run("already cancelled", func(t *testing.T) {
		c, _ := newClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			t.Error("request sent with a cancelled context")
		}), nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := c.ListRedirectURIs(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("error = %v", err)
		}
	})

	t.Run("default sleep", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := httpretry.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
			t.Errorf("sleepContext on a cancelled context = %v", err)
		}
		if err := httpretry.Sleep(context.Background(), time.Millisecond); err != nil {
			t.Errorf("sleepContext = %v", err)
		}
	})
}

func TestVerboseLog(t *testing.T) {
	var hits atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("POST /user_management/redirect_uris", func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			writeJSON(w, 503, "req_first", `{"message":"busy"}`)
			return
		}
		writeJSON(w, 201, "req_second", `{"id":"redir_1","uri":"https://x/cb"}`)
	})
	mux.HandleFunc("POST /webhook_endpoints", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 201, "req_we", `{"id":"we_1","secret":"`+webhookSecret+`"}`)
	})
	mux.HandleFunc("POST /user_management/users", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 201, "req_user", `{"id":"user_1","email":"a@b.c"}`)
	})
	mux.HandleFunc("POST /user_management/authenticate", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 400, "req_auth", `{"code":"invalid_credentials","message":"Invalid credentials."}`)
	})
	var log bytes.Buffer
	c, _ := newClient(t, mux, func(o *Options) { o.Log = &log })

	ctx := context.Background()
	if _, err := c.CreateRedirectURI(ctx, "https://x/cb"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateWebhookEndpoint(ctx, "https://x/h", []string{"user.created"}); err != nil {
		t.Fatal(err)
	}
	um := c.UserManagement()
	if _, err := um.CreateUser(ctx, usermanagement.CreateUserOpts{Email: "a@b.c", Password: "hunter2-hunter2"}); err != nil {
		t.Fatal(err)
	}
	_, _ = um.AuthenticateWithPassword(ctx, usermanagement.AuthenticateWithPasswordOpts{ClientID: "client_1", Email: "a@b.c", Password: "hunter2-hunter2"})

	got := log.String()
	wantLines := []string{
		`^workos: POST /user_management/redirect_uris -> 503 \(\d+(\.\d+)?m?s, request id req_first\); retrying in 200ms \(attempt 2/4\)$`,
		`^workos: POST /user_management/redirect_uris -> 201 \(\d+(\.\d+)?m?s, request id req_second\)$`,
		`^workos: POST /webhook_endpoints -> 201 \(\d+(\.\d+)?m?s, request id req_we\)$`,
		`^workos: POST /user_management/users -> 201 \(\d+(\.\d+)?m?s, request id req_user\)$`,
		`^workos: POST /user_management/authenticate -> 400 \(\d+(\.\d+)?m?s, request id req_auth\)$`,
	}
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) != len(wantLines) {
		t.Fatalf("log has %d lines, want %d:\n%s", len(lines), len(wantLines), got)
	}
	for i, re := range wantLines {
		if !regexp.MustCompile(re).MatchString(lines[i]) {
			t.Errorf("log line %d = %q, want match for %s", i+1, lines[i], re)
		}
	}
	for _, secret := range []string{testKey, "sk_", webhookSecret, "hunter2", "Bearer"} {
		if strings.Contains(got, secret) {
			t.Errorf("log contains %q:\n%s", secret, got)
		}
	}
}

func TestUserManagement(t *testing.T) {
	var seen recorded
	mux := http.NewServeMux()
	mux.HandleFunc("POST /user_management/users", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		seen = recorded{method: r.Method, path: r.URL.Path, header: r.Header.Clone(), body: body}
		writeJSON(w, 201, "req_u", `{"object":"user","id":"user_01","email":"test@example.com","email_verified":true}`)
	})
	mux.HandleFunc("GET /user_management/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testKey {
			writeJSON(w, 401, "req_x", `{"message":"Unauthorized"}`)
			return
		}
		writeJSON(w, 404, "req_nf", `{"message":"User not found","code":"entity_not_found"}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// A trailing slash on the base URL must not reach workos-go, which
	// would build "//user_management/users".
	c := New(Options{BaseURL: srv.URL + "/", APIKey: testKey})
	if c.BaseURL() != srv.URL {
		t.Fatalf("BaseURL() = %q, want %q", c.BaseURL(), srv.URL)
	}
	um := c.UserManagement()
	if um.Endpoint != srv.URL || um.HTTPClient == nil || um.HTTPClient.Timeout != defaultTimeout {
		t.Errorf("client = endpoint %q, http client %+v", um.Endpoint, um.HTTPClient)
	}
	user, err := um.CreateUser(context.Background(), usermanagement.CreateUserOpts{
		Email: "test@example.com", Password: "correct-horse", EmailVerified: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if user.ID != "user_01" {
		t.Errorf("user = %+v", user)
	}
	if seen.path != "/user_management/users" || seen.header.Get("Authorization") != "Bearer "+testKey {
		t.Errorf("request = %s %s, Authorization %q", seen.method, seen.path, seen.header.Get("Authorization"))
	}
	assertJSONEqual(t, seen.body, `{"email":"test@example.com","password":"correct-horse","email_verified":true}`)

	// SDK errors answer the same helpers as ours.
	_, err = um.GetUser(context.Background(), usermanagement.GetUserOpts{User: "user_02"})
	if !IsNotFound(err) || IsAuth(err) {
		t.Errorf("GetUser error %v: IsNotFound=%v", err, IsNotFound(err))
	}
	bad := New(Options{BaseURL: srv.URL, APIKey: "sk_test_wrong"}).UserManagement()
	if _, err := bad.GetUser(context.Background(), usermanagement.GetUserOpts{User: "user_02"}); !IsAuth(err) {
		t.Errorf("GetUser with a bad key: %v, want IsAuth", err)
	}
}

func TestUserManagementKeepsACallersClientTimeout(t *testing.T) {
	hc := &http.Client{Timeout: 3 * time.Second}
	c := New(Options{HTTPClient: hc, Timeout: time.Second})
	if got := c.UserManagement().HTTPClient; got == hc || got.Timeout != 3*time.Second {
		t.Errorf("SDK http client = %p timeout %v; want a copy keeping 3s", got, got.Timeout)
	}
	if hc.Transport != nil {
		t.Error("the caller's client was modified")
	}
}

func TestNewDefaults(t *testing.T) {
	c := New(Options{})
	if c.BaseURL() != DefaultBaseURL || c.timeout != 10*time.Second || c.maxAttempts != 4 || c.hc == nil || c.hc.Timeout != 0 || c.log != nil {
		t.Errorf("defaults: base %q timeout %v attempts %d client %+v", c.BaseURL(), c.timeout, c.maxAttempts, c.hc)
	}
	if New(Options{MaxAttempts: -3}).maxAttempts != 1 {
		t.Error("a negative MaxAttempts must still make one attempt")
	}
}

func TestInvalidBaseURLIsNotRetried(t *testing.T) {
	s := &sleeps{}
	c := New(Options{BaseURL: "api.workos.com", Sleep: s.sleep})
	_, err := c.ListRedirectURIs(context.Background())
	if err == nil || !strings.Contains(err.Error(), `invalid WorkOS base URL "api.workos.com"`) {
		t.Errorf("error = %v", err)
	}
	if len(s.got()) != 0 {
		t.Error("retried a request that can never succeed")
	}
}

func TestConcurrentUse(t *testing.T) {
	var hits atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("POST /user_management/redirect_uris", func(w http.ResponseWriter, r *http.Request) {
		// Every third request fails so retries run concurrently too.
		if hits.Add(1)%3 == 0 {
			writeJSON(w, 503, "", `{}`)
			return
		}
		// The created object echoes the URI sent, as WorkOS does.
		body, _ := io.ReadAll(r.Body)
		writeJSON(w, 201, "req_c", string(body))
	})
	mux.HandleFunc("GET /user_management/redirect_uris", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Query().Get("after") == "" {
			writeJSON(w, 200, "", `{"data":[{"id":"redir_1"}],"list_metadata":{"after":"c1"}}`)
			return
		}
		writeJSON(w, 200, "", `{"data":[{"id":"redir_2"}],"list_metadata":{"after":null}}`)
	})
	mux.HandleFunc("GET /user_management/users/{id}", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		writeJSON(w, 200, "", `{"id":"`+r.PathValue("id")+`"}`)
	})
	var log lockedBuffer
	c, _ := newClient(t, mux, func(o *Options) { o.Log = &log; o.MaxAttempts = 10 })
	c.jitter = httpretry.FullJitter

	const workers = 24
	var wg sync.WaitGroup
	errs := make(chan error, workers*3)
	for i := range workers {
		wg.Go(func() {
			ctx := context.Background()
			if _, err := c.CreateRedirectURI(ctx, fmt.Sprintf("https://app/%d", i)); err != nil {
				errs <- err
			}
			if got, err := c.ListRedirectURIs(ctx); err != nil || len(got) != 2 {
				errs <- fmt.Errorf("list: %d items, %v", len(got), err)
			}
			id := fmt.Sprintf("user_%d", i)
			if u, err := c.UserManagement().GetUser(ctx, usermanagement.GetUserOpts{User: id}); err != nil || u.ID != id {
				errs <- fmt.Errorf("GetUser: %+v, %v", u, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	lines := strings.Split(strings.TrimSuffix(log.String(), "\n"), "\n")
	if len(lines) != int(hits.Load()) {
		t.Errorf("%d log lines for %d requests", len(lines), hits.Load())
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "workos: ") {
			t.Errorf("interleaved log line %q", l)
		}
	}
}

// lockedBuffer lets the test read the log while the race detector watches;
// the client itself serialises its writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
