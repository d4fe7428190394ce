// Package prompt asks the user questions through huh forms. Commands depend
// on the Prompter interface so tests can answer with a fake, and they must
// check IOStreams.CanPrompt before asking anything.
package prompt

import (
	"errors"
	"io"

	"github.com/charmbracelet/huh"
)

// ErrCancelled is returned when the user aborts a prompt (Ctrl-C, Esc).
var ErrCancelled = errors.New("cancelled")

// Prompter asks questions.
type Prompter interface {
	// Confirm asks a yes/no question; def is the answer preselected.
	Confirm(title, description string, def bool) (bool, error)
}

// Huh is the terminal Prompter. Accessible selects huh's accessible mode
// (plain line-by-line prompts for screen readers), set from ACCESSIBLE.
type Huh struct {
	In         io.Reader
	Out        io.Writer
	Accessible bool
}

// Confirm implements Prompter.
func (h *Huh) Confirm(title, description string, def bool) (bool, error) {
	answer := def
	field := huh.NewConfirm().Title(title).Description(description).Affirmative("Yes").Negative("No").Value(&answer)
	form := huh.NewForm(huh.NewGroup(field)).WithAccessible(h.Accessible).WithInput(h.In).WithOutput(h.Out).WithShowHelp(true)
	if err := form.Run(); err != nil {
		if errors.Is(err, huh.ErrUserAborted) {
			return false, ErrCancelled
		}
		return false, err
	}
	return answer, nil
}

// PasswordPrompter asks for a value without echoing it. It is apart from
// Prompter so that fakes of commands that never ask for one stay small.
type PasswordPrompter interface {
	Password(title string) (string, error)
}

// Password implements PasswordPrompter.
func (h *Huh) Password(title string) (string, error) {
	var answer string
	field := huh.NewInput().Title(title).EchoMode(huh.EchoModePassword).Value(&answer)
	form := huh.NewForm(huh.NewGroup(field)).WithAccessible(h.Accessible).WithInput(h.In).WithOutput(h.Out)
	if err := form.Run(); err != nil {
		if errors.Is(err, huh.ErrUserAborted) {
			return "", ErrCancelled
		}
		return "", err
	}
	return answer, nil
}
