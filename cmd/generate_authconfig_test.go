package cmd

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/authconfig"
	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
)

// runGenerateAuthConfig parses args with the behaviour replaced, returning
// the options it would have run with.
func runGenerateAuthConfig(t *testing.T, args ...string) (authconfig.Options, int, string) {
	t.Helper()
	f, ios := testFactory(map[string]string{})
	var got authconfig.Options
	root := NewCmdRoot(f)
	for _, c := range root.Commands() {
		if c.Name() == "generate" {
			for _, sub := range c.Commands() {
				if sub.Name() == "auth-config" {
					c.RemoveCommand(sub)
				}
			}
			c.AddCommand(newCmdGenerateAuthConfig(f, func(o authconfig.Options) error { got = o; return nil }))
		}
	}
	var errOut strings.Builder
	ios.ErrOut = &errOut
	root.SetErr(&errOut)
	code := cmdutil.ExitOK
	root.SetArgs(append([]string{"generate", "auth-config"}, args...))
	if err := root.ExecuteContext(context.Background()); err != nil {
		code = cmdutil.ExitFailure
		var ce *cmdutil.Error
		if errors.As(err, &ce) {
			code = ce.Code
		}
		errOut.WriteString(err.Error())
	}
	return got, code, errOut.String()
}

func TestGenerateAuthConfigFlags(t *testing.T) {
	got, code, _ := runGenerateAuthConfig(t, "--dir", "sub", "--config", "other.json", "--auth-domain", "auth.example.com", "--check", "--json", "--verbose")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if got.Dir != "/work/app/sub" || got.ConfigPath != "/work/app/other.json" || got.ConfigName != "other.json" {
		t.Errorf("paths = %q %q %q", got.Dir, got.ConfigPath, got.ConfigName)
	}
	if got.AuthDomain != "auth.example.com" || !got.Check || got.Force || got.Stdout || !got.JSON || !got.Verbose || got.IO == nil {
		t.Errorf("options = %+v", got)
	}
	if got, _, _ := runGenerateAuthConfig(t, "--force"); !got.Force {
		t.Error("--force not set")
	}
	if got, _, _ := runGenerateAuthConfig(t, "--stdout"); !got.Stdout {
		t.Error("--stdout not set")
	}
}

func TestGenerateAuthConfigBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--check", "--force"}, "--check and --force cannot be combined"},
		{[]string{"--stdout", "--check"}, "--check and --stdout cannot be combined"},
		{[]string{"--auth-domain", "https://auth.example.com"}, `--auth-domain "https://auth.example.com" has a scheme`},
		{[]string{"--auth-domain", ""}, `--auth-domain "" is empty`},
		{[]string{"extra"}, `takes no arguments, got "extra"`},
	}
	for _, tt := range tests {
		_, code, stderr := runGenerateAuthConfig(t, tt.args...)
		if code != cmdutil.ExitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 3 with %q", tt.args, code, stderr, tt.want)
		}
	}
}
