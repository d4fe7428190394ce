// Package webhooksig signs and verifies WorkOS webhook deliveries: the
// WorkOS-Signature header "t=<unix ms>, v1=<hex HMAC-SHA256(secret,
// t + "." + body)>", as WorkOS sends it and its SDKs check it. The embedded
// WorkOS emulator signs with it, the deployment emulator's component route
// and doctor's delivery test use it.
package webhooksig

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Header is the HTTP header carrying the signature.
const Header = "WorkOS-Signature"

// Tolerance is how old a signature the SDKs accept by default (180 s).
const Tolerance = 180 * time.Second

// Errors of Verify.
var (
	ErrNotSigned   = errors.New("no signature header")
	ErrBadHeader   = errors.New(`the signature header is not "t=<ms>, v1=<hex>"`)
	ErrBadSig      = errors.New("the signature does not match the body and secret")
	ErrTooOld      = errors.New("the signature's timestamp is outside the tolerance")
	errEmptySecret = errors.New("no secret to sign with")
)

// Sign returns the header value for body signed at t.
func Sign(secret string, body []byte, t time.Time) (string, error) {
	if secret == "" {
		return "", errEmptySecret
	}
	ts := strconv.FormatInt(t.UnixMilli(), 10)
	return fmt.Sprintf("t=%s, v1=%s", ts, mac(secret, ts, body)), nil
}

func mac(secret, ts string, body []byte) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(ts))
	h.Write([]byte("."))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// Verify checks header against body and secret at now. Like the SDKs it
// accepts timestamps in the future and refuses ones older than tolerance.
// It parses leniently where they do (spaces around the parts) and never
// panics on malformed input, unlike workos-go's parser.
func Verify(header string, body []byte, secret string, now time.Time, tolerance time.Duration) error {
	if strings.TrimSpace(header) == "" {
		return ErrNotSigned
	}
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return ErrBadHeader
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return ErrBadHeader
	}
	if now.Sub(time.UnixMilli(ms)) > tolerance {
		return ErrTooOld
	}
	if secret == "" || !hmac.Equal([]byte(sig), []byte(mac(secret, ts, body))) {
		return ErrBadSig
	}
	return nil
}
