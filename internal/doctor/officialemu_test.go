package doctor

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/workos/workos-go/v4/pkg/usermanagement"

	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/officialemu"
	"github.com/convex-authkit/convex-authkit/internal/project"
	"github.com/convex-authkit/convex-authkit/internal/tokencheck"
	"github.com/convex-authkit/convex-authkit/internal/workos"
)

// TestOfficialEmulatorToken signs a user in through WorkOS's own emulator
// (npm workos@0.14.0) with --login and verifies the token against that
// emulator's JWKS through doctor's token and jwks checks. Its tokens carry
// iss http://localhost:<port> and aud = the client ID (see officialemu's
// NOTES.md), so the auth config names that issuer and requires the aud.
func TestOfficialEmulatorToken(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: not installing and running the official WorkOS emulator (npm workos@" + officialemu.Version + ")")
	}
	t.Parallel()
	e := officialemu.Start(t)
	const email, password = "grace@example.com", "hunter2-hunter2"
	um := workos.New(workos.Options{BaseURL: e.URL, APIKey: e.APIKey}).UserManagement()
	user, err := um.CreateUser(context.Background(), usermanagement.CreateUserOpts{Email: email, Password: password, EmailVerified: true})
	if err != nil {
		t.Fatal(err)
	}

	dir := writeFiles(t, map[string]string{
		"convex.json": "{}",
		"convex/auth.config.ts": `export default {
  providers: [{
    type: "customJwt",
    issuer: process.env.EMULATOR_ISSUER,
    jwks: process.env.EMULATOR_JWKS,
    algorithm: "RS256",
    applicationID: process.env.WORKOS_CLIENT_ID,
  }],
};
`,
	})
	ios, _, _, _ := iostreams.Test()
	env := map[string]string{"WORKOS_BASE_URL": e.URL, "WORKOS_API_KEY": e.APIKey, "WORKOS_TEST_PASSWORD": password}
	opts := Options{
		IO: ios,
		Options: project.Options{ConfigPath: filepath.Join(dir, "convex.json"), ConfigName: "convex.json", Dir: dir, EnvFlag: "dev",
			Env: env, Flags: map[string]string{"WORKOS_CLIENT_ID": e.ClientID}},
		DeploymentEnv: map[string]string{"EMULATOR_ISSUER": e.Issuer, "EMULATOR_JWKS": e.JWKSURL()},
		Login:         email,
	}
	opts.Select, _ = Select([]string{"authconfig.evaluates", "authconfig.push-checks", "jwks", "token"})
	rep := diagnose(t, opts)
	for _, c := range rep.Checks {
		if c.Status != StatusPass {
			t.Errorf("%s: %s: %s (hint: %s)", c.ID, c.Status, c.Message, c.Hint)
		}
	}
	if ct := find(rep, tokencheck.IDJWKSContentType); !strings.Contains(ct.Message, `"application/json"`) {
		t.Errorf("content type: %s", ct.Message)
	}
	id, _ := find(rep, tokencheck.IDTokenClaims).Details["identity"].(map[string]any)
	if id["tokenIdentifier"] != e.Issuer+"|"+user.ID || id["sid"] == nil {
		t.Errorf("identity = %v, want tokenIdentifier %s|%s", id, e.Issuer, user.ID)
	}
}
