package initcmd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/atomicfile"
	"github.com/convex-authkit/convex-authkit/internal/authconfig"
	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/config"
	"github.com/convex-authkit/convex-authkit/internal/dotenv"
	"github.com/convex-authkit/convex-authkit/internal/envgen"
	"github.com/convex-authkit/convex-authkit/internal/framework"
	"github.com/convex-authkit/convex-authkit/internal/project"
	"github.com/convex-authkit/convex-authkit/internal/resolve"
	"github.com/convex-authkit/convex-authkit/internal/safefile"
	"github.com/convex-authkit/convex-authkit/internal/secret"
	"github.com/convex-authkit/convex-authkit/internal/textdiff"
)

// planned is a file init has decided to write, or to leave alone.
type planned struct {
	name   string // as shown, relative to the project
	path   string // the file to write
	action string
	// diff and why are set when writing replaces what the user wrote: an
	// authKit section that differs, an auth config convex-authkit did not
	// write. init shows the diff and needs --force or a yes.
	diff, why string
	// keep, when set, says how to keep the file as it is (a --files list).
	keep  string
	write func() error
}

// planFiles works out every file before any is written, from convex.json
// as it is (cur, nil when there is none). .env.local is planned from the
// new convex.json, since its variables come from authKit.dev; red learns
// the secrets planning meets.
func planFiles(opts Options, pkg *framework.PackageJSON, a *Answers, cur *config.Config, red *secret.Redactor) ([]*planned, error) {
	var files []*planned
	cfg := cur
	if a.Writes(FileConvexJSON) {
		p, next, err := planConvexJSON(opts, pkg, a, cfg)
		if err != nil {
			return nil, err
		}
		files, cfg = append(files, p), next
	}
	if a.Writes(FileAuthConfig) {
		p, err := planAuthConfig(opts, a, cur)
		if err != nil {
			return nil, err
		}
		files = append(files, p)
	}
	if a.Writes(FileEnvLocal) {
		if cfg == nil {
			return nil, cmdutil.UsageError(fmt.Errorf("%s does not exist, and .env.local is written from its authKit section", opts.ConfigName),
				"add convex.json to --files")
		}
		p, err := planEnvLocal(opts, a, cfg, red)
		if err != nil {
			return nil, err
		}
		files = append(files, p)
	}
	// Every refusal comes before the first write, so that a FIFO or a
	// read-only file met last does not leave the others written.
	for _, p := range files {
		if p.action == ActionUnchanged {
			continue
		}
		if _, _, err := atomicfile.Check(p.path); err != nil {
			if ue := safefile.Usage(err); ue != nil {
				return nil, ue
			}
			return nil, err
		}
	}
	return files, nil
}

// currentConfig reads convex.json as it is: nil when there is none.
func currentConfig(opts Options) (*config.Config, error) {
	cfg, err := config.Load(opts.ConfigPath, opts.ConfigName)
	if err == nil {
		return cfg, nil
	}
	if _, statErr := os.Stat(opts.ConfigPath); errors.Is(statErr, fs.ErrNotExist) {
		return nil, nil
	}
	return nil, project.LoadError("cannot edit "+opts.ConfigName, err)
}

// planConvexJSON works out the new convex.json and returns it parsed, for
// .env.local.
func planConvexJSON(opts Options, pkg *framework.PackageJSON, a *Answers, cur *config.Config) (*planned, *config.Config, error) {
	var src []byte
	if cur != nil {
		// config.Load read and parsed it: the positions in cur.Root are
		// those of this content.
		var err error
		if src, err = safefile.Read(opts.ConfigPath, safefile.Options{Limit: config.MaxSize, What: "convex.json"}); err != nil {
			return nil, nil, safefile.UsageOr(err, "make "+opts.ConfigName+" a readable file")
		}
	}
	var edit *convexJSONEdit
	if cur == nil {
		edit = editConvexJSON(nil, nil, authKitSection(a.Framework, a.Port), pkg != nil && pkg.Deps["convex"])
	} else {
		edit = editConvexJSON(src, cur.Root, authKitSection(a.Framework, a.Port), false)
	}
	p := &planned{name: opts.ConfigName, path: opts.ConfigPath, action: edit.Action}
	if edit.Action == ActionUnchanged {
		return p, cur, nil
	}
	if edit.Replaced {
		p.diff = textdiff.Unified("a/"+opts.ConfigName, "b/"+opts.ConfigName, string(src), string(edit.Content))
		p.why = fmt.Sprintf("has an authKit section that differs from the one for %s on port %d", a.Framework.Name, a.Port)
	}
	p.write = func() error { return atomicfile.Write(opts.ConfigPath, edit.Content) }
	cfg, err := config.Parse(opts.ConfigName, edit.Content)
	return p, cfg, err
}

// planAuthConfig plans the auth config with generate auth-config's
// planner, so that its rules decide the file's name, language, typing and
// whether it is ours to replace. Its notes go to stderr while planning.
// cur is convex.json as it is (init leaves "functions" alone), nil when
// there is none.
func planAuthConfig(opts Options, a *Answers, cur *config.Config) (*planned, error) {
	res, err := authconfig.Plan(authconfig.Options{IO: opts.IO, Dir: opts.Dir, ConfigPath: opts.ConfigPath, ConfigName: opts.ConfigName,
		Config: cur, AuthDomain: a.AuthDomain, Verbose: opts.Verbose})
	if err != nil {
		return nil, err
	}
	p := &planned{name: res.Name, path: res.Path}
	switch res.Status {
	case authconfig.StatusUnchanged:
		p.action = ActionUnchanged
		return p, nil
	case authconfig.StatusWouldCreate:
		p.action = ActionCreated
	default:
		p.action = ActionUpdated
	}
	switch res.Existing {
	case authconfig.OriginForeign:
		p.diff, p.why = res.Diff, "was not written by convex-authkit, and differs from the generated one"
	case authconfig.OriginEdited:
		p.diff, p.why = res.Diff, "was edited by hand since convex-authkit wrote it"
	}
	if p.diff != "" {
		if judgeByProviders(opts, a, res, p) {
			return p, nil
		}
	}
	// Consent was given, or the file is ours: Write replaces it.
	p.write = res.Write
	return p, nil
}

// judgeByProviders compares a file the user wrote with the generated one
// by the providers Convex would store, not by their text: Convex's own
// docs config, written by hand, means the same as ours. An equivalent
// file is left as it is (and reported unchanged); a different one gets
// the provider-level difference as its diff and a way to keep it. It
// reports whether the file is left alone. When the file cannot be
// evaluated the text diff stays, with a note on why.
func judgeByProviders(opts Options, a *Answers, res *authconfig.Result, p *planned) bool {
	cmp, err := authconfig.CompareProviders(context.Background(), opts.Dir, res)
	if err != nil {
		fmt.Fprintf(opts.IO.ErrOut, "%s cannot compare %s with the generated config by its providers (%v); showing the text difference\n",
			opts.IO.ColorScheme().Yellow("note:"), res.Name, err)
		p.keep = keepHint(a)
		return false
	}
	if cmp.Same {
		p.action, p.diff, p.write = ActionUnchanged, "", nil
		if opts.Verbose {
			fmt.Fprintf(opts.IO.ErrOut, "%s has the providers init would write, as Convex stores them; keeping it as written\n", res.Name)
		}
		return true
	}
	var b strings.Builder
	for _, s := range cmp.Removed {
		b.WriteString("- " + s + "\n")
	}
	for _, s := range cmp.Added {
		b.WriteString("+ " + s + "\n")
	}
	if len(cmp.Removed)+len(cmp.Added) == 0 {
		// The same providers, a duplicate among them: Convex stores one.
		b.WriteString("  (the same providers, one of them listed twice)\n")
	}
	p.diff = b.String()
	who := "was not written by convex-authkit"
	if res.Existing == authconfig.OriginEdited {
		who = "was edited by hand since convex-authkit wrote it"
	}
	p.why = who + ", and Convex would store other providers from it (- yours, + the generated ones)"
	p.keep = keepHint(a)
	return false
}

// keepHint names the --files that keep the auth config as it is.
func keepHint(a *Answers) string {
	var rest []string
	for _, f := range a.Files {
		if f != FileAuthConfig {
			rest = append(rest, f)
		}
	}
	if len(rest) == 0 {
		return "or leave it alone by not running init for it"
	}
	return "or keep yours with --files " + strings.Join(rest, ",")
}

// planEnvLocal plans .env.local with generate env's planner, from the dev
// section of cfg, with the client ID (and any API key typed into the form)
// as authEnv values.
func planEnvLocal(opts Options, a *Answers, cfg *config.Config, red *secret.Redactor) (*planned, error) {
	src, err := answerSources(opts, a)
	if err != nil {
		return nil, err
	}
	res, err := envgen.Plan(envgen.Request{
		Dir: opts.Dir, Config: cfg, Section: resolve.Resolve(cfg, config.Dev, src), Sources: src, Environ: opts.Env,
		Force: opts.Force, Framework: a.Framework, Rand: opts.Rand, WriteEnvironment: true,
	})
	if err != nil {
		return nil, err
	}
	for _, v := range res.Secrets() {
		red.Add(v)
	}
	cs := opts.IO.ColorScheme()
	for _, w := range res.Warnings {
		fmt.Fprintf(opts.IO.ErrOut, "%s %s\n", cs.Yellow("warning:"), w)
	}
	for _, v := range res.Variables {
		switch {
		case v.Action == string(dotenv.Kept) && v.Name != envgen.CookiePasswordName:
			fmt.Fprintf(opts.IO.ErrOut, "%s kept %s: %s has another value (--force replaces it)\n", cs.Yellow("note:"), v.Name, v.Source)
		case v.Written() && v.Source == "environment":
			fmt.Fprintf(opts.IO.ErrOut, "%s wrote %s to %s from the environment: %s reads it there when started from a shell without it\n",
				cs.Yellow("note:"), v.Name, envgen.FileName, a.Framework.Name)
		case v.Action == envgen.SkippedEnvironment:
			fmt.Fprintf(opts.IO.ErrOut, "%s left %s out of %s: the environment sets it to another value, which wins over %s; an app started from a shell without it will not have it\n",
				cs.Yellow("note:"), v.Name, envgen.FileName, envgen.FileName)
		case v.Action == envgen.SkippedEnvFile:
			fmt.Fprintf(opts.IO.ErrOut, "%s left %s out of %s: %s sets it, and %s reads that file too\n",
				cs.Yellow("note:"), v.Name, envgen.FileName, v.Source, a.Framework.Name)
		}
	}
	p := &planned{name: envgen.FileName, path: res.Path, action: ActionUnchanged}
	switch {
	case !res.Changed():
	case res.Existed:
		p.action = ActionUpdated
	default:
		p.action = ActionCreated
	}
	p.write = res.Write
	return p, nil
}

// answerSources are the project's variables with the client ID (and any API
// key typed into the form) as authEnv values.
func answerSources(opts Options, a *Answers) (*resolve.Sources, error) {
	flags := map[string]string{"WORKOS_CLIENT_ID": a.ClientID}
	if a.APIKey != "" {
		flags["WORKOS_API_KEY"] = a.APIKey
	}
	// project.LoadTarget read the same files without error.
	return resolve.Load(resolve.Options{Dir: opts.Dir, Env: opts.Env, Flags: flags})
}
