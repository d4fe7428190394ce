package authjs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/safefile"
)

// TestLimits runs the hostile files of issue 9: each must stop within the
// limits with its own error instead of running for ever or exhausting the
// machine's memory.
func TestLimits(t *testing.T) {
	const limit = 96 << 20
	hugeJSON := func(t *testing.T, dir string) {
		// About 24 MB of JSON: esbuild needs several times that to parse it.
		var b strings.Builder
		b.WriteString(`{"keys":[`)
		for i := range 400_000 {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"kid":"k","n":"0123456789abcdef0123456789abcdef0123"}`)
		}
		b.WriteString("]}")
		if err := os.WriteFile(filepath.Join(dir, "convex", "big.json"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		archive string
		setup   func(t *testing.T, dir string)
		check   func(t *testing.T, err error)
	}{
		{
			name:    "array fill",
			archive: "-- convex/auth.config.ts --\nconst a = new Array(1e8).fill(0);\nexport default { providers: [], n: a.length };\n",
			check: func(t *testing.T, err error) {
				var e *MemoryError
				if !errors.As(err, &e) || e.Phase != PhaseEvaluate || e.Limit != limit {
					t.Fatalf("got %T %v", err, err)
				}
				if want := "convex/auth.config.ts: evaluation used more than 96 MiB of memory (a huge array or string?)"; err.Error() != want {
					t.Errorf("got %q, want %q", err, want)
				}
			},
		},
		{
			// goja matches backreferences with a backtracking engine that
			// does not see interrupts: only killing the process ends it.
			name:    "catastrophic regular expression",
			archive: "-- convex/auth.config.ts --\nconst ok = /^((a+)+)\\2?$/.test(\"a\".repeat(40) + \"b\");\nexport default { providers: [], ok };\n",
			check: func(t *testing.T, err error) {
				var e *TimeoutError
				if !errors.As(err, &e) || e.Phase != PhaseEvaluate || e.Cause != nil {
					t.Fatalf("got %T %v", err, err)
				}
				if want := "convex/auth.config.ts: evaluation took longer than 1s (a loop or a catastrophic regular expression?)"; err.Error() != want {
					t.Errorf("got %q, want %q", err, want)
				}
			},
		},
		{
			name:    "huge JSON import",
			archive: "-- convex/auth.config.ts --\nimport big from \"./big.json\";\nexport default { providers: [], n: big.keys.length };\n",
			setup:   hugeJSON,
			check: func(t *testing.T, err error) {
				var e *MemoryError
				if !errors.As(err, &e) || e.Phase != PhaseBundle {
					t.Fatalf("got %T %v", err, err)
				}
				if want := "convex/auth.config.ts: bundling the file and its imports used more than 96 MiB of memory (a very large import?)"; err.Error() != want {
					t.Errorf("got %q, want %q", err, want)
				}
			},
		},
		{
			name:    "one enormous allocation",
			archive: "-- convex/auth.config.ts --\nconst a = new Float64Array(1e9);\nexport default { providers: [], n: a.length };\n",
			check: func(t *testing.T, err error) {
				var e *MemoryError
				if !errors.As(err, &e) || e.Phase != PhaseEvaluate {
					t.Fatalf("got %T %v", err, err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeProject(t, tt.archive)
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			// The memory cases get a deadline they cannot reach on a
			// loaded machine, so that only the cap can stop them; the
			// regular expression never ends, so a short one is enough.
			timeout := time.Minute
			if tt.name == "catastrophic regular expression" {
				timeout = time.Second
			}
			_, err := Evaluate(context.Background(), Options{Dir: dir, Timeout: timeout, MemoryLimit: limit})
			tt.check(t, err)
		})
	}
}

// TestChildEnvironment: the machine's variables never reach process.env;
// only Options.Env does.
func TestChildEnvironment(t *testing.T) {
	t.Setenv("AWS_SECRET_ACCESS_KEY", "aws-secret-value")
	dir := writeProject(t, "-- convex/auth.config.ts --\nlet v; try { v = process.env.AWS_SECRET_ACCESS_KEY; } catch {}\nexport default { providers: [], v, id: process.env.WORKOS_CLIENT_ID };\n")
	res, err := Evaluate(context.Background(), Options{Dir: dir, Env: workosEnv})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"providers":[],"id":"` + clientID + `"}`; string(res.JSON) != want {
		t.Errorf("JSON %s, want %s", res.JSON, want)
	}
	if len(res.Missing) != 1 || res.Missing[0] != "AWS_SECRET_ACCESS_KEY" {
		t.Errorf("Missing = %q", res.Missing)
	}
}

func TestImportFence(t *testing.T) {
	// mono/ is a monorepo; the project is mono/apps/web.
	base := writeProject(t, `
-- outside.json --
{ "secret": "outside" }
-- mono/node_modules/hoisted/package.json --
{ "name": "hoisted", "main": "index.js" }
-- mono/node_modules/hoisted/index.js --
export const issuer = "https://hoisted.example.com";
-- mono/apps/web/node_modules/.pnpm/local@1.0.0/node_modules/local/package.json --
{ "name": "local", "main": "index.js" }
-- mono/apps/web/node_modules/.pnpm/local@1.0.0/node_modules/local/index.js --
export const app = "local";
-- mono/packages/shared/package.json --
{ "name": "shared", "main": "index.js" }
-- mono/packages/shared/index.js --
export const shared = "workspace";
-- mono/apps/web/convex/lib/defaults.json --
{ "algorithm": "RS256" }
`)
	project := filepath.Join(base, "mono", "apps", "web")
	link := func(target, name string) {
		t.Helper()
		if err := os.Symlink(target, filepath.Join(project, name)); err != nil {
			t.Fatal(err)
		}
	}
	link(filepath.Join(project, "node_modules", ".pnpm", "local@1.0.0", "node_modules", "local"), "node_modules/local")
	link(filepath.Join(base, "outside.json"), "convex/link.json")
	abs := filepath.ToSlash(filepath.Join(base, "outside.json"))
	if err := os.Symlink(filepath.Join(base, "mono", "packages", "shared"), filepath.Join(base, "mono", "node_modules", "shared")); err != nil {
		t.Fatal(err)
	}
	// Without a workspace declaration, mono/packages is nobody's package.

	tests := []struct {
		name, imports string
		want          string // the error; "" for success
	}{
		{"monorepo root node_modules and pnpm links", `import { issuer } from "hoisted"; import { app } from "local"; import d from "./lib/defaults.json"; export default { providers: [], issuer, app, d };`, ""},
		{"workspace package without a workspace declaration", `import { shared } from "shared"; export default { providers: [], shared };`,
			`convex/auth.config.ts:1:24: "shared" is outside the project: it resolves to ../../packages/shared/index.js`},
		{"workspace package", `import { shared } from "shared"; export default { providers: [], shared };`, ""},
		{"../ escape", `import o from "../../../../outside.json"; export default o;`,
			`convex/auth.config.ts:1:15: "../../../../outside.json" is outside the project: it resolves to ` + abs},
		{"absolute path", `import o from "` + abs + `"; export default o;`,
			`convex/auth.config.ts:1:15: "` + abs + `" is outside the project: it resolves to ` + abs},
		{"symlink out of the project", `import o from "./link.json"; export default o;`,
			`convex/auth.config.ts:1:15: "./link.json" is outside the project: it resolves to ` + abs},
		{"system file", `import h from "/etc/hostname"; export default { providers: [], h };`,
			`convex/auth.config.ts:1:15: "/etc/hostname" is outside the project: it resolves to /etc/hostname`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(filepath.Join(project, "convex", "auth.config.ts"), []byte(tt.imports+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if tt.name == "workspace package" {
				if err := os.WriteFile(filepath.Join(base, "mono", "package.json"), []byte(`{"workspaces":["apps/*","packages/*"]}`), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if tt.name == "system file" {
				if _, err := os.Stat("/etc/hostname"); err != nil {
					t.Skip("no /etc/hostname here")
				}
			}
			res, err := Evaluate(context.Background(), Options{Dir: project})
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if tt.name == "workspace package" {
					if want := `{"providers":[],"shared":"workspace"}`; string(res.JSON) != want {
						t.Errorf("JSON %s, want %s", res.JSON, want)
					}
					return
				}
				if want := `{"providers":[],"issuer":"https://hoisted.example.com","app":"local","d":{"algorithm":"RS256"}}`; string(res.JSON) != want {
					t.Errorf("JSON %s, want %s", res.JSON, want)
				}
				return
			}
			var be *BuildError
			if !errors.As(err, &be) || len(be.Messages[0].Notes) == 0 {
				t.Fatalf("got %T %v", err, err)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got %q\nwant %q", err, tt.want)
			}
		})
	}
}

// A FIFO in place of auth.config.ts is refused before the bundler could
// block on it.
func TestSpecialAuthConfig(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "convex"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "convex", "auth.config.ts"), 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	_, err := Evaluate(context.Background(), Options{Dir: dir})
	var se *safefile.SpecialError
	if !errors.As(err, &se) || se.Path != "convex/auth.config.ts" {
		t.Fatalf("got %T %v, want a SpecialError for convex/auth.config.ts", err, err)
	}
}
