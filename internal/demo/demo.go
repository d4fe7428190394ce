// Package demo runs convex-authkit's main job end to end with no WorkOS
// account, no Convex account and no network: the embedded emulator plays
// https://api.workos.com, a deployment emulator plays the example's Convex
// deployment (happy-otter-123, holding WORKOS_CLIENT_ID as one Convex
// provisioned AuthKit for does), a copy of the Vite example is set up by
// init, its dev section registered by apply, its auth config pushed, a user
// signed in, and the project, the deployment and the token diagnosed by
// doctor. Every step is the command's own code on the files init really
// generates, whose providers name https://api.workos.com: the emulator mints
// tokens with WorkOS's issuer, and doctor's requests for WorkOS reach the
// emulator through a transport that refuses every other address. The
// deployment is reached directly on 127.0.0.1 with a deploy key for it, as
// --convex-url would.
package demo

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/apply"
	"github.com/convex-authkit/convex-authkit/internal/authconfig"
	"github.com/convex-authkit/convex-authkit/internal/authjs"
	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/convexauth"
	"github.com/convex-authkit/convex-authkit/internal/deployment"
	"github.com/convex-authkit/convex-authkit/internal/deployment/deployemu"
	"github.com/convex-authkit/convex-authkit/internal/doctor"
	"github.com/convex-authkit/convex-authkit/internal/emulator"
	"github.com/convex-authkit/convex-authkit/internal/initcmd"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/project"
	"github.com/convex-authkit/convex-authkit/internal/secret"
	"github.com/convex-authkit/convex-authkit/internal/tokencheck"
	"github.com/convex-authkit/convex-authkit/internal/workos"
)

// The Vite example, testdata/projects/vite, embedded so that an installed
// binary runs the demo too (//go:embed cannot reach testdata from here; a
// test keeps the two the same).
//
//go:embed all:project
var embedded embed.FS

// Project is the embedded Vite example.
func Project() fs.FS {
	sub, _ := fs.Sub(embedded, "project") // fails only for an invalid name
	return sub
}

// source names the example in messages.
const source = "testdata/projects/vite"

// email is the user the demo signs in.
const email = "demo@example.com"

// The example's deployment (its .env.local names it) and a deploy key for
// it. The key is the demo's own: the emulator accepts it and nothing else
// does, and it is masked in every output all the same.
const (
	deploymentName = "happy-otter-123"
	deployKey      = "dev:" + deploymentName + "|ZGVtby1kZXBsb3kta2V5LW5vdC1hLXNlY3JldA"
)

// Step statuses.
const (
	StatusOK      = "ok"
	StatusFailed  = "failed"
	StatusSkipped = "skipped"
)

// Options are the inputs of `demo`.
type Options struct {
	IO      *iostreams.IOStreams
	JSON    bool
	Verbose bool
	// Keep leaves the project folder in place.
	Keep bool
	// TempDir is where the project folder is made; empty means the
	// system's temporary directory.
	TempDir string
	// Project is the project to copy; nil means Project().
	Project   fs.FS
	Now       func() time.Time
	UserAgent string
}

// Report is the --json document of demo.
type Report struct {
	SchemaVersion int  `json:"schemaVersion"`
	OK            bool `json:"ok"`
	// Dir is the project folder; Kept says whether it is still there.
	Dir   string `json:"dir"`
	Kept  bool   `json:"kept"`
	Steps []Step `json:"steps"`
	// DeploymentVariables are the variables the deployment holds at the
	// end, as output shows them (the API key masked); empty when the
	// deployment step did not run.
	DeploymentVariables map[string]string `json:"deploymentVariables"`
}

// Step is the outcome of one step.
type Step struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Command is the command line the step runs, "" for the demo's own
	// steps.
	Command string `json:"command"`
	Status  string `json:"status"`
	Message string `json:"message"`
	Hint    string `json:"hint"`
	// Notes say why a warning or a skipped check is expected in the demo.
	Notes []string `json:"notes"`
	// Report is the command's own --json document, or the step's details.
	Report json.RawMessage `json:"report"`
}

// Run runs the steps in order, stops at the first failure, and removes the
// project folder unless opts.Keep. It returns a silent exit-1 error when a
// step failed (what failed is already printed), exit 2 when cancelled.
func Run(ctx context.Context, opts Options) error {
	d := &demo{opts: opts, cs: opts.IO.ColorScheme(), red: &secret.Redactor{},
		report: &Report{SchemaVersion: cmdutil.SchemaVersion, Steps: []Step{}, DeploymentVariables: map[string]string{}}}
	d.red.Add(deployKey)
	if d.opts.Project == nil {
		d.opts.Project = Project()
	}
	// Everything the demo prints passes through one redactor: the API key
	// is masked like any other, and the token once it exists.
	d.out, d.errOut = d.red.Writer(opts.IO.Out), d.red.Writer(opts.IO.ErrOut)
	d.progress = d.out
	if opts.JSON {
		d.progress = d.errOut
	}
	defer d.cleanup()

	steps := []struct {
		id, title string
		run       func(context.Context, *Step) error
	}{
		{"emulator", "Start the WorkOS emulator", d.startEmulator},
		{"deployment", "Start the Convex deployment emulator", d.startDeployment},
		{"copy", "Copy the Vite example (" + source + ") to a temporary folder", d.copyProject},
		{"init", "Set the project up with init", d.runInit},
		{"apply", "Register the dev section's URLs in WorkOS", d.runApply},
		{"push", "Push the auth config to the deployment, as npx convex dev would", d.push},
		{"token", "Sign a user in (mint an access token)", d.signIn},
		{"doctor", "Diagnose the project, the deployment and the token as Convex and WorkOS would", d.runDoctor},
	}
	fmt.Fprintln(d.progress, "The Vite example, set up and diagnosed against the embedded WorkOS emulator and an emulated Convex deployment: no account, nothing leaves this machine.")
	var failed *Step
	for i, st := range steps {
		s := Step{ID: st.id, Title: st.title, Status: StatusSkipped, Notes: []string{}, Report: json.RawMessage("null")}
		if failed == nil {
			fmt.Fprintf(d.progress, "\n%s\n", d.cs.Bold(fmt.Sprintf("%d/%d %s", i+1, len(steps), st.title)))
			d.finishStep(&s, st.run(ctx, &s))
			if s.Status == StatusFailed {
				failed = &s
			}
		}
		d.report.Steps = append(d.report.Steps, s)
	}
	d.report.OK = failed == nil
	d.report.Kept = opts.Keep && d.dir != ""
	var held []string
	if d.dep != nil {
		vars := d.dep.Vars()
		for _, name := range slices.Sorted(maps.Keys(vars)) {
			d.report.DeploymentVariables[name] = deployment.ShowValue(name, vars[name])
			held = append(held, name)
		}
	}

	fmt.Fprintln(d.progress)
	if failed == nil {
		fmt.Fprintf(d.progress, "%s %d of %d steps succeeded: Convex would accept the token with the auth config init generated, WorkOS has the dev section's URLs, and deployment %s holds %s.\n",
			d.cs.Green("✓"), len(steps), len(steps), deploymentName, strings.Join(held, ", "))
	} else {
		fmt.Fprintf(d.progress, "%s The demo stopped at the %s step: %s\n", d.cs.Red("✗"), failed.ID, failed.Message)
	}
	switch {
	case d.report.Kept:
		fmt.Fprintf(d.progress, "The project is kept in %s.\n", d.dir)
	case d.dir != "":
		fmt.Fprintln(d.progress, "The project folder was removed; pass --keep to look at the files.")
	}
	if opts.JSON {
		if err := cmdutil.WriteJSON(d.out, d.report); err != nil {
			return err
		}
	}
	switch {
	case failed == nil:
		return nil
	case ctx.Err() != nil:
		return cmdutil.SilentError(cmdutil.ExitCancel)
	}
	return cmdutil.SilentError(cmdutil.ExitFailure)
}

// demo is one run: what the steps share.
type demo struct {
	opts   Options
	cs     *iostreams.ColorScheme
	red    *secret.Redactor
	report *Report

	out, errOut io.Writer
	// progress takes the headings and outcomes: stdout, or stderr when
	// stdout holds the JSON document.
	progress io.Writer

	emu      *emulator.Server
	routed   *http.Client // plays https://api.workos.com with the emulator
	dep      *deployemu.Server
	dir      string
	clientID string
	token    string
}

func (d *demo) cleanup() {
	if d.emu != nil {
		_ = d.emu.Close()
	}
	if d.dep != nil {
		_ = d.dep.Close()
	}
	if d.dir != "" && !d.opts.Keep {
		_ = os.RemoveAll(d.dir)
	}
}

// finishStep records the step's outcome and prints it.
func (d *demo) finishStep(s *Step, err error) {
	if err == nil {
		s.Status = StatusOK
		fmt.Fprintf(d.progress, "    %s %s\n", d.cs.Green("✓"), s.Message)
		return
	}
	s.Status = StatusFailed
	s.Message = err.Error()
	var ce *cmdutil.Error
	if errors.As(err, &ce) {
		cmdutil.PrintProblems(indent(d.errOut), d.cs, ce.Problems)
		s.Hint = ce.Hint
		if ce.Err == nil {
			// The command printed why.
			s.Message = "convex-authkit " + s.ID + " failed (see above)"
		}
	}
	fmt.Fprintf(d.progress, "    %s %s\n", d.cs.Red("✗"), s.Message)
	if s.Hint != "" {
		fmt.Fprintf(d.progress, "      %s %s\n", d.cs.Gray("hint:"), s.Hint)
	}
}

// note records and prints why something the step reports is expected in
// the demo.
func (d *demo) note(s *Step, text string) {
	s.Notes = append(s.Notes, text)
	fmt.Fprintf(d.progress, "    %s %s\n", d.cs.Cyan("in the demo:"), text)
}

// command records and prints the command line a step runs.
func (d *demo) command(s *Step, line string) {
	s.Command = line
	fmt.Fprintf(d.progress, "    $ %s\n", line)
}

// streams are the streams a command of a step writes to: its report
// indented under the heading, or into buf under --json, where the demo's
// document embeds it. Commands never prompt here.
func (d *demo) streams(buf *bytes.Buffer) *iostreams.IOStreams {
	io := *d.opts.IO
	io.Out, io.ErrOut = indent(d.out), indent(d.errOut)
	if d.opts.JSON {
		io.Out = buf
	}
	io.SetNeverPrompt(true)
	return &io
}

// env is the whole environment the commands see: the emulator's API key,
// the deployment's deploy key, and nothing of the user's, whose WORKOS_*,
// CONVEX_* or VERCEL_ENV would change what the demo does.
func (d *demo) env() map[string]string {
	return map[string]string{"WORKOS_API_KEY": d.emu.APIKey(), deployment.VarDeployKey: deployKey}
}

// deploymentOptions are how every command reaches the deployment emulator: the
// deploy key from env, and its URL as --convex-url gives it.
func (d *demo) deploymentOptions() (deployment.Options, deployment.ClientOptions) {
	client := deployment.ClientOptions{Env: d.env(), UserAgent: d.opts.UserAgent}
	if d.opts.Verbose {
		client.Log = indent(d.errOut)
	}
	return deployment.Options{ConvexURL: d.dep.URL(), Dir: d.dir, Section: "dev"}, client
}

// flags are the command-line flags that say what d.deployment does.
func (d *demo) flags() string { return " --convex-url " + d.dep.URL() }

func (d *demo) project() project.Options {
	return project.Options{ConfigPath: filepath.Join(d.dir, "convex.json"), ConfigName: "convex.json",
		Dir: d.dir, EnvFlag: "dev", Env: d.env()}
}

// embed stores a command's --json document in the step.
func embedReport(s *Step, buf *bytes.Buffer) {
	if raw := bytes.TrimSpace(buf.Bytes()); json.Valid(raw) && len(raw) > 0 {
		s.Report = raw
	}
}

func (d *demo) startEmulator(_ context.Context, s *Step) error {
	d.clientID = emulator.DefaultClientID
	d.emu = emulator.New(emulator.Options{ClientID: d.clientID, Now: d.opts.Now, IssuerBase: workos.DefaultBaseURL})
	url, err := d.emu.Start("127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("cannot start the WorkOS emulator: %w", err)
	}
	tr, err := d.emu.Transport(workos.DefaultBaseURL)
	if err != nil {
		return err
	}
	d.routed = &http.Client{Transport: tr}
	s.Message = fmt.Sprintf("%s plays %s for client %s (API key %s)", url, workos.DefaultBaseURL, d.clientID, secret.Mask(d.emu.APIKey()))
	s.Report = mustJSON(map[string]string{"url": url, "plays": workos.DefaultBaseURL, "clientId": d.clientID, "apiKey": secret.Mask(d.emu.APIKey())})
	return nil
}

func (d *demo) startDeployment(_ context.Context, s *Step) error {
	// The deployment holds the client ID, as one Convex provisioned AuthKit
	// for does (npx convex dev sets it), so .env.local needs none.
	d.dep = deployemu.New(deployemu.Options{AdminKey: deployKey, Vars: map[string]string{"WORKOS_CLIENT_ID": d.clientID},
		SiteURL: "https://" + deploymentName + ".convex.site"})
	url, err := d.dep.Start("127.0.0.1:0")
	if err != nil {
		d.dep = nil
		return fmt.Errorf("cannot start the deployment emulator: %w", err)
	}
	// The part before | names the deployment and is no secret.
	name, key, _ := strings.Cut(deployKey, "|")
	shownKey := name + "|" + secret.Mask(key)
	s.Message = fmt.Sprintf("%s plays deployment %s (%s=%s), which holds WORKOS_CLIENT_ID=%s", url, deploymentName, deployment.VarDeployKey, shownKey, d.clientID)
	s.Report = mustJSON(map[string]any{"url": url, "name": deploymentName, "deployKey": shownKey,
		"variables": map[string]string{"WORKOS_CLIENT_ID": d.clientID}})
	return nil
}

func (d *demo) copyProject(_ context.Context, s *Step) error {
	dir, err := os.MkdirTemp(d.opts.TempDir, "convex-authkit-demo-")
	if err != nil {
		return fmt.Errorf("cannot make the project folder: %w", err)
	}
	d.dir = dir
	d.report.Dir = dir
	var names []string
	err = fs.WalkDir(d.opts.Project, ".", func(name string, e fs.DirEntry, err error) error {
		if err != nil || name == "." {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(name))
		if e.IsDir() {
			return os.Mkdir(target, 0o755)
		}
		data, err := fs.ReadFile(d.opts.Project, name)
		if err != nil {
			return err
		}
		names = append(names, name)
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		return fmt.Errorf("cannot copy the example to %s: %w", dir, err)
	}
	s.Message = fmt.Sprintf("%s: %s", dir, strings.Join(names, ", "))
	s.Report = mustJSON(map[string]any{"dir": dir, "files": names})
	return nil
}

func (d *demo) runInit(_ context.Context, s *Step) error {
	d.command(s, fmt.Sprintf("convex-authkit init --client-id %s --yes%s", d.clientID, d.flags()))
	var buf bytes.Buffer
	p := d.project()
	dep, client := d.deploymentOptions()
	err := initcmd.Run(initcmd.Options{IO: d.streams(&buf), Dir: d.dir, ConfigPath: p.ConfigPath, ConfigName: p.ConfigName,
		Env: p.Env, JSON: d.opts.JSON, Verbose: d.opts.Verbose, ClientID: d.clientID, Yes: true,
		Deployment: dep, DeploymentClient: client})
	embedReport(s, &buf)
	if err != nil {
		return err
	}
	// The example's convex.json already has the section init writes for
	// Vite + React on port 5173, so init leaves it as it is.
	s.Message = "convex.json already had the section; convex/auth.config.ts names " + workos.DefaultBaseURL + ", as for any WorkOS app; .env.local has the app's variables; the deployment has WORKOS_API_KEY too"
	return nil
}

func (d *demo) runApply(ctx context.Context, s *Step) error {
	d.command(s, "convex-authkit apply --env dev --workos-url "+d.emu.URL()+d.flags())
	var buf bytes.Buffer
	dep, client := d.deploymentOptions()
	err := apply.Run(ctx, apply.Options{IO: d.streams(&buf), Options: d.project(), JSON: d.opts.JSON, Verbose: d.opts.Verbose,
		Concurrency: apply.DefaultConcurrency, Timeout: 10 * time.Second, BaseURL: d.emu.URL(), UserAgent: d.opts.UserAgent,
		Deployment: dep, DeploymentClient: client})
	embedReport(s, &buf)
	if err != nil {
		return err
	}
	d.note(s, "the app homepage is skipped because WorkOS answers 422 to a localhost homepage URL, in every environment")
	s.Message = "the emulator's WorkOS environment has the dev section's redirect URI and CORS origin; the deployment already had the WORKOS_* variables known here"
	return nil
}

// push stores in the deployment the providers convex/auth.config.ts
// evaluates to with the deployment's variables, as a push does: evaluated
// and checked by the code doctor judges pushes with, in the order Convex
// stores them.
func (d *demo) push(ctx context.Context, s *Step) error {
	d.command(s, "npx convex dev --once")
	d.note(s, "no Convex CLI runs: the demo evaluates convex/auth.config.ts with the deployment's variables and stores the providers in the emulated deployment, as a push does")
	fnDir, err := authconfig.FunctionsDir(filepath.Join(d.dir, "convex.json"), "convex.json")
	if err != nil {
		return err
	}
	env := d.dep.Vars()
	// Every deployment provides these two itself.
	env["CONVEX_CLOUD_URL"], env["CONVEX_SITE_URL"] = "https://"+deploymentName+".convex.cloud", "https://"+deploymentName+".convex.site"
	res, err := authjs.Evaluate(ctx, authjs.Options{Dir: d.dir, FunctionsDir: fnDir, Env: env})
	if err != nil {
		return fmt.Errorf("the push would fail: %w", err)
	}
	stored, problems, err := convexauth.Check(res.JSON)
	if err != nil {
		return fmt.Errorf("the push would fail: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("the push would fail: %s", problems[0])
	}
	providers := tokencheck.StoredOrder(tokencheck.FromConvex(stored))
	d.dep.SetProviders(storedDocs(providers))
	shown := make([]string, len(providers))
	for i, p := range providers {
		shown[i] = p.String()
	}
	s.Message = fmt.Sprintf("deployment %s stores the %d providers %s evaluates to with its variables", deploymentName, len(providers), res.File)
	for _, p := range shown {
		fmt.Fprintf(d.progress, "    %s\n", p)
	}
	s.Report = mustJSON(map[string]any{"file": res.File, "envRead": res.EnvRead, "providers": shown})
	return nil
}

// storedDocs writes providers as the deployment's _auth table holds them
// (what _system/frontend/listAuthProviders returns).
func storedDocs(ps []tokencheck.Provider) []map[string]any {
	out := make([]map[string]any, len(ps))
	for i, p := range ps {
		var app any
		if p.ApplicationID != nil {
			app = *p.ApplicationID
		}
		if p.Type == tokencheck.TypeOIDC {
			out[i] = map[string]any{"applicationID": app, "domain": p.Issuer}
			continue
		}
		out[i] = map[string]any{"type": p.Type, "applicationID": app, "issuer": p.Issuer, "jwks": p.JWKS, "algorithm": p.Algorithm}
	}
	return out
}

func (d *demo) signIn(_ context.Context, s *Step) error {
	id := d.emu.AddUser(email, "demo password")
	tok, err := d.emu.Token(email)
	if err != nil {
		return err
	}
	d.token = tok
	d.red.Add(tok)
	t, err := tokencheck.Decode(tok)
	if err != nil {
		return err
	}
	details := map[string]any{"email": email, "userId": id, "accessToken": secret.Mask(tok), "issuer": t.Claims.Iss}
	life := ""
	if t.Claims.Exp != nil && t.Claims.Iat != nil {
		details["expiresAt"] = t.Claims.Exp.Time().Format(time.RFC3339)
		life = fmt.Sprintf(", valid %s", time.Duration(t.Claims.Exp.Unix-t.Claims.Iat.Unix)*time.Second)
	}
	s.Message = fmt.Sprintf("%s (%s) signed in: access token %s from %s%s", email, id, secret.Mask(tok), t.Claims.Iss, life)
	s.Report = mustJSON(details)
	return nil
}

// expected says why a check that does not pass is expected to come out
// that way in the demo.
var expected = map[string]string{
	doctor.IDEnvCookiePassword: "only the server-side SDKs (Next.js, TanStack Start, React Router) need a cookie password",
	doctor.IDEnvCallbackRoute:  "the Vite example's SDK handles the callback in the browser, with no route file",
	doctor.IDEnvMiddleware:     "only Next.js's SDK runs in a middleware file",
	doctor.IDWorkOSJWTTemplate: "init's auth config accepts AuthKit's tokens as WorkOS issues them, with no aud",
	doctor.IDTokenLogin:        "the token is the one the sign-in step minted",
	doctor.IDWebhooksWiring:    noComponent,
	doctor.IDWebhooksVariables: noComponent,
	doctor.IDWebhooksEndpoint:  noComponent,
	doctor.IDWebhooksRoutes:    noComponent,
	doctor.IDWebhooksDelivery:  noComponent,
}

// noComponent is why the webhooks checks skip in the demo.
const noComponent = "the Vite example does not use @convex-dev/workos-authkit"

func (d *demo) runDoctor(ctx context.Context, s *Step) error {
	d.command(s, fmt.Sprintf("convex-authkit doctor --env dev --token %s%s", secret.Mask(d.token), d.flags()))
	fmt.Fprintf(d.progress, "    (requests for %s go to the emulator)\n", workos.DefaultBaseURL)
	// Doctor's document is the demo's to present: the checks with what
	// the demo knows about them.
	var buf bytes.Buffer
	io := d.streams(&buf)
	io.Out = &buf
	err := doctor.Run(ctx, doctor.Options{IO: io, Options: d.project(), JSON: true, Verbose: d.opts.Verbose,
		Token: d.token, TokenSource: "--token",
		BaseURL: workos.DefaultBaseURL, HTTPClient: d.routed, Now: d.opts.Now, UserAgent: d.opts.UserAgent,
		Attach: func(vars deployment.Vars, section string) (*deployment.Attached, error) {
			o, c := d.deploymentOptions()
			o.Vars, o.Section = vars, section
			return deployment.Attach(o, c, false)
		}})
	var rep doctor.Report
	if jerr := json.Unmarshal(buf.Bytes(), &rep); jerr != nil {
		// Doctor could not start: err says why.
		return err
	}
	embedReport(s, &buf)
	w := indent(d.progress)
	for _, c := range rep.Checks {
		if c.Status == doctor.StatusPass && !d.opts.Verbose {
			continue
		}
		fmt.Fprintf(w, "%s %s: %s\n", doctor.Symbol(d.cs, c.Status), c.ID, strings.ReplaceAll(c.Message, "\n", "\n    "))
		if c.Hint != "" && c.Status != doctor.StatusPass && c.Status != doctor.StatusSkip {
			fmt.Fprintf(w, "  %s %s\n", d.cs.Gray("hint:"), c.Hint)
		}
		if c.Status == doctor.StatusPass {
			continue
		}
		note, ok := expected[c.ID]
		if !ok || c.Status == doctor.StatusFail || c.Status == doctor.StatusError {
			s.Notes = append(s.Notes, c.ID+": unexpected in the demo")
			fmt.Fprintf(w, "  %s\n", d.cs.Red("unexpected in the demo"))
			continue
		}
		s.Notes = append(s.Notes, c.ID+": "+note)
		fmt.Fprintf(w, "  %s %s\n", d.cs.Cyan("in the demo:"), note)
	}
	s.Message = rep.Summary.String()
	if !rep.OK {
		return errors.New(s.Message)
	}
	return err
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v) // maps of strings and string slices
	return b
}

// indent prefixes every line written to w with four spaces, so that a
// command's output sits under its step's heading.
func indent(w io.Writer) io.Writer { return &indentWriter{w: w} }

type indentWriter struct {
	w   io.Writer
	mid bool // the last write ended inside a line
}

func (iw *indentWriter) Write(p []byte) (int, error) {
	var b bytes.Buffer
	for _, line := range bytes.SplitAfter(p, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		if !iw.mid && line[0] != '\n' {
			b.WriteString("    ")
		}
		b.Write(line)
		iw.mid = line[len(line)-1] != '\n'
	}
	if _, err := iw.w.Write(b.Bytes()); err != nil {
		return 0, err
	}
	return len(p), nil
}
