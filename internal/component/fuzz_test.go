package component

import (
	"strings"
	"testing"
)

// FuzzScan feeds the scanner arbitrary source: it must never panic, every
// token must lie inside the input, and the list reader must stop.
func FuzzScan(f *testing.F) {
	f.Add(configUse)
	f.Add(httpRoutes)
	f.Add(`new AuthKit(c, { additionalEventTypes: ["a", ...b, 'c' as const] }); authKit.actions({})`)
	f.Add("`unterminated ${x}")
	f.Add("/* open comment")
	f.Add(`const x = require("@convex-dev/workos-authkit")`)
	f.Fuzz(func(t *testing.T, src string) {
		toks := scan(src)
		lines := strings.Count(src, "\n") + 1
		for i, tk := range toks {
			if tk.line < 1 || tk.line > lines || tk.col < 1 {
				t.Fatalf("token %q at %d:%d outside the input", tk.text, tk.line, tk.col)
			}
			if tk.kind == tokIdent && (tk.text == "" || !strings.Contains(src, tk.text)) {
				t.Fatalf("identifier %q not in the input", tk.text)
			}
			if tk.kind == tokPunct && len(tk.text) != 1 {
				t.Fatalf("punctuation %q longer than a byte", tk.text)
			}
			stringList(toks, i)
		}
		importsFrom(toks, func(string) bool { return true })
		calls(toks, "use")
	})
}
