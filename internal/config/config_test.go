package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/diag"
)

// TestProbeTable replays the reference's parseProjectConfig probe table
// (convex-cli-authkit.md §1.2). Where Convex reports an error we report one
// at the same JSON path or, for its refinements (which Convex reports at
// authKit.environmentType / authKit.localEnvVars), at the section's key.
func TestProbeTable(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		errPath string // "" when valid
	}{
		{"empty authKit", `{"authKit":{}}`, ""},
		{"authKit null", `{"authKit":null}`, "authKit"},
		{"authKit false", `{"authKit":false}`, "authKit"},
		{"dev null", `{"authKit":{"dev":null}}`, "authKit.dev"},
		{"environmentType in dev", `{"authKit":{"dev":{"environmentType":"production"}}}`, "authKit.dev.environmentType"},
		{"environmentType in preview", `{"authKit":{"preview":{"environmentType":"production"}}}`, "authKit.preview.environmentType"},
		{"environmentType case", `{"authKit":{"prod":{"environmentType":"Production"}}}`, "authKit.prod.environmentType"},
		{"environmentType prod ok", `{"authKit":{"prod":{"environmentType":"staging"}}}`, ""},
		{"preview localEnvVars", `{"authKit":{"preview":{"localEnvVars":{"A":"b"}}}}`, "authKit.preview.localEnvVars"},
		{"prod localEnvVars empty", `{"authKit":{"prod":{"localEnvVars":{}}}}`, "authKit.prod.localEnvVars"},
		{"preview localEnvVars false", `{"authKit":{"preview":{"localEnvVars":false}}}`, ""},
		{"dev localEnvVars true", `{"authKit":{"dev":{"localEnvVars":true}}}`, "authKit.dev.localEnvVars"},
		{"dev localEnvVars number value", `{"authKit":{"dev":{"localEnvVars":{"A":1}}}}`, "authKit.dev.localEnvVars.A"},
		{"configure true", `{"authKit":{"dev":{"configure":true}}}`, "authKit.dev.configure"},
		{"configure null", `{"authKit":{"dev":{"configure":null}}}`, "authKit.dev.configure"},
		{"redirectUris string", `{"authKit":{"dev":{"configure":{"redirectUris":"x"}}}}`, "authKit.dev.configure.redirectUris"},
		{"appHomepageUrl array", `{"authKit":{"dev":{"configure":{"appHomepageUrl":["x"]}}}}`, "authKit.dev.configure.appHomepageUrl"},
		{"configure empty", `{"authKit":{"dev":{"configure":{}}}}`, ""},
		{"configure unknown key", `{"authKit":{"dev":{"configure":{"redirectUris":[],"foo":1}}}}`, ""},
		{"unknown section", `{"authKit":{"staging":{"x":1},"dev":{}}}`, ""},
		{"redirectUris null", `{"authKit":{"dev":{"configure":{"redirectUris":null}}}}`, "authKit.dev.configure.redirectUris"},
		{"environmentType null", `{"authKit":{"prod":{"environmentType":null}}}`, "authKit.prod.environmentType"},
		{"corsOrigins element", `{"authKit":{"dev":{"configure":{"corsOrigins":["http://a.com",true]}}}}`, "authKit.dev.configure.corsOrigins[1]"},
		{"unknown placeholder", `{"authKit":{"dev":{"configure":{"appHomepageUrl":"${SITE}"}}}}`, "authKit.dev.configure.appHomepageUrl"},
		{"section array", `{"authKit":{"prod":[]}}`, "authKit.prod"},
		// A secret in a URL registered in WorkOS is published; it was a warning
		// (${authEnv.WORKOS_API_KEY}) or nothing (a key after the first character).
		{"api key placeholder in URL", `{"authKit":{"dev":{"configure":{"appHomepageUrl":"https://x.com/${authEnv.WORKOS_API_KEY}"}}}}`, "authKit.dev.configure.appHomepageUrl"},
		{"key in redirect URI query", `{"authKit":{"dev":{"configure":{"redirectUris":["http://localhost:3000/callback?key=sk_test_0123456789abcdef"]}}}}`, "authKit.dev.configure.redirectUris[0]"},
		{"key in CORS origin host", `{"authKit":{"dev":{"configure":{"corsOrigins":["https://sk_live_0123456789abcdef.example.com"]}}}}`, "authKit.dev.configure.corsOrigins[0]"},
		{"cookie password in URL", `{"authKit":{"prod":{"configure":{"redirectUris":["https://a.com/cb?p=${buildEnv.WORKOS_COOKIE_PASSWORD}"]}}}}`, "authKit.prod.configure.redirectUris[0]"},
		{"secret-named buildEnv in URL", `{"authKit":{"prod":{"configure":{"appHomepageUrl":"https://a.com/?t=${buildEnv.SESSION_SECRET}"}}}}`, "authKit.prod.configure.appHomepageUrl"},
		{"client ID in URL is fine", `{"authKit":{"dev":{"configure":{"redirectUris":["https://a.com/cb?c=${authEnv.WORKOS_CLIENT_ID}&x=ask_me"]}}}}`, ""},
		{"API key in localEnvVars is not a URL", `{"authKit":{"dev":{"localEnvVars":{"WORKOS_API_KEY":"${authEnv.WORKOS_API_KEY}"}}}}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("convex.json", []byte(tt.json))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			errs := cfg.Errors()
			if tt.errPath == "" {
				if len(errs) > 0 {
					t.Fatalf("want valid, got %v", errs)
				}
				return
			}
			for _, p := range errs {
				if p.Path == tt.errPath {
					if p.Line == 0 || p.Column == 0 || p.Hint == "" {
						t.Fatalf("problem without position or hint: %+v", p)
					}
					return
				}
			}
			t.Fatalf("want an error at %s, got %v", tt.errPath, errs)
		})
	}
}

func TestAllProblemsAtOnce(t *testing.T) {
	cfg, err := Parse("convex.json", []byte(`{"authKit":{
  "dev":{"environmentType":"production","configure":true},
  "preview":{"localEnvVars":{"A":"b"}},
  "prod":{"environmentType":"prod"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, p := range cfg.Errors() {
		paths = append(paths, p.Path)
	}
	want := "authKit.dev.environmentType authKit.dev.configure authKit.preview.localEnvVars authKit.prod.environmentType"
	if got := strings.Join(paths, " "); got != want {
		t.Fatalf("errors at %q, want %q", got, want)
	}
}

func TestWarnings(t *testing.T) {
	tests := []struct {
		name, json, path, msg string
	}{
		{"unknown section suggests", `{"authKit":{"production":{}}}`, "authKit.production", `unknown section "production"`},
		{"unknown key in section", `{"authKit":{"dev":{"localEnv":{}}}}`, "authKit.dev.localEnv", `unknown key "localEnv"`},
		{"unknown key in configure", `{"authKit":{"dev":{"configure":{"redirectURIs":[]}}}}`, "authKit.dev.configure.redirectURIs", `unknown key "redirectURIs"`},
		{"duplicate key", `{"authKit":{"dev":{"configure":false,"configure":{}}}}`, "authKit.dev.configure", "duplicate key"},
		{"duplicate redirect", `{"authKit":{"dev":{"configure":{"redirectUris":["http://a.com/cb","http://a.com/cb"]}}}}`, "authKit.dev.configure.redirectUris[1]", "repeats"},
		{"look-alike", `{"authKit":{"dev":{"configure":{"appHomepageUrl":"https://$HOST"}}}}`, "authKit.dev.configure.appHomepageUrl", "looks like a placeholder"},
		{"public secret", `{"authKit":{"dev":{"localEnvVars":{"VITE_WORKOS_API_KEY":"${authEnv.WORKOS_API_KEY}"}}}}`, "authKit.dev.localEnvVars.VITE_WORKOS_API_KEY", "public prefix VITE_"},
		{"literal key", `{"authKit":{"dev":{"localEnvVars":{"WORKOS_API_KEY":"sk_test_abcdefghijklmnop"}}}}`, "authKit.dev.localEnvVars.WORKOS_API_KEY", "looks like a WorkOS API key"},
		{"not a URL", `{"authKit":{"dev":{"configure":{"redirectUris":["localhost:3000/callback"]}}}}`, "authKit.dev.configure.redirectUris[0]", "not an absolute URL"},
		{"origin with path", `{"authKit":{"dev":{"configure":{"corsOrigins":["http://localhost:3000/app"]}}}}`, "authKit.dev.configure.corsOrigins[0]", "not an origin"},
		{"bad env name", `{"authKit":{"dev":{"localEnvVars":{"MY VAR":"x"}}}}`, `authKit.dev.localEnvVars["MY VAR"]`, "not a variable name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("convex.json", []byte(tt.json))
			if err != nil {
				t.Fatal(err)
			}
			if errs := cfg.Errors(); len(errs) > 0 {
				t.Fatalf("unexpected errors: %v", errs)
			}
			for _, p := range cfg.Warnings() {
				if p.Path == tt.path && strings.Contains(p.Message, tt.msg) {
					return
				}
			}
			t.Fatalf("want a warning at %s containing %q, got %v", tt.path, tt.msg, cfg.Warnings())
		})
	}
}

func TestNoFalseWarnings(t *testing.T) {
	data, err := os.ReadFile("../../testdata/projects/vite/convex.json")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse("convex.json", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Problems) > 0 {
		t.Fatalf("the example project has problems: %v", cfg.Problems)
	}
	if got := cfg.UnknownTopLevel; len(got) != 0 {
		t.Fatalf("UnknownTopLevel = %v", got)
	}
}

func TestModelPositions(t *testing.T) {
	cfg, err := Parse("convex.json", []byte("{\n  \"authKit\": {\n    \"dev\": {\n      \"configure\": {\"redirectUris\": [\"a\", \"b\"]},\n      \"localEnvVars\": {\"Z\": \"1\", \"A\": \"2\"}\n    }\n  }\n}\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Section(Dev)
	if s == nil || s.Configure == nil {
		t.Fatal("dev section not loaded")
	}
	if got := s.Configure.RedirectURIs[1]; got.Value != "b" || got.Pos.Line != 4 || got.Pos.Column != 43 || got.Path != "authKit.dev.configure.redirectUris[1]" {
		t.Fatalf("redirectUris[1] = %+v", got)
	}
	if s.LocalEnvVars[0].Name != "Z" || s.LocalEnvVars[1].Name != "A" {
		t.Fatalf("localEnvVars order lost: %+v", s.LocalEnvVars)
	}
	if cfg.Section(Prod) != nil {
		t.Fatal("absent prod section should be nil")
	}
}

func TestFileErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	big := make([]byte, MaxSize+1)
	for i := range big {
		big[i] = ' '
	}
	tests := []struct {
		name, path, msg string
		line            int
	}{
		{"missing", filepath.Join(dir, "nope.json"), "file not found", 0},
		{"directory", dir, "is a directory", 0},
		{"empty", write("empty.json", nil), "file is empty", 0},
		{"invalid utf-8", write("latin1.json", []byte("{\"authKit\": {\"dev\": {\"x\": \"caf\xe9\"}}}")), "invalid UTF-8", 1},
		{"too large", write("big.json", big), "larger than", 0},
		{"bom", write("bom.json", []byte("\xef\xbb\xbf{}")), "byte order mark", 1},
		{"syntax", write("syntax.json", []byte("{\n  \"authKit\": {,}\n}")), "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.path, "convex.json")
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("Load error = %v, want *FileError", err)
			}
			if !strings.Contains(fe.Message, tt.msg) || fe.Line != tt.line || fe.Severity != diag.SeverityError {
				t.Fatalf("problem = %+v, want message containing %q at line %d", fe.Problem, tt.msg, tt.line)
			}
			if fe.File != "convex.json" {
				t.Fatalf("File = %q", fe.File)
			}
		})
	}
}

func TestNearSection(t *testing.T) {
	tests := []struct {
		key  string
		want Env // "" for no near miss
	}{
		{"prodution", Prod},
		{"Prod", Prod},
		{"PROD", Prod},
		{"production", Prod},
		{"Production", Prod},
		{"prd", Prod},
		{"prodd", Prod},
		{"Dev", Dev},
		{"development", Dev},
		{"develpoment", Dev},
		{"develop", Dev},
		{"preveiw", Preview},
		{"previews", Preview},
		{"Preview", Preview},
		// Two edits from "prod", but a different word: no guess.
		{"prev", ""},
		{"pr", ""},
		// Words for a kind of deployment, not its section: hints only.
		{"staging", ""},
		{"live", ""},
		{"local", ""},
		{"functions", ""},
	}
	for _, tt := range tests {
		got, ok := NearSection(tt.key)
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("NearSection(%q) = %q, %v; want %q", tt.key, got, ok, tt.want)
		}
	}
}

func TestNearMisses(t *testing.T) {
	const doc = "{\n  \"authKit\": {\n    \"dev\": {},\n    \"prodution\": {},\n    \"staging\": {}\n  }\n}\n"
	cfg, err := Parse("convex.json", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.NearMisses(Prod)
	if len(got) != 1 {
		t.Fatalf("NearMisses(prod) = %v, want one problem", got)
	}
	want := `convex.json:4:5: authKit.prodution: there is no authKit.prod section and Convex ignores "prodution": did you mean "prod"?`
	if got[0].String() != want || got[0].Severity != "error" {
		t.Errorf("NearMisses(prod) = %s %q\nwant error %q", got[0].Severity, got[0].String(), want)
	}
	// dev exists, and staging is no near miss of preview: both run as they
	// would in Convex.
	for _, env := range []Env{Dev, Preview} {
		if p := cfg.NearMisses(env); len(p) != 0 {
			t.Errorf("NearMisses(%s) = %v, want none", env, p)
		}
	}
	// With the section present the near miss is only validate's warning.
	cfg, err = Parse("convex.json", []byte(`{"authKit":{"prod":{},"Prod":{}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if p := cfg.NearMisses(Prod); len(p) != 0 {
		t.Errorf("NearMisses(prod) with a prod section = %v, want none", p)
	}
}

// config validate names the section a misspelt key stands for.
func TestUnknownSectionHint(t *testing.T) {
	tests := map[string]string{
		"prodution": `did you mean "prod"?`,
		"Prod":      `did you mean "prod"?`,
		"staging":   `did you mean "preview"?`,
		"qa":        "the sections are dev, preview and prod",
	}
	for key, want := range tests {
		cfg, err := Parse("convex.json", []byte(`{"authKit":{"`+key+`":{}}}`))
		if err != nil {
			t.Fatal(err)
		}
		w := cfg.Warnings()
		if len(w) != 1 || !strings.HasPrefix(w[0].Hint, want) {
			t.Errorf("%s: warnings %v, want one whose hint starts %q", key, w, want)
		}
	}
}
