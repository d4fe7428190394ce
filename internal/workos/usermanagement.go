package workos

import (
	"context"
	"net/http"
	"time"

	"github.com/workos/workos-go/v4/pkg/usermanagement"
)

// UserManagement returns a workos-go client for the calls the SDK already
// covers (creating users, password authentication). It goes to the same base
// URL over the same transport as c, so tests and the emulator see every
// request. The SDK does not retry; its calls are logged like ours.
//
// Each call returns a fresh client: its fields are exported, and a caller
// changing one must not affect others.
func (c *Client) UserManagement() *usermanagement.Client {
	um := usermanagement.NewClient(c.apiKey)
	um.Endpoint = c.baseURL
	um.HTTPClient = c.sdkHTTPClient()
	return um
}

// SignIn signs a user in with a password, as an AuthKit app's sign-in
// does, and returns the access token and the user's id.
func (c *Client) SignIn(ctx context.Context, clientID, email, password string) (token, userID string, err error) {
	res, err := c.UserManagement().AuthenticateWithPassword(ctx, usermanagement.AuthenticateWithPasswordOpts{
		ClientID: clientID, Email: email, Password: password,
	})
	if err != nil {
		return "", "", err
	}
	return res.AccessToken, res.User.ID, nil
}

func (c *Client) sdkHTTPClient() *http.Client {
	hc := *c.hc
	if hc.Timeout == 0 {
		// The SDK makes one attempt per call, so the per-attempt timeout is
		// the whole budget; without it the SDK would wait forever.
		hc.Timeout = c.timeout
	}
	if c.log != nil {
		base := hc.Transport
		if base == nil {
			base = http.DefaultTransport
		}
		hc.Transport = loggingTransport{base: base, log: c.log}
	}
	return &hc
}

// loggingTransport writes the same one-line record for SDK requests as do
// writes for ours. It never looks at headers or bodies, which carry the API
// key (authenticate sends it as client_secret) and passwords.
type loggingTransport struct {
	base http.RoundTripper
	log  *logger
}

func (t loggingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	res, err := t.base.RoundTrip(req)
	elapsed := time.Since(start).Round(time.Millisecond)
	if err != nil {
		t.log.printf("workos: %s %s -> %v (%s)\n", req.Method, req.URL.Path, err, elapsed)
		return nil, err
	}
	t.log.printf("workos: %s %s -> %d (%s%s)\n", req.Method, req.URL.Path, res.StatusCode, elapsed, requestIDNote(res.Header))
	return res, nil
}
