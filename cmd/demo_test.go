package cmd

import (
	"context"
	"testing"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/demo"
)

// runDemo parses args for demo and returns the options it would run with.
func runDemo(t *testing.T, args ...string) (demo.Options, error) {
	t.Helper()
	f, ios := testFactory(map[string]string{})
	f.Build = cmdutil.NewBuildInfo("1.2.3", "abc", "2026-01-01")
	f.Now = func() time.Time { return time.Unix(0, 0) }
	var got demo.Options
	root := NewCmdRoot(f)
	for _, c := range root.Commands() {
		if c.Name() == "demo" {
			root.RemoveCommand(c)
		}
	}
	root.AddCommand(newCmdDemo(f, func(o demo.Options) error { got = o; return nil }))
	root.SetArgs(append([]string{"demo"}, args...))
	err := root.ExecuteContext(context.Background())
	if err == nil && got.IO != ios {
		t.Error("the demo does not write to the factory's streams")
	}
	return got, err
}

func TestDemoFlags(t *testing.T) {
	got, err := runDemo(t, "--keep", "--json", "--verbose", "--dir", "ignored")
	if err != nil {
		t.Fatal(err)
	}
	if !got.Keep || !got.JSON || !got.Verbose {
		t.Errorf("options = %+v", got)
	}
	if got.UserAgent != "convex-authkit/1.2.3" {
		t.Errorf("user agent %q", got.UserAgent)
	}
	if got.Now == nil || !got.Now().Equal(time.Unix(0, 0)) {
		t.Error("the demo does not take the factory's clock")
	}
	// The demo makes its own folder and copies its own project.
	if got.TempDir != "" || got.Project != nil {
		t.Errorf("temp dir %q, project %v", got.TempDir, got.Project)
	}

	got, err = runDemo(t)
	if err != nil || got.Keep || got.JSON || got.Verbose {
		t.Errorf("defaults: %+v, %v", got, err)
	}
}

func TestDemoTakesNoArguments(t *testing.T) {
	_, err := runDemo(t, "vite")
	if ce, ok := err.(*cmdutil.Error); !ok || ce.Code != cmdutil.ExitUsage {
		t.Errorf("err = %v, want exit 3", err)
	}
}
