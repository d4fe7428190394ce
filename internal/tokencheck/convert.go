package tokencheck

import "github.com/convex-authkit/convex-authkit/internal/convexauth"

// FromConvex converts the providers a push stores (convexauth.Check) to
// the form the token checks use, keeping their order.
func FromConvex(ps []convexauth.Provider) []Provider {
	out := make([]Provider, len(ps))
	for i, p := range ps {
		out[i] = Provider{Type: string(p.Kind), Issuer: p.Issuer, ApplicationID: p.ApplicationID, JWKS: p.JWKS, Algorithm: p.Algorithm}
	}
	return out
}
