// Package envsel decides which authKit section (dev, preview or prod) a run
// is about, the way CI platforms signal it, and says why.
package envsel

import (
	"errors"
	"fmt"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/config"
)

// Choice is the chosen section and a human-readable reason.
type Choice struct {
	Env    config.Env
	Reason string
}

// envAliases are the names people type for a section, from Vercel's and
// Netlify's words for them and from habit, for "did you mean".
var envAliases = map[string]config.Env{
	"dev": config.Dev, "development": config.Dev, "develop": config.Dev, "local": config.Dev,
	"preview": config.Preview, "previews": config.Preview, "deploy-preview": config.Preview, "branch-deploy": config.Preview,
	"prod": config.Prod, "production": config.Prod, "prd": config.Prod, "live": config.Prod,
}

// Choose picks the section. An explicit flag wins; then the kind of
// CONVEX_DEPLOY_KEY (its prefix, never its value, is reported); then Vercel's
// VERCEL_ENV; then Netlify's CONTEXT; else dev.
func Choose(flag string, env map[string]string) (Choice, error) {
	if flag != "" {
		e, ok := config.ParseEnv(flag)
		if !ok {
			msg := fmt.Sprintf("invalid value %q for --env: use dev, preview or prod", flag)
			if e, ok := envAliases[strings.ToLower(flag)]; ok {
				msg += fmt.Sprintf(" (did you mean --env %s?)", e)
			}
			return Choice{}, errors.New(msg)
		}
		return Choice{e, "--env " + flag}, nil
	}
	if key := env["CONVEX_DEPLOY_KEY"]; key != "" {
		for _, p := range []struct {
			prefix string
			env    config.Env
		}{{"prod:", config.Prod}, {"preview:", config.Preview}, {"dev:", config.Dev}} {
			if strings.HasPrefix(key, p.prefix) {
				return Choice{p.env, fmt.Sprintf("CONVEX_DEPLOY_KEY is a %s deploy key", strings.TrimSuffix(p.prefix, ":"))}, nil
			}
		}
	}
	switch v := env["VERCEL_ENV"]; v {
	case "production":
		return Choice{config.Prod, "VERCEL_ENV=production"}, nil
	case "preview":
		return Choice{config.Preview, "VERCEL_ENV=preview"}, nil
	}
	switch v := env["CONTEXT"]; v {
	case "production":
		return Choice{config.Prod, "Netlify CONTEXT=production"}, nil
	case "deploy-preview", "branch-deploy":
		return Choice{config.Preview, "Netlify CONTEXT=" + v}, nil
	}
	return Choice{config.Dev, "the default: no --env, CONVEX_DEPLOY_KEY, VERCEL_ENV or Netlify CONTEXT"}, nil
}

// Branch returns the name a CI build gives the preview it builds, and the
// variable it came from: the git branch on Vercel and GitHub Actions, and on
// Netlify the branch of a branch deploy or "deploy-preview-N" for a deploy
// preview, since that (not the branch) is what Netlify puts in the preview's
// URL. It is "" when no known variable names one.
func Branch(env map[string]string) (name, source string) {
	if v := env["VERCEL_GIT_COMMIT_REF"]; v != "" {
		return v, "VERCEL_GIT_COMMIT_REF"
	}
	// Netlify's HEAD and BRANCH are too generic a name to trust unless the
	// build is one of Netlify's, which CONTEXT says.
	switch env["CONTEXT"] {
	case "deploy-preview":
		if id := env["REVIEW_ID"]; id != "" {
			return "deploy-preview-" + id, "Netlify REVIEW_ID"
		}
	case "branch-deploy", "production":
		if v := env["BRANCH"]; v != "" {
			return v, "Netlify BRANCH"
		}
	}
	// GITHUB_HEAD_REF is the pull request's branch; on other events (push,
	// schedule) it is empty and GITHUB_REF_NAME names the branch run on.
	for _, name := range []string{"GITHUB_HEAD_REF", "GITHUB_REF_NAME"} {
		if v := env[name]; v != "" {
			return v, name
		}
	}
	return "", ""
}

// Slug is the form a branch name takes inside a preview's host name, as
// Vercel and Netlify write it: lower case, every run of characters other
// than a-z and 0-9 made one "-", with none at either end. feature/Login_2
// becomes feature-login-2.
func Slug(branch string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(branch) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}
