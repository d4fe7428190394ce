package doctor

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/convex-authkit/convex-authkit/internal/apply"
	"github.com/convex-authkit/convex-authkit/internal/config"
	"github.com/convex-authkit/convex-authkit/internal/diag"
	"github.com/convex-authkit/convex-authkit/internal/project"
	"github.com/convex-authkit/convex-authkit/internal/resolve"
)

// configChecks loads convex.json and resolves the chosen section; the
// other groups use what they leave in d.cfg and d.sec.
func (d *doctor) configChecks() []Check {
	valid := d.loadConfig()
	if d.cfg == nil {
		why := "convex.json could not be loaded"
		return []Check{valid, d.blocked(IDConfigPlaceholders, IDConfigValid, why), d.blocked(IDConfigURLs, IDConfigValid, why)}
	}
	d.sec = resolve.Resolve(d.cfg, d.env, d.src)
	if !d.sec.Configured {
		why := fmt.Sprintf("%s has no authKit.%s section", d.cfg.File, d.env)
		return []Check{valid, skip(IDConfigPlaceholders, why), skip(IDConfigURLs, why)}
	}
	return []Check{valid, d.placeholders(), d.urls()}
}

// loadConfig is config.valid: an unreadable convex.json fails it, as do
// validation errors; warnings warn.
func (d *doctor) loadConfig() Check {
	name := d.opts.ConfigName
	cfg, err := config.Load(d.opts.ConfigPath, name)
	if err != nil {
		var fe *config.FileError
		if errors.As(err, &fe) {
			where := fe.Problem
			where.Message, where.Hint = "", ""
			return fail(IDConfigValid, fe.Problem.String(), fe.Hint).at(where)
		}
		return newCheck(IDConfigValid, StatusError, err.Error(), "")
	}
	d.cfg = cfg
	errs, warns := cfg.Errors(), cfg.Warnings()
	details := map[string]any{"file": cfg.File}
	// A misspelt chosen section is an error here as in every command that
	// picks a section (project.Load), in place of validate's warning.
	problems := cfg.Problems
	if near := cfg.NearMisses(d.env); len(near) > 0 {
		problems = append(diag.WithoutPaths(problems, near), near...)
		config.SortProblems(problems)
		errs = append(errs, near...)
	}
	switch {
	case len(errs) > 0:
		return fail(IDConfigValid, project.Count(cfg.File, errs), "fix the problems listed; `convex-authkit config validate` shows them too").with(details).at(problems...)
	case len(warns) > 0:
		return warn(IDConfigValid, fmt.Sprintf("%s has %d %s", cfg.File, len(warns), plural(len(warns), "warning")), "see the warnings listed").with(details).at(warns...)
	case cfg.Section(d.env) == nil:
		return pass(IDConfigValid, fmt.Sprintf("%s is valid; it has no authKit.%s section, so Convex configures nothing in WorkOS for it", cfg.File, d.env)).with(details)
	}
	return pass(IDConfigValid, fmt.Sprintf("%s is valid", cfg.File)).with(details)
}

// placeholders is config.placeholders.
func (d *doctor) placeholders() Check {
	if n := len(d.sec.Problems); n > 0 {
		return fail(IDConfigPlaceholders, fmt.Sprintf("%d %s in authKit.%s cannot be resolved", n, plural(n, "placeholder"), d.env),
			"set the variables named below in the build environment, .env.local or .env (for authEnv: --client-id, or WORKOS_API_KEY)").at(d.sec.Problems...)
	}
	n := 0
	for _, v := range d.sectionValues() {
		n += len(v.Uses)
	}
	return pass(IDConfigPlaceholders, fmt.Sprintf("every placeholder of authKit.%s resolves (%d in all)", d.env, n))
}

// sectionValues lists every value of the section.
func (d *doctor) sectionValues() []resolve.Value {
	vs := append([]resolve.Value{}, d.sec.RedirectURIs...)
	if d.sec.AppHomepageURL != nil {
		vs = append(vs, *d.sec.AppHomepageURL)
	}
	vs = append(vs, d.sec.CORSOrigins...)
	for _, ev := range d.sec.LocalEnvVars {
		vs = append(vs, ev.Value)
	}
	return vs
}

// urls is config.urls: apply's rules for registering the values (the
// production rules for the prod section), then whether each redirect URI
// path is one the framework's SDK can handle. Values that did not resolve
// are config.placeholders' business.
func (d *doctor) urls() Check {
	resolved := *d.sec
	resolved.RedirectURIs = onlyResolved(d.sec.RedirectURIs)
	resolved.CORSOrigins = onlyResolved(d.sec.CORSOrigins)
	if h := d.sec.AppHomepageURL; h != nil && !h.Resolved {
		resolved.AppHomepageURL = nil
	}
	problems := apply.Validate(d.cfg.File, &resolved, d.env == config.Prod, "the prod section")
	if len(problems) > 0 {
		return fail(IDConfigURLs, fmt.Sprintf("%d %s in authKit.%s cannot be registered in WorkOS", len(problems), plural(len(problems), "URL"), d.env), "").at(problems...)
	}
	var warns []diag.Problem
	if d.fw != nil && !d.fw.CORS {
		for _, v := range resolved.RedirectURIs {
			if u, err := url.Parse(v.Value); err == nil && (u.Path == "" || u.Path == "/") {
				warns = append(warns, diag.Problem{
					Severity: diag.SeverityWarning, File: d.cfg.File, Path: v.Path, Line: v.Line, Column: v.Column,
					Message: fmt.Sprintf("redirect URI %q sends users back to the home page, but %s's AuthKit SDK handles the callback on its own route", v.Value, d.fw.Name),
					Hint:    fmt.Sprintf("use the route that calls the SDK's callback handler, %s in the WorkOS examples", d.fw.CallbackPath),
				})
			}
		}
	}
	if len(warns) > 0 {
		return warn(IDConfigURLs, fmt.Sprintf("%d %s in authKit.%s may not reach the AuthKit callback", len(warns), plural(len(warns), "redirect URI"), d.env), "").at(warns...)
	}
	n := len(resolved.RedirectURIs) + len(resolved.CORSOrigins)
	if resolved.AppHomepageURL != nil {
		n++
	}
	rules := "development rules"
	if d.env == config.Prod {
		rules = "production rules: https, no localhost, wildcards or query strings"
	}
	return pass(IDConfigURLs, fmt.Sprintf("%d %s of authKit.%s pass WorkOS's %s", n, plural(n, "URL"), d.env, rules))
}

func onlyResolved(vs []resolve.Value) []resolve.Value {
	var out []resolve.Value
	for _, v := range vs {
		if v.Resolved {
			out = append(out, v)
		}
	}
	return out
}
