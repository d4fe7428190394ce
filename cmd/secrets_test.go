package cmd

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/deployment/deployemu"
	"github.com/convex-authkit/convex-authkit/internal/emulator"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
)

const (
	testAPIKey     = "sk_test_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6"
	testLiveKey    = "sk_live_Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4"
	testCookiePass = "cookie-password-that-is-long-enough-0123456789"
	// testDeploymentSecret is held only by the deployment emulator.
	testDeploymentSecret = "whsec_deployment-only-secret-0123456789"
)

// secretProject writes a project whose every source holds a secret: the
// environment, .env.local, .env and (against advice) convex.json itself.
func secretProject(t *testing.T, brokenDotenv bool) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"convex.json": `{
  "authKit": {
    "dev": {
      "configure": {"redirectUris": ["http://localhost:5173/callback?k=${authEnv.WORKOS_API_KEY}"]},
      "localEnvVars": {
        "WORKOS_API_KEY": "${authEnv.WORKOS_API_KEY}",
        "VITE_WORKOS_API_KEY": "${authEnv.WORKOS_API_KEY}",
        "WORKOS_COOKIE_PASSWORD": "${buildEnv.SESSION_SECRET}",
        "LITERAL": "` + testLiveKey + `",
        "MISSING": "${buildEnv.NOPE}"
      }
    },
    "prod": {"configure": {"redirectUris": ["${buildEnv.SESSION_SECRET}"]}}
  }
}`,
		".env.local": "WORKOS_API_KEY=" + testAPIKey + "\nSESSION_SECRET=" + testCookiePass + "\n",
		".env":       "OTHER=" + testLiveKey + "\n",
	}
	if brokenDotenv {
		files[".env"] += "broken line " + testAPIKey + "\n"
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// leafCommands lists every runnable command path of the tree, so commands
// added later are covered without editing this test.
func leafCommands(c *cobra.Command, prefix []string) [][]string {
	var out [][]string
	for _, sub := range c.Commands() {
		path := append(append([]string{}, prefix...), sub.Name())
		if sub.Runnable() && sub.Annotations[annotationLongRunning] == "" {
			out = append(out, path)
		}
		out = append(out, leafCommands(sub, path)...)
	}
	return out
}

// TestNoOutputLeaksSecrets runs every command with flag combinations that
// print the most (--verbose, --json, each env) against a project full of
// secrets and asserts that no full secret reaches stdout or stderr.
func TestNoOutputLeaksSecrets(t *testing.T) {
	// The third project's convex.json has a key written without quotes,
	// which the JSON parser quotes back in its error.
	unquoted := t.TempDir()
	if err := os.WriteFile(filepath.Join(unquoted, "convex.json"), []byte(`{"authKit": {"dev": {"localEnvVars": {"K": `+testLiveKey+`}}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	// The fourth is valid, so that commands go on to read the deployment.
	valid := t.TempDir()
	for name, content := range map[string]string{
		"convex.json": `{"authKit": {
  "dev": {"configure": {"redirectUris": ["http://localhost:5173/callback"]}, "localEnvVars": {"WORKOS_CLIENT_ID": "${authEnv.WORKOS_CLIENT_ID}", "VITE_WORKOS_CLIENT_ID": "${authEnv.WORKOS_CLIENT_ID}"}},
  "prod": {"configure": {"redirectUris": ["https://app.example.com/callback"]}}}}`,
		".env.local": "SESSION_SECRET=" + testCookiePass + "\n",
	} {
		if err := os.WriteFile(filepath.Join(valid, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	dirs := []string{secretProject(t, false), secretProject(t, true), unquoted, valid}
	// Commands that call WorkOS reach an emulator that accepts the key, so
	// they get as far as printing results; never the real API.
	emu := emulator.New(emulator.Options{APIKey: testAPIKey})
	base, err := emu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	// The deploy key's deployment is an emulator too (CONVEX_URL points the
	// key at it), holding secrets of its own.
	deployKey := "prod:happy-otter-123|" + testLiveKey
	dep := deployemu.New(deployemu.Options{AdminKey: deployKey, Vars: map[string]string{
		"WORKOS_CLIENT_ID": "client_01SECRETSTEST", "WORKOS_API_KEY": testAPIKey, "WORKOS_WEBHOOK_SECRET": testDeploymentSecret}})
	depURL, err := dep.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dep.Close() })
	env := map[string]string{"WORKOS_API_KEY": testAPIKey, "WORKOS_BASE_URL": base, "CONVEX_DEPLOY_KEY": deployKey, "CONVEX_URL": depURL}
	ios, _, _, _ := iostreams.Test()
	commands := leafCommands(NewCmdRoot(&cmdutil.Factory{IOStreams: ios, Env: env}), nil)
	if len(commands) < 4 {
		t.Fatalf("found only %d commands", len(commands))
	}
	variants := [][]string{
		nil, {"--verbose"}, {"--json"}, {"--json", "--verbose"},
		{"--env", "dev"}, {"--env", "dev", "--json"}, {"--env", "prod"}, {"--env", "preview"},
		{"--help"},
	}
	for _, dir := range dirs {
		for _, path := range commands {
			for _, extra := range variants {
				args := append(append(append([]string{}, path...), "--dir", dir), extra...)
				ios, _, stdout, stderr := iostreams.Test()
				f := &cmdutil.Factory{IOStreams: ios, Env: env, WorkDir: dir, Build: cmdutil.NewBuildInfo("test", "none", "unknown")}
				code := Main(context.Background(), args, f)
				out := stdout.String() + stderr.String()
				for _, s := range []string{testAPIKey, testLiveKey, testCookiePass, deployKey, testDeploymentSecret} {
					if strings.Contains(out, s) {
						t.Errorf("convex-authkit %s (exit %d) printed a secret:\n%s", strings.Join(args, " "), code, out)
					}
				}
			}
		}
	}
	if len(dep.Requests()) == 0 {
		t.Error("no command read the deployment: its values are not covered")
	}
}

// leakCase is one way a secret once reached the output: the project, the
// environment and the command, and the secrets that must not be printed.
type leakCase struct {
	name    string
	files   map[string]string
	env     map[string]string
	args    []string
	stdin   string
	secrets []string
	// exit is the status the command must end with; 0 means any.
	exit int
	// say is text the output must hold, "" for none.
	say string
}

// echoServer answers every request with a 400 whose body quotes the
// request body, JSON-escaped, as some servers and proxies do.
func echoServer(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"message": "invalid request: " + string(body), "code": "invalid_request"})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestNoLeakRegressions covers the ways secrets escaped masking before: a
// multi-line secret printed line by line in a diff, a password echoed
// JSON-escaped by a server, a URL's password in diff context.
func TestNoLeakRegressions(t *testing.T) {
	const (
		quotedPass = `LEAKPASS"word\x12345`
		pgPass     = "PGPASS-0123456789"
		line1      = "first-line-of-secret-0123"
		line2      = "second-line-of-secret-4567"
	)
	devEnv := `{"authKit":{"dev":{"localEnvVars":{"VITE_WORKOS_CLIENT_ID":"client_01"}}}}`
	cases := []leakCase{{
		name:  "multi-line secret in generate env --dry-run diff",
		files: map[string]string{"convex.json": devEnv, ".env.local": "WORKOS_COOKIE_PASSWORD=\"" + line1 + "\n" + line2 + "\"\nOTHER=1\n"},
		args:  []string{"generate", "env", "--dry-run"}, secrets: []string{line1, line2},
	}, {
		name:  "URL userinfo in diff context",
		files: map[string]string{"convex.json": devEnv, ".env.local": "DATABASE_URL=postgres://app:" + pgPass + "@db.example.com:5432/app\n"},
		args:  []string{"generate", "env", "--dry-run"}, secrets: []string{pgPass},
	}, {
		name:  "JSON-escaped password in a server's error during doctor --login",
		files: map[string]string{"convex.json": devEnv},
		env: map[string]string{"WORKOS_API_KEY": testAPIKey, "WORKOS_CLIENT_ID": "client_01", "WORKOS_TEST_PASSWORD": quotedPass,
			"WORKOS_BASE_URL": echoServer(t)},
		args: []string{"doctor", "--login", "user@example.com", "token"},
		// Escaped once by the server, twice in --json.
		secrets: []string{quotedPass, `LEAKPASS\"word\\x12345`, `LEAKPASS\\\"word\\\\x12345`, testAPIKey},
	}, {
		// Before, apply registered both URLs in WorkOS and exited 0.
		name: "API key in redirect URIs, literal and as a placeholder",
		files: map[string]string{"convex.json": `{"authKit":{"dev":{"configure":{"redirectUris":[
			"http://localhost:3000/callback?key=` + testLiveKey + `", "http://localhost:3000/cb?k=${authEnv.WORKOS_API_KEY}"]}}}}`},
		env:  map[string]string{"WORKOS_API_KEY": testAPIKey, "WORKOS_BASE_URL": echoServer(t)},
		args: []string{"apply", "--env", "dev"}, secrets: []string{testAPIKey, testLiveKey}, exit: cmdutil.ExitUsage,
	}, {
		name:  "token over 1 MiB on stdin",
		files: map[string]string{"convex.json": devEnv},
		args:  []string{"token", "inspect", "-"}, stdin: strings.Repeat("a", 1<<20+1), exit: cmdutil.ExitUsage,
		say: "token too large (over 1 MiB)",
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			for _, extra := range [][]string{nil, {"--json"}, {"--verbose"}} {
				args := append(append(append([]string{}, tc.args...), "--dir", dir), extra...)
				ios, stdin, stdout, stderr := iostreams.Test()
				stdin.WriteString(tc.stdin)
				f := &cmdutil.Factory{IOStreams: ios, Env: tc.env, WorkDir: dir, Build: cmdutil.NewBuildInfo("test", "none", "unknown")}
				code := Main(context.Background(), args, f)
				out := stdout.String() + stderr.String()
				if !strings.Contains(out, tc.say) {
					t.Errorf("convex-authkit %s: output lacks %q:\n%s", strings.Join(args, " "), tc.say, out)
				}
				if tc.exit != 0 && code != tc.exit {
					t.Errorf("convex-authkit %s exited %d, want %d:\n%s", strings.Join(args, " "), code, tc.exit, out)
				}
				for _, s := range tc.secrets {
					if strings.Contains(out, s) {
						t.Errorf("convex-authkit %s (exit %d) printed %q:\n%s", strings.Join(args, " "), code, s, out)
					}
				}
			}
		})
	}
}
