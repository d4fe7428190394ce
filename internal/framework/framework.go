// Package framework knows the web frameworks convex-authkit sets AuthKit up
// for: how package.json names each, which port its dev server uses, where
// WorkOS sends the browser back, and under which names its code reads the
// WorkOS settings. init chooses from it, generate env names the project by
// it, and doctor checks against it.
package framework

import (
	"fmt"
	"strings"
)

// Framework is one web framework and what its AuthKit SDK needs.
type Framework struct {
	// ID is the value of init's --framework, and the name JSON output uses.
	ID   string
	Name string
	// Signals identify the framework in package.json for init and doctor:
	// it is detected when every package of any one set is a dependency.
	Signals [][]string
	// ConvexSignals are how generate env recognises it, following the
	// Convex CLI, whose convex dev looks for next, and for @tanstack/start
	// or @tanstack/react-start, before generating WORKOS_COOKIE_PASSWORD.
	// They are looser than Signals: Vite without React is still Vite.
	ConvexSignals [][]string
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
	// WORKOS_COOKIE_PASSWORD (at least 32 characters), so init has one
	// generated.
	CookiePassword bool
	// ConvexCookiePassword says the Convex CLI generates
	// WORKOS_COOKIE_PASSWORD for it (Next.js and TanStack Start, not React
	// Router), as generate env does for a framework it detects.
	ConvexCookiePassword bool
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
		Signals:       [][]string{{"@tanstack/react-start"}, {"@tanstack/start"}, {"@workos/authkit-tanstack-react-start"}},
		ConvexSignals: [][]string{{"@tanstack/react-start"}, {"@tanstack/start"}},
		DefaultPort:   3000, ReadsViteConfig: true, CLIs: []string{"vite", "vinxi"},
		CallbackPath: "/callback",
		ClientIDVar:  "WORKOS_CLIENT_ID", RedirectURIVar: "WORKOS_REDIRECT_URI", APIKeyVar: "WORKOS_API_KEY",
		CookiePassword: true, ConvexCookiePassword: true, APIHostnameVar: "WORKOS_API_HOSTNAME",
	}
	NextJS = &Framework{
		ID: "nextjs", Name: "Next.js",
		Signals:       [][]string{{"next"}, {"@workos-inc/authkit-nextjs"}},
		ConvexSignals: [][]string{{"next"}},
		DefaultPort:   3000, CLIs: []string{"next"}, HonoursPORT: true,
		CallbackPath: "/callback",
		ClientIDVar:  "WORKOS_CLIENT_ID", RedirectURIVar: "NEXT_PUBLIC_WORKOS_REDIRECT_URI", APIKeyVar: "WORKOS_API_KEY",
		CookiePassword: true, ConvexCookiePassword: true, ProductionEnvironmentType: true, APIHostnameVar: "WORKOS_API_HOSTNAME",
	}
	// ReactRouter is React Router 7 in framework mode (the Remix successor),
	// which @workos-inc/authkit-react-router supports. A Vite SPA that only
	// uses react-router for client-side routing is ViteReact.
	ReactRouter = &Framework{
		ID: "react-router", Name: "React Router",
		Signals:       [][]string{{"@react-router/dev"}, {"@workos-inc/authkit-react-router"}},
		ConvexSignals: [][]string{{"@react-router/dev"}},
		DefaultPort:   5173, ReadsViteConfig: true, CLIs: []string{"react-router", "vite"},
		CallbackPath: "/callback",
		ClientIDVar:  "WORKOS_CLIENT_ID", RedirectURIVar: "WORKOS_REDIRECT_URI", APIKeyVar: "WORKOS_API_KEY",
		CookiePassword: true, APIHostnameVar: "WORKOS_API_HOSTNAME",
	}
	ViteReact = &Framework{
		ID: "vite", Name: "Vite + React",
		Signals:       [][]string{{"@workos-inc/authkit-react"}, {"@vitejs/plugin-react"}, {"@vitejs/plugin-react-swc"}, {"vite", "react"}},
		ConvexSignals: [][]string{{"vite"}},
		DefaultPort:   5173, ReadsViteConfig: true, CLIs: []string{"vite"},
		CallbackPath: "/callback",
		ClientIDVar:  "VITE_WORKOS_CLIENT_ID", RedirectURIVar: "VITE_WORKOS_REDIRECT_URI",
		CORS: true, APIHostnameVar: "VITE_WORKOS_API_HOSTNAME",
	}
	All = []*Framework{TanStackStart, NextJS, ReactRouter, ViteReact}
)

// IDs lists the values --framework accepts, for messages.
func IDs() string {
	ids := make([]string, len(All))
	for i, f := range All {
		ids[i] = f.ID
	}
	return strings.Join(ids, ", ")
}

// Parse accepts a --framework value.
func Parse(id string) (*Framework, error) {
	for _, f := range All {
		if f.ID == id {
			return f, nil
		}
	}
	return nil, fmt.Errorf("unknown framework %q: use one of %s", id, IDs())
}

// NeedsAPIKey says the app reads the WorkOS API key from .env.local.
func (f *Framework) NeedsAPIKey() bool { return f.APIKeyVar != "" }
