package emulator

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"mime"
	"net/http"
	"net/mail"
	"slices"
	"strings"
)

type user struct {
	Object            string            `json:"object"`
	ID                string            `json:"id"`
	Email             string            `json:"email"`
	EmailVerified     bool              `json:"email_verified"`
	FirstName         *string           `json:"first_name"`
	LastName          *string           `json:"last_name"`
	ProfilePictureURL *string           `json:"profile_picture_url"`
	LastSignInAt      *string           `json:"last_sign_in_at"`
	ExternalID        *string           `json:"external_id"`
	Metadata          map[string]string `json:"metadata"`
	CreatedAt         string            `json:"created_at"`
	UpdatedAt         string            `json:"updated_at"`

	passwordHash *[sha256.Size]byte // nil: the user has no password
	org          *membership
}

type membership struct {
	orgID       string
	role        string
	permissions []string
}

// session is a sign-in; refreshing keeps it and rotates its refresh token.
type session struct {
	id, userID, refreshToken string
	generation               int
}

func hashPassword(p string) *[sha256.Size]byte {
	h := sha256.Sum256([]byte(p))
	return &h
}

// normalizeEmail lower-cases an address, as WorkOS stores them, and reports
// whether it is a bare address (no display name).
func normalizeEmail(email string) (string, bool) {
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email {
		return "", false
	}
	return strings.ToLower(email), true
}

func (s *Server) addUserLocked(u user) user {
	now := s.now()
	u.Object = "user"
	u.ID = "user_" + s.ids.next(now)
	u.CreatedAt, u.UpdatedAt = timestamp(now), timestamp(now)
	if u.Metadata == nil {
		u.Metadata = map[string]string{}
	}
	s.users = append(s.users, u)
	s.emitLocked("user.created", u)
	return u
}

// AddUser seeds a user with a verified email, so that it can sign in with
// the password at once, and returns its id. Seeding an existing email sets
// its password and returns the existing id.
func (s *Server) AddUser(email, password string) (id string) {
	norm := strings.ToLower(email)
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := slices.IndexFunc(s.users, func(u user) bool { return u.Email == norm }); i >= 0 {
		s.users[i].passwordHash = hashPassword(password)
		return s.users[i].ID
	}
	return s.addUserLocked(user{Email: norm, EmailVerified: true, passwordHash: hashPassword(password)}).ID
}

// SetUserOrganization makes the user's sessions belong to an organization,
// so tokens carry org_id, role and permissions. An empty orgID removes the
// membership; an empty role is WorkOS's default, "member".
func (s *Server) SetUserOrganization(userID, orgID, role string, permissions []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.users, func(u user) bool { return u.ID == userID })
	if i < 0 {
		return
	}
	if orgID == "" {
		s.users[i].org = nil
		return
	}
	if role == "" {
		role = "member"
	}
	s.users[i].org = &membership{orgID: orgID, role: role, permissions: append([]string{}, permissions...)}
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Email         string            `json:"email"`
		Password      *string           `json:"password"`
		FirstName     *string           `json:"first_name"`
		LastName      *string           `json:"last_name"`
		EmailVerified bool              `json:"email_verified"`
		ExternalID    *string           `json:"external_id"`
		Metadata      map[string]string `json:"metadata"`
	}
	if !decodeJSON(w, r, &body) {
		return
	}
	email, ok := normalizeEmail(body.Email)
	if !ok {
		writeValidation(w, "email", "isEmail", "email must be an email")
		return
	}
	u := user{
		Email: email, EmailVerified: body.EmailVerified, FirstName: body.FirstName, LastName: body.LastName,
		ExternalID: body.ExternalID, Metadata: body.Metadata,
	}
	if body.Password != nil {
		u.passwordHash = hashPassword(*body.Password)
	}
	s.mu.Lock()
	if slices.IndexFunc(s.users, func(o user) bool { return o.Email == email }) >= 0 {
		s.mu.Unlock()
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
			"code":    "user_creation_error",
			"message": "Could not create user.",
			"errors":  []any{map[string]string{"code": "email_not_available", "message": "This email is not available."}},
		})
		return
	}
	u = s.addUserLocked(u)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, u)
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, ok := parsePage(w, q)
	if !ok {
		return
	}
	email := strings.ToLower(q.Get("email"))
	s.mu.Lock()
	var matched []user
	for _, u := range s.users {
		if email == "" || u.Email == email {
			matched = append(matched, u)
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, paginate(matched, func(u user) string { return u.ID }, p))
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	i := slices.IndexFunc(s.users, func(u user) bool { return u.ID == id })
	var u user
	if i >= 0 {
		u = s.users[i]
	}
	s.mu.Unlock()
	if i < 0 {
		writeCoded(w, http.StatusNotFound, "entity_not_found", fmt.Sprintf("User not found: '%s'.", id))
		return
	}
	writeJSON(w, http.StatusOK, u)
}

// authRequest is the body of POST /user_management/authenticate for the
// grants the emulator supports.
type authRequest struct {
	GrantType    string `json:"grant_type"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	Email        string `json:"email"`
	Password     string `json:"password"`
	RefreshToken string `json:"refresh_token"`
}

// readAuthRequest accepts JSON, as the SDKs send, and form encoding, as
// OAuth clients send.
func readAuthRequest(w http.ResponseWriter, r *http.Request) (authRequest, bool) {
	var req authRequest
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		if err := r.ParseForm(); err != nil {
			writeOAuthError(w, http.StatusBadRequest, "invalid_request", "The request body could not be parsed.")
			return req, false
		}
		f := r.PostForm
		return authRequest{
			GrantType: f.Get("grant_type"), ClientID: f.Get("client_id"), ClientSecret: f.Get("client_secret"),
			Email: f.Get("email"), Password: f.Get("password"), RefreshToken: f.Get("refresh_token"),
		}, true
	}
	return req, decodeJSON(w, r, &req)
}

func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) {
	req, ok := readAuthRequest(w, r)
	if !ok {
		return
	}
	if req.ClientID != s.clientID {
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "Invalid client ID.")
		return
	}
	// A browser refreshing its session (authkit-js) has no secret to send;
	// every other grant needs it, and a wrong one is always refused.
	if (req.ClientSecret == "" && req.GrantType != "refresh_token") ||
		(req.ClientSecret != "" && subtle.ConstantTimeCompare([]byte(req.ClientSecret), []byte(s.apiKey)) != 1) {
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "Invalid client secret.")
		return
	}
	switch req.GrantType {
	case "password":
		s.passwordGrant(w, r, req)
	case "refresh_token":
		s.refreshGrant(w, r, req)
	case "":
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "Missing grant_type.")
	default:
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", fmt.Sprintf("Unsupported grant type: '%s'.", req.GrantType))
	}
}

func (s *Server) passwordGrant(w http.ResponseWriter, r *http.Request, req authRequest) {
	email := strings.ToLower(req.Email)
	given := hashPassword(req.Password)
	s.mu.Lock()
	i := slices.IndexFunc(s.users, func(u user) bool { return u.Email == email })
	if i < 0 || s.users[i].passwordHash == nil || subtle.ConstantTimeCompare(given[:], s.users[i].passwordHash[:]) != 1 {
		s.mu.Unlock()
		writeCoded(w, http.StatusBadRequest, "invalid_credentials", "Invalid credentials.")
		return
	}
	u := s.users[i]
	if !u.EmailVerified {
		// Email verification is on by default in WorkOS environments.
		now := s.now()
		body := map[string]any{
			"code":                         "email_verification_required",
			"message":                      "Email ownership must be verified before authentication.",
			"email":                        u.Email,
			"email_verification_id":        "email_verification_" + s.ids.next(now),
			"pending_authentication_token": s.derive("pending authentication", u.ID+timestamp(now)),
		}
		s.mu.Unlock()
		writeJSON(w, http.StatusUnprocessableEntity, body)
		return
	}
	signIn := timestamp(s.now())
	s.users[i].LastSignInAt = &signIn
	u = s.users[i]
	sess := s.newSessionLocked(u.ID)
	s.mu.Unlock()
	s.writeAuthResponse(w, r, u, sess, "Password")
}

func (s *Server) refreshGrant(w http.ResponseWriter, r *http.Request, req authRequest) {
	if req.RefreshToken == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "Missing refresh token.")
		return
	}
	s.mu.Lock()
	var u user
	var sess session
	cur, ok := s.sessions[s.refresh[req.RefreshToken]]
	if ok {
		i := slices.IndexFunc(s.users, func(u user) bool { return u.ID == cur.userID })
		ok = i >= 0
		if ok {
			u = s.users[i]
			// Refresh tokens are single use: the old one stops working.
			delete(s.refresh, req.RefreshToken)
			sess = s.rotateLocked(cur)
		}
	}
	s.mu.Unlock()
	if !ok {
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "Invalid refresh token.")
		return
	}
	s.writeAuthResponse(w, r, u, sess, "")
}

func (s *Server) newSessionLocked(userID string) session {
	sess := &session{id: "session_" + s.ids.next(s.now()), userID: userID}
	s.sessions[sess.id] = sess
	return s.rotateLocked(sess)
}

// rotateLocked gives a session a fresh refresh token and returns a copy of
// it, safe to read after the lock is released.
func (s *Server) rotateLocked(sess *session) session {
	sess.generation++
	sess.refreshToken = s.derive("refresh token", fmt.Sprintf("%s/%d", sess.id, sess.generation))
	s.refresh[sess.refreshToken] = sess.id
	return *sess
}

// writeAuthResponse mints an access token and answers as WorkOS does; an
// empty method is a refresh, whose answer has no authentication_method.
func (s *Server) writeAuthResponse(w http.ResponseWriter, r *http.Request, u user, sess session, method string) {
	token, err := s.mint(s.baseURL(r), u, sess.id)
	if err != nil {
		writeMessage(w, http.StatusInternalServerError, "Could not issue an access token: "+err.Error())
		return
	}
	body := map[string]any{"user": u, "access_token": token, "refresh_token": sess.refreshToken}
	if method != "" {
		body["authentication_method"] = method
	}
	if u.org != nil {
		body["organization_id"] = u.org.orgID
	}
	writeJSON(w, http.StatusOK, body)
}
