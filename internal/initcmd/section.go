package initcmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/framework"
)

// SchemaURL is the $schema a new convex.json points at, as in the Convex
// docs; the file ships with the convex npm package.
const SchemaURL = "./node_modules/convex/schemas/convex.schema.json"

// obj is a JSON object whose members are written in this order. Values are
// string, []string or obj.
type obj []member

type member struct {
	key   string
	value any
}

// The hosts Vercel gives preview and production builds, as the Convex docs
// use them.
const (
	previewHost = "https://${buildEnv.VERCEL_BRANCH_URL}"
	prodHost    = "https://${buildEnv.VERCEL_PROJECT_PRODUCTION_URL}"
)

// DevURL is the app's origin on the local dev server.
func DevURL(port int) string { return fmt.Sprintf("http://localhost:%d", port) }

// authKitSection builds the authKit section the Convex docs give for fw,
// with the dev server on port. Preview deployments redirect to their own
// branch URL but keep the production homepage, as in the docs: the preview
// WorkOS environment is shared by every branch, and each build would
// otherwise move its homepage to its own branch.
func authKitSection(fw *framework.Framework, port int) obj {
	dev := DevURL(port)
	devVars := obj{{fw.ClientIDVar, "${authEnv.WORKOS_CLIENT_ID}"}}
	if fw.NeedsAPIKey() {
		devVars = append(devVars, member{fw.APIKeyVar, "${authEnv.WORKOS_API_KEY}"})
	}
	devVars = append(devVars, member{fw.RedirectURIVar, dev + fw.CallbackPath})

	prod := obj{}
	if fw.ProductionEnvironmentType {
		prod = append(prod, member{"environmentType", "production"})
	}
	prod = append(prod, member{"configure", configure(fw, prodHost+fw.CallbackPath, prodHost, prodHost)})
	return obj{
		{"dev", obj{
			{"configure", configure(fw, dev+fw.CallbackPath, dev, dev)},
			{"localEnvVars", devVars},
		}},
		{"preview", obj{{"configure", configure(fw, previewHost+fw.CallbackPath, prodHost, previewHost)}}},
		{"prod", prod},
	}
}

func configure(fw *framework.Framework, redirect, homepage, origin string) obj {
	c := obj{{"redirectUris", []string{redirect}}, {"appHomepageUrl", homepage}}
	if fw.CORS {
		c = append(c, member{"corsOrigins", []string{origin}})
	}
	return c
}

// style is how a file lays out JSON: its indent unit and line ending, or
// everything on one line.
type style struct {
	indent  string
	newline string
	compact bool
}

var defaultStyle = style{indent: "  ", newline: "\n"}

// render writes v as JSON whose closing brace lines up with base. Arrays of
// strings stay on one line, as in the Convex docs.
func (s style) render(v any, base string) string {
	var b strings.Builder
	s.write(&b, v, base)
	return b.String()
}

func (s style) write(b *strings.Builder, v any, base string) {
	switch v := v.(type) {
	case string:
		b.WriteString(jsonString(v))
	case []string:
		sep := ", "
		if s.compact {
			sep = ","
		}
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteString(sep)
			}
			b.WriteString(jsonString(e))
		}
		b.WriteByte(']')
	case obj:
		if len(v) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteByte('{')
		inner := base + s.indent
		for i, m := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			if s.compact {
				b.WriteString(jsonString(m.key) + ":")
			} else {
				b.WriteString(s.newline + inner + jsonString(m.key) + ": ")
			}
			s.write(b, m.value, inner)
		}
		if !s.compact {
			b.WriteString(s.newline + base)
		}
		b.WriteByte('}')
	default:
		panic("initcmd: unsupported JSON value")
	}
}

// jsonString quotes s as JSON without escaping <, > and &, which are
// harmless in a config file and common in URLs.
func jsonString(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(buf.String(), "\n")
}
