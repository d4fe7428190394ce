package cmd

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/emulator"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/tokencheck"
)

// runEmulate starts `emulate args...` and returns its first stdout line or
// document, a way to stop it, and its exit code and stderr once stopped.
func runEmulate(t *testing.T, args ...string) (first []byte, stop func() (int, string)) {
	t.Helper()
	ios, _, _, errOut := iostreams.Test()
	pr, pw := io.Pipe()
	ios.Out = pw
	f := &cmdutil.Factory{IOStreams: ios, Env: map[string]string{}, WorkDir: t.TempDir()}
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	go func() {
		code <- Main(ctx, append([]string{"emulate", "--port", "0"}, args...), f)
		pw.Close()
	}()
	t.Cleanup(cancel)
	// The JSON document is indented: read up to its closing brace.
	var buf strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		buf.WriteString(sc.Text() + "\n")
		if sc.Text() == "}" || strings.HasPrefix(sc.Text(), "Press Ctrl-C") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	return []byte(buf.String()), func() (int, string) {
		cancel()
		select {
		case c := <-code:
			return c, errOut.String()
		case <-time.After(10 * time.Second):
			t.Fatal("emulate did not stop when its context ended")
			return 0, ""
		}
	}
}

// emulate serves until interrupted, printing where and with which
// credentials; the default key is the emulator's own and shown in full, a
// key given with --api-key is masked.
func TestEmulate(t *testing.T) {
	doc, stop := runEmulate(t, "--json")
	var got struct {
		SchemaVersion                 int
		URL, ClientID, APIKey, Issuer string
	}
	if err := json.Unmarshal(doc, &got); err != nil {
		t.Fatalf("stdout is not a JSON document: %v\n%s", err, doc)
	}
	if got.SchemaVersion != 1 || !strings.HasPrefix(got.URL, "http://127.0.0.1:") ||
		got.ClientID != emulator.DefaultClientID || got.APIKey != emulator.DefaultAPIKey ||
		got.Issuer != got.URL+"/user_management/"+emulator.DefaultClientID {
		t.Fatalf("document = %+v", got)
	}
	req, _ := http.NewRequest("GET", got.URL+"/user_management/redirect_uris", nil)
	req.Header.Set("Authorization", "Bearer "+got.APIKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET redirect_uris with the printed key: %d", res.StatusCode)
	}
	if code, stderr := stop(); code != 0 || stderr != "Emulator stopped.\n" {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if _, err := http.Get(got.URL + "/sso/jwks/" + got.ClientID); err == nil {
		t.Error("the emulator still answers after it stopped")
	}

	text, stop := runEmulate(t, "--client-id", "client_01HXYZ", "--api-key", "sk_test_mine0000000000000000abcd")
	if s := string(text); !strings.Contains(s, "  WORKOS_CLIENT_ID=client_01HXYZ\n") ||
		!strings.Contains(s, "  WORKOS_API_KEY=sk_test_…abcd\n") || strings.Contains(s, "mine") {
		t.Errorf("stdout:\n%s", s)
	}
	stop()

	// --play-workos: tokens name WorkOS, and the text says how to check one.
	text, stop = runEmulate(t, "--play-workos")
	if s := string(text); !strings.Contains(s, "Tokens name https://api.workos.com/user_management/"+emulator.DefaultClientID+", as WorkOS's do") ||
		!strings.Contains(s, "  convex-authkit token verify --emulate TOKEN\n") {
		t.Errorf("stdout:\n%s", s)
	}
	stop()
}

func TestEmulateBadPort(t *testing.T) {
	ios, _, _, errOut := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios, Env: map[string]string{}}
	if code := Main(context.Background(), []string{"emulate", "--port", "70000"}, f); code != cmdutil.ExitUsage {
		t.Errorf("exit %d, want %d", code, cmdutil.ExitUsage)
	}
	if !strings.Contains(errOut.String(), "--port must be between 0 and 65535") {
		t.Errorf("stderr: %s", errOut)
	}
}

// TestEmulateFaultFlags checks flag parsing alone: each fault flag lands
// in its emulator.Faults field, and settings that cannot work are exit 3.
func TestEmulateFaultFlags(t *testing.T) {
	tests := []struct {
		args    []string
		want    emulator.Faults
		wantErr string
	}{
		{nil, emulator.Faults{RetryAfter: "1"}, ""},
		{[]string{"--latency", "250ms", "--fault-match", "POST /user_management/redirect_uris", "--drop", "1", "--fail-429", "2",
			"--retry-after", "3", "--fail-503", "4", "--lose", "5", "--duplicate-status", "409", "--no-list-endpoints", "--no-homepage",
			"--jwks-content-type", "text/html"},
			emulator.Faults{Match: "POST /user_management/redirect_uris", Latency: 250 * time.Millisecond, DropConnections: 1, TooManyRequests: 2,
				RetryAfter: "3", ServerErrors: 4, LostResponses: 5, DuplicateStatus: 409, NoListEndpoints: true, NoHomepage: true, JWKSContentType: "text/html"}, ""},
		{[]string{"--fail-503", "-1"}, emulator.Faults{}, "--fail-503 must be 0 or more"},
		{[]string{"--retry-after", "-1"}, emulator.Faults{}, "--retry-after must be 0 or more"},
		{[]string{"--latency", "-1s"}, emulator.Faults{}, "--latency must not be negative"},
		{[]string{"--duplicate-status", "400"}, emulator.Faults{}, "--duplicate-status must be 409 or 422"},
		{[]string{"--fault-match", "redirect_uris POST"}, emulator.Faults{}, "path prefix must start with /"},
		{[]string{"--fault-match", "/a GET"}, emulator.Faults{}, "path prefix must start with /"},
		{[]string{"--fault-match", "GET /a /b"}, emulator.Faults{}, "more than a method and a path prefix"},
	}
	for _, tt := range tests {
		var ff faultFlags
		fl := pflag.NewFlagSet("emulate", pflag.ContinueOnError)
		ff.bind(fl)
		if err := fl.Parse(tt.args); err != nil {
			t.Fatal(err)
		}
		got, err := ff.faults()
		switch {
		case tt.wantErr != "":
			var ce *cmdutil.Error
			if !errors.As(err, &ce) || ce.Code != cmdutil.ExitUsage || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%v: error %v, want exit-3 error containing %q", tt.args, err, tt.wantErr)
			}
		case err != nil || got != tt.want:
			t.Errorf("%v: faults = %+v, %v; want %+v", tt.args, got, err, tt.want)
		}
	}
}

// TestEmulateFaults runs the emulator with a fault flag and checks that
// it misbehaves as asked, for the selected requests only, and says so.
func TestEmulateFaults(t *testing.T) {
	doc, stop := runEmulate(t, "--json", "--fail-429", "1", "--retry-after", "7", "--fault-match", "GET /user_management/redirect_uris")
	var got struct{ URL, APIKey string }
	if err := json.Unmarshal(doc, &got); err != nil {
		t.Fatalf("stdout is not a JSON document: %v\n%s", err, doc)
	}
	get := func(path string) *http.Response {
		req, _ := http.NewRequest("GET", got.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+got.APIKey)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	if res := get("/user_management/cors_origins"); res.StatusCode != http.StatusOK {
		t.Errorf("unselected request: %d, want 200", res.StatusCode)
	}
	if res := get("/user_management/redirect_uris"); res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "7" {
		t.Errorf("first selected request: %d, Retry-After %q; want 429, 7", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if res := get("/user_management/redirect_uris"); res.StatusCode != http.StatusOK {
		t.Errorf("second selected request: %d, want 200 once the count is used up", res.StatusCode)
	}
	code, stderr := stop()
	if want := "Faults: 1 × 429 (Retry-After: 7), those only for GET /user_management/redirect_uris\n"; code != 0 || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr %q; want it to contain %q", code, stderr, want)
	}
}

// emulate serves a Convex deployment beside WorkOS, holding the emulated
// WORKOS_CLIENT_ID as a real deployment would, and prints how to reach it.
func TestEmulateServesDeployment(t *testing.T) {
	doc, stop := runEmulate(t, "--json")
	defer stop()
	var got struct {
		ClientID   string
		Deployment struct{ URL, AdminKey string }
	}
	if err := json.Unmarshal(doc, &got); err != nil {
		t.Fatalf("stdout is not a JSON document: %v\n%s", err, doc)
	}
	req, _ := http.NewRequest("GET", got.Deployment.URL+"/api/v1/list_environment_variables", nil)
	req.Header.Set("Authorization", "Convex "+got.Deployment.AdminKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct{ EnvironmentVariables map[string]string }
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || body.EnvironmentVariables["WORKOS_CLIENT_ID"] != got.ClientID {
		t.Fatalf("deployment variables %v (%v), want WORKOS_CLIENT_ID=%s", body.EnvironmentVariables, err, got.ClientID)
	}

	text, stopText := runEmulate(t)
	defer stopText()
	if s := string(text); !strings.Contains(s, "  export CONVEX_SELF_HOSTED_URL=http://127.0.0.1:") ||
		!strings.Contains(s, "  export CONVEX_SELF_HOSTED_ADMIN_KEY='convex-self-hosted|emulator-admin-key-0000000000000000'\n") {
		t.Errorf("stdout:\n%s", s)
	}
}

// TestEmulateSeededUsers: users from --seed (the official emulator's
// format) and --user sign in at once, and `emulate token` prints a token
// for them; the passwords are never printed.
func TestEmulateSeededUsers(t *testing.T) {
	seed := t.TempDir() + "/seed.json"
	if err := os.WriteFile(seed, []byte(`{"users": [{"email": "bob@example.com", "password": "b0b-pw", "first_name": "Bob"}], "organizations": [{"name": "Acme"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	doc, stop := runEmulate(t, "--json", "--seed", seed, "--user", "ada@example.com:correct horse")
	var got struct {
		URL   string
		Users []string
	}
	if err := json.Unmarshal(doc, &got); err != nil || strings.Join(got.Users, " ") != "bob@example.com ada@example.com" {
		t.Fatalf("document = %s (%v)", doc, err)
	}
	if strings.Contains(string(doc), "correct horse") || strings.Contains(string(doc), "b0b-pw") {
		t.Fatalf("a password is printed:\n%s", doc)
	}
	mint := func(email, password string) (int, string, string) {
		ios, _, out, errOut := iostreams.Test()
		f := &cmdutil.Factory{IOStreams: ios, Env: map[string]string{"WORKOS_TEST_PASSWORD": password}, WorkDir: t.TempDir()}
		code := Main(context.Background(), []string{"emulate", "token", email, "--workos-url", got.URL}, f)
		return code, out.String(), errOut.String()
	}
	for _, email := range got.Users {
		password := map[string]string{"bob@example.com": "b0b-pw", "ada@example.com": "correct horse"}[email]
		code, out, errOut := mint(email, password)
		tok, _ := tokencheck.Decode(strings.TrimSpace(out))
		if code != 0 || tok == nil || tok.Claims == nil || tok.Claims.Iss != got.URL+"/user_management/"+emulator.DefaultClientID {
			t.Fatalf("emulate token %s: exit %d, stdout %q, stderr %q", email, code, out, errOut)
		}
	}
	if code, _, errOut := mint("ada@example.com", "wrong"); code != cmdutil.ExitFailure || !strings.Contains(errOut, "hint: start it with 'convex-authkit emulate --user EMAIL:PASSWORD'") {
		t.Errorf("wrong password: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := mint("ada@example.com", ""); code != cmdutil.ExitUsage || !strings.Contains(errOut, "set WORKOS_TEST_PASSWORD") {
		t.Errorf("no password: exit %d, stderr %q", code, errOut)
	}
	if code, stderr := stop(); code != 0 || !strings.Contains(stderr, "note: the seed's organizations are not emulated here") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}

	// A --user without a password is a usage error before anything starts.
	ios, _, _, errOut := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios, Env: map[string]string{}, WorkDir: t.TempDir()}
	if code := Main(context.Background(), []string{"emulate", "--port", "0", "--user", "ada@example.com"}, f); code != cmdutil.ExitUsage ||
		!strings.Contains(errOut.String(), "--user ada@example.com: want EMAIL:PASSWORD") {
		t.Errorf("--user without a password: exit %d, stderr %q", code, errOut)
	}
}
