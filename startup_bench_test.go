package main

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkStartup runs the built binary's `version` command: process start,
// package initialisation and command construction, which every invocation
// pays. Run: go test -run '^$' -bench Startup .
func BenchmarkStartup(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "convex-authkit")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	b.ResetTimer()
	for b.Loop() {
		if out, err := exec.Command(bin, "version").CombinedOutput(); err != nil {
			b.Fatalf("version: %v\n%s", err, out)
		}
	}
}
