package cmd

import (
	"context"
	"reflect"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/initcmd"
)

// runInit parses args for init and returns the options it would run with.
func runInit(t *testing.T, env map[string]string, args ...string) (initcmd.Options, int) {
	t.Helper()
	f, _ := testFactory(env)
	var got initcmd.Options
	root := NewCmdRoot(f)
	for _, c := range root.Commands() {
		if c.Name() == "init" {
			root.RemoveCommand(c)
		}
	}
	root.AddCommand(newCmdInit(f, func(o initcmd.Options) error { got = o; return nil }))
	root.SetArgs(append([]string{"init"}, args...))
	err := root.ExecuteContext(context.Background())
	if err != nil {
		if ce, ok := err.(*cmdutil.Error); ok {
			return got, ce.Code
		}
		return got, -1
	}
	return got, 0
}

func TestInitFlags(t *testing.T) {
	got, code := runInit(t, map[string]string{"ACCESSIBLE": "1"}, "--dir", "web", "--framework", "nextjs", "--port", "4000",
		"--client-id", "client_01X", "--auth-domain", "auth.example.com", "--files", "convex.json,.env.local", "--yes", "--force", "--json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if got.Dir != "/work/app/web" || got.ConfigPath != "/work/app/web/convex.json" || got.ConfigName != "convex.json" {
		t.Errorf("paths = %q %q %q", got.Dir, got.ConfigPath, got.ConfigName)
	}
	if got.Framework != "nextjs" || got.Port != 4000 || got.ClientID != "client_01X" || !got.Yes || !got.Force || !got.JSON {
		t.Errorf("options = %+v", got)
	}
	if got.AuthDomain != "auth.example.com" || !got.AuthDomainSet {
		t.Errorf("auth domain = %q %v", got.AuthDomain, got.AuthDomainSet)
	}
	if !reflect.DeepEqual(got.Files, []string{"convex.json", ".env.local"}) {
		t.Errorf("files = %v", got.Files)
	}
	if form, ok := got.Form.(*initcmd.HuhForm); !ok || !form.Accessible {
		t.Errorf("form = %#v, want an accessible HuhForm", got.Form)
	}
}

func TestInitFlagDefaults(t *testing.T) {
	got, code := runInit(t, map[string]string{})
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if got.Files != nil || got.AuthDomainSet || got.Port != 0 || got.Framework != "" {
		t.Errorf("defaults = %+v", got)
	}
	if form := got.Form.(*initcmd.HuhForm); form.Accessible {
		t.Error("accessible without ACCESSIBLE")
	}
	// --auth-domain "" says "none" and is not asked for.
	got, _ = runInit(t, map[string]string{}, "--auth-domain", "")
	if !got.AuthDomainSet || got.AuthDomain != "" {
		t.Errorf("--auth-domain '': %q %v", got.AuthDomain, got.AuthDomainSet)
	}
}

func TestInitBadPort(t *testing.T) {
	for _, port := range []string{"0", "70000", "-1", "abc"} {
		if _, code := runInit(t, map[string]string{}, "--port", port); code != cmdutil.ExitUsage {
			t.Errorf("--port %s: exit %d, want 3", port, code)
		}
	}
}
