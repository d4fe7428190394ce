package main

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/reference from the command tree")

const referenceDir = "../../docs/reference"

// TestReferenceUpToDate fails when a command, flag, example or help text
// changed without `go run ./tools/gendocs -reference docs/reference`.
func TestReferenceUpToDate(t *testing.T) {
	if *update {
		if err := writeReference(referenceDir); err != nil {
			t.Fatal(err)
		}
	}
	want, err := referencePages()
	if err != nil {
		t.Fatal(err)
	}
	committed, err := filepath.Glob(filepath.Join(referenceDir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	const fix = "run: go run ./tools/gendocs -reference docs/reference (or go test ./tools/gendocs -update)"
	for _, p := range committed {
		if _, ok := want[filepath.Base(p)]; !ok {
			t.Errorf("docs/reference/%s documents no current command; %s", filepath.Base(p), fix)
		}
	}
	for name, page := range want {
		got, err := os.ReadFile(filepath.Join(referenceDir, name))
		if err != nil {
			t.Errorf("docs/reference/%s is missing; %s", name, fix)
			continue
		}
		if !bytes.Equal(got, page) {
			t.Errorf("docs/reference/%s is out of date; %s", name, fix)
		}
	}
}

func TestReferenceCoversEveryCommand(t *testing.T) {
	pages, err := referencePages()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{
		"convex-authkit.md", "convex-authkit_apply.md", "convex-authkit_config_show.md",
		"convex-authkit_doctor.md", "convex-authkit_exit-codes.md", "convex-authkit_completion_bash.md",
	} {
		if _, ok := pages[name]; !ok {
			t.Errorf("no page %s among %v", name, keys(pages))
		}
	}
	apply := string(pages["convex-authkit_apply.md"])
	for _, want := range []string{
		"### Examples",
		"--dry-run",
		// The plan lines stay as they are in --help, not a Markdown list.
		"```\nApply resolves",
		"  + redirect URI https://...      to add",
	} {
		if !strings.Contains(apply, want) {
			t.Errorf("apply page lacks %q", want)
		}
	}
}

func TestReleaseFiles(t *testing.T) {
	dir := t.TempDir()
	// A page of a command that no longer exists, from an earlier run.
	if err := os.MkdirAll(filepath.Join(dir, "man"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "man", "convex-authkit-removed.1"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := run([]string{"-man", filepath.Join(dir, "man"), "-completions", filepath.Join(dir, "completions"),
		"-version", "1.2.3", "-date", "2026-01-02T03:04:05Z"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ file, want string }{
		{"completions/convex-authkit.bash", "__start_convex-authkit"},
		{"completions/_convex-authkit", "#compdef convex-authkit"},
		{"completions/convex-authkit.fish", "complete -c convex-authkit"},
		{"completions/convex-authkit.ps1", "Register-ArgumentCompleter"},
		{"man/convex-authkit.1", `.TH "CONVEX-AUTHKIT" "1" "Jan 2026" "convex-authkit 1.2.3"`},
		// Plain help text is kept as laid out (.EX), not read as Markdown.
		{"man/convex-authkit-apply.1", "+ deployment variable WORKOS_CLIENT_ID"},
		{"man/convex-authkit-exit-codes.1", "usage or configuration error"},
	}
	if _, err := os.Stat(filepath.Join(dir, "man", "convex-authkit-removed.1")); !os.IsNotExist(err) {
		t.Errorf("the page of a removed command is still there (stat: %v)", err)
	}
	for _, tt := range tests {
		b, err := os.ReadFile(filepath.Join(dir, tt.file))
		if err != nil {
			t.Error(err)
			continue
		}
		if !strings.Contains(string(b), tt.want) {
			t.Errorf("%s lacks %q", tt.file, tt.want)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"-man", "x"},
		{"-man", "x", "-version", "1", "-date", "yesterday"},
		{"-reference", "x", "extra"},
	} {
		if err := run(args, io.Discard); err == nil {
			t.Errorf("run(%q) = nil, want an error", args)
		}
	}
}

func keys(m map[string][]byte) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
