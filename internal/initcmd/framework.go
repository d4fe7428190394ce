// Package initcmd implements `convex-authkit init`: it detects the web
// framework and dev server port of a project, asks for what it cannot
// detect, writes the authKit section of convex.json for that framework
// (keeping the rest of the file byte for byte), and has convex/auth.config.ts
// and .env.local generated to match.
package initcmd

import (
	"fmt"
	"strings"
)

// Framework is what init needs to know about one web framework: how to find
// it in package.json, which port its dev server uses, where WorkOS sends the
// browser back, and under which names its code reads the WorkOS settings.
type Framework struct {
	// ID is the value of --framework.
	ID   string
	Name string
	// Signals identify the framework in package.json: it is detected when
	// every package of any one set is a dependency.
	Signals [][]string
	// DefaultPort is the dev server's port when nothing overrides it.
	DefaultPort int
	// ReadsViteConfig says the dev server is Vite, so server.port in
	// vite.config.* sets the port.
	ReadsViteConfig bool
	// CLIs are the commands in package.json scripts whose --port/-p flag
	// sets the dev server port.
	CLIs []string
	// HonoursPORT says the dev server also takes its port from PORT=.
	HonoursPORT bool
	// CallbackPath is the route the framework's AuthKit SDK handles the
	// redirect from WorkOS on, in the WorkOS and Convex examples.
	CallbackPath string
	// ClientIDVar, RedirectURIVar and APIKeyVar are the variable names the
	// app reads; APIKeyVar is empty for browser-only SDKs, which must never
	// see the key.
	ClientIDVar    string
	RedirectURIVar string
	APIKeyVar      string
	// CORS says browser code calls the WorkOS API directly (authkit-js and
	// authkit-react), so the app's origin must be an allowed CORS origin.
	CORS bool
	// CookiePassword says the server SDK seals its session cookie with
	// WORKOS_COOKIE_PASSWORD (at least 32 characters).
	CookiePassword bool
	// ProductionEnvironmentType writes environmentType "production" in the
	// prod section, as the Convex docs do for this framework.
	ProductionEnvironmentType bool
	// APIHostnameVar is where the app takes a custom auth domain from.
	APIHostnameVar string
}

// The supported frameworks, in the order detection tries them: a TanStack
// Start or React Router app also depends on Vite, so Vite comes last.
var (
	TanStackStart = &Framework{
		ID: "tanstack-start", Name: "TanStack Start",
		Signals:     [][]string{{"@tanstack/react-start"}, {"@tanstack/start"}, {"@workos/authkit-tanstack-react-start"}},
		DefaultPort: 3000, ReadsViteConfig: true, CLIs: []string{"vite", "vinxi"},
		CallbackPath: "/callback",
		ClientIDVar:  "WORKOS_CLIENT_ID", RedirectURIVar: "WORKOS_REDIRECT_URI", APIKeyVar: "WORKOS_API_KEY",
		CookiePassword: true, APIHostnameVar: "WORKOS_API_HOSTNAME",
	}
	NextJS = &Framework{
		ID: "nextjs", Name: "Next.js",
		Signals:     [][]string{{"next"}, {"@workos-inc/authkit-nextjs"}},
		DefaultPort: 3000, CLIs: []string{"next"}, HonoursPORT: true,
		CallbackPath: "/callback",
		ClientIDVar:  "WORKOS_CLIENT_ID", RedirectURIVar: "NEXT_PUBLIC_WORKOS_REDIRECT_URI", APIKeyVar: "WORKOS_API_KEY",
		CookiePassword: true, ProductionEnvironmentType: true, APIHostnameVar: "WORKOS_API_HOSTNAME",
	}
	// ReactRouter is React Router 7 in framework mode (the Remix successor),
	// which @workos-inc/authkit-react-router supports. A Vite SPA that only
	// uses react-router for client-side routing is ViteReact.
	ReactRouter = &Framework{
		ID: "react-router", Name: "React Router",
		Signals:     [][]string{{"@react-router/dev"}, {"@workos-inc/authkit-react-router"}},
		DefaultPort: 5173, ReadsViteConfig: true, CLIs: []string{"react-router", "vite"},
		CallbackPath: "/callback",
		ClientIDVar:  "WORKOS_CLIENT_ID", RedirectURIVar: "WORKOS_REDIRECT_URI", APIKeyVar: "WORKOS_API_KEY",
		CookiePassword: true, APIHostnameVar: "WORKOS_API_HOSTNAME",
	}
	ViteReact = &Framework{
		ID: "vite", Name: "Vite + React",
		Signals:     [][]string{{"@workos-inc/authkit-react"}, {"@vitejs/plugin-react"}, {"@vitejs/plugin-react-swc"}, {"vite", "react"}},
		DefaultPort: 5173, ReadsViteConfig: true, CLIs: []string{"vite"},
		CallbackPath: "/callback",
		ClientIDVar:  "VITE_WORKOS_CLIENT_ID", RedirectURIVar: "VITE_WORKOS_REDIRECT_URI",
		CORS: true, APIHostnameVar: "VITE_WORKOS_API_HOSTNAME",
	}
	Frameworks = []*Framework{TanStackStart, NextJS, ReactRouter, ViteReact}
)

// FrameworkIDs lists the values --framework accepts, for messages.
func FrameworkIDs() string {
	ids := make([]string, len(Frameworks))
	for i, f := range Frameworks {
		ids[i] = f.ID
	}
	return strings.Join(ids, ", ")
}

// ParseFramework accepts a --framework value.
func ParseFramework(id string) (*Framework, error) {
	for _, f := range Frameworks {
		if f.ID == id {
			return f, nil
		}
	}
	return nil, fmt.Errorf("unknown framework %q: use one of %s", id, FrameworkIDs())
}

// NeedsAPIKey says the app reads the WorkOS API key from .env.local.
func (f *Framework) NeedsAPIKey() bool { return f.APIKeyVar != "" }

// DevURL is the app's origin on the local dev server.
func DevURL(port int) string { return fmt.Sprintf("http://localhost:%d", port) }
