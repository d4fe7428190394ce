package initcmd

import (
	"bytes"
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/config"
	"github.com/convex-authkit/convex-authkit/internal/framework"
)

// FuzzParsePackageJSON checks the reading of package.json against
// encoding/json: what it accepts is JSON, the dependencies are the keys of
// the three dependency objects and the scripts the string members of
// "scripts" (the last of repeated keys counting, as for npm); an error
// points inside the file. Framework and port detection then must not
// panic and must only report what the file says. Seeds live in
// testdata/fuzz/FuzzParsePackageJSON.
func FuzzParsePackageJSON(f *testing.F) {
	f.Add([]byte(`{"scripts": {"dev": "vite --port 4000"}, "dependencies": {"react": "^19"}, "devDependencies": {"vite": "^7"}}`))
	located := regexp.MustCompile(`^package\.json:(\d+):(\d+): \S`)
	f.Fuzz(func(t *testing.T, data []byte) {
		pkg, err := framework.ParsePackageJSON(data)
		if err != nil {
			m := located.FindStringSubmatch(err.Error())
			if m == nil {
				t.Fatalf("error without a location: %v", err)
			}
			line, _ := strconv.Atoi(m[1])
			col, _ := strconv.Atoi(m[2])
			if line < 1 || line > bytes.Count(data, []byte("\n"))+1 || col < 1 {
				t.Fatalf("error outside the file: %v", err)
			}
			return
		}
		if !json.Valid(data) {
			t.Fatal("accepted what encoding/json rejects")
		}
		var top map[string]json.RawMessage // stays empty for a file that is not an object
		_ = json.Unmarshal(data, &top)
		deps := map[string]bool{}
		for _, key := range []string{"dependencies", "devDependencies", "peerDependencies"} {
			var m map[string]json.RawMessage
			if json.Unmarshal(top[key], &m) == nil {
				for name := range m {
					deps[name] = true
				}
			}
		}
		if !maps.Equal(pkg.Deps, deps) {
			t.Fatalf("deps %v, encoding/json reads %v", slices.Sorted(maps.Keys(pkg.Deps)), slices.Sorted(maps.Keys(deps)))
		}
		var members map[string]json.RawMessage
		_ = json.Unmarshal(top["scripts"], &members)
		scripts := map[string]string{}
		for name, raw := range members {
			var cmd string
			if json.Unmarshal(raw, &cmd) == nil && bytes.HasPrefix(raw, []byte(`"`)) {
				scripts[name] = cmd
			}
		}
		got := map[string]string{}
		for _, s := range pkg.Scripts {
			if _, dup := got[s.Name]; dup {
				t.Fatalf("script %q listed twice", s.Name)
			}
			got[s.Name] = s.Command
		}
		if !maps.Equal(got, scripts) {
			t.Fatalf("scripts %q, encoding/json reads %q", got, scripts)
		}

		// The framework detected is the first whose signals are all there,
		// and the reason names them.
		fw, why := framework.Detect(pkg)
		for _, f := range framework.All {
			var signals []string
			for _, set := range f.Signals {
				if allIn(set, pkg.Deps) {
					signals = append(signals, "package.json depends on "+strings.Join(set, " and "))
				}
			}
			if f == fw {
				if !slices.Contains(signals, why) {
					t.Fatalf("%s detected because %q; its signals there: %q", f.ID, why, signals)
				}
				break
			}
			if len(signals) > 0 {
				t.Fatalf("%s detected, not %s (%q)", idOf(fw), f.ID, signals)
			}
		}
		for _, fw := range framework.All {
			for _, s := range pkg.Scripts {
				checkScriptPort(t, s.Command, fw)
			}
		}
	})
}

func idOf(fw *framework.Framework) string {
	if fw == nil {
		return "nothing"
	}
	return fw.ID
}

func allIn(names []string, set map[string]bool) bool {
	for _, n := range names {
		if !set[n] {
			return false
		}
	}
	return true
}

// checkScriptPort checks what ScriptPort finds in a script: a valid port,
// written in the script, given to one of the framework's commands, and the
// same when other commands come before or after it.
func checkScriptPort(t *testing.T, script string, fw *framework.Framework) {
	t.Helper()
	port, ok := ScriptPort(script, fw)
	if !ok {
		if port != 0 {
			t.Fatalf("%s: ScriptPort(%q) = %d without a port", fw.ID, script, port)
		}
	} else if port < 1 || port > 65535 || !strings.Contains(script, strconv.Itoa(port)) ||
		!slices.ContainsFunc(fw.CLIs, func(c string) bool { return strings.Contains(script, c) }) {
		t.Fatalf("%s: ScriptPort(%q) = %d", fw.ID, script, port)
	}
	for _, s := range []string{"convex dev --once && " + script, script + " && vite build --port 1", "npm run x; " + script + " | cat"} {
		if p, k := ScriptPort(s, fw); p != port || k != ok {
			t.Fatalf("%s: ScriptPort(%q) = %d, %v; but %d, %v alone", fw.ID, s, p, k, port, ok)
		}
	}
}

// FuzzScriptPort checks ScriptPort on any script, for every framework (see
// checkScriptPort). Seeds live in testdata/fuzz/FuzzScriptPort.
func FuzzScriptPort(f *testing.F) {
	f.Add(`concurrently "convex dev" "vite --port 4004"`)
	f.Fuzz(func(t *testing.T, script string) {
		for _, fw := range framework.All {
			checkScriptPort(t, script, fw)
		}
	})
}

// FuzzVitePort checks the Vite config tokeniser: a port it finds is valid,
// written in the source, and read from a port key in a server object, so
// that without either word there is none; a comment or a string before
// the config changes nothing, whatever it says. Seeds live in
// testdata/fuzz/FuzzVitePort.
func FuzzVitePort(f *testing.F) {
	f.Add("export default defineConfig({\n  server: {\n    host: true,\n    port: 3002,\n  },\n})")
	f.Fuzz(func(t *testing.T, src string) {
		port, ok := VitePort(src)
		if !ok {
			if port != 0 {
				t.Fatalf("VitePort = %d without a port", port)
			}
		} else if port < 1 || port > 65535 || !strings.Contains(src, strconv.Itoa(port)) {
			t.Fatalf("VitePort = %d", port)
		}
		for _, s := range []string{strings.ReplaceAll(src, "port", "p0rt"), strings.ReplaceAll(src, "server", "s3rver")} {
			if p, ok := VitePort(s); ok {
				t.Fatalf("VitePort(%q) = %d", s, p)
			}
		}
		for _, prefix := range []string{"// server: { port: 1 },\n", "/* server: { port: 2 }, */", `const s = "server: { port: 3 }";` + "\n", "const t = `server: { port: 4 }`;\n"} {
			if p, k := VitePort(prefix + src); p != port || k != ok {
				t.Fatalf("VitePort(%q) = %d, %v; but %d, %v without the prefix", prefix+src, p, k, port, ok)
			}
		}
	})
}

// FuzzEditConvexJSON checks init's edit of an existing convex.json, which
// splices the authKit member into the user's bytes: the result is JSON
// that config.Parse accepts, whose authKit is the section (so that a second
// edit changes nothing), and every other member keeps its key, order and
// bytes. Seeds live in
// testdata/fuzz/FuzzEditConvexJSON.
func FuzzEditConvexJSON(f *testing.F) {
	f.Add([]byte("{\r\n\t\"functions\": \"convex/\",\r\n\t\"authKit\": {\"dev\": {}}\r\n}"))
	f.Fuzz(func(t *testing.T, src []byte) {
		cfg, err := config.Parse("convex.json", src)
		if err != nil {
			return // FuzzParse in internal/config covers what it rejects
		}
		e := editConvexJSON(src, cfg.Root, small, false)
		if e.Action == ActionUnchanged {
			m, ok := cfg.Root.Lookup("authKit")
			if !ok || !sameJSON(src[m.Value.Pos.Offset:m.Value.End.Offset], defaultStyle.render(small, "")) {
				t.Fatal("unchanged, but authKit is not the section")
			}
			return
		}
		after, err := config.Parse("convex.json", e.Content)
		if err != nil {
			t.Fatalf("the edit does not parse: %v\n%s", err, e.Content)
		}
		if again := editConvexJSON(e.Content, after.Root, small, false); again.Action != ActionUnchanged {
			t.Fatalf("a second edit changes\n%s\ninto\n%s", e.Content, again.Content)
		}
		var before, kept []string
		for _, m := range cfg.Root.Members {
			if m.Key != "authKit" {
				before = append(before, m.Key+"="+string(src[m.Value.Pos.Offset:m.Value.End.Offset]))
			}
		}
		for _, m := range after.Root.Members {
			if m.Key != "authKit" {
				kept = append(kept, m.Key+"="+string(e.Content[m.Value.Pos.Offset:m.Value.End.Offset]))
			}
		}
		if !slices.Equal(before, kept) {
			t.Fatalf("other members changed: %q, now %q", before, kept)
		}
	})
}
