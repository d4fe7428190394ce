package deployment

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/deployment/deployemu"
	"github.com/convex-authkit/convex-authkit/internal/tsc"
)

// realCLIProject is a project using the pinned convex 1.48.0 (the tree
// internal/tsc installs), whose CLI reaches emu through the self-hosted
// variables: the way a logged-in developer's CLI reaches their deployment,
// authenticated differently. It needs no network.
func realCLIProject(t *testing.T, emu *deployemu.Server) (dir string, env map[string]string) {
	t.Helper()
	modules := filepath.Join(tsc.Install(t), "node_modules")
	dir = t.TempDir()
	if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name":"app","private":true,"dependencies":{"convex":"1.48.0"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	env = map[string]string{
		"PATH":                         os.Getenv("PATH"),
		"HOME":                         t.TempDir(),
		"CONVEX_SELF_HOSTED_URL":       emu.URL(),
		"CONVEX_SELF_HOSTED_ADMIN_KEY": emu.AdminKey(),
	}
	return dir, env
}

var seededProviders = []map[string]any{
	{"applicationID": "client_01", "domain": "https://api.workos.com/"},
	{"type": "customJwt", "applicationID": "client_01", "issuer": "https://api.workos.com/user_management/client_01", "jwks": "https://api.workos.com/sso/jwks/client_01", "algorithm": "RS256"},
}

func startEmu(t *testing.T) *deployemu.Server {
	t.Helper()
	emu := deployemu.New(deployemu.Options{Vars: map[string]string{"A": "1", "WORKOS_API_KEY": "sk_test_seeded_value_1234"}, Providers: seededProviders})
	if _, err := emu.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	return emu
}

// TestEmulatorWithRealConvexCLI holds the emulator to a client nobody here
// wrote: the real `convex` CLI's env set, env remove and run.
func TestEmulatorWithRealConvexCLI(t *testing.T) {
	emu := startEmu(t)
	dir, env := realCLIProject(t, emu)
	convex := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(filepath.Join(dir, "node_modules", ".bin", "convex"), args...)
		cmd.Dir = dir
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		out, err := cmd.Output()
		if err != nil {
			stderr := ""
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = string(ee.Stderr)
			}
			t.Fatalf("npx convex %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr)
		}
		return string(out)
	}
	convex("env", "set", "FOO", "bar")
	convex("env", "remove", "A")
	if got, want := emu.Vars(), map[string]string{"FOO": "bar", "WORKOS_API_KEY": "sk_test_seeded_value_1234"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after env set/remove: %v, want %v", got, want)
	}
	out := convex("run", "_system/frontend/listAuthProviders")
	var printed []map[string]any
	if err := json.Unmarshal([]byte(out), &printed); err != nil || !reflect.DeepEqual(printed, seededProviders) {
		t.Fatalf("convex run printed %q (%v)", out, err)
	}
	if _, err := DecodeProviders([]byte(out)); err != nil {
		t.Fatal(err)
	}
	out = convex("run", "_system/cli/queryEnvironmentVariables")
	if vars, err := ParseCLIEnvList([]byte(out)); err != nil || vars["FOO"] != "bar" {
		t.Fatalf("ParseCLIEnvList(%q) = %v, %v", out, vars, err)
	}
}

// TestCLIFallback runs the ViaCLI backend, which calls the project's Convex
// CLI, against the emulator.
func TestCLIFallback(t *testing.T) {
	emu := startEmu(t)
	dir, env := realCLIProject(t, emu)
	tg := Target{Via: ViaCLI, cliPath: filepath.Join(dir, "node_modules", ".bin", "convex"), dir: dir}
	d, err := Open(tg, ClientOptions{Env: env})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	vars, err := d.ListEnv(ctx)
	if err != nil || !reflect.DeepEqual(vars, map[string]string{"A": "1", "WORKOS_API_KEY": "sk_test_seeded_value_1234"}) {
		t.Fatalf("ListEnv = %v, %v", vars, err)
	}
	value := "a value with spaces, \"quotes\" and = signs"
	if err := d.UpdateEnv(ctx, []Change{Set("WORKOS_CLIENT_ID", value), Delete("A")}); err != nil {
		t.Fatal(err)
	}
	if got, want := emu.Vars(), map[string]string{"WORKOS_CLIENT_ID": value, "WORKOS_API_KEY": "sk_test_seeded_value_1234"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after UpdateEnv: %v, want %v", got, want)
	}
	ps, err := d.AuthProviders(ctx)
	if err != nil || len(ps) != 2 || ps[1].Type != ProviderCustomJWT {
		t.Fatalf("AuthProviders = %+v, %v", ps, err)
	}
	site, err := d.SiteURL(ctx)
	if err != nil || site != emu.URL() {
		t.Fatalf("SiteURL = %q, %v", site, err)
	}

	// A refused key reaches the user as the CLI's own words, without it.
	env["CONVEX_SELF_HOSTED_ADMIN_KEY"] = "wrong|" + secretPart
	d, _ = Open(tg, ClientOptions{Env: env})
	_, err = d.ListEnv(ctx)
	if err == nil || !strings.Contains(err.Error(), "BadAdminKey") {
		t.Fatalf("ListEnv with a wrong key = %v", err)
	}
	noSecrets(t, err.Error(), "sk_test_seeded_value_1234")
}
