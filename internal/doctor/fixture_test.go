package doctor

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/deployment"
	"github.com/convex-authkit/convex-authkit/internal/emulator"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/jwks/jwkstest"
	"github.com/convex-authkit/convex-authkit/internal/project"
)

const (
	testKey      = "sk_test_d0ct0rUnitKey00000000wxyz"
	testPassword = "correct horse battery"
	testEmail    = "ada@example.com"
	clientID     = emulator.DefaultClientID
)

// standardAuthConfig is Convex's documented WorkOS pair, with the emulator
// (WORKOS_BASE_URL) in place of https://api.workos.com.
const standardAuthConfig = `const base = process.env.WORKOS_BASE_URL;
const clientId = process.env.WORKOS_CLIENT_ID;
export default {
  providers: [
    { type: "customJwt", issuer: base + "/", algorithm: "RS256", applicationID: clientId, jwks: base + "/sso/jwks/" + clientId },
    { type: "customJwt", issuer: base + "/user_management/" + clientId, algorithm: "RS256", jwks: base + "/sso/jwks/" + clientId },
  ],
};
`

// healthyFiles is a Vite project whose every check passes against an
// emulator seeded by startEmulator.
func healthyFiles() map[string]string {
	return map[string]string{
		"convex.json": `{"authKit": {"dev": {
  "configure": {"redirectUris": ["http://localhost:5173/callback"], "appHomepageUrl": "http://localhost:5173", "corsOrigins": ["http://localhost:5173"]},
  "localEnvVars": {"VITE_WORKOS_CLIENT_ID": "${authEnv.WORKOS_CLIENT_ID}", "VITE_WORKOS_REDIRECT_URI": "http://localhost:5173/callback"}
}}}`,
		"package.json":          `{"dependencies": {"@workos-inc/authkit-react": "^0.11.0", "react": "^19.0.0"}, "devDependencies": {"vite": "^7.0.0"}}`,
		".env.local":            "WORKOS_CLIENT_ID=" + clientID + "\nVITE_WORKOS_CLIENT_ID=" + clientID + "\nVITE_WORKOS_REDIRECT_URI=http://localhost:5173/callback\n",
		".gitignore":            ".env*.local\n",
		"convex/auth.config.ts": standardAuthConfig,
	}
}

func writeFiles(tb testing.TB, files map[string]string) string {
	tb.Helper()
	dir := tb.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// startEmulator starts an emulator with the healthy project's redirect URI
// and origin registered and a user who can sign in.
func startEmulator(tb testing.TB) *emulator.Server {
	tb.Helper()
	emu := emulator.New(emulator.Options{APIKey: testKey, Key: jwkstest.RSA()})
	if _, err := emu.Start("127.0.0.1:0"); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = emu.Close() })
	emu.AddRedirectURI("http://localhost:5173/callback", true)
	emu.AddCORSOrigin("http://localhost:5173")
	emu.AddUser(testEmail, testPassword)
	return emu
}

// options are doctor's options for the project in dir, with the process
// environment pointing at emu.
func options(dir string, emu *emulator.Server) (Options, *bytes.Buffer, *bytes.Buffer) {
	ios, _, out, errOut := iostreams.Test()
	env := map[string]string{"WORKOS_BASE_URL": emu.URL(), "WORKOS_API_KEY": testKey}
	return Options{
		IO: ios,
		Options: project.Options{ConfigPath: filepath.Join(dir, "convex.json"), ConfigName: "convex.json", Dir: dir,
			EnvFlag: "dev", Env: env, Flags: map[string]string{}},
		Timeout: 20 * time.Second,
	}, out, errOut
}

func diagnose(tb testing.TB, opts Options) *Report {
	tb.Helper()
	rep, _, err := Diagnose(context.Background(), opts)
	if err != nil {
		tb.Fatal(err)
	}
	return rep
}

// statuses maps check IDs to statuses; a repeated ID keeps the worst.
func statuses(rep *Report) map[string]Status {
	out := map[string]Status{}
	for _, c := range rep.Checks {
		out[c.ID] = c.Status
	}
	return out
}

func find(rep *Report, id string) Check {
	for _, c := range rep.Checks {
		if c.ID == id {
			return c
		}
	}
	return Check{}
}

// standardStored is what a push of standardAuthConfig stores, with the
// emulator at base: the deployment emulator's providers for a healthy run.
func standardStored(base string) []map[string]any {
	return []map[string]any{
		{"type": "customJwt", "applicationID": clientID, "issuer": base + "/", "jwks": base + "/sso/jwks/" + clientID, "algorithm": "RS256"},
		{"type": "customJwt", "applicationID": nil, "issuer": base + "/user_management/" + clientID, "jwks": base + "/sso/jwks/" + clientID, "algorithm": "RS256"},
	}
}

// attachTo connects opts to the self-hosted deployment at url, as
// CONVEX_SELF_HOSTED_URL and CONVEX_SELF_HOSTED_ADMIN_KEY would.
func attachTo(opts *Options, url, key string) {
	opts.Options.Env["CONVEX_SELF_HOSTED_URL"] = url
	opts.Options.Env["CONVEX_SELF_HOSTED_ADMIN_KEY"] = key
	opts.Attach = func(vars deployment.Vars, section string) (*deployment.Attached, error) {
		return deployment.Attach(deployment.Options{Vars: vars, Dir: opts.Dir, Section: section}, deployment.ClientOptions{MaxAttempts: 2}, false)
	}
}
