package secret

import (
	"strings"
	"testing"
)

// FuzzRedact checks the Redactor's promise: a registered secret, in any of
// the encodings output can carry, is covered by a mask wherever it occurs
// in the text, whatever surrounds it. When the secret shares no character
// with the masks, it must also be absent from the redacted text.
func FuzzRedact(f *testing.F) {
	f.Fuzz(func(t *testing.T, sec, before, after string) {
		if len(sec) < minLen {
			return
		}
		var r Redactor
		r.Add(sec)
		for name, enc := range encodings {
			form := enc(sec)
			text := before + form + after
			spans := r.spans(text)
			for off := 0; ; {
				i := strings.Index(text[off:], form)
				if i < 0 {
					break
				}
				start, end := off+i, off+i+len(form)
				covered := false
				for _, sp := range spans {
					if sp.start <= start && end <= sp.end {
						covered = true
						break
					}
				}
				if !covered {
					t.Fatalf("%s form %q of %q at %d is not masked in %q (spans %v)", name, form, sec, start, text, spans)
				}
				off = start + 1
			}
			if !strings.ContainsAny(sec, "…*%\\") && strings.Contains(r.Redact(text), form) {
				t.Fatalf("%s form %q of %q survived in %q", name, form, sec, r.Redact(text))
			}
		}
	})
}
