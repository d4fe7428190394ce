package resolve

import (
	"testing"
)

// TestDeploymentPrecedence checks the Convex CLI's order for the WORKOS_*
// names (convex-cli-authkit.md §3.3): dev reads the machine first, preview
// and prod the deployment first, WORKOS_API_KEY the deployment first
// everywhere, and flags before all.
func TestDeploymentPrecedence(t *testing.T) {
	deployment := map[string]string{"WORKOS_CLIENT_ID": "client_dep", "WORKOS_API_KEY": "sk_test_dep", "OTHER": "x"}
	tests := []struct {
		name        string
		env         string
		machine     map[string]string
		flags       map[string]string
		preferLocal bool
		lookup      string
		value       string
		source      string
		mismatch    bool
	}{
		{name: "dev machine first", env: "dev", machine: map[string]string{"WORKOS_CLIENT_ID": "client_env"},
			lookup: "WORKOS_CLIENT_ID", value: "client_env", source: "environment", mismatch: true},
		{name: "dev deployment when machine lacks it", env: "dev",
			lookup: "WORKOS_CLIENT_ID", value: "client_dep", source: "deployment"},
		{name: "dev empty machine value counts as unset", env: "dev", machine: map[string]string{"WORKOS_CLIENT_ID": ""},
			lookup: "WORKOS_CLIENT_ID", value: "client_dep", source: "deployment"},
		{name: "prod deployment first", env: "prod", machine: map[string]string{"WORKOS_CLIENT_ID": "client_env"},
			lookup: "WORKOS_CLIENT_ID", value: "client_dep", source: "deployment"},
		{name: "preview deployment first", env: "preview", machine: map[string]string{"WORKOS_CLIENT_ID": "client_env"},
			lookup: "WORKOS_CLIENT_ID", value: "client_dep", source: "deployment"},
		{name: "prod falls back to machine", env: "prod", machine: map[string]string{"WORKOS_ENVIRONMENT_ID": "environment_env"},
			lookup: "WORKOS_ENVIRONMENT_ID", value: "environment_env", source: "environment"},
		{name: "flag wins in prod", env: "prod", flags: map[string]string{"WORKOS_CLIENT_ID": "client_flag"},
			lookup: "WORKOS_CLIENT_ID", value: "client_flag", source: "flag", mismatch: true},
		{name: "api key deployment first in dev", env: "dev", machine: map[string]string{"WORKOS_API_KEY": "sk_test_env"},
			lookup: "WORKOS_API_KEY", value: "sk_test_dep", source: "deployment"},
		{name: "prefer local", env: "prod", machine: map[string]string{"WORKOS_API_KEY": "sk_test_env"}, preferLocal: true,
			lookup: "WORKOS_API_KEY", value: "sk_test_env", source: "environment", mismatch: true},
		{name: "other names never from the deployment", env: "dev",
			lookup: "OTHER", value: "", source: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := Load(Options{Dir: t.TempDir(), Env: tt.machine, Flags: tt.flags})
			if err != nil {
				t.Fatal(err)
			}
			src.SetDeployment(deployment, tt.env, tt.preferLocal)
			v, source, _ := src.GetAuth(tt.lookup)
			if v != tt.value || source != tt.source {
				t.Errorf("GetAuth(%s) = %q from %q, want %q from %q", tt.lookup, v, source, tt.value, tt.source)
			}
			for _, a := range src.AuthVars() {
				if a.Name == tt.lookup && a.Mismatch() != tt.mismatch {
					t.Errorf("Mismatch() = %v, want %v (%+v)", a.Mismatch(), tt.mismatch, a)
				}
			}
		})
	}
}

func TestDeploymentSecretsRedacted(t *testing.T) {
	src, err := Load(Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if src.AuthVars() != nil {
		t.Fatal("AuthVars without a deployment should be nil")
	}
	src.SetDeployment(map[string]string{"WORKOS_API_KEY": "sk_test_deployment_secret"}, "dev", false)
	got := src.Secrets(isSecretVar)
	if len(got) != 1 || got[0] != "sk_test_deployment_secret" {
		t.Errorf("Secrets = %q, want the deployment's API key", got)
	}
}
