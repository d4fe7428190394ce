// Package config loads convex.json and validates its authKit section with
// the rules of the Convex CLI (npm convex 1.48.0), keeping the source
// position of every value so that later steps can point at the line that
// produced any resolved value.
package config

import (
	"fmt"

	"github.com/convex-authkit/convex-authkit/internal/diag"
	"github.com/convex-authkit/convex-authkit/internal/jsonpos"
)

// Env names a section of authKit: the kind of Convex deployment it applies to.
type Env string

// The three sections Convex reads.
const (
	Dev     Env = "dev"
	Preview Env = "preview"
	Prod    Env = "prod"
)

// Envs lists the sections in the order Convex documents them.
var Envs = []Env{Dev, Preview, Prod}

// ParseEnv accepts exactly "dev", "preview" or "prod".
func ParseEnv(s string) (Env, bool) {
	for _, e := range Envs {
		if string(e) == s {
			return e, true
		}
	}
	return "", false
}

// String is a string value of convex.json with where it stands.
type String struct {
	Value string
	Path  string // JSON path, e.g. authKit.dev.configure.redirectUris[0]
	Pos   jsonpos.Pos
}

// Config is a loaded convex.json.
type Config struct {
	// File is the name used in messages, e.g. "convex.json".
	File string
	Root *jsonpos.Value
	// AuthKit is nil when convex.json has no authKit key.
	AuthKit *AuthKit
	// UnknownTopLevel lists top-level keys this version of Convex does not
	// know. Convex keeps them and so do we; they are mentioned under --verbose.
	UnknownTopLevel []string
	// Problems holds every validation error and warning, in file order.
	Problems []diag.Problem
}

// AuthKit is the authKit section.
type AuthKit struct {
	Pos      jsonpos.Pos
	Sections map[Env]*Section
	// Unknown lists the keys that name no section, in file order, with
	// where each key stands.
	Unknown []UnknownSection
}

// UnknownSection is a key of authKit that Convex ignores.
type UnknownSection struct {
	Key string
	Pos jsonpos.Pos
}

// Section returns the section for env, or nil when convex.json declares none
// (a missing section is a silent no-op in Convex).
func (c *Config) Section(env Env) *Section {
	if c.AuthKit == nil {
		return nil
	}
	return c.AuthKit.Sections[env]
}

// NearMisses returns an error for each unknown authKit key that is a
// near miss of env (see NearSection), when convex.json has no env section
// itself. Convex ignores such a key, so without this a run for env would
// find nothing to do and succeed having configured nothing.
func (c *Config) NearMisses(env Env) []diag.Problem {
	if c.AuthKit == nil || c.Section(env) != nil {
		return nil
	}
	var out []diag.Problem
	for _, u := range c.AuthKit.Unknown {
		if e, ok := NearSection(u.Key); ok && e == env {
			out = append(out, diag.Problem{
				Severity: diag.SeverityError, File: c.File, Path: join("authKit", u.Key), Line: u.Pos.Line, Column: u.Pos.Column,
				Message: fmt.Sprintf("there is no authKit.%s section and Convex ignores %q: did you mean %q?", env, u.Key, env),
				Hint:    fmt.Sprintf("rename the key to %q: Convex reads only dev, preview and prod", env),
			})
		}
	}
	return out
}

// Errors returns the problems of error severity.
func (c *Config) Errors() []diag.Problem { return diag.Errors(c.Problems) }

// Warnings returns the problems of warning severity.
func (c *Config) Warnings() []diag.Problem { return diag.Warnings(c.Problems) }

// Section is one of authKit.dev, authKit.preview and authKit.prod.
type Section struct {
	Env  Env
	Path string
	Pos  jsonpos.Pos
	// EnvironmentType is nil when absent.
	EnvironmentType *String
	// Configure is nil when configure is absent or false (no WorkOS calls).
	Configure *Configure
	// ConfigureDisabled is true when configure is explicitly false.
	ConfigureDisabled bool
	// LocalEnvVars lists the entries in JSON order; nil when absent or false.
	LocalEnvVars []LocalEnvVar
	// LocalEnvVarsDisabled is true when localEnvVars is explicitly false.
	LocalEnvVarsDisabled bool
}

// Configure is a section's configure object: what to register in WorkOS.
type Configure struct {
	Path           string
	Pos            jsonpos.Pos
	RedirectURIs   []String
	AppHomepageURL *String // nil when absent
	CORSOrigins    []String
}

// LocalEnvVar is one entry of localEnvVars: a variable for .env.local whose
// value is a template.
type LocalEnvVar struct {
	Name    string
	NamePos jsonpos.Pos
	Value   String
}
