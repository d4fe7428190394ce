package ghactions

import (
	"fmt"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/diag"
)

// Markdown builds one section of the job summary. Every text put in it
// passes through the redactor given to NewMarkdown, so a section cannot
// carry a secret the command's own output would have masked.
type Markdown struct {
	b      strings.Builder
	redact func(string) string
}

// NewMarkdown starts a section under a level-3 heading.
func NewMarkdown(heading string, redact func(string) string) *Markdown {
	if redact == nil {
		redact = func(s string) string { return s }
	}
	m := &Markdown{redact: redact}
	fmt.Fprintf(&m.b, "### %s\n\n", m.inline(heading))
	return m
}

// Para adds a paragraph.
func (m *Markdown) Para(text string) {
	fmt.Fprintf(&m.b, "%s\n\n", m.inline(text))
}

// Table adds a table; cells are plain text, shown as code when code is
// true for their column (URLs and names read better so, and need no
// escaping of Markdown's own characters).
func (m *Markdown) Table(header []string, code []bool, rows [][]string) {
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(&m.b, "| %s |\n|%s\n", strings.Join(header, " | "), strings.Repeat(" --- |", len(header)))
	for _, row := range rows {
		cells := make([]string, len(row))
		for i, c := range row {
			c = m.cell(c)
			if i < len(code) && code[i] && c != "" {
				c = "`" + strings.ReplaceAll(c, "`", "'") + "`"
			}
			cells[i] = c
		}
		fmt.Fprintf(&m.b, "| %s |\n", strings.Join(cells, " | "))
	}
	m.b.WriteString("\n")
}

// Problems adds a table of located problems.
func (m *Markdown) Problems(ps []diag.Problem) {
	rows := make([][]string, len(ps))
	for i, p := range ps {
		rows[i] = []string{p.Severity, p.Location(), p.Message, p.Hint}
	}
	m.Table([]string{"", "where", "problem", "hint"}, []bool{false, true, false, false}, rows)
}

// String is the section, ending in a blank line so the next one starts
// cleanly.
func (m *Markdown) String() string { return m.b.String() }

// inline redacts text and keeps it on one line of Markdown.
func (m *Markdown) inline(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(m.redact(s), "\r", ""), "\n", "  \n")
}

// cell redacts text for a table cell: | would end the cell and a newline
// the row.
func (m *Markdown) cell(s string) string {
	s = strings.ReplaceAll(m.redact(s), "|", `\|`)
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r", ""), "\n", "<br>")
}
