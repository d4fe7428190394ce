package initcmd

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/framework"
)

func TestScriptPort(t *testing.T) {
	tests := []struct {
		fw     *framework.Framework
		script string
		want   int
	}{
		{framework.ViteReact, "vite", 0},
		{framework.ViteReact, "vite --port 4000", 4000},
		{framework.ViteReact, "vite --port=4001 --open", 4001},
		{framework.ViteReact, "vite --host 0.0.0.0 --port 4002", 4002},
		{framework.ViteReact, "node_modules/.bin/vite --port 4003", 4003},
		{framework.ViteReact, `concurrently "convex dev" "vite --port 4004"`, 4004},
		{framework.ViteReact, "npm-run-all --parallel dev:frontend dev:backend", 0},
		{framework.ViteReact, "convex dev --local-cloud-port 3210 && vite", 0},
		{framework.ViteReact, "storybook dev -p 6006 && vite", 0},
		{framework.ViteReact, "vite build --port 1 && vite preview --port 4173; vite --port 4005", 4005},
		{framework.NextJS, "next start -p 8080", 0},
		{framework.ViteReact, "vite --port abc", 0},
		{framework.ViteReact, "vite --port 70000", 0},
		{framework.NextJS, "next dev", 0},
		{framework.NextJS, "next dev -p 4010", 4010},
		{framework.NextJS, "next dev --turbopack --port 4011", 4011},
		{framework.NextJS, "next dev -p4012", 4012},
		{framework.NextJS, "PORT=4013 next dev", 4013},
		{framework.NextJS, "cross-env PORT=4014 next dev", 4014},
		{framework.NextJS, "PORT=4015 next dev -p 4016", 4016}, // the flag wins over PORT
		{framework.NextJS, "PORT=4017 node server.js", 0},
		{framework.ViteReact, "PORT=4018 vite", 0}, // Vite ignores PORT
		{framework.TanStackStart, "convex dev --start 'vite dev --port 3001'", 3001},
		{framework.TanStackStart, `convex dev --start "vite dev"`, 0},
		{framework.TanStackStart, "vinxi dev --port 3002", 3002},
		{framework.ReactRouter, "react-router dev --port 5174", 5174},
		{framework.ReactRouter, "next dev -p 9999", 0},
	}
	for _, tt := range tests {
		t.Run(tt.fw.ID+" "+tt.script, func(t *testing.T) {
			got, ok := ScriptPort(tt.script, tt.fw)
			if got != tt.want || ok != (tt.want != 0) {
				t.Fatalf("ScriptPort = %d, %v; want %d", got, ok, tt.want)
			}
		})
	}
}

func TestVitePort(t *testing.T) {
	tests := []struct {
		name, src string
		want      int
	}{
		{"none", `export default defineConfig({ plugins: [react()] })`, 0},
		{"literal", `export default defineConfig({ server: { port: 3000 } })`, 3000},
		{"quoted keys", `export default { "server": { 'port': 3001, strictPort: true } }`, 3001},
		{"function config", "export default defineConfig(({ mode }) => ({\n  plugins: [react()],\n  server: {\n    host: true,\n    port: 3002,\n  },\n}))", 3002},
		{"hmr port is not the app's", `export default { server: { hmr: { port: 24678 } } }`, 0},
		{"hmr before port", `export default { server: { hmr: { port: 24678 }, port: 3003 } }`, 3003},
		{"preview port is not the dev port", `export default { preview: { port: 4173 }, server: { open: true } }`, 0},
		{"computed", `export default { server: { port: Number(process.env.PORT) || 3000 } }`, 0},
		{"commented out", "export default { server: {\n  // port: 1234,\n  /* port: 2345, */\n  port: 3004 } }", 3004},
		{"in a string", `const s = "server: { port: 1111 }"; export default { server: { proxy: { "/api": "http://localhost:8080" }, port: 3005 } }`, 3005},
		{"template literal", "const u = `${a}`; export default { server: { port: 3006 } }", 3006},
		{"unterminated comment", "export default { server: { port: /* 3007 } }", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := VitePort(tt.src)
			if got != tt.want || ok != (tt.want != 0) {
				t.Fatalf("VitePort = %d, %v; want %d", got, ok, tt.want)
			}
		})
	}
}

func TestDetectPortPrecedence(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pkg := &framework.PackageJSON{Scripts: []framework.Script{{Name: "build", Command: "vite build --port 1"}, {Name: "dev", Command: "vite"}}}

	check := func(fw *framework.Framework, wantPort int, wantSource string) {
		t.Helper()
		port, source, err := DetectPort(dir, pkg, fw)
		if err != nil || port != wantPort || source != wantSource {
			t.Fatalf("DetectPort(%s) = %d, %q, %v; want %d, %q", fw.ID, port, source, err, wantPort, wantSource)
		}
	}
	check(framework.ViteReact, 5173, "Vite + React default")
	check(framework.TanStackStart, 3000, "TanStack Start default")

	write("vite.config.ts", `export default { server: { port: 4100 } }`)
	check(framework.ViteReact, 4100, "vite.config.ts server.port")
	check(framework.NextJS, 3000, "Next.js default") // Next.js has no Vite config

	// Vite reads the first config file it finds, vite.config.js before .ts.
	write("vite.config.js", `export default {}`)
	check(framework.ViteReact, 5173, "Vite + React default")

	pkg.Scripts = append(pkg.Scripts, framework.Script{Name: "dev:web", Command: "vite --port 4200"})
	check(framework.ViteReact, 4200, "package.json scripts.dev:web")
}

func TestFixturesDetect(t *testing.T) {
	tests := []struct {
		dir  string
		fw   *framework.Framework
		port int
	}{
		{"vite", framework.ViteReact, 5173},
		{"nextjs", framework.NextJS, 3000},
		{"tanstack-start", framework.TanStackStart, 3000},
		{"react-router", framework.ReactRouter, 5173},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			dir := filepath.Join("..", "..", "testdata", "projects", tt.dir)
			pkg, err := framework.ReadPackageJSON(dir)
			if err != nil {
				t.Fatal(err)
			}
			fw, _ := framework.Detect(pkg)
			if fw != tt.fw {
				t.Fatalf("framework = %v, want %s", fw, tt.fw.ID)
			}
			if port, _, err := DetectPort(dir, pkg, fw); err != nil || port != tt.port {
				t.Fatalf("port = %d, %v; want %d", port, err, tt.port)
			}
		})
	}
}
