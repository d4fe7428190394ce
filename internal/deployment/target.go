package deployment

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/netpolicy"
	"github.com/convex-authkit/convex-authkit/internal/resolve"
)

// The variables the Convex CLI reads to find a deployment.
const (
	VarDeployKey       = "CONVEX_DEPLOY_KEY"
	VarDeploymentToken = "CONVEX_DEPLOYMENT_TOKEN" // alias of CONVEX_DEPLOY_KEY, which wins
	VarSelfHostedURL   = "CONVEX_SELF_HOSTED_URL"
	VarSelfHostedKey   = "CONVEX_SELF_HOSTED_ADMIN_KEY"
	VarDeployment      = "CONVEX_DEPLOYMENT"
	VarConvexURL       = "CONVEX_URL"
)

// ViaCLI is Target.Via when the project's own Convex CLI does the talking.
const ViaCLI = "convex CLI"

// Kind is the kind of deployment a target is, as its key or CONVEX_DEPLOYMENT
// says.
type Kind string

const (
	KindDev        Kind = "dev"
	KindProd       Kind = "prod"
	KindPreview    Kind = "preview"
	KindSelfHosted Kind = "self-hosted"
	// KindUnknown: the Convex CLI knows, this tool was not told (a
	// CONVEX_DEPLOYMENT without a type: prefix).
	KindUnknown Kind = ""
)

// Vars is where Connect reads variables: the process environment merged with
// the project's dotenv files. *resolve.Sources satisfies it.
type Vars interface {
	Lookup(name string) (resolve.Variable, bool)
	Variables() []resolve.Variable
}

// Options says how to find the deployment.
type Options struct {
	Vars Vars
	// ConvexURL is --convex-url: the deployment URL to use for a deploy key,
	// before CONVEX_URL and the app's *_CONVEX_URL.
	ConvexURL string
	// Dir is the project root, where node_modules/.bin/convex is looked for.
	Dir string
	// Section is the authKit section the command works on ("dev",
	// "preview", "prod"; "" is dev). It only matters for the Convex CLI
	// fallback, which reaches the project's dev deployment, or its
	// production deployment (--prod) for the prod section.
	Section string
}

// Target is a deployment found by Connect, and how to reach it. It never
// prints its key: Describe and String are safe for any output.
type Target struct {
	Name string // deployment name (happy-otter-123); "" for self-hosted
	URL  string // base URL of the deployment; "" when the Convex CLI finds it
	Kind Kind
	// Via is the variable holding the credential (CONVEX_DEPLOY_KEY,
	// CONVEX_DEPLOYMENT_TOKEN, CONVEX_SELF_HOSTED_ADMIN_KEY), or ViaCLI.
	Via string
	// ViaSource is where Via was set: "environment" or ".env.local:3".
	ViaSource string
	// URLSource says where URL came from: "--convex-url", a variable with
	// its origin ("VITE_CONVEX_URL (.env.local:2)"), or "the deployment name".
	URLSource string

	adminKey string
	cliPath  string // node_modules/.bin/convex, for ViaCLI
	cliFlag  string // deployment selection for ViaCLI: "" or "--prod"
	dir      string // project root, where the CLI runs
}

// Describe names the deployment and the credential's variable, never the key:
// "deployment happy-otter-123 via CONVEX_DEPLOY_KEY".
func (t Target) Describe() string {
	name := t.Name
	if name == "" {
		name = t.URL
	}
	if name == "" {
		name = "(chosen by the Convex CLI)"
	}
	return fmt.Sprintf("deployment %s via %s", name, t.Via)
}

func (t Target) String() string { return t.Describe() }

// AdminKey is the credential sent as "Authorization: Convex <key>"; "" for
// ViaCLI. Callers add it to their output redactor; they never print it.
func (t Target) AdminKey() string { return t.adminKey }

// UsageError is bad input about the deployment (a malformed key, a URL that
// cannot be used, conflicting variables): the command should exit 3 and
// change nothing. Var names the variable or flag to fix.
type UsageError struct {
	Var  string
	Msg  string
	Hint string
	// Err is ErrNoDeployment or ErrNamesNoDeployment when the input is
	// fine but names no deployment this tool can reach; nil otherwise.
	Err error
}

// Unwrap lets errors.Is find ErrNoDeployment and ErrNamesNoDeployment.
func (e *UsageError) Unwrap() error { return e.Err }

func (e *UsageError) Error() string {
	if e.Var == "" {
		return e.Msg
	}
	return e.Var + ": " + e.Msg
}

// ErrNoDeployment is returned (wrapped in a *UsageError) when nothing names a
// deployment: no key, no self-hosted variables, no project Convex CLI.
var ErrNoDeployment = errors.New("no Convex deployment configured")

// ErrNamesNoDeployment is wrapped by the *UsageError for a credential that is
// valid but names no deployment: a preview deploy key or a project key, which
// only Convex's management service can turn into one.
var ErrNamesNoDeployment = errors.New("the credential names no deployment")

// Connect finds the deployment the way the Convex CLI does: a deploy key
// (CONVEX_DEPLOY_KEY, else CONVEX_DEPLOYMENT_TOKEN) first, then
// CONVEX_SELF_HOSTED_URL with CONVEX_SELF_HOSTED_ADMIN_KEY, then, when the
// project has node_modules/.bin/convex, that CLI (which uses the developer's
// `npx convex login` and CONVEX_DEPLOYMENT). It does no I/O beyond looking
// for the CLI; bad input is a *UsageError.
func Connect(opts Options) (Target, error) {
	get := func(name string) (resolve.Variable, bool) {
		v, ok := opts.Vars.Lookup(name)
		// The Convex CLI reads these with ||, so an empty value is unset.
		return v, ok && v.Value != ""
	}
	keyVar, haveKey := get(VarDeployKey)
	if !haveKey {
		keyVar, haveKey = get(VarDeploymentToken)
	}
	if haveKey {
		key, err := ParseDeployKey(keyVar.Name, keyVar.Value)
		switch {
		case errors.Is(err, errIgnoreKey):
			haveKey = false
		case err != nil:
			return Target{}, err
		}
		if haveKey {
			return deployKeyTarget(opts, keyVar, key)
		}
	}

	urlVar, haveURL := get(VarSelfHostedURL)
	adminVar, haveAdmin := get(VarSelfHostedKey)
	if haveURL && haveAdmin {
		if dep, ok := get(VarDeployment); ok {
			return Target{}, &UsageError{Var: VarDeployment, Msg: fmt.Sprintf("must not be set (%s) when %s and %s are set, as the Convex CLI also refuses", dep.Source(), VarSelfHostedURL, VarSelfHostedKey),
				Hint: "remove CONVEX_DEPLOYMENT for a self-hosted backend, or the two CONVEX_SELF_HOSTED_ variables for a cloud one"}
		}
		base := strings.TrimRight(urlVar.Value, "/")
		if err := netpolicy.CheckAPIBase("Convex deployment", base); err != nil {
			return Target{}, &UsageError{Var: VarSelfHostedURL, Msg: err.Error(), Hint: "set it to the backend's https:// URL (http:// only for 127.0.0.1)"}
		}
		return Target{URL: base, Kind: KindSelfHosted, Via: VarSelfHostedKey, ViaSource: adminVar.Source(),
			URLSource: describeVar(urlVar), adminKey: adminVar.Value}, nil
	}
	if haveURL != haveAdmin {
		set, missing := VarSelfHostedURL, VarSelfHostedKey
		if haveAdmin {
			set, missing = missing, set
		}
		return Target{}, &UsageError{Var: missing, Msg: fmt.Sprintf("is not set, but %s is: a self-hosted deployment needs both", set),
			Hint: fmt.Sprintf("set %s too (in the environment or .env.local), or remove %s", missing, set)}
	}

	cli := filepath.Join(opts.Dir, "node_modules", ".bin", "convex")
	if info, err := os.Stat(cli); err == nil && !info.IsDir() {
		t := Target{Via: ViaCLI, ViaSource: "node_modules/.bin/convex", cliPath: cli, dir: opts.Dir}
		switch opts.Section {
		case "prod":
			// CONVEX_DEPLOYMENT names the dev deployment; the CLI finds the
			// production one itself.
			t.Kind, t.cliFlag = KindProd, "--prod"
			return t, nil
		case "preview":
			return Target{}, &UsageError{Msg: "the project's Convex CLI reaches its dev and production deployments, not a preview deployment",
				Hint: "set CONVEX_DEPLOY_KEY to the preview deployment's own key (preview:<deployment-name>|...) to reach it", Err: ErrNamesNoDeployment}
		}
		if dep, ok := get(VarDeployment); ok {
			t.Kind, t.Name = splitDeploymentVar(dep.Value)
		}
		return t, nil
	}
	return Target{}, &UsageError{Msg: ErrNoDeployment.Error() + ": no " + VarDeployKey + ", no " + VarSelfHostedURL + "/" + VarSelfHostedKey + ", and no node_modules/.bin/convex in the project",
		Hint: "set CONVEX_DEPLOY_KEY (Convex dashboard → Settings → Deploy keys), or install the project's dependencies and log in with `npx convex dev`", Err: ErrNoDeployment}
}

// splitDeploymentVar reads CONVEX_DEPLOYMENT ("dev:happy-otter-123", or a
// bare name) as the Convex CLI does: the last :-part is the name.
func splitDeploymentVar(v string) (Kind, string) {
	parts := strings.Split(v, ":")
	name := parts[len(parts)-1]
	if len(parts) == 1 {
		return KindUnknown, name
	}
	switch k := Kind(parts[0]); k {
	case KindDev, KindProd, KindPreview:
		return k, name
	}
	return KindUnknown, name
}

func deployKeyTarget(opts Options, keyVar resolve.Variable, key DeployKey) (Target, error) {
	t := Target{Name: key.Deployment, Kind: key.Kind, Via: keyVar.Name, ViaSource: keyVar.Source(), adminKey: keyVar.Value}
	raw, from := deploymentURL(opts, key.Deployment)
	if raw == "" {
		t.URL, t.URLSource = "https://"+key.Deployment+".convex.cloud", "the deployment name"
		return t, nil
	}
	base := strings.TrimRight(raw, "/")
	if err := netpolicy.CheckAPIBase("Convex deployment", base); err != nil {
		return Target{}, &UsageError{Var: from, Msg: err.Error(), Hint: "give the deployment's https:// URL, such as https://" + key.Deployment + ".convex.cloud"}
	}
	t.URL, t.URLSource = base, from
	return t, nil
}

// convexURLName matches the variables frameworks use for the deployment URL
// (VITE_CONVEX_URL, NEXT_PUBLIC_CONVEX_URL, EXPO_PUBLIC_CONVEX_URL, ...).
var convexURLName = regexp.MustCompile(`^[A-Z0-9_]*_CONVEX_URL$`)

// deploymentURL picks the URL for a deploy key's deployment: --convex-url,
// CONVEX_URL, then the app's *_CONVEX_URL whose host names this deployment
// (one for another deployment would send the key to the wrong place). The
// Convex CLI asks its management service instead; this tool has no such
// service, and the app's URL carries the region a name alone does not.
func deploymentURL(opts Options, name string) (raw, from string) {
	if opts.ConvexURL != "" {
		return opts.ConvexURL, "--convex-url"
	}
	if v, ok := opts.Vars.Lookup(VarConvexURL); ok && v.Value != "" {
		return v.Value, describeVar(v)
	}
	var names []resolve.Variable
	for _, v := range opts.Vars.Variables() {
		if convexURLName.MatchString(v.Name) && v.Value != "" && hostNames(v.Value, name) {
			names = append(names, v)
		}
	}
	sort.Slice(names, func(i, j int) bool { return names[i].Name < names[j].Name })
	if len(names) > 0 {
		return names[0].Value, describeVar(names[0])
	}
	return "", ""
}

// hostNames reports whether url's host is name's cloud host in any region
// (name.convex.cloud, name.eu-west-1.convex.cloud).
func hostNames(url, name string) bool {
	rest, ok := strings.CutPrefix(url, "https://"+name+".")
	if !ok {
		return false
	}
	host, _, _ := strings.Cut(rest, "/")
	return strings.HasSuffix(host, "convex.cloud")
}

func describeVar(v resolve.Variable) string {
	if v.File == "" {
		return v.Name
	}
	return fmt.Sprintf("%s (%s)", v.Name, v.Source())
}
