package doctor

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/config"
	"github.com/convex-authkit/convex-authkit/internal/deployment"
	"github.com/convex-authkit/convex-authkit/internal/emulator"
	"github.com/convex-authkit/convex-authkit/internal/framework"
	"github.com/convex-authkit/convex-authkit/internal/ghactions"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/jwks"
	"github.com/convex-authkit/convex-authkit/internal/project"
	"github.com/convex-authkit/convex-authkit/internal/prompt"
	"github.com/convex-authkit/convex-authkit/internal/resolve"
	"github.com/convex-authkit/convex-authkit/internal/secret"
	"github.com/convex-authkit/convex-authkit/internal/tokencheck"
	"github.com/convex-authkit/convex-authkit/internal/workos"
)

// Defaults for Options.
const (
	DefaultTimeout        = 30 * time.Second
	DefaultRequestTimeout = 10 * time.Second
)

// Options are the inputs of `doctor` and `token verify`.
type Options struct {
	IO *iostreams.IOStreams
	project.Options

	// Select is the set of checks to report; nil means all.
	Select  Selection
	JSON    bool
	Verbose bool
	// Strict turns warnings into failures.
	Strict bool
	// CI prints GitHub Actions annotations for every warning and failure,
	// and appends the report to the job summary.
	CI ghactions.Step

	// DeploymentEnv overrides what process.env answers in auth.config.ts
	// (--deployment-env KEY=VALUE); an empty value unsets the name.
	DeploymentEnv map[string]string

	// Token is a token to verify (--token, or read from stdin), already
	// trimmed; TokenSource names where it came from.
	Token       string
	TokenSource string
	// Login mints a token for this email through WorkOS password
	// authentication instead.
	Login string
	// AskPassword asks for the --login password when WORKOS_TEST_PASSWORD
	// is not set; nil when there is no terminal to ask on.
	AskPassword func(title string) (string, error)

	// Attach connects to the Convex deployment for the section, with the
	// project's variables (cmd's deploymentFlags); nil means none is
	// connected. Its *deployment.UsageError (a malformed key) is exit 3.
	Attach func(vars deployment.Vars, section string) (*deployment.Attached, error)

	// SiteURL is --site-url: the deployment's HTTP actions origin, for the
	// webhooks checks ("" asks the deployment).
	SiteURL string
	// WebhookTest sends the webhooks.delivery test event; WebhookTestProd
	// allows it for the prod section.
	WebhookTest, WebhookTestProd bool

	// TokenOnly is `token verify`: only the token checks and the jwks
	// checks of the providers the token matched are reported.
	TokenOnly bool

	// Emulate runs against the embedded WorkOS emulator playing
	// https://api.workos.com, with the section's URLs registered and the
	// --login user added (doctor --emulate).
	Emulate bool

	// BaseURL is the WorkOS API (--workos-url); empty means
	// WORKOS_BASE_URL, then https://api.workos.com.
	BaseURL string
	// Timeout bounds the whole run, RequestTimeout each request.
	Timeout        time.Duration
	RequestTimeout time.Duration
	HTTPClient     *http.Client // nil = a default client
	Now            func() time.Time
	UserAgent      string
}

// Run diagnoses the project and prints the report. It returns nil when no
// check failed or could not run, a silent exit-1 error otherwise (the report
// says why), and a *cmdutil.Error with exit code 3 for unusable input.
// Everything it prints passes through a redactor of the project's secrets
// and the token.
func Run(ctx context.Context, opts Options) error {
	rep, red, err := Diagnose(ctx, opts)
	if err != nil {
		if red != nil {
			err = cmdutil.Redacted(err, red.Redact)
		}
		return err
	}
	out, errOut := red.Writer(opts.IO.Out), red.Writer(opts.IO.ErrOut)
	fmt.Fprintf(errOut, "Using authKit.%s (%s)\n", rep.Env, rep.envReason)
	var failed error
	switch {
	case ctx.Err() != nil:
		// A signal (Ctrl-C, CI's SIGTERM) cut the run short: the checks it
		// stopped say "interrupted", and the verdict is the user's, not a
		// failure to fix. Doctor changes nothing, so there is nothing to
		// settle.
		failed = &cmdutil.Error{Code: cmdutil.ExitCancel, Err: errors.New("interrupted: " + rep.Summary.String()),
			Hint: "doctor changes nothing; run it again for a full report"}
		rep.Error = cmdutil.ErrorObject(failed)
	case !rep.OK:
		// The report says which checks failed and why; the error object
		// gives scripts the exit status and the count in one place.
		failed = &cmdutil.Error{Code: cmdutil.ExitFailure, Err: errors.New(rep.Summary.String()),
			Hint: "each failed check above says why and how to fix it"}
		rep.Error = cmdutil.ErrorObject(failed)
	}
	if opts.JSON {
		if err := cmdutil.WriteJSON(out, rep); err != nil {
			return err
		}
	} else {
		rep.printHuman(out, opts.IO.ColorScheme(), opts.Verbose)
	}
	rep.annotate(opts.CI.Annotate.Wrap(red.Writer))
	opts.CI.Summarize(errOut, rep.summary(red.Redact))
	if ctx.Err() != nil {
		return failed
	}
	if failed != nil {
		return cmdutil.SilentError(cmdutil.ExitFailure)
	}
	return nil
}

// Diagnose runs the selected checks and returns the report, with the
// redactor that knows the secrets it may contain. An error means the run
// could not start (exit 3 errors for bad input, or a cancelled prompt).
func Diagnose(ctx context.Context, opts Options) (*Report, *secret.Redactor, error) {
	target, err := project.LoadTarget(opts.Options)
	if err != nil {
		return nil, nil, err
	}
	d, err := newDoctor(opts, target)
	if d != nil && d.stop != nil {
		defer d.stop()
	}
	if err != nil {
		return nil, d.red, err
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	rep := d.run(ctx)
	rep.finish(opts.Strict)
	return rep, d.red, nil
}

// doctor is one run: what every check shares.
type doctor struct {
	opts Options
	sel  Selection
	env  config.Env
	// envReason says why this section was chosen.
	envReason string

	src *resolve.Sources
	cfg *config.Config   // nil when convex.json could not be loaded
	sec *resolve.Section // nil without cfg
	fw  *framework.Framework
	pkg *framework.PackageJSON // nil without package.json

	clientID       string // "" when unknown
	clientIDSource string
	apiKey         string
	apiKeySource   string
	base           string // WorkOS API base URL, no trailing slash
	password       string

	fetcher *jwks.Fetcher
	wos     *workos.Client // nil without an API key
	red     *secret.Redactor
	att     *deployment.Attached
	// emu is doctor --emulate's WorkOS, nil otherwise; stop closes it.
	emu    *emulator.Server
	emuURL string
	stop   func()
}

func newDoctor(opts Options, target *project.Target) (*doctor, error) {
	sel := opts.Select
	if sel == nil {
		sel, _ = Select(nil)
	}
	d := &doctor{opts: opts, env: target.Choice.Env, envReason: target.Choice.Reason, src: target.Sources}
	d.red = &secret.Redactor{}
	d.att = &deployment.Attached{NotConnected: "not connected to a deployment"}
	if opts.Attach != nil {
		att, err := opts.Attach(d.src, string(d.env))
		if err != nil {
			return d, deployment.CommandError(err, "")
		}
		d.att = att
		if att.Connected() {
			d.red.Add(att.Target.AdminKey())
		}
	}
	if opts.TokenOnly {
		sel = Selection{}
		for _, s := range Specs {
			if s.Group == GroupToken || s.Group == GroupJWKS {
				sel[s.ID] = true
			}
		}
		// The verdict rests on the deployment's answer: say when it gave
		// none.
		sel[IDDeploymentConnection] = d.att.Connected()
	}
	d.sel = sel
	for _, v := range d.src.Secrets(func(name, value string) bool {
		return secret.IsSecretName(name) || secret.LooksLikeAPIKey(value)
	}) {
		d.red.Add(v)
	}
	d.red.Add(opts.Token)
	for k, v := range opts.DeploymentEnv {
		if secret.IsSecretName(k) || secret.LooksLikeAPIKey(v) {
			d.red.Add(v)
		}
	}

	d.apiKey, d.apiKeySource, _ = d.src.GetAuth("WORKOS_API_KEY")
	base, err := cmdutil.WorkOSBaseURL(opts.BaseURL, opts.Env)
	if err != nil {
		return d, err
	}
	d.base = base
	d.clientID, d.clientIDSource = d.findClientID("")

	hc := opts.HTTPClient
	if opts.Emulate {
		if hc, d.stop, err = d.emulate(); err != nil {
			return d, err
		}
	}
	if hc == nil {
		hc = &http.Client{Transport: http.DefaultTransport}
	}
	reqTimeout := opts.RequestTimeout
	if reqTimeout <= 0 {
		reqTimeout = DefaultRequestTimeout
	}
	d.fetcher = &jwks.Fetcher{Client: hc, Timeout: reqTimeout}
	if d.apiKey != "" {
		// One retry: a diagnosis should be quick, and a WorkOS that fails
		// twice is worth reporting.
		wopts := workos.Options{BaseURL: d.base, APIKey: d.apiKey, HTTPClient: hc, Timeout: reqTimeout, MaxAttempts: 2, UserAgent: opts.UserAgent}
		if opts.Verbose && !opts.JSON {
			wopts.Log = d.red.Writer(opts.IO.ErrOut)
		}
		d.wos = workos.New(wopts)
	}

	if opts.Login != "" && sel.group(GroupToken) {
		pw, err := d.loginPassword()
		if err != nil {
			return d, err
		}
		d.password = pw
		d.red.Add(pw)
		d.seedLogin()
	}
	return d, nil
}

// findClientID is the client ID the app is meant to use: WORKOS_CLIENT_ID
// (--client-id, the environment, .env.local, .env), else --deployment-env,
// else deployed (the deployment's, once read), else the framework's browser
// variable. The local value comes first in every section, so that
// deployment.workos-variables can tell when the deployment differs.
func (d *doctor) findClientID(deployed string) (string, string) {
	if v, source, _ := d.src.GetAuth("WORKOS_CLIENT_ID"); v != "" {
		return v, "WORKOS_CLIENT_ID (" + source + ")"
	}
	if v := d.opts.DeploymentEnv["WORKOS_CLIENT_ID"]; v != "" {
		return v, "--deployment-env WORKOS_CLIENT_ID"
	}
	if deployed != "" {
		return deployed, "WORKOS_CLIENT_ID (" + d.att.Describe() + ")"
	}
	for _, name := range []string{"VITE_WORKOS_CLIENT_ID", "NEXT_PUBLIC_WORKOS_CLIENT_ID"} {
		if v, ok := d.src.Lookup(name); ok && v.Value != "" {
			return v.Value, name + " (" + v.Source() + ")"
		}
	}
	return "", ""
}

// loginPassword is WORKOS_TEST_PASSWORD, else asked on the terminal.
func (d *doctor) loginPassword() (string, error) {
	if pw, _, _ := d.src.Get("WORKOS_TEST_PASSWORD"); pw != "" {
		return pw, nil
	}
	if d.opts.AskPassword == nil {
		return "", cmdutil.UsageError(errors.New("--login needs the user's password, and there is no terminal to ask for it"),
			"set WORKOS_TEST_PASSWORD (in the environment or .env.local), or pass the token itself with --token")
	}
	pw, err := d.opts.AskPassword(fmt.Sprintf("Password of %s (WorkOS, not shown)", d.opts.Login))
	if errors.Is(err, prompt.ErrCancelled) {
		return "", cmdutil.ErrCancel
	}
	if err != nil {
		return "", err
	}
	if pw == "" {
		return "", cmdutil.UsageError(errors.New("no password given for --login"), "type the password, or set WORKOS_TEST_PASSWORD")
	}
	return pw, nil
}

// run runs every selected check: the local ones first, then the network
// chains concurrently. The slowest chain is login → token verification,
// which shares its JWKS fetch with the jwks checks.
func (d *doctor) run(ctx context.Context) *Report {
	rep := &Report{SchemaVersion: cmdutil.SchemaVersion, Env: string(d.env), envReason: d.envReason}
	// The deployment's reads go first: evaluation waits for its variables,
	// token routing for its providers.
	var dep remoteDeployment
	att := d.att
	if !d.sel.usesDeployment() && !d.sel.group(GroupWorkOS) && !d.sel.group(GroupWebhooks) {
		// config and env checks judge local files only: no request.
		att = &deployment.Attached{NotConnected: "the selected checks do not read the deployment"}
	}
	dep.start(ctx, att)
	rep.Deployment = &Deployment{Connected: d.att.Connected(), Describe: d.att.Describe(), NotConnected: d.att.NotConnected, hint: d.att.Hint,
		standIns: d.sel.usesDeployment()}
	if dep.connected() {
		// The deployment's WORKOS_* variables are a source of authEnv and
		// of the client ID, as for the Convex CLI and apply: a project set
		// up with a deployment keeps WORKOS_CLIENT_ID there, not in
		// .env.local. The config and env checks resolve with them.
		<-dep.envDone
		if dep.envErr == nil {
			// Before SetDeployment, which would put the deployment's
			// value ahead of the local one for preview and prod.
			d.clientID, d.clientIDSource = d.findClientID(dep.vars["WORKOS_CLIENT_ID"])
			d.src.SetDeployment(dep.vars, string(d.env), false)
		}
	}
	d.detectFramework()
	var checks []Check
	checks = append(checks, d.configChecks()...)
	d.seedSection()
	checks = append(checks, d.envChecks()...)

	var (
		wg       sync.WaitGroup
		ac       authConfig
		jwksReps []tokencheck.JWKSReport
		acDone   = make(chan struct{})
		remote   workosRemote
		login    *Check
		token    = d.opts.Token
		routing  []tokencheck.Provider
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-dep.envDone
		ac = d.evaluateAuthConfig(ctx, &dep)
		close(acDone)
		if d.sel.group(GroupJWKS) && !d.opts.TokenOnly && ac.known {
			jwksReps = tokencheck.CheckAllJWKS(ctx, d.fetcher, ac.tc)
		}
	}()
	if d.wos != nil && d.sel.group(GroupWorkOS) {
		remote.fetch(ctx, d, &wg)
	}
	var hooks *webhooksState
	if d.sel.group(GroupWebhooks) {
		hooks = d.detectComponent()
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.fetchWebhooks(ctx, hooks, &dep)
		}()
	}
	var tokenDone sync.WaitGroup
	if d.sel.group(GroupToken) && d.opts.Login != "" {
		tokenDone.Add(1)
		go func() {
			defer tokenDone.Done()
			c, tok := d.login(ctx)
			login, token = &c, tok
		}()
	}
	var verification *tokencheck.Verification
	if d.sel.group(GroupToken) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tokenDone.Wait()
			<-acDone
			<-dep.provDone
			routing, _ = dep.routing(ac)
			if token != "" {
				verification = d.verify(ctx, token, routing)
			}
			if d.opts.TokenOnly {
				jwksReps = d.matchedJWKS(ctx, routing, verification)
			}
		}()
	}
	wg.Wait()
	<-dep.envDone
	<-dep.provDone
	d.red.Add(token)
	for _, v := range dep.secrets() {
		d.red.Add(v)
	}

	checks = append(checks, ac.checks...)
	checks = append(checks, d.providerChecks(ac)...)
	checks = append(checks, d.deploymentChecks(ac, &dep)...)
	checks = append(checks, d.jwksChecks(ac, routing != nil, jwksReps)...)
	checks = append(checks, d.workosChecks(ac, &remote)...)
	if hooks != nil {
		checks = append(checks, d.webhooksChecks(hooks, &dep)...)
	}
	checks = append(checks, d.tokenChecks(ac, &dep, login, token, verification)...)
	if verification != nil && verification.Identity != nil {
		rep.identity = verification.Identity.Map()
	}
	for _, c := range checks {
		if d.sel[c.ID] {
			rep.Checks = append(rep.Checks, c)
		}
	}
	if rep.Checks == nil {
		rep.Checks = []Check{}
	}
	return rep
}

func (d *doctor) detectFramework() {
	pkg, err := framework.ReadPackageJSON(d.opts.Dir)
	if err == nil {
		d.pkg = pkg
		d.fw, _ = framework.Detect(pkg)
	}
}

// blocked is the result of a check whose input another check could not
// produce: a skip when that check is in the report (its failure is shown
// there), an error otherwise, so that a partial run never passes silently.
func (d *doctor) blocked(id, cause, why string) Check {
	if d.sel[cause] {
		return skip(id, why+" (see "+cause+")")
	}
	return newCheck(id, StatusError, why, "run convex-authkit doctor "+cause+" to see why")
}
