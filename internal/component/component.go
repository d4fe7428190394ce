// Package component finds out, by reading the app's source and never
// running it, whether and how a Convex app uses the
// @convex-dev/workos-authkit component: what apply must configure in
// WorkOS for it, and what doctor checks.
package component

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/authconfig"
	"github.com/convex-authkit/convex-authkit/internal/diag"
	"github.com/convex-authkit/convex-authkit/internal/project"
	"github.com/convex-authkit/convex-authkit/internal/safefile"
)

// Package is the component's npm package.
const Package = "@convex-dev/workos-authkit"

// Facts from the component's source (0.2.9, src/client/index.ts).
const (
	// WebhookPath and ActionPath are the routes registerRoutes adds, on
	// the deployment's site URL. They are fixed: the webhookPath option
	// the constructor accepts is not used by registerRoutes.
	WebhookPath = "/workos/webhook"
	ActionPath  = "/workos/action"
	// SecretVar signs webhook deliveries; ActionSecretVar signs actions.
	SecretVar       = "WORKOS_WEBHOOK_SECRET"
	ActionSecretVar = "WORKOS_ACTION_SECRET"
)

// DefaultEvents are the event types the component always handles.
var DefaultEvents = []string{"user.created", "user.updated", "user.deleted"}

// RequiredVars are the deployment variables the AuthKit constructor
// throws "Missing environment variables" without.
var RequiredVars = []string{"WORKOS_CLIENT_ID", "WORKOS_API_KEY", SecretVar}

// maxSource bounds the size of a source file read: app code is small, and
// a generated bundle in the functions folder says nothing about wiring.
const maxSource = 1 << 20

// Location is where something was found.
type Location struct {
	File string `json:"file"`
	Line int    `json:"line"`
}

func (l Location) String() string { return fmt.Sprintf("%s:%d", l.File, l.Line) }

// Usage is what the app's source says about the component.
type Usage struct {
	// Used is true when package.json depends on the component or
	// convex.config installs it; everything else is meaningful only then.
	Used bool `json:"used"`
	// Dependency is the version range package.json asks for ("" if none).
	Dependency string `json:"dependency,omitempty"`
	// Installed is where convex.config calls app.use(<component config>).
	Installed *Location `json:"installed,omitempty"`
	// Routes is where http.ts calls registerRoutes.
	Routes *Location `json:"routes,omitempty"`
	// Events are the event types the app needs: the defaults, then
	// additionalEventTypes in source order, without repeats.
	Events []string `json:"events"`
	// Actions is where authKit.actions(...) is called, if anywhere.
	Actions *Location `json:"actions,omitempty"`
	// Problems are wrong or missing wiring, located.
	Problems []diag.Problem `json:"problems"`
}

// Options say where the app is.
type Options struct {
	// Dir holds package.json (the project folder); Functions is the Convex
	// functions folder (convex/ unless convex.json says otherwise).
	Dir, Functions string
}

// ProjectOptions are the Options of the project whose convex.json is at
// configPath: package.json beside it, and the functions folder it names
// (convex/ when it cannot say: a convex.json that does not load is
// reported by the commands' own checks).
func ProjectOptions(configPath, configName string) Options {
	dir := filepath.Dir(configPath)
	fn, err := authconfig.FunctionsDir(configPath, configName)
	if err != nil {
		fn = filepath.Join(dir, "convex")
	}
	return Options{Dir: dir, Functions: fn}
}

// Detect reads package.json and the functions folder. Errors are files
// that exist but cannot be read; missing files are problems or, when
// nothing mentions the component, simply mean it is not used.
func Detect(opts Options) (*Usage, error) {
	u := &Usage{Events: slices.Clone(DefaultEvents), Problems: []diag.Problem{}}
	pkgFile := filepath.Join(opts.Dir, "package.json")
	dep, err := dependency(pkgFile)
	if err != nil {
		return nil, err
	}
	u.Dependency = dep

	sources, err := readSources(opts.Functions)
	if err != nil {
		return nil, err
	}
	show := func(path string) string { return project.Display(opts.Dir, path) }

	configFile, configToks := pick(sources, opts.Functions, "convex.config.ts", "convex.config.js")
	configImport := importsFrom(configToks, func(m string) bool {
		return strings.HasPrefix(m, Package+"/convex.config")
	})
	u.Used = dep != "" || len(configImport) > 0
	if !u.Used {
		return u, nil
	}
	if dep == "" {
		u.Problems = append(u.Problems, diag.Problem{Severity: diag.SeverityError, File: show(pkgFile), Path: "dependencies",
			Message: Package + " is used by the Convex functions but not listed in package.json",
			Hint:    "npm install " + Package})
	}

	// convex.config: app.use(<the imported config>).
	for _, t := range calls(configToks, "use") {
		i := slices.IndexFunc(configToks, func(o token) bool { return o == t })
		if i+2 < len(configToks) && configToks[i+2].kind == tokIdent {
			if _, ok := configImport[configToks[i+2].text]; ok {
				u.Installed = &Location{File: show(configFile), Line: t.line}
				break
			}
		}
	}
	if u.Installed == nil {
		p := diag.Problem{Severity: diag.SeverityError, File: show(configFile),
			Hint: fmt.Sprintf(`import workOSAuthKit from "%s/convex.config"; then app.use(workOSAuthKit) before export default app`, Package)}
		switch {
		case configToks == nil:
			p.File = show(filepath.Join(opts.Functions, "convex.config.ts"))
			p.Message = "the component is not installed: there is no convex.config.ts"
		case len(configImport) == 0:
			p.Message = "the component is not installed: convex.config does not import " + Package + "/convex.config"
		default:
			p.Line = firstLine(configImport)
			p.Message = "the component's config is imported but never passed to app.use(...)"
		}
		u.Problems = append(u.Problems, p)
	}

	// http.ts: <authKit>.registerRoutes(http).
	httpFile, httpToks := pick(sources, opts.Functions, "http.ts", "http.js")
	if rr := calls(httpToks, "registerRoutes"); len(rr) > 0 {
		u.Routes = &Location{File: show(httpFile), Line: rr[0].line}
	} else {
		p := diag.Problem{Severity: diag.SeverityError, File: show(httpFile),
			Message: "the webhook routes are not registered: http.ts does not call authKit.registerRoutes(http)",
			Hint:    "in http.ts: const http = httpRouter(); authKit.registerRoutes(http); export default http"}
		if httpToks == nil {
			p.File = show(filepath.Join(opts.Functions, "http.ts"))
			p.Message = "the webhook routes are not registered: there is no http.ts calling authKit.registerRoutes(http)"
		}
		u.Problems = append(u.Problems, p)
	}

	// additionalEventTypes and actions, in any file that uses the client.
	names := make([]string, 0, len(sources))
	for name := range sources {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		toks := sources[name]
		if len(importsFrom(toks, func(m string) bool { return m == Package })) == 0 {
			continue
		}
		for i, t := range toks {
			if t.kind != tokIdent || t.text != "additionalEventTypes" {
				continue
			}
			// `additionalEventTypes: [...]` is read; the shorthand
			// `{ additionalEventTypes }` names a variable, which is not.
			var values []string
			literal := false
			if is(toks, i+1, tokPunct, ":") {
				values, literal = stringList(toks, i+2)
			} else if !is(toks, i+1, tokPunct, ",") && !is(toks, i+1, tokPunct, "}") {
				continue // some other use of the name, such as a type
			}
			if !literal {
				u.Problems = append(u.Problems, unreadable(show(name), t))
			}
			for _, v := range values {
				if !slices.Contains(u.Events, v) {
					u.Events = append(u.Events, v)
				}
			}
		}
		if a := calls(toks, "actions"); len(a) > 0 && u.Actions == nil {
			u.Actions = &Location{File: show(name), Line: a[0].line}
		}
	}
	return u, nil
}

func unreadable(file string, t token) diag.Problem {
	return diag.Problem{Severity: diag.SeverityWarning, File: file, Line: t.line, Column: t.col, Path: "additionalEventTypes",
		Message: "additionalEventTypes is not a list of string literals, so its event types cannot be read without running the app's code",
		Hint:    `write the list inline, e.g. additionalEventTypes: ["session.created"], so apply subscribes the webhook endpoint to them`}
}

func firstLine(m map[string]token) int {
	line := 0
	for _, t := range m {
		if line == 0 || t.line < line {
			line = t.line
		}
	}
	return line
}

// pick returns the first of names present in the functions folder.
func pick(sources map[string][]token, dir string, names ...string) (string, []token) {
	for _, n := range names {
		p := filepath.Join(dir, n)
		if toks, ok := sources[p]; ok {
			return p, toks
		}
	}
	return filepath.Join(dir, names[0]), nil
}

// dependency returns the component's version range from package.json's
// dependencies or devDependencies. A missing package.json means none.
func dependency(path string) (string, error) {
	data, err := safefile.Read(path, safefile.Options{Limit: maxSource, What: "package.json"})
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var pkg struct {
		Dependencies    map[string]string `json:"dependencies"`
		DevDependencies map[string]string `json:"devDependencies"`
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	if v, ok := pkg.Dependencies[Package]; ok {
		return v, nil
	}
	return pkg.DevDependencies[Package], nil
}

// readSources scans every .ts/.js/.mts/.mjs file of the functions folder,
// except generated code and dependencies.
func readSources(dir string) (map[string][]token, error) {
	out := map[string][]token{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && path == dir {
				return fs.SkipAll
			}
			return err
		}
		if d.IsDir() {
			if path != dir && (d.Name() == "_generated" || d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) {
				return fs.SkipDir
			}
			return nil
		}
		switch filepath.Ext(path) {
		case ".ts", ".js", ".mts", ".mjs", ".tsx", ".jsx":
		default:
			return nil
		}
		if strings.HasSuffix(path, ".d.ts") {
			return nil
		}
		data, err := safefile.Read(path, safefile.Options{Limit: maxSource, What: "a Convex function file"})
		var tooLarge *safefile.TooLargeError
		if errors.As(err, &tooLarge) {
			return nil // a bundle, not wiring
		}
		if err != nil {
			return err
		}
		out[path] = scan(string(data))
		return nil
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	return out, nil
}
