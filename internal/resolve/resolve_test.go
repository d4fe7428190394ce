package resolve

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/config"
)

func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSourcePrecedence(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		".env.local": "# comment\nA=local\nB=local\nWORKOS_CLIENT_ID=client_local\n",
		".env":       "A=dotenv\nB=dotenv\nC=dotenv\nD=dotenv\n",
	})
	src, err := Load(Options{
		Dir:   dir,
		Env:   map[string]string{"A": "env", "D": ""},
		Flags: map[string]string{"WORKOS_CLIENT_ID": "client_flag"},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, value, source string
		found               bool
	}{
		{"A", "env", "environment", true},
		{"B", "local", ".env.local:3", true},
		{"C", "dotenv", ".env:3", true},
		// Set but empty in the environment: dotenv does not override it.
		{"D", "", "environment", true},
		{"E", "", "", false},
	}
	for _, tt := range tests {
		v, s, found := src.Get(tt.name)
		if v != tt.value || s != tt.source || found != tt.found {
			t.Errorf("Get(%s) = %q, %q, %v; want %q, %q, %v", tt.name, v, s, found, tt.value, tt.source, tt.found)
		}
	}
	if v, s, _ := src.GetAuth("WORKOS_CLIENT_ID"); v != "client_flag" || s != "flag" {
		t.Errorf("GetAuth(WORKOS_CLIENT_ID) = %q from %q, want the flag", v, s)
	}
	if v, s, _ := src.Get("WORKOS_CLIENT_ID"); v != "client_local" || s != ".env.local:4" {
		t.Errorf("Get(WORKOS_CLIENT_ID) = %q from %q; buildEnv must ignore flags", v, s)
	}
}

func TestLoadReportsDotenvLineWithoutContent(t *testing.T) {
	dir := t.TempDir()
	// npm dotenv skips a line without '=' (as the app does); the one
	// error is a file that is not UTF-8.
	writeFiles(t, dir, map[string]string{".env": "OK=1\nWORKOS_API_KEY=sk_test_secretvalue123\xff\n"})
	_, err := Load(Options{Dir: dir})
	if err == nil {
		t.Fatal("want a parse error")
	}
	if !strings.Contains(err.Error(), ".env:2") || strings.Contains(err.Error(), "secretvalue") {
		t.Fatalf("error = %q, want .env:2 and no content", err)
	}
}

func TestResolveSection(t *testing.T) {
	cfg, err := config.Parse("convex.json", []byte(`{"authKit":{"dev":{
  "configure":{"redirectUris":["https://${buildEnv.HOST}/cb","${buildEnv.NOPE}/${buildEnv.NADA}"],"appHomepageUrl":"https://${buildEnv.HOST}"},
  "localEnvVars":{"KEY":"${authEnv.WORKOS_API_KEY}","ID":"${authEnv.WORKOS_CLIENT_ID}"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	src, err := Load(Options{Dir: t.TempDir(), Env: map[string]string{"HOST": "example.com", "WORKOS_API_KEY": "sk_test_abcdefghijklmnop"}})
	if err != nil {
		t.Fatal(err)
	}
	sec := Resolve(cfg, config.Dev, src)
	if !sec.Configured || sec.RedirectURIs[0].Value != "https://example.com/cb" || sec.AppHomepageURL.Value != "https://example.com" {
		t.Fatalf("section = %+v", sec)
	}
	if len(sec.Problems) != 3 {
		t.Fatalf("want 3 problems (NOPE, NADA, WORKOS_CLIENT_ID), got %v", sec.Problems)
	}
	for _, p := range sec.Problems {
		if p.Line == 0 || p.Column == 0 || p.Path == "" || p.Hint == "" {
			t.Errorf("problem lacks location or hint: %+v", p)
		}
	}
	if !sec.LocalEnvVars[0].Secret || sec.LocalEnvVars[1].Secret {
		t.Fatalf("secret flags wrong: %+v", sec.LocalEnvVars)
	}
	if absent := Resolve(cfg, config.Prod, src); absent.Configured {
		t.Fatal("absent prod section reported as configured")
	}
}

// BenchmarkLoadAndResolve loads a convex.json with 500 redirect URIs per
// section and resolves the dev section, as every command does on start.
func BenchmarkLoadAndResolve(b *testing.B) {
	dir := b.TempDir()
	var uris []string
	for i := range 500 {
		uris = append(uris, fmt.Sprintf(`"https://${buildEnv.HOST}/tenant-%d/callback"`, i))
	}
	list := strings.Join(uris, ",\n        ")
	section := fmt.Sprintf(`{"configure": {"redirectUris": [%s], "appHomepageUrl": "https://${buildEnv.HOST}", "corsOrigins": ["https://${buildEnv.HOST}"]}}`, list)
	doc := fmt.Sprintf(`{"functions": "convex/", "authKit": {"dev": %s, "preview": %s, "prod": %s}}`, section, section, section)
	writeFiles(b, dir, map[string]string{"convex.json": doc, ".env.local": "HOST=example.com\n"})
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		cfg, err := config.Load(filepath.Join(dir, "convex.json"), "convex.json")
		if err != nil || len(cfg.Errors()) > 0 {
			b.Fatal(err, cfg.Errors())
		}
		src, err := Load(Options{Dir: dir, Env: map[string]string{}})
		if err != nil {
			b.Fatal(err)
		}
		if sec := Resolve(cfg, config.Dev, src); len(sec.RedirectURIs) != 500 || len(sec.Problems) > 0 {
			b.Fatal("unexpected result")
		}
	}
}

// TestRedactorKeepsPlaceholders: a secret variable that did not resolve
// still holds its template, which error messages must show as written.
func TestRedactorKeepsPlaceholders(t *testing.T) {
	cfg, err := config.Parse("convex.json", []byte(`{"authKit":{"dev":{"localEnvVars":{
  "WORKOS_API_KEY":"${authEnv.WORKOS_API_KEY}","WORKOS_COOKIE_PASSWORD":"${buildEnv.COOKIE}"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	src, err := Load(Options{Dir: t.TempDir(), Env: map[string]string{"COOKIE": "a-cookie-password-long-enough"}})
	if err != nil {
		t.Fatal(err)
	}
	r := Resolve(cfg, config.Dev, src).Redactor(src)
	msg := "cannot resolve ${authEnv.WORKOS_API_KEY}; cookie a-cookie-password-long-enough"
	got := r.Redact(msg)
	if !strings.Contains(got, "${authEnv.WORKOS_API_KEY}") {
		t.Errorf("placeholder masked: %q", got)
	}
	if strings.Contains(got, "a-cookie-password-long-enough") {
		t.Errorf("secret not masked: %q", got)
	}
}

// TestFiles: doctor's env.gitignore reads the files through Files, in
// DotenvFiles order, so a missing file must be left out, not be nil.
func TestFiles(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{".env": "A=1\nWORKOS_API_KEY=sk_test_x\n"})
	src, err := Load(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if fs := src.Files(); len(fs) != 1 || fs[0].Name != ".env" || len(fs[0].Entries) != 2 || fs[0].Entries[1].Key != "WORKOS_API_KEY" {
		t.Fatalf("Files() = %+v, want .env alone with its two entries", fs)
	}
	writeFiles(t, dir, map[string]string{".env.local": "B=2\n"})
	if src, err = Load(Options{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range src.Files() {
		names = append(names, f.Name)
	}
	if fmt.Sprint(names) != fmt.Sprint(DotenvFiles) {
		t.Errorf("Files() names %v, want %v", names, DotenvFiles)
	}
}

// TestSecretInURL: a URL that only holds a secret once resolved is caught
// here; config validation cannot see it.
func TestSecretInURL(t *testing.T) {
	const pass = "cookie-password-0123456789-abcdefghij"
	env := map[string]string{
		"KEYED":                  "http://localhost:3000/cb?k=sk_test_0123456789abcdef",
		"WITH_PASS":              "https://a.example.com/?p=" + pass,
		"HOST":                   "development.example.com",
		"WORKOS_COOKIE_PASSWORD": pass,
		"SECRET_KEY_BASE":        "development",
		"ALIAS":                  "development",
	}
	tests := []struct{ tmpl, want string }{
		{"${buildEnv.KEYED}", "a WorkOS API key"},
		{"${buildEnv.WITH_PASS}", "the value of WORKOS_COOKIE_PASSWORD"},
		// A literal that happens to contain a secret's value is not flagged:
		// the secret is "development", the URL is the team's own.
		{"https://development.example.com/cb", ""},
		{"https://${buildEnv.HOST}/cb", ""},
		{"https://a.example.com/?x=${buildEnv.ALIAS}", "the value of SECRET_KEY_BASE"},
		{"https://a.example.com/cb", ""},
	}
	src, err := Load(Options{Dir: t.TempDir(), Env: env})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		cfg, err := config.Parse("convex.json", []byte(`{"authKit":{"dev":{"configure":{"redirectUris":["`+tt.tmpl+`"]}}}}`))
		if err != nil || len(cfg.Errors()) > 0 {
			t.Fatalf("%s: %v %v", tt.tmpl, err, cfg.Errors())
		}
		sec := Resolve(cfg, config.Dev, src)
		v := sec.RedirectURIs[0]
		if v.SecretIn != tt.want || (tt.want != "") != v.Secret {
			t.Errorf("%s: SecretIn = %q (Secret %v), want %q", tt.tmpl, v.SecretIn, v.Secret, tt.want)
		}
	}
}
