package apply

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/officialemu"
	"github.com/convex-authkit/convex-authkit/internal/project"
	"github.com/convex-authkit/convex-authkit/internal/workos"
)

// writeProject writes a convex.json whose authKit.dev.configure is
// configure (a JSON object) and returns the project options that select
// that section with env as the environment.
func writeProject(tb testing.TB, configure string, env map[string]string) project.Options {
	tb.Helper()
	return projectWith(tb, map[string]string{"convex.json": `{"authKit":{"dev":{"configure":` + configure + `}}}`}, env)
}

// runJSON runs apply --json and decodes its report.
func runJSON(t *testing.T, po project.Options) (Report, string, error) {
	t.Helper()
	io, _, out, errOut := iostreams.Test()
	err := Run(context.Background(), Options{IO: io, Options: po, JSON: true, Concurrency: 8})
	var report Report
	if jerr := json.Unmarshal(out.Bytes(), &report); jerr != nil {
		t.Fatalf("stdout is not one JSON report: %v\n%s\nstderr:\n%s", jerr, out, errOut)
	}
	return report, errOut.String(), err
}

// TestApplyOfficialEmulator applies a dev section twice against WorkOS's own
// emulator (npm workos@0.14.0), which cannot list redirect URIs or CORS
// origins, has no homepage endpoint and answers duplicates with 422
// *_already_exists: the first run creates everything in ensure mode, the
// second finds everything already there.
func TestApplyOfficialEmulator(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: not installing and running the official WorkOS emulator (npm workos@" + officialemu.Version + ")")
	}
	t.Parallel()
	e := officialemu.Start(t)

	redirects := []string{"http://localhost:5173/callback", "http://127.0.0.1:5173/callback"}
	origins := []string{"http://localhost:5173", "http://127.0.0.1:5173"}
	const homepage = "http://localhost:5173"
	configure, err := json.Marshal(map[string]any{"redirectUris": redirects, "appHomepageUrl": homepage, "corsOrigins": origins})
	if err != nil {
		t.Fatal(err)
	}
	po := writeProject(t, string(configure), map[string]string{"WORKOS_API_KEY": e.APIKey, "WORKOS_BASE_URL": e.URL})

	type row struct{ resource, value, status string }
	rows := func(rs []Result) []row {
		var out []row
		for _, r := range rs {
			out = append(out, row{r.Resource, r.Value, r.Status})
		}
		return out
	}
	expect := func(status string) []row {
		var out []row
		for _, v := range redirects {
			out = append(out, row{RedirectURI, v, status})
		}
		out = append(out, row{AppHomepageURL, homepage, StatusSkipped})
		for _, v := range origins {
			out = append(out, row{CORSOrigin, v, status})
		}
		return out
	}

	for i, status := range []string{StatusCreated, StatusUnchanged} {
		report, stderr, err := runJSON(t, po)
		if err != nil {
			t.Fatalf("run %d: %v\nstderr:\n%s", i+1, err, stderr)
		}
		if report.SchemaVersion != 1 || report.Env != "dev" || report.DryRun {
			t.Errorf("run %d: report header = %+v", i+1, report)
		}
		// The plan cannot know what exists, so both runs plan the same.
		for _, it := range report.Plan {
			want := ActionEnsure
			if it.Resource == AppHomepageURL {
				want = ActionSet
			}
			if it.Action != want {
				t.Errorf("run %d: plan %s %s is %q, want %q", i+1, it.Resource, it.Value, it.Action, want)
			}
		}
		if want := (Summary{Add: len(redirects) + len(origins), Set: 1}); report.Summary != want {
			t.Errorf("run %d: summary = %+v, want %+v", i+1, report.Summary, want)
		}
		if got, want := rows(report.Results), expect(status); !reflect.DeepEqual(got, want) {
			t.Errorf("run %d: results = %v\nwant %v", i+1, got, want)
		}
		for _, r := range report.Results {
			if r.Resource == AppHomepageURL && !strings.Contains(r.Note, "no app homepage URL endpoint") {
				t.Errorf("run %d: homepage note = %q, want it to say the server has no such endpoint", i+1, r.Note)
			}
		}
		notes := strings.Join(report.Notes, "\n")
		for _, want := range []string{"cannot list redirect URIs", "cannot list CORS origins", "app homepage URL " + homepage + ": this WorkOS server has no app homepage URL endpoint"} {
			if !strings.Contains(notes, want) {
				t.Errorf("run %d: notes lack %q:\n%s", i+1, want, notes)
			}
		}
		if strings.Contains(stderr, "error") {
			t.Errorf("run %d: stderr reports an error:\n%s", i+1, stderr)
		}
	}

	// The emulator cannot list, so probe its state the only way it allows:
	// a value apply registered is a duplicate now, and a new one is not
	// (so "unchanged" above was not the emulator refusing everything).
	c := workos.New(workos.Options{BaseURL: e.URL, APIKey: e.APIKey})
	ctx := context.Background()
	for _, v := range redirects {
		if created, err := c.CreateRedirectURI(ctx, v); err != nil || created {
			t.Errorf("redirect URI %s: created=%v err=%v, want it registered already", v, created, err)
		}
	}
	for _, v := range origins {
		if created, err := c.CreateCORSOrigin(ctx, v); err != nil || created {
			t.Errorf("CORS origin %s: created=%v err=%v, want it registered already", v, created, err)
		}
	}
	if created, err := c.CreateRedirectURI(ctx, "http://localhost:5173/other"); err != nil || !created {
		t.Errorf("a new redirect URI: created=%v err=%v, want created", created, err)
	}
}
