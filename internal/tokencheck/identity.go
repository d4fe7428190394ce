package tokencheck

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/jsonpos"
)

// Identity is what ctx.auth.getUserIdentity() returns for a token
// (convex-backend keybroker UserIdentity).
type Identity struct {
	// TokenIdentifier is the raw iss, "|", and sub: not normalised, so a
	// token whose iss gains or loses a trailing slash, or moves to a custom
	// domain, belongs to a different identity.
	TokenIdentifier string
	Subject         string
	Issuer          string
	// Fields are the other fields of the identity. For customJwt, every
	// claim except iss, sub, aud, exp, nbf, iat, jti and fva under its raw
	// name, nested objects flattened into dotted keys ("act.sub"). For
	// OIDC, standard claims under Convex's names (picture -> pictureUrl)
	// and other claims as they are.
	Fields map[string]any
}

// Map is the identity as one object, as getUserIdentity returns it.
func (id Identity) Map() map[string]any {
	m := make(map[string]any, len(id.Fields)+3)
	for k, v := range id.Fields {
		m[k] = v
	}
	m["tokenIdentifier"], m["subject"], m["issuer"] = id.TokenIdentifier, id.Subject, id.Issuer
	return m
}

// registeredClaims are consumed by biscuit's RegisteredClaims and never
// reach a customJwt identity.
var registeredClaims = map[string]bool{"iss": true, "sub": true, "aud": true, "exp": true, "nbf": true, "iat": true, "jti": true}

// BuildIdentity builds the identity Convex would give a token verified by a
// provider of type providerType. It needs iss and sub.
func BuildIdentity(tok *Token, providerType string) (Identity, error) {
	c := tok.Claims
	if c == nil || !c.HasIss || !c.HasSub {
		return Identity{}, fmt.Errorf("an identity needs iss and sub")
	}
	id := Identity{TokenIdentifier: c.Iss + "|" + c.Sub, Subject: c.Sub, Issuer: c.Iss, Fields: map[string]any{}}
	if providerType == TypeOIDC {
		oidcFields(c.Payload, id.Fields)
		return id, nil
	}
	for _, m := range c.Payload.Members {
		// fva (factor verification age) is dropped since convex-backend
		// ab2603073 (2026-06-29): it changes over time.
		if registeredClaims[m.Key] || m.Key == "fva" {
			continue
		}
		flatten(id.Fields, m.Key, m.Value)
	}
	return id, nil
}

// flatten is extract_custom_jwt_claims: objects become dotted keys, at any
// depth; everything else is kept as JSON. A later duplicate key wins, as in
// serde_json's Map.
func flatten(out map[string]any, key string, v *jsonpos.Value) {
	if v.Kind != jsonpos.Object {
		out[key] = jsonValue(v)
		return
	}
	for _, m := range v.Members {
		flatten(out, key+"."+m.Key, m.Value)
	}
}

// oidcClaimNames maps OIDC standard claims to the identity's field names.
var oidcClaimNames = map[string]string{
	"name": "name", "given_name": "givenName", "family_name": "familyName", "nickname": "nickname",
	"preferred_username": "preferredUsername", "profile": "profileUrl", "picture": "pictureUrl",
	"website": "websiteUrl", "email": "email", "email_verified": "emailVerified", "gender": "gender",
	"birthdate": "birthday", "zoneinfo": "timezone", "locale": "language", "phone_number": "phoneNumber",
	"phone_number_verified": "phoneNumberVerified",
}

// oidcConsumed are ID-token claims the OIDC library consumes, plus the
// claims Convex drops (jti, nbf, fva). That aud, iat, azp and the like stay
// out of the identity is inferred from serde's flatten, not tested.
var oidcConsumed = map[string]bool{
	"iss": true, "sub": true, "aud": true, "exp": true, "iat": true, "auth_time": true, "nonce": true,
	"acr": true, "amr": true, "azp": true, "at_hash": true, "c_hash": true, "sub_jwk": true,
	"jti": true, "nbf": true, "fva": true,
}

func oidcFields(payload *jsonpos.Value, out map[string]any) {
	for _, m := range payload.Members {
		switch {
		case oidcConsumed[m.Key]:
		case oidcClaimNames[m.Key] != "":
			out[oidcClaimNames[m.Key]] = jsonValue(m.Value)
		case m.Key == "address":
			if f, ok := m.Value.Lookup("formatted"); ok && f.Value.Kind == jsonpos.String {
				out["address"] = f.Value.Str
			}
		case m.Key == "updated_at":
			if m.Value.Kind == jsonpos.Number {
				if nd, err := numericDate(m.Value); err == nil {
					out["updatedAt"] = nd.Time().Format(time.RFC3339)
				}
			}
		default:
			out[m.Key] = jsonValue(m.Value)
		}
	}
}

// jsonValue converts a parsed value for encoding/json, keeping number
// literals as written.
func jsonValue(v *jsonpos.Value) any {
	switch v.Kind {
	case jsonpos.Bool:
		return v.Bool
	case jsonpos.Number:
		return json.Number(v.Number)
	case jsonpos.String:
		return v.Str
	case jsonpos.Array:
		out := make([]any, len(v.Elems))
		for i, e := range v.Elems {
			out[i] = jsonValue(e)
		}
		return out
	case jsonpos.Object:
		out := make(map[string]any, len(v.Members))
		for _, m := range v.Members {
			out[m.Key] = jsonValue(m.Value)
		}
		return out
	}
	return nil
}
