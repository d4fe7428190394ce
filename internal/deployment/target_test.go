package deployment

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/resolve"
)

const secretPart = "eyJ2MiI6ImFiY2RlZjAxMjM0NTY3ODkifQ=="

func sources(t *testing.T, env map[string]string, dotenvLocal string, withCLI bool) (*resolve.Sources, string) {
	t.Helper()
	dir := t.TempDir()
	if dotenvLocal != "" {
		if err := os.WriteFile(filepath.Join(dir, ".env.local"), []byte(dotenvLocal), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if withCLI {
		bin := filepath.Join(dir, "node_modules", ".bin")
		if err := os.MkdirAll(bin, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(bin, "convex"), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	src, err := resolve.Load(resolve.Options{Dir: dir, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	return src, dir
}

func TestConnect(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		local    string
		flagURL  string
		cli      bool
		want     Target // adminKey, cliPath, dir not compared
		describe string
		wantErr  string // substring of a *UsageError
	}{
		{
			name:     "prod deploy key, URL from the name",
			env:      map[string]string{"CONVEX_DEPLOY_KEY": "prod:happy-otter-123|" + secretPart},
			want:     Target{Name: "happy-otter-123", URL: "https://happy-otter-123.convex.cloud", Kind: KindProd, Via: VarDeployKey, ViaSource: "environment", URLSource: "the deployment name"},
			describe: "deployment happy-otter-123 via CONVEX_DEPLOY_KEY",
		},
		{
			name:  "dev key in .env.local, region URL from VITE_CONVEX_URL",
			local: "CONVEX_DEPLOY_KEY=dev:happy-otter-123|" + secretPart + "\nVITE_CONVEX_URL=https://happy-otter-123.eu-west-1.convex.cloud\nNEXT_PUBLIC_CONVEX_URL=https://other-cat-9.convex.cloud\n",
			want:  Target{Name: "happy-otter-123", URL: "https://happy-otter-123.eu-west-1.convex.cloud", Kind: KindDev, Via: VarDeployKey, ViaSource: ".env.local:1", URLSource: "VITE_CONVEX_URL (.env.local:2)"},
		},
		{
			name:    "--convex-url wins over CONVEX_URL",
			env:     map[string]string{"CONVEX_DEPLOYMENT_TOKEN": "preview:feature-fox-7|" + secretPart, "CONVEX_URL": "https://x.convex.cloud"},
			flagURL: "http://127.0.0.1:3210/",
			want:    Target{Name: "feature-fox-7", URL: "http://127.0.0.1:3210", Kind: KindPreview, Via: VarDeploymentToken, ViaSource: "environment", URLSource: "--convex-url"},
		},
		{
			name: "CONVEX_DEPLOY_KEY wins over the token alias and self-hosted",
			env: map[string]string{"CONVEX_DEPLOY_KEY": "happy-otter-123|" + secretPart, "CONVEX_DEPLOYMENT_TOKEN": "dev:b-1|x",
				"CONVEX_SELF_HOSTED_URL": "http://127.0.0.1:1", "CONVEX_SELF_HOSTED_ADMIN_KEY": "k"},
			want: Target{Name: "happy-otter-123", URL: "https://happy-otter-123.convex.cloud", Kind: KindProd, Via: VarDeployKey, ViaSource: "environment", URLSource: "the deployment name"},
		},
		{
			name:     "self-hosted",
			env:      map[string]string{"CONVEX_DEPLOY_KEY": "<ignore_deploy_key>", "CONVEX_SELF_HOSTED_URL": "https://convex.example.com/", "CONVEX_SELF_HOSTED_ADMIN_KEY": "self|" + secretPart},
			want:     Target{URL: "https://convex.example.com", Kind: KindSelfHosted, Via: VarSelfHostedKey, ViaSource: "environment", URLSource: "CONVEX_SELF_HOSTED_URL"},
			describe: "deployment https://convex.example.com via CONVEX_SELF_HOSTED_ADMIN_KEY",
		},
		{
			name:     "project CLI with CONVEX_DEPLOYMENT",
			local:    "CONVEX_DEPLOYMENT=dev:happy-otter-123 # team: a, project: b\n",
			cli:      true,
			want:     Target{Name: "happy-otter-123", Kind: KindDev, Via: ViaCLI, ViaSource: "node_modules/.bin/convex"},
			describe: "deployment happy-otter-123 via convex CLI",
		},
		{name: "missing-key sentinel", env: map[string]string{"CONVEX_DEPLOY_KEY": "<missing_deploy_key:Set the key in Vercel first>"}, wantErr: "CONVEX_DEPLOY_KEY: Set the key in Vercel first"},
		{name: "no bar", env: map[string]string{"CONVEX_DEPLOY_KEY": secretPart}, wantErr: "CONVEX_DEPLOY_KEY: is not a Convex deploy key: it has no '|'"},
		{name: "empty secret", env: map[string]string{"CONVEX_DEPLOY_KEY": "prod:happy-otter-123|"}, wantErr: "nothing follows"},
		{name: "bad type", env: map[string]string{"CONVEX_DEPLOY_KEY": "staging:happy-otter-123|" + secretPart}, wantErr: "other than dev, prod or preview"},
		{name: "bad name", env: map[string]string{"CONVEX_DEPLOY_KEY": "prod:Happy Otter|" + secretPart}, wantErr: "whitespace"},
		{name: "bad name chars", env: map[string]string{"CONVEX_DEPLOYMENT_TOKEN": "prod:Happy_Otter|" + secretPart}, wantErr: "CONVEX_DEPLOYMENT_TOKEN: does not start with a Convex deployment name"},
		{name: "preview deploy key", env: map[string]string{"CONVEX_DEPLOY_KEY": "preview:acme:shop|" + secretPart}, wantErr: "preview deploy key for project acme/shop: it names no deployment"},
		{name: "project key", env: map[string]string{"CONVEX_DEPLOY_KEY": "project:acme:shop|" + secretPart}, wantErr: "is a project key"},
		{name: "half self-hosted", env: map[string]string{"CONVEX_SELF_HOSTED_URL": "http://127.0.0.1:1"}, wantErr: "CONVEX_SELF_HOSTED_ADMIN_KEY: is not set, but CONVEX_SELF_HOSTED_URL is"},
		{name: "self-hosted with CONVEX_DEPLOYMENT", env: map[string]string{"CONVEX_SELF_HOSTED_URL": "http://127.0.0.1:1", "CONVEX_SELF_HOSTED_ADMIN_KEY": "k", "CONVEX_DEPLOYMENT": "dev:a-1"}, wantErr: "CONVEX_DEPLOYMENT: must not be set"},
		{name: "self-hosted over cleartext", env: map[string]string{"CONVEX_SELF_HOSTED_URL": "http://convex.example.com", "CONVEX_SELF_HOSTED_ADMIN_KEY": "k"}, wantErr: "cleartext"},
		{name: "--convex-url over cleartext", env: map[string]string{"CONVEX_DEPLOY_KEY": "prod:happy-otter-123|" + secretPart}, flagURL: "http://happy-otter-123.convex.cloud", wantErr: "--convex-url: Convex deployment base URL"},
		{name: "nothing", env: map[string]string{}, wantErr: "no Convex deployment configured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, dir := sources(t, tt.env, tt.local, tt.cli)
			got, err := Connect(Options{Vars: src, ConvexURL: tt.flagURL, Dir: dir})
			if tt.wantErr != "" {
				var ue *UsageError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want a *UsageError with %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error()+ue.Hint, secretPart) {
					t.Fatalf("the error shows the key's secret: %v", err)
				}
				if ExitCode(err) != 3 {
					t.Fatalf("ExitCode = %d, want 3", ExitCode(err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got.adminKey, got.cliPath, got.dir = "", "", ""
			if got != tt.want {
				t.Fatalf("Connect =\n %+v\nwant\n %+v", got, tt.want)
			}
			if tt.describe != "" && got.Describe() != tt.describe {
				t.Fatalf("Describe = %q, want %q", got.Describe(), tt.describe)
			}
		})
	}
}
