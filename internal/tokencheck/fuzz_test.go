package tokencheck

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/jwks"
)

// FuzzDecode checks that decoding and every check that works on a decoded
// token never panic, and that what Decode accepts is consistent: the
// payload is JSON to encoding/json too, and token.decode passes exactly
// when nothing was recorded as broken. token.time and token.claims must
// agree with Convex's rules, restated in checkTimeAgrees and
// checkClaimsAgree, at clocks on both sides of every leeway. Seeds live
// in testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiIsImtpZCI6ImsifQ.eyJpc3MiOiJodHRwczovL3guY29tIiwic3ViIjoidSIsImV4cCI6MX0.c2ln")
	f.Fuzz(func(t *testing.T, raw string) {
		tok, err := Decode(raw)
		if strings.Join(tok.Segments, ".") != raw {
			t.Fatalf("segments do not rebuild the token")
		}
		if err != nil {
			if tok.Claims != nil {
				t.Fatal("claims with a decode error")
			}
			return
		}
		payload, perr := jwks.DecodeBase64URL(tok.Segments[1])
		if perr != nil || !json.Valid(payload) {
			t.Fatalf("accepted a payload encoding/json rejects: %q", payload)
		}
		if (tok.Header == nil) == (tok.HeaderErr == nil) {
			t.Fatalf("header %v with error %v", tok.Header, tok.HeaderErr)
		}
		r, _ := CheckDecode(raw)
		healthy := tok.Claims.HasIss && tok.HeaderErr == nil && tok.SignatureErr == nil
		if (r.Status == StatusPass) != healthy {
			t.Fatalf("token.decode %s for a token with iss %v, header error %v, signature error %v", r.Status, tok.Claims.HasIss, tok.HeaderErr, tok.SignatureErr)
		}
		for _, p := range []Provider{{Type: TypeCustomJWT, Issuer: "https://x.com", Algorithm: "RS256"}, {Type: TypeOIDC, Issuer: "https://x.com", ApplicationID: new(string)}} {
			if !tok.Claims.HasIss {
				// VerifyToken stops before these checks: the token
				// cannot be routed to a provider.
				CheckTime(tok, p, now)
				CheckClaims(tok, p)
				continue
			}
			for _, at := range clocks(tok.Claims) {
				checkTimeAgrees(t, tok, p, at)
			}
			checkClaimsAgree(t, tok, p)
			CheckProviderMatch(tok, []Provider{p})
			CheckAmbiguous(tok, []Provider{p, p}, nil)
		}
		if tok.Claims.HasIss && tok.Claims.HasSub {
			id, err := BuildIdentity(tok, TypeCustomJWT)
			if err != nil || id.TokenIdentifier != tok.Claims.Iss+"|"+tok.Claims.Sub {
				t.Fatalf("identity %+v, %v", id, err)
			}
			if _, err := json.Marshal(id.Map()); err != nil {
				t.Fatalf("identity does not marshal: %v", err)
			}
		}
	})
}

// clocks are the test's now and the clocks at which a time claim of c
// crosses a leeway: where a warning turns into a failure, or a pass into
// a warning.
func clocks(c *Claims) []time.Time {
	out := []time.Time{now}
	for _, nd := range []*NumericDate{c.Exp, c.Nbf, c.Iat} {
		if nd == nil {
			continue
		}
		for _, d := range []int64{-Leeway - 1, -Leeway, -1, 0, 1, Leeway, Leeway + 1} {
			out = append(out, time.Unix(nd.Unix+d, 0))
		}
	}
	return out
}

// Numbers token.time prints, and what each must equal.
var (
	expiredAgo = regexp.MustCompile(`the token expired (\d+) seconds ago`)
	inFuture   = regexp.MustCompile(`the token's (nbf|iat) is (\d+) seconds in the future`)
	expBefore  = regexp.MustCompile(`the token's exp is (\d+) s before its iat`)
	lives      = regexp.MustCompile(`the token lives (\d+) s \(exp - iat\)`)
	expiresIn  = regexp.MustCompile(`^valid now: expires in (\S+) \(([^)]*)\)(?:, lifetime (-?\d+) s)?$`)
)

// checkTimeAgrees holds token.time to Convex's rules as CheckTime's
// documentation states them: it fails exactly when Convex rejects the
// token, with Convex's error in the details; it passes exactly when no
// leeway is needed and convex-js can refresh the token; every warning and
// failure has a hint; and every time span it prints is the claims'.
func checkTimeAgrees(t *testing.T, tok *Token, p Provider, at time.Time) {
	t.Helper()
	c, nowSec := tok.Claims, at.Unix()
	r := CheckTime(tok, p, at)
	fatal := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s token.time at %d (exp %v, nbf %v, iat %v): %s %q hint %q: %s", p.Type, nowSec, c.Exp, c.Nbf, c.Iat, r.Status, r.Message, r.Hint, fmt.Sprintf(format, args...))
	}
	before := func(nd *NumericDate, secs int64) bool { return nd != nil && nd.Unix < secs }
	after := func(nd *NumericDate, secs int64) bool { return nd != nil && nd.Unix > secs }
	var rejects, leeway bool
	if p.Type == TypeOIDC {
		rejects = before(c.Exp, nowSec+1)
	} else {
		rejects = before(c.Exp, nowSec-Leeway) || after(c.Nbf, nowSec+Leeway) || after(c.Iat, nowSec+Leeway)
		leeway = before(c.Exp, nowSec+1) || after(c.Nbf, nowSec) || after(c.Iat, nowSec)
	}
	refreshable := c.Iat != nil && (c.Exp == nil || c.Exp.Unix-c.Iat.Unix > ClientRefreshLeeway)
	want := StatusPass
	switch {
	case rejects:
		want = StatusFail
	case leeway || !refreshable:
		want = StatusWarn
	}
	if r.ID != IDTokenTime || r.Status != want {
		fatal("want %s %s", IDTokenTime, want)
	}
	if _, ok := r.Details["convexError"]; ok != rejects || r.Message == "" || (r.Hint == "") != (r.Status == StatusPass) {
		fatal("convexError %v", r.Details["convexError"])
	}
	if c.Exp != nil && r.Details["expiresInSeconds"] != c.Exp.Unix-nowSec {
		fatal("expiresInSeconds %v", r.Details["expiresInSeconds"])
	}
	if c.Exp != nil && c.Iat != nil && r.Details["lifetimeSeconds"] != c.Exp.Unix-c.Iat.Unix {
		fatal("lifetimeSeconds %v", r.Details["lifetimeSeconds"])
	}
	num := func(s string) int64 {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			fatal("%v", err)
		}
		return n
	}
	for _, m := range expiredAgo.FindAllStringSubmatch(r.Message, -1) {
		if c.Exp == nil || num(m[1]) != nowSec-c.Exp.Unix {
			fatal("%q", m[0])
		}
	}
	for _, m := range inFuture.FindAllStringSubmatch(r.Message, -1) {
		nd := c.Nbf
		if m[1] == "iat" {
			nd = c.Iat
		}
		if nd == nil || num(m[2]) != nd.Unix-nowSec {
			fatal("%q", m[0])
		}
	}
	for _, m := range expBefore.FindAllStringSubmatch(r.Message, -1) {
		if c.Exp == nil || c.Iat == nil || num(m[1]) != c.Iat.Unix-c.Exp.Unix {
			fatal("%q", m[0])
		}
	}
	for _, m := range lives.FindAllStringSubmatch(r.Message, -1) {
		if c.Exp == nil || c.Iat == nil || num(m[1]) != c.Exp.Unix-c.Iat.Unix {
			fatal("%q", m[0])
		}
	}
	if r.Status == StatusPass && c.Exp != nil {
		m := expiresIn.FindStringSubmatch(r.Message)
		switch {
		case m == nil:
			fatal("no expiry in the message")
		case m[1] != Span(c.Exp.Unix-nowSec) || m[2] != time.Unix(c.Exp.Unix, 0).UTC().Format(time.RFC3339):
			fatal("expiry %q, %q", m[1], m[2])
		case (m[3] != "") != (c.Iat != nil) || c.Iat != nil && num(m[3]) != c.Exp.Unix-c.Iat.Unix:
			fatal("lifetime %q", m[3])
		}
	}
}

// checkClaimsAgree holds token.claims to Convex's rules as CheckClaims's
// documentation states them: customJwt needs sub and exp; OIDC needs iat
// too, an iss that is a URL and no audience but the applicationID. A
// failure names what is missing and has Convex's error and a hint; a pass
// has the identity Convex would build.
func checkClaimsAgree(t *testing.T, tok *Token, p Provider) {
	t.Helper()
	c := tok.Claims
	r := CheckClaims(tok, p)
	fatal := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s token.claims of payload %s: %s %q hint %q: %s", p.Type, tok.Segments[1], r.Status, r.Message, r.Hint, fmt.Sprintf(format, args...))
	}
	oidc := p.Type == TypeOIDC
	var missing []string
	for _, m := range []struct {
		name    string
		present bool
	}{{"sub", c.HasSub}, {"exp", c.Exp != nil}, {"iat", !oidc || c.Iat != nil}} {
		if !m.present {
			missing = append(missing, m.name)
		}
	}
	accepts := len(missing) == 0 && (!oidc || strings.Contains(c.Iss, "://") && !slices.ContainsFunc(c.Aud, func(a string) bool { return a != p.appID() }))
	want := StatusFail
	if accepts {
		want = StatusPass
	}
	if r.ID != IDTokenClaims || r.Status != want {
		fatal("want %s %s", IDTokenClaims, want)
	}
	if _, ok := r.Details["convexError"]; ok == accepts || r.Message == "" || (r.Hint == "") != accepts {
		fatal("convexError %v", r.Details["convexError"])
	}
	if len(missing) > 0 && !reflect.DeepEqual(r.Details["missing"], missing) {
		fatal("missing %v, want %v", r.Details["missing"], missing)
	}
	if accepts {
		id, _ := r.Details["identity"].(map[string]any)
		if id["tokenIdentifier"] != c.Iss+"|"+c.Sub || id["subject"] != c.Sub || id["issuer"] != c.Iss {
			fatal("identity %v", id)
		}
	}
}
