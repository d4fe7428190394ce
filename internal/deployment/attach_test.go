package deployment

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAttach(t *testing.T) {
	tests := []struct {
		name      string
		env       map[string]string
		withCLI   bool
		section   string
		disabled  bool
		connected bool
		notWhy    string // part of NotConnected
		err       string // part of a usage error
	}{
		{name: "nothing names a deployment", notWhy: "no Convex deployment configured"},
		{name: "disabled", env: map[string]string{VarDeployKey: "dev:happy-otter-123|" + secretPart}, disabled: true, notWhy: "--no-deployment"},
		{name: "preview deploy key", env: map[string]string{VarDeployKey: "preview:team:proj|" + secretPart}, notWhy: "preview deploy key"},
		{name: "deploy key", env: map[string]string{VarDeployKey: "dev:happy-otter-123|" + secretPart}, connected: true},
		{name: "malformed key", env: map[string]string{VarDeployKey: "dev:happy-otter-123"}, err: "no '|'"},
		{name: "CLI for dev", withCLI: true, connected: true},
		{name: "CLI for prod", withCLI: true, section: "prod", connected: true},
		{name: "CLI cannot reach a preview", withCLI: true, section: "preview", notWhy: "not a preview deployment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, dir := sources(t, tt.env, "", tt.withCLI)
			a, err := Attach(Options{Vars: src, Dir: dir, Section: tt.section}, ClientOptions{}, tt.disabled)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || ExitCode(err) != 3 {
					t.Fatalf("err = %v, want an exit-3 error containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Connected() != tt.connected {
				t.Fatalf("Connected = %v (%s)", a.Connected(), a.NotConnected)
			}
			if !tt.connected && (!strings.Contains(a.NotConnected, tt.notWhy) || a.Describe() != "no deployment") {
				t.Fatalf("NotConnected = %q, want it to contain %q", a.NotConnected, tt.notWhy)
			}
			if strings.Contains(a.NotConnected+a.Hint, secretPart) {
				t.Fatal("the key's secret is shown")
			}
		})
	}
}

// The CLI fallback reaches the production deployment for the prod section:
// --prod goes after the subcommand, as the Convex CLI expects.
func TestCLIProdFlag(t *testing.T) {
	for _, tc := range []struct{ section, want string }{
		{"", "run _system/frontend/listAuthProviders\nenv set WORKOS_CLIENT_ID\n"},
		{"prod", "run --prod _system/frontend/listAuthProviders\nenv set --prod WORKOS_CLIENT_ID\n"},
	} {
		src, dir := sources(t, nil, "", true)
		log := filepath.Join(dir, "args.log")
		script := "#!/bin/sh\necho \"$@\" >> " + log + "\necho '[]'\n"
		if err := os.WriteFile(filepath.Join(dir, "node_modules", ".bin", "convex"), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		a, err := Attach(Options{Vars: src, Dir: dir, Section: tc.section}, ClientOptions{}, false)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if _, err := a.Deployment.AuthProviders(ctx); err != nil {
			t.Fatal(err)
		}
		if err := a.Deployment.UpdateEnv(ctx, []Change{Set("WORKOS_CLIENT_ID", "client_123")}); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(log)
		if string(got) != tc.want {
			t.Errorf("section %q: the CLI ran with\n%s\nwant\n%s", tc.section, got, tc.want)
		}
	}
}
