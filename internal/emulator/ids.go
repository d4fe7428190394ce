package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"time"
)

// crockford is the ULID alphabet. Its characters are in ASCII order, so ids
// of one kind compare as strings in creation order, which is what list
// cursors rely on.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// encodeULID spells a 128-bit value as 26 Crockford base32 characters, the
// first holding the top 3 bits, as in ULIDs.
func encodeULID(hi, lo uint64) string {
	var b [26]byte
	for i := range b {
		shift := uint(125 - 5*i)
		var v uint64
		if shift >= 64 {
			v = hi >> (shift - 64)
		} else {
			// A shift by 64 is 0 in Go, which is what shift 0 needs.
			v = lo>>shift | hi<<(64-shift)
		}
		b[i] = crockford[v&31]
	}
	return string(b[:])
}

// idGen makes ULID-like ids: 48 bits of milliseconds, then 80 bits that
// count up from a value derived from the client ID. They are deterministic
// for a fixed clock, and strictly increasing even when the clock stands still
// or steps back (the time part never decreases), as monotonic ULIDs are.
type idGen struct {
	lastMS uint64
	tailHi uint64 // top 16 bits of the 80-bit tail
	tailLo uint64
}

func newIDGen(seed string) idGen {
	h := sha256.Sum256([]byte("emulator ids\x00" + seed))
	return idGen{
		tailHi: uint64(binary.BigEndian.Uint16(h[:2])),
		// The top bit is clear so that counting up cannot overflow into
		// tailHi in any realistic run.
		tailLo: binary.BigEndian.Uint64(h[2:10]) >> 1,
	}
}

func (g *idGen) next(now time.Time) string {
	ms := uint64(max(now.UnixMilli(), 0)) & (1<<48 - 1)
	g.lastMS = max(g.lastMS, ms)
	g.tailLo++
	return encodeULID(g.lastMS<<16|g.tailHi, g.tailLo)
}

// timestamp formats times the way WorkOS does: UTC with milliseconds.
func timestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// derive makes a secret-looking string (webhook secrets, refresh tokens)
// from the server's credentials and a purpose. It is deterministic so that
// runs can be replayed; it need not be unguessable, since the server only
// listens on loopback and knows its own API key anyway.
func (s *Server) derive(purpose, id string) string {
	h := sha256.Sum256([]byte(s.apiKey + "\x00" + s.clientID + "\x00" + purpose + "\x00" + id))
	return base64.RawURLEncoding.EncodeToString(h[:24])
}
