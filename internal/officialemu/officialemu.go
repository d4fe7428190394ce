// Package officialemu runs the official WorkOS emulator, `workos emulate`
// from the npm package workos@0.14.0 (the WorkOS CLI), for integration
// tests. The project's own in-process emulator encodes our reading of the
// WorkOS API; this one is WorkOS's, so tests against it catch the places
// where our reading and theirs differ. NOTES.md lists how it behaves.
//
// Start installs the pinned package on first use into the CI cache folder
// (so CI and a clean clone need nothing preinstalled but node and npm) and
// runs one emulator per call, bound to 127.0.0.1.
package officialemu

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	// Version is the pinned WorkOS CLI; testdata/package-lock.json pins its
	// dependencies.
	Version = "0.14.0"

	// APIKey is the only API key the emulator accepts (its default, since
	// Start passes no seed file).
	APIKey = "sk_test_default"

	// ClientID is the client id tests should use. The emulator has no client
	// of its own: it serves the same JWKS under /sso/jwks/<any id> and
	// mints tokens whose aud is whatever client_id the request sent. Using
	// one well-formed id everywhere keeps tokens and JWKS URLs consistent.
	ClientID = "client_01K0FF1C1A1EM0000000000000"

	// SkipEnv, set to 1, makes Start skip the test (for a machine without
	// node, or a quick local run). Nothing else skips: a missing node or npm
	// fails the test, because CI must run these.
	SkipEnv = "CONVEX_AUTHKIT_SKIP_OFFICIAL_EMULATOR"
)

const (
	readyTimeout = time.Minute // generous: a cold disk cache makes node slow to load 190 packages
	stopTimeout  = 10 * time.Second
	startTries   = 3 // each try picks a new port; only a port clash is retried
)

//go:embed loopback.cjs
var loopbackPreload []byte

// Emulator is one running `workos emulate`.
type Emulator struct {
	// URL is the base URL, http://127.0.0.1:<port>, without a trailing slash.
	URL string
	// APIKey is the key to send as "Authorization: Bearer".
	APIKey string
	// ClientID is the client id to authenticate with and to fetch the JWKS
	// for (see the ClientID constant).
	ClientID string
	// Issuer is the iss claim of the tokens it mints: the URL it reports,
	// http://localhost:<port>, which differs from URL in the host name.
	Issuer string

	cmd    *exec.Cmd
	stdin  io.Closer     // held open: closing it (or dying) stops the emulator
	exited chan struct{} // closed once cmd.Wait returns
	stderr *syncBuffer
	stdout *firstLineBuffer
}

var errPortInUse = errors.New("port already in use")

// Start installs workos@0.14.0 if needed, starts `workos emulate` on a free
// 127.0.0.1 port, waits until it answers, and stops it when the test ends,
// pass or fail. A missing node or npm fails the test; the environment
// variable CONVEX_AUTHKIT_SKIP_OFFICIAL_EMULATOR=1 skips it instead.
func Start(t testing.TB) *Emulator {
	t.Helper()
	if os.Getenv(SkipEnv) == "1" {
		t.Skipf("%s=1: not running the official WorkOS emulator (npm workos@%s)", SkipEnv, Version)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node not found in PATH: the official WorkOS emulator (npm workos@%s) needs Node.js >= 20.20 and npm; install them, or set %s=1 to skip these tests", Version, SkipEnv)
	}
	entry, err := entryPoint(t.Logf)
	if err != nil {
		t.Fatalf("official WorkOS emulator: %v", err)
	}
	for try := 1; ; try++ {
		e, err := start(t, node, entry)
		if err == nil {
			return e
		}
		if !errors.Is(err, errPortInUse) || try == startTries {
			t.Fatalf("starting the official WorkOS emulator (workos@%s emulate): %v", Version, err)
		}
	}
}

func start(t testing.TB, node, entry string) (*Emulator, error) {
	dir := t.TempDir()
	preload := filepath.Join(dir, "loopback.cjs")
	if err := os.WriteFile(preload, loopbackPreload, 0o644); err != nil {
		return nil, err
	}
	// An empty working folder: `workos emulate` loads a seed file named
	// workos-emulate.config.{yaml,yml,json} from it if one is there.
	work := filepath.Join(dir, "work")
	home := filepath.Join(dir, "home")
	for _, d := range []string{work, home} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return nil, err
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}

	// node runs bin.js itself rather than through npx or the .bin shim, so
	// the emulator is a single process we start and kill. Port 0 is not used:
	// with the preload's explicit host, node binds asynchronously and the
	// emulator would report port 0 as its URL and token issuer.
	cmd := exec.Command(node, "--require", preload, entry,
		"emulate", "--port", strconv.Itoa(port), "--json", "--mode", "ci")
	cmd.Dir = work
	cmd.Env = childEnv(home)
	e := &Emulator{
		APIKey:   APIKey,
		ClientID: ClientID,
		cmd:      cmd,
		exited:   make(chan struct{}),
		stderr:   &syncBuffer{},
		stdout:   newFirstLineBuffer(),
	}
	cmd.Stdout = e.stdout
	cmd.Stderr = e.stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	e.stdin = stdin
	setProcessGroup(cmd)
	cmd.WaitDelay = stopTimeout
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("running node: %w", err)
	}
	go func() {
		cmd.Wait()
		close(e.exited)
	}()
	// Registered before anything else can fail, so the process never
	// outlives the test.
	t.Cleanup(func() { e.stop(t) })

	// --json makes it print one line, {"url","port","apiKey","health"},
	// right after it calls listen (before the socket is bound when a host
	// is given), so the line only says what the issuer will be.
	select {
	case <-e.stdout.firstLine:
	case <-e.exited:
		return nil, e.exitError()
	case <-time.After(readyTimeout):
		return nil, fmt.Errorf("no start-up line on stdout after %s; stderr:\n%s", readyTimeout, e.stderr)
	}
	var banner struct {
		URL    string `json:"url"`
		Port   int    `json:"port"`
		APIKey string `json:"apiKey"`
	}
	line := e.stdout.first()
	if err := json.Unmarshal(line, &banner); err != nil {
		return nil, fmt.Errorf("unexpected start-up line %q: %v", line, err)
	}
	if banner.Port != port || banner.APIKey != APIKey {
		return nil, fmt.Errorf("start-up line %q: want port %d and API key %s", line, port, APIKey)
	}
	e.Issuer = banner.URL
	e.URL = "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if err := e.waitHealthy(); err != nil {
		return nil, err
	}
	return e, nil
}

// waitHealthy polls GET /health until it answers 200.
func (e *Emulator) waitHealthy() error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(readyTimeout)
	for {
		resp, err := client.Get(e.URL + "/health")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("GET /health: %s", resp.Status)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not answering on %s after %s: %v; stderr:\n%s", e.URL, readyTimeout, err, e.stderr)
		}
		select {
		case <-e.exited:
			return e.exitError()
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// exitError explains an emulator that exited before it was ready.
func (e *Emulator) exitError() error {
	out := e.stderr.String()
	if strings.Contains(out, "EADDRINUSE") {
		return fmt.Errorf("%w: %s", errPortInUse, firstLine(out, "EADDRINUSE"))
	}
	return fmt.Errorf("exited early (%v); stdout:\n%s\nstderr:\n%s", e.cmd.ProcessState, e.stdout, out)
}

// stop kills the process group at once: the emulator keeps its state in
// memory and writes no files, so there is nothing a graceful SIGTERM would
// save, and SIGTERM takes it over a second to exit.
func (e *Emulator) stop(t testing.TB) {
	if err := killProcessGroup(e.cmd.Process); err != nil {
		t.Errorf("stopping the official WorkOS emulator (pid %d): %v", e.cmd.Process.Pid, err)
	}
	select {
	case <-e.exited:
	case <-time.After(stopTimeout):
		t.Errorf("the official WorkOS emulator (pid %d) did not exit %s after SIGKILL", e.cmd.Process.Pid, stopTimeout)
	}
	if t.Failed() {
		if out := e.stderr.String(); out != "" {
			t.Logf("official WorkOS emulator stderr:\n%s", out)
		}
	}
}

// childEnv is the test's environment with a private HOME and XDG folders,
// so the WorkOS CLI can neither read a developer's ~/.workos credentials
// nor write there, and without variables that would change what it runs:
// yargs maps WORKOS_INSTALLER_* onto flags (--port, --seed), and
// NODE_OPTIONS could preload anything.
func childEnv(home string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "WORKOS_") || strings.HasPrefix(k, "XDG_") || k == "HOME" || k == "NODE_OPTIONS" {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
		"XDG_DATA_HOME="+filepath.Join(home, ".local", "share"),
		"XDG_STATE_HOME="+filepath.Join(home, ".local", "state"),
		"NO_COLOR=1",
	)
}

// freePort asks the kernel for a free loopback port. Another process may
// take it before node binds it; Start then retries with a new one.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// firstLine returns the first line of s containing substr.
func firstLine(s, substr string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

// JWKSURL is the JWKS URL for ClientID, as the WorkOS SDKs build it.
func (e *Emulator) JWKSURL() string {
	return e.URL + "/sso/jwks/" + url.PathEscape(e.ClientID)
}

// syncBuffer is a bytes.Buffer safe for the exec copier goroutine and the
// test reading it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// firstLineBuffer records stdout and signals when its first line is whole.
type firstLineBuffer struct {
	syncBuffer
	firstLine chan struct{}
	once      sync.Once
}

func newFirstLineBuffer() *firstLineBuffer {
	return &firstLineBuffer{firstLine: make(chan struct{})}
}

func (b *firstLineBuffer) Write(p []byte) (int, error) {
	n, err := b.syncBuffer.Write(p)
	if bytes.IndexByte(p, '\n') >= 0 {
		b.once.Do(func() { close(b.firstLine) })
	}
	return n, err
}

// first returns the first line, without its newline.
func (b *firstLineBuffer) first() []byte {
	line, _, _ := strings.Cut(b.String(), "\n")
	return []byte(line)
}
