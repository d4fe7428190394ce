package jwks

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const smallSet = `{"keys":[]}`

func TestFetchResponses(t *testing.T) {
	mux := http.NewServeMux()
	serve := func(path, ct string, status int, body string) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			if ct != "" {
				w.Header().Set("Content-Type", ct)
			} else {
				w.Header()["Content-Type"] = nil // stop net/http from sniffing one
			}
			w.WriteHeader(status)
			fmt.Fprint(w, body)
		})
	}
	serve("/json", "application/json", 200, smallSet)
	serve("/jwkset", "application/jwk-set+json", 200, smallSet)
	serve("/html", "text/html; charset=utf-8", 200, "<html></html>")
	serve("/none", "", 200, smallSet)
	serve("/missing", "application/json", 404, `{"error":"not found"}`)
	serve("/big", "application/json", 200, strings.Repeat(" ", 300)+smallSet)
	for i := 1; i <= 11; i++ {
		mux.Handle(fmt.Sprintf("/r%d", i), http.RedirectHandler(fmt.Sprintf("/r%d", i-1), http.StatusFound))
	}
	mux.Handle("/r0", http.RedirectHandler("/json", http.StatusMovedPermanently))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	f := &Fetcher{Client: srv.Client(), MaxBytes: 200}
	tests := []struct {
		path      string
		status    int
		ct        string
		redirects int
		tooLarge  bool
		errKind   string
	}{
		{path: "/json", status: 200, ct: "application/json"},
		{path: "/jwkset", status: 200, ct: "application/jwk-set+json"},
		{path: "/html", status: 200, ct: "text/html; charset=utf-8"},
		{path: "/none", status: 200},
		{path: "/missing", status: 404, ct: "application/json"},
		{path: "/big", status: 200, ct: "application/json", tooLarge: true},
		{path: "/r2", status: 200, ct: "application/json", redirects: 3},
		{path: "/r9", status: 200, ct: "application/json", redirects: 10},
		{path: "/r10", errKind: ErrKindTransport},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := f.Fetch(context.Background(), srv.URL+tt.path)
			if tt.errKind != "" {
				var fe *FetchError
				if !errors.As(err, &fe) || fe.Kind != tt.errKind {
					t.Fatalf("err = %v, want a %s FetchError", err, tt.errKind)
				}
				if !strings.Contains(fe.Error(), "too many redirects") {
					t.Errorf("err = %v, want too many redirects", fe)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != tt.status {
				t.Errorf("status = %d, want %d", resp.Status, tt.status)
			}
			gotCT := ""
			if len(resp.ContentTypes) > 0 {
				gotCT = resp.ContentTypes[0]
			}
			if gotCT != tt.ct {
				t.Errorf("content-type = %q, want %q", gotCT, tt.ct)
			}
			if len(resp.Redirects) != tt.redirects {
				t.Errorf("redirects = %v, want %d", resp.Redirects, tt.redirects)
			}
			if tt.redirects > 0 && resp.FinalURL != srv.URL+"/json" {
				t.Errorf("final URL = %s", resp.FinalURL)
			}
			if resp.TooLarge != tt.tooLarge || len(resp.Body) > 200 {
				t.Errorf("tooLarge = %v with %d bytes", resp.TooLarge, len(resp.Body))
			}
		})
	}
	if got := ReasonPhrase(404); got != "Not Found" {
		t.Errorf("ReasonPhrase(404) = %q", got)
	}
	if got := ReasonPhrase(599); got != "Unknown" {
		t.Errorf("ReasonPhrase(599) = %q", got)
	}
}

func TestFetchSendsConvexHeaders(t *testing.T) {
	var accept, agent string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		accept, agent = r.Header.Get("Accept"), r.Header.Get("User-Agent")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, smallSet)
	}))
	defer srv.Close()
	if _, err := NewFetcher(srv.Client()).Fetch(context.Background(), srv.URL); err != nil {
		t.Fatal(err)
	}
	if accept != "application/json" || agent != "Convex/1.0" {
		t.Errorf("Accept %q, User-Agent %q", accept, agent)
	}
}

func TestFetchOncePerURL(t *testing.T) {
	var hits atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		<-release
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, smallSet)
	}))
	defer srv.Close()
	f := NewFetcher(srv.Client())

	var wg sync.WaitGroup
	results := make([]*Response, 8)
	for i := range results {
		url := srv.URL + "/a"
		if i%2 == 1 {
			url = srv.URL + "/b"
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := f.Fetch(context.Background(), url)
			if err != nil {
				t.Error(err)
			}
			results[i] = resp
		}()
	}
	close(release)
	wg.Wait()
	if n := hits.Load(); n != 2 {
		t.Errorf("server hit %d times for 2 distinct URLs, want 2", n)
	}
	if results[0] != results[2] || results[1] != results[3] || results[0] == results[1] {
		t.Error("callers of one URL should share one response")
	}
	if _, err := f.Fetch(context.Background(), srv.URL+"/a"); err != nil || hits.Load() != 2 {
		t.Errorf("a later call should use the kept result (hits %d, err %v)", hits.Load(), err)
	}
}

func TestFetchTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer srv.Close()
	f := &Fetcher{Client: srv.Client(), Timeout: 20 * time.Millisecond}
	_, err := f.Fetch(context.Background(), srv.URL)
	var fe *FetchError
	if !errors.As(err, &fe) || fe.Kind != ErrKindTimeout {
		t.Fatalf("err = %v, want a timeout", err)
	}
}

func TestFetchCancelledLeaderIsRetriedByWaiter(t *testing.T) {
	var hits atomic.Int32
	entered := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			close(entered)
			<-r.Context().Done()
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, smallSet)
	}))
	defer srv.Close()
	f := NewFetcher(srv.Client())

	leaderCtx, cancel := context.WithCancel(context.Background())
	leaderErr := make(chan error, 1)
	go func() {
		_, err := f.Fetch(leaderCtx, srv.URL)
		leaderErr <- err
	}()
	<-entered
	waiter := make(chan error, 1)
	go func() {
		resp, err := f.Fetch(context.Background(), srv.URL)
		if err == nil && resp.Status != 200 {
			err = fmt.Errorf("status %d", resp.Status)
		}
		waiter <- err
	}()
	cancel()
	var fe *FetchError
	if err := <-leaderErr; !errors.As(err, &fe) || fe.Kind != ErrKindCanceled {
		t.Errorf("leader err = %v, want canceled", err)
	}
	if err := <-waiter; err != nil {
		t.Errorf("waiter should fetch again after the leader gave up: %v", err)
	}
}

func TestFetchCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := NewFetcher(nil).Fetch(ctx, "http://127.0.0.1:1/jwks")
	var fe *FetchError
	if !errors.As(err, &fe) || fe.Kind != ErrKindCanceled {
		t.Fatalf("err = %v, want canceled", err)
	}
}

func TestFetchDataAndBadURLs(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString([]byte(smallSet))
	tests := []struct {
		url, body, errKind string
	}{
		{url: "data:application/json;base64," + b64, body: smallSet},
		{url: " DATA:text/plain ; BASE64 ," + b64[:4] + "\n" + b64[4:], body: smallSet},
		{url: "data:," + "%7B%22keys%22%3A%5B%5D%7D", body: smallSet},
		{url: "data:application/json;base64,@@@", errKind: ErrKindDataURL},
		{url: "data:application/json;base64,e30#frag", body: "{}"},
		{url: "ftp://example.com/jwks", errKind: ErrKindURL},
		{url: "not a url", errKind: ErrKindURL},
		{url: "data:no-comma", errKind: ErrKindURL},
	}
	for _, tt := range tests {
		resp, err := NewFetcher(nil).Fetch(context.Background(), tt.url)
		if tt.errKind != "" {
			var fe *FetchError
			if !errors.As(err, &fe) || fe.Kind != tt.errKind {
				t.Errorf("%q: err = %v, want kind %s", tt.url, err, tt.errKind)
			}
			continue
		}
		if err != nil || !resp.DataURL || string(resp.Body) != tt.body {
			t.Errorf("%q: got %+v, %v", tt.url, resp, err)
		}
	}
}
