package tokencheck

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// CheckDecode is token.decode: whether Convex can read the token at all.
// It fails when the payload cannot be read or has no iss (Convex rejects
// the token before looking at any provider), and when the header or the
// signature part is broken (every provider would then reject it). On
// success it returns the decoded token for the other checks; it returns a
// token whenever the payload could be read, so routing checks can run even
// when the header is broken.
//
// Details: "reason", "parts", "header" (alg, kid, typ), "claims" (iss, sub,
// aud, exp, nbf, iat), "convexError", "convexErrorRedacted".
func CheckDecode(raw string) (Result, *Token) {
	tok, err := Decode(raw)
	d := map[string]any{"parts": len(tok.Segments)}
	if err != nil {
		d["reason"] = err.Error()
		d["convexError"], d["convexErrorRedacted"] = ConvexPayloadError, ConvexPayloadError
		return result(IDTokenDecode, StatusFail, "Convex cannot read the token: "+err.Error(), decodeHint(raw, err.Error()), d), nil
	}
	d["claims"] = claimsDetails(tok.Claims)
	if tok.Header != nil {
		d["header"] = headerDetails(tok.Header)
	}
	if !tok.Claims.HasIss {
		d["convexError"], d["convexErrorRedacted"] = ConvexMissingIssuer, ConvexMissingIssuer
		return result(IDTokenDecode, StatusFail, "the token has no iss claim, so Convex cannot pick a provider",
			"configure the issuer to set iss; for WorkOS, send the AuthKit access token, which always has one", d), tok
	}
	var broken error
	switch {
	case tok.HeaderErr != nil:
		broken = tok.HeaderErr
	case tok.SignatureErr != nil:
		broken = tok.SignatureErr
	}
	if broken != nil {
		d["reason"] = broken.Error()
		d["convexError"], d["convexErrorRedacted"] = convexDecodeError(tok, false), convexDecodeError(tok, true)
		return result(IDTokenDecode, StatusFail, "Convex can route the token but every provider will reject it: "+broken.Error(),
			decodeHint(raw, broken.Error()), d), tok
	}
	msg := fmt.Sprintf("a JWT (alg %s", tok.Header.Alg)
	if tok.Header.HasKid {
		msg += ", kid " + tok.Header.Kid
	}
	msg += ") from " + tok.Claims.Iss
	if tok.Claims.HasSub {
		msg += " for " + tok.Claims.Sub
	}
	return result(IDTokenDecode, StatusPass, msg, "", d), tok
}

func decodeHint(raw, reason string) string {
	switch {
	case len(raw) > 7 && strings.EqualFold(raw[:7], "bearer "):
		return `remove the "Bearer " prefix: give the token alone, as it follows "Authorization: Bearer "`
	case strings.TrimSpace(raw) != raw:
		return "remove the whitespace or line break around the token"
	case !strings.Contains(raw, "."):
		return "send the access token (a JWT: three base64url parts separated by dots), not a refresh token, session ID, code or API key"
	case strings.Contains(reason, "padding"):
		return "JWTs use base64url without '=' padding; fix the code that builds the token"
	}
	return "send the access token exactly as the issuer produced it"
}

func headerDetails(h *Header) map[string]any {
	d := map[string]any{"alg": h.Alg}
	if h.HasKid {
		d["kid"] = h.Kid
	}
	if h.HasTyp {
		d["typ"] = h.Typ
	}
	return d
}

func claimsDetails(c *Claims) map[string]any {
	d := map[string]any{}
	if c.HasIss {
		d["iss"] = c.Iss
	}
	if c.HasSub {
		d["sub"] = c.Sub
	}
	if c.HasAud {
		d["aud"] = c.Aud
	}
	for name, nd := range map[string]*NumericDate{"exp": c.Exp, "nbf": c.Nbf, "iat": c.Iat} {
		if nd != nil {
			d[name] = nd.Unix
		}
	}
	return d
}

// CheckProviderMatch is token.provider-match, Convex's routing rule
// (AuthInfo::matches_token): the first provider whose applicationID, when
// required, is one of the token's aud and whose issuer equals the token's
// normalised iss. When none matches, the message is Convex's dev-format
// NoAuthProvider error and the hint names the closest provider and exactly
// how it differs.
//
// Details: "matched" (indexes), "provider" (index used), "tokenIss",
// "tokenAud", "normalizedIss"; without a match "closest" (index),
// "differences" ([]Difference), "convexError", "convexErrorRedacted".
func CheckProviderMatch(tok *Token, providers []Provider) Result {
	c := tok.Claims
	d := map[string]any{"tokenIss": c.Iss, "tokenAud": c.Aud, "normalizedIss": NormalizeTokenIssuer(c.Iss)}
	matched := MatchingProviders(providers, c.Iss, c.Aud)
	d["matched"] = matched
	if len(matched) > 0 {
		i := matched[0]
		d["provider"] = i
		msg := fmt.Sprintf("matches provider #%d %s", i+1, providers[i])
		if c.Iss != providers[i].Issuer {
			// Only a trailing slash or the https:// prefix can differ here.
			msg += fmt.Sprintf(" (Convex ignores how the token's iss %q differs; tokenIdentifier keeps it as written)", c.Iss)
		}
		return result(IDTokenProviderMatch, StatusPass, msg, "", d)
	}
	d["convexError"], d["convexErrorRedacted"] = NoAuthProviderMessage(providers, false), NoAuthProviderMessage(providers, true)
	if len(providers) == 0 {
		return result(IDTokenProviderMatch, StatusFail, NoAuthProviderMessage(providers, false),
			"add convex/auth.config.ts with a provider for "+c.Iss+" and push it (npx convex dev or npx convex deploy)", d)
	}
	i, diffs := Closest(providers, c.Iss, c.Aud)
	d["closest"], d["differences"] = i, diffs
	parts := make([]string, len(diffs))
	for j, df := range diffs {
		parts[j] = df.Message
	}
	hint := fmt.Sprintf("closest is provider #%d %s%s: %s. %s", i+1, providers[i], listedAs(providers, i), strings.Join(parts, "; "), fixFor(providers[i], diffs))
	return result(IDTokenProviderMatch, StatusFail, NoAuthProviderMessage(providers, false), hint, d)
}

// listedAs says where provider i stands in Convex's message, which lists
// the providers in stored order, when that is not its number: otherwise
// "provider #2" would name the one printed first.
func listedAs(providers []Provider, i int) string {
	j := slices.IndexFunc(StoredOrder(providers), func(p Provider) bool { return compareStored(p, providers[i]) == 0 })
	if j < 0 || j == i {
		return ""
	}
	return fmt.Sprintf(" (%s in the list above, which is in Convex's order)", ordinal(j+1))
}

func ordinal(n int) string {
	switch {
	case n%100 >= 11 && n%100 <= 13:
		return fmt.Sprintf("%dth", n)
	case n%10 == 1:
		return fmt.Sprintf("%dst", n)
	case n%10 == 2:
		return fmt.Sprintf("%dnd", n)
	case n%10 == 3:
		return fmt.Sprintf("%drd", n)
	}
	return fmt.Sprintf("%dth", n)
}

// fixFor suggests the fix for the most telling difference from p.
func fixFor(p Provider, diffs []Difference) string {
	kinds := map[string]bool{}
	for _, d := range diffs {
		kinds[d.Kind] = true
	}
	switch {
	case kinds[DiffEmulator]:
		return "An emulator's tokens name its own URL: only a provider whose issuer and jwks use that URL accepts them, such as `${process.env.WORKOS_BASE_URL}/user_management/${clientId}` with WORKOS_BASE_URL set to the emulator on a deployment that can reach it (a local one: npx convex dev --local); a cloud deployment cannot fetch its JWKS. To check the generated config instead, start the emulator with --play-workos (its tokens then name https://api.workos.com) and run `convex-authkit token verify --emulate`."
	case kinds[DiffCustomDomain]:
		return "With a WorkOS custom auth domain, add providers whose issuer (and jwks) use that domain; note that this changes tokenIdentifier for existing users."
	case kinds[DiffAudMissing] && strings.TrimRight(p.Issuer, "/") == "https://api.workos.com":
		return "WorkOS access tokens carry no aud unless the JWT template adds one: add aud (the client ID) to the JWT template, or use the user_management issuer, whose provider needs no applicationID (Convex refuses an https://api.workos.com provider without one)."
	case kinds[DiffAudMissing]:
		return "WorkOS access tokens carry no aud unless the JWT template adds one: remove applicationID from this provider or add aud to the JWT template."
	case kinds[DiffClientID]:
		return "Check that WORKOS_CLIENT_ID on this Convex deployment is the client ID of the environment that issued the token (dev vs prod), then push again."
	case kinds[DiffWhitespace]:
		return "Remove the stray whitespace (often a trailing newline in an environment variable on the deployment) and push again."
	case kinds[DiffScheme], kinds[DiffSchemeCase], kinds[DiffHostCase], kinds[DiffPort], kinds[DiffPathCase]:
		return "Make the provider's issuer in auth.config.ts exactly equal to the token's iss (Convex compares them as strings) and push again."
	}
	return "Fix the provider's issuer/applicationID, or the token's iss/aud, and check the environment variables on the right deployment; then push again."
}

// CheckAmbiguous is token.ambiguous: Convex verifies a token against the
// first matching provider only, in the order the deployment stored them
// (providers kept from earlier pushes first, then new ones sorted: OIDC
// before customJwt, then by applicationID and issuer), not the order of
// auth.config.ts. When several match and would verify differently, the
// outcome depends on that order. outcomes, when given, maps provider
// indexes to their token.signature results.
//
// Details: "matched", "differ" (the fields that differ), "outcomes"
// (index -> status).
func CheckAmbiguous(tok *Token, providers []Provider, outcomes map[int]Result) Result {
	matched := MatchingProviders(providers, tok.Claims.Iss, tok.Claims.Aud)
	d := map[string]any{"matched": matched}
	switch len(matched) {
	case 0:
		return result(IDTokenAmbiguous, StatusSkip, "no provider matches the token", "", d)
	case 1:
		return result(IDTokenAmbiguous, StatusPass, fmt.Sprintf("only provider #%d matches the token", matched[0]+1), "", d)
	}
	first := providers[matched[0]]
	var differ []string
	for _, i := range matched[1:] {
		p := providers[i]
		for _, f := range []struct {
			name string
			a, b string
		}{{"type", first.Type, p.Type}, {"jwks", first.JWKS, p.JWKS}, {"algorithm", first.Algorithm, p.Algorithm}} {
			if f.a != f.b && !slices.Contains(differ, f.name) {
				differ = append(differ, f.name)
			}
		}
		if first.Type == TypeOIDC && p.Type == TypeOIDC && first.appID() != p.appID() && !slices.Contains(differ, "applicationID") {
			differ = append(differ, "applicationID")
		}
	}
	nums := make([]string, len(matched))
	statuses := map[int]Status{}
	for j, i := range matched {
		nums[j] = fmt.Sprintf("#%d", i+1)
		if r, ok := outcomes[i]; ok {
			statuses[i] = r.Status
			nums[j] += fmt.Sprintf(" (signature %s)", r.Status)
		}
	}
	d["differ"], d["outcomes"] = differ, statuses
	if len(differ) == 0 {
		return result(IDTokenAmbiguous, StatusPass, fmt.Sprintf("providers %s all match the token but verify it the same way, so their order does not matter", strings.Join(nums, ", ")), "", d)
	}
	return result(IDTokenAmbiguous, StatusWarn,
		fmt.Sprintf("providers %s all match the token and differ in %s: Convex uses only the first in the order the deployment stored them, which is not the order of auth.config.ts", strings.Join(nums, ", "), strings.Join(differ, ", ")),
		"give each provider a distinct issuer or applicationID, or remove the duplicate", d)
}

func timeDetail(nd *NumericDate) map[string]any {
	return map[string]any{"unix": nd.Unix, "utc": nd.Time().Format(time.RFC3339)}
}
