package officialemu

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestOfficialEmulator checks the behaviours NOTES.md records that the
// CLI's integration tests lean on, so that a change in the pinned emulator
// (or in how Start runs it) shows up here first.
func TestOfficialEmulator(t *testing.T) {
	t.Parallel()
	e := Start(t)

	t.Run("listens on loopback only", func(t *testing.T) {
		assertLoopbackOnly(t, e.URL)
	})

	// The spec answers a duplicate CORS origin with 409; this emulator
	// answers 422 for both.
	for _, c := range []struct{ path, field, value, want string }{
		{"/user_management/redirect_uris", "uri", "http://localhost:3000/callback",
			`{"message":"Redirect URI already exists","code":"redirect_uri_already_exists"}`},
		{"/user_management/cors_origins", "origin", "http://localhost:3000",
			`{"message":"CORS origin already exists","code":"cors_origin_already_exists"}`},
	} {
		t.Run("duplicate POST "+c.path+" is 422", func(t *testing.T) {
			body := map[string]string{c.field: c.value}
			if status, _, got := do(t, e, "POST", c.path, e.APIKey, body); status != http.StatusCreated {
				t.Fatalf("first POST: %d %s, want 201", status, got)
			}
			status, _, got := do(t, e, "POST", c.path, e.APIKey, body)
			if status != http.StatusUnprocessableEntity || string(got) != c.want {
				t.Errorf("second POST: %d %s, want 422 %s", status, got, c.want)
			}
		})
	}

	t.Run("no list, delete or homepage endpoints", func(t *testing.T) {
		for _, r := range []struct{ method, path string }{
			{"GET", "/user_management/redirect_uris"},
			{"DELETE", "/user_management/redirect_uris/redir_01K0FF1C1A1EM0000000000000"},
			{"GET", "/user_management/cors_origins"},
			{"PUT", "/user_management/app_homepage_url"},
		} {
			status, _, got := do(t, e, r.method, r.path, e.APIKey, map[string]string{"url": "http://localhost:3000"})
			if want := `{"message":"Not Found","code":"not_found"}`; status != http.StatusNotFound || string(got) != want {
				t.Errorf("%s %s: %d %s, want 404 %s", r.method, r.path, status, got, want)
			}
		}
	})

	t.Run("wrong API key is 401", func(t *testing.T) {
		status, _, got := do(t, e, "GET", "/webhook_endpoints", "sk_test_wrong", nil)
		if want := `{"message":"Unauthorized","code":"unauthorized"}`; status != http.StatusUnauthorized || string(got) != want {
			t.Errorf("got %d %s, want 401 %s", status, got, want)
		}
	})

	t.Run("JWKS is application/json with one RS256 key", func(t *testing.T) {
		keys := fetchJWKS(t, e)
		if len(keys) != 1 {
			t.Fatalf("got %d keys, want 1", len(keys))
		}
	})

	t.Run("password grant mints an RS256 token for the JWKS", func(t *testing.T) {
		user := map[string]any{"email": "ada@example.com", "password": "correct horse battery staple", "email_verified": true}
		if status, _, got := do(t, e, "POST", "/user_management/users", e.APIKey, user); status != http.StatusCreated {
			t.Fatalf("create user: %d %s, want 201", status, got)
		}
		// The emulator checks neither client_id nor client_secret; send what
		// a real client sends (the API key as the secret).
		auth := map[string]any{
			"grant_type": "password", "client_id": e.ClientID, "client_secret": e.APIKey,
			"email": user["email"], "password": user["password"],
		}
		status, _, got := do(t, e, "POST", "/user_management/authenticate", "", auth)
		if status != http.StatusOK {
			t.Fatalf("authenticate: %d %s, want 200", status, got)
		}
		var resp struct {
			AccessToken string `json:"access_token"`
			User        struct {
				ID string `json:"id"`
			} `json:"user"`
		}
		if err := json.Unmarshal(got, &resp); err != nil {
			t.Fatal(err)
		}
		header, claims := verifyToken(t, resp.AccessToken, fetchJWKS(t, e))
		if kid, _ := header["kid"].(string); header["alg"] != "RS256" || header["typ"] != "JWT" || !strings.HasPrefix(kid, "workos_emulate_") {
			t.Errorf("header %v: want alg RS256, typ JWT, kid workos_emulate_<ms>", header)
		}
		if claims["iss"] != e.Issuer || claims["aud"] != e.ClientID || claims["sub"] != resp.User.ID {
			t.Errorf("claims %v: want iss %s, aud %s, sub %s", claims, e.Issuer, e.ClientID, resp.User.ID)
		}
		exp, _ := claims["exp"].(float64)
		iat, _ := claims["iat"].(float64)
		if life := exp - iat; life != 3600 {
			t.Errorf("exp - iat = %v, want 3600", life)
		}
	})

	t.Run("webhook events are delivered to loopback only, signed t=<s>,v1=<hex>", func(t *testing.T) {
		const secret = "whsec_officialemu_test"
		got := make(chan *http.Request, 10)
		bodies := make(chan []byte, 10)
		receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			got <- r
			bodies <- b
		}))
		defer receiver.Close()
		const blocked = "https://officialemu-blocked.invalid"
		for _, u := range []string{receiver.URL + "/workos/webhook", blocked + "/workos/webhook"} {
			ep := map[string]any{"endpoint_url": u, "events": []string{"user.created"}, "secret": secret}
			if status, _, body := do(t, e, "POST", "/webhook_endpoints", e.APIKey, ep); status != http.StatusCreated {
				t.Fatalf("create webhook endpoint %s: %d %s", u, status, body)
			}
		}
		user := map[string]any{"email": "grace@example.com"}
		if status, _, body := do(t, e, "POST", "/user_management/users", e.APIKey, user); status != http.StatusCreated {
			t.Fatalf("create user: %d %s", status, body)
		}
		var r *http.Request
		var body []byte
		select {
		case r = <-got:
			body = <-bodies
		case <-time.After(5 * time.Second):
			t.Fatal("no webhook delivery to the loopback receiver within 5s")
		}
		var event struct{ Event string }
		if err := json.Unmarshal(body, &event); err != nil || event.Event != "user.created" {
			t.Errorf("delivered body %s: want a user.created event", body)
		}
		sig := r.Header.Get("WorkOS-Signature")
		ts, mac, ok := strings.Cut(strings.TrimPrefix(sig, "t="), ",v1=")
		if !ok || len(ts) != 10 {
			t.Fatalf("WorkOS-Signature %q: want t=<unix seconds>,v1=<hex>", sig)
		}
		h := hmac.New(sha256.New, []byte(secret))
		h.Write([]byte(ts + "." + string(body)))
		if want := hex.EncodeToString(h.Sum(nil)); mac != want {
			t.Errorf("WorkOS-Signature %q: v1 want %s (HMAC-SHA256 of t.body)", sig, want)
		}
		for deadline := time.Now().Add(5 * time.Second); !strings.Contains(e.stderr.String(), "blocked fetch to "+blocked); {
			if time.Now().After(deadline) {
				t.Fatalf("no report of the blocked delivery to %s on the emulator's stderr:\n%s", blocked, e.stderr)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

// TestStopKillsEmulator checks that the emulator is gone once its test is.
func TestStopKillsEmulator(t *testing.T) {
	t.Parallel()
	var e *Emulator
	t.Run("start", func(t *testing.T) { e = Start(t) })
	if e == nil {
		t.Fatal("Start failed")
	}
	select {
	case <-e.exited:
	default:
		t.Fatalf("the emulator (pid %d) still runs after its test ended", e.cmd.Process.Pid)
	}
	if runtime.GOOS == "linux" {
		if _, err := os.Stat("/proc/" + strconv.Itoa(e.cmd.Process.Pid)); err == nil {
			t.Errorf("/proc/%d exists after the test ended", e.cmd.Process.Pid)
		}
	}
}

// TestEmulatorExitsWhenStdinCloses checks the preload's watchdog, which is
// what stops the emulator when the test process dies without cleaning up.
func TestEmulatorExitsWhenStdinCloses(t *testing.T) {
	t.Parallel()
	e := Start(t)
	e.stdin.Close()
	select {
	case <-e.exited:
	case <-time.After(stopTimeout):
		t.Fatalf("the emulator still runs %s after its stdin closed", stopTimeout)
	}
	if code := e.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

func TestSkipEnv(t *testing.T) {
	var skipped bool
	t.Run("Start", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		t.Setenv(SkipEnv, "1")
		Start(t)
		t.Error("Start returned with " + SkipEnv + "=1")
	})
	if !skipped {
		t.Errorf("Start did not skip with %s=1", SkipEnv)
	}
}

// do sends one JSON request and checks what every response carries.
func do(t *testing.T, e *Emulator, method, path, apiKey string, body any) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+apiKey)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if !strings.HasPrefix(resp.Header.Get("X-Request-ID"), "req_") {
		t.Errorf("%s %s: X-Request-ID %q, want req_<uuid>", method, path, resp.Header.Get("X-Request-ID"))
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: Content-Type %q, want application/json", method, path, ct)
	}
	return resp.StatusCode, resp.Header, got
}

type jwk struct {
	Kty, Kid, Alg, Use, N, E string
}

func fetchJWKS(t *testing.T, e *Emulator) []jwk {
	t.Helper()
	path := strings.TrimPrefix(e.JWKSURL(), e.URL)
	status, _, got := do(t, e, "GET", path, "", nil) // public: no API key
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, status, got)
	}
	var set struct{ Keys []jwk }
	if err := json.Unmarshal(got, &set); err != nil {
		t.Fatal(err)
	}
	for _, k := range set.Keys {
		if k.Kty != "RSA" || k.Alg != "RS256" || k.Use != "sig" || k.E != "AQAB" || k.Kid == "" {
			t.Errorf("key %+v: want kty RSA, alg RS256, use sig, e AQAB and a kid", k)
		}
	}
	return set.Keys
}

// verifyToken checks an RS256 JWT's signature against keys and returns its
// header and claims.
func verifyToken(t *testing.T, token string, keys []jwk) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts, want 3", len(parts))
	}
	decode := func(s string, v any) {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		if v != nil {
			if err := json.Unmarshal(b, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	decode(parts[0], &header)
	decode(parts[1], &claims)
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k.Kid != header["kid"] {
			continue
		}
		n, err := base64.RawURLEncoding.DecodeString(k.N)
		if err != nil {
			t.Fatal(err)
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: 65537}
		digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
			t.Fatalf("signature: %v", err)
		}
		return header, claims
	}
	t.Fatalf("no JWKS key has the token's kid %v", header["kid"])
	return nil, nil
}

// assertLoopbackOnly reads the kernel's socket tables rather than probing a
// non-loopback address, which tests must never send traffic to.
func assertLoopbackOnly(t *testing.T, baseURL string) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/net/tcp, which only Linux has")
	}
	_, portStr, err := net.SplitHostPort(strings.TrimPrefix(baseURL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(portStr)
	var found []net.IP
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		ips, err := listeners(table, port)
		if err != nil {
			t.Skipf("cannot read %s: %v", table, err)
		}
		found = append(found, ips...)
	}
	if len(found) == 0 {
		t.Fatalf("no listening socket on port %d in /proc/net/tcp{,6}", port)
	}
	for _, ip := range found {
		if !ip.IsLoopback() {
			t.Errorf("the emulator listens on %s port %d, want loopback only", ip, port)
		}
	}
}

// listeners returns the local addresses of the sockets listening on port in
// one /proc/net/tcp-style table. Each address there is hex, one native-endian
// 32-bit word at a time.
func listeners(table string, port int) ([]net.IP, error) {
	f, err := os.Open(table)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	const listen = "0A"
	var ips []net.IP
	sc := bufio.NewScanner(f)
	sc.Scan() // the column titles
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || fields[3] != listen {
			continue
		}
		addr, p, ok := strings.Cut(fields[1], ":")
		if !ok {
			continue
		}
		if got, err := strconv.ParseUint(p, 16, 16); err != nil || int(got) != port {
			continue
		}
		raw, err := hex.DecodeString(addr)
		if err != nil || len(raw)%4 != 0 {
			continue
		}
		ip := make(net.IP, len(raw))
		for i := 0; i < len(raw); i += 4 {
			binary.NativeEndian.PutUint32(ip[i:], binary.BigEndian.Uint32(raw[i:]))
		}
		ips = append(ips, ip)
	}
	return ips, sc.Err()
}
