package config

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/diag"
	"github.com/convex-authkit/convex-authkit/internal/interpolate"
	"github.com/convex-authkit/convex-authkit/internal/jsonpos"
	"github.com/convex-authkit/convex-authkit/internal/secret"
)

// knownTopLevel are the top-level keys of convex.json that the Convex CLI
// (1.48.0, src/cli/lib/config.ts) knows. Others are kept but unrecognised.
var knownTopLevel = map[string]bool{
	"$schema": true, "functions": true, "node": true, "codegen": true, "bundler": true,
	"generateCommonJSApi": true, "typescriptCompiler": true, "authKit": true, "aiFiles": true,
	"project": true, "team": true, "prodUrl": true,
}

// sectionSpellings are other spellings of the three section names: a key
// within a typo of one of them (see NearSection) means that section.
var sectionSpellings = map[string]Env{
	"dev": Dev, "development": Dev, "develop": Dev,
	"preview": Preview,
	"prod":    Prod, "production": Prod,
}

// sectionGuesses are words people use for a kind of deployment that are
// not the section's name: worth a hint, but too loose to stop a run on.
// "staging" in particular often names a production-like deployment of its
// own, not Convex's preview deployments.
var sectionGuesses = map[string]Env{
	"local": Dev, "live": Prod, "staging": Preview, "branch": Preview,
}

var (
	sectionKeys   = []string{"environmentType", "configure", "localEnvVars"}
	configureKeys = []string{"redirectUris", "appHomepageUrl", "corsOrigins"}
	envTypes      = []string{"development", "staging", "production"}
)

type validator struct {
	file     string
	problems []diag.Problem
}

func (v *validator) add(sev, path string, pos jsonpos.Pos, msg, hint string) {
	v.problems = append(v.problems, diag.Problem{
		Severity: sev, File: v.file, Path: path, Line: pos.Line, Column: pos.Column, Message: msg, Hint: hint,
	})
}

func (v *validator) errorf(path string, pos jsonpos.Pos, hint, format string, args ...any) {
	v.add(diag.SeverityError, path, pos, fmt.Sprintf(format, args...), hint)
}

func (v *validator) warnf(path string, pos jsonpos.Pos, hint, format string, args ...any) {
	v.add(diag.SeverityWarning, path, pos, fmt.Sprintf(format, args...), hint)
}

// topLevel returns the unknown top-level keys and warns about duplicates.
func (v *validator) topLevel(root *jsonpos.Value) []string {
	var unknown []string
	for _, k := range root.Keys() {
		if !knownTopLevel[k] {
			unknown = append(unknown, k)
		}
	}
	for _, d := range root.Duplicates() {
		if d.Key == "authKit" {
			v.warnf(d.Key, d.KeyPos, "remove one of them", "duplicate key %q: JSON.parse keeps only the last one", d.Key)
		}
	}
	return unknown
}

func (v *validator) duplicates(obj *jsonpos.Value, path string) {
	for _, d := range obj.Duplicates() {
		v.warnf(join(path, d.Key), d.KeyPos, "remove one of them", "duplicate key %q: JSON.parse keeps only the last one, so this one is ignored", d.Key)
	}
}

func (v *validator) authKit(m *jsonpos.Member) *AuthKit {
	val := m.Value
	if val.Kind != jsonpos.Object {
		v.errorf("authKit", val.Pos, `write "authKit": {"dev": {...}, "preview": {...}, "prod": {...}}, or remove the key`,
			"must be an object with dev, preview and/or prod sections, found %s", describe(val))
		return nil
	}
	ak := &AuthKit{Pos: val.Pos, Sections: map[Env]*Section{}}
	v.duplicates(val, "authKit")
	for _, key := range val.Keys() {
		mem, _ := val.Lookup(key)
		env, ok := ParseEnv(key)
		if !ok {
			hint := "the sections are dev, preview and prod"
			if s := suggestSection(key); s != "" {
				hint = fmt.Sprintf("did you mean %q? %s", s, hint)
			}
			v.warnf(join("authKit", key), mem.KeyPos, hint, "unknown section %q: Convex ignores it", key)
			ak.Unknown = append(ak.Unknown, UnknownSection{Key: key, Pos: mem.KeyPos})
			continue
		}
		if s := v.section(env, mem); s != nil {
			ak.Sections[env] = s
		}
	}
	return ak
}

func suggestSection(key string) string {
	if e, ok := NearSection(key); ok {
		return string(e)
	}
	if e, ok := sectionGuesses[strings.ToLower(key)]; ok {
		return string(e)
	}
	return ""
}

// NearSection reports the section an unknown authKit key was most likely
// meant to be: one whose name, or a spelling of it, equals the key but for
// case, or is within a typo of it (one edit for names of up to four
// letters, where two edits would turn "prev" into "prod"; two otherwise).
// A key equally near two sections means neither.
func NearSection(key string) (Env, bool) {
	lower := strings.ToLower(key)
	best, bestDist, tie := Env(""), -1, false
	for spelling, env := range sectionSpellings {
		d := levenshtein(lower, spelling)
		limit := 2
		if len(spelling) <= 4 {
			limit = 1
		}
		if d > limit {
			continue
		}
		switch {
		case bestDist < 0 || d < bestDist:
			best, bestDist, tie = env, d, false
		case d == bestDist && env != best:
			tie = true
		}
	}
	if bestDist < 0 || tie {
		return "", false
	}
	return best, true
}

func (v *validator) section(env Env, m *jsonpos.Member) *Section {
	path := "authKit." + string(env)
	val := m.Value
	if val.Kind != jsonpos.Object {
		v.errorf(path, val.Pos, `write an object such as {"configure": {...}}, or remove the section to skip AuthKit for `+string(env)+" deployments",
			"must be an object, found %s", describe(val))
		return nil
	}
	s := &Section{Env: env, Path: path, Pos: val.Pos}
	v.duplicates(val, path)
	for _, key := range val.Keys() {
		mem, _ := val.Lookup(key)
		switch key {
		case "environmentType":
			s.EnvironmentType = v.environmentType(env, path+".environmentType", mem)
		case "configure":
			s.Configure, s.ConfigureDisabled = v.configure(path+".configure", mem)
		case "localEnvVars":
			s.LocalEnvVars, s.LocalEnvVarsDisabled = v.localEnvVars(env, path+".localEnvVars", mem)
		default:
			if k := closest(key, configureKeys); k != "" {
				v.warnf(join(path, key), mem.KeyPos, fmt.Sprintf("move it into configure: \"configure\": {%q: ...}", k),
					"unknown key %q: Convex ignores it; %s belongs inside configure", key, k)
				continue
			}
			v.unknownKey(join(path, key), mem, sectionKeys)
		}
	}
	return s
}

func (v *validator) unknownKey(path string, mem *jsonpos.Member, known []string) {
	hint := "the keys here are " + strings.Join(known, ", ")
	if s := closest(mem.Key, known); s != "" {
		hint = fmt.Sprintf("did you mean %q? %s", s, hint)
	}
	v.warnf(path, mem.KeyPos, hint, "unknown key %q: Convex ignores it (its JSON schema rejects it)", mem.Key)
}

func (v *validator) environmentType(env Env, path string, m *jsonpos.Member) *String {
	val := m.Value
	if env != Prod {
		v.errorf(path, m.KeyPos, "remove it: Convex uses environmentType only when it provisions a WorkOS environment for a prod deployment",
			"only the prod section may set environmentType")
	}
	if val.Kind != jsonpos.String {
		v.errorf(path, val.Pos, `use "development", "staging" or "production"`, "must be a string, found %s", describe(val))
		return nil
	}
	for _, t := range envTypes {
		if val.Str == t {
			return &String{Value: val.Str, Path: path, Pos: val.Pos}
		}
	}
	hint := `use "development", "staging" or "production"`
	for _, t := range envTypes {
		if strings.EqualFold(strings.TrimSpace(val.Str), t) {
			hint = fmt.Sprintf("did you mean %q? Values are case-sensitive", t)
		}
	}
	v.errorf(path, val.Pos, hint, "invalid value %q: must be development, staging or production", val.Str)
	return nil
}

func (v *validator) configure(path string, m *jsonpos.Member) (*Configure, bool) {
	val := m.Value
	if val.Kind == jsonpos.Bool && !val.Bool {
		return nil, true
	}
	if val.Kind != jsonpos.Object {
		v.errorf(path, val.Pos, `write false to skip WorkOS configuration, or {"redirectUris": [...], "appHomepageUrl": "...", "corsOrigins": [...]}`,
			"must be false or an object, found %s", describe(val))
		return nil, false
	}
	c := &Configure{Path: path, Pos: val.Pos}
	v.duplicates(val, path)
	for _, key := range val.Keys() {
		mem, _ := val.Lookup(key)
		kpath := path + "." + key
		switch key {
		case "redirectUris":
			c.RedirectURIs = v.stringArray(kpath, mem.Value, urlRedirect)
		case "corsOrigins":
			c.CORSOrigins = v.stringArray(kpath, mem.Value, urlOrigin)
		case "appHomepageUrl":
			if mem.Value.Kind != jsonpos.String {
				v.errorf(kpath, mem.Value.Pos, `write one URL as a string, e.g. "https://example.com"`, "must be a string, found %s", describe(mem.Value))
				continue
			}
			s := String{Value: mem.Value.Str, Path: kpath, Pos: mem.Value.Pos}
			v.template(s, urlHomepage)
			c.AppHomepageURL = &s
		default:
			v.unknownKey(kpath, mem, configureKeys)
		}
	}
	return c, false
}

func (v *validator) stringArray(path string, val *jsonpos.Value, kind urlKind) []String {
	if val.Kind != jsonpos.Array {
		hint := `write a list of strings, e.g. ["https://example.com/callback"]`
		if val.Kind == jsonpos.String {
			hint = fmt.Sprintf("wrap the value in a list: [%s]", strconv.Quote(val.Str))
		}
		v.errorf(path, val.Pos, hint, "must be an array of strings, found %s", describe(val))
		return nil
	}
	out := make([]String, 0, len(val.Elems))
	seen := map[string]int{}
	for i, e := range val.Elems {
		epath := fmt.Sprintf("%s[%d]", path, i)
		if e.Kind != jsonpos.String {
			v.errorf(epath, e.Pos, "quote the value", "must be a string, found %s", describe(e))
			continue
		}
		if j, dup := seen[e.Str]; dup {
			v.warnf(epath, e.Pos, "remove the repeated entry", "repeats %s[%d]", path, j)
		} else {
			seen[e.Str] = i
		}
		s := String{Value: e.Str, Path: epath, Pos: e.Pos}
		v.template(s, kind)
		out = append(out, s)
	}
	return out
}

func (v *validator) localEnvVars(env Env, path string, m *jsonpos.Member) ([]LocalEnvVar, bool) {
	val := m.Value
	if val.Kind == jsonpos.Bool && !val.Bool {
		return nil, true
	}
	if val.Kind != jsonpos.Object {
		v.errorf(path, val.Pos, `write false, or an object of variable names to string templates, e.g. {"VITE_WORKOS_CLIENT_ID": "${authEnv.WORKOS_CLIENT_ID}"}`,
			"must be false or an object, found %s", describe(val))
		return nil, false
	}
	if env != Dev {
		v.errorf(path, m.KeyPos, "set these on the deployment instead (Vercel, Netlify or your CI), or write \"localEnvVars\": false",
			"only the dev section may set local env vars")
		return nil, false
	}
	v.duplicates(val, path)
	var out []LocalEnvVar
	for _, name := range val.Keys() {
		mem, _ := val.Lookup(name)
		vpath := join(path, name)
		if mem.Value.Kind != jsonpos.String {
			hint := "values are templates written as strings"
			if mem.Value.Kind == jsonpos.Number || mem.Value.Kind == jsonpos.Bool {
				hint = fmt.Sprintf("quote it: %q", rawScalar(mem.Value))
			}
			v.errorf(vpath, mem.Value.Pos, hint, "must be a string, found %s", describe(mem.Value))
			continue
		}
		if !validEnvName(name) {
			v.warnf(vpath, mem.KeyPos, "use letters, digits, '_', '.' and '-'",
				"%q is not a variable name that .env.local can hold", name)
		}
		s := String{Value: mem.Value.Str, Path: vpath, Pos: mem.Value.Pos}
		v.template(s, urlNone)
		v.publicSecret(name, s, mem)
		out = append(out, LocalEnvVar{Name: name, NamePos: mem.KeyPos, Value: s})
	}
	return out, false
}

// publicSecret warns when a secret would land in a variable that frameworks
// inline into browser bundles.
func (v *validator) publicSecret(name string, s String, mem *jsonpos.Member) {
	prefix := secret.PublicPrefix(name)
	if prefix == "" {
		return
	}
	usesKey := strings.Contains(s.Value, "${authEnv.WORKOS_API_KEY}")
	if usesKey || secret.LooksLikeAPIKey(s.Value) || secret.IsSecretName(name) {
		v.warnf(s.Path, mem.KeyPos, fmt.Sprintf("rename it without the %s prefix: the browser needs only the client ID", prefix),
			"puts a secret under the public prefix %s, which your framework publishes to every visitor", prefix)
	}
}

// envNameRE is the names npm dotenv reads from .env.local (Vite, Next.js
// and the Convex CLI read it with npm dotenv).
var envNameRE = regexp.MustCompile(`^[\w.-]+$`)

func validEnvName(n string) bool { return envNameRE.MatchString(n) }

type urlKind int

const (
	urlNone urlKind = iota
	urlRedirect
	urlHomepage
	urlOrigin
)

// template checks one template string: placeholders that can never resolve
// are errors whatever the environment; near-misses and literal secrets are
// warnings; a literal URL that WorkOS would reject is a warning.
func (v *validator) template(s String, kind urlKind) {
	segs := interpolate.Parse(s.Value)
	literal := !interpolate.HasPlaceholders(segs)
	for _, f := range interpolate.Check(segs) {
		v.errorf(s.Path, s.Pos, f.Hint, "%s", f.Message)
	}
	if kind != urlNone && v.secretInURL(s, segs) {
		// The other URL checks would quote the value, secret and all.
		return
	}
	for _, la := range interpolate.LookAlikes(segs) {
		v.warnf(s.Path, s.Pos, la.Reason, "%q looks like a placeholder but is not one", la.Text)
	}
	if secret.LooksLikeAPIKey(s.Value) && literal {
		v.warnf(s.Path, s.Pos, "use ${authEnv.WORKOS_API_KEY} and keep the key in the environment", "convex.json holds what looks like a WorkOS API key; it is usually committed to git")
	}
	if kind != urlNone && literal {
		if msg, hint := checkURL(s.Value, kind); msg != "" {
			v.warnf(s.Path, s.Pos, hint, "%s", msg)
		}
	}
}

// secretInURL reports, as errors, the secrets a URL registered in WorkOS
// would carry: a WorkOS key written anywhere in it (a query parameter
// counts as much as a prefix) and any placeholder naming a secret variable.
// WorkOS lists these URLs in its dashboard and sends users' browsers to
// them, so a secret there is published. The message names the variable,
// never the value.
func (v *validator) secretInURL(s String, segs []interpolate.Segment) bool {
	found := false
	for _, seg := range segs {
		switch {
		case seg.Kind == interpolate.Literal && secret.ContainsKey(seg.Text):
			v.errorf(s.Path, s.Pos, "remove the key: no URL needs it, and anyone who sees the URL can use it",
				"holds a WorkOS API key (sk_...) in a URL registered in WorkOS")
			found = true
		case (seg.Kind == interpolate.AuthEnv || seg.Kind == interpolate.BuildEnv) && secret.IsSecretName(seg.Name):
			what := "the secret variable " + seg.Name
			if seg.Name == "WORKOS_API_KEY" {
				what = "the WorkOS API key"
			}
			v.errorf(s.Path, s.Pos, "configure values are URLs registered in WorkOS and visible to every browser: use ${authEnv.WORKOS_CLIENT_ID} or a ${buildEnv.NAME} that holds no secret",
				"puts %s into a URL (%s)", what, seg.Text)
			found = true
		}
	}
	return found
}

// checkURL applies the shape rules every WorkOS URL must meet; the stricter
// production rules belong to `apply`, which knows the target environment.
func checkURL(raw string, kind urlKind) (msg, hint string) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return fmt.Sprintf("%q is not an absolute URL", raw), "write a full URL such as https://example.com/callback"
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		if kind == urlRedirect {
			// Native apps register custom schemes (myapp://callback).
			return "", ""
		}
		return fmt.Sprintf("%q does not use http or https", raw), "write a URL starting with https://"
	}
	if kind == urlOrigin && (u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "") {
		return fmt.Sprintf("%q is not an origin: it has a path, query or fragment", raw), fmt.Sprintf("a CORS origin is scheme://host[:port] only, e.g. %s://%s", u.Scheme, u.Host)
	}
	return "", ""
}

func rawScalar(v *jsonpos.Value) string {
	switch v.Kind {
	case jsonpos.Number:
		return v.Number
	case jsonpos.Bool:
		return strconv.FormatBool(v.Bool)
	}
	return ""
}

// describe names a JSON value's type for messages: "null", "true", "a number".
func describe(v *jsonpos.Value) string {
	switch v.Kind {
	case jsonpos.Null:
		return "null"
	case jsonpos.Bool:
		return strconv.FormatBool(v.Bool)
	case jsonpos.Number:
		return "a number"
	case jsonpos.String:
		return "a string"
	case jsonpos.Array:
		return "an array"
	}
	return "an object"
}

var identRE = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

// join appends a key to a JSON path, quoting keys that are not identifiers.
func join(path, key string) string {
	if identRE.MatchString(key) {
		return path + "." + key
	}
	return path + "[" + strconv.Quote(key) + "]"
}

// closest returns the known key nearest to key when it is a plausible typo.
func closest(key string, known []string) string {
	best, bestDist := "", 4
	for _, k := range known {
		if strings.EqualFold(k, key) {
			return k
		}
		if d := levenshtein(strings.ToLower(key), strings.ToLower(k)); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// SortProblems orders problems by position, errors before warnings at the
// same place, so output is stable.
func SortProblems(ps []diag.Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Line != ps[j].Line {
			return ps[i].Line < ps[j].Line
		}
		if ps[i].Column != ps[j].Column {
			return ps[i].Column < ps[j].Column
		}
		return ps[i].Severity < ps[j].Severity
	})
}
