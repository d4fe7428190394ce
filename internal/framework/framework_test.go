package framework

import (
	"os"
	"path/filepath"
	"testing"
)

func deps(names ...string) *PackageJSON {
	p := &PackageJSON{Deps: map[string]bool{}}
	for _, n := range names {
		p.Deps[n] = true
	}
	return p
}

func TestDetectFramework(t *testing.T) {
	tests := []struct {
		name string
		pkg  *PackageJSON
		want *Framework
	}{
		{"no package.json", nil, nil},
		{"vite and react", deps("vite", "react", "react-dom"), ViteReact},
		{"vite SPA with react-router for routing", deps("vite", "react", "react-router-dom"), ViteReact},
		{"authkit-react alone", deps("@workos-inc/authkit-react"), ViteReact},
		{"vite without react", deps("vite", "vue"), nil},
		{"next", deps("next", "react", "vitest"), NextJS},
		{"tanstack start also depends on vite", deps("@tanstack/react-start", "vite", "react"), TanStackStart},
		{"old tanstack start", deps("@tanstack/start", "vite", "react"), TanStackStart},
		{"react router framework mode", deps("@react-router/dev", "react-router", "vite", "react"), ReactRouter},
		{"authkit-react-router", deps("@workos-inc/authkit-react-router", "react-router"), ReactRouter},
		{"remix is not supported", deps("@remix-run/react"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := Detect(tt.pkg)
			if got != tt.want {
				t.Fatalf("Detect = %v, want %v", got, tt.want)
			}
			if got != nil && why == "" {
				t.Error("no reason given")
			}
		})
	}
}

func TestParsePackageJSONKeepsScriptOrder(t *testing.T) {
	pkg, err := ParsePackageJSON([]byte(`{"scripts": {"dev:b": "vite --port 2", "dev": "x", "dev:a": 3, "build": "y"},
		"devDependencies": {"vite": "^7"}, "peerDependencies": {"react": "*"}, "dependencies": ["not", "an", "object"]}`))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range pkg.Scripts {
		names = append(names, s.Name)
	}
	if got := filepath.Join(names...); got != filepath.Join("dev:b", "dev", "build") {
		t.Errorf("scripts = %v", names)
	}
	if !pkg.Deps["vite"] || !pkg.Deps["react"] || len(pkg.Deps) != 2 {
		t.Errorf("deps = %v", pkg.Deps)
	}
	if _, err := ParsePackageJSON([]byte(`{"scripts": {,}}`)); err == nil {
		t.Error("a broken package.json parsed")
	}
}

// TestDetectAsConvex: generate env names the project as the Convex CLI
// does, Vite without React included.
func TestDetectAsConvex(t *testing.T) {
	tests := []struct {
		pkg  string
		want *Framework
	}{
		{`{"dependencies": {"next": "15", "vite": "7"}}`, NextJS},
		{`{"dependencies": {"@tanstack/react-start": "1", "vite": "7"}}`, TanStackStart},
		{`{"devDependencies": {"@tanstack/start": "1"}}`, TanStackStart},
		{`{"devDependencies": {"@react-router/dev": "7", "vite": "6"}}`, ReactRouter},
		{`{"devDependencies": {"vite": "7"}}`, ViteReact},
		{`{"dependencies": {"express": "5"}}`, nil},
	}
	detectIn := func(dir string) (*Framework, error) {
		pkg, err := ReadPackageJSON(dir)
		return DetectAsConvex(pkg), err
	}
	for _, tt := range tests {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(tt.pkg), 0o644); err != nil {
			t.Fatal(err)
		}
		if got, err := detectIn(dir); got != tt.want || err != nil {
			t.Errorf("DetectAsConvex(%s) = %v, %v; want %v", tt.pkg, got, err, tt.want)
		}
	}
	if got, err := detectIn(t.TempDir()); got != nil || err != nil {
		t.Errorf("no package.json: %v, %v", got, err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "package.json"), []byte("{"), 0o644)
	if got, err := detectIn(dir); got != nil || err == nil {
		t.Errorf("broken package.json: %v, %v", got, err)
	}
}
