package doctor

import (
	"fmt"
	"net/http"

	"github.com/convex-authkit/convex-authkit/internal/emulator"
	"github.com/convex-authkit/convex-authkit/internal/workos"
)

// emulate starts doctor --emulate's WorkOS: the embedded emulator playing
// https://api.workos.com (its tokens' iss and JWKS URLs are WorkOS's own, so
// the auth config is judged exactly as against WorkOS), holding what `apply`
// would have registered for the section (see seedSection). It returns the
// HTTP client that reaches it and a stop function. The --login user is
// added once its password is known (see seedLogin).
func (d *doctor) emulate() (*http.Client, func(), error) {
	clientID := d.clientID
	if clientID == "" {
		clientID = emulator.DefaultClientID
	}
	emu := emulator.New(emulator.Options{ClientID: clientID, IssuerBase: workos.DefaultBaseURL, Now: d.opts.Now})
	url, err := emu.Start("127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("cannot start the WorkOS emulator: %w", err)
	}
	tr, err := emu.Transport(workos.DefaultBaseURL)
	if err != nil {
		_ = emu.Close()
		return nil, nil, err
	}
	d.emu, d.emuURL = emu, url
	d.base, d.apiKey, d.apiKeySource = workos.DefaultBaseURL, emu.APIKey(), "the embedded emulator"
	if d.clientID == "" {
		d.clientID, d.clientIDSource = clientID, "the embedded emulator"
	}
	return &http.Client{Transport: tr}, func() { _ = emu.Close() }, nil
}

// seedLogin gives the emulator the --login user, with the password doctor
// signs in with: in a rehearsal the user exists by definition.
func (d *doctor) seedLogin() {
	if d.emu != nil && d.opts.Login != "" && d.password != "" {
		d.emu.AddUser(d.opts.Login, d.password)
	}
}

// seedSection registers the section's redirect URIs and CORS origins, as
// `apply --emulate` does, once convex.json is loaded, and says so.
func (d *doctor) seedSection() {
	if d.emu == nil {
		return
	}
	registered := 0
	if d.sec != nil {
		for i, v := range onlyResolved(d.sec.RedirectURIs) {
			d.emu.AddRedirectURI(v.Value, i == 0)
			registered++
		}
		for _, v := range onlyResolved(d.sec.CORSOrigins) {
			d.emu.AddCORSOrigin(v.Value)
			registered++
		}
	}
	fmt.Fprintf(d.red.Writer(d.opts.IO.ErrOut), "Using the embedded WorkOS emulator at %s, playing %s, with authKit.%s's %d %s registered as apply registers them (nothing leaves this machine)\n",
		d.emuURL, workos.DefaultBaseURL, d.env, registered, plural(registered, "URL"))
}
