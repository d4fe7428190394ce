package configcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/config"
	"github.com/convex-authkit/convex-authkit/internal/deployment"
	"github.com/convex-authkit/convex-authkit/internal/interpolate"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/project"
	"github.com/convex-authkit/convex-authkit/internal/resolve"
	"github.com/convex-authkit/convex-authkit/internal/secret"
)

// ShowOptions are the inputs of `config show`.
type ShowOptions struct {
	IO *iostreams.IOStreams
	project.Options
	JSON        bool
	Verbose     bool
	ShowSecrets bool

	// Deployment and DeploymentClient say how to reach the Convex
	// deployment, whose WORKOS_* variables are a source of ${authEnv.*};
	// NoDeployment is --no-deployment.
	Deployment       deployment.Options
	DeploymentClient deployment.ClientOptions
	NoDeployment     bool
}

// Show prints the section of the chosen environment with every placeholder
// resolved, and where each value came from.
func Show(opts ShowOptions) error {
	cfg, warnings, target, err := project.Load(opts.Options)
	if err != nil {
		return err
	}
	cs := opts.IO.ColorScheme()
	cmdutil.PrintProblems(opts.IO.ErrOut, cs, warnings)
	if opts.Verbose {
		printUnknownTopLevel(opts.IO, cfg.File, cfg.UnknownTopLevel)
		cmdutil.PrintProblems(opts.IO.ErrOut, cs, target.Sources.Warnings)
	}
	env := target.Choice.Env
	fmt.Fprintf(opts.IO.ErrOut, "Using authKit.%s (%s)\n", env, target.Choice.Reason)
	att, err := deployment.AttachAuth(context.Background(), deployment.AuthRequest{Options: opts.Deployment, Client: opts.DeploymentClient,
		Disabled: opts.NoDeployment, Sources: target.Sources, Env: string(env)})
	if err != nil {
		return err
	}
	if att.Connected() {
		fmt.Fprintf(opts.IO.ErrOut, "Using %s\n", att.Describe())
	} else if opts.Verbose {
		fmt.Fprintf(opts.IO.ErrOut, "%s %s\n", cs.Gray("note:"), att.NotConnectedNote())
	}
	// show changes nothing: a mismatch apply would stop on is a warning here.
	if _, warnings, err := deployment.PlanAuthVars(target.Sources, att.Describe(), false, "apply --overwrite-deployment-vars"); err != nil {
		fmt.Fprintf(opts.IO.ErrOut, "%s %s\n", cs.Yellow("warning:"), err)
	} else {
		for _, w := range warnings {
			fmt.Fprintf(opts.IO.ErrOut, "%s %s\n", cs.Yellow("warning:"), w)
		}
	}

	sec := resolve.Resolve(cfg, env, target.Sources)
	if len(sec.Problems) > 0 {
		n := len(sec.Problems)
		noun := "placeholders"
		if n == 1 {
			noun = "placeholder"
		}
		return cmdutil.ProblemsError(fmt.Sprintf("%d %s in authKit.%s could not be resolved", n, noun, env), sec.Problems)
	}
	m := newMasker(opts.ShowSecrets, target.Sources, sec)
	if opts.JSON {
		return cmdutil.WriteJSON(opts.IO.Out, showReport(sec, target, m))
	}
	return printSection(opts.IO, cfg, sec, m)
}

// masker hides secrets unless --show-secrets.
type masker struct {
	show bool
	r    *secret.Redactor
}

// newMasker learns the secrets to hide from the variable sources (by name or
// shape) and from the section itself (a value written to a secret-named
// variable is secret wherever else it appears).
func newMasker(show bool, src *resolve.Sources, sec *resolve.Section) *masker {
	return &masker{show: show, r: sec.Redactor(src)}
}

func (m *masker) value(v resolve.Value) string {
	if m.show {
		return v.Value
	}
	// A secret value is masked whole, unless it is a URL carrying a secret:
	// then only the secret inside is masked, so the URL stays recognisable.
	if v.Secret && !strings.Contains(v.Value, "://") {
		return secret.Mask(v.Value)
	}
	return m.r.Redact(v.Value)
}

func (m *masker) text(s string) string {
	if m.show {
		return s
	}
	return m.r.Redact(s)
}

type showJSON struct {
	SchemaVersion int                    `json:"schemaVersion"`
	Env           config.Env             `json:"env"`
	EnvReason     string                 `json:"envReason"`
	Configured    bool                   `json:"configured"`
	Configure     configureJSON          `json:"configure"`
	LocalEnvVars  orderedMap[string]     `json:"localEnvVars"`
	Sources       orderedMap[sourceJSON] `json:"sources"`
}

type configureJSON struct {
	RedirectURIs   []string `json:"redirectUris"`
	AppHomepageURL string   `json:"appHomepageUrl"`
	CORSOrigins    []string `json:"corsOrigins"`
}

type sourceJSON struct {
	Line     int               `json:"line"`
	Column   int               `json:"column"`
	Template string            `json:"template"`
	Uses     []interpolate.Use `json:"uses"`
	Secret   bool              `json:"secret,omitempty"`
}

func showReport(sec *resolve.Section, target *project.Target, m *masker) showJSON {
	out := showJSON{
		SchemaVersion: cmdutil.SchemaVersion,
		Env:           sec.Env,
		EnvReason:     target.Choice.Reason,
		Configured:    sec.Configured,
		Configure:     configureJSON{RedirectURIs: []string{}, CORSOrigins: []string{}},
	}
	addSource := func(v resolve.Value) {
		uses := v.Uses
		if uses == nil {
			uses = []interpolate.Use{}
		}
		out.Sources.set(v.Path, sourceJSON{Line: v.Line, Column: v.Column, Template: m.text(v.Template), Uses: uses, Secret: v.Secret})
	}
	for _, v := range sec.RedirectURIs {
		out.Configure.RedirectURIs = append(out.Configure.RedirectURIs, m.value(v))
		addSource(v)
	}
	if v := sec.AppHomepageURL; v != nil {
		out.Configure.AppHomepageURL = m.value(*v)
		addSource(*v)
	}
	for _, v := range sec.CORSOrigins {
		out.Configure.CORSOrigins = append(out.Configure.CORSOrigins, m.value(v))
		addSource(v)
	}
	for _, ev := range sec.LocalEnvVars {
		out.LocalEnvVars.set(ev.Name, m.value(ev.Value))
		addSource(ev.Value)
	}
	return out
}

func printSection(io *iostreams.IOStreams, cfg *config.Config, sec *resolve.Section, m *masker) error {
	cs := io.ColorScheme()
	w := io.Out
	if !sec.Configured {
		fmt.Fprintf(w, "%s has no authKit.%s section: nothing is configured for %s deployments.\n", cfg.File, sec.Env, sec.Env)
		return nil
	}
	s := cfg.Section(sec.Env)
	fmt.Fprintf(w, "%s  %s\n", cs.Bold("authKit."+string(sec.Env)), cs.Gray(fmt.Sprintf("%s:%d", cfg.File, s.Pos.Line)))
	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 0, 4, 2, ' ', 0)
	row := func(indent, label string, v resolve.Value) {
		fmt.Fprintf(tw, "%s%s\t%s\t%s\n", indent, label, cs.Gray(fmt.Sprintf("%s:%d", cfg.File, v.Line)), cs.Gray(origin(v, m)))
	}
	list := func(name string, vs []resolve.Value) {
		fmt.Fprintf(tw, "  %s\t\t\n", name)
		if len(vs) == 0 {
			fmt.Fprintf(tw, "    (none)\t\t\n")
		}
		for _, v := range vs {
			row("    ", m.value(v), v)
		}
	}
	fmt.Fprintln(tw, "\t\t")
	if sec.ConfigureDisabled {
		fmt.Fprintf(tw, "configure: false\t\t%s\n", cs.Gray("no WorkOS API calls"))
	} else {
		fmt.Fprintln(tw, "configure\t\t")
		list("redirectUris", sec.RedirectURIs)
		fmt.Fprintf(tw, "  appHomepageUrl\t\t\n")
		if sec.AppHomepageURL == nil {
			fmt.Fprintf(tw, "    (none)\t\t\n")
		} else {
			row("    ", m.value(*sec.AppHomepageURL), *sec.AppHomepageURL)
		}
		list("corsOrigins", sec.CORSOrigins)
	}
	fmt.Fprintln(tw, "\t\t")
	switch {
	case len(sec.LocalEnvVars) > 0:
		fmt.Fprintln(tw, "localEnvVars\t\t")
		for _, ev := range sec.LocalEnvVars {
			row("  ", ev.Name+"="+m.value(ev.Value), ev.Value)
		}
	case s.LocalEnvVarsDisabled:
		fmt.Fprintf(tw, "localEnvVars: false\t\t%s\n", cs.Gray(".env.local is not written"))
	default:
		fmt.Fprintf(tw, "localEnvVars: (none)\t\t\n")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// tabwriter pads empty trailing cells; trailing blanks are noise in a
	// terminal and trip up anyone matching lines.
	for _, line := range strings.Split(strings.TrimSuffix(table.String(), "\n"), "\n") {
		if _, err := fmt.Fprintln(w, strings.TrimRight(line, " ")); err != nil {
			return err
		}
	}
	return nil
}

// origin says how a value was produced: "literal", or each placeholder with
// the source that supplied it.
func origin(v resolve.Value, m *masker) string {
	if len(v.Uses) == 0 {
		return "literal"
	}
	parts := make([]string, len(v.Uses))
	for i, u := range v.Uses {
		parts[i] = m.text(u.Expression) + " ← " + u.Source
	}
	return strings.Join(parts, ", ")
}

// orderedMap is a JSON object that keeps insertion order: convex.json's
// order is meaningful to the user (it is the order .env.local is written in).
type orderedMap[V any] struct {
	keys   []string
	values map[string]V
}

func (o *orderedMap[V]) set(k string, v V) {
	if o.values == nil {
		o.values = map[string]V{}
	}
	if _, ok := o.values[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.values[k] = v
}

func (o orderedMap[V]) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		vb, err := marshalNoEscape(o.values[k])
		if err != nil {
			return nil, err
		}
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(vb)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
