package apply

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/emulator"
	"github.com/convex-authkit/convex-authkit/internal/ghactions"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/project"
	"github.com/convex-authkit/convex-authkit/internal/prompt"
)

// projectWith writes files into a project folder and returns the options
// that select its dev section, with env as the environment.
func projectWith(tb testing.TB, files map[string]string, env map[string]string) project.Options {
	tb.Helper()
	dir := tb.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	return project.Options{ConfigPath: filepath.Join(dir, "convex.json"), ConfigName: "convex.json", Dir: dir, EnvFlag: "dev", Env: env}
}

// runFiles runs apply --dry-run on projectWith(files, env) and returns
// stderr, as Main would print it, and the exit code.
func runFiles(t *testing.T, files map[string]string, env map[string]string) (string, int) {
	t.Helper()
	io, _, _, errOut := iostreams.Test()
	err := Run(context.Background(), Options{IO: io, Options: projectWith(t, files, env), DryRun: true, Concurrency: 1})
	code := 0
	if err != nil {
		var ce *cmdutil.Error
		if !errors.As(err, &ce) {
			t.Fatalf("Run returned an untyped error: %v", err)
		}
		// What Main prints.
		code = ce.Code
		cmdutil.PrintProblems(errOut, io.ColorScheme(), ce.Problems)
		errOut.WriteString("error: " + err.Error() + "\n")
	}
	return errOut.String(), code
}

// A value that the file check warns about and apply refuses is one error,
// reported before the missing key, since fixing the key would not help.
func TestRunReportsInvalidValuesOnceAndFirst(t *testing.T) {
	stderr, code := runFiles(t, map[string]string{
		"convex.json": `{"authKit":{"dev":{"configure":{"redirectUris":["/callback"]}}}}`,
	}, map[string]string{})
	if code != cmdutil.ExitUsage {
		t.Errorf("exit code %d, want %d (configuration error)\n%s", code, cmdutil.ExitUsage, stderr)
	}
	if n := strings.Count(stderr, "redirectUris[0]"); n != 1 {
		t.Errorf("redirectUris[0] reported %d times, want once:\n%s", n, stderr)
	}
	if strings.Contains(stderr, "WORKOS_API_KEY") {
		t.Errorf("the missing key is reported before the invalid value:\n%s", stderr)
	}
}

func TestRunExplainsAnEmptyKey(t *testing.T) {
	stderr, code := runFiles(t, map[string]string{
		"convex.json": `{"authKit":{"dev":{"configure":{"redirectUris":["http://localhost:3000/callback"]}}}}`,
		".env.local":  "WORKOS_API_KEY=sk_test_0123456789abcdef0123\n",
	}, map[string]string{"WORKOS_API_KEY": ""})
	if code != cmdutil.ExitAuth {
		t.Errorf("exit code %d, want %d", code, cmdutil.ExitAuth)
	}
	if !strings.Contains(stderr, "WORKOS_API_KEY is set but empty (environment)") {
		t.Errorf("stderr does not say the key is set but empty:\n%s", stderr)
	}
}

// A partial failure under --json: stdout holds one document, the report with
// every result and the error (Main prints it on stderr, not a second
// document); in GitHub Actions the failed change is annotated on stderr and
// the plan and results are appended to the job summary.
func TestRunJSONPartialFailureIsOneDocument(t *testing.T) {
	emu := emulator.New(emulator.Options{})
	url, err := emu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	emu.SetFaults(emulator.Faults{Match: "POST /user_management/cors_origins", TooManyRequests: 4, RetryAfter: "0"})
	po := projectWith(t, map[string]string{
		"convex.json": `{"authKit":{"dev":{"configure":{"redirectUris":["http://localhost:3000/callback"],"corsOrigins":["http://localhost:3000"]}}}}`,
	}, map[string]string{"WORKOS_API_KEY": emu.APIKey(), "WORKOS_BASE_URL": url})
	io, _, out, errOut := iostreams.Test()
	summaryPath := filepath.Join(t.TempDir(), "summary.md")
	if err := os.WriteFile(summaryPath, []byte("earlier step\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ci := ghactions.Step{Annotate: ghactions.NewAnnotator(ghactions.Env{Actions: true, Workspace: po.Dir}, errOut, po.Dir, nil, "convex-authkit apply"), SummaryPath: summaryPath}
	err = Run(context.Background(), Options{IO: io, Options: po, JSON: true, Concurrency: 2, CI: ci})

	var ce *cmdutil.Error
	if !errors.As(err, &ce) || ce.Code != cmdutil.ExitFailure || !ce.JSONWritten || ce.Silent {
		t.Fatalf("Run = %#v, want an exit-1 error already in the document", err)
	}
	dec := json.NewDecoder(out)
	var report Report
	if err := dec.Decode(&report); err != nil {
		t.Fatalf("stdout: %v\n%s", err, out)
	}
	if dec.More() {
		t.Errorf("stdout holds more than one JSON document:\n%s", out)
	}
	if got := Failures(report.Results); len(got) != 1 || got[0].Resource != CORSOrigin {
		t.Errorf("failed results = %+v, want the CORS origin", got)
	}
	if e := report.Error; e == nil || e.Code != 1 || e.Message != "1 of 2 changes failed; the others were applied" || !strings.HasPrefix(e.Hint, "run apply again") {
		t.Errorf("report error = %+v", report.Error)
	}
	if !strings.Contains(errOut.String(), "::error title=convex-authkit apply::CORS origin http://localhost:3000: ") {
		t.Errorf("stderr does not annotate the failed change:\n%s", errOut)
	}
	md, err := os.ReadFile(summaryPath)
	for _, want := range []string{"earlier step\n### convex-authkit apply (authKit.dev)\n", "| + add | redirect URI | `http://localhost:3000/callback` |", "| failed | CORS origin | `http://localhost:3000` |", "✗ 1 of 2 changes failed"} {
		if err != nil || !strings.Contains(string(md), want) {
			t.Errorf("summary lacks %q (%v):\n%s", want, err, md)
		}
	}
}

// confirmer answers Confirm with ok or err and records the question.
type confirmer struct {
	ok    bool
	err   error
	asked []string
}

func (c *confirmer) Confirm(title, _ string, _ bool) (bool, error) {
	c.asked = append(c.asked, title)
	return c.ok, c.err
}

// On a terminal, --prune without --yes asks before deleting: no (or
// Ctrl-C) applies nothing and exits 2, yes deletes; a prompt that fails is
// an error, not a cancellation.
func TestRunPruneAsksOnATerminal(t *testing.T) {
	for _, tc := range []struct {
		name    string
		answer  confirmer
		code    int
		deleted bool
	}{
		{"no", confirmer{ok: false}, cmdutil.ExitCancel, false},
		{"ctrl-c", confirmer{err: prompt.ErrCancelled}, cmdutil.ExitCancel, false},
		{"broken terminal", confirmer{err: errors.New("read /dev/tty: input/output error")}, -1, false},
		{"yes", confirmer{ok: true}, cmdutil.ExitOK, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emu := emulator.New(emulator.Options{})
			url, err := emu.Start("127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = emu.Close() })
			emu.AddRedirectURI("http://localhost:3000/callback", true)
			emu.AddRedirectURI("http://localhost:3000/stale", false)
			po := projectWith(t, map[string]string{
				"convex.json": `{"authKit":{"dev":{"configure":{"redirectUris":["http://localhost:3000/callback"]}}}}`,
			}, map[string]string{"WORKOS_API_KEY": emu.APIKey(), "WORKOS_BASE_URL": url})
			io, _, _, errOut := iostreams.Test()
			io.SetStdinTTY(true)
			io.SetStdoutTTY(true)
			answer := tc.answer
			err = Run(context.Background(), Options{IO: io, Prompter: &answer, Options: po, Prune: true, Concurrency: 1})

			if want := []string{"Delete 1 redirect URI from WorkOS?"}; !reflect.DeepEqual(answer.asked, want) {
				t.Errorf("asked %q, want %q", answer.asked, want)
			}
			var ce *cmdutil.Error
			switch {
			case tc.code == cmdutil.ExitOK && err != nil,
				tc.code > 0 && (!errors.As(err, &ce) || ce.Code != tc.code),
				tc.code < 0 && (err == nil || errors.As(err, &ce) || !strings.Contains(err.Error(), "input/output error")):
				t.Fatalf("Run = %v, want exit code %d", err, tc.code)
			}
			if cancelled := tc.code == cmdutil.ExitCancel; cancelled != strings.Contains(errOut.String(), "Nothing was applied.") {
				t.Errorf("stderr:\n%s", errOut)
			}
			want := []string{"http://localhost:3000/callback"}
			if !tc.deleted {
				want = append(want, "http://localhost:3000/stale")
			}
			if got := emu.RedirectURIs(); !reflect.DeepEqual(got, want) {
				t.Errorf("redirect URIs = %q, want %q", got, want)
			}
		})
	}
}

// Ctrl-C while a write is in flight: the requests stop, nothing is retried,
// and apply exits 2 saying what is known: the write in flight was sent and
// may have been applied (unknown), the other never left (not sent).
func TestRunCancelledMidway(t *testing.T) {
	emu := emulator.New(emulator.Options{})
	url, err := emu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	emu.SetFaults(emulator.Faults{Match: "POST", Latency: time.Hour})
	po := projectWith(t, map[string]string{
		"convex.json": `{"authKit":{"dev":{"configure":{"redirectUris":["http://localhost:3000/callback"],"corsOrigins":["http://localhost:3000"]}}}}`,
	}, map[string]string{"WORKOS_API_KEY": emu.APIKey(), "WORKOS_BASE_URL": url})
	io, _, out, _ := iostreams.Test()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- Run(ctx, Options{IO: io, Options: po, Concurrency: 1, Timeout: time.Hour}) }()

	posts := func() int {
		n := 0
		for _, r := range emu.Requests() {
			if r.Method == "POST" {
				n++
			}
		}
		return n
	}
	for deadline := time.Now().Add(10 * time.Second); posts() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no write reached the emulator")
		}
	}
	cancel()
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run ignored the cancelled context")
	}
	var ce *cmdutil.Error
	if !errors.As(err, &ce) || ce.Code != cmdutil.ExitCancel || ce.Error() != "cancelled: 2 of 2 changes are not confirmed (1 unknown, 1 not sent)" || !strings.Contains(ce.Hint, "run apply again") {
		t.Fatalf("Run = %#v, want exit 2 saying 1 change is unknown and 1 was not sent", err)
	}
	if n := posts(); n != 1 {
		t.Errorf("%d writes sent, want 1: a cancelled run starts and retries nothing", n)
	}
	// Which of the two went first is up to the scheduler.
	lines := map[string]string{
		"/user_management/redirect_uris": "redirect URI http://localhost:3000/callback",
		"/user_management/cors_origins":  "CORS origin http://localhost:3000",
	}
	sent := emu.Requests()[len(emu.Requests())-1].Path
	var other string
	for path, what := range lines {
		if path != sent {
			other = what
		}
	}
	want := []string{
		"? unknown " + lines[sent] + ": POST " + sent + ": context canceled; it was sent but no answer says whether it was applied: run apply again to settle it",
		"- not sent " + other + ": cancelled before the request was sent",
		"Applied: 0 created, 0 updated, 0 deleted, 0 unchanged, 0 skipped, 2 failed (1 unknown, 1 not sent).",
	}
	for _, l := range want {
		if !strings.Contains(out.String(), l+"\n") {
			t.Errorf("stdout lacks %q:\n%s", l, out)
		}
	}
}
