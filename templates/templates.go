// Package templates embeds the text/template files that convex-authkit
// renders into users' projects. They live at the top of the repository so
// that they are easy to find and review; Go's embed cannot reach them from
// the packages that render them, hence this package.
package templates

import "embed"

// FS holds every *.tmpl file of this folder.
//
//go:embed *.tmpl
var FS embed.FS
