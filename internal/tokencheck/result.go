// Package tokencheck reproduces what a Convex deployment does with an auth
// token (convex-backend crates/authentication: validate_id_token and
// fetch_jwks; biscuit and ring underneath) and explains every cause of a
// rejection separately, where Convex often prints one message for several.
//
// Each check is a function returning a Result with a stable ID. VerifyToken
// runs the token checks in Convex's order; CheckJWKS and CheckAllJWKS run the
// JWKS checks for the URLs of customJwt providers.
package tokencheck

import "strings"

// Status is the outcome of one check.
type Status string

// Statuses, from best to worst: skip means the check does not apply (or an
// earlier failure makes it meaningless), error means it could not run.
const (
	StatusPass  Status = "pass"
	StatusSkip  Status = "skip"
	StatusWarn  Status = "warn"
	StatusFail  Status = "fail"
	StatusError Status = "error"
)

// Check IDs.
const (
	IDJWKSFetch          = "jwks.fetch"
	IDJWKSContentType    = "jwks.content-type"
	IDJWKSParse          = "jwks.parse"
	IDJWKSKeys           = "jwks.keys"
	IDTokenDecode        = "token.decode"
	IDTokenProviderMatch = "token.provider-match"
	IDTokenAmbiguous     = "token.ambiguous"
	IDTokenSignature     = "token.signature"
	IDTokenTime          = "token.time"
	IDTokenClaims        = "token.claims"
)

// Result is the outcome of one check. Details hold machine-readable facts
// with fixed keys per check (documented on each check function); the
// Convex error a deployment would return, when there is one, is under
// "convexError" (dev deployments) and "convexErrorRedacted" (production).
type Result struct {
	ID      string         `json:"id"`
	Status  Status         `json:"status"`
	Message string         `json:"message"`
	Hint    string         `json:"hint,omitempty"`
	Details map[string]any `json:"details,omitempty"`
}

// Group is the part of the ID before the dot: "jwks" or "token".
func (r Result) Group() string {
	g, _, _ := strings.Cut(r.ID, ".")
	return g
}

func result(id string, st Status, msg, hint string, details map[string]any) Result {
	return Result{ID: id, Status: st, Message: msg, Hint: hint, Details: details}
}

func skip(id, why string) Result {
	return Result{ID: id, Status: StatusSkip, Message: why}
}

// rank orders statuses by severity for combining findings.
func rank(s Status) int {
	switch s {
	case StatusSkip:
		return 1
	case StatusWarn:
		return 2
	case StatusFail:
		return 3
	case StatusError:
		return 4
	}
	return 0
}

// WorseThan reports whether s is more severe than o.
func (s Status) WorseThan(o Status) bool { return rank(s) > rank(o) }
