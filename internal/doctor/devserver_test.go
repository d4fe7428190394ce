package doctor

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/project"
)

const nextPackage = `{"dependencies": {"next": "16.0.0", "@workos-inc/authkit-nextjs": "^2.0.0"}, "scripts": {"dev": "next dev"}}`

func nextConvexJSON(port string) string {
	return `{"authKit": {"dev": {"configure": {"redirectUris": ["http://localhost:` + port + `/callback"], "appHomepageUrl": "http://localhost:` + port + `"}}}}`
}

// TestDevServerChecks runs env.dev-port, env.callback-route and
// env.middleware (and env.client-id's message) on small projects; every
// case changes the healthy Vite or Next.js project in one way.
func TestDevServerChecks(t *testing.T) {
	next := func(edit map[string]string) map[string]string {
		files := map[string]string{
			"package.json":          nextPackage,
			"convex.json":           nextConvexJSON("3000"),
			"app/callback/route.ts": "export const GET = handleAuth();\n",
			"middleware.ts":         "import { authkitMiddleware } from '@workos-inc/authkit-nextjs';\nexport default authkitMiddleware();\n",
		}
		for k, v := range edit {
			if v == "" {
				delete(files, k)
			} else {
				files[k] = v
			}
		}
		return files
	}
	vite := func(edit map[string]string) map[string]string {
		files := healthyFiles()
		for k, v := range edit {
			files[k] = v
		}
		return files
	}
	tests := []struct {
		name  string
		files map[string]string
		id    string
		want  Status
		msg   string // a part of the message
	}{
		{"vite default port", vite(nil), IDEnvDevPort, StatusPass, "listens on 5173 (Vite + React default)"},
		// The forum's case: init read 5174, the URIs still say 5173.
		{"vite server.port differs", vite(map[string]string{"vite.config.ts": "export default defineConfig({ server: { port: 5174 } })\n"}),
			IDEnvDevPort, StatusFail, "listens on 5174 (vite.config.ts server.port), but the redirect URI http://localhost:5173/callback is on port 5173"},
		{"vite script port matches", vite(map[string]string{"vite.config.ts": "export default { server: { port: 5174 } }\n",
			"package.json": `{"dependencies": {"@workos-inc/authkit-react": "1", "react": "19"}, "scripts": {"dev": "vite --port 5173"}}`}),
			IDEnvDevPort, StatusPass, "listens on 5173 (package.json scripts.dev)"},
		{"vite app variable on another port", vite(map[string]string{".env.local": "WORKOS_CLIENT_ID=" + clientID + "\nVITE_WORKOS_REDIRECT_URI=http://localhost:4000/callback\n"}),
			IDEnvDevPort, StatusFail, "the redirect URI http://localhost:4000/callback is on port 4000"},
		{"next dev -p", next(map[string]string{"package.json": strings.Replace(nextPackage, "next dev", "next dev -p 3001", 1)}),
			IDEnvDevPort, StatusFail, "listens on 3001 (package.json scripts.dev)"},
		{"homepage only", next(map[string]string{"convex.json": `{"authKit": {"dev": {"configure": {"redirectUris": ["http://localhost:3000/callback"], "appHomepageUrl": "http://localhost:4000"}}}}`}),
			IDEnvDevPort, StatusWarn, "the homepage http://localhost:4000 is on port 4000"},
		{"prod is not the dev server", next(map[string]string{"convex.json": `{"authKit": {"prod": {"configure": {"redirectUris": ["https://localhost:3001/callback"]}}}}`}),
			IDEnvDevPort, StatusSkip, "authKit.prod is not served by the local dev server"},

		{"next app route", next(nil), IDEnvCallbackRoute, StatusPass, "/callback (app/callback/route.ts)"},
		{"next app route in a group under src", next(map[string]string{"app/callback/route.ts": "", "src/app/(auth)/callback/route.js": "x"}),
			IDEnvCallbackRoute, StatusPass, "/callback (src/app/(auth)/callback/route.js)"},
		{"next pages api route", next(map[string]string{"app/callback/route.ts": "", "pages/api/auth/[...all].ts": "x",
			"convex.json": `{"authKit": {"dev": {"configure": {"redirectUris": ["http://localhost:3000/api/auth/callback"]}}}}`}),
			IDEnvCallbackRoute, StatusPass, "/api/auth/callback (pages/api/auth/[...all].ts)"},
		{"next page is not a route handler", next(map[string]string{"app/callback/route.ts": "", "app/callback/page.tsx": "x", "app/page.tsx": "x"}),
			IDEnvCallbackRoute, StatusFail, "no Next.js route handles /callback"},
		{"no routes at all", next(map[string]string{"app/callback/route.ts": ""}),
			IDEnvCallbackRoute, StatusWarn, "found no Next.js route files (looked in app/, src/app/, pages/, src/pages/)"},
		{"tanstack flat route", map[string]string{"package.json": `{"dependencies": {"@tanstack/react-start": "1"}}`,
			"convex.json":                      `{"authKit": {"dev": {"configure": {"redirectUris": ["http://localhost:3000/api/auth/callback"]}}}}`,
			"src/routes/api.auth.callback.tsx": "x", "src/routes/__root.tsx": "x"},
			IDEnvCallbackRoute, StatusPass, "src/routes/api.auth.callback.tsx"},
		{"react router routes.ts", map[string]string{"package.json": `{"devDependencies": {"@react-router/dev": "7"}}`,
			"convex.json":   `{"authKit": {"dev": {"configure": {"redirectUris": ["http://localhost:5173/callback"]}}}}`,
			"app/routes.ts": `export default [index("routes/home.tsx"), route("callback", "routes/auth.tsx")];`},
			IDEnvCallbackRoute, StatusPass, "/callback (app/routes.ts)"},
		{"vite has no route file", vite(nil), IDEnvCallbackRoute, StatusSkip, "in the browser"},

		{"next middleware", next(nil), IDEnvMiddleware, StatusPass, "middleware.ts runs AuthKit"},
		{"next 16 proxy in src", next(map[string]string{"middleware.ts": "", "app/callback/route.ts": "", "src/app/callback/route.ts": "x", "src/proxy.ts": "export default authkitProxy();"}),
			IDEnvMiddleware, StatusPass, "src/proxy.ts runs AuthKit"},
		{"next middleware missing", next(map[string]string{"middleware.ts": ""}), IDEnvMiddleware, StatusFail, "no middleware.ts or proxy.ts"},
		{"next middleware at the root with src/app", next(map[string]string{"app/callback/route.ts": "", "src/app/callback/route.ts": "x"}),
			IDEnvMiddleware, StatusFail, "middleware.ts is not where Next.js looks"},
		{"next middleware without AuthKit", next(map[string]string{"middleware.ts": "export function middleware() {}"}), IDEnvMiddleware, StatusWarn, "does not mention AuthKit"},
		{"vite needs none", vite(nil), IDEnvMiddleware, StatusSkip, "only Next.js"},

		// Next.js reads WORKOS_CLIENT_ID itself: nothing to compare it with
		// (it once said "WORKOS_CLIENT_ID equals WORKOS_CLIENT_ID").
		{"next client ID", next(map[string]string{".env.local": "WORKOS_CLIENT_ID=" + clientID + "\n"}),
			IDEnvClientID, StatusPass, "WORKOS_CLIENT_ID is " + clientID + " (.env.local:1)"},
		{"vite client ID", vite(nil), IDEnvClientID, StatusPass, "VITE_WORKOS_CLIENT_ID equals WORKOS_CLIENT_ID, " + clientID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			ios, _, _, _ := iostreams.Test()
			env := "dev"
			if strings.Contains(tt.files["convex.json"], `"prod"`) {
				env = "prod"
			}
			opts := Options{IO: ios, Timeout: 20 * time.Second, Select: Selection{tt.id: true},
				Options: project.Options{ConfigPath: filepath.Join(dir, "convex.json"), ConfigName: "convex.json", Dir: dir, EnvFlag: env, Flags: map[string]string{}}}
			c := find(diagnose(t, opts), tt.id)
			if c.Status != tt.want || !strings.Contains(c.Message, tt.msg) {
				t.Fatalf("%s = %s %q, want %s containing %q", tt.id, c.Status, c.Message, tt.want, tt.msg)
			}
		})
	}
}
