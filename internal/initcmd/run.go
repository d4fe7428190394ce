// Package initcmd implements `convex-authkit init`: it detects the web
// framework and dev server port of a project, asks for what it cannot
// detect, writes the authKit section of convex.json for that framework
// (keeping the rest of the file byte for byte), and has convex/auth.config.ts
// and .env.local generated to match.
package initcmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/authconfig"
	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/config"
	"github.com/convex-authkit/convex-authkit/internal/deployment"
	"github.com/convex-authkit/convex-authkit/internal/diag"
	"github.com/convex-authkit/convex-authkit/internal/framework"
	"github.com/convex-authkit/convex-authkit/internal/interpolate"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/project"
	"github.com/convex-authkit/convex-authkit/internal/prompt"
	"github.com/convex-authkit/convex-authkit/internal/resolve"
	"github.com/convex-authkit/convex-authkit/internal/secret"
)

// Options are the inputs of `init`.
type Options struct {
	IO *iostreams.IOStreams
	// Prompter confirms replacing content the user wrote.
	Prompter prompt.Prompter
	// Form asks for what flags and detection left open.
	Form Form
	// Dir is the project root: package.json, the Vite config and .env.local
	// are looked for there.
	Dir        string
	ConfigPath string
	ConfigName string
	Env        map[string]string
	JSON       bool
	Verbose    bool

	// Framework is --framework; empty means detect.
	Framework string
	// Port is --port; 0 means detect.
	Port     int
	ClientID string
	// AuthDomain is --auth-domain; AuthDomainSet tells "--auth-domain ''"
	// (no custom domain, do not ask) from an absent flag.
	AuthDomain    string
	AuthDomainSet bool
	// Files is --files; nil means all (or ask).
	Files []string
	// Yes takes the flags and detected values without asking.
	Yes bool
	// Force replaces an authKit section that differs, an auth config not
	// written by convex-authkit, and .env.local values that differ.
	Force bool
	// Rand is the source of the cookie password; nil means crypto/rand.
	Rand io.Reader

	// Deployment and DeploymentClient say how to reach the Convex
	// deployment, which is given WORKOS_CLIENT_ID (and a known API key)
	// when it lacks them; NoDeployment is --no-deployment.
	Deployment       deployment.Options
	DeploymentClient deployment.ClientOptions
	NoDeployment     bool
}

// Report is the --json document of init.
type Report struct {
	SchemaVersion int          `json:"schemaVersion"`
	Framework     string       `json:"framework"`
	Port          int          `json:"port"`
	AuthDomain    string       `json:"authDomain"`
	Files         []FileResult `json:"files"`
	NextSteps     []string     `json:"nextSteps"`
	// Deployment lists the variables put on the connected deployment;
	// absent when none is connected.
	Deployment []VariableResult `json:"deployment,omitempty"`
}

// VariableResult says what init did to one deployment variable.
type VariableResult struct {
	Name   string `json:"name"`
	Value  string `json:"value"` // the API key masked
	Action string `json:"action"`
}

// FileResult says what init did to one file.
type FileResult struct {
	Path   string `json:"path"`
	Action string `json:"action"`
}

// Run detects, asks, plans every file, gets consent for replacing what
// the user wrote, and only then writes: a refusal or a failed check leaves
// the project as it was.
//
// Once the answers are in, everything printed and the error returned pass
// through a redactor of the secrets output could echo: a diff of
// convex.json shows whatever the user put there.
func Run(opts Options) error {
	for _, dir := range []string{opts.Dir, filepath.Dir(opts.ConfigPath)} {
		if err := authconfig.CheckFolder(dir); err != nil {
			return err
		}
	}
	// convex.json as it is, nil when there is none. An error waits for
	// the redactor: a syntax error quotes the word it stopped at.
	cur, curErr := currentConfig(opts)
	pkg, a, src, err := answers(opts, cur, recordedAuthDomain(opts, cur, curErr))
	if err != nil {
		return err
	}
	red := redactor(cur, src, a.APIKey)
	if curErr != nil {
		return cmdutil.Redacted(curErr, red.Redact)
	}
	opts.IO = opts.IO.Wrap(red.Writer)
	return cmdutil.Redacted(execute(opts, pkg, a, cur, red), red.Redact)
}

// redactor knows the secrets of the environment and the dotenv files, the
// API key typed into the form, and the secret values of the current
// authKit.dev section.
func redactor(cur *config.Config, src *resolve.Sources, apiKey string) *secret.Redactor {
	if cur == nil {
		cur = &config.Config{}
	}
	red := resolve.Resolve(cur, config.Dev, src).Redactor(src)
	red.Add(apiKey)
	return red
}

func execute(opts Options, pkg *framework.PackageJSON, a *Answers, cur *config.Config, red *secret.Redactor) error {
	io := opts.IO
	dep, err := planDeployment(opts, a, red)
	if err != nil {
		return err
	}
	files, err := planFiles(opts, pkg, a, cur, red)
	if err != nil {
		return err
	}
	if err := consent(opts, files); err != nil {
		return err
	}

	report := &Report{SchemaVersion: cmdutil.SchemaVersion, Framework: a.Framework.ID, Port: a.Port,
		AuthDomain: a.AuthDomain, Files: []FileResult{}, NextSteps: nextSteps(a, dep.holds)}
	var written []string
	for _, f := range files {
		if f.action != ActionUnchanged {
			if err := f.write(); err != nil {
				return writeError(err, f.name, written)
			}
			written = append(written, f.name)
		}
		report.Files = append(report.Files, FileResult{f.name, f.action})
	}
	if err := dep.write(context.Background()); err != nil {
		return err
	}
	report.Deployment = dep.results
	if opts.JSON {
		return cmdutil.WriteJSON(io.Out, report)
	}
	printReport(io, a, report, len(written) == 0 && len(dep.changes) == 0)
	return nil
}

// answers gathers flags, detection and, on a terminal, the form's answers,
// and checks that nothing required is missing. cur is convex.json as it is
// (nil when there is none); recorded is the custom domain the auth config
// records, the answer when --auth-domain is absent.
func answers(opts Options, cur *config.Config, recorded string) (*framework.PackageJSON, *Answers, *resolve.Sources, error) {
	io := opts.IO
	pkg, err := framework.ReadPackageJSON(opts.Dir)
	if err != nil {
		cmdutil.PrintProblems(io.ErrOut, io.ColorScheme(), []diag.Problem{{Severity: diag.SeverityWarning, File: "package.json",
			Message: "cannot read it, so the framework and port are not detected: " + err.Error()}})
	}
	note := func(format string, args ...any) {
		if opts.Verbose {
			fmt.Fprintf(io.ErrOut, format+"\n", args...)
		}
	}

	a := &Answers{Files: append([]string(nil), AllFiles...)}
	q := Questions{Files: opts.Files == nil, ClientID: opts.ClientID == "", Port: opts.Port == 0, AuthDomain: !opts.AuthDomainSet}
	if opts.Framework != "" {
		if a.Framework, err = framework.Parse(opts.Framework); err != nil {
			return nil, nil, nil, cmdutil.FlagErrorf("--framework: %v", err)
		}
	} else {
		var why string
		a.Framework, why = framework.Detect(pkg)
		q.Framework = true
		if a.Framework != nil {
			note("Detected %s: %s", a.Framework.Name, why)
		}
	}
	if opts.Files != nil {
		if a.Files, err = ParseFiles(opts.Files); err != nil {
			return nil, nil, nil, cmdutil.FlagErrorf("--files: %v", err)
		}
	}
	a.AuthDomain = opts.AuthDomain
	if opts.AuthDomainSet && a.AuthDomain != "" {
		if err := authconfig.CheckAuthDomain(a.AuthDomain); err != nil {
			return nil, nil, nil, err
		}
	} else if !opts.AuthDomainSet {
		a.AuthDomain = recorded
	}

	// The client ID and API key may already be in the environment or the
	// dotenv files, from an earlier init or from `npx convex dev`.
	target, err := project.LoadTarget(project.Options{Dir: opts.Dir, Env: opts.Env})
	if err != nil {
		return nil, nil, nil, err
	}
	a.ClientID = opts.ClientID
	if a.ClientID == "" {
		a.ClientID = knownClientID(target.Sources)
	}
	key, _, _ := target.Sources.Get("WORKOS_API_KEY")
	q.APIKey = key == ""

	ports := map[*framework.Framework]int{}
	portFor := func(fw *framework.Framework) int {
		if port, ok := ports[fw]; ok {
			return port
		}
		port, source, err := DetectPort(opts.Dir, pkg, fw)
		if err != nil {
			note("Cannot read the Vite config (%v); using the %s default port", err, fw.Name)
			port = fw.DefaultPort
		} else {
			note("Port %d for %s: %s", port, fw.Name, source)
		}
		ports[fw] = port
		return port
	}
	q.PortFor = portFor
	a.Port = opts.Port
	if a.Port == 0 && a.Framework != nil {
		a.Port = portFor(a.Framework)
	}

	asked := io.CanPrompt() && !opts.Yes
	if asked {
		if err := opts.Form.Ask(a, q); err != nil {
			if errors.Is(err, prompt.ErrCancelled) {
				return nil, nil, nil, cmdutil.ErrCancel
			}
			return nil, nil, nil, err
		}
	}

	if a.Framework == nil {
		why := "no package.json in " + opts.Dir
		if pkg != nil {
			why = "package.json has none of next, @tanstack/react-start, @react-router/dev, or vite with react"
		}
		return nil, nil, nil, cmdutil.UsageError(fmt.Errorf("cannot detect the framework: %s", why),
			"pass --framework with one of "+framework.IDs())
	}
	if a.Port == 0 {
		a.Port = portFor(a.Framework)
	}
	if a.ClientID != "" {
		if err := ValidateClientID(a.ClientID); err != nil {
			return nil, nil, nil, cmdutil.FlagErrorf("--client-id: %v", err)
		}
	}
	if !a.Writes(FileEnvLocal) {
		return pkg, a, target.Sources, nil
	}
	const without = "or leave .env.local out with --files convex.json,convex/auth.config.ts"
	if a.ClientID == "" {
		return nil, nil, nil, cmdutil.UsageError(errors.New("a WorkOS client ID is needed to write .env.local"),
			"pass --client-id client_... (or set WORKOS_CLIENT_ID), "+without)
	}
	if needsAPIKey(a, cur) && key == "" && a.APIKey == "" {
		if !asked {
			return nil, nil, nil, cmdutil.UsageError(fmt.Errorf("the WorkOS API key is needed to write .env.local for %s", a.Framework.Name),
				"set WORKOS_API_KEY in the environment (init never takes it as a flag), "+without)
		}
		// The user skipped the hidden question: they will add it themselves.
		a.Files = slices.DeleteFunc(a.Files, func(f string) bool { return f == FileEnvLocal })
		fmt.Fprintf(io.ErrOut, "Leaving .env.local alone: %s reads WORKOS_API_KEY from it. Set WORKOS_API_KEY, then run `convex-authkit generate env`.\n", a.Framework.Name)
	}
	return pkg, a, target.Sources, nil
}

// needsAPIKey reports whether the .env.local init writes holds the API key:
// .env.local is rendered from authKit.dev's localEnvVars, those init writes
// into convex.json (the framework's, with the key for a server framework),
// else those already there, which may never read ${authEnv.WORKOS_API_KEY}.
// Without a convex.json to render from, planning refuses with the reason.
func needsAPIKey(a *Answers, cur *config.Config) bool {
	if a.Writes(FileConvexJSON) {
		return a.Framework.NeedsAPIKey()
	}
	if cur == nil || cur.Section(config.Dev) == nil {
		return false
	}
	for _, v := range cur.Section(config.Dev).LocalEnvVars {
		if interpolate.UsesAuthEnv(v.Value.Value, "WORKOS_API_KEY") {
			return true
		}
	}
	return false
}

// knownClientID finds a client ID under the names the frameworks use.
func knownClientID(src *resolve.Sources) string {
	for _, f := range framework.All {
		if v, _, _ := src.Get(f.ClientIDVar); v != "" && ValidateClientID(v) == nil {
			return v
		}
	}
	return ""
}

// recordedAuthDomain is the custom domain an earlier run wrote into the
// auth config (authconfig.RecordedAuthDomain), which init keeps unless
// --auth-domain says otherwise; "" when convex.json could not be loaded
// (the run fails on it) or names no usable functions folder.
func recordedAuthDomain(opts Options, cur *config.Config, curErr error) string {
	if curErr != nil || opts.AuthDomainSet {
		return ""
	}
	functions, err := authconfig.Functions(cur, opts.ConfigPath)
	if err != nil {
		return ""
	}
	return authconfig.RecordedAuthDomain(functions)
}

// ParseFiles accepts the names of --files; auth.config.ts and env are
// short for convex/auth.config.ts and .env.local.
func ParseFiles(names []string) ([]string, error) {
	want := map[string]bool{}
	for _, n := range names {
		switch strings.TrimSpace(n) {
		case FileConvexJSON:
			want[FileConvexJSON] = true
		case FileAuthConfig, "auth.config.ts":
			want[FileAuthConfig] = true
		case FileEnvLocal, "env":
			want[FileEnvLocal] = true
		default:
			return nil, fmt.Errorf("unknown file %q: use %s", n, strings.Join(AllFiles, ", "))
		}
	}
	var files []string
	for _, f := range AllFiles {
		if want[f] {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return nil, errors.New("name at least one file")
	}
	return files, nil
}

// consent shows the diff of every planned change that replaces what the
// user wrote, and goes on only with --force or the user's yes.
func consent(opts Options, files []*planned) error {
	io := opts.IO
	var names, keep []string
	for _, f := range files {
		if f.diff == "" {
			continue
		}
		names = append(names, f.name)
		if f.keep != "" {
			keep = append(keep, f.keep)
		}
		fmt.Fprintf(io.ErrOut, "%s %s:\n\n", f.name, f.why)
		printDiff(io, f.diff)
	}
	if len(names) == 0 || opts.Force {
		return nil
	}
	list := strings.Join(names, " and ")
	if !io.CanPrompt() || opts.Yes {
		hint := "review the diff above and pass --force to replace it"
		if len(keep) > 0 {
			hint += ", " + strings.Join(keep, "; ")
		}
		return cmdutil.UsageError(fmt.Errorf("init would replace what you wrote in %s; nothing was written", list), hint)
	}
	ok, err := opts.Prompter.Confirm("Replace "+list+"?", "The lines marked - are lost.", false)
	switch {
	case errors.Is(err, prompt.ErrCancelled), err == nil && !ok:
		return cmdutil.ErrCancel
	}
	return err
}

func printDiff(io *iostreams.IOStreams, diff string) {
	cs := io.ColorScheme()
	for _, text := range strings.Split(strings.TrimSuffix(diff, "\n"), "\n") {
		switch {
		case strings.HasPrefix(text, "+++"), strings.HasPrefix(text, "---"):
			text = cs.Bold(text)
		case strings.HasPrefix(text, "+"):
			text = cs.Green(text)
		case strings.HasPrefix(text, "-"):
			text = cs.Red(text)
		case strings.HasPrefix(text, "@@"):
			text = cs.Cyan(text)
		}
		fmt.Fprintln(io.ErrOut, text)
	}
	fmt.Fprintln(io.ErrOut)
}

func writeError(err error, name string, written []string) error {
	hint := "nothing was written"
	if len(written) > 0 {
		hint = "already written: " + strings.Join(written, ", ") + "; fix the problem and run init again"
	}
	var ce *cmdutil.Error
	if errors.As(err, &ce) {
		return err
	}
	return &cmdutil.Error{Code: cmdutil.ExitFailure, Err: fmt.Errorf("cannot write %s: %w", name, err), Hint: hint}
}

// nextSteps are the commands left for the user: the deployment needs the
// credentials (auth.config.ts reads WORKOS_CLIENT_ID there, and the Convex
// CLI reads WORKOS_API_KEY only from the deployment), and WorkOS needs the
// dev section's URLs.
// Variables the deployment holds (holds) need no step.
func nextSteps(a *Answers, holds map[string]bool) []string {
	clientID := a.ClientID
	if clientID == "" {
		clientID = "<your WorkOS client ID>"
	}
	var steps []string
	if !holds["WORKOS_CLIENT_ID"] {
		steps = append(steps, "npx convex env set WORKOS_CLIENT_ID "+clientID)
	}
	if !holds["WORKOS_API_KEY"] {
		steps = append(steps, "npx convex env set WORKOS_API_KEY <your WorkOS API key>")
	}
	steps = append(steps, "convex-authkit apply --env dev")
	if a.AuthDomain != "" {
		steps = append(steps, fmt.Sprintf("set %s=%s where your production app is built", a.Framework.APIHostnameVar, a.AuthDomain))
	}
	return steps
}

func printReport(io *iostreams.IOStreams, a *Answers, r *Report, nothing bool) {
	cs := io.ColorScheme()
	w := io.Out
	if nothing {
		fmt.Fprintf(w, "Nothing to change: the project is already set up for %s on port %d.\n", a.Framework.Name, a.Port)
	}
	for _, f := range r.Files {
		label := fmt.Sprintf("%-9s", f.Action)
		if f.Action == ActionUnchanged {
			label = cs.Gray(label)
		} else {
			label = cs.Green(label)
		}
		fmt.Fprintf(w, "  %s %s\n", label, f.Path)
	}
	for _, v := range r.Deployment {
		fmt.Fprintf(w, "  %s deployment variable %s = %s\n", cs.Green(fmt.Sprintf("%-9s", v.Action)), v.Name, v.Value)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, cs.Bold("Next steps:"))
	steps := r.NextSteps
	n := 1
	if strings.HasPrefix(steps[0], "npx convex env set") {
		fmt.Fprintf(w, "  %d. Give your Convex deployment the WorkOS credentials:\n", n)
		for len(steps) > 0 && strings.HasPrefix(steps[0], "npx convex env set") {
			fmt.Fprintf(w, "       %s\n", steps[0])
			steps = steps[1:]
		}
		n++
	}
	what := "redirect URI and homepage"
	if a.Framework.CORS {
		what = "redirect URI, homepage and CORS origin"
	}
	fmt.Fprintf(w, "  %d. Register the dev section's %s in WorkOS:\n", n, what)
	fmt.Fprintf(w, "       %s\n", steps[0])
	if a.AuthDomain != "" {
		fmt.Fprintf(w, "  %d. In production, %s.\n", n+1, steps[1])
	}
}
