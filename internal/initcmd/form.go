package initcmd

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/huh"

	"github.com/convex-authkit/convex-authkit/internal/authconfig"
	"github.com/convex-authkit/convex-authkit/internal/framework"
	"github.com/convex-authkit/convex-authkit/internal/prompt"
	"github.com/convex-authkit/convex-authkit/internal/secret"
)

// The files init can write, as --files names them.
const (
	FileConvexJSON = "convex.json"
	FileAuthConfig = "convex/auth.config.ts"
	FileEnvLocal   = ".env.local"
)

// AllFiles are the files init writes unless told otherwise.
var AllFiles = []string{FileConvexJSON, FileAuthConfig, FileEnvLocal}

// Answers are init's inputs, from flags, detection and the form.
type Answers struct {
	Framework  *framework.Framework
	Port       int
	ClientID   string
	AuthDomain string // host of a custom auth domain, "" for none
	Files      []string
	// APIKey is asked (hidden) only when .env.local needs it and no source
	// has it; it is written to .env.local and never shown.
	APIKey string
}

// Writes says whether file is among the files to write.
func (a *Answers) Writes(file string) bool { return slices.Contains(a.Files, file) }

// Questions says what the form may ask: flags fix their answers, and the
// defaults of the others come from detection.
type Questions struct {
	Framework, Port, ClientID, AuthDomain, Files bool
	// PortFor is the detected port of a framework, the port's default once
	// the framework is chosen.
	PortFor func(*framework.Framework) int
	// APIKey says the key is known nowhere, so the form may ask for it when
	// the chosen framework reads it from .env.local.
	APIKey bool
}

// Form asks the user for the answers the flags left open. The answers it
// gets hold the defaults; it overwrites them with the user's choices.
type Form interface {
	Ask(a *Answers, q Questions) error
}

// HuhForm asks with huh forms on In and Out. Accessible selects huh's
// accessible mode: one plain prompt per line, for screen readers (set from
// ACCESSIBLE). Questions that depend on an earlier answer are separate
// forms, because accessible mode asks every field of a form.
type HuhForm struct {
	In         io.Reader
	Out        io.Writer
	Accessible bool
}

// Ask implements Form.
func (h *HuhForm) Ask(a *Answers, q Questions) error {
	if q.Framework {
		id := ""
		if a.Framework != nil {
			id = a.Framework.ID
		}
		opts := make([]huh.Option[string], len(framework.All))
		for i, f := range framework.All {
			opts[i] = huh.NewOption(f.Name, f.ID)
		}
		if err := h.run(huh.NewSelect[string]().Title("Framework").Options(opts...).Value(&id)); err != nil {
			return err
		}
		a.Framework, _ = framework.Parse(id)
	}

	var fields []huh.Field
	port := strconv.Itoa(a.Port)
	if q.Port {
		if q.Framework && q.PortFor != nil {
			port = strconv.Itoa(q.PortFor(a.Framework))
		}
		fields = append(fields, huh.NewInput().Title(h.title("Dev server port", port)).
			Description("The port of http://localhost:PORT, where WorkOS sends users back after sign-in").
			Value(&port).Validate(h.keepDefault(port, func(s string) error {
			_, err := ParsePort(s)
			return err
		})))
	}
	if q.Files {
		opts := make([]huh.Option[string], len(AllFiles))
		for i, f := range AllFiles {
			opts[i] = huh.NewOption(f, f)
		}
		fields = append(fields, huh.NewMultiSelect[string]().Title("Files to write").Options(opts...).Value(&a.Files).
			Validate(func(s []string) error {
				if len(s) == 0 {
					return errors.New("choose at least one file")
				}
				return nil
			}))
	}
	if err := h.run(fields...); err != nil {
		return err
	}
	a.Port, _ = ParsePort(port)

	fields = nil
	if q.ClientID {
		required := a.Writes(FileEnvLocal)
		fields = append(fields, huh.NewInput().Title(h.title("WorkOS client ID", a.ClientID)).
			Description("From the WorkOS dashboard (API Keys); it starts with client_").
			Value(&a.ClientID).Validate(h.keepDefault(a.ClientID, func(s string) error {
			switch {
			case s == "" && required:
				return errors.New("needed for .env.local: enter it, or run init with --files convex.json,convex/auth.config.ts")
			case s == "":
				return nil
			}
			return ValidateClientID(s)
		})))
	}
	useDomain := a.AuthDomain != ""
	if q.AuthDomain {
		fields = append(fields, huh.NewConfirm().Title("Do you use a custom auth domain for AuthKit?").
			Description("A domain of your own (for example auth.example.com) that serves AuthKit instead of api.workos.com").
			Value(&useDomain))
	}
	if err := h.run(fields...); err != nil {
		return err
	}
	a.ClientID = strings.TrimSpace(a.ClientID)

	fields = nil
	if q.AuthDomain && !useDomain {
		a.AuthDomain = ""
	}
	if q.AuthDomain && useDomain {
		fields = append(fields, huh.NewInput().Title(h.title("Auth domain host", a.AuthDomain)).
			Placeholder("auth.example.com").Value(&a.AuthDomain).Validate(h.keepDefault(a.AuthDomain, func(s string) error {
			_, err := NormalizeAuthDomain(s)
			return err
		})))
	}
	if q.APIKey && a.Framework.NeedsAPIKey() && a.Writes(FileEnvLocal) {
		// The key never echoes: huh's password mode masks it on screen, and
		// in accessible mode reads it from the terminal without echo.
		fields = append(fields, huh.NewInput().Title("WorkOS API key for .env.local (hidden; Enter to skip)").
			Description("Starts with sk_test_ or sk_live_; leave empty to add it to .env.local yourself").
			EchoMode(huh.EchoModePassword).Value(&a.APIKey).Validate(func(s string) error {
			if s != "" && !strings.HasPrefix(s, "sk_") {
				return errors.New("a WorkOS API key starts with sk_")
			}
			return nil
		}))
	}
	if err := h.run(fields...); err != nil {
		return err
	}
	if a.AuthDomain != "" {
		a.AuthDomain, _ = NormalizeAuthDomain(a.AuthDomain)
	}
	return nil
}

// title shows the default in accessible mode, whose prompts do not
// pre-fill it (Enter keeps it).
func (h *HuhForm) title(t, def string) string {
	if h.Accessible && def != "" {
		return fmt.Sprintf("%s [%s]", t, def)
	}
	return t
}

// keepDefault lets an empty answer through in accessible mode, where it
// means "keep the default" (huh substitutes the default only after
// validating the raw line).
func (h *HuhForm) keepDefault(def string, validate func(string) error) func(string) error {
	return func(s string) error {
		if h.Accessible && s == "" && def != "" {
			return nil
		}
		return validate(s)
	}
}

func (h *HuhForm) run(fields ...huh.Field) error {
	if len(fields) == 0 {
		return nil
	}
	form := huh.NewForm(huh.NewGroup(fields...)).WithAccessible(h.Accessible).
		WithInput(h.In).WithOutput(h.Out).WithShowHelp(true)
	if err := form.Run(); err != nil {
		if errors.Is(err, huh.ErrUserAborted) {
			return prompt.ErrCancelled
		}
		return err
	}
	return nil
}

// ParsePort accepts a TCP port number.
func ParsePort(s string) (int, error) {
	port, ok := parsePort(strings.TrimSpace(s))
	if !ok {
		return 0, errors.New("not a port: use a number from 1 to 65535")
	}
	return port, nil
}

var clientIDRe = regexp.MustCompile(`^client_[0-9A-Za-z]+$`)

// ValidateClientID checks the shape of a WorkOS client ID.
func ValidateClientID(id string) error {
	if secret.LooksLikeAPIKey(id) {
		// Never repeat it: it is a secret in the wrong place.
		return errors.New("that is a WorkOS API key (sk_...), not a client ID (client_...)")
	}
	if !clientIDRe.MatchString(id) {
		return errors.New("not a WorkOS client ID: it looks like client_01J..., from the WorkOS dashboard")
	}
	return nil
}

// NormalizeAuthDomain forgives what people paste into the form, an https://
// URL or upper case, and checks the host as generate auth-config does.
func NormalizeAuthDomain(s string) (string, error) {
	h := strings.ToLower(strings.TrimSpace(s))
	h = strings.TrimSuffix(strings.TrimPrefix(h, "https://"), "/")
	var de *authconfig.DomainError
	if errors.As(authconfig.CheckAuthDomain(h), &de) {
		return "", fmt.Errorf("%s %s: %s", h, de.Reason, de.Hint)
	}
	return h, nil
}
