package authconfig

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/authjs"
	"github.com/convex-authkit/convex-authkit/internal/convexauth"
	"github.com/convex-authkit/convex-authkit/internal/tokencheck"
)

// probeClientID is what process.env.WORKOS_CLIENT_ID reads while two
// configs are compared: any client ID would do, as long as both files see
// the same one. It is no real client, so a file that names the real one
// literally is judged different: it stops following the deployment's
// variable.
const probeClientID = "client_01CONVEXAUTHKITPROBE0000"

// Comparison is how the providers of an existing auth config compare
// with those Plan would write, as the deployment would store them.
type Comparison struct {
	// Same says both store the same providers: the same set, in the order
	// Convex tries them, which does not depend on the order in the file.
	Same bool
	// Removed are the providers only the existing file has, Added those
	// only the generated one has, as Convex lists them
	// ("CustomJWT(issuer=..., app_id=...)").
	Removed, Added []string
}

// CompareProviders evaluates the auth config at res.Path and the content
// Plan rendered, each in authjs's sandbox with the same
// WORKOS_CLIENT_ID, applies Convex's push-time rules to both and compares
// the providers. An error means the existing file could not be judged: it
// does not evaluate, reads another variable, or fails the push rules.
// dir is the project root, where the existing file's imports resolve.
func CompareProviders(ctx context.Context, dir string, res *Result) (*Comparison, error) {
	env := map[string]string{ClientIDVar: probeClientID}
	mine, err := evaluateProviders(ctx, dir, filepath.Dir(res.Path), env)
	if err != nil {
		return nil, err
	}
	// The generated file is evaluated as the plain object it is either way:
	// the typing adds only an import that the bundler drops.
	tmp, err := os.MkdirTemp("", "convex-authkit-authconfig-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	spec := res.Spec
	spec.Typed = false
	content, err := Render(spec)
	if err != nil {
		return nil, err
	}
	name := "auth.config.js"
	if spec.TypeScript {
		name = "auth.config.ts"
	}
	if err := os.WriteFile(filepath.Join(tmp, name), []byte(content), 0o600); err != nil {
		return nil, err
	}
	ours, err := evaluateProviders(ctx, tmp, tmp, env)
	if err != nil {
		return nil, err
	}
	return compare(mine, ours), nil
}

// evaluateProviders returns the providers the auth config in functions
// would store, in the order Convex tries them.
func evaluateProviders(ctx context.Context, dir, functions string, env map[string]string) ([]tokencheck.Provider, error) {
	out, err := authjs.Evaluate(ctx, authjs.Options{Dir: dir, FunctionsDir: functions, Env: env})
	if err != nil {
		return nil, err
	}
	if len(out.Missing) > 0 {
		return nil, errors.New("it reads " + out.Missing[0] + ", which is not set while comparing")
	}
	stored, problems, err := convexauth.Check(out.JSON)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, errors.New(problems[0].String())
	}
	return tokencheck.StoredOrder(tokencheck.FromConvex(stored)), nil
}

// compare diffs two provider lists in stored order (duplicates already
// dropped by StoredOrder).
func compare(mine, ours []tokencheck.Provider) *Comparison {
	c := &Comparison{Same: len(mine) == len(ours)}
	in := func(list []tokencheck.Provider, p tokencheck.Provider) bool {
		for _, q := range list {
			if sameProvider(p, q) {
				return true
			}
		}
		return false
	}
	for i, p := range mine {
		if !in(ours, p) {
			c.Removed = append(c.Removed, shownProvider(p))
		}
		if c.Same && !sameProvider(p, ours[i]) {
			c.Same = false
		}
	}
	for _, p := range ours {
		if !in(mine, p) {
			c.Added = append(c.Added, shownProvider(p))
		}
	}
	return c
}

// shownProvider lists p as Convex does, plus the JWKS and algorithm that
// Convex's listing leaves out (two providers may differ only there), with
// the variable in place of the probe client ID.
func shownProvider(p tokencheck.Provider) string {
	s := p.String()
	if p.Type == tokencheck.TypeCustomJWT {
		s += " jwks=" + p.JWKS + " algorithm=" + p.Algorithm
	}
	return strings.ReplaceAll(s, probeClientID, "${"+ClientIDVar+"}")
}

// sameProvider compares every field the deployment stores.
func sameProvider(a, b tokencheck.Provider) bool {
	appID := func(p tokencheck.Provider) string {
		if p.ApplicationID == nil {
			return "\x00unset"
		}
		return *p.ApplicationID
	}
	return a.Type == b.Type && a.Issuer == b.Issuer && appID(a) == appID(b) && a.JWKS == b.JWKS && a.Algorithm == b.Algorithm
}
