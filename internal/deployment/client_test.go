package deployment

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/deployment/deployemu"
	"github.com/convex-authkit/convex-authkit/internal/faults"
)

const testAdminKey = "self-hosted|" + secretPart

func strp(s string) *string { return &s }

// open starts an emulator and a client for it with a recorded log and no
// real waits.
func open(t *testing.T, opts deployemu.Options, key string, co ClientOptions) (*deployemu.Server, Deployment, *bytes.Buffer) {
	t.Helper()
	if opts.AdminKey == "" {
		opts.AdminKey = testAdminKey
	}
	emu := deployemu.New(opts)
	url, err := emu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	var log bytes.Buffer
	co.Log = &log
	if co.Sleep == nil {
		co.Sleep = func(context.Context, time.Duration) error { return nil }
	}
	d, err := Open(Target{URL: url, Kind: KindSelfHosted, Via: VarSelfHostedKey, adminKey: key}, co)
	if err != nil {
		t.Fatal(err)
	}
	return emu, d, &log
}

// noSecrets fails when text holds the key or a seeded value.
func noSecrets(t *testing.T, text string, secrets ...string) {
	t.Helper()
	for _, s := range append(secrets, secretPart) {
		if strings.Contains(text, s) {
			t.Fatalf("%q shows a secret", text)
		}
	}
}

func TestClientReadsAndWrites(t *testing.T) {
	emu, d, log := open(t, deployemu.Options{
		Vars: map[string]string{"WORKOS_API_KEY": "sk_test_seeded_value_1234", "KEEP": "1"},
		Providers: []map[string]any{
			{"applicationID": "client_01", "domain": "https://api.workos.com/", "_id": "x", "_creationTime": 1.0},
			{"type": "customJwt", "applicationID": nil, "issuer": "https://api.workos.com/user_management/client_01", "jwks": "https://api.workos.com/sso/jwks/client_01", "algorithm": "RS256"},
		},
		SiteURL: "https://happy-otter-123.convex.site",
	}, testAdminKey, ClientOptions{})
	ctx := context.Background()

	vars, err := d.ListEnv(ctx)
	if err != nil || vars["WORKOS_API_KEY"] != "sk_test_seeded_value_1234" || len(vars) != 2 {
		t.Fatalf("ListEnv = %v, %v", vars, err)
	}
	if err := d.UpdateEnv(ctx, []Change{Set("WORKOS_CLIENT_ID", "client_01"), Delete("KEEP")}); err != nil {
		t.Fatal(err)
	}
	if got, want := emu.Vars(), map[string]string{"WORKOS_API_KEY": "sk_test_seeded_value_1234", "WORKOS_CLIENT_ID": "client_01"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after UpdateEnv: %v, want %v", got, want)
	}
	ps, err := d.AuthProviders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []Provider{
		{Type: ProviderOIDC, ApplicationID: strp("client_01"), Domain: "https://api.workos.com/"},
		{Type: ProviderCustomJWT, Issuer: "https://api.workos.com/user_management/client_01", JWKS: "https://api.workos.com/sso/jwks/client_01", Algorithm: "RS256"},
	}
	if !reflect.DeepEqual(ps, want) {
		t.Fatalf("AuthProviders = %+v", ps)
	}
	site, err := d.SiteURL(ctx)
	if err != nil || site != "https://happy-otter-123.convex.site" {
		t.Fatalf("SiteURL = %q, %v", site, err)
	}
	var paths []string
	for _, r := range emu.Requests() {
		paths = append(paths, r.Method+" "+r.Path+" "+r.Function)
	}
	wantPaths := []string{
		"GET /api/v1/list_environment_variables ",
		"POST /api/v1/update_environment_variables ",
		"POST /api/function _system/frontend/listAuthProviders:default",
		"POST /api/function _system/frontend/convexSiteUrl:default",
	}
	if !reflect.DeepEqual(paths, wantPaths) {
		t.Fatalf("requests = %q", paths)
	}
	noSecrets(t, log.String(), "sk_test_seeded_value_1234", "client_01")
}

func TestClientFaults(t *testing.T) {
	tests := []struct {
		name      string
		faults    faults.Faults
		key       string
		readOnly  bool
		call      func(Deployment) error
		kind      ErrorKind
		exit      int
		wantText  string
		wantCalls int
	}{
		{name: "401 for a wrong key", key: "wrong|" + secretPart, call: listEnv, kind: KindRefused, exit: 4, wantText: "401 Unauthorized: BadAdminKey", wantCalls: 1},
		{name: "403 for a key lacking the permission", readOnly: true, call: setOne, kind: KindRefused, exit: 4, wantText: "403 Forbidden: Forbidden: You do not have permission to perform this operation (deployment:env:write).", wantCalls: 1},
		{name: "5xx outlasting the attempts", faults: faults.Faults{ServerErrors: 9}, call: listEnv, kind: KindServer, exit: 1, wantText: "503 Service Unavailable: ServiceUnavailable: Service Unavailable (gave up after 4 attempts)", wantCalls: 4},
		{name: "dropped connections on the update", faults: faults.Faults{DropConnections: 9}, call: setOne, kind: KindNetwork, exit: 1, wantText: "could not update environment variables", wantCalls: 4},
		{name: "slow deployment", faults: faults.Faults{Latency: 5 * time.Second}, call: listEnv, kind: KindNetwork, exit: 1, wantText: "no answer within 500ms (gave up after 2 attempts)", wantCalls: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := deployemu.Options{Vars: map[string]string{"A": "sk_test_seeded_value_1234"}}
			key := testAdminKey
			if tt.key != "" {
				key = tt.key
			}
			if tt.readOnly {
				opts.ReadOnlyKey = "readonly|" + secretPart
				key = opts.ReadOnlyKey
			}
			emu, d, log := open(t, opts, key, ClientOptions{Timeout: 500 * time.Millisecond, MaxAttempts: 4})
			if tt.name == "slow deployment" {
				d.(*Client).maxAttempts = 2
			}
			emu.SetFaults(tt.faults)
			err := tt.call(d)
			var de *Error
			if !errors.As(err, &de) || de.Kind != tt.kind || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("err = %v, want kind %d with %q", err, tt.kind, tt.wantText)
			}
			if ExitCode(err) != tt.exit {
				t.Fatalf("ExitCode = %d, want %d", ExitCode(err), tt.exit)
			}
			if n := len(emu.Requests()); n != tt.wantCalls {
				t.Fatalf("%d requests, want %d", n, tt.wantCalls)
			}
			if !strings.HasPrefix(err.Error(), "deployment http://127.0.0.1:") {
				t.Fatalf("the error does not name the target: %v", err)
			}
			noSecrets(t, err.Error()+de.Hint(VarSelfHostedKey)+log.String(), "sk_test_seeded_value_1234")
		})
	}
}

func listEnv(d Deployment) error { _, err := d.ListEnv(context.Background()); return err }
func setOne(d Deployment) error {
	return d.UpdateEnv(context.Background(), []Change{Set("WORKOS_CLIENT_ID", "client_01")})
}

func TestClientRetriesThenSucceeds(t *testing.T) {
	emu, d, log := open(t, deployemu.Options{}, testAdminKey, ClientOptions{})
	emu.SetFaults(faults.Faults{ServerErrors: 1, TooManyRequests: 1, LostResponses: 1})
	if err := setOne(d); err != nil {
		t.Fatal(err)
	}
	if got := emu.Vars()["WORKOS_CLIENT_ID"]; got != "client_01" {
		t.Fatalf("WORKOS_CLIENT_ID = %q", got)
	}
	var statuses []int
	for _, r := range emu.Requests() {
		statuses = append(statuses, r.Status)
	}
	if !reflect.DeepEqual(statuses, []int{429, 503, 0, 200}) {
		t.Fatalf("statuses %v", statuses)
	}
	if !strings.Contains(log.String(), "retrying in") {
		t.Fatalf("log:\n%s", log)
	}
}

func TestClientRefusesBeforeSending(t *testing.T) {
	emu, d, _ := open(t, deployemu.Options{}, testAdminKey, ClientOptions{})
	for _, changes := range [][]Change{
		{Set("OK", "1"), Set("1BAD", "1")},
		{Set("WORKOS-CLIENT-ID", "1")},
		{Set(strings.Repeat("A", 41), "1")},
		{Set("A", "1"), Delete("A")},
	} {
		err := d.UpdateEnv(context.Background(), changes)
		var ue *UsageError
		if !errors.As(err, &ue) || ExitCode(err) != 3 {
			t.Fatalf("UpdateEnv(%v) = %v, want a usage error", changes, err)
		}
	}
	if n := len(emu.Requests()); n != 0 {
		t.Fatalf("%d requests were sent", n)
	}
}

func TestClientBadAnswers(t *testing.T) {
	var redirected bool
	mux := http.NewServeMux()
	mux.HandleFunc("/html/api/v1/list_environment_variables", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html>login</html>"))
	})
	mux.HandleFunc("/wrong/api/v1/list_environment_variables", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"vars": {}}`))
	})
	mux.HandleFunc("/proxy500/api/v1/list_environment_variables", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(502)
		_, _ = w.Write([]byte("<html>bad gateway</html>"))
	})
	mux.HandleFunc("/redirect/api/v1/list_environment_variables", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, r *http.Request) { redirected = true })
	mux.HandleFunc("/fn/api/function", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(560)
		_, _ = w.Write([]byte(`{"status":"error","errorMessage":"Uncaught Error: no access to _auth","logLines":[]}`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	noWait := func(context.Context, time.Duration) error { return nil }
	client := func(prefix string) Deployment {
		d, err := Open(Target{URL: srv.URL + prefix, Via: VarDeployKey, Name: "happy-otter-123", adminKey: testAdminKey}, ClientOptions{Sleep: noWait, MaxAttempts: 2})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	check := func(err error, kind ErrorKind, text string) {
		t.Helper()
		var de *Error
		if !errors.As(err, &de) || de.Kind != kind || !strings.Contains(err.Error(), text) {
			t.Fatalf("err = %v, want kind %d with %q", err, kind, text)
		}
		noSecrets(t, err.Error())
	}
	_, err := client("/html").ListEnv(context.Background())
	check(err, KindBadAnswer, "the answer (200, text/html) is not JSON")
	_, err = client("/wrong").ListEnv(context.Background())
	check(err, KindBadAnswer, "no environmentVariables")
	_, err = client("/proxy500").ListEnv(context.Background())
	check(err, KindServer, "502 Bad Gateway: the answer is not JSON (text/html; charset=utf-8) (gave up after 2 attempts)")
	_, err = client("/redirect").ListEnv(context.Background())
	check(err, KindNetwork, "never follow redirects")
	if redirected {
		t.Fatal("the redirect was followed")
	}
	_, err = client("/fn").AuthProviders(context.Background())
	check(err, KindFunction, "could not read the stored auth providers: 560")
	if !strings.Contains(err.Error(), "no access to _auth") {
		t.Fatalf("the function's answer is missing: %v", err)
	}
}

func TestClientUnreachableAndCleartext(t *testing.T) {
	ln := httptest.NewServer(http.NotFoundHandler())
	url := ln.URL
	ln.Close() // nothing listens there any more
	d, err := Open(Target{URL: url, Via: VarSelfHostedKey, adminKey: testAdminKey}, ClientOptions{Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.ListEnv(context.Background())
	var de *Error
	if !errors.As(err, &de) || de.Kind != KindNetwork || de.Attempts != 4 || ExitCode(err) != 1 {
		t.Fatalf("err = %v", err)
	}
	noSecrets(t, err.Error())

	_, err = Open(Target{URL: "http://happy-otter-123.convex.cloud", Via: VarDeployKey, adminKey: testAdminKey}, ClientOptions{})
	var ue *UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "cleartext") {
		t.Fatalf("Open over http:// = %v", err)
	}
}
