package tokencheck

import (
	"fmt"
	"strings"
	"time"
)

// Timing constants from convex-backend and convex-js.
const (
	// Leeway is the epsilon Convex gives biscuit's exp/nbf/iat checks for
	// customJwt tokens.
	Leeway = 5
	// ClientRefreshLeeway is convex-js's default authRefreshTokenLeewaySeconds:
	// the client refetches a token this long before it expires.
	ClientRefreshLeeway = 10
)

type finding struct {
	status Status
	msg    string
	hint   string
}

func worst(fs []finding) (Status, finding) {
	st, top := StatusPass, finding{}
	for _, f := range fs {
		if f.status.WorseThan(st) {
			st, top = f.status, f
		}
	}
	return st, top
}

// CheckTime is token.time at now. For customJwt, Convex's clock (truncated
// to seconds) rejects exp more than 5 s ago ("Token expired N seconds
// ago") and nbf or iat more than 5 s ahead ("Token will be valid in N
// seconds"), checked in that order; a missing claim passes. For OIDC, exp
// has no leeway and nbf and iat are not checked. It warns about tokens
// accepted only thanks to the leeway (a WebSocket session ends when now
// reaches exp), about clocks running ahead, and about lifetimes convex-js
// cannot refresh well: no iat, or exp - iat not above its 10 s refresh
// leeway.
//
// Details: "now", "exp", "nbf", "iat" (unix and utc), "leewaySeconds",
// "expiresInSeconds", "lifetimeSeconds", "convexError".
func CheckTime(tok *Token, p Provider, now time.Time) Result {
	c := tok.Claims
	nowSec := now.Unix()
	d := map[string]any{"now": map[string]any{"unix": nowSec, "utc": now.UTC().Format(time.RFC3339)}}
	for name, nd := range map[string]*NumericDate{"exp": c.Exp, "nbf": c.Nbf, "iat": c.Iat} {
		if nd != nil {
			d[name] = timeDetail(nd)
		}
	}
	var fs []finding
	var convexErr string
	reject := func(msg string) {
		if convexErr == "" {
			convexErr = msg
		}
	}
	if p.Type == TypeOIDC {
		d["leewaySeconds"] = 0
		if c.Exp != nil && nowSec >= c.Exp.Unix {
			reject(convexOIDCVerify)
			fs = append(fs, finding{StatusFail, fmt.Sprintf("the token expired %d seconds ago (OIDC providers allow no leeway)", nowSec-c.Exp.Unix), "get a fresh token: the client must refresh before exp"})
		}
	} else {
		d["leewaySeconds"] = Leeway
		if c.Exp != nil {
			switch ago := nowSec - c.Exp.Unix; {
			case ago > Leeway:
				reject(fmt.Sprintf("Could not validate token: Token expired %d seconds ago", ago))
				fs = append(fs, finding{StatusFail, fmt.Sprintf("the token expired %d seconds ago, beyond Convex's %d s leeway", ago, Leeway), "get a fresh token; if the app sends expired tokens, its fetchAccessToken must honour forceRefreshToken"})
			case ago >= 0:
				fs = append(fs, finding{StatusWarn, fmt.Sprintf("the token expired %d seconds ago; Convex still accepts it within its %d s leeway, but a WebSocket session ends at once with \"Convex token identity expired\"", ago, Leeway), "refresh tokens before exp"})
			}
		}
		for _, ahead := range []struct {
			name string
			nd   *NumericDate
		}{{"nbf", c.Nbf}, {"iat", c.Iat}} {
			if ahead.nd == nil {
				continue
			}
			switch in := ahead.nd.Unix - nowSec; {
			case in > Leeway:
				reject(fmt.Sprintf("Could not validate token: Token will be valid in %d seconds", in))
				fs = append(fs, finding{StatusFail, fmt.Sprintf("the token's %s is %d seconds in the future, beyond Convex's %d s leeway", ahead.name, in, Leeway), "the issuer's clock runs ahead of Convex's: fix its clock (or this machine's, if the token is fresh)"})
			case in > 0:
				fs = append(fs, finding{StatusWarn, fmt.Sprintf("the token's %s is %d seconds in the future; Convex accepts up to %d s of clock skew", ahead.name, in, Leeway), "check the issuer's clock"})
			}
		}
	}
	switch {
	case c.Iat == nil:
		fs = append(fs, finding{StatusWarn, "the token has no iat, so convex-js cannot schedule a refresh before it expires", "have the issuer set iat"})
	case c.Exp != nil:
		life := c.Exp.Unix - c.Iat.Unix
		d["lifetimeSeconds"] = life
		if life <= 0 {
			fs = append(fs, finding{StatusWarn, fmt.Sprintf("the token's exp is %d s before its iat", -life), "have the issuer set exp after iat"})
		} else if life <= ClientRefreshLeeway {
			fs = append(fs, finding{StatusWarn, fmt.Sprintf("the token lives %d s (exp - iat), not more than convex-js's %d s refresh leeway, so the client refetches at once, or never when it is 2 s or less", life, ClientRefreshLeeway), "issue tokens that live well over 10 s, or lower authRefreshTokenLeewaySeconds"})
		}
	}
	if c.Exp != nil {
		d["expiresInSeconds"] = c.Exp.Unix - nowSec
	}
	if convexErr != "" {
		d["convexError"] = convexErr
	}
	st, top := worst(fs)
	if st == StatusPass {
		return result(IDTokenTime, StatusPass, timeSummary(c, nowSec), "", d)
	}
	msg := top.msg
	if n := len(fs); n > 1 {
		others := make([]string, 0, n-1)
		for _, f := range fs {
			if f.msg != top.msg {
				others = append(others, f.msg)
			}
		}
		msg += "; also " + strings.Join(others, "; ")
	}
	return result(IDTokenTime, st, msg, top.hint, d)
}

func timeSummary(c *Claims, nowSec int64) string {
	if c.Exp == nil {
		return "the token has no exp (see token.claims)"
	}
	s := fmt.Sprintf("valid now: expires in %s (%s)", Span(c.Exp.Unix-nowSec), c.Exp.Time().Format(time.RFC3339))
	if c.Iat != nil {
		s += fmt.Sprintf(", lifetime %d s", c.Exp.Unix-c.Iat.Unix)
	}
	return s
}

// CheckClaims is token.claims: the claims the provider type requires. For
// customJwt, Convex builds the identity only when sub and exp are present
// ("Could not verify token claim..."). For OIDC, the ID token must have
// sub, exp and iat and an iss that is a URL ("Could not parse as OIDC ID
// token..."), and aud must hold the applicationID and nothing else. On
// success the details hold the identity Convex would build.
//
// Details: "missing", "identity", "convexError".
func CheckClaims(tok *Token, p Provider) Result {
	c := tok.Claims
	var missing []string
	if !c.HasSub {
		missing = append(missing, "sub")
	}
	if c.Exp == nil {
		missing = append(missing, "exp")
	}
	oidc := p.Type == TypeOIDC
	if oidc && c.Iat == nil {
		missing = append(missing, "iat")
	}
	d := map[string]any{}
	if len(missing) > 0 {
		d["missing"] = missing
		d["convexError"] = convexClaimsError
		if oidc {
			d["convexError"] = convexOIDCParseError
		}
		return result(IDTokenClaims, StatusFail, fmt.Sprintf("the token has no %s, which Convex requires", strings.Join(missing, " or ")),
			"configure the issuer to include "+strings.Join(missing, " and "), d)
	}
	if oidc {
		if !strings.Contains(c.Iss, "://") {
			d["convexError"] = convexOIDCParseError
			return result(IDTokenClaims, StatusFail, fmt.Sprintf("the token's iss %q is not a URL, which OIDC requires", c.Iss), "use a customJwt provider for this issuer", d)
		}
		for _, a := range c.Aud {
			if a != p.appID() {
				d["convexError"] = convexOIDCVerify
				return result(IDTokenClaims, StatusFail, fmt.Sprintf("the token's aud %s has %q besides the applicationID; Convex's OIDC verifier trusts no other audience", quoteList(c.Aud), a),
					"use a customJwt provider, which accepts any aud that contains the applicationID", d)
			}
		}
	}
	id, err := BuildIdentity(tok, p.Type)
	if err != nil {
		return result(IDTokenClaims, StatusFail, err.Error(), "", d)
	}
	d["identity"] = id.Map()
	return result(IDTokenClaims, StatusPass, fmt.Sprintf("sub and exp present; tokenIdentifier %q", id.TokenIdentifier), "", d)
}

// Span is a number of seconds for people, in at most two units. It counts
// in seconds, not in a time.Duration, because claims Convex reads reach
// dates a quarter of a million years away, and a Duration stops at 292
// years: a far exp would read as "expires in 106751d23h".
func Span(secs int64) string {
	switch {
	case secs < 0:
		return "-" + Span(-secs)
	case secs < 60:
		return fmt.Sprintf("%ds", secs)
	case secs < 3600:
		return fmt.Sprintf("%dm%02ds", secs/60, secs%60)
	case secs < 48*3600:
		return fmt.Sprintf("%dh%02dm", secs/3600, secs%3600/60)
	}
	return fmt.Sprintf("%dd%02dh", secs/86400, secs%86400/3600)
}
