package doctor

import (
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/diag"
	"github.com/convex-authkit/convex-authkit/internal/framework"
	"github.com/convex-authkit/convex-authkit/internal/initcmd"
	"github.com/convex-authkit/convex-authkit/internal/netpolicy"
	"github.com/convex-authkit/convex-authkit/internal/resolve"
	"github.com/convex-authkit/convex-authkit/internal/safefile"
)

// The checks here look at the app's source tree rather than its variables:
// the dev server's port, the route WorkOS sends users back to, and Next.js's
// middleware. They are what a user who followed the framework's quick start
// gets wrong without any variable being wrong.

// localURL is a URL that points at this machine, with its port and where
// it is written.
type localURL struct {
	value string
	port  int
	at    diag.Problem
}

// localURL reads raw; ok is false unless it points at this machine.
func newLocalURL(raw string, at diag.Problem) (localURL, bool) {
	u, err := url.Parse(raw)
	if err != nil || !netpolicy.IsLocalHost(u.Hostname()) {
		return localURL{}, false
	}
	port, _ := strconv.Atoi(u.Port())
	if port == 0 {
		port = map[string]int{"http": 80, "https": 443}[u.Scheme]
	}
	return localURL{raw, port, at}, true
}

// localURLs keeps the resolved section values that point at this machine.
func (d *doctor) localURLs(vs []resolve.Value) []localURL {
	var out []localURL
	for _, v := range vs {
		if !v.Resolved {
			continue
		}
		if l, ok := newLocalURL(v.Value, diag.Problem{File: d.cfg.File, Path: v.Path, Line: v.Line, Column: v.Column}); ok {
			out = append(out, l)
		}
	}
	return out
}

// envDevPort is env.dev-port: the localhost URLs of the dev section must
// name the port the dev server listens on, found as init finds it
// (package.json scripts, then the Vite config, then the framework default).
func (d *doctor) envDevPort() Check {
	switch {
	case !d.local():
		return skip(IDEnvDevPort, fmt.Sprintf("authKit.%s is not served by the local dev server", d.env))
	case d.fw == nil:
		return skip(IDEnvDevPort, "the framework is not known (no package.json naming one), so neither is its dev server's port")
	case d.sec == nil || !d.sec.Configured:
		return skip(IDEnvDevPort, "no authKit.dev section to compare with")
	}
	port, source, err := initcmd.DetectPort(d.opts.Dir, d.pkg, d.fw)
	if err != nil {
		return newCheck(IDEnvDevPort, StatusError, fmt.Sprintf("cannot read the dev server's port: %v", err), "")
	}
	redirects := d.localURLs(d.sec.RedirectURIs)
	// The variable the app sends to WorkOS decides which redirect URI is in
	// use; without it, any local one on the right port will do.
	if v, ok := d.src.Lookup(d.fw.RedirectURIVar); ok && v.Value != "" {
		if l, ok := newLocalURL(v.Value, diag.Problem{File: v.File, Line: v.Line, Path: v.Name}); ok {
			redirects = []localURL{l}
		}
	}
	var homepage, origins []localURL
	if d.sec.AppHomepageURL != nil {
		homepage = d.localURLs([]resolve.Value{*d.sec.AppHomepageURL})
	}
	if d.fw.CORS {
		origins = d.localURLs(d.sec.CORSOrigins)
	}
	if len(redirects)+len(homepage)+len(origins) == 0 {
		return skip(IDEnvDevPort, "authKit.dev has no localhost URL to compare with the dev server's port")
	}
	onPort := func(l localURL) bool { return l.port == port }
	var failing, warning []diag.Problem
	add := func(to *[]diag.Problem, ls []localURL, what string) {
		for _, l := range ls {
			if !onPort(l) {
				p := l.at
				p.Severity = diag.SeverityError
				p.Message = fmt.Sprintf("%s %s is on port %d", what, l.value, l.port)
				*to = append(*to, p)
			}
		}
	}
	// One redirect URI or origin on the port is enough: the others may
	// serve a second app or an old port on purpose.
	if !slices.ContainsFunc(redirects, onPort) {
		add(&failing, redirects, "the redirect URI")
	}
	if !slices.ContainsFunc(origins, onPort) {
		add(&failing, origins, "the CORS origin")
	}
	add(&warning, homepage, "the homepage")
	details := map[string]any{"port": port, "source": source}
	if len(failing)+len(warning) == 0 {
		return pass(IDEnvDevPort, fmt.Sprintf("the dev server listens on %d (%s), as authKit.dev's localhost URLs say", port, source)).with(details)
	}
	all := append(failing, warning...)
	msg := fmt.Sprintf("the dev server listens on %d (%s), but %s", port, source, all[0].Message)
	hint := fmt.Sprintf("use port %d in authKit.dev's localhost URLs and run `convex-authkit apply` (and `convex-authkit generate env --force` for the app's variables), or make the dev server listen where they say", port)
	c := warn(IDEnvDevPort, msg, "WorkOS links back to a port nothing listens on; "+hint)
	if len(failing) > 0 {
		c = fail(IDEnvDevPort, msg, "sign-in sends the browser to a port nothing listens on; "+hint)
	}
	for _, p := range all {
		if p.File != "" {
			c = c.at(p)
		}
	}
	return c.with(details)
}

// callbackPaths are the paths of the redirect URIs the app may use: the one
// its variable names, else every one of the section. A bare origin is
// config.urls' business.
func (d *doctor) callbackPaths() []string {
	var values []string
	if v, ok := d.src.Lookup(d.fw.RedirectURIVar); ok && v.Value != "" {
		values = []string{v.Value}
	} else {
		for _, r := range onlyResolved(d.sec.RedirectURIs) {
			values = append(values, r.Value)
		}
	}
	var paths []string
	for _, raw := range values {
		u, err := url.Parse(raw)
		if err != nil || u.Path == "" || u.Path == "/" {
			continue
		}
		if p := path.Clean(u.Path); !slices.Contains(paths, p) {
			paths = append(paths, p)
		}
	}
	return paths
}

// envCallbackRoute is env.callback-route: the path WorkOS sends users back
// to must be a route of the app that runs the SDK's callback handler, or
// sign-in ends on a 404.
func (d *doctor) envCallbackRoute() Check {
	switch {
	case d.fw == nil:
		return skip(IDEnvCallbackRoute, "the framework is not known (no package.json naming one), so neither are its route files")
	case d.fw.CORS:
		return skip(IDEnvCallbackRoute, d.fw.Name+" completes sign-in in the browser, on any path the dev server serves: no route file to look for")
	case d.sec == nil || !d.sec.Configured:
		return skip(IDEnvCallbackRoute, fmt.Sprintf("no authKit.%s section names a redirect URI", d.env))
	}
	paths := d.callbackPaths()
	if len(paths) == 0 {
		return skip(IDEnvCallbackRoute, "no redirect URI with a path to look for")
	}
	routes, searched, present, err := findRoutes(d.opts.Dir, d.fw)
	if err != nil {
		return newCheck(IDEnvCallbackRoute, StatusError, fmt.Sprintf("cannot read the app's routes: %v", err), "")
	}
	details := map[string]any{"paths": paths, "searched": searched}
	if !present {
		return warn(IDEnvCallbackRoute, fmt.Sprintf("found no %s route files (looked in %s)", d.fw.Name, strings.Join(searched, ", ")),
			fmt.Sprintf("add the route %s that calls the AuthKit SDK's callback handler: %s", paths[0], callbackRouteExample(d.fw, paths[0]))).with(details)
	}
	var found, missing []string
	for _, p := range paths {
		if i := slices.IndexFunc(routes, func(r route) bool { return r.matches(p) }); i >= 0 {
			found = append(found, fmt.Sprintf("%s (%s)", p, routes[i].file))
		} else {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return fail(IDEnvCallbackRoute, fmt.Sprintf("no %s route handles %s, where WorkOS sends users back after sign-in", d.fw.Name, strings.Join(missing, " or ")),
			fmt.Sprintf("sign-in would end on a 404: %s", callbackRouteExample(d.fw, missing[0]))).with(details)
	}
	return pass(IDEnvCallbackRoute, "the callback route exists: "+strings.Join(found, ", ")).with(details)
}

// callbackRouteExample says which file to add, in the framework's layout.
func callbackRouteExample(fw *framework.Framework, p string) string {
	p = strings.TrimPrefix(p, "/")
	switch fw {
	case framework.NextJS:
		return fmt.Sprintf("create app/%s/route.ts with `export const GET = handleAuth();` (from @workos-inc/authkit-nextjs)", p)
	case framework.ReactRouter:
		return fmt.Sprintf("create app/routes/%s.tsx whose loader is the SDK's authLoader(), and list it in app/routes.ts", strings.ReplaceAll(p, "/", "."))
	}
	return fmt.Sprintf("create src/routes/%s.tsx that calls the SDK's callback handler", p)
}

// route is a URL pattern a route file serves.
type route struct {
	segments []string
	file     string
}

// matches compares a path with the pattern: a dynamic segment ([id], $id)
// matches any one segment, a catch-all ([...all], [[...all]], a bare $)
// the rest.
func (r route) matches(p string) bool {
	parts := strings.FieldsFunc(p, func(c rune) bool { return c == '/' })
	for i, s := range r.segments {
		if strings.HasPrefix(s, "[...") || strings.HasPrefix(s, "[[...") || s == "$" {
			return true
		}
		if i >= len(parts) {
			return false
		}
		if s != parts[i] && !strings.HasPrefix(s, "[") && !strings.HasPrefix(s, "$") && !strings.HasPrefix(s, ":") {
			return false
		}
	}
	return len(parts) == len(r.segments)
}

var routeExts = []string{".ts", ".tsx", ".js", ".jsx", ".mjs"}

// findRoutes lists the routes of fw's file-based router, the directories
// it looked in, and whether any of them exists (an app laid out some other
// way gets a warning, not a failure). React Router's app/routes.ts may name routes
// in code: a route("path", ...) call there counts as a route too.
func findRoutes(dir string, fw *framework.Framework) (routes []route, searched []string, present bool, err error) {
	walk := func(root string, toRoute func(rel string) ([]string, bool)) error {
		searched = append(searched, root+"/")
		base := filepath.Join(dir, filepath.FromSlash(root))
		err := filepath.WalkDir(base, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() {
				if e.Name() == "node_modules" || strings.HasPrefix(e.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			ext := filepath.Ext(p)
			if !slices.Contains(routeExts, ext) {
				return nil
			}
			rel, _ := filepath.Rel(base, p)
			rel = filepath.ToSlash(rel)
			if segs, ok := toRoute(strings.TrimSuffix(rel, ext)); ok {
				routes = append(routes, route{segs, root + "/" + rel})
			}
			return nil
		})
		if os.IsNotExist(err) {
			return nil
		}
		present = true
		return err
	}
	switch fw {
	case framework.NextJS:
		for _, root := range []string{"app", "src/app"} {
			if err = walk(root, nextAppRoute); err != nil {
				return nil, nil, false, err
			}
		}
		for _, root := range []string{"pages", "src/pages"} {
			if err = walk(root, nextPagesRoute); err != nil {
				return nil, nil, false, err
			}
		}
	case framework.ReactRouter:
		if err = walk("app/routes", flatRoute); err != nil {
			return nil, nil, false, err
		}
		for _, name := range []string{"app/routes.ts", "app/routes.js"} {
			src, err := safefile.Read(filepath.Join(dir, filepath.FromSlash(name)), safefile.Options{Limit: 1 << 20, What: name})
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				return nil, nil, false, err
			}
			searched, present = append(searched, name), true
			for _, m := range routeCall.FindAllStringSubmatch(string(src), -1) {
				routes = append(routes, route{strings.FieldsFunc(m[1], func(c rune) bool { return c == '/' }), name})
			}
		}
	default:
		for _, root := range []string{"src/routes", "app/routes"} {
			if err = walk(root, flatRoute); err != nil {
				return nil, nil, false, err
			}
		}
	}
	return routes, searched, present, nil
}

// routeCall finds route("path", ...) in React Router's routes.ts.
var routeCall = regexp.MustCompile(`\broute\(\s*["'` + "`" + `]/?([^"'` + "`" + `]*)["'` + "`" + `]`)

// nextAppRoute maps app/<segments>/route.ts to its URL: route groups
// "(name)" and parallel-route slots "@name" are not in the URL, and
// "_private" folders are not routed at all.
func nextAppRoute(rel string) ([]string, bool) {
	parts := strings.Split(rel, "/")
	if parts[len(parts)-1] != "route" {
		return nil, false
	}
	var segs []string
	for _, s := range parts[:len(parts)-1] {
		switch {
		case strings.HasPrefix(s, "_"):
			return nil, false
		case strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")"), strings.HasPrefix(s, "@"):
		default:
			segs = append(segs, s)
		}
	}
	return segs, true
}

// nextPagesRoute maps pages/a/b.ts (or pages/a/b/index.ts) to /a/b;
// _app, _document and the like are not routes.
func nextPagesRoute(rel string) ([]string, bool) {
	parts := strings.Split(rel, "/")
	if strings.HasPrefix(parts[len(parts)-1], "_") {
		return nil, false
	}
	if parts[len(parts)-1] == "index" {
		parts = parts[:len(parts)-1]
	}
	return parts, true
}

// flatRoute maps a TanStack Router or React Router file route to its URL:
// "." and "/" both separate segments, "index"/"_index" and "route" name the
// parent itself, "_layout" segments and "(group)" folders are pathless, a
// trailing "_" only breaks out of a layout, and "-" prefixed files are
// ignored by TanStack.
func flatRoute(rel string) ([]string, bool) {
	parts := strings.FieldsFunc(rel, func(c rune) bool { return c == '/' || c == '.' })
	if len(parts) == 0 || strings.HasPrefix(parts[len(parts)-1], "-") || parts[len(parts)-1] == "__root" {
		return nil, false
	}
	var segs []string
	for i, s := range parts {
		last := i == len(parts)-1
		switch {
		case last && (s == "index" || s == "_index" || s == "route"):
		case strings.HasPrefix(s, "_"):
		case strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")"):
		default:
			segs = append(segs, strings.TrimSuffix(s, "_"))
		}
	}
	return segs, true
}

// middlewareNames are the files Next.js runs before every request:
// middleware.ts, renamed proxy.ts in Next.js 16.
var middlewareNames = []string{"middleware", "proxy"}

// envMiddleware is env.middleware: Next.js's AuthKit SDK keeps the session
// in its middleware (authkitMiddleware, or authkit() in a proxy), which
// Next.js only runs from the project root, or from src/ when the app lives
// there.
func (d *doctor) envMiddleware() Check {
	if d.fw != framework.NextJS {
		return skip(IDEnvMiddleware, "only Next.js's AuthKit SDK needs a middleware file")
	}
	dir := "" // where Next.js looks: next to app/ or pages/
	for _, p := range []string{"src/app", "src/pages"} {
		if st, err := os.Stat(filepath.Join(d.opts.Dir, filepath.FromSlash(p))); err == nil && st.IsDir() {
			dir = "src/"
		}
	}
	var found, ignored string
	for _, prefix := range []string{"", "src/"} {
		for _, n := range middlewareNames {
			for _, ext := range routeExts {
				name := prefix + n + ext
				if _, err := os.Stat(filepath.Join(d.opts.Dir, filepath.FromSlash(name))); err != nil {
					continue
				}
				if prefix == dir && found == "" {
					found = name
				} else if prefix != dir && ignored == "" {
					ignored = name
				}
			}
		}
	}
	create := fmt.Sprintf("create %smiddleware.ts (%sproxy.ts from Next.js 16) with `export default authkitMiddleware();` from @workos-inc/authkit-nextjs", dir, dir)
	switch {
	case found == "" && ignored != "":
		return fail(IDEnvMiddleware, fmt.Sprintf("%s is not where Next.js looks: with the app in %s, it runs only %smiddleware.ts or %sproxy.ts", ignored, strings.TrimSuffix(dir, "/")+"/", dir, dir),
			"move it to "+dir+strings.TrimPrefix(ignored, "src/")).with(map[string]any{"file": ignored})
	case found == "":
		return fail(IDEnvMiddleware, "no middleware.ts or proxy.ts: Next.js's AuthKit SDK reads and refreshes the session there, and withAuth() fails without it", create)
	}
	src, err := safefile.Read(filepath.Join(d.opts.Dir, filepath.FromSlash(found)), safefile.Options{Limit: 1 << 20, What: found})
	if err != nil {
		return newCheck(IDEnvMiddleware, StatusError, fmt.Sprintf("cannot read %s: %v", found, err), "")
	}
	if !strings.Contains(strings.ToLower(string(src)), "authkit") {
		return warn(IDEnvMiddleware, found+" does not mention AuthKit (authkitMiddleware or authkit)",
			"call authkitMiddleware() from @workos-inc/authkit-nextjs in it, or authkit() inside your own middleware").with(map[string]any{"file": found})
	}
	return pass(IDEnvMiddleware, found+" runs AuthKit").with(map[string]any{"file": found})
}
