package authconfig

import (
	"slices"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/tokencheck"
)

func TestCompareProviders(t *testing.T) {
	id := probeClientID
	other := "client_other"
	shared := tokencheck.Provider{Type: tokencheck.TypeCustomJWT, Issuer: "https://api.workos.com/", ApplicationID: &id, JWKS: "https://api.workos.com/sso/jwks/" + id, Algorithm: "RS256"}
	um := tokencheck.Provider{Type: tokencheck.TypeCustomJWT, Issuer: "https://api.workos.com/user_management/" + id, JWKS: shared.JWKS, Algorithm: "RS256"}
	es := um
	es.Algorithm = "ES256"
	otherApp := shared
	otherApp.ApplicationID = &other
	emptyApp := um
	empty := ""
	emptyApp.ApplicationID = &empty // set to "": Convex checks aud against it
	ours := tokencheck.StoredOrder([]tokencheck.Provider{shared, um})
	tests := []struct {
		name           string
		mine           []tokencheck.Provider
		same           bool
		removed, added []string
	}{
		{"same, other file order", []tokencheck.Provider{um, shared}, true, nil, nil},
		{"duplicate dropped as Convex does", []tokencheck.Provider{um, shared, um}, true, nil, nil},
		{"one missing", []tokencheck.Provider{um}, false, nil, []string{"CustomJWT(issuer=https://api.workos.com/, app_id=${WORKOS_CLIENT_ID}) jwks=https://api.workos.com/sso/jwks/${WORKOS_CLIENT_ID} algorithm=RS256"}},
		{"algorithm differs", []tokencheck.Provider{shared, es}, false,
			[]string{"CustomJWT(issuer=https://api.workos.com/user_management/${WORKOS_CLIENT_ID}, app_id=none) jwks=https://api.workos.com/sso/jwks/${WORKOS_CLIENT_ID} algorithm=ES256"},
			[]string{"CustomJWT(issuer=https://api.workos.com/user_management/${WORKOS_CLIENT_ID}, app_id=none) jwks=https://api.workos.com/sso/jwks/${WORKOS_CLIENT_ID} algorithm=RS256"}},
		{"applicationID differs", []tokencheck.Provider{otherApp, um}, false,
			[]string{"CustomJWT(issuer=https://api.workos.com/, app_id=client_other) jwks=https://api.workos.com/sso/jwks/${WORKOS_CLIENT_ID} algorithm=RS256"},
			[]string{"CustomJWT(issuer=https://api.workos.com/, app_id=${WORKOS_CLIENT_ID}) jwks=https://api.workos.com/sso/jwks/${WORKOS_CLIENT_ID} algorithm=RS256"}},
		{"empty applicationID is not unset", []tokencheck.Provider{shared, emptyApp}, false,
			[]string{"CustomJWT(issuer=https://api.workos.com/user_management/${WORKOS_CLIENT_ID}, app_id=) jwks=https://api.workos.com/sso/jwks/${WORKOS_CLIENT_ID} algorithm=RS256"},
			[]string{"CustomJWT(issuer=https://api.workos.com/user_management/${WORKOS_CLIENT_ID}, app_id=none) jwks=https://api.workos.com/sso/jwks/${WORKOS_CLIENT_ID} algorithm=RS256"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := compare(tokencheck.StoredOrder(tt.mine), ours)
			if c.Same != tt.same || !slices.Equal(c.Removed, tt.removed) || !slices.Equal(c.Added, tt.added) {
				t.Errorf("compare = %+v, want same=%v removed=%q added=%q", c, tt.same, tt.removed, tt.added)
			}
		})
	}
}
