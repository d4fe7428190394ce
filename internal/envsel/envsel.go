// Package envsel decides which authKit section (dev, preview or prod) a run
// is about, the way CI platforms signal it, and says why.
package envsel

import (
	"fmt"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/config"
)

// Choice is the chosen section and a human-readable reason.
type Choice struct {
	Env    config.Env
	Reason string
}

// Choose picks the section. An explicit flag wins; then the kind of
// CONVEX_DEPLOY_KEY (its prefix, never its value, is reported); then Vercel's
// VERCEL_ENV; then Netlify's CONTEXT; else dev.
func Choose(flag string, env map[string]string) (Choice, error) {
	if flag != "" {
		e, ok := config.ParseEnv(flag)
		if !ok {
			return Choice{}, fmt.Errorf("invalid value %q for --env: use dev, preview or prod", flag)
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
	return Choice{config.Dev, "default (no --env, CONVEX_DEPLOY_KEY, VERCEL_ENV or Netlify CONTEXT)"}, nil
}
