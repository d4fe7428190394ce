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
	flags map[string]string
	env   map[string]string
	files []*dotenv.File
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
	s := &Sources{flags: opts.Flags, env: opts.Env}
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
					Message: "the value contains '$': this tool expands it as a variable reference, the Convex CLI (npm dotenv) keeps it literally",
					Hint:    "wrap the value in single quotes so both read it the same way",
				})
			}
		}
	}
	return s, nil
}

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

// GetAuth returns a WorkOS credential: a flag first, then as Get.
func (s *Sources) GetAuth(name string) (value, source string, found bool) {
	if v, ok := s.flags[name]; ok && v != "" {
		return v, "flag", true
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
