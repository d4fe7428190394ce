package envsel

import (
	"strings"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/config"
)

func TestChoose(t *testing.T) {
	tests := []struct {
		name   string
		flag   string
		env    map[string]string
		want   config.Env
		reason string
	}{
		{"default", "", nil, config.Dev, "default"},
		{"flag wins", "preview", map[string]string{"CONVEX_DEPLOY_KEY": "prod:abc|secret", "VERCEL_ENV": "production"}, config.Preview, "--env preview"},
		{"prod deploy key", "", map[string]string{"CONVEX_DEPLOY_KEY": "prod:happy-otter-123|eyJzZWNyZXQ"}, config.Prod, "prod deploy key"},
		{"preview deploy key", "", map[string]string{"CONVEX_DEPLOY_KEY": "preview:team:proj|x"}, config.Preview, "preview deploy key"},
		{"dev deploy key", "", map[string]string{"CONVEX_DEPLOY_KEY": "dev:x|y"}, config.Dev, "dev deploy key"},
		{"project key falls through to Vercel", "", map[string]string{"CONVEX_DEPLOY_KEY": "project:x|y", "VERCEL_ENV": "preview"}, config.Preview, "VERCEL_ENV=preview"},
		{"deploy key beats Vercel", "", map[string]string{"CONVEX_DEPLOY_KEY": "preview:x|y", "VERCEL_ENV": "production"}, config.Preview, "preview deploy key"},
		{"vercel production", "", map[string]string{"VERCEL_ENV": "production"}, config.Prod, "VERCEL_ENV=production"},
		{"vercel development", "", map[string]string{"VERCEL_ENV": "development"}, config.Dev, "default"},
		{"vercel beats netlify", "", map[string]string{"VERCEL_ENV": "preview", "CONTEXT": "production"}, config.Preview, "VERCEL_ENV"},
		{"netlify production", "", map[string]string{"CONTEXT": "production"}, config.Prod, "CONTEXT=production"},
		{"netlify deploy preview", "", map[string]string{"CONTEXT": "deploy-preview"}, config.Preview, "CONTEXT=deploy-preview"},
		{"netlify branch deploy", "", map[string]string{"CONTEXT": "branch-deploy"}, config.Preview, "CONTEXT=branch-deploy"},
		{"netlify dev", "", map[string]string{"CONTEXT": "dev"}, config.Dev, "default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Choose(tt.flag, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if got.Env != tt.want || !strings.Contains(got.Reason, tt.reason) {
				t.Fatalf("Choose = %+v, want %s with reason containing %q", got, tt.want, tt.reason)
			}
			if strings.Contains(got.Reason, "secret") || strings.Contains(got.Reason, "eyJ") || strings.Contains(got.Reason, "|") {
				t.Fatalf("reason leaks the deploy key: %q", got.Reason)
			}
		})
	}
}

func TestChooseRejectsUnknownEnv(t *testing.T) {
	for _, bad := range []string{"staging", "Dev", "production", " dev"} {
		if _, err := Choose(bad, nil); err == nil || !strings.Contains(err.Error(), "--env") {
			t.Errorf("Choose(%q) error = %v, want an --env error", bad, err)
		}
	}
}

func TestBranch(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		want, from string
	}{
		{"none", nil, "", ""},
		{"vercel", map[string]string{"VERCEL_GIT_COMMIT_REF": "feature/x", "GITHUB_HEAD_REF": "other"}, "feature/x", "VERCEL_GIT_COMMIT_REF"},
		{"netlify deploy preview", map[string]string{"CONTEXT": "deploy-preview", "REVIEW_ID": "42", "BRANCH": "feature-x"}, "deploy-preview-42", "Netlify REVIEW_ID"},
		{"netlify branch deploy", map[string]string{"CONTEXT": "branch-deploy", "BRANCH": "staging"}, "staging", "Netlify BRANCH"},
		{"BRANCH outside Netlify is not trusted", map[string]string{"BRANCH": "x"}, "", ""},
		{"github pull request", map[string]string{"GITHUB_HEAD_REF": "feature-y", "GITHUB_REF_NAME": "12/merge"}, "feature-y", "GITHUB_HEAD_REF"},
		{"github push or schedule", map[string]string{"GITHUB_HEAD_REF": "", "GITHUB_REF_NAME": "main"}, "main", "GITHUB_REF_NAME"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, from := Branch(tt.env)
			if got != tt.want || from != tt.from {
				t.Errorf("Branch = %q from %q, want %q from %q", got, from, tt.want, tt.from)
			}
		})
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"main":             "main",
		"feature/Login_2":  "feature-login-2",
		"--a//b--":         "a-b",
		"deploy-preview-4": "deploy-preview-4",
		"ü":                "",
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}
