package deployment

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
)

// Change is one variable to set (Value non-nil) or delete (Value nil).
type Change struct {
	Name  string  `json:"name"`
	Value *string `json:"value"`
}

// Set and Delete build Changes.
func Set(name, value string) Change { return Change{Name: name, Value: &value} }
func Delete(name string) Change     { return Change{Name: name} }

// envName is Convex's rule for a variable name: a letter or '_', then
// letters, digits and '_', at most 40 characters.
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,39}$`)

// ValidateChanges refuses, before anything is sent, a batch Convex would
// refuse: a bad name, or a name twice (which would make the result depend on
// the order the server applies them in). The error is a *UsageError naming
// the variable; values are never quoted.
func ValidateChanges(changes []Change) error {
	seen := map[string]bool{}
	for _, c := range changes {
		if !envName.MatchString(c.Name) {
			shown := c.Name
			if len(shown) > 60 {
				shown = shown[:60] + "…"
			}
			return &UsageError{Var: fmt.Sprintf("%q", shown), Msg: "is not a name Convex accepts for an environment variable: it must start with a letter or '_', contain only letters, digits and '_', and have at most 40 characters",
				Hint: "rename the variable; nothing was sent to the deployment"}
		}
		if seen[c.Name] {
			return &UsageError{Var: c.Name, Msg: "appears twice in one update", Hint: "give each variable once; nothing was sent to the deployment"}
		}
		seen[c.Name] = true
	}
	return nil
}

// Provider is one auth provider a deployment holds, as its last push stored
// it (the values after process.env substitution).
type Provider struct {
	Type          string  `json:"type"`          // "oidc" or "customJwt"
	ApplicationID *string `json:"applicationID"` // nil: a customJwt provider with no audience check
	Domain        string  `json:"domain,omitempty"`
	Issuer        string  `json:"issuer,omitempty"`
	JWKS          string  `json:"jwks,omitempty"`
	Algorithm     string  `json:"algorithm,omitempty"`
}

const (
	ProviderOIDC      = "oidc"
	ProviderCustomJWT = "customJwt"
)

// DecodeProviders reads the value of _system/frontend/listAuthProviders: a
// list of OIDC documents ({applicationID, domain}, with no type or type
// "oidc") and customJwt documents ({type, applicationID|null, issuer, jwks,
// algorithm}). A document of another type, or missing what its type needs,
// is an error: reading it as something else would give a wrong diagnosis.
func DecodeProviders(value []byte) ([]Provider, error) {
	var docs []map[string]json.RawMessage
	if err := json.Unmarshal(value, &docs); err != nil {
		return nil, fmt.Errorf("the stored providers are not a list of objects: %w", err)
	}
	out := make([]Provider, 0, len(docs))
	for i, d := range docs {
		p, err := decodeProvider(d)
		if err != nil {
			return nil, fmt.Errorf("stored provider %d: %w", i+1, err)
		}
		out = append(out, p)
	}
	return out, nil
}

func decodeProvider(d map[string]json.RawMessage) (Provider, error) {
	str := func(field string, required bool) (string, error) {
		raw, ok := d[field]
		if !ok || string(raw) == "null" {
			if required {
				return "", fmt.Errorf("%s is missing", field)
			}
			return "", nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("%s is not a string", field)
		}
		return s, nil
	}
	typ, err := str("type", false)
	if err != nil {
		return Provider{}, err
	}
	p := Provider{Type: ProviderOIDC}
	appID, err := str("applicationID", false)
	if err != nil {
		return Provider{}, err
	}
	if raw, ok := d["applicationID"]; ok && string(raw) != "null" {
		p.ApplicationID = &appID
	}
	switch typ {
	case "", ProviderOIDC:
		if p.ApplicationID == nil {
			return Provider{}, errors.New("an OIDC provider has no applicationID")
		}
		if p.Domain, err = str("domain", true); err != nil {
			return Provider{}, err
		}
	case ProviderCustomJWT:
		p.Type = ProviderCustomJWT
		for _, f := range []struct {
			name string
			dst  *string
		}{{"issuer", &p.Issuer}, {"jwks", &p.JWKS}, {"algorithm", &p.Algorithm}} {
			if *f.dst, err = str(f.name, true); err != nil {
				return Provider{}, err
			}
		}
	default:
		return Provider{}, fmt.Errorf("unknown provider type %q", truncate(typ, 40))
	}
	return p, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// functionAnswer is the body of POST /api/function.
type functionAnswer struct {
	Status       string          `json:"status"`
	Value        json.RawMessage `json:"value"`
	ErrorMessage string          `json:"errorMessage"`
}
