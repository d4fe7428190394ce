package project

import (
	"path/filepath"
	"testing"
)

func TestDisplay(t *testing.T) {
	root := filepath.FromSlash("/work/app")
	tests := []struct{ path, want string }{
		{"/work/app/convex/auth.config.ts", "convex/auth.config.ts"},
		{"/work/app", "."},
		// A folder whose name starts with two dots is inside the project.
		{"/work/app/..x/auth.config.ts", "..x/auth.config.ts"},
		{"/work/other/.env.local", "/work/other/.env.local"},
		{"/work", "/work"},
	}
	for _, tt := range tests {
		if got := Display(root, filepath.FromSlash(tt.path)); got != tt.want {
			t.Errorf("Display(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}
