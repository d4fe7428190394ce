package envgen

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/project"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const (
	testKey   = "sk_test_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6"
	testEnvID = "environment_01JXWR78G1RS943SJZG9G9KFDW"
	testCID   = "client_01K0FF1C1A1EM0000000000000"
)

// zeros makes the generated cookie password predictable in golden files.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(i)
	}
	return len(p), nil
}

// runGenerate copies testdata/projects/<project> to a temporary folder, adds files,
// runs generate env there and returns its stdout, stderr, exit code and
// the folder.
func runGenerate(t *testing.T, projectName string, files map[string]string, env, flags map[string]string, mutate func(*Options)) (stdout, stderr string, code int, dir string) {
	t.Helper()
	dir = t.TempDir()
	src := filepath.Join("..", "..", "testdata", "projects", projectName)
	if projectName != "" {
		if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if env == nil {
		env = map[string]string{}
	}
	ios, _, out, errOut := iostreams.Test()
	opts := Options{
		IO: ios,
		Options: project.Options{
			ConfigPath: filepath.Join(dir, "convex.json"), ConfigName: "convex.json", Dir: dir, Env: env, Flags: flags,
		},
		WorkDir: dir,
		Rand:    zeros{},
		Ignored: func(string, string) (bool, error) { return true, nil },
	}
	if mutate != nil {
		mutate(&opts)
	}
	err := Run(opts)
	if err != nil {
		var ce *cmdutil.Error
		if !errors.As(err, &ce) {
			ce = &cmdutil.Error{Code: cmdutil.ExitFailure, Err: err}
		}
		code = ce.Code
		cmdutil.PrintProblems(errOut, ios.ColorScheme(), ce.Problems)
		errOut.WriteString("error: " + err.Error() + "\n")
	}
	return out.String(), errOut.String(), code, dir
}

// TestGolden runs generate env on a project of each framework and compares
// what it prints and the .env.local it leaves with testdata/golden/*.txtar
// (go test -run TestGolden -update rewrites them).
func TestGolden(t *testing.T) {
	ids := map[string]string{"WORKOS_CLIENT_ID": testCID, "WORKOS_ENVIRONMENT_ID": testEnvID}
	tests := []struct {
		name, project string
		files         map[string]string
		env, flags    map[string]string
		mutate        func(*Options)
	}{
		// The fixture's .env.local, as `npx convex dev` left it for a
		// deployment that holds the client ID: the ID comes from the
		// flag, and the Vite variables are added under the Convex ones.
		{name: "vite", project: "vite", flags: ids},
		// Next.js: the API key is in the environment, so it is skipped;
		// the cookie password is generated.
		{name: "nextjs", project: "nextjs", env: map[string]string{"WORKOS_API_KEY": testKey}, flags: ids},
		// TanStack Start: the API key in .env is skipped too.
		{name: "tanstack-start", project: "tanstack-start-env", flags: ids,
			files: map[string]string{".env": "WORKOS_API_KEY=" + testKey + "\n"}},
		// React Router: no cookie password of its own (the Convex CLI's
		// rule), but convex.json takes one from SESSION_SECRET; a CRLF
		// file; a title that needs quotes; no environment id, no comment.
		{name: "react-router", project: "react-router-env",
			files: map[string]string{".env.local": "CONVEX_DEPLOYMENT=dev:x # team\r\nWORKOS_API_KEY=" + testKey + "\r\n"},
			env:   map[string]string{"SESSION_SECRET": "a-session-secret-of-at-least-32-characters", "SITE_TITLE": "Tom's App #1"},
			flags: map[string]string{"WORKOS_CLIENT_ID": testCID}},
		// --force --dry-run over a file with the Convex CLI's pitfalls: a
		// longer name with the same prefix, export, an inline comment.
		{name: "force-dry-run", project: "vite", flags: ids, mutate: func(o *Options) { o.Force, o.DryRun = true, true },
			files: map[string]string{".env.local": "VITE_WORKOS_CLIENT_ID_OLD=keep\nexport VITE_WORKOS_CLIENT_ID=client_OLD # mine\n\nVITE_WORKOS_REDIRECT_URI=http://localhost:5173/callback\n"}},
		{name: "json", project: "nextjs", env: map[string]string{"WORKOS_API_KEY": testKey}, flags: ids,
			mutate: func(o *Options) { o.JSON = true }},
		{name: "prod", project: "tanstack-start-env", mutate: func(o *Options) { o.EnvFlag = "prod" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code, dir := runGenerate(t, tt.project, tt.files, tt.env, tt.flags, tt.mutate)
			envLocal := "(no file)\n"
			if data, err := os.ReadFile(filepath.Join(dir, FileName)); err == nil {
				envLocal = string(data)
			}
			if strings.Contains(stdout+stderr+envLocal, dir) {
				t.Errorf("output names the temporary folder %s", dir)
			}
			if strings.Contains(stdout+stderr, testKey) {
				t.Errorf("output shows the API key:\n%s%s", stdout, stderr)
			}
			got := txtar.Format(&txtar.Archive{Files: []txtar.File{
				{Name: "exit", Data: []byte(strconv.Itoa(code) + "\n")},
				{Name: "stdout", Data: []byte(stdout)},
				{Name: "stderr", Data: []byte(stderr)},
				{Name: FileName, Data: []byte(envLocal)},
			}})
			path := filepath.Join("testdata", "golden", tt.name+".txtar")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs (run with -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
			}
		})
	}
}
