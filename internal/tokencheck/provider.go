package tokencheck

import (
	"fmt"
	"github.com/convex-authkit/convex-authkit/internal/netpolicy"
	"slices"
	"strings"
)

// Provider types, as auth.config.ts spells them.
const (
	TypeCustomJWT = "customJwt"
	TypeOIDC      = "oidc"
)

// Provider is one auth provider as a deployment stored it. It is kept close
// to convex-backend's AuthInfo so that the provider list a deployment returns
// (or auth.config.ts after the push-time rules) maps onto it field by field.
type Provider struct {
	Type string // TypeCustomJWT or TypeOIDC
	// Issuer is the customJwt issuer or the OIDC domain, as stored: with
	// "https://" added when the config had no scheme, otherwise as written
	// (case, ports and stray whitespace included).
	Issuer string
	// ApplicationID is matched against the token's aud. Nil means unset,
	// which only customJwt allows; an empty string counts as set.
	ApplicationID *string
	JWKS          string // customJwt: the JWKS URL or data: URL
	Algorithm     string // customJwt: "RS256" or "ES256"
	// Stored is the provider's position (from 1) in a deployment's _auth
	// table, read from the deployment; 0 for a provider evaluated here.
	// Convex tries stored providers in that order, which keeps providers
	// surviving from earlier pushes first and so can differ from the order
	// a first push would give.
	Stored int
}

// String renders the provider as Convex lists it in NoAuthProvider errors.
func (p Provider) String() string {
	if p.Type == TypeOIDC {
		return fmt.Sprintf("OIDC(domain=%s, app_id=%s)", p.Issuer, p.appID())
	}
	app := "none"
	if p.ApplicationID != nil {
		app = *p.ApplicationID
	}
	return fmt.Sprintf("CustomJWT(issuer=%s, app_id=%s)", p.Issuer, app)
}

func (p Provider) appID() string {
	if p.ApplicationID == nil {
		return ""
	}
	return *p.ApplicationID
}

// requiresAud reports whether matching checks aud: always for OIDC (whose
// applicationID is mandatory), for customJwt only when applicationID is set.
func (p Provider) requiresAud() bool {
	return p.Type == TypeOIDC || p.ApplicationID != nil
}

// NoAuthProviderMessage is the NoAuthProvider error Convex returns when no
// provider matches: the dev-format list, the "(no providers configured)"
// text for an empty list, or the short text production deployments show.
func NoAuthProviderMessage(providers []Provider, redacted bool) string {
	if redacted {
		return "No auth provider found matching the given token"
	}
	if len(providers) == 0 {
		return "No auth provider found matching the given token (no providers configured). Check convex/auth.config.ts."
	}
	stored := StoredOrder(providers)
	list := make([]string, len(stored))
	for i, p := range stored {
		list[i] = p.String()
	}
	return "No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your configured providers: [" + strings.Join(list, ", ") + "]"
}

// StoredOrder returns the providers in the order a first push stores them,
// which is the order Convex lists and tries them in: the list goes through
// a BTreeSet (exact duplicates dropped) ordered by AuthInfo's derived Ord,
// i.e. OIDC before customJwt, then applicationID (unset first), issuer,
// jwks and algorithm (RS256 before ES256). The order in auth.config.ts
// plays no part. Providers kept from earlier pushes come first on a real
// deployment; a local config cannot know them.
func StoredOrder(providers []Provider) []Provider {
	out := slices.Clone(providers)
	slices.SortStableFunc(out, compareStored)
	return slices.CompactFunc(out, func(a, b Provider) bool { return compareStored(a, b) == 0 })
}

func compareStored(a, b Provider) int {
	if a.Stored > 0 && b.Stored > 0 {
		return a.Stored - b.Stored
	}
	rank := func(p Provider) int {
		if p.Type == TypeOIDC {
			return 0
		}
		return 1
	}
	if c := rank(a) - rank(b); c != 0 {
		return c
	}
	switch {
	case a.ApplicationID == nil && b.ApplicationID != nil:
		return -1
	case a.ApplicationID != nil && b.ApplicationID == nil:
		return 1
	}
	if c := strings.Compare(a.appID(), b.appID()); c != 0 {
		return c
	}
	if c := strings.Compare(a.Issuer, b.Issuer); c != 0 {
		return c
	}
	if c := strings.Compare(a.JWKS, b.JWKS); c != 0 {
		return c
	}
	algRank := func(alg string) int {
		if alg == "RS256" {
			return 0
		}
		return 1
	}
	if c := algRank(a.Algorithm) - algRank(b.Algorithm); c != 0 {
		return c
	}
	return strings.Compare(a.Algorithm, b.Algorithm)
}

// NormalizeTokenIssuer applies Convex's normalisation to a token's iss:
// "https://" is prepended unless it starts with the literal (lower-case)
// "https://" or "http://", then every trailing "/" goes.
func NormalizeTokenIssuer(iss string) string {
	if !hasHTTPScheme(iss) {
		iss = "https://" + iss
	}
	return strings.TrimRight(iss, "/")
}

func hasHTTPScheme(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

// Matches is AuthInfo::matches_token: the applicationID, when required, is
// one of the audiences (exactly), and the issuers are equal after
// NormalizeTokenIssuer on the token side and trailing-slash trimming on the
// provider side. Nothing else is normalised.
func (p Provider) Matches(iss string, aud []string) bool {
	if p.requiresAud() && !slices.Contains(aud, p.appID()) {
		return false
	}
	return NormalizeTokenIssuer(iss) == strings.TrimRight(p.Issuer, "/")
}

// MatchingProviders returns the indexes of every provider that matches, in
// the order Convex tries them (StoredOrder, whatever the order of
// auth.config.ts); Convex uses the first.
func MatchingProviders(providers []Provider, iss string, aud []string) []int {
	var out []int
	for i, p := range providers {
		if p.Matches(iss, aud) {
			out = append(out, i)
		}
	}
	slices.SortStableFunc(out, func(a, b int) int { return compareStored(providers[a], providers[b]) })
	return out
}

// Difference kinds between a token and a provider it does not match. A
// trailing slash is never one: Convex trims slashes on both sides.
const (
	DiffWhitespace   = "whitespace"    // spaces or a newline around an issuer
	DiffSchemeCase   = "scheme-case"   // HTTPS:// in the token: Convex then prepends https://
	DiffScheme       = "http-vs-https" // no scheme upgrade either way
	DiffHostCase     = "host-case"     // host names compared case-sensitively
	DiffPort         = "port"          // an explicit port, even :443, must match
	DiffPathCase     = "path-case"     // paths compared case-sensitively
	DiffClientID     = "client-id"     // another client ID in the issuer path or aud
	DiffCustomDomain = "custom-domain" // a WorkOS custom auth domain on one side
	DiffEmulator     = "emulator"      // a token from a WorkOS emulator on this machine
	DiffHost         = "host"          // a different host
	DiffPath         = "path"          // a different path
	DiffAudMissing   = "aud-missing"   // applicationID set, token has no aud
	DiffAudWrong     = "aud-wrong"     // applicationID not among the token's aud
)

// Difference is one reason a provider does not match a token.
type Difference struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

var diffWeight = map[string]int{
	DiffWhitespace: 1, DiffSchemeCase: 1, DiffScheme: 1, DiffHostCase: 1, DiffPort: 1,
	DiffPathCase: 1, DiffClientID: 2, DiffAudMissing: 2, DiffAudWrong: 2,
	DiffCustomDomain: 3, DiffEmulator: 3, DiffPath: 4, DiffHost: 6,
}

// Compare lists why p does not match a token with this iss and aud, most
// specific first; it is empty when p matches.
func (p Provider) Compare(iss string, aud []string) []Difference {
	if p.Matches(iss, aud) {
		return nil
	}
	diffs := issuerDiffs(iss, p.Issuer)
	if p.requiresAud() && !slices.Contains(aud, p.appID()) {
		diffs = append(diffs, audDiff(aud, p.appID()))
	}
	return diffs
}

// Closest returns the provider nearest to matching (the lowest total weight
// of differences, the first on a tie) and its differences, or -1 when there
// are no providers.
func Closest(providers []Provider, iss string, aud []string) (int, []Difference) {
	best, bestScore := -1, 0
	var bestDiffs []Difference
	for i, p := range providers {
		diffs := p.Compare(iss, aud)
		score := 0
		for _, d := range diffs {
			score += diffWeight[d.Kind]
		}
		if best < 0 || score < bestScore {
			best, bestScore, bestDiffs = i, score, diffs
		}
	}
	return best, bestDiffs
}

func audDiff(aud []string, want string) Difference {
	if len(aud) == 0 {
		return Difference{DiffAudMissing, fmt.Sprintf("the provider's applicationID is %q, so the token's aud must contain it, but the token has no aud", want)}
	}
	for _, a := range aud {
		if strings.EqualFold(a, want) {
			return Difference{DiffAudWrong, fmt.Sprintf("the token's aud has %q, the provider's applicationID is %q (aud is compared case-sensitively)", a, want)}
		}
	}
	if isClientID(want) {
		for _, a := range aud {
			if isClientID(a) {
				return Difference{DiffClientID, fmt.Sprintf("the token's aud is client ID %q, the provider's applicationID is %q: a token from another WorkOS environment or application", a, want)}
			}
		}
	}
	return Difference{DiffAudWrong, fmt.Sprintf("the token's aud %s does not contain the provider's applicationID %q", quoteList(aud), want)}
}

func isClientID(s string) bool { return strings.HasPrefix(s, "client_") }

func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// issuerDiffs explains why the normalised token iss differs from a provider
// issuer, peeling off one kind of difference at a time so that each is
// named exactly once.
func issuerDiffs(tokIss, provIss string) []Difference {
	var diffs []Difference
	t, p := tokIss, provIss
	if ts, ps := strings.TrimSpace(t), strings.TrimSpace(p); ts != t || ps != p {
		side, val := "the provider's issuer", p
		if ts != t {
			side, val = "the token's iss", t
		}
		diffs = append(diffs, Difference{DiffWhitespace, fmt.Sprintf("%s %q has leading or trailing whitespace (often a newline in an environment variable); nothing is trimmed", side, val)})
		t, p = ts, ps
	}
	if !hasHTTPScheme(t) {
		if low := strings.ToLower(t); hasHTTPScheme(low) {
			n := strings.Index(t, "://") + 3
			diffs = append(diffs, Difference{DiffSchemeCase, fmt.Sprintf("the token's iss starts with %q; Convex only recognises a lower-case scheme, so it reads %q", t[:n], "https://"+t)})
			t = low[:n] + t[n:]
		}
	}
	tn, pn := NormalizeTokenIssuer(t), strings.TrimRight(p, "/")
	if tn == pn {
		return diffs
	}
	ts, tRest := splitScheme(tn)
	ps, pRest := splitScheme(pn)
	if ts != ps {
		if strings.EqualFold(ts, ps) {
			diffs = append(diffs, Difference{DiffSchemeCase, fmt.Sprintf("the schemes differ in case: token %q, provider %q", ts, ps)})
		} else {
			diffs = append(diffs, Difference{DiffScheme, fmt.Sprintf("the token's iss uses %s://, the provider's issuer %s:// (no scheme is upgraded)", ts, orNone(ps))})
		}
	}
	tAuth, tPath := splitPath(tRest)
	pAuth, pPath := splitPath(pRest)
	tHost, tPort := splitPort(tAuth)
	pHost, pPort := splitPort(pAuth)
	if tPort != pPort {
		diffs = append(diffs, Difference{DiffPort, fmt.Sprintf("the token's iss has port %s, the provider's issuer %s (an explicit port, even the default one, must match)", portText(tPort), portText(pPort))})
	}
	if tHost != pHost {
		switch {
		case strings.EqualFold(tHost, pHost):
			diffs = append(diffs, Difference{DiffHostCase, fmt.Sprintf("the hosts differ in case: token %q, provider %q (compared case-sensitively)", tHost, pHost)})
		case netpolicy.IsLocalHost(tHost) && strings.HasPrefix(tPath, "/user_management/"):
			diffs = append(diffs, Difference{DiffEmulator, fmt.Sprintf("the token comes from a WorkOS emulator on this machine (%s), the provider expects %s", tAuth, pHost)})
		case isWorkOSHost(pHost) || isWorkOSHost(tHost):
			diffs = append(diffs, Difference{DiffCustomDomain, fmt.Sprintf("the token comes from %s, the provider expects %s: a WorkOS custom auth domain on one side", tHost, pHost)})
		default:
			diffs = append(diffs, Difference{DiffHost, fmt.Sprintf("the token comes from host %s, the provider expects %s", tHost, pHost)})
		}
	}
	if tPath != pPath {
		switch {
		case strings.EqualFold(tPath, pPath):
			diffs = append(diffs, Difference{DiffPathCase, fmt.Sprintf("the paths differ in case: token %q, provider %q (compared case-sensitively)", tPath, pPath)})
		case clientIDPathDiff(tPath, pPath):
			diffs = append(diffs, Difference{DiffClientID, fmt.Sprintf("the issuers name different client IDs: token %q, provider %q", tPath, pPath)})
		default:
			diffs = append(diffs, Difference{DiffPath, fmt.Sprintf("the token's iss has path %q, the provider's issuer %q", orEmpty(tPath), orEmpty(pPath))})
		}
	}
	return diffs
}

func splitScheme(s string) (scheme, rest string) {
	if i := strings.Index(s, "://"); i >= 0 {
		return s[:i], s[i+3:]
	}
	return "", s
}

func splitPath(s string) (authority, path string) {
	if i := strings.IndexByte(s, '/'); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

func splitPort(authority string) (host, port string) {
	if i := strings.LastIndexByte(authority, ':'); i >= 0 && !strings.Contains(authority[i:], "]") {
		return authority[:i], authority[i+1:]
	}
	return authority, ""
}

func portText(p string) string {
	if p == "" {
		return "none"
	}
	return ":" + p
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func orEmpty(s string) string {
	if s == "" {
		return "/"
	}
	return s
}

func isWorkOSHost(h string) bool { return strings.EqualFold(h, "api.workos.com") }

// clientIDPathDiff reports paths of the same shape that differ only in
// segments that are both client IDs, as in /user_management/client_A.
func clientIDPathDiff(a, b string) bool {
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	if len(as) != len(bs) {
		return false
	}
	differ := false
	for i := range as {
		if as[i] == bs[i] {
			continue
		}
		if !isClientID(as[i]) || !isClientID(bs[i]) {
			return false
		}
		differ = true
	}
	return differ
}
