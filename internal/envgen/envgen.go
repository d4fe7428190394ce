// Package envgen writes the dev section's localEnvVars into .env.local the
// way `npx convex dev` does (reference convex-cli-authkit.md §5), without
// the Convex CLI's bugs: see dotenv.Merge for the file format, and Plan for
// which variables are written.
//
// Plan computes the new file without touching anything; Result.Write
// writes it. `convex-authkit generate env` (Run) and `init` both use them.
package envgen

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/config"
	"github.com/convex-authkit/convex-authkit/internal/diag"
	"github.com/convex-authkit/convex-authkit/internal/dotenv"
	"github.com/convex-authkit/convex-authkit/internal/framework"
	"github.com/convex-authkit/convex-authkit/internal/interpolate"
	"github.com/convex-authkit/convex-authkit/internal/jsonpos"
	"github.com/convex-authkit/convex-authkit/internal/resolve"
	"github.com/convex-authkit/convex-authkit/internal/safefile"
	"github.com/convex-authkit/convex-authkit/internal/secret"
)

// FileName is the file the Convex CLI writes, always in the project root,
// whatever the framework.
const FileName = ".env.local"

// CookiePasswordName is the variable AuthKit's server SDKs seal their
// session cookie with.
const CookiePasswordName = "WORKOS_COOKIE_PASSWORD"

// CookiePasswordMinLength is the fewest characters AuthKit's server SDKs
// accept in CookiePasswordName: they refuse to start with a shorter one.
const CookiePasswordMinLength = 32

// What happened to a variable, in addition to the dotenv.Merge actions
// (added, replaced, unchanged, kept).
const (
	// SkippedEnvironment: the process environment sets it to a non-empty
	// value, which wins over .env.local for every dotenv loader.
	SkippedEnvironment = "skipped-set-in-environment"
	// SkippedEnvFile: .env sets it. The Convex CLI loads .env into its
	// environment before writing .env.local, so it skips these too.
	SkippedEnvFile = "skipped-set-in-env-file"
)

// Variable is the outcome for one variable.
type Variable struct {
	Name   string `json:"name"`
	Action string `json:"action"`
	// Value is the value written or found equal, masked when secret;
	// empty for variables kept or skipped, whose value is the user's.
	Value  string `json:"value,omitempty"`
	Secret bool   `json:"secret"`
	// Line is where the variable stands in .env.local afterwards.
	Line int `json:"line,omitempty"`
	// Source says where an existing value is (".env.local:3",
	// "environment", ".env:2"), or "generated" for the cookie password.
	Source string `json:"source,omitempty"`

	value     string // unmasked
	generated bool
}

// Written reports whether the run writes this variable.
func (v Variable) Written() bool {
	return v.Action == string(dotenv.Added) || v.Action == string(dotenv.Replaced)
}

// Request is what Plan needs. Callers get Config, Section and Sources from
// project.Load and resolve.Resolve(cfg, config.Dev, sources).
type Request struct {
	// Dir is the project root, where .env.local and package.json are.
	Dir     string
	Config  *config.Config
	Section *resolve.Section
	Sources *resolve.Sources
	// Environ is the process environment.
	Environ map[string]string

	// Force replaces values that differ (never the cookie password).
	Force bool
	// WriteEnvironment writes a variable the process environment sets
	// when the environment holds exactly the value to write, instead of
	// skipping it as the Convex CLI does. init sets it: the app reads
	// .env.local when started from another shell, where the export is
	// gone (a Next.js server without WORKOS_API_KEY cannot sign anyone
	// in). A different value in the environment is still skipped: it
	// wins over .env.local wherever it is set.
	WriteEnvironment bool
	// AllowPublicSecret writes a secret under a public prefix (VITE_,
	// NEXT_PUBLIC_, ...) with a warning instead of refusing.
	AllowPublicSecret bool
	// Framework is the framework the caller has chosen (init): its SDK
	// decides whether WORKOS_COOKIE_PASSWORD is generated (CookiePassword,
	// React Router's too). nil makes Plan detect it from package.json as
	// the Convex CLI does, generating the password only where that does
	// (ConvexCookiePassword: Next.js and TanStack Start).
	Framework *framework.Framework
	// Rand is the source of the cookie password; nil means crypto/rand.
	Rand io.Reader
	// Ignored reports whether git ignores a file of the project; nil means
	// IgnoredByGit.
	Ignored func(dir, name string) (bool, error)
}

// Result is a planned .env.local.
type Result struct {
	// Path is the absolute path of .env.local.
	Path string
	// Existed says the file was there; Old is its content then.
	Existed bool
	Old     []byte
	New     []byte
	// Framework is Request.Framework, or what package.json says the
	// project is; nil when it says nothing known.
	Framework *framework.Framework
	Variables []Variable
	// Warnings are things to tell the user; nothing is wrong enough to stop.
	Warnings []string
	// Nothing, when not empty, says why there is nothing to write, as in
	// "Nothing to write: <Nothing>."
	Nothing string

	secrets []string
}

// Changed reports whether writing would change the file.
func (r *Result) Changed() bool {
	return !bytes.Equal(r.Old, r.New)
}

// Updated lists the names added or replaced, in order.
func (r *Result) Updated() []string {
	var names []string
	for _, v := range r.Variables {
		if v.Written() {
			names = append(names, v.Name)
		}
	}
	return names
}

// Secrets returns the secret values the result holds, as values and as
// written in the file, for a redactor of anything showing the file.
func (r *Result) Secrets() []string { return r.secrets }

// Plan works out the new .env.local for the dev section. It writes nothing.
//
// Each localEnvVars entry, in convex.json order, is:
//   - skipped when the process environment sets it (non-empty), or when
//     .env does and .env.local does not: the Convex CLI checks its
//     process.env, into which it loaded .env.local and .env;
//   - otherwise merged into .env.local (dotenv.Merge): added when absent,
//     filled in when empty, kept when it has another value (replaced with
//     Force), unchanged when equal.
//
// Only entries that are written (or compared, with Force) must resolve: an
// unresolved placeholder there is an error, as in the Convex CLI, listing
// every one at once. A skipped entry may stay unresolved.
//
// The "# See this environment at https://dashboard.workos.com/<id>/authentication"
// line goes above the first appended entry whose template uses
// ${authEnv.WORKOS_CLIENT_ID}, as the Convex CLI does, but only when the
// environment id is known (the CLI writes a broken "//authentication" link
// without one) and the file does not have that line already (the CLI
// repeats it when, say, VITE_WORKOS_CLIENT_ID is added below the
// WORKOS_CLIENT_ID it wrote earlier).
//
// WORKOS_COOKIE_PASSWORD is appended last for Next.js and TanStack Start
// projects (or a Request.Framework whose SDK needs it), when localEnvVars does not
// list it and nothing sets it: 32 bytes from crypto/rand in unpadded
// base64url, 43 characters, as the Convex CLI makes it. Unlike the CLI,
// which skips it when the text "WORKOS_COOKIE_PASSWORD" appears anywhere
// in .env.local (even in a comment), Plan looks for the variable itself.
// It is never replaced, not even with Force: a new one would sign every
// user out.
//
// A value that looks like a secret (an sk_ key, the resolved API key, or a
// template using ${authEnv.WORKOS_API_KEY}) under a public prefix such as
// VITE_ or NEXT_PUBLIC_ is refused, with exit code 3, unless
// AllowPublicSecret: the framework would publish it to every visitor.
func Plan(req Request) (*Result, error) {
	res := &Result{Path: filepath.Join(req.Dir, FileName), Variables: []Variable{}, Warnings: []string{}}
	if why := nothingToWrite(req.Config, req.Section); why != "" {
		res.Nothing = why
		return res, nil
	}
	res.Framework = req.Framework
	cookiePassword := req.Framework != nil && req.Framework.CookiePassword
	if req.Framework == nil {
		pkg, err := framework.ReadPackageJSON(req.Dir)
		if err != nil {
			// Only the cookie password depends on the framework.
			res.Warnings = append(res.Warnings, err.Error()+"; WORKOS_COOKIE_PASSWORD is not generated")
		}
		res.Framework = framework.DetectAsConvex(pkg)
		cookiePassword = res.Framework != nil && res.Framework.ConvexCookiePassword
	}

	file, err := envLocal(req)
	if err != nil {
		return nil, err
	}
	res.Old, res.Existed = file.Data, file.Data != nil

	p := planner{req: req, file: file, res: res}
	for _, ev := range req.Section.LocalEnvVars {
		p.localEnvVar(ev)
	}
	if cookiePassword {
		if err := p.cookiePassword(); err != nil {
			return nil, err
		}
	}
	if len(p.problems) > 0 {
		return nil, cmdutil.ProblemsError(fmt.Sprintf("%s in authKit.dev.localEnvVars could not be resolved; nothing was written", plural(len(p.problems), "placeholder")), p.problems)
	}
	if len(p.unquotable) > 0 {
		return nil, cmdutil.ProblemsError(fmt.Sprintf("%s in authKit.dev.localEnvVars cannot be written to %s; nothing was written", plural(len(p.unquotable), "value"), FileName), p.unquotable)
	}

	var changes []dotenv.Change
	res.New, changes, err = dotenv.MergeFile(file, p.assignments)
	if err != nil {
		return nil, cmdutil.UsageError(err, "nothing was written")
	}
	for i, c := range changes {
		v := &res.Variables[p.merged[i]]
		v.Action, v.Line = string(c.Action), c.Line
		if c.OldLine > 0 && c.Action != dotenv.Unchanged {
			v.Source = fmt.Sprintf("%s:%d", FileName, c.OldLine)
		}
		if c.Action == dotenv.Kept {
			v.Value = ""
		}
	}
	if err := p.checkPublic(); err != nil {
		return nil, err
	}
	for _, v := range res.Variables {
		if v.Secret && v.value != "" {
			q, _ := dotenv.Quote(v.value)
			res.secrets = append(res.secrets, v.value, q)
		}
	}
	if res.Existed || res.Changed() {
		ignored := req.Ignored
		if ignored == nil {
			ignored = IgnoredByGit
		}
		if ok, err := ignored(req.Dir, FileName); err == nil && !ok {
			why := "and it is where local secrets go"
			if len(res.secrets) > 0 {
				why = "and it holds secrets"
			}
			res.Warnings = append(res.Warnings, FileName+" is not ignored by git, "+why+": add .env*.local to .gitignore (or untrack it) so it is never committed")
		}
	}
	return res, nil
}

// envLocal returns .env.local as req.Sources read it, so that a run reads
// and parses it once; it reads the file itself only for Sources of another
// folder. A missing file is an empty one with nil Data.
func envLocal(req Request) (*dotenv.File, error) {
	if req.Sources != nil && req.Sources.Dir() == req.Dir {
		for _, f := range req.Sources.Files() {
			if f.Name == FileName {
				return f, nil
			}
		}
		return &dotenv.File{Name: FileName}, nil
	}
	data, err := dotenv.Read(filepath.Join(req.Dir, FileName))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &dotenv.File{Name: FileName}, nil
	case err != nil:
		return nil, safefile.UsageOr(err, "make .env.local a readable file, or remove it")
	case data == nil:
		data = []byte{}
	}
	return dotenv.Parse(FileName, data)
}

// planner carries Plan's state across variables.
type planner struct {
	req         Request
	file        *dotenv.File
	res         *Result
	assignments []dotenv.Assignment
	merged      []int // index in res.Variables of each assignment
	problems    []diag.Problem
	// unquotable are the values that cannot be written (no dotenv quoting
	// carries them, or the app would refuse them), at their place in
	// convex.json.
	unquotable []diag.Problem
	commented  bool
}

func (p *planner) localEnvVar(ev resolve.EnvVar) {
	v := Variable{Name: ev.Name, value: ev.Value.Value, Secret: ev.Secret || secret.LooksLikeAPIKey(ev.Value.Value)}
	if !p.skipped(&v) {
		inFile := false
		if e, ok := p.file.Lookup(ev.Name); ok {
			inFile = true
			if e.Value != "" && !ev.Resolved && !p.req.Force {
				// Kept whatever the template says; no need to resolve it.
				v.Action, v.Source = string(dotenv.Kept), fmt.Sprintf("%s:%d", FileName, e.Line)
				p.res.Variables = append(p.res.Variables, v)
				return
			}
		}
		if !ev.Resolved {
			p.problems = append(p.problems, problemsAt(p.req.Section.Problems, ev.Path)...)
		} else if n := len([]rune(ev.Value.Value)); ev.Name == CookiePasswordName && n > 0 && n < CookiePasswordMinLength {
			// Writing it would give an app that refuses to start; Convex
			// swaps in a random password instead, which hides the mistake.
			p.unquotable = append(p.unquotable, diag.Problem{
				Severity: diag.SeverityError, File: p.req.Config.File, Path: ev.Path, Line: ev.Line, Column: ev.Column,
				Message: fmt.Sprintf("%s is %d characters; AuthKit's SDKs refuse a cookie password shorter than %d", CookiePasswordName, n, CookiePasswordMinLength),
				Hint:    fmt.Sprintf("remove %s from localEnvVars to have a random one generated, or give at least %d characters", CookiePasswordName, CookiePasswordMinLength),
			})
		} else if _, err := dotenv.Quote(ev.Value.Value); errors.Is(err, dotenv.ErrUnquotable) {
			p.unquotable = append(p.unquotable, diag.Problem{
				Severity: diag.SeverityError, File: p.req.Config.File, Path: ev.Path, Line: ev.Line, Column: ev.Column,
				Message: err.Error(),
				Hint:    "change the value so that one form fits: without ' it can be single-quoted; without \", \\ and $ it can be double-quoted",
			})
		}
		a := dotenv.Assignment{Name: ev.Name, Value: ev.Value.Value, Replace: p.req.Force}
		if !inFile && !p.commented && interpolate.UsesAuthEnv(ev.Template, "WORKOS_CLIENT_ID") {
			p.commented = true
			id, _, _ := p.req.Sources.GetAuth("WORKOS_ENVIRONMENT_ID")
			comment := "# See this environment at https://dashboard.workos.com/" + id + "/authentication"
			if id != "" && !bytes.Contains(p.res.Old, []byte(comment)) {
				a.Comment = comment
			}
		}
		v.Value = shown(v)
		if p.req.WriteEnvironment && v.value != "" && p.req.Environ[v.Name] == v.value {
			v.Source = "environment"
		}
		p.assign(a, v)
		return
	}
	p.res.Variables = append(p.res.Variables, v)
}

// skipped sets v's action when the environment or .env sets it. With
// WriteEnvironment an environment holding v's value does not count.
func (p *planner) skipped(v *Variable) bool {
	if val := p.req.Environ[v.Name]; val != "" && !(p.req.WriteEnvironment && val == v.value) {
		v.Action, v.Source = SkippedEnvironment, "environment"
		return true
	}
	if e, ok := p.file.Lookup(v.Name); ok && e.Value != "" {
		return false
	}
	// With the environment and .env.local ruled out, a non-empty value
	// found here comes from .env.
	if val, source, found := p.req.Sources.Get(v.Name); found && val != "" && source != "environment" {
		v.Action, v.Source = SkippedEnvFile, source
		return true
	}
	return false
}

func (p *planner) assign(a dotenv.Assignment, v Variable) {
	p.merged = append(p.merged, len(p.res.Variables))
	p.assignments = append(p.assignments, a)
	p.res.Variables = append(p.res.Variables, v)
}

func (p *planner) cookiePassword() error {
	for _, ev := range p.req.Section.LocalEnvVars {
		if ev.Name == CookiePasswordName {
			return nil // localEnvVars says what to write
		}
	}
	v := Variable{Name: CookiePasswordName, Secret: true, generated: true}
	if env := p.req.Environ[CookiePasswordName]; p.req.WriteEnvironment && env != "" {
		v.value, v.generated = env, false
	}
	if p.skipped(&v) {
		p.res.Variables = append(p.res.Variables, v)
		p.checkCookieLength()
		return nil
	}
	if e, ok := p.file.Lookup(CookiePasswordName); ok && e.Value != "" {
		v.Action, v.Source = string(dotenv.Kept), fmt.Sprintf("%s:%d", FileName, e.Line)
		p.res.Variables = append(p.res.Variables, v)
		p.checkCookieLength()
		return nil
	}
	if !v.generated {
		// WriteEnvironment: the environment's password, which signed the
		// sessions of the app started from this shell.
		v.Value, v.Source = secret.Mask(v.value), "environment"
		p.checkCookieLength()
		p.assign(dotenv.Assignment{Name: CookiePasswordName, Value: v.value}, v)
		return nil
	}
	r := p.req.Rand
	if r == nil {
		r = rand.Reader
	}
	buf := make([]byte, 32)
	if _, err := io.ReadFull(r, buf); err != nil {
		return fmt.Errorf("generating %s: %w", CookiePasswordName, err)
	}
	v.value = base64.RawURLEncoding.EncodeToString(buf)
	v.Value, v.Source = secret.Mask(v.value), "generated"
	p.assign(dotenv.Assignment{Name: CookiePasswordName, Value: v.value}, v)
	return nil
}

// checkCookieLength warns about an existing cookie password that AuthKit's
// SDKs reject.
func (p *planner) checkCookieLength() {
	if val, source, _ := p.req.Sources.Get(CookiePasswordName); val != "" && len([]rune(val)) < CookiePasswordMinLength {
		p.res.Warnings = append(p.res.Warnings, fmt.Sprintf("%s (%s) is shorter than %d characters, which AuthKit's Next.js and TanStack Start SDKs refuse; remove it and run again to generate one", CookiePasswordName, source, CookiePasswordMinLength))
	}
}

// checkPublic refuses (or with AllowPublicSecret, warns about) secrets
// written under a public prefix.
func (p *planner) checkPublic() error {
	key, _, _ := p.req.Sources.GetAuth("WORKOS_API_KEY")
	var problems []diag.Problem
	for _, ev := range p.req.Section.LocalEnvVars {
		prefix := secret.PublicPrefix(ev.Name)
		if prefix == "" || !p.written(ev.Name) {
			continue
		}
		what := ""
		switch {
		case strings.Contains(ev.Template, "${authEnv.WORKOS_API_KEY}") || (key != "" && strings.Contains(ev.Value.Value, key)):
			what = "the WorkOS API key"
		case secret.LooksLikeAPIKey(ev.Value.Value):
			what = "an sk_ secret key"
		default:
			continue
		}
		msg := fmt.Sprintf("writes %s under the public prefix %s, which the framework publishes to every visitor", what, prefix)
		if p.req.AllowPublicSecret {
			p.res.Warnings = append(p.res.Warnings, fmt.Sprintf("%s %s (--allow-public-secret)", ev.Name, msg))
			continue
		}
		problems = append(problems, diag.Problem{
			Severity: diag.SeverityError, File: p.req.Config.File, Path: ev.Path, Line: ev.Line, Column: ev.Column,
			Message: msg,
			Hint:    fmt.Sprintf("rename it without %s (browser code needs only the client ID), or pass --allow-public-secret if the value is not secret", prefix),
		})
	}
	if len(problems) > 0 {
		return cmdutil.ProblemsError("refusing to write a secret under a public prefix; nothing was written", problems)
	}
	return nil
}

func (p *planner) written(name string) bool {
	for _, v := range p.res.Variables {
		if v.Name == name {
			return v.Written()
		}
	}
	return false
}

// nothingToWrite explains why the section writes no .env.local, or
// returns "". Like the Convex CLI, an absent or false localEnvVars writes
// nothing at all, not even the cookie password; an empty object does.
func nothingToWrite(cfg *config.Config, sec *resolve.Section) string {
	switch {
	case sec.Env != config.Dev:
		return fmt.Sprintf("only authKit.dev can have localEnvVars, not authKit.%s (Convex writes .env.local for local development alone)", sec.Env)
	case !sec.Configured:
		return cfg.File + " has no authKit.dev section"
	case !hasLocalEnvVars(cfg):
		return "authKit.dev.localEnvVars is absent or false"
	}
	return ""
}

// hasLocalEnvVars reports whether authKit.dev.localEnvVars is an object.
// The config model has no field for it: it gives nil for absent, false
// and {} alike, and only the last writes a cookie password.
func hasLocalEnvVars(cfg *config.Config) bool {
	v := cfg.Root
	for _, key := range []string{"authKit", "dev", "localEnvVars"} {
		m, ok := v.Lookup(key)
		if !ok {
			return false
		}
		v = m.Value
	}
	return v.Kind == jsonpos.Object
}

// problemsAt returns the problems of the value at path.
func problemsAt(problems []diag.Problem, path string) []diag.Problem {
	var out []diag.Problem
	for _, pr := range problems {
		if pr.Path == path {
			out = append(out, pr)
		}
	}
	return out
}

// shown is the value as output may show it.
func shown(v Variable) string {
	if v.Secret {
		return secret.Mask(v.value)
	}
	return v.value
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
