// Package convexauth knows what a Convex deployment accepts as an auth
// config: the checks it runs when `npx convex dev` or `npx convex deploy`
// pushes convex/auth.config.ts, and the rule it then uses to pick the
// provider for a token.
//
// The input is the JSON that the file's default export serialises to: the
// backend evaluates auth.config.ts, runs JSON.stringify on the default
// export (so undefined fields disappear), and checks the result in three
// stages, each over every provider in order, stopping at the first error:
//
//  1. common confusions (check_for_common_confusions): applicationID
//     spelling, the type value, domain/issuer mix-ups, and the guard
//     against the WorkOS issuer shared among applications;
//  2. the schema (serde SerializedAuthConfig): required fields, their
//     types, the signature algorithm;
//  3. the issuer URL rules (deserialize_issuer_url).
//
// Check reports every problem rather than the first, ordered so that the
// first one is the error Convex would report. The provider list a
// deployment returns after a push (deploy2 start_push's appAuth) has the
// same shape, so the same functions read it.
//
// Source: get-convex/convex-backend, crates/isolate/src/environment/
// auth_config.rs and crates/common/src/auth.rs, as summarised in
// convex-auth-validation.md §1.1 and §8.
package convexauth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
)

// Kind is a provider type.
type Kind string

// The provider types Convex supports. An entry without "type" is OIDC.
const (
	KindOIDC      Kind = "oidc"
	KindCustomJWT Kind = "customJwt"
)

// Algorithms are the signature algorithms a customJwt provider may name.
var Algorithms = []string{"RS256", "ES256"}

// Provider is one provider as the deployment stores it after a successful
// push.
type Provider struct {
	// Index is the position in the providers list of auth.config.ts.
	Index int  `json:"index"`
	Kind  Kind `json:"type"`
	// ApplicationID, when set, must be one of the token's audiences. It is
	// nil for a customJwt provider without one (null or absent). An empty
	// string counts as set.
	ApplicationID *string `json:"applicationID"`
	// Issuer is the customJwt issuer or the OIDC domain as stored: the text
	// as written, with https:// added when it had no scheme. It is not
	// normalised further, so case, a default port or whitespace stay.
	Issuer string `json:"issuer"`
	// JWKS and Algorithm are set for customJwt providers only.
	JWKS      string `json:"jwks,omitempty"`
	Algorithm string `json:"algorithm,omitempty"`
}

// Rule names one check. Rules are stable: tests, --json output and doctor
// hints may key on them.
type Rule string

// The rules, in the order Convex applies them.
const (
	// RuleMissingExport: the default export is missing, null or undefined.
	RuleMissingExport Rule = "missing-export"
	// RuleApplicationIDSpelling: applicationId or applicationid instead of
	// applicationID.
	RuleApplicationIDSpelling Rule = "applicationid-spelling"
	// RuleUnexpectedType: a string type other than customJwt or oidc.
	RuleUnexpectedType Rule = "unexpected-type"
	// RuleCustomJWTDomain: a customJwt provider with a domain.
	RuleCustomJWTDomain Rule = "customjwt-domain"
	// RuleOIDCIssuer: an OIDC provider (type oidc or none) with an issuer.
	RuleOIDCIssuer Rule = "oidc-issuer"
	// RuleSharedIssuer: the WorkOS issuer https://api.workos.com[/], shared
	// among all WorkOS applications, without an applicationID key.
	RuleSharedIssuer Rule = "shared-issuer-without-applicationid"
	// RuleConfigShape: the export is not an object with a providers array.
	RuleConfigShape Rule = "config-shape"
	// RuleProviderShape: a provider is not an object.
	RuleProviderShape Rule = "provider-shape"
	// RuleMissingField: a required field is absent.
	RuleMissingField Rule = "missing-field"
	// RuleFieldType: a field has the wrong JSON type.
	RuleFieldType Rule = "field-type"
	// RuleAlgorithm: a customJwt algorithm other than RS256 or ES256.
	RuleAlgorithm Rule = "algorithm"
	// RuleIssuerURL: the issuer or domain is not an acceptable URL.
	RuleIssuerURL Rule = "issuer-url"
)

// Convex's error codes, as the push reports them. internal/authjs reports
// the missing export and the schema error with these too, when evaluating
// the file already shows them.
const (
	CodeMissingExport      = "AuthConfigMissingExportError"
	CodeNotMatchingSchema  = "AuthConfigNotMatchingSchemaError"
	CodeInsecure           = "InsecureConfiguration"
	CodeInvalidProviderURL = "InvalidProviderDomainUrl"
)

// Convex's texts, word for word.
const (
	// SeeAuthDocs ends the messages that send the user to the auth docs.
	SeeAuthDocs = "To learn more, see the auth documentation at https://docs.convex.dev/auth."
	// MissingExportMessage is the message of CodeMissingExport.
	MissingExportMessage    = "auth config file is missing default export. " + SeeAuthDocs
	schemaPrefix            = "auth config file must include a list of provider credentials: "
	untaggedMismatchMessage = "data did not match any variant of untagged enum SerializedAuthInfo"
)

// SchemaMessage is the message of CodeNotMatchingSchema: Convex's prefix,
// then serde's message.
func SchemaMessage(serde string) string { return schemaPrefix + serde }

// Problem is one reason Convex would reject the config.
type Problem struct {
	Rule Rule `json:"rule"`
	// Code is Convex's error code, e.g. AuthConfigNotMatchingSchemaError.
	Code string `json:"code"`
	// Index is the provider's position, or -1 for the config as a whole.
	Index int `json:"index"`
	// Field is the key concerned, when there is one.
	Field string `json:"field,omitempty"`
	// Message is the error text of the push. For schema errors Convex
	// passes on serde's message, which for a bad provider does not say what
	// is wrong with it; Detail does.
	Message string `json:"message"`
	Detail  string `json:"detail,omitempty"`
}

func (p Problem) String() string {
	where := "auth config"
	if p.Index >= 0 {
		where = fmt.Sprintf("provider %d", p.Index)
	}
	if p.Field != "" {
		where += " " + p.Field
	}
	s := fmt.Sprintf("%s: %s: %s", where, p.Code, p.Message)
	if p.Detail != "" {
		s += " (" + p.Detail + ")"
	}
	return s
}

// stage orders problems as Convex meets them.
func (p Problem) stage() int {
	switch p.Rule {
	case RuleMissingExport:
		return 0
	case RuleApplicationIDSpelling, RuleUnexpectedType, RuleCustomJWTDomain, RuleOIDCIssuer, RuleSharedIssuer:
		return 1
	case RuleIssuerURL:
		return 3
	}
	return 2
}

// Check applies the push-time checks to config, the JSON of the default
// export of auth.config.ts. It returns the providers as the deployment
// would store them (those that pass) and every problem, the one Convex
// would report first. config that is not JSON is an error of the caller,
// not a problem of the config.
func Check(config []byte) ([]Provider, []Problem, error) {
	config = bytes.TrimSpace(config)
	if len(config) == 0 || string(config) == "null" {
		return nil, []Problem{{
			Rule: RuleMissingExport, Code: CodeMissingExport, Index: -1,
			Message: MissingExportMessage,
		}}, nil
	}
	var root any
	dec := json.NewDecoder(bytes.NewReader(config))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		return nil, nil, fmt.Errorf("auth config is not JSON: %w", err)
	}
	if dec.More() {
		return nil, nil, fmt.Errorf("auth config is not JSON: data after the value")
	}

	c := &checker{}
	obj, ok := root.(map[string]any)
	if !ok {
		c.schema(-1, "", RuleConfigShape, fmt.Sprintf("invalid type: %s, expected struct SerializedAuthConfig", unexpected(root)),
			"the default export must be an object with a providers array")
		return nil, c.sorted(), nil
	}
	rawProviders, present := obj["providers"]
	if !present {
		c.schema(-1, "providers", RuleConfigShape, "missing field `providers`", "the default export has no providers key")
		return nil, c.sorted(), nil
	}
	list, ok := rawProviders.([]any)
	if !ok {
		c.schema(-1, "providers", RuleConfigShape, fmt.Sprintf("invalid type: %s, expected a sequence", unexpected(rawProviders)),
			"providers must be an array")
		return nil, c.sorted(), nil
	}

	confused := map[int]bool{}
	for i, raw := range list {
		if p, ok := raw.(map[string]any); ok {
			confused[i] = c.confusions(i, p)
		}
	}
	var providers []Provider
	for i, raw := range list {
		p, ok := raw.(map[string]any)
		switch {
		case confused[i]:
			// Convex stops before the schema; what the schema would say
			// about a provider of the wrong kind only misleads.
		case !ok:
			c.schema(i, "", RuleProviderShape, untaggedMismatchMessage, fmt.Sprintf("a provider must be an object, found %s", unexpected(raw)))
		default:
			if prov, ok := c.shape(i, p); ok {
				providers = append(providers, prov)
			}
		}
	}
	stored := providers[:0]
	for _, p := range providers {
		issuer, err := IssuerURL(p.Issuer)
		if err != nil {
			field := "issuer"
			if p.Kind == KindOIDC {
				field = "domain"
			}
			c.add(Problem{Rule: RuleIssuerURL, Code: CodeInvalidProviderURL, Index: p.Index, Field: field, Message: err.Error()})
			continue
		}
		p.Issuer = issuer
		stored = append(stored, p)
	}
	return stored, c.sorted(), nil
}

type checker struct {
	problems []Problem
}

func (c *checker) add(p Problem) { c.problems = append(c.problems, p) }

func (c *checker) schema(index int, field string, rule Rule, serdeMessage, detail string) {
	c.add(Problem{Rule: rule, Code: CodeNotMatchingSchema, Index: index, Field: field, Message: SchemaMessage(serdeMessage), Detail: detail})
}

// sorted returns the problems by stage, then provider, keeping the order
// of the checks within one provider.
func (c *checker) sorted() []Problem {
	sort.SliceStable(c.problems, func(i, j int) bool {
		a, b := c.problems[i], c.problems[j]
		if a.stage() != b.stage() {
			return a.stage() < b.stage()
		}
		return a.Index < b.Index
	})
	return c.problems
}

// typeOf is the provider's type as the confusion checks read it: the type
// string, or "unknown" when it is absent or not a string.
func typeOf(p map[string]any) string {
	if s, ok := p["type"].(string); ok {
		return s
	}
	return "unknown"
}

// confusions is check_for_common_confusions for one provider, reporting
// whether it found any. It looks at keys, not values: an applicationID of
// null still counts as present.
func (c *checker) confusions(i int, p map[string]any) bool {
	found := false
	confusion := func(rule Rule, field, msg string) {
		c.add(Problem{Rule: rule, Code: CodeNotMatchingSchema, Index: i, Field: field, Message: SchemaMessage(msg)})
		found = true
	}
	for _, bad := range []string{"applicationId", "applicationid"} {
		if _, ok := p[bad]; ok {
			confusion(RuleApplicationIDSpelling, bad, fmt.Sprintf("Provider at index %d must have applicationID property spelled lowercase 'application', capital I, capital D.", i))
			break
		}
	}
	typ := typeOf(p)
	if typ != string(KindCustomJWT) && typ != string(KindOIDC) && typ != "unknown" {
		confusion(RuleUnexpectedType, "type", fmt.Sprintf("Provider at index %d has unexpected 'type' value '%s'", i, typ))
	}
	if _, ok := p["domain"]; ok && typ == string(KindCustomJWT) {
		confusion(RuleCustomJWTDomain, "domain", fmt.Sprintf("Provider at index %d is a customJwt so cannot have a 'domain' specified", i))
	}
	if _, ok := p["issuer"]; ok && (typ == string(KindOIDC) || typ == "unknown") {
		confusion(RuleOIDCIssuer, "issuer", fmt.Sprintf("Provider at index %d is oidc so cannot have an 'issuer' specified.", i))
	}
	issuer, _ := p["issuer"].(string)
	if _, ok := p["applicationID"]; !ok && (issuer == "https://api.workos.com/" || issuer == "https://api.workos.com") {
		c.add(Problem{
			Rule: RuleSharedIssuer, Code: CodeInsecure, Index: i, Field: "applicationID",
			Message: fmt.Sprintf("This auth configuration appears potentially insecure: Provider at index %d has an issuer that is shared among many applications, so must to specify an ApplicationID to check against an `aud` field of a JWT.", i),
		})
		found = true
	}
	return found
}

// shape is the serde schema for one provider: customJwt when type is
// "customJwt", otherwise OIDC (serde's untagged fallback). Unknown keys
// are allowed. Serde reports any mismatch with one generic message; the
// Detail of each problem says what the mismatch is.
func (c *checker) shape(i int, p map[string]any) (Provider, bool) {
	ok := true
	fail := func(rule Rule, field, detail string) {
		c.schema(i, field, rule, untaggedMismatchMessage, detail)
		ok = false
	}
	str := func(field string, required bool) (string, bool) {
		v, present := p[field]
		if !present {
			if required {
				fail(RuleMissingField, field, fmt.Sprintf("missing field `%s`", field))
			}
			return "", false
		}
		s, isString := v.(string)
		if !isString {
			fail(RuleFieldType, field, fmt.Sprintf("`%s` must be a string, found %s", field, unexpected(v)))
		}
		return s, isString
	}

	if typeOf(p) == string(KindCustomJWT) {
		prov := Provider{Index: i, Kind: KindCustomJWT}
		if v, present := p["applicationID"]; present && v != nil {
			if s, isString := str("applicationID", false); isString {
				prov.ApplicationID = &s
			}
		}
		prov.Issuer, _ = str("issuer", true)
		prov.JWKS, _ = str("jwks", true)
		if alg, isString := str("algorithm", true); isString {
			if !slices.Contains(Algorithms, alg) {
				fail(RuleAlgorithm, "algorithm", fmt.Sprintf("unknown variant `%s`, expected `RS256` or `ES256`", alg))
			}
			prov.Algorithm = alg
		}
		return prov, ok
	}

	prov := Provider{Index: i, Kind: KindOIDC}
	if appID, isString := str("applicationID", true); isString {
		prov.ApplicationID = &appID
	}
	prov.Issuer, _ = str("domain", true)
	return prov, ok
}

// unexpected describes a JSON value the way serde's invalid-type errors do.
func unexpected(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return fmt.Sprintf("boolean `%t`", v)
	case json.Number:
		if _, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return fmt.Sprintf("integer `%s`", v)
		}
		return fmt.Sprintf("floating point `%s`", v)
	case string:
		return fmt.Sprintf("string %q", v)
	case []any:
		return "sequence"
	default:
		return "map"
	}
}
