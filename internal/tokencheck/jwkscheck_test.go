package tokencheck

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/jwks"
	"github.com/convex-authkit/convex-authkit/internal/jwks/jwkstest"
)

func TestCheckJWKS(t *testing.T) {
	rsaKey := jwkstest.RSAJWK("k1", "RS256", &jwkstest.RSA().PublicKey)
	good := jwkstest.Set(rsaKey)
	eddsa := jwkstest.Set(rsaKey, map[string]any{"kty": "OKP", "crv": "Ed25519", "x": jwkstest.B64(make([]byte, 32)), "kid": "ed", "alg": "EdDSA"})
	docs := map[string]doc{
		"/json":         {ct: "application/json", body: good},
		"/jwkset":       {ct: "application/jwk-set+json", body: good},
		"/json-utf8":    {ct: "application/json; charset=UTF-8", body: good},
		"/json-latin1":  {ct: "application/json; charset=iso-8859-1", body: good},
		"/json-space":   {ct: "application/json ; charset=utf-8", body: good},
		"/text":         {ct: "text/plain", body: good},
		"/no-ct":        {ct: "", body: good},
		"/html":         {ct: "text/html; charset=utf-8", body: []byte("<!DOCTYPE html><html><body>Sign in</body></html>")},
		"/html-as-json": {ct: "application/json", body: []byte("<!DOCTYPE html><html></html>")},
		"/404":          {ct: "application/json", status: 404, body: []byte(`{"message":"Not Found"}`)},
		"/500":          {ct: "application/json", status: 500},
		"/big":          {ct: "application/json", body: []byte(`{"keys":[],"pad":"` + strings.Repeat("x", 3000) + `"}`)},
		"/small-key":    {ct: "application/json", body: jwkstest.Set(jwkstest.RSAJWK("s", "RS256", &jwkstest.RSA1024().PublicKey))},
		"/eddsa":        {ct: "application/json", body: eddsa},
		"/empty":        {ct: "application/json", body: []byte(`{"keys":[]}`)},
		"/no-kid":       {ct: "application/json", body: jwkstest.Set(rsaKey, jwkstest.RSAJWK("", "RS256", &jwkstest.OtherRSA().PublicKey))},
		"/ec-only":      {ct: "application/json", body: jwkstest.Set(jwkstest.ECJWK("e", "ES256", &jwkstest.P256().PublicKey))},
		"/dup-kid":      {ct: "application/json", body: jwkstest.Set(rsaKey, jwkstest.RSAJWK("k1", "RS256", &jwkstest.OtherRSA().PublicKey))},
	}
	srv := newJWKSServer(t, docs)
	mux := srv.Config.Handler.(*http.ServeMux)
	mux.Handle("/moved", http.RedirectHandler("/moved-again", http.StatusMovedPermanently))
	mux.Handle("/moved-again", http.RedirectHandler("/jwkset", http.StatusTemporaryRedirect))
	dataURL := "data:application/json;base64," + base64.StdEncoding.EncodeToString(good)

	type want struct {
		fetch, ct, parse, keys Status
		convex                 string // ConvexError of the report, "" when usable
	}
	pass4 := want{StatusPass, StatusPass, StatusPass, StatusPass, ""}
	ctMsg := func(ct, path string) string {
		return "Invalid Content-Type '" + ct + "' when fetching JWKS from '" + srv.URL + path + "'. Expected 'application/json' or 'application/jwk-set+json'."
	}
	tests := []struct {
		path string
		url  string // instead of srv.URL+path
		want want
	}{
		{path: "/json", want: pass4},
		{path: "/jwkset", want: pass4},
		{path: "/json-utf8", want: pass4},
		{path: "/moved", want: pass4},
		{path: "/json-latin1", want: want{StatusPass, StatusFail, StatusPass, StatusPass, ctMsg("application/json; charset=iso-8859-1", "/json-latin1")}},
		{path: "/json-space", want: want{StatusPass, StatusFail, StatusPass, StatusPass, ctMsg("application/json ; charset=utf-8", "/json-space")}},
		{path: "/text", want: want{StatusPass, StatusFail, StatusPass, StatusPass, ctMsg("text/plain", "/text")}},
		{path: "/no-ct", want: want{StatusPass, StatusFail, StatusPass, StatusPass, ctMsg("unknown", "/no-ct")}},
		{path: "/html", want: want{StatusPass, StatusFail, StatusFail, StatusSkip, ctMsg("text/html; charset=utf-8", "/html")}},
		{path: "/html-as-json", want: want{StatusPass, StatusPass, StatusFail, StatusSkip, jwks.InvalidBodyMessage(srv.URL + "/html-as-json")}},
		{path: "/404", want: want{StatusFail, StatusSkip, StatusSkip, StatusSkip, "Could not fetch JWKS from URL '" + srv.URL + "/404': HTTP 404 Not Found. Check that the URL is correct and accessible."}},
		{path: "/500", want: want{StatusFail, StatusSkip, StatusSkip, StatusSkip, "Could not fetch JWKS from URL '" + srv.URL + "/500': HTTP 500 Internal Server Error. Check that the URL is correct and accessible."}},
		{path: "/big", want: want{StatusFail, StatusPass, StatusSkip, StatusSkip, "the response from " + srv.URL + "/big is larger than 2048 bytes; a JWKS is a few kilobytes"}},
		{path: "/small-key", want: want{StatusPass, StatusPass, StatusPass, StatusFail, ""}},
		{path: "/eddsa", want: want{StatusPass, StatusPass, StatusFail, StatusSkip, jwks.InvalidBodyMessage(srv.URL + "/eddsa")}},
		{path: "/empty", want: want{StatusPass, StatusPass, StatusPass, StatusFail, ""}},
		{path: "/no-kid", want: want{StatusPass, StatusPass, StatusPass, StatusWarn, ""}},
		{path: "/ec-only", want: want{StatusPass, StatusPass, StatusPass, StatusFail, ""}},
		{path: "/dup-kid", want: want{StatusPass, StatusPass, StatusPass, StatusWarn, ""}},
		{path: "data", url: dataURL, want: want{StatusPass, StatusSkip, StatusPass, StatusPass, ""}},
		{path: "bad data", url: "data:application/json;base64,%%%", want: want{StatusFail, StatusSkip, StatusSkip, StatusSkip, convexDataURLError}},
		{path: "refused", url: "http://127.0.0.1:1/jwks", want: want{StatusFail, StatusSkip, StatusSkip, StatusSkip, "Could not fetch JWKS from URL 'http://127.0.0.1:1/jwks': "}},
	}
	f := &jwks.Fetcher{Client: srv.Client(), MaxBytes: 2048}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			url := tt.url
			if url == "" {
				url = srv.URL + tt.path
			}
			rep := CheckJWKS(context.Background(), f, url, []string{"RS256"})
			got := want{rep.Results[0].Status, rep.Results[1].Status, rep.Results[2].Status, rep.Results[3].Status, rep.ConvexError}
			if strings.HasSuffix(tt.want.convex, ": ") && strings.HasPrefix(got.convex, tt.want.convex) {
				got.convex = tt.want.convex
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
				for _, r := range rep.Results {
					t.Logf("%s %s: %s (hint: %s)", r.ID, r.Status, r.Message, r.Hint)
				}
			}
			if (rep.Set != nil) != (tt.want.convex == "") {
				t.Errorf("Set = %v with ConvexError %q", rep.Set, rep.ConvexError)
			}
			for _, r := range rep.Results {
				if r.ID == "" || r.Group() != "jwks" {
					t.Errorf("bad id %q", r.ID)
				}
				if (r.Status == StatusWarn || r.Status == StatusFail) && r.Hint == "" {
					t.Errorf("%s %s without a hint: %s", r.ID, r.Status, r.Message)
				}
			}
		})
	}
}

func TestCheckJWKSTimeoutIsAnError(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	srv := newJWKSServer(t, nil)
	srv.Config.Handler.(*http.ServeMux).HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-block:
		}
	})
	f := &jwks.Fetcher{Client: srv.Client(), Timeout: 20 * time.Millisecond}
	rep := CheckJWKS(context.Background(), f, srv.URL+"/slow", []string{"RS256"})
	if rep.Results[0].Status != StatusError || rep.Status != StatusError {
		t.Fatalf("fetch = %s, report = %s; want error", rep.Results[0].Status, rep.Status)
	}
}

func TestCheckAllJWKSFetchesEachURLOnce(t *testing.T) {
	srv := newJWKSServer(t, map[string]doc{
		"/a": {ct: "application/json", body: standardKeys()},
		"/b": {ct: "application/json", body: standardKeys()},
	})
	providers := []Provider{
		customJWT("https://one.example.com", srv.URL+"/a", nil),
		customJWT("https://two.example.com", srv.URL+"/a", strp("x")),
		{Type: TypeCustomJWT, Issuer: "https://three.example.com", JWKS: srv.URL + "/b", Algorithm: "ES256"},
		{Type: TypeOIDC, Issuer: "https://oidc.example.com", ApplicationID: strp("y")},
	}
	f := srv.fetcher()
	reports := CheckAllJWKS(context.Background(), f, providers)
	if len(reports) != 2 || reports[0].URL != srv.URL+"/a" || reports[1].URL != srv.URL+"/b" {
		t.Fatalf("reports for %v", reports)
	}
	if got := reports[0].Providers; len(got) != 2 || got[0] != 0 || got[1] != 1 {
		t.Errorf("providers of /a = %v", got)
	}
	// Verifying a token afterwards reuses the fetched sets.
	v := VerifyToken(context.Background(), mint(jwkstest.RSA(), rs256("k1"), claims(map[string]any{"iss": "https://one.example.com"})),
		Options{Providers: providers, Fetcher: f, Now: now})
	if !v.Accepted {
		t.Errorf("token not accepted: %+v", v.Results)
	}
	if n := srv.hits.Load(); n != 2 {
		t.Errorf("server hit %d times, want once per URL", n)
	}
}
