// Package deployment reaches the Convex deployment an app runs on: it finds
// the deployment as the Convex CLI does, and reads and writes what auth
// depends on there (environment variables, the auth providers of the last
// push, the site URL).
//
// How to use it from a command (apply, doctor, init, config):
//
//	src, _ := resolve.Load(resolve.Options{Dir: dir, Env: f.Env})
//	t, err := deployment.Connect(deployment.Options{Vars: src, ConvexURL: flagURL, Dir: dir})
//	if err != nil { return deployment.CommandError(err, "") }          // exit 3
//	redactor.Add(t.AdminKey())                                           // never printed
//	fmt.Fprintln(io.ErrOut, "Using "+t.Describe())                      // "deployment happy-otter-123 via CONVEX_DEPLOY_KEY"
//	d, err := deployment.Open(t, deployment.ClientOptions{Env: f.Env, Log: verboseLog})
//	vars, err := d.ListEnv(ctx)                                          // values are secrets
//	err = d.UpdateEnv(ctx, []deployment.Change{deployment.Set("WORKOS_CLIENT_ID", id)})
//	providers, err := d.AuthProviders(ctx)
//	if err != nil { return deployment.CommandError(err, t.Via) }         // 4 refused key, 1 otherwise
//
// Errors: *UsageError is bad input (exit 3, nothing sent); *Error is a failed
// exchange whose Kind tells a refused key (401/403) from no answer, a
// failing server, an answer that is not Convex's JSON, a failed system query
// (KindFunction: report "could not read the stored providers", never a pass
// or a fail) and a failed CLI run. ExitCode and CommandError map them.
//
// Only UpdateEnv writes, in one request the deployment applies as one
// transaction. Reads and that update are retried on transport errors, 429
// and 5xx (timing from internal/httpretry). The HTTP client never follows a
// redirect and refuses http:// to a host that is not this machine
// (internal/netpolicy). The verbose log shows method, path, status and time;
// error texts name the target by Describe. Neither ever holds the key or a
// value.
//
// Without a key, a project with node_modules/.bin/convex is reached through
// that CLI (ViaCLI): `convex run` on the system queries, `convex env set`
// with the value on stdin, `convex env remove`. The CLI has no batch write
// usable without its WebSocket, so there UpdateEnv is one command per change
// and its error lists what was already applied.
//
// internal/deployment/deployemu is a deployment emulator for tests, the demo
// and `convex-authkit emulate`.
package deployment
