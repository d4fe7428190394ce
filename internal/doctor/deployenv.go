package doctor

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/config"
	"github.com/convex-authkit/convex-authkit/internal/interpolate"
	"github.com/convex-authkit/convex-authkit/internal/resolve"
)

// passedFromMachine says which of the machine's variables the auth config
// may see, in words for hints.
const passedFromMachine = "WORKOS_*, CONVEX_CLOUD_URL, CONVEX_SITE_URL and the variables convex.json's placeholders name"

// deployEnv is what process.env answers in auth.config.ts. A deployment's
// process.env holds the deployment's variables and nothing of the machine
// that pushed, so the file is not given the machine's environment: it is
// code from the repository, and in CI the environment holds secrets that
// a JWKS URL built from them would carry away.
type deployEnv struct {
	vars map[string]string
	// source says where each of vars came from, as envReads reports it.
	source map[string]string
	// withheld are names set in the machine's environment but not passed.
	withheld map[string]bool
	// local is true when the values stand in for the deployment's, which
	// were not read; notRead says why, for messages.
	local   bool
	notRead string
	// from names the deployment whose variables these are, when not local.
	from string
}

// deploymentEnv stands in for the deployment's variables: the project's
// dotenv files, then from the machine's environment only the names the
// project gives a reason to expect (WORKOS_*, CONVEX_CLOUD_URL,
// CONVEX_SITE_URL, names convex.json's placeholders use), WORKOS_CLIENT_ID
// from --client-id, CONVEX_CLOUD_URL and CONVEX_SITE_URL from the app's
// *_CONVEX_URL as a deployment has them, and last --deployment-env, whose
// empty values unset a name.
//
// With a deployment connected and its variables read, process.env is what
// the deployment's holds instead (remoteDeployment.processEnv), with
// --deployment-env on top as a what-if.
func (d *doctor) deploymentEnv(r *remoteDeployment) deployEnv {
	de := deployEnv{vars: map[string]string{}, source: map[string]string{}, withheld: map[string]bool{}}
	set := func(name, value, source string) {
		if value == "" {
			delete(de.vars, name)
			delete(de.source, name)
			return
		}
		de.vars[name], de.source[name] = value, source
	}
	if r.envRead() {
		appName, appURL := d.appConvexURL()
		de.vars, de.source = r.processEnv(appName, appURL)
		de.from = r.describe()
		for k, v := range d.opts.DeploymentEnv {
			set(k, v, "--deployment-env")
		}
		return de
	}
	de.local, de.notRead = true, "no deployment connected"
	if r.connected() {
		de.notRead = "the deployment's variables could not be read (see " + IDDeploymentConnection + ")"
	}
	// Reversed so that .env.local, read first, wins over .env.
	files := d.src.Files()
	for i := len(files) - 1; i >= 0; i-- {
		for _, e := range files[i].Entries {
			last, _ := files[i].Lookup(e.Key)
			set(e.Key, last.Value, resolve.Variable{File: files[i].Name, Line: last.Line}.Source())
		}
	}
	referenced := placeholderNames(d.cfg)
	for name, value := range d.opts.Env {
		switch {
		case strings.HasPrefix(name, "WORKOS_"), name == "CONVEX_CLOUD_URL", name == "CONVEX_SITE_URL", referenced[name]:
			// As for the build, a variable set in the environment hides the
			// files' value, even when it is empty.
			set(name, value, "environment")
		case value != "" && de.vars[name] == "":
			de.withheld[name] = true
		}
	}
	if id := d.opts.Flags["WORKOS_CLIENT_ID"]; id != "" {
		set("WORKOS_CLIENT_ID", id, "--client-id")
	}
	if name, appURL := d.appConvexURL(); appURL != "" {
		cloud, site := deploymentURLs(appURL)
		for k, v := range map[string]string{"CONVEX_CLOUD_URL": cloud, "CONVEX_SITE_URL": site} {
			if de.vars[k] == "" && v != "" {
				set(k, v, "derived from "+name)
			}
		}
	}
	for k, v := range d.opts.DeploymentEnv {
		set(k, v, "--deployment-env")
		delete(de.withheld, k)
	}
	return de
}

// placeholderNames are the variables convex.json's authKit templates use,
// in every section: the project's own configuration expects them.
func placeholderNames(cfg *config.Config) map[string]bool {
	names := map[string]bool{}
	if cfg == nil || cfg.AuthKit == nil {
		return names
	}
	add := func(s *config.String) {
		if s == nil {
			return
		}
		for _, seg := range interpolate.Parse(s.Value) {
			if seg.Kind == interpolate.AuthEnv || seg.Kind == interpolate.BuildEnv {
				names[seg.Name] = true
			}
		}
	}
	for _, sec := range cfg.AuthKit.Sections {
		add(sec.EnvironmentType)
		if c := sec.Configure; c != nil {
			for i := range c.RedirectURIs {
				add(&c.RedirectURIs[i])
			}
			add(c.AppHomepageURL)
			for i := range c.CORSOrigins {
				add(&c.CORSOrigins[i])
			}
		}
		for i := range sec.LocalEnvVars {
			add(&sec.LocalEnvVars[i].Value)
		}
	}
	return names
}

// appConvexURL is the deployment URL the app uses: CONVEX_URL or a
// framework's *_CONVEX_URL (VITE_, NEXT_PUBLIC_, ...), the first by name.
func (d *doctor) appConvexURL() (name, value string) {
	var names []string
	for _, v := range d.src.Variables() {
		if (v.Name == "CONVEX_URL" || strings.HasSuffix(v.Name, "_CONVEX_URL")) && v.Value != "" {
			names = append(names, v.Name)
		}
	}
	if len(names) == 0 {
		return "", ""
	}
	sort.Strings(names)
	v, _ := d.src.Lookup(names[0])
	return names[0], v.Value
}

// deploymentURLs are CONVEX_CLOUD_URL and CONVEX_SITE_URL for the app's
// deployment URL: a Convex Cloud deployment serves HTTP actions on the same
// name under .convex.site. For a self-hosted backend the site origin
// cannot be derived, and site is "".
func deploymentURLs(appURL string) (cloud, site string) {
	u, err := url.Parse(strings.TrimSpace(appURL))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", ""
	}
	cloud = u.Scheme + "://" + u.Host
	if name, ok := strings.CutSuffix(u.Host, ".convex.cloud"); ok {
		site = u.Scheme + "://" + name + ".convex.site"
	}
	return cloud, site
}

// reads says where each variable the file read came from, without its
// value, which may be secret.
func (de deployEnv) reads(names []string) []map[string]string {
	out := []map[string]string{}
	for _, n := range names {
		src, ok := de.source[n]
		switch {
		case ok:
		case de.withheld[n]:
			src = "withheld from the environment"
		default:
			src = "unset"
		}
		out = append(out, map[string]string{"name": n, "source": src})
	}
	return out
}

// withheldHint explains, before the usual hint, why variables of missing
// that are set in the shell were not seen; "" when none is.
func (de deployEnv) withheldHint(missing []string) string {
	var names []string
	for _, n := range missing {
		if de.withheld[n] {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return fmt.Sprintf("set in your shell but not passed: %s (convex-authkit passes only %s from the machine's environment, so that the file cannot read its other secrets); if the deployment has it, name it: --deployment-env %s. Otherwise ",
		strings.Join(names, ", "), passedFromMachine, strings.Join(names, " --deployment-env "))
}

// localNote says, for a message, that the values of names came from this
// machine, not the deployment; "" when they are the deployment's.
func (de deployEnv) localNote(names []string) string {
	if !de.local {
		if de.from == "" || len(names) == 0 {
			return ""
		}
		return " (the variables of " + de.from + ")"
	}
	var parts []string
	for _, n := range names {
		if src, ok := de.source[n]; ok {
			parts = append(parts, n+" from "+src)
		}
	}
	if len(parts) == 0 {
		return " (" + de.notRead + ")"
	}
	return fmt.Sprintf(" (%s, not read from the deployment: %s)", strings.Join(parts, ", "), de.notRead)
}
