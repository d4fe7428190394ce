package deployment

import (
	"errors"
)

// Attached is the deployment a command works with, or why it has none.
// Commands attach once, early, and hand the result to whatever reads the
// deployment (resolution, apply's plan, doctor's checks), so the deployment
// is found once and each value is fetched once.
type Attached struct {
	// Deployment is nil when none is connected.
	Deployment Deployment
	Target     Target
	// NotConnected says why no deployment is connected and how to connect
	// one; "" when Deployment is set.
	NotConnected string
	// Hint is how to connect, for a summary line; "" when connected.
	Hint string
	// Vars are the deployment's variables as ReadAuthVars listed them
	// (nil before): the component's checks need names beyond WORKOS_*
	// credentials, without a second listing.
	Vars map[string]string
}

// Connected reports whether a deployment is attached.
func (a *Attached) Connected() bool { return a != nil && a.Deployment != nil }

// Describe is Target.Describe when connected, else "no deployment".
func (a *Attached) Describe() string {
	if !a.Connected() {
		return "no deployment"
	}
	return a.Target.Describe()
}

// Attach connects to the deployment when something names one. Nothing
// naming a deployment (no key, no self-hosted variables, no project CLI),
// a credential that names none (a preview deploy key), or disabled (the
// --no-deployment flag) is not an error: the result says why it is not
// connected, and commands go on with local values and say so. Bad input (a
// malformed key, an http:// URL to another host) is a *UsageError: exit 3,
// nothing sent. Attach does no network I/O.
func Attach(opts Options, client ClientOptions, disabled bool) (*Attached, error) {
	if disabled {
		return &Attached{NotConnected: "not connected to a deployment (--no-deployment)"}, nil
	}
	t, err := Connect(opts)
	var ue *UsageError
	if errors.Is(err, ErrNoDeployment) || errors.Is(err, ErrNamesNoDeployment) {
		errors.As(err, &ue)
		return &Attached{NotConnected: "not connected to a deployment: " + ue.Error(), Hint: ue.Hint}, nil
	}
	if err != nil {
		return nil, err
	}
	d, err := Open(t, client)
	if err != nil {
		return nil, err
	}
	return &Attached{Deployment: d, Target: t}, nil
}
