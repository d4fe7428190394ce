package apply

import (
	"strings"
	"testing"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/config"
	"github.com/convex-authkit/convex-authkit/internal/resolve"
)

func previewSection(t *testing.T, uris string, env map[string]string) (*resolve.Section, *resolve.Sources) {
	t.Helper()
	cfg, err := config.Parse("convex.json", []byte(`{"authKit":{"preview":{"configure":{"redirectUris":`+uris+`}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	src, err := resolve.Load(resolve.Options{Dir: t.TempDir(), Env: env})
	if err != nil {
		t.Fatal(err)
	}
	return resolve.Resolve(cfg, config.Preview, src), src
}

func TestScope(t *testing.T) {
	vercel := map[string]string{"VERCEL_BRANCH_URL": "my-app-git-feature-x-team.vercel.app"}
	tests := []struct {
		name     string
		uris     string
		env      map[string]string
		slug     string
		own      int
		shared   int
		problems int
		// match maps a remote URI to the branch it must be recognised as,
		// "" meaning not a preview's at all.
		match map[string]string
	}{
		{"vercel branch URL", `["https://${buildEnv.VERCEL_BRANCH_URL}/callback"]`, vercel, "feature-x", 1, 0, 0, map[string]string{
			"https://my-app-git-feature-x-team.vercel.app/callback":   "feature-x",
			"https://my-app-git-feature-y-2-team.vercel.app/callback": "feature-y-2",
			"https://MY-APP-git-other-team.vercel.app/callback":       "other",
			"https://my-app-git-other-team.vercel.app:443/callback":   "other",
			// Prod, another project, another path: not a preview's.
			"https://app.example.com/callback":                           "",
			"https://other-git-feature-y-team.vercel.app/callback":       "",
			"https://my-app-git-feature-y-team.vercel.app/other":         "",
			"https://my-app-git-feature-y-team.vercel.app/callback/x":    "",
			"https://my-app-git-feature.y-team.vercel.app/callback":      "",
			"https://my-app-git--team.vercel.app/callback":               "",
			"https://evil.example/my-app-git-x-team.vercel.app/callback": "",
		}},
		{"literal branch text is not the branch", `["https://feature-x.example.com/callback"]`, vercel, "feature-x", 0, 1, 0, nil},
		{"branch not in the value", `["https://${buildEnv.VERCEL_BRANCH_URL}/callback"]`, vercel, "main", 0, 1, 0, nil},
		{"branch twice is ambiguous", `["https://${buildEnv.VERCEL_BRANCH_URL}/callback"]`, map[string]string{"VERCEL_BRANCH_URL": "x-git-x-team.vercel.app"}, "x", 0, 0, 1, nil},
		{"netlify deploy preview", `["${buildEnv.DEPLOY_PRIME_URL}/callback"]`, map[string]string{"DEPLOY_PRIME_URL": "https://deploy-preview-42--site.netlify.app"}, "deploy-preview-42", 1, 0, 0, map[string]string{
			"https://deploy-preview-7--site.netlify.app/callback": "deploy-preview-7",
			"https://site.netlify.app/callback":                   "",
		}},
		{"mixed", `["https://${buildEnv.VERCEL_BRANCH_URL}/callback","https://previews.example.com/callback"]`, vercel, "feature-x", 1, 1, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sec, src := previewSection(t, tt.uris, tt.env)
			own, shared, problems := Scope("convex.json", sec, src, tt.slug)
			if len(own) != tt.own || len(shared) != tt.shared || len(problems) != tt.problems {
				t.Fatalf("Scope = %d own, %d shared, %d problems; want %d, %d, %d", len(own), len(shared), len(problems), tt.own, tt.shared, tt.problems)
			}
			for uri, want := range tt.match {
				got, ok := own[0].branchOf(uri)
				if ok != (want != "") || got != want {
					t.Errorf("branchOf(%q) = %q, %v; want %q", uri, got, ok, want)
				}
			}
		})
	}
}

func TestStaleness(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	live := map[string]bool{"main": true, "feature-x": true}
	old, young := "2026-11-01T00:00:00.000Z", "2026-12-06T11:30:00.000Z"
	tests := []struct {
		name      string
		branch    string
		liveGiven bool
		created   string
		olderThan time.Duration
		want      string
	}{
		{"live branch stays, however old", "feature-x", true, old, time.Hour, ActionUnmanaged},
		{"gone branch goes", "gone", true, young, 0, ActionDelete},
		{"gone but younger than the grace period stays", "gone", true, young, time.Hour, ActionUnmanaged},
		{"gone and old goes", "gone", true, old, time.Hour, ActionDelete},
		{"age alone: old goes", "feature-x", false, old, 24 * time.Hour, ActionDelete},
		{"age alone: young stays", "feature-x", false, young, 24 * time.Hour, ActionUnmanaged},
		{"unreadable age stays", "gone", true, "yesterday", time.Hour, ActionUnmanaged},
		{"missing age stays", "gone", false, "", time.Hour, ActionUnmanaged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reason := staleness(tt.branch, live, tt.liveGiven, tt.created, tt.olderThan, now)
			if got != tt.want || reason == "" {
				t.Errorf("staleness = %q (%q), want %q with a reason", got, reason, tt.want)
			}
		})
	}
}

func TestParseBranches(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		{"main\nfeature/x\n", "main,feature/x", ""},
		{"# open pull requests\n\n  main  \r\nrefs/heads/dev\n", "main,dev", ""},
		{"3f1c2e\trefs/heads/main\n9a8b7c refs/heads/feature/y\n", "main,feature/y", ""},
		{"", "", ""},
		{"main\nfeature x\n", "", "line 2 is not a branch name"},
		{"3f1c2e\trefs/tags/v1\n", "", "line 1"},
	}
	for _, tt := range tests {
		got, err := ParseBranches(strings.NewReader(tt.in))
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseBranches(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || strings.Join(got, ",") != tt.want {
			t.Errorf("ParseBranches(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// FuzzParseBranches: the list comes from another program's output; whatever
// it holds, the parser returns names without white space, or an error.
func FuzzParseBranches(f *testing.F) {
	f.Fuzz(func(t *testing.T, in string) {
		got, err := ParseBranches(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, b := range got {
			if b == "" || strings.ContainsAny(b, " \t\r\n") {
				t.Fatalf("ParseBranches(%q) returned %q", in, b)
			}
		}
	})
}
