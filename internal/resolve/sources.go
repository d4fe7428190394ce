// Package resolve turns a section of convex.json into concrete values for one
// environment: it gathers variables from flags, the process environment and
// the project's dotenv files, substitutes every placeholder, and records
// where each value came from.
package resolve

import (
	"fmt"
	"path/filepath"
	"sort"

	"github.com/convex-authkit/convex-authkit/internal/diag"
	"github.com/convex-authkit/convex-authkit/internal/dotenv"
)

// DotenvFiles are read in this order; an earlier source is never overridden
// by a later one, as with the dotenv loading the Convex CLI does.
var DotenvFiles = []string{".env.local", ".env"}

// Sources answers "what is the value of NAME, and where did it come from?".
type Sources struct {
	dir   string
	flags map[string]string
	env   map[string]string
	files []*dotenv.File
	// deployment is nil until SetDeployment: no deployment connected.
	deployment *deploymentVars
	// Warnings are things about the sources a user should know, such as
	// values that this tool and the Convex CLI may read differently.
	Warnings []diag.Problem
}

// Options says where to look.
type Options struct {
	Dir string            // project root holding .env.local and .env
	Env map[string]string // the process environment
	// Flags holds authEnv values given on the command line, keyed by
	// variable name (WORKOS_CLIENT_ID, WORKOS_ENVIRONMENT_ID).
	Flags map[string]string
}

// Load reads the dotenv files of the project. A file that does not exist is
// skipped; one that cannot be parsed is an error naming the file and line
// (never its content, which may hold secrets).
func Load(opts Options) (*Sources, error) {
	s := &Sources{dir: opts.Dir, flags: opts.Flags, env: opts.Env}
	for _, name := range DotenvFiles {
		f, err := dotenv.Load(filepath.Join(opts.Dir, name), name)
		if err != nil {
			return nil, err
		}
		if f == nil {
			continue
		}
		s.files = append(s.files, f)
		for _, e := range f.Entries {
			if e.Expands() {
				s.Warnings = append(s.Warnings, diag.Problem{
					Severity: diag.SeverityWarning, File: name, Line: e.Line, Path: e.Key,
					Message: "the value contains '$': Vite and Next.js (dotenv-expand) may expand it as a variable reference, while the Convex CLI and this tool keep it literally",
					Hint:    "wrap the value in single quotes so every reader takes it literally",
				})
			}
		}
	}
	return s, nil
}

// Dir is the folder Load read the dotenv files from.
func (s *Sources) Dir() string { return s.dir }

// Files returns the dotenv files Load read, in DotenvFiles order; a file
// that does not exist is not among them. They are the Sources' own: callers
// must not modify them.
func (s *Sources) Files() []*dotenv.File { return s.files }

// Get returns a build-environment variable: the process environment first,
// then .env.local, then .env. found is true when some source defines the
// name, even with an empty value: like dotenv, a variable that is set but
// empty in the environment hides the files' values.
func (s *Sources) Get(name string) (value, source string, found bool) {
	v, ok := s.Lookup(name)
	if !ok {
		return "", "", false
	}
	return v.Value, v.Source(), true
}

// GetAuth returns a WorkOS credential: a flag first, then the machine (as
// Get) and the deployment in the order SetDeployment says.
func (s *Sources) GetAuth(name string) (value, source string, found bool) {
	d := s.deployment
	if d == nil {
		return s.localAuth(name)
	}
	dv, inDeployment := d.vars[name]
	if v, ok := s.flags[name]; ok && v != "" {
		return v, "flag", true
	}
	if inDeployment && d.first[name] {
		return dv, SourceDeployment, true
	}
	if v, src, ok := s.Get(name); ok && v != "" {
		return v, src, true
	}
	if inDeployment {
		return dv, SourceDeployment, true
	}
	return s.Get(name)
}

// Secrets returns the values of the variables that hold secrets, so output
// can be redacted.
func (s *Sources) Secrets(isSecret func(name, value string) bool) []string {
	var out []string
	add := func(name, value string) {
		if value != "" && isSecret(name, value) {
			out = append(out, value)
		}
	}
	for k, v := range s.env {
		add(k, v)
	}
	for _, f := range s.files {
		for _, e := range f.Entries {
			add(e.Key, e.Value)
		}
	}
	if s.deployment != nil {
		for k, v := range s.deployment.vars {
			add(k, v)
		}
	}
	return out
}

// Variable is one variable as the build sees it, with where it is set.
type Variable struct {
	Name, Value string
	// File is the dotenv file that sets it, "" for the process environment;
	// Line is its line there.
	File string
	Line int
}

// Source describes the origin as Get does: "environment" or "file:line".
func (v Variable) Source() string {
	if v.File == "" {
		return "environment"
	}
	return fmt.Sprintf("%s:%d", v.File, v.Line)
}

// Variables returns every variable the build sees, each name once with the
// value Get returns for it, sorted by name. Flags are not included: they
// only answer authEnv placeholders.
func (s *Sources) Variables() []Variable {
	seen := map[string]bool{}
	var out []Variable
	for k, v := range s.env {
		seen[k] = true
		out = append(out, Variable{Name: k, Value: v})
	}
	for _, f := range s.files {
		for _, e := range f.Entries {
			if seen[e.Key] {
				continue
			}
			seen[e.Key] = true
			last, _ := f.Lookup(e.Key)
			out = append(out, Variable{Name: e.Key, Value: last.Value, File: f.Name, Line: last.Line})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup is Get with the origin as a Variable.
func (s *Sources) Lookup(name string) (Variable, bool) {
	if v, ok := s.env[name]; ok {
		return Variable{Name: name, Value: v}, true
	}
	for _, f := range s.files {
		if e, ok := f.Lookup(name); ok {
			return Variable{Name: name, Value: e.Value, File: f.Name, Line: e.Line}, true
		}
	}
	return Variable{}, false
}

// The WorkOS credentials a Convex deployment holds and the Convex CLI reads
// from it for ${authEnv.*}; no other name is taken from the deployment.
var DeploymentAuthNames = []string{"WORKOS_CLIENT_ID", "WORKOS_API_KEY", "WORKOS_ENVIRONMENT_ID"}

// SourceDeployment is the source of a value read from the deployment.
const SourceDeployment = "deployment"

// deploymentVars are the deployment's WORKOS_* variables, once known.
type deploymentVars struct {
	vars        map[string]string
	first       map[string]bool
	preferLocal bool
}

// SetDeployment makes the deployment's variables a source of the three
// WORKOS_* authEnv names, in the order the Convex CLI reads them for the
// section env: for dev, the machine (environment, .env.local, .env) before
// the deployment; for preview and prod, the deployment first. The CLI reads
// WORKOS_API_KEY only from the deployment; this tool also takes a local
// one, after the deployment's. Flags always come first. preferLocal puts
// the machine before the deployment for every name: the deployment is about
// to be given the local values (--overwrite-deployment-vars).
func (s *Sources) SetDeployment(vars map[string]string, env string, preferLocal bool) {
	d := &deploymentVars{vars: map[string]string{}, first: map[string]bool{}, preferLocal: preferLocal}
	for _, name := range DeploymentAuthNames {
		if v := vars[name]; v != "" {
			d.vars[name] = v
		}
		d.first[name] = !preferLocal && (env != "dev" || name == "WORKOS_API_KEY")
	}
	s.deployment = d
}

// DeploymentConnected reports whether SetDeployment was called.
func (s *Sources) DeploymentConnected() bool { return s.deployment != nil }

// localAuth is a credential from the flags or the machine, ignoring the
// deployment. Empty counts as unset, as in the Convex CLI.
func (s *Sources) localAuth(name string) (value, source string, found bool) {
	if v, ok := s.flags[name]; ok && v != "" {
		return v, "flag", true
	}
	return s.Get(name)
}

// AuthVar is one WORKOS_* credential as the machine and the deployment
// know it.
type AuthVar struct {
	Name string
	// Local is the value from a flag or the machine, "" when unknown;
	// LocalSource says where it was found ("flag", "environment",
	// ".env.local:3").
	Local, LocalSource string
	// Deployment is the deployment's value, "" when it has none.
	Deployment string
	// Value and Source are what resolution uses.
	Value, Source string
}

// Differ reports whether both sides know the name with different values.
func (a AuthVar) Differ() bool {
	return a.Local != "" && a.Deployment != "" && a.Local != a.Deployment
}

// Mismatch reports what the Convex CLI stops on: the deployment holds a
// value other than the one resolution uses.
func (a AuthVar) Mismatch() bool { return a.Deployment != "" && a.Value != a.Deployment }

// AuthVars returns the three WORKOS_* credentials as both sides know them,
// in DeploymentAuthNames order; nil when no deployment was set.
func (s *Sources) AuthVars() []AuthVar {
	if s.deployment == nil {
		return nil
	}
	out := make([]AuthVar, 0, len(DeploymentAuthNames))
	for _, name := range DeploymentAuthNames {
		a := AuthVar{Name: name, Deployment: s.deployment.vars[name]}
		if v, src, _ := s.localAuth(name); v != "" {
			a.Local, a.LocalSource = v, src
		}
		a.Value, a.Source, _ = s.GetAuth(name)
		out = append(out, a)
	}
	return out
}
