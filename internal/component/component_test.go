package component

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const (
	pkgWith   = `{"dependencies": {"@convex-dev/workos-authkit": "^0.2.9", "convex": "1.48.0"}}`
	configUse = `import { defineApp } from "convex/server";
import workOSAuthKit from "@convex-dev/workos-authkit/convex.config";

const app = defineApp();
app.use(workOSAuthKit);
export default app;
`
	httpRoutes = `import { httpRouter } from "convex/server";
import { authKit } from "./auth";

const http = httpRouter();
authKit.registerRoutes(http);
export default http;
`
	authPlain = `import { AuthKit } from "@convex-dev/workos-authkit";
import { components } from "./_generated/api";
export const authKit = new AuthKit(components.workOSAuthKit);
`
)

// writeApp lays out a project: "package.json" at the top, every other
// name inside convex/.
func writeApp(t *testing.T, files map[string]string) Options {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, "convex", name)
		if name == "package.json" {
			p = filepath.Join(dir, name)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return Options{Dir: dir, Functions: filepath.Join(dir, "convex")}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name      string
		files     map[string]string
		used      bool
		events    []string
		actions   string // "file:line" or ""
		installed string
		routes    string
		problems  []string // "location|message fragment"
	}{
		{name: "not used", files: map[string]string{"package.json": `{"dependencies": {"convex": "1.48.0"}}`, "http.ts": "export default 1"}},
		{name: "no package.json, no functions", files: map[string]string{}},
		{
			name:  "wired",
			files: map[string]string{"package.json": pkgWith, "convex.config.ts": configUse, "http.ts": httpRoutes, "auth.ts": authPlain},
			used:  true, events: DefaultEvents, installed: "convex/convex.config.ts:5", routes: "convex/http.ts:5",
		},
		{
			name: "additional events and actions",
			files: map[string]string{"package.json": pkgWith, "convex.config.ts": configUse, "http.ts": httpRoutes, "auth.ts": `import { AuthKit } from "@convex-dev/workos-authkit";
export const authKit = new AuthKit(components.workOSAuthKit, {
  // additionalEventTypes: ["commented.out"],
  additionalEventTypes: ["session.created", 'user.created', "session.revoked" as const],
});
export const { authKitAction } = authKit.actions({
  authentication: async (_ctx, _action, response) => response.allow(),
});
`},
			used: true, events: []string{"user.created", "user.updated", "user.deleted", "session.created", "session.revoked"},
			installed: "convex/convex.config.ts:5", routes: "convex/http.ts:5", actions: "convex/auth.ts:6",
		},
		{
			name: "events from a variable",
			files: map[string]string{"package.json": pkgWith, "convex.config.ts": configUse, "http.ts": httpRoutes, "auth.ts": `import { AuthKit } from "@convex-dev/workos-authkit";
const extra = ["session.created"];
export const authKit = new AuthKit(components.workOSAuthKit, { additionalEventTypes: extra });
`},
			used: true, events: DefaultEvents, installed: "convex/convex.config.ts:5", routes: "convex/http.ts:5",
			problems: []string{"convex/auth.ts:3:64|additionalEventTypes is not a list of string literals"},
		},
		{
			name: "config imported, not used; routes commented out",
			files: map[string]string{"package.json": pkgWith, "convex.config.ts": `import workOSAuthKit from "@convex-dev/workos-authkit/convex.config.js";
const app = defineApp();
// app.use(workOSAuthKit);
export default app;
`, "http.ts": "const http = httpRouter();\n/* authKit.registerRoutes(http); */\nexport default http;\n", "auth.ts": authPlain},
			used: true, events: DefaultEvents,
			problems: []string{"convex/convex.config.ts:1|imported but never passed to app.use", "convex/http.ts|http.ts does not call authKit.registerRoutes"},
		},
		{
			name:  "dependency only",
			files: map[string]string{"package.json": `{"devDependencies": {"@convex-dev/workos-authkit": "0.2.9"}}`},
			used:  true, events: DefaultEvents,
			problems: []string{"convex/convex.config.ts|there is no convex.config.ts", "convex/http.ts|there is no http.ts"},
		},
		{
			name:  "installed without the dependency",
			files: map[string]string{"package.json": `{}`, "convex.config.ts": configUse, "http.ts": httpRoutes},
			used:  true, events: DefaultEvents, installed: "convex/convex.config.ts:5", routes: "convex/http.ts:5",
			problems: []string{"package.json: dependencies|" + Package + " is used by the Convex functions but not listed"},
		},
		{
			name: "other component's use and generated code ignored",
			files: map[string]string{"package.json": pkgWith, "convex.config.ts": `import workOSAuthKit from "@convex-dev/workos-authkit/convex.config";
import other from "other/convex.config";
app.use(other);
app.use(workOSAuthKit, { name: "auth" });
`, "http.ts": httpRoutes, "_generated/api.ts": `import { AuthKit } from "@convex-dev/workos-authkit"; x.actions(1)`},
			used: true, events: DefaultEvents, installed: "convex/convex.config.ts:4", routes: "convex/http.ts:5",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := Detect(writeApp(t, tt.files))
			if err != nil {
				t.Fatal(err)
			}
			if u.Used != tt.used {
				t.Fatalf("Used = %v, want %v", u.Used, tt.used)
			}
			if !tt.used {
				return
			}
			if !slices.Equal(u.Events, tt.events) {
				t.Errorf("Events = %q, want %q", u.Events, tt.events)
			}
			for what, pair := range map[string][2]string{"Installed": {loc(u.Installed), tt.installed}, "Routes": {loc(u.Routes), tt.routes}, "Actions": {loc(u.Actions), tt.actions}} {
				if pair[0] != pair[1] {
					t.Errorf("%s = %q, want %q", what, pair[0], pair[1])
				}
			}
			if len(u.Problems) != len(tt.problems) {
				t.Fatalf("problems = %v, want %d: %q", u.Problems, len(tt.problems), tt.problems)
			}
			for i, want := range tt.problems {
				loc, frag, _ := strings.Cut(want, "|")
				got := u.Problems[i]
				if !strings.HasPrefix(got.Location(), loc) || !strings.Contains(got.Message, frag) {
					t.Errorf("problem %d = %s, want %s", i, got, want)
				}
			}
		})
	}
}

func loc(l *Location) string {
	if l == nil {
		return ""
	}
	return l.String()
}

func TestScanPositionsAndStrings(t *testing.T) {
	toks := scan("a.b(\"x//y\", 'q\\'r')\n  // c\n/* d\n e */ `t\nu` z")
	var got []string
	for _, tk := range toks {
		got = append(got, tk.text)
	}
	want := []string{"a", ".", "b", "(", "x//y", ",", "q'r", ")", "t\nu", "z"}
	if !slices.Equal(got, want) {
		t.Fatalf("tokens = %q, want %q", got, want)
	}
	if last := toks[len(toks)-1]; last.line != 5 || last.col != 4 {
		t.Errorf("z at %d:%d, want 5:4", last.line, last.col)
	}
}
