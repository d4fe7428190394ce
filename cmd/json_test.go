package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/emulator"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
)

// TestJSONOneDocumentOnFailure runs every command with --json where it
// fails (a flag error before and after --json, an invalid convex.json, no
// API key, a WorkOS that refuses every request) and asserts that stdout is
// exactly one JSON object with a schemaVersion, and, for an error, an
// error object holding the exit code.
func TestJSONOneDocumentOnFailure(t *testing.T) {
	invalid := t.TempDir()
	if err := os.WriteFile(filepath.Join(invalid, "convex.json"), []byte(`{"authKit": {"dev": {"configure": {"redirectUris": "x"}}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	valid := t.TempDir()
	if err := os.WriteFile(filepath.Join(valid, "convex.json"), []byte(`{"authKit": {"dev": {"configure": {"redirectUris": ["http://localhost:5173/callback"]}}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	// WorkOS answers, but rejects the key: nothing leaves the machine.
	emu := emulator.New(emulator.Options{APIKey: "sk_test_the_emulators_own_key"})
	base, err := emu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	noKey := map[string]string{"WORKOS_BASE_URL": base}
	badKey := map[string]string{"WORKOS_BASE_URL": base, "WORKOS_API_KEY": "sk_test_rejected_by_the_emulator"}

	ios, _, _, _ := iostreams.Test()
	commands := leafCommands(NewCmdRoot(&cmdutil.Factory{IOStreams: ios, Env: noKey}), nil)
	for _, path := range commands {
		cases := []struct {
			name string
			dir  string
			env  map[string]string
			args []string
		}{
			{"flag error before --json", valid, noKey, []string{"--no-such-flag", "--json"}},
			{"flag error after --json", valid, noKey, []string{"--json", "--no-such-flag"}},
		}
		if path[0] != "demo" {
			// The demo builds its own project; the others read this one.
			cases = append(cases,
				struct {
					name string
					dir  string
					env  map[string]string
					args []string
				}{"invalid convex.json", invalid, noKey, []string{"--json", "--no-input"}},
				struct {
					name string
					dir  string
					env  map[string]string
					args []string
				}{"no API key", valid, noKey, []string{"--json", "--no-input", "--env", "dev"}},
				struct {
					name string
					dir  string
					env  map[string]string
					args []string
				}{"rejected API key", valid, badKey, []string{"--json", "--no-input", "--env", "dev"}},
			)
		}
		for _, tc := range cases {
			args := append(append(append([]string{}, path...), "--dir", tc.dir), tc.args...)
			if strings.Contains(strings.Join(path, " "), "token") {
				args = append(args, "eyJhbGciOiJSUzI1NiJ9.e30.c2ln")
			}
			ios, _, stdout, stderr := iostreams.Test()
			f := &cmdutil.Factory{IOStreams: ios, Env: tc.env, WorkDir: tc.dir, Build: cmdutil.NewBuildInfo("test", "none", "unknown")}
			code := Main(context.Background(), args, f)
			if code == cmdutil.ExitOK {
				continue
			}
			doc, err := oneJSONObject(stdout.Bytes())
			if err != nil {
				t.Errorf("%s (%s): exit %d, stdout is not one JSON object: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(path, " "), tc.name, code, err, stdout, stderr)
				continue
			}
			if doc["schemaVersion"] != 1.0 {
				t.Errorf("%s (%s): no schemaVersion 1:\n%s", strings.Join(path, " "), tc.name, stdout)
			}
			// demo's report says which step failed; every other failure
			// carries the error object.
			if e, ok := doc["error"].(map[string]any); path[0] != "demo" && (!ok || e["code"] != float64(code) || e["message"] == "") {
				t.Errorf("%s (%s): exit %d without an error object holding it:\n%s", strings.Join(path, " "), tc.name, code, stdout)
			}
		}
	}
}

// oneJSONObject decodes data as exactly one JSON object.
func oneJSONObject(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err == nil {
		return nil, errSecondDocument
	}
	return doc, nil
}

var errSecondDocument = jsonError("a second JSON value follows the first")

type jsonError string

func (e jsonError) Error() string { return string(e) }
