package doctor

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/tokencheck"
)

// FuzzInspect feeds `token inspect` tokens built from a fuzzed header,
// payload and signature part, so that the fuzzer mutates the JSON rather
// than its base64url. A token Decode rejects must be a usage error; any
// other must inspect, print and encode as JSON, never show the token
// itself, and describe every time claim truly: its UTC date and its
// distance from now, read back from the words, match the claim's number.
// Seeds live in testdata/fuzz/FuzzInspect.
func FuzzInspect(f *testing.F) {
	f.Add(`{"alg":"RS256","kid":"k1"}`, `{"iss":"https://api.workos.com/user_management/client_X","sub":"user_1","iat":1767225450,"exp":1767225750}`, "c2ln")
	now := time.Date(2026, 1, 1, 0, 2, 30, 0, time.UTC)
	b64 := base64.RawURLEncoding.EncodeToString
	f.Fuzz(func(t *testing.T, header, payload, signature string) {
		tok := b64([]byte(header)) + "." + b64([]byte(payload)) + "." + signature
		_, decodeErr := tokencheck.Decode(tok)
		var outs [2]string
		for i, asJSON := range []bool{true, false} {
			ios, _, out, _ := iostreams.Test()
			err := Inspect(InspectOptions{IO: ios, Token: tok, JSON: asJSON, Now: func() time.Time { return now }, Location: time.UTC})
			if decodeErr != nil {
				var ce *cmdutil.Error
				if !errors.As(err, &ce) || ce.Code != cmdutil.ExitUsage {
					t.Fatalf("undecodable token: %v, want a usage error", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Inspect: %v", err)
			}
			if strings.Contains(out.String(), tok) {
				t.Fatalf("the token was printed:\n%s", out)
			}
			outs[i] = out.String()
		}
		var in Inspection
		if err := json.Unmarshal([]byte(outs[0]), &in); err != nil {
			t.Fatalf("--json output does not parse: %v\n%s", err, outs[0])
		}
		if bytes.Equal(in.Claims, []byte("null")) {
			t.Fatal("decodable claims shown as null")
		}
		for _, tc := range in.Times {
			if want := time.Unix(tc.Unix, 0).UTC().Format(time.RFC3339); tc.UTC != want {
				t.Errorf("%s %d: utc %s, want %s", tc.Claim, tc.Unix, tc.UTC, want)
			}
			d := tc.Unix - now.Unix()
			words := relativeWords[tc.Claim]
			pre, suf := words[2], words[3]
			if d > 0 {
				pre, suf = words[0], words[1]
			}
			rest, ok := strings.CutPrefix(tc.Relative, pre)
			rest, ok2 := strings.CutSuffix(rest, suf)
			ok = ok && ok2
			if !ok || !spanMeans(rest, max(d, -d)) {
				t.Errorf("%s %d is %d s from now, described as %q", tc.Claim, tc.Unix, d, tc.Relative)
			}
			if !strings.Contains(outs[1], tc.Relative) {
				t.Errorf("%q is not in the text output", tc.Relative)
			}
		}
		if in.LifetimeSeconds != nil {
			m := regexp.MustCompile(`\nlifetime \(exp - iat\): (-?)(\S+)\n`).FindStringSubmatch(outs[1])
			l := *in.LifetimeSeconds
			if m == nil || (m[1] == "-") != (l < 0) || !spanMeans(m[2], max(l, -l)) {
				t.Errorf("lifetime %d s printed as %q", l, m)
			}
		}
	})
}

// relativeWords are the words around the span for a claim in the future,
// then in the past.
var relativeWords = map[string][4]string{
	"exp": {"expires in ", "", "expired ", " ago"},
	"nbf": {"valid in ", "", "valid since ", " ago"},
	"iat": {"issued ", " in the future", "issued ", " ago"},
}

// spanMeans says whether span's text s stands for secs seconds: exactly
// when it shows seconds, else up to the smallest unit it shows.
func spanMeans(s string, secs int64) bool {
	m := regexp.MustCompile(`^(?:(\d+)d(\d\d)h|(\d+)h(\d\d)m|(\d+)m(\d\d)s|(\d+)s)$`).FindStringSubmatch(s)
	if m == nil {
		return false
	}
	n := func(i int) int64 { v, _ := strconv.ParseInt(m[i], 10, 64); return v }
	var shown, unit int64
	switch {
	case m[1] != "":
		shown, unit = n(1)*86400+n(2)*3600, 3600
	case m[3] != "":
		shown, unit = n(3)*3600+n(4)*60, 60
	case m[5] != "":
		shown, unit = n(5)*60+n(6), 1
	default:
		shown, unit = n(7), 1
	}
	return shown <= secs && secs < shown+unit
}

// FuzzReadToken checks that a token read from stdin is one trimmed line,
// and that a line holding a token gives that token back whatever
// whitespace and lines surround it. Seeds live in
// testdata/fuzz/FuzzReadToken.
func FuzzReadToken(f *testing.F) {
	f.Add([]byte("eyJ.a.b\r\n"), "\t", "\nsecond line\n")
	f.Fuzz(func(t *testing.T, input []byte, before, after string) {
		tok, err := ReadToken(bytes.NewReader(input))
		if err == nil && (tok == "" || strings.TrimSpace(tok) != tok || strings.Contains(tok, "\n")) {
			t.Fatalf("ReadToken(%q) = %q", input, tok)
		}
		if err != nil || strings.TrimSpace(before) != "" || (strings.TrimSpace(after) != "" && !strings.HasPrefix(after, "\n")) {
			return
		}
		if again, err := ReadToken(strings.NewReader(before + tok + after)); err != nil || again != tok {
			t.Fatalf("ReadToken(%q) = %q, %v; want %q", before+tok+after, again, err, tok)
		}
	})
}
