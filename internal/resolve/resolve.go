package resolve

import (
	"fmt"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/config"
	"github.com/convex-authkit/convex-authkit/internal/diag"
	"github.com/convex-authkit/convex-authkit/internal/interpolate"
	"github.com/convex-authkit/convex-authkit/internal/secret"
)

// Value is one resolved template with its provenance.
type Value struct {
	Path     string
	Line     int
	Column   int
	Template string
	Value    string
	Uses     []interpolate.Use
	// Secret is true when the value is or contains a secret: the API key,
	// anything shaped like one, or a variable named like a password.
	Secret bool
	// Resolved is false when some placeholder could not be resolved.
	Resolved bool
	// SecretIn names the secret a configure value (a URL registered in
	// WorkOS) carries once resolved, "" when none: "a WorkOS API key" or
	// "the value of NAME". It never holds the value itself.
	SecretIn string
}

// EnvVar is a resolved localEnvVars entry.
type EnvVar struct {
	Name string
	Value
}

// Section is a section of authKit resolved for one environment.
type Section struct {
	Env config.Env
	// Configured is false when convex.json has no section for Env.
	Configured bool
	// ConfigureDisabled is true when configure is false or absent.
	ConfigureDisabled bool
	RedirectURIs      []Value
	AppHomepageURL    *Value
	CORSOrigins       []Value
	LocalEnvVars      []EnvVar
	// Problems lists every placeholder that could not be resolved.
	Problems []diag.Problem
}

// Resolve substitutes every placeholder of the section for env.
func Resolve(cfg *config.Config, env config.Env, src *Sources) *Section {
	out := &Section{Env: env}
	sec := cfg.Section(env)
	if sec == nil {
		return out
	}
	out.Configured = true
	r := resolver{file: cfg.File, src: src, out: out}
	if c := sec.Configure; c != nil {
		for _, s := range c.RedirectURIs {
			out.RedirectURIs = append(out.RedirectURIs, r.value("", s))
		}
		if c.AppHomepageURL != nil {
			v := r.value("", *c.AppHomepageURL)
			out.AppHomepageURL = &v
		}
		for _, s := range c.CORSOrigins {
			out.CORSOrigins = append(out.CORSOrigins, r.value("", s))
		}
	} else {
		out.ConfigureDisabled = true
	}
	for _, ev := range sec.LocalEnvVars {
		out.LocalEnvVars = append(out.LocalEnvVars, EnvVar{Name: ev.Name, Value: r.value(ev.Name, ev.Value)})
	}
	return out
}

type resolver struct {
	file string
	src  *Sources
	out  *Section
}

func (r *resolver) lookup(kind interpolate.Kind, name string) (string, string, bool) {
	var v, source string
	var found bool
	if kind == interpolate.AuthEnv {
		v, source, found = r.src.GetAuth(name)
	} else {
		v, source, found = r.src.Get(name)
	}
	return v, source, found && v != ""
}

func (r *resolver) value(name string, s config.String) Value {
	res := interpolate.Resolve(s.Value, r.lookup)
	v := Value{
		Path: s.Path, Line: s.Pos.Line, Column: s.Pos.Column,
		Template: s.Value, Value: res.Value, Uses: res.Uses,
		Resolved: len(res.Failures) == 0,
	}
	v.Secret = secret.LooksLikeAPIKey(res.Value) || (name != "" && secret.IsSecretName(name))
	for _, u := range res.Uses {
		v.Secret = v.Secret || u.Secret
	}
	if name == "" {
		v.SecretIn = r.secretIn(res.Value, res.Uses)
		v.Secret = v.Secret || v.SecretIn != ""
	}
	for _, f := range res.Failures {
		hint := f.Hint
		if f.Kind != interpolate.Unknown {
			if val, source, found := r.src.Get(f.Name); found && val == "" {
				hint = fmt.Sprintf("%s is set but empty (%s), which Convex treats as unset; an empty variable in the environment also hides the dotenv files' values", f.Name, source)
			}
		}
		r.out.Problems = append(r.out.Problems, diag.Problem{
			Severity: diag.SeverityError, File: r.file, Path: s.Path,
			Line: s.Pos.Line, Column: s.Pos.Column, Message: f.Message, Hint: hint,
		})
	}
	return v
}

// secretIn names a secret that the resolved URL u holds: a WorkOS key
// anywhere in it, or a placeholder's value that is, or contains, the value
// of a variable holding a secret (by its name or its shape). convex.json's
// validation catches the secrets it can see in the template; this catches
// those that only appear after interpolation. Literal text is not compared
// with secret values: a secret such as "development" would then forbid
// https://development.example.com.
func (r *resolver) secretIn(u string, uses []interpolate.Use) string {
	if secret.ContainsKey(u) {
		return "a WorkOS API key"
	}
	for _, use := range uses {
		kind := interpolate.BuildEnv
		if strings.HasPrefix(use.Expression, "${authEnv.") {
			kind = interpolate.AuthEnv
		}
		val, _, _ := r.lookup(kind, use.Name)
		if isSecretVar(use.Name, val) {
			return "the value of " + use.Name
		}
		for _, sv := range r.src.Variables() {
			if isSecretVar(sv.Name, sv.Value) && containsSecret(val, sv.Value) {
				return "the value of " + sv.Name
			}
		}
	}
	return ""
}

// containsSecret reports whether a placeholder's value is the secret sv or
// holds it. Holding counts only for values of 16 bytes or more, the length
// of a generated secret: a short one ("development") is too likely to be
// part of a host name by chance.
func containsSecret(val, sv string) bool {
	if !secret.Meaningful(sv) {
		return false
	}
	return val == sv || len(sv) >= 16 && strings.Contains(val, sv)
}

func isSecretVar(name, value string) bool {
	return secret.IsSecretName(name) || secret.LooksLikeAPIKey(value)
}

// Redactor returns a redactor that knows every secret the section could echo:
// the variable sources' secrets (by name or by shape) and any value the
// section writes to a secret-named local variable.
func (s *Section) Redactor(src *Sources) *secret.Redactor {
	r := &secret.Redactor{}
	for _, v := range src.Secrets(isSecretVar) {
		r.Add(v)
	}
	for _, ev := range s.LocalEnvVars {
		// An unresolved value still holds placeholder text, which is no
		// secret and must stay readable in error messages.
		if ev.Secret && ev.Resolved {
			r.Add(ev.Value.Value)
		}
	}
	return r
}
