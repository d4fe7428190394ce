package tokencheck

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/convex-authkit/convex-authkit/internal/jwks"
)

// Convex's messages for JWKS it cannot use (fetch_jwks).
func convexFetchError(url string, err error) string {
	return fmt.Sprintf("Could not fetch JWKS from URL '%s': %v. Check that the URL is correct and accessible.", url, err)
}

func convexStatusError(url string, resp *jwks.Response) string {
	return fmt.Sprintf("Could not fetch JWKS from URL '%s': HTTP %d %s. Check that the URL is correct and accessible.", url, resp.Status, resp.StatusText)
}

const convexDataURLError = "Invalid JWKS data URL. Check that the data URL is properly formatted and contains valid base64-encoded JSON."

// CheckJWKSFetch is jwks.fetch: the response must be HTTP 200 after
// redirects (followed as Convex does, up to 10) and within the size cap;
// a data: URL must decode. A timeout or cancellation is an error (the check
// could not run), not a failure.
//
// Details: "url", "finalURL", "redirects", "status", "bytes", "elapsedMs",
// "cacheControl" (how long a deployment may keep this JWKS), "dataURL",
// "kind" (of a FetchError), "convexError".
func CheckJWKSFetch(url string, resp *jwks.Response, err error) Result {
	d := map[string]any{"url": url}
	if err != nil {
		var fe *jwks.FetchError
		kind := jwks.ErrKindTransport
		if errors.As(err, &fe) {
			kind = fe.Kind
		}
		d["kind"] = kind
		switch kind {
		case jwks.ErrKindCanceled:
			return result(IDJWKSFetch, StatusError, fmt.Sprintf("could not fetch %s: %v", url, err),
				"the run stopped before the JWKS server answered: check that server, or allow more time (doctor's --timeout)", d)
		case jwks.ErrKindTimeout:
			return result(IDJWKSFetch, StatusError, fmt.Sprintf("could not fetch %s: %v", url, err),
				"check the network; Convex itself sets no timeout, but a JWKS server this slow will also slow every authentication", d)
		case jwks.ErrKindDataURL:
			d["dataURL"], d["convexError"] = true, convexDataURLError
			return result(IDJWKSFetch, StatusFail, "the jwks data: URL does not decode: "+err.Error(), "rebuild it as data:application/json;base64,<base64 of the JWKS JSON>", d)
		case jwks.ErrKindURL:
			d["convexError"] = convexFetchError(url, err)
			return result(IDJWKSFetch, StatusFail, err.Error(), "the provider's jwks must be an https:// URL (or a data: URL)", d)
		}
		d["convexError"] = convexFetchError(url, err)
		return result(IDJWKSFetch, StatusFail, fmt.Sprintf("could not fetch %s: %v", url, err),
			"check the host name and TLS; hosted Convex deployments also refuse JWKS URLs on private or local addresses (\"Request to ... forbidden\")", d)
	}
	d["dataURL"], d["status"], d["bytes"] = resp.DataURL, resp.Status, len(resp.Body)
	if !resp.DataURL {
		d["finalURL"], d["redirects"], d["elapsedMs"] = resp.FinalURL, len(resp.Redirects), resp.Elapsed.Milliseconds()
		if resp.CacheControl != "" {
			d["cacheControl"] = resp.CacheControl
		}
	}
	if resp.Status != 200 {
		d["convexError"] = convexStatusError(url, resp)
		return result(IDJWKSFetch, StatusFail, convexStatusError(url, resp), statusHint(resp.Status), d)
	}
	if resp.TooLarge {
		return result(IDJWKSFetch, StatusFail, fmt.Sprintf("the response from %s is larger than %d bytes; a JWKS is a few kilobytes", url, len(resp.Body)),
			"check that the URL points at the JWKS itself", d)
	}
	if resp.DataURL {
		return result(IDJWKSFetch, StatusPass, fmt.Sprintf("inline data: URL (%d bytes)", len(resp.Body)), "", d)
	}
	msg := fmt.Sprintf("HTTP 200 from %s (%d bytes)", url, len(resp.Body))
	if n := len(resp.Redirects); n > 0 {
		msg += fmt.Sprintf(" after %d redirect(s) to %s", n, resp.FinalURL)
	}
	return result(IDJWKSFetch, StatusPass, msg, "", d)
}

func statusHint(code int) string {
	switch {
	case code == 404:
		return "the path or client ID is wrong; for WorkOS the JWKS is https://api.workos.com/sso/jwks/<client_id> for the client ID of the same environment"
	case code == 401 || code == 403:
		return "a JWKS must be public: Convex sends no credentials"
	case code >= 500:
		return "the JWKS server failed; try again, and check the issuer's status"
	case code >= 300 && code < 400:
		return "a redirect without a usable Location: point the provider at the final URL"
	}
	return "point the provider's jwks at a URL that answers 200 with the JWKS"
}

// CheckJWKSContentType is jwks.content-type, exactly Convex's rule (see
// jwks.CheckContentType). It is skipped for data: URLs, whose media type
// Convex ignores, and when there was no 200 response.
//
// Details: "contentType", "essence", "charset", "problem", "convexError".
func CheckJWKSContentType(url string, resp *jwks.Response) Result {
	switch {
	case resp == nil || resp.Status != 200:
		return skip(IDJWKSContentType, "no 200 response to check")
	case resp.DataURL:
		return skip(IDJWKSContentType, "a data: URL: Convex ignores its media type")
	}
	ct := jwks.CheckContentType(resp.ContentTypes)
	d := map[string]any{"contentType": ct.Shown, "essence": ct.Essence}
	if ct.HasCharset {
		d["charset"] = ct.Charset
	}
	if ct.OK {
		msg := fmt.Sprintf("Content-Type %q is accepted", ct.Shown)
		if ct.Essence == "application/jwk-set+json" {
			msg += " (by Convex backends from 2025-05-16 on)"
		}
		return result(IDJWKSContentType, StatusPass, msg, "", d)
	}
	d["problem"] = ct.Problem
	d["convexError"] = jwks.ContentTypeMessage(ct.Shown, url)
	return result(IDJWKSContentType, StatusFail, jwks.ContentTypeMessage(ct.Shown, url), contentTypeHint(ct), d)
}

func contentTypeHint(ct jwks.ContentType) string {
	const inline = "; or inline the JWKS in auth.config.ts as a data:application/json;base64,... URL"
	switch ct.Problem {
	case jwks.CTMissing:
		return "the server sends no Content-Type: serve the JWKS as application/json" + inline
	case jwks.CTNotASCII:
		return "the Content-Type header has bytes outside visible ASCII, which Convex cannot read" + inline
	case jwks.CTUnparsable:
		return fmt.Sprintf("Convex's media-type parser rejects this header (%s); write it as application/json or application/json; charset=utf-8", ct.ParseError)
	case jwks.CTCharset:
		return fmt.Sprintf("only a utf-8 charset is accepted, not %q: send application/json without a charset or with charset=utf-8", ct.Charset)
	}
	if ct.Essence == "text/html" {
		return "the URL returns a web page, not a JWKS: check the host and path (a login or error page served with 200, or a misconfigured custom domain)"
	}
	return "serve the JWKS as application/json or application/jwk-set+json" + inline
}

// CheckJWKSParse is jwks.parse: the body must parse as strictly as Convex
// parses it (see jwks.Parse): one key Convex's library cannot represent
// breaks the whole set. It runs on any complete 200 body, even when the
// Content-Type is refused, so that both problems show at once.
//
// Details: "keys" (count), "index", "kid", "reason", "convexError".
func CheckJWKSParse(url string, resp *jwks.Response) (Result, *jwks.Set) {
	if resp == nil || resp.Status != 200 || resp.TooLarge {
		return skip(IDJWKSParse, "no complete 200 response to parse"), nil
	}
	set, err := jwks.Parse(resp.Body)
	if err != nil {
		var pe *jwks.ParseError
		errors.As(err, &pe)
		d := map[string]any{"reason": pe.Reason, "convexError": jwks.InvalidBodyMessage(url)}
		if pe.Index >= 0 {
			d["index"] = pe.Index
			if pe.Kid != "" {
				d["kid"] = pe.Kid
			}
		}
		hint := "serve a JWKS holding only keys Convex can read (RSA or EC P-256 with alg RS256/ES256), or inline the usable keys as a data: URL"
		if pe.HTML {
			hint = "the URL returns a web page, not a JWKS: check the host and path"
		}
		return result(IDJWKSParse, StatusFail, "Convex cannot parse the JWKS: "+pe.Error(), hint, d), nil
	}
	return result(IDJWKSParse, StatusPass, fmt.Sprintf("a JWKS with %d key(s)", len(set.Keys)), "", map[string]any{"keys": len(set.Keys)}), set
}

// CheckJWKSKeys is jwks.keys: whether the set can verify tokens for the
// algorithms of the providers using it. It fails when no key with a kid
// suits an algorithm; it warns about keys without a kid (never selected),
// keys unusable for every algorithm (too small, wrong type, encryption
// keys), repeated kids (the first wins), and private key material.
//
// Details: "keys" ([]{index, kid, kty, alg, bits, crv, problems}),
// "usable" (algorithm -> kids).
func CheckJWKSKeys(set *jwks.Set, algorithms []string) Result {
	if set == nil {
		return skip(IDJWKSKeys, "no parsed JWKS")
	}
	algorithms = distinct(algorithms)
	usable := map[string][]string{}
	var keys []map[string]any
	var warns []string
	seen := map[string]int{}
	for i := range set.Keys {
		k := &set.Keys[i]
		info := map[string]any{"index": k.Index, "kty": k.Kty}
		if k.HasKid {
			info["kid"] = k.Kid
		}
		if k.Alg != "" {
			info["alg"] = k.Alg
		}
		if k.Crv != "" {
			info["crv"] = k.Crv
		}
		if b := k.Bits(); b > 0 {
			info["bits"] = b
		}
		problems := map[string]string{}
		var reasons []string
		for _, alg := range algorithms {
			if p := k.ProblemFor(alg); p != nil {
				problems[alg] = p.Code
				reasons = append(reasons, p.Message)
			} else if k.HasKid {
				usable[alg] = append(usable[alg], k.Kid)
			}
		}
		info["problems"] = problems
		keys = append(keys, info)
		name := fmt.Sprintf("keys[%d]", k.Index)
		if k.HasKid {
			name += fmt.Sprintf(" (kid %q)", k.Kid)
		}
		switch {
		case !k.HasKid:
			warns = append(warns, name+" has no kid, so Convex never selects it")
		case len(problems) == len(algorithms) && len(algorithms) > 0:
			warns = append(warns, name+" cannot be used: "+strings.Join(reasons, "; "))
		}
		if k.HasKid {
			if first, dup := seen[k.Kid]; dup {
				warns = append(warns, fmt.Sprintf("%s repeats the kid of keys[%d]; Convex always uses the first", name, first))
			} else {
				seen[k.Kid] = k.Index
			}
		}
		if k.Private {
			warns = append(warns, name+" includes private key material; a published JWKS must hold public keys only")
		}
	}
	d := map[string]any{"keys": keys, "usable": usable}
	if len(set.Keys) == 0 {
		return result(IDJWKSKeys, StatusFail, "the JWKS has no keys, so no token can be verified", "publish the issuer's signing keys", d)
	}
	for _, alg := range algorithms {
		if len(usable[alg]) == 0 {
			return result(IDJWKSKeys, StatusFail, fmt.Sprintf("no key in the JWKS can verify %s tokens: %s", alg, strings.Join(warns, "; ")),
				fmt.Sprintf("publish a %s signing key with a kid, or set the provider's algorithm to match the keys", alg), d)
		}
	}
	if len(warns) > 0 {
		return result(IDJWKSKeys, StatusWarn, strings.Join(warns, "; "), "remove or fix these keys; the usable ones still work", d)
	}
	var parts []string
	for _, alg := range algorithms {
		parts = append(parts, fmt.Sprintf("%d key(s) for %s", len(usable[alg]), alg))
	}
	msg := strings.Join(parts, ", ")
	if msg == "" {
		msg = fmt.Sprintf("%d key(s)", len(set.Keys))
	}
	return result(IDJWKSKeys, StatusPass, msg, "", d)
}

func distinct(list []string) []string {
	var out []string
	for _, s := range list {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// JWKSReport is the outcome of the jwks.* checks for one URL.
type JWKSReport struct {
	URL       string
	Providers []int    // indexes of the customJwt providers using the URL
	Results   []Result // jwks.fetch, jwks.content-type, jwks.parse, jwks.keys
	// Set is the key set Convex would use, nil when Convex could not get
	// one; then ConvexError is the error every token of these providers
	// gets and Status says whether that is a failure or an error.
	Set         *jwks.Set
	ConvexError string
	Status      Status
}

// CheckJWKS fetches url through f and runs the four jwks.* checks, with
// the algorithms of the providers that use it.
func CheckJWKS(ctx context.Context, f *jwks.Fetcher, url string, algorithms []string) JWKSReport {
	resp, err := f.Fetch(ctx, url)
	fetch := CheckJWKSFetch(url, resp, err)
	if err != nil {
		resp = nil
	}
	ct := CheckJWKSContentType(url, resp)
	parse, set := CheckJWKSParse(url, resp)
	rep := JWKSReport{URL: url, Results: []Result{fetch, ct, parse, CheckJWKSKeys(set, algorithms)}, Status: StatusPass}
	// Convex stops at the first of these that fails.
	for _, r := range rep.Results[:3] {
		if r.Status == StatusFail || r.Status == StatusError {
			rep.Status = r.Status
			rep.ConvexError, _ = r.Details["convexError"].(string)
			if rep.ConvexError == "" {
				rep.ConvexError = r.Message
			}
			return rep
		}
	}
	rep.Set = set
	return rep
}

// JWKSURLs lists the distinct JWKS URLs of the customJwt providers, in order
// of first use, with the providers using each.
func JWKSURLs(providers []Provider) (urls []string, users map[string][]int) {
	users = map[string][]int{}
	for i, p := range providers {
		if p.Type != TypeCustomJWT {
			continue
		}
		if _, ok := users[p.JWKS]; !ok {
			urls = append(urls, p.JWKS)
		}
		users[p.JWKS] = append(users[p.JWKS], i)
	}
	return urls, users
}

// CheckAllJWKS runs CheckJWKS for every distinct JWKS URL of the customJwt
// providers concurrently, each URL fetched once, and returns the reports in
// the order the URLs first appear.
func CheckAllJWKS(ctx context.Context, f *jwks.Fetcher, providers []Provider) []JWKSReport {
	urls, users := JWKSURLs(providers)
	reports := make([]JWKSReport, len(urls))
	var wg sync.WaitGroup
	for i, url := range urls {
		var algs []string
		for _, p := range users[url] {
			algs = append(algs, providers[p].Algorithm)
		}
		sort.Strings(algs)
		wg.Add(1)
		go func() {
			defer wg.Done()
			reports[i] = CheckJWKS(ctx, f, url, algs)
			reports[i].Providers = users[url]
		}()
	}
	wg.Wait()
	return reports
}
