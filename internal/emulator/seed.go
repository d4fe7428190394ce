package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/safefile"
)

// SeedUser is a user the emulator starts with: it can sign in with its
// password at once (its email counts as verified, as in the official
// emulator's seeds).
type SeedUser struct {
	Email     string `json:"email"`
	Password  string `json:"password"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
}

// Seed is what `emulate --seed FILE` reads: the users part of the official
// WorkOS emulator's seed config (`workos emulate --seed`, JSON form), so one
// file serves both. Ignored lists the other sections it has (organizations,
// connections...), which this emulator does not model.
type Seed struct {
	Users   []SeedUser `json:"users"`
	Ignored []string   `json:"-"`
}

// seedSections are the official emulator's seed sections besides users.
var seedSections = []string{"apiKeys", "organizations", "connections", "pipeConnections", "invitations", "roles", "permissions", "webhookEndpoints"}

// ParseSeed reads a seed file. Every user needs a valid email and a
// password (a seeded user without one could never sign in here); an
// unknown top-level key is an error, since a misspelt "users" would
// otherwise seed nobody in silence.
func ParseSeed(data []byte) (*Seed, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	seed := &Seed{}
	for key := range top {
		switch {
		case key == "users":
		case slices.Contains(seedSections, key):
			seed.Ignored = append(seed.Ignored, key)
		default:
			return nil, fmt.Errorf("unknown section %q: a seed has users (and, for the official emulator, %s)", key, strings.Join(seedSections, ", "))
		}
	}
	slices.Sort(seed.Ignored)
	if raw, ok := top["users"]; ok {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		var users []struct {
			SeedUser
			// Accepted from the official format, not modelled here.
			EmailVerified *bool             `json:"email_verified"`
			ExternalID    *string           `json:"external_id"`
			Metadata      map[string]string `json:"metadata"`
			Impersonator  json.RawMessage   `json:"impersonator"`
		}
		if err := dec.Decode(&users); err != nil {
			return nil, fmt.Errorf("users: %w", err)
		}
		for i, u := range users {
			if err := checkSeedUser(u.SeedUser, seed.Users); err != nil {
				return nil, fmt.Errorf("users[%d]: %w", i, err)
			}
			seed.Users = append(seed.Users, u.SeedUser)
		}
	}
	return seed, nil
}

// ParseUserFlag reads `--user EMAIL:PASSWORD`. The email ends at the first
// colon (an address has none outside quotes); the password may hold more.
func ParseUserFlag(v string) (SeedUser, error) {
	email, password, ok := strings.Cut(v, ":")
	if !ok {
		return SeedUser{}, errors.New("want EMAIL:PASSWORD")
	}
	u := SeedUser{Email: email, Password: password}
	return u, checkSeedUser(u, nil)
}

func checkSeedUser(u SeedUser, before []SeedUser) error {
	if _, ok := normalizeEmail(u.Email); !ok {
		return fmt.Errorf("%q is not an email address", u.Email)
	}
	if u.Password == "" {
		return fmt.Errorf("%s has no password, so it could not sign in", u.Email)
	}
	if slices.ContainsFunc(before, func(o SeedUser) bool { return strings.EqualFold(o.Email, u.Email) }) {
		return fmt.Errorf("%s is seeded twice", u.Email)
	}
	return nil
}

// SeedUsers adds the users, each able to sign in with its password, and
// returns their ids in order.
func (s *Server) SeedUsers(users []SeedUser) []string {
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = s.AddUser(u.Email, u.Password)
		if u.FirstName != "" || u.LastName != "" {
			s.setNames(ids[i], u.FirstName, u.LastName)
		}
	}
	return ids
}

func (s *Server) setNames(id, first, last string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := slices.IndexFunc(s.users, func(u user) bool { return u.ID == id }); i >= 0 {
		if first != "" {
			s.users[i].FirstName = &first
		}
		if last != "" {
			s.users[i].LastName = &last
		}
	}
}

// LoadSeed gathers emulate's users: those of the seed file at path (when
// given), then the --user flags, each EMAIL:PASSWORD. It returns the
// sections of the file this emulator ignores, for a note.
func LoadSeed(path string, userFlags []string) (users []SeedUser, ignored []string, err error) {
	if path != "" {
		data, err := safefile.Read(path, safefile.Options{Limit: 1 << 20, What: "the seed file"})
		if err != nil {
			return nil, nil, err
		}
		seed, err := ParseSeed(data)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		users, ignored = seed.Users, seed.Ignored
	}
	for _, v := range userFlags {
		u, err := ParseUserFlag(v)
		if err != nil {
			return nil, nil, fmt.Errorf("--user %s: %w", strings.SplitN(v, ":", 2)[0], err)
		}
		if err := checkSeedUser(u, users); err != nil {
			return nil, nil, fmt.Errorf("--user: %w", err)
		}
		users = append(users, u)
	}
	return users, ignored, nil
}
