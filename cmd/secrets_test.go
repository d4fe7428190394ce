package cmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/emulator"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
)

const (
	testAPIKey     = "sk_test_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6"
	testLiveKey    = "sk_live_Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4"
	testCookiePass = "cookie-password-that-is-long-enough-0123456789"
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
	dirs := []string{secretProject(t, false), secretProject(t, true), unquoted}
	// Commands that call WorkOS reach an emulator that accepts the key, so
	// they get as far as printing results; never the real API.
	emu := emulator.New(emulator.Options{APIKey: testAPIKey})
	base, err := emu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	env := map[string]string{"WORKOS_API_KEY": testAPIKey, "WORKOS_BASE_URL": base, "CONVEX_DEPLOY_KEY": "prod:happy-otter-123|" + testLiveKey}
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
				for _, s := range []string{testAPIKey, testLiveKey, testCookiePass} {
					if strings.Contains(out, s) {
						t.Errorf("convex-authkit %s (exit %d) printed a secret:\n%s", strings.Join(args, " "), code, out)
					}
				}
			}
		}
	}
}
