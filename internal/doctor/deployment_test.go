package doctor

import (
	"context"
	"strings"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/deployment/deployemu"
)

// TestDeploymentChecks runs doctor's deployment group against the
// deployment emulator in each state that hides a NoAuthProvider cause.
func TestDeploymentChecks(t *testing.T) {
	const apiKey = "sk_test_deploymentSideKey0000abcd"
	tests := []struct {
		name string
		// change puts the deployment in the state; base is the WorkOS
		// emulator's URL.
		change func(dep *deployemu.Server, base string)
		files  map[string]string
		want   map[string]Status
		// in and out are texts the failing check's message and hint must
		// and must not hold.
		in, out []string
	}{
		{name: "healthy", change: func(*deployemu.Server, string) {},
			want: map[string]Status{IDDeploymentConnection: StatusPass, IDDeploymentWorkOSVars: StatusPass, IDDeploymentProviders: StatusPass}},
		{name: "no client ID", change: func(dep *deployemu.Server, _ string) { dep.DeleteVar("WORKOS_CLIENT_ID") },
			want: map[string]Status{IDDeploymentWorkOSVars: StatusFail, IDAuthConfigEvaluates: StatusFail, IDDeploymentProviders: StatusSkip},
			in:   []string{"has no WORKOS_CLIENT_ID", "npx convex env set WORKOS_CLIENT_ID " + clientID}},
		{name: "another client ID", change: func(dep *deployemu.Server, _ string) { dep.SetVar("WORKOS_CLIENT_ID", "client_other") },
			want: map[string]Status{IDDeploymentWorkOSVars: StatusFail, IDDeploymentProviders: StatusFail},
			in:   []string{"WORKOS_CLIENT_ID on deployment", "is client_other, but the app uses " + clientID}},
		{name: "stored for another client", change: func(dep *deployemu.Server, base string) {
			ps := standardStored(base)
			for _, p := range ps {
				for k, v := range p {
					if s, ok := v.(string); ok {
						p[k] = strings.ReplaceAll(s, clientID, "client_other")
					}
				}
			}
			dep.SetProviders(ps)
		},
			want: map[string]Status{IDDeploymentWorkOSVars: StatusPass, IDDeploymentProviders: StatusFail},
			in:   []string{"+ in convex/auth.config.ts, not on the deployment", "- on the deployment, not in convex/auth.config.ts", "client_other", "npx convex dev"}},
		{name: "stored without user_management", change: func(dep *deployemu.Server, base string) { dep.SetProviders(standardStored(base)[:1]) },
			want: map[string]Status{IDDeploymentProviders: StatusFail},
			in:   []string{"+ in convex/auth.config.ts, not on the deployment: CustomJWT(issuer=", "/user_management/" + clientID},
			out:  []string{"- on the deployment"}},
		{name: "never pushed", change: func(dep *deployemu.Server, _ string) { dep.SetProviders(nil) },
			want: map[string]Status{IDDeploymentProviders: StatusFail},
			in:   []string{"holds no auth providers: convex/auth.config.ts has not been pushed to it", "npx convex dev"},
			out:  []string{"older push"}},
		{name: "stored in another order", change: func(dep *deployemu.Server, base string) {
			ps := standardStored(base)
			dep.SetProviders([]map[string]any{ps[1], ps[0]})
		}, want: map[string]Status{IDDeploymentProviders: StatusPass}},
		{name: "secret differs, masked", change: func(dep *deployemu.Server, _ string) {
			dep.SetVar("WORKOS_API_KEY", "sk_test_otherDeploymentKey000wxyz")
		},
			files: map[string]string{"convex/auth.config.ts": "const k = process.env.WORKOS_API_KEY;\n" + standardAuthConfig},
			want:  map[string]Status{IDDeploymentWorkOSVars: StatusFail},
			in:    []string{"WORKOS_API_KEY on deployment", "sk_test_…wxyz", "sk_test_…abcd"},
			out:   []string{"otherDeploymentKey", "deploymentSideKey"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := startEmulator(t)
			files := healthyFiles()
			for k, v := range tt.files {
				files[k] = v
			}
			dir := writeFiles(t, files)
			dep := deployemu.New(deployemu.Options{Vars: map[string]string{"WORKOS_CLIENT_ID": clientID, "WORKOS_BASE_URL": emu.URL(), "WORKOS_API_KEY": apiKey},
				Providers: standardStored(emu.URL())})
			url, err := dep.Start("127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = dep.Close() })
			tt.change(dep, emu.URL())
			opts, _, _ := options(dir, emu)
			opts.Options.Env["WORKOS_API_KEY"] = apiKey
			attachTo(&opts, url, dep.AdminKey())
			rep, red, err := Diagnose(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			if !rep.Deployment.Connected {
				t.Fatalf("not connected: %s", rep.Deployment.NotConnected)
			}
			var text strings.Builder
			for id, st := range tt.want {
				c := find(rep, id)
				if c.Status != st {
					t.Errorf("%s = %s, want %s: %s (%s)", id, c.Status, st, c.Message, c.Hint)
				}
				if st == StatusFail {
					text.WriteString(red.Redact(c.Message + "\n" + c.Hint + "\n"))
				}
			}
			for _, s := range tt.in {
				if !strings.Contains(text.String(), s) {
					t.Errorf("the failures do not say %q:\n%s", s, text.String())
				}
			}
			for _, s := range tt.out {
				if strings.Contains(text.String(), s) {
					t.Errorf("the failures say %q:\n%s", s, text.String())
				}
			}
		})
	}
}

// TestDeploymentReadOnlyWhenNeeded: config and env checks judge local files,
// so a run of those alone sends the deployment nothing.
func TestDeploymentReadOnlyWhenNeeded(t *testing.T) {
	emu := startEmulator(t)
	dir := writeFiles(t, healthyFiles())
	dep := deployemu.New(deployemu.Options{})
	url, err := dep.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dep.Close() })
	for _, tt := range []struct {
		args []string
		want bool
	}{{[]string{"config", "env"}, false}, {[]string{"deployment"}, true}, {[]string{"workos"}, true}} {
		before := len(dep.Requests())
		opts, _, _ := options(dir, emu)
		opts.Select, _ = Select(tt.args)
		attachTo(&opts, url, dep.AdminKey())
		rep, _, err := Diagnose(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(dep.Requests()) > before; got != tt.want || !rep.Deployment.Connected {
			t.Errorf("doctor %v: read the deployment %v, want %v (connected %v)", tt.args, got, tt.want, rep.Deployment.Connected)
		}
	}
}
