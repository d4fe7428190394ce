// Package diag describes located problems in the files the tool reads, so
// every package reports them alike and Main prints them in one place.
package diag

import (
	"fmt"
	"slices"
)

// Problem is one located complaint about an input file, printed as
// `convex.json:14:9: authKit.prod.localEnvVars: message` with its hint below.
type Problem struct {
	Severity string `json:"severity"` // "error" or "warning"
	File     string `json:"file,omitempty"`
	Path     string `json:"path,omitempty"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
	Message  string `json:"message"`
	Hint     string `json:"hint,omitempty"`
}

// Severities of a Problem.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Location renders "file:line:col: path" with the parts that are known.
func (p Problem) Location() string {
	loc := p.File
	if p.Line > 0 {
		loc += fmt.Sprintf(":%d", p.Line)
		if p.Column > 0 {
			loc += fmt.Sprintf(":%d", p.Column)
		}
	}
	if p.Path != "" {
		if loc != "" {
			loc += ": "
		}
		loc += p.Path
	}
	return loc
}

func (p Problem) String() string {
	if loc := p.Location(); loc != "" {
		return loc + ": " + p.Message
	}
	return p.Message
}

// Errors returns the problems of error severity.
func Errors(ps []Problem) []Problem { return filter(ps, SeverityError) }

// Warnings returns the problems of warning severity.
func Warnings(ps []Problem) []Problem { return filter(ps, SeverityWarning) }

func filter(ps []Problem, sev string) []Problem {
	var out []Problem
	for _, p := range ps {
		if p.Severity == sev {
			out = append(out, p)
		}
	}
	return out
}

// Promote turns every warning into an error (--strict).
func Promote(ps []Problem) []Problem {
	out := make([]Problem, len(ps))
	for i, p := range ps {
		p.Severity = SeverityError
		out[i] = p
	}
	return out
}

// WithoutPaths returns the problems whose path none of errs has: a value
// reported as an error is not also listed under an earlier warning.
func WithoutPaths(problems, errs []Problem) []Problem {
	var out []Problem
	for _, p := range problems {
		if !slices.ContainsFunc(errs, func(e Problem) bool { return e.Path == p.Path }) {
			out = append(out, p)
		}
	}
	return out
}
