package cmd

import (
	"reflect"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/envgen"
)

// TestGenerateEnvFlags checks flag parsing alone: flags become options.
func TestGenerateEnvFlags(t *testing.T) {
	tests := []struct {
		args []string
		want func(envgen.Options) bool
	}{
		{nil, func(o envgen.Options) bool {
			return o.EnvFlag == "" && !o.DryRun && !o.Force && !o.AllowPublicSecret && !o.JSON && len(o.Flags) == 0
		}},
		{[]string{"--env", "dev", "--dry-run", "--force", "--allow-public-secret", "--json", "--verbose"}, func(o envgen.Options) bool {
			return o.EnvFlag == "dev" && o.DryRun && o.Force && o.AllowPublicSecret && o.JSON && o.Verbose
		}},
		{[]string{"--dir", "sub", "--client-id", "client_X", "--environment-id", "environment_Y"}, func(o envgen.Options) bool {
			return o.Dir == "/work/app/sub" && o.WorkDir == "/work/app" && o.ConfigPath == "/work/app/sub/convex.json" &&
				reflect.DeepEqual(o.Flags, map[string]string{"WORKOS_CLIENT_ID": "client_X", "WORKOS_ENVIRONMENT_ID": "environment_Y"})
		}},
	}
	for _, tt := range tests {
		f, _ := testFactory(map[string]string{"A": "1"})
		var got envgen.Options
		called := false
		root := NewCmdRoot(f)
		for _, c := range root.Commands() {
			if c.Name() == "generate" {
				for _, sub := range c.Commands() {
					if sub.Name() == "env" {
						c.RemoveCommand(sub)
					}
				}
				c.AddCommand(newCmdGenerateEnv(f, func(o envgen.Options) error { got, called = o, true; return nil }))
			}
		}
		root.SetArgs(append([]string{"generate", "env"}, tt.args...))
		if err := root.Execute(); err != nil {
			t.Fatal(err)
		}
		if !called || !tt.want(got) || got.IO != f.IOStreams || got.Env["A"] != "1" {
			t.Errorf("%v: options = %+v", tt.args, got)
		}
	}
}
