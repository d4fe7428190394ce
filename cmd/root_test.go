package cmd

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/configcmd"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
)

func testFactory(env map[string]string) (*cmdutil.Factory, *iostreams.IOStreams) {
	ios, _, _, _ := iostreams.Test()
	ios.SetStdinTTY(true)
	ios.SetStdoutTTY(true)
	return &cmdutil.Factory{IOStreams: ios, Env: env, WorkDir: "/work/app"}, ios
}

// TestConfigShowFlags checks flag parsing alone: flags become options.
func TestConfigShowFlags(t *testing.T) {
	f, _ := testFactory(map[string]string{})
	var got configcmd.ShowOptions
	root := NewCmdRoot(f)
	for _, c := range root.Commands() {
		if c.Name() == "config" {
			c.RemoveCommand(c.Commands()...)
			c.AddCommand(newCmdConfigShow(f, func(o configcmd.ShowOptions) error { got = o; return nil }))
		}
	}
	root.SetArgs([]string{"config", "show", "--dir", "sub", "--config", "other.json", "--env", "prod", "--client-id", "client_X", "--environment-id", "environment_Y", "--json", "--show-secrets"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Dir != "/work/app/sub" || got.ConfigPath != "/work/app/other.json" || got.ConfigName != "other.json" {
		t.Errorf("paths = %q %q %q", got.Dir, got.ConfigPath, got.ConfigName)
	}
	if got.EnvFlag != "prod" || !got.JSON || !got.ShowSecrets {
		t.Errorf("options = %+v", got)
	}
	want := map[string]string{"WORKOS_CLIENT_ID": "client_X", "WORKOS_ENVIRONMENT_ID": "environment_Y"}
	if !reflect.DeepEqual(got.Flags, want) {
		t.Errorf("Flags = %v, want %v", got.Flags, want)
	}
}

func TestNoInputSources(t *testing.T) {
	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		prompt bool
	}{
		{"interactive", map[string]string{}, nil, true},
		{"--no-input", map[string]string{}, []string{"--no-input"}, false},
		{"CI=true", map[string]string{"CI": "true"}, nil, false},
		{"CONVEX_AUTHKIT_NO_INPUT=1", map[string]string{"CONVEX_AUTHKIT_NO_INPUT": "1"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ios := testFactory(tt.env)
			if code := Main(context.Background(), append([]string{"version"}, tt.args...), f); code != 0 {
				t.Fatalf("exit %d", code)
			}
			if ios.CanPrompt() != tt.prompt {
				t.Fatalf("CanPrompt = %v, want %v", ios.CanPrompt(), tt.prompt)
			}
		})
	}
}

func TestNoColorFlag(t *testing.T) {
	f, ios := testFactory(map[string]string{})
	ios.SetColorEnabled(true)
	Main(context.Background(), []string{"version", "--no-color"}, f)
	if ios.ColorEnabled() {
		t.Fatal("--no-color left colour on")
	}
}

func TestErrorsAreJSONUnderJSONFlag(t *testing.T) {
	ios, _, stdout, stderr := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios, Env: map[string]string{}, WorkDir: t.TempDir()}
	code := Main(context.Background(), []string{"config", "show", "--json"}, f)
	if code != cmdutil.ExitUsage {
		t.Fatalf("exit %d, want 3", code)
	}
	if !strings.Contains(stdout.String(), `"code": 3`) || !strings.Contains(stdout.String(), `"message": "file not found"`) {
		t.Fatalf("stdout = %s", stdout)
	}
	if !strings.Contains(stderr.String(), "convex.json: error: file not found") {
		t.Fatalf("stderr = %s", stderr)
	}
}
