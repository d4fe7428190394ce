package deployment

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// DeployKey is a parsed CONVEX_DEPLOY_KEY. It holds no secret: the part
// after "|" is never kept.
type DeployKey struct {
	Kind       Kind   // dev, prod or preview
	Deployment string // the deployment the key is for
}

// errIgnoreKey is the <ignore_deploy_key> sentinel: the variable counts as
// unset.
var errIgnoreKey = errors.New("deploy key ignored")

// deploymentName is the shape of a Convex deployment name (happy-otter-123;
// also local-... and anonymous-... names of local deployments).
var deploymentName = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ParseDeployKey reads a deploy key from variable name as the Convex CLI
// does: "dev:<name>|<secret>", "prod:<name>|<secret>",
// "preview:<name>|<secret>" (one preview deployment), or "<name>|<secret>"
// (an old prod key). A preview deploy key ("preview:<team>:<project>|...")
// and a project key ("project:<team>:<project>|...") name no deployment and
// are explained rather than used. The sentinels <ignore_deploy_key> (unset)
// and <missing_deploy_key:MESSAGE> (fail with MESSAGE) are honoured. Errors
// are *UsageError and never quote the secret.
func ParseDeployKey(name, raw string) (DeployKey, error) {
	if raw == "<ignore_deploy_key>" {
		return DeployKey{}, errIgnoreKey
	}
	if msg, ok := strings.CutPrefix(raw, "<missing_deploy_key:"); ok && strings.HasSuffix(msg, ">") && len(msg) > 1 {
		return DeployKey{}, &UsageError{Var: name, Msg: strings.TrimSuffix(msg, ">"),
			Hint: "this message was put in " + name + " on purpose (<missing_deploy_key:...>): set a real deploy key to go on"}
	}
	fix := "copy a deploy key again from the Convex dashboard (Settings → Deploy keys); it looks like prod:happy-otter-123|ey..."
	prefix, secret, ok := strings.Cut(raw, "|")
	if !ok {
		return DeployKey{}, &UsageError{Var: name, Msg: "is not a Convex deploy key: it has no '|' between the deployment and the secret", Hint: fix}
	}
	if strings.TrimSpace(secret) == "" {
		return DeployKey{}, &UsageError{Var: name, Msg: "is not a Convex deploy key: nothing follows the '|'", Hint: fix}
	}
	if strings.ContainsAny(raw, " \t\r\n") {
		return DeployKey{}, &UsageError{Var: name, Msg: "contains whitespace, which no Convex deploy key has (a line break or space pasted with it?)", Hint: fix}
	}
	parts := strings.Split(prefix, ":")
	switch {
	case len(parts) == 3 && parts[0] == "preview":
		return DeployKey{}, &UsageError{Var: name,
			Msg:  fmt.Sprintf("is a preview deploy key for project %s/%s: it names no deployment, and only Convex's management service (`npx convex deploy`) can create or pick a preview deployment with it", parts[1], parts[2]),
			Hint: "to read or set one preview deployment's variables, use that deployment's own key (preview:<deployment-name>|...), or set project-wide defaults with `npx convex env default set --type preview` (needs a logged-in CLI)", Err: ErrNamesNoDeployment}
	case len(parts) >= 2 && parts[0] == "project":
		return DeployKey{}, &UsageError{Var: name,
			Msg:  "is a project key: it names no deployment, and only Convex's management service can turn it into one",
			Hint: "use a deploy key of the deployment itself (dev:..., prod:... or preview:<deployment-name>|...)", Err: ErrNamesNoDeployment}
	case len(parts) > 2:
		return DeployKey{}, &UsageError{Var: name, Msg: fmt.Sprintf("has %d ':'-separated parts before '|', want <type>:<deployment>", len(parts)), Hint: fix}
	}
	k := DeployKey{Kind: KindProd, Deployment: parts[len(parts)-1]}
	if len(parts) == 2 {
		switch kind := Kind(parts[0]); kind {
		case KindDev, KindProd, KindPreview:
			k.Kind = kind
		default:
			return DeployKey{}, &UsageError{Var: name, Msg: "has a type before ':' other than dev, prod or preview", Hint: fix}
		}
	}
	if !deploymentName.MatchString(k.Deployment) {
		return DeployKey{}, &UsageError{Var: name, Msg: "does not start with a Convex deployment name (lower-case words and digits joined by '-', such as happy-otter-123)", Hint: fix}
	}
	return k, nil
}
