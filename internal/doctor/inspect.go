package doctor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/jsonpos"
	"github.com/convex-authkit/convex-authkit/internal/jwks"
	"github.com/convex-authkit/convex-authkit/internal/secret"
	"github.com/convex-authkit/convex-authkit/internal/tokencheck"
)

// InspectOptions are the inputs of `token inspect`.
type InspectOptions struct {
	IO    *iostreams.IOStreams
	Token string
	JSON  bool
	Now   func() time.Time
	// Location shows times in local time too; nil means time.Local.
	Location *time.Location
}

// Inspection is the --json document of `token inspect`. It describes the
// token and says nothing about whether anyone would accept it.
type Inspection struct {
	SchemaVersion int    `json:"schemaVersion"`
	Token         string `json:"token"` // masked
	Parts         int    `json:"parts"`
	// Header and Claims are the decoded JSON objects, null when unreadable.
	Header json.RawMessage `json:"header"`
	Claims json.RawMessage `json:"claims"`
	Times  []TimeClaim     `json:"times"`
	// LifetimeSeconds is exp - iat, when both are there.
	LifetimeSeconds *int64   `json:"lifetimeSeconds"`
	SignatureBytes  int      `json:"signatureBytes"`
	Problems        []string `json:"problems"`
	Note            string   `json:"note"`

	claims, header []member
}

// TimeClaim is exp, nbf or iat in every form a reader needs.
type TimeClaim struct {
	Claim    string `json:"claim"`
	Unix     int64  `json:"unix"`
	UTC      string `json:"utc"`
	Local    string `json:"local"`
	Relative string `json:"relative"`
}

type member struct{ key, value string }

const inspectNote = "decoded only: nothing was verified. `convex-authkit token verify` checks it as a Convex deployment would"

// Inspect decodes a token and prints its header and claims. A token whose
// payload cannot be decoded at all is a usage error (exit 3).
func Inspect(opts InspectOptions) error {
	red := &secret.Redactor{}
	red.Add(opts.Token)
	in, err := inspect(opts)
	if err != nil {
		return cmdutil.Redacted(err, red.Redact)
	}
	out := red.Writer(opts.IO.Out)
	if opts.JSON {
		return cmdutil.WriteJSON(out, in)
	}
	in.print(out, opts.IO.ColorScheme())
	return nil
}

func inspect(opts InspectOptions) (*Inspection, error) {
	now := time.Now()
	if opts.Now != nil {
		now = opts.Now()
	}
	loc := opts.Location
	if loc == nil {
		loc = time.Local
	}
	tok, err := tokencheck.Decode(opts.Token)
	if err != nil {
		return nil, cmdutil.UsageError(fmt.Errorf("cannot decode the token: %v", err), "give the access token itself: three base64url parts separated by dots")
	}
	in := &Inspection{SchemaVersion: cmdutil.SchemaVersion, Token: secret.Mask(opts.Token), Parts: len(tok.Segments),
		Times: []TimeClaim{}, Problems: []string{}, Note: inspectNote, SignatureBytes: len(tok.Signature)}
	payload, _ := jwks.DecodeBase64URL(tok.Segments[1])
	in.Claims, in.claims = object(payload, tok.Claims.Payload)
	if h, err := jwks.DecodeBase64URL(tok.Segments[0]); err == nil {
		if v, err := jwks.ParseJSON(h); err == nil && v.Kind == jsonpos.Object {
			in.Header, in.header = object(h, v)
		}
	}
	for _, e := range []error{tok.HeaderErr, tok.SignatureErr} {
		if e != nil {
			in.Problems = append(in.Problems, e.Error())
		}
	}
	if in.Header == nil {
		in.Header = json.RawMessage("null")
	}
	c := tok.Claims
	for _, t := range []struct {
		name string
		nd   *tokencheck.NumericDate
	}{{"exp", c.Exp}, {"nbf", c.Nbf}, {"iat", c.Iat}} {
		if t.nd != nil {
			in.Times = append(in.Times, timeClaim(t.name, t.nd.Time(), now, loc))
		}
	}
	if c.Exp != nil && c.Iat != nil {
		l := c.Exp.Unix - c.Iat.Unix
		in.LifetimeSeconds = &l
	}
	return in, nil
}

// object keeps a decoded JSON object as compact JSON, and its members in
// document order for display.
func object(src []byte, v *jsonpos.Value) (json.RawMessage, []member) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, src); err != nil {
		return json.RawMessage("null"), nil
	}
	var ms []member
	for _, m := range v.Members {
		var b bytes.Buffer
		if err := json.Compact(&b, src[m.Value.Pos.Offset:m.Value.End.Offset]); err != nil {
			continue
		}
		ms = append(ms, member{m.Key, b.String()})
	}
	return buf.Bytes(), ms
}

func timeClaim(name string, t, now time.Time, loc *time.Location) TimeClaim {
	d := t.Unix() - now.Unix()
	var rel string
	switch name {
	case "exp":
		if d > 0 {
			rel = "expires in " + tokencheck.Span(d)
		} else {
			rel = "expired " + tokencheck.Span(-d) + " ago"
		}
	case "nbf":
		if d > 0 {
			rel = "valid in " + tokencheck.Span(d)
		} else {
			rel = "valid since " + tokencheck.Span(-d) + " ago"
		}
	default:
		if d > 0 {
			rel = "issued " + tokencheck.Span(d) + " in the future"
		} else {
			rel = "issued " + tokencheck.Span(-d) + " ago"
		}
	}
	return TimeClaim{Claim: name, Unix: t.Unix(), UTC: t.UTC().Format(time.RFC3339), Local: t.In(loc).Format("2006-01-02 15:04:05 MST"), Relative: rel}
}

func (in *Inspection) print(w io.Writer, cs *iostreams.ColorScheme) {
	fmt.Fprintf(w, "token %s (%d parts, signature %d bytes)\n", in.Token, in.Parts, in.SignatureBytes)
	fmt.Fprintln(w, cs.Bold("header"))
	if in.header == nil {
		fmt.Fprintln(w, "  (unreadable)")
	}
	for _, m := range in.header {
		fmt.Fprintf(w, "  %s: %s\n", m.key, m.value)
	}
	fmt.Fprintln(w, cs.Bold("claims"))
	times := map[string]TimeClaim{}
	for _, t := range in.Times {
		times[t.Claim] = t
	}
	for _, m := range in.claims {
		fmt.Fprintf(w, "  %s: %s", m.key, m.value)
		if t, ok := times[m.key]; ok {
			fmt.Fprintf(w, "  %s (%s), %s", t.UTC, t.Local, t.Relative)
		}
		fmt.Fprintln(w)
	}
	if in.LifetimeSeconds != nil {
		fmt.Fprintf(w, "lifetime (exp - iat): %s\n", tokencheck.Span(*in.LifetimeSeconds))
	}
	for _, p := range in.Problems {
		fmt.Fprintf(w, "%s %s\n", cs.Yellow("problem:"), p)
	}
	fmt.Fprintln(w, in.Note)
}

// MaxTokenInput is the most ReadToken reads. A JWT is a few KB; more means
// the wrong thing was piped in, and reading on would only use memory.
const MaxTokenInput = 1 << 20

// ErrTokenTooLarge is ReadToken's error for input over MaxTokenInput.
var ErrTokenTooLarge = errors.New("token too large (over 1 MiB)")

// ReadToken reads a token from r (stdin for "-"): the first line, trimmed
// of surrounding whitespace, which a terminal or `echo` adds. Input over
// MaxTokenInput is an error rather than cut short: a cut token would fail
// verification for a reason that is not the token's.
func ReadToken(r io.Reader) (string, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxTokenInput+1))
	if err != nil {
		return "", err
	}
	if len(data) > MaxTokenInput {
		return "", ErrTokenTooLarge
	}
	line, _, _ := bytes.Cut(bytes.TrimSpace(data), []byte("\n"))
	tok := string(bytes.TrimSpace(line))
	if tok == "" {
		return "", errors.New("stdin is empty")
	}
	return tok, nil
}
