package cmd

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/convex-authkit/convex-authkit/internal/apply"
	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/doctor"
	"github.com/convex-authkit/convex-authkit/internal/resolve"
)

// runWith replaces the command at path (e.g. "token verify") with c, runs
// args, and returns the exit code (0 when runF was reached).
func runWith(t *testing.T, f *cmdutil.Factory, path string, c *cobra.Command, args ...string) int {
	t.Helper()
	root := NewCmdRoot(f)
	parent := root
	names := strings.Fields(path)
	for _, name := range names[:len(names)-1] {
		for _, sub := range parent.Commands() {
			if sub.Name() == name {
				parent = sub
			}
		}
	}
	for _, sub := range parent.Commands() {
		if sub.Name() == names[len(names)-1] {
			parent.RemoveCommand(sub)
		}
	}
	parent.AddCommand(c)
	root.SetArgs(append(names, args...))
	if err := root.ExecuteContext(context.Background()); err != nil {
		if ce, ok := err.(*cmdutil.Error); ok {
			return ce.Code
		}
		t.Fatalf("%s: %v", path, err)
	}
	return 0
}

// passwordPrompter answers the --login password prompt.
type passwordPrompter struct{ asked string }

func (p *passwordPrompter) Confirm(string, string, bool) (bool, error) { return false, nil }
func (p *passwordPrompter) Password(title string) (string, error) {
	p.asked = title
	return "pw", nil
}

func TestDoctorFlags(t *testing.T) {
	f, ios := testFactory(map[string]string{"GITHUB_ACTIONS": "true"})
	f.Build = cmdutil.NewBuildInfo("1.2.3", "abc", "2026-01-01")
	var got doctor.Options
	code := runWith(t, f, "doctor", newCmdDoctor(f, func(o doctor.Options) error { got = o; return nil }),
		"jwks", "token.time", "--timeout", "5s", "--request-timeout", "2s", "--workos-url", "http://127.0.0.1:4100",
		"--strict", "--deployment-env", "TENANT=acme", "--deployment-env", "WORKOS_CLIENT_ID=", "--client-id", "client_X",
		"--token", " eyJ.a.b\n", "--json", "--verbose", "--env", "prod")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	want := doctor.Selection{"jwks.fetch": true, "jwks.content-type": true, "jwks.parse": true, "jwks.keys": true, "token.time": true}
	if !reflect.DeepEqual(got.Select, want) {
		t.Errorf("selection %v", got.Select)
	}
	if got.Timeout != 5*time.Second || got.RequestTimeout != 2*time.Second || got.BaseURL != "http://127.0.0.1:4100" {
		t.Errorf("timeout %v, request timeout %v, base URL %q", got.Timeout, got.RequestTimeout, got.BaseURL)
	}
	if !reflect.DeepEqual(got.DeploymentEnv, map[string]string{"TENANT": "acme", "WORKOS_CLIENT_ID": ""}) || got.Flags["WORKOS_CLIENT_ID"] != "client_X" {
		t.Errorf("deployment env %v, flags %v", got.DeploymentEnv, got.Flags)
	}
	if got.Token != "eyJ.a.b" || got.TokenSource != "--token" || got.Login != "" || got.TokenOnly {
		t.Errorf("token %q from %q, login %q, token only %v", got.Token, got.TokenSource, got.Login, got.TokenOnly)
	}
	if !got.Strict || !got.JSON || !got.Verbose || got.CI.Annotate == nil || got.EnvFlag != "prod" || got.UserAgent != "convex-authkit/1.2.3" || got.IO != ios {
		t.Errorf("options %+v", got)
	}

	code = runWith(t, f, "doctor", newCmdDoctor(f, func(o doctor.Options) error { got = o; return nil }))
	if code != 0 || got.Timeout != doctor.DefaultTimeout || got.RequestTimeout != doctor.DefaultRequestTimeout || len(got.Select) != len(doctor.Specs) || got.Strict {
		t.Errorf("defaults: exit %d, %+v", code, got)
	}
	for _, bad := range [][]string{{"--timeout", "0s"}, {"--request-timeout", "-1s"}, {"--deployment-env", "=x"}, {"nope"}} {
		if code := runWith(t, f, "doctor", newCmdDoctor(f, func(doctor.Options) error { return nil }), bad...); code != cmdutil.ExitUsage {
			t.Errorf("%q: exit %d, want %d", bad, code, cmdutil.ExitUsage)
		}
	}
}

// TestDoctorLoginPassword: --login asks for the password on a terminal,
// through the factory's prompter, and never where prompting is off.
func TestDoctorLoginPassword(t *testing.T) {
	f, _ := testFactory(map[string]string{})
	p := &passwordPrompter{}
	f.Prompter = p
	var got doctor.Options
	run := func(env map[string]string) {
		f.Env = env
		if code := runWith(t, f, "doctor", newCmdDoctor(f, func(o doctor.Options) error { got = o; return nil }), "--login", "ada@example.com"); code != 0 {
			t.Fatalf("exit %d", code)
		}
	}
	run(map[string]string{})
	if got.Login != "ada@example.com" || got.AskPassword == nil {
		t.Fatalf("login %q, asks %v", got.Login, got.AskPassword != nil)
	}
	if pw, err := got.AskPassword("Password of ada@example.com"); pw != "pw" || err != nil || p.asked != "Password of ada@example.com" {
		t.Errorf("password %q, %v; asked %q", pw, err, p.asked)
	}
	run(map[string]string{"CI": "true"})
	if got.AskPassword != nil {
		t.Error("asks for a password with CI=true")
	}
}

func TestTokenCommandsFlags(t *testing.T) {
	f, _ := testFactory(map[string]string{})
	var got doctor.Options
	code := runWith(t, f, "token verify", newCmdTokenVerify(f, func(o doctor.Options) error { got = o; return nil }),
		"eyJ.a.b", "--env", "preview", "--deployment-env", "A=1", "--strict")
	if code != 0 || got.Token != "eyJ.a.b" || got.TokenSource != "the argument" || !got.TokenOnly || got.EnvFlag != "preview" || got.DeploymentEnv["A"] != "1" || !got.Strict {
		t.Errorf("token verify: exit %d, %+v", code, got)
	}

	var in doctor.InspectOptions
	code = runWith(t, f, "token inspect", newCmdTokenInspect(f, func(o doctor.InspectOptions) error { in = o; return nil }), "eyJ.c.d", "--json")
	if code != 0 || in.Token != "eyJ.c.d" || !in.JSON {
		t.Errorf("token inspect: exit %d, %+v", code, in)
	}
	for _, c := range []*cobra.Command{newCmdTokenInspect(f, func(doctor.InspectOptions) error { return nil }), newCmdTokenVerify(f, func(doctor.Options) error { return nil })} {
		if code := runWith(t, f, "token "+c.Name(), c); code != cmdutil.ExitUsage {
			t.Errorf("token %s without a token: exit %d", c.Name(), code)
		}
	}
}

// TestDoctorDeploymentFlags: doctor and token verify connect to the
// deployment the flags and variables name, or to none with --no-deployment.
func TestDoctorDeploymentFlags(t *testing.T) {
	env := map[string]string{"CONVEX_DEPLOY_KEY": "dev:happy-otter-123|secretpart"}
	f, _ := testFactory(env)
	f.WorkDir = t.TempDir()
	vars, err := resolve.Load(resolve.Options{Dir: f.WorkDir, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		cmd  func(runF func(doctor.Options) error) *cobra.Command
		args []string
		// want is the deployment URL, "" for not connected.
		want string
	}{
		{"doctor", func(r func(doctor.Options) error) *cobra.Command { return newCmdDoctor(f, r) }, []string{"--convex-url", "https://happy-otter-123.eu-west-1.convex.cloud"}, "https://happy-otter-123.eu-west-1.convex.cloud"},
		{"doctor", func(r func(doctor.Options) error) *cobra.Command { return newCmdDoctor(f, r) }, []string{"--no-deployment"}, ""},
		{"token verify", func(r func(doctor.Options) error) *cobra.Command { return newCmdTokenVerify(f, r) }, []string{"eyJ.a.b", "--convex-url", "https://happy-otter-123.convex.cloud"}, "https://happy-otter-123.convex.cloud"},
		{"token verify", func(r func(doctor.Options) error) *cobra.Command { return newCmdTokenVerify(f, r) }, []string{"eyJ.a.b", "--no-deployment"}, ""},
	}
	for _, tt := range tests {
		var got doctor.Options
		if code := runWith(t, f, tt.path, tt.cmd(func(o doctor.Options) error { got = o; return nil }), tt.args...); code != 0 || got.Attach == nil {
			t.Fatalf("%s %v: exit %d, attach set %v", tt.path, tt.args, code, got.Attach != nil)
		}
		att, err := got.Attach(vars, "dev")
		if err != nil {
			t.Fatalf("%s %v: %v", tt.path, tt.args, err)
		}
		if att.Connected() != (tt.want != "") || (tt.want != "" && att.Target.URL != tt.want) {
			t.Errorf("%s %v: connected %v to %q (%s), want %q", tt.path, tt.args, att.Connected(), att.Target.URL, att.NotConnected, tt.want)
		}
		if tt.want == "" && !strings.Contains(att.NotConnected, "--no-deployment") {
			t.Errorf("%s %v: not connected says %q", tt.path, tt.args, att.NotConnected)
		}
	}
}

// TestApplyDeploymentTimeout: apply's --request-timeout (or its old name
// --timeout, now deprecated), when given, bounds each
// request to the deployment too (a slow deployment otherwise holds apply
// for the client's default); without it the client's own default holds.
func TestApplyDeploymentTimeout(t *testing.T) {
	f, _ := testFactory(map[string]string{})
	tests := []struct {
		args []string
		want time.Duration
	}{
		{nil, 0},
		{[]string{"--request-timeout", "250ms"}, 250 * time.Millisecond},
		{[]string{"--timeout", "300ms"}, 300 * time.Millisecond},
	}
	for _, tt := range tests {
		var got apply.Options
		if code := runWith(t, f, "apply", newCmdApply(f, func(o apply.Options) error { got = o; return nil }), tt.args...); code != 0 {
			t.Fatalf("apply %v: exit %d", tt.args, code)
		}
		if got.DeploymentClient.Timeout != tt.want {
			t.Errorf("apply %v: deployment timeout %s, want %s", tt.args, got.DeploymentClient.Timeout, tt.want)
		}
	}
}
