package authjs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/convexauth"
	"github.com/rogpeppe/go-internal/txtar"
)

// writeProject writes a txtar archive into a fresh directory and returns it.
func writeProject(t testing.TB, archive string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range txtar.Parse([]byte(archive)).Files {
		path := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const clientID = "client_01JTESTCLIENT"

var workosEnv = map[string]string{"WORKOS_CLIENT_ID": clientID}

// standardWorkOS is the config Convex's AuthKit docs ship.
const standardWorkOS = `
-- convex/auth.config.ts --
const clientId = process.env.WORKOS_CLIENT_ID;

const authConfig = {
  providers: [
    {
      type: "customJwt",
      issuer: ` + "`https://api.workos.com/`" + `,
      algorithm: "RS256",
      applicationID: clientId,
      jwks: ` + "`https://api.workos.com/sso/jwks/${clientId}`" + `,
    },
    {
      type: "customJwt",
      issuer: ` + "`https://api.workos.com/user_management/${clientId}`" + `,
      algorithm: "RS256",
      jwks: ` + "`https://api.workos.com/sso/jwks/${clientId}`" + `,
    },
  ],
};

export default authConfig;
`

const standardJSON = `{"providers":[` +
	`{"type":"customJwt","issuer":"https://api.workos.com/","algorithm":"RS256","applicationID":"` + clientID + `","jwks":"https://api.workos.com/sso/jwks/` + clientID + `"},` +
	`{"type":"customJwt","issuer":"https://api.workos.com/user_management/` + clientID + `","algorithm":"RS256","jwks":"https://api.workos.com/sso/jwks/` + clientID + `"}]}`

func TestEvaluateSucceeds(t *testing.T) {
	tests := []struct {
		name    string
		archive string
		env     map[string]string
		json    string
		read    []string
		missing []string
	}{
		{
			name:    "standard WorkOS config",
			archive: standardWorkOS,
			env:     workosEnv,
			json:    standardJSON,
			read:    []string{"WORKOS_CLIENT_ID"},
		},
		{
			name: "satisfies AuthConfig with a type import",
			archive: `
-- convex/auth.config.ts --
import type { AuthConfig } from "convex/server";

export default {
  providers: [{ domain: process.env.CLERK_ISSUER_URL!, applicationID: "convex" }],
} satisfies AuthConfig;
`,
			env:  map[string]string{"CLERK_ISSUER_URL": "https://clerk.example.com"},
			json: `{"providers":[{"domain":"https://clerk.example.com","applicationID":"convex"}]}`,
			read: []string{"CLERK_ISSUER_URL"},
		},
		{
			// esbuild drops an import whose names are only used as types, so
			// convex/server is never resolved (there is no node_modules).
			name: "satisfies AuthConfig with a plain import",
			archive: `
-- convex/auth.config.ts --
import { AuthConfig } from "convex/server";

const config: AuthConfig = {
  providers: [{ domain: "https://issuer.example.com", applicationID: "convex" }],
};
export default config satisfies AuthConfig;
`,
			json: `{"providers":[{"domain":"https://issuer.example.com","applicationID":"convex"}]}`,
		},
		{
			name: "relative helper modules, TS and JSON",
			archive: `
-- convex/auth.config.ts --
import { workosProviders } from "./lib/workos";
import defaults from "./lib/defaults.json";

export default { providers: workosProviders(process.env.WORKOS_CLIENT_ID!, defaults.algorithm) };
-- convex/lib/workos.ts --
export function workosProviders(clientId: string, algorithm: "RS256" | "ES256") {
  const jwks = ` + "`https://api.workos.com/sso/jwks/${clientId}`" + `;
  return [
    { type: "customJwt", issuer: "https://api.workos.com/", algorithm, applicationID: clientId, jwks },
    { type: "customJwt", issuer: ` + "`https://api.workos.com/user_management/${clientId}`" + `, algorithm, jwks },
  ];
}
-- convex/lib/defaults.json --
{ "algorithm": "RS256" }
`,
			env:  workosEnv,
			json: `{"providers":[{"type":"customJwt","issuer":"https://api.workos.com/","algorithm":"RS256","applicationID":"` + clientID + `","jwks":"https://api.workos.com/sso/jwks/` + clientID + `"},{"type":"customJwt","issuer":"https://api.workos.com/user_management/` + clientID + `","algorithm":"RS256","jwks":"https://api.workos.com/sso/jwks/` + clientID + `"}]}`,
			read: []string{"WORKOS_CLIENT_ID"},
		},
		{
			name: "JavaScript ES module",
			archive: `
-- convex/auth.config.js --
export default {
  providers: [{ domain: process.env.AUTH0_DOMAIN, applicationID: process.env.AUTH0_CLIENT_ID }],
};
`,
			env:  map[string]string{"AUTH0_DOMAIN": "https://tenant.us.auth0.com", "AUTH0_CLIENT_ID": "abc"},
			json: `{"providers":[{"domain":"https://tenant.us.auth0.com","applicationID":"abc"}]}`,
			read: []string{"AUTH0_DOMAIN", "AUTH0_CLIENT_ID"},
		},
		{
			// With ESM output, esbuild makes module.exports the default export.
			name: "JavaScript CommonJS module",
			archive: `
-- convex/auth.config.js --
module.exports = { providers: [{ domain: "https://issuer.example.com", applicationID: "convex" }] };
`,
			json: `{"providers":[{"domain":"https://issuer.example.com","applicationID":"convex"}]}`,
		},
		{
			name: "legacy OIDC form",
			archive: `
-- convex/auth.config.js --
export default {
  providers: [
    {
      domain: "https://your-issuer.example.com",
      applicationID: "your-application-id",
    },
  ],
};
`,
			json: `{"providers":[{"domain":"https://your-issuer.example.com","applicationID":"your-application-id"}]}`,
		},
		{
			name: "undefined, functions and symbols vanish as in JSON.stringify",
			archive: `
-- convex/auth.config.ts --
export default {
  providers: [{
    type: "customJwt",
    applicationID: undefined,
    issuer: "https://issuer.example.com",
    jwks: "https://issuer.example.com/jwks",
    algorithm: "RS256",
    check() { return true; },
    tag: Symbol("x"),
    list: [undefined, () => 1],
  }],
  extra: { toJSON() { return "custom"; } },
};
`,
			json: `{"providers":[{"type":"customJwt","issuer":"https://issuer.example.com","jwks":"https://issuer.example.com/jwks","algorithm":"RS256","list":[null,null]}],"extra":"custom"}`,
		},
		{
			// The platform-browser bundle replaces NODE_ENV at build time, as
			// the Convex CLI's does, so the deployment never sees the read.
			name: "process.env.NODE_ENV is inlined, console is silent",
			archive: `
-- convex/auth.config.ts --
console.log("evaluating", process.env.NODE_ENV);
export default { providers: [], mode: process.env.NODE_ENV };
`,
			json: `{"providers":[],"mode":"development"}`,
		},
		{
			name: "an unset variable read inside try/catch",
			archive: `
-- convex/auth.config.ts --
let id: string;
try {
  id = process.env.OPTIONAL_ID ?? "fallback";
} catch (e) {
  id = "caught: " + (e as Error).message;
}
export default { providers: [], id };
`,
			json:    `{"providers":[],"id":"caught: Environment variable OPTIONAL_ID is used in auth config file but its value was not set"}`,
			read:    []string{"OPTIONAL_ID"},
			missing: []string{"OPTIONAL_ID"},
		},
		{
			name: "packages from node_modules are bundled as on a push",
			archive: `
-- convex/auth.config.ts --
import { provider } from "auth-helper/config";
export default { providers: [provider(process.env.SITE_URL!)] };
-- node_modules/auth-helper/package.json --
{ "name": "auth-helper", "exports": { "./config": { "convex": "./convex.js", "default": "./node.js" } } }
-- node_modules/auth-helper/convex.js --
export const provider = (site) => ({ domain: site, applicationID: "convex" });
-- node_modules/auth-helper/node.js --
export const provider = () => { throw new Error("wrong condition"); };
`,
			env:  map[string]string{"SITE_URL": "https://happy-otter-123.convex.site"},
			json: `{"providers":[{"domain":"https://happy-otter-123.convex.site","applicationID":"convex"}]}`,
			read: []string{"SITE_URL"},
		},
		{
			name: "data: URL JWKS built with btoa",
			archive: `
-- convex/auth.config.ts --
const jwks = JSON.stringify({ keys: [] });
export default {
  providers: [{
    type: "customJwt",
    issuer: "https://issuer.example.com",
    jwks: "data:application/json;base64," + btoa(jwks),
    algorithm: "ES256",
    roundTrip: atob(btoa(jwks)) === jwks,
  }],
};
`,
			json: `{"providers":[{"type":"customJwt","issuer":"https://issuer.example.com","jwks":"data:application/json;base64,eyJrZXlzIjpbXX0=","algorithm":"ES256","roundTrip":true}]}`,
		},
		{
			// The web platform's forgiving base64: whitespace and missing
			// padding are fine, a bad length or character throws.
			name: "atob as browsers have it",
			archive: `
-- convex/auth.config.ts --
const fails = (s) => { try { atob(s); return false; } catch (e) { return String(e).includes("InvalidCharacterError"); } };
export default { providers: [], a: [atob(" aG\tk= "), atob("aGk"), atob("/w=="), fails("a"), fails("aGk=="), fails("a-k")] };
`,
			json: `{"providers":[],"a":["hi","hi","ÿ",true,true,true]}`,
		},
		{
			// Nothing but process.env reaches outside the engine.
			name: "no network, timers or require",
			archive: `
-- convex/auth.config.ts --
export default { providers: [], t: [typeof fetch, typeof setTimeout, typeof globalThis.require, typeof XMLHttpRequest] };
`,
			json: `{"providers":[],"t":["undefined","undefined","undefined","undefined"]}`,
		},
		{
			name: "Date with arguments still works",
			archive: `
-- convex/auth.config.ts --
export default { providers: [], year: new Date(0).getUTCFullYear() };
`,
			json: `{"providers":[],"year":1970}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeProject(t, tt.archive)
			res, err := Evaluate(context.Background(), Options{Dir: dir, Env: tt.env})
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			if string(res.JSON) != tt.json {
				t.Errorf("JSON\n got %s\nwant %s", res.JSON, tt.json)
			}
			if !reflect.DeepEqual(res.EnvRead, tt.read) {
				t.Errorf("EnvRead = %q, want %q", res.EnvRead, tt.read)
			}
			if !reflect.DeepEqual(res.Missing, tt.missing) {
				t.Errorf("Missing = %q, want %q", res.Missing, tt.missing)
			}
		})
	}
}

// TestPushChecks feeds Result.JSON to the push-time checks, as doctor does.
func TestPushChecks(t *testing.T) {
	dir := writeProject(t, standardWorkOS)
	res, err := Evaluate(context.Background(), Options{Dir: dir, Env: workosEnv})
	if err != nil {
		t.Fatal(err)
	}
	providers, problems, err := convexauth.Check(res.JSON)
	if err != nil || len(problems) > 0 {
		t.Fatalf("Check: %v %v", problems, err)
	}
	if len(providers) != 2 || providers[0].ApplicationID == nil || *providers[0].ApplicationID != clientID ||
		providers[1].Issuer != "https://api.workos.com/user_management/"+clientID {
		t.Errorf("providers = %+v", providers)
	}

	// An unset variable is dropped by JSON.stringify when the file catches
	// the error, and the WorkOS guard then fires.
	dir = writeProject(t, `
-- convex/auth.config.ts --
let id: string | undefined;
try { id = process.env.WORKOS_CLIENT_ID; } catch {}
export default { providers: [{ type: "customJwt", issuer: "https://api.workos.com/", applicationID: id, jwks: "https://api.workos.com/sso/jwks/x", algorithm: "RS256" }] };
`)
	res, err = Evaluate(context.Background(), Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	_, problems, _ = convexauth.Check(res.JSON)
	if len(problems) != 1 || problems[0].Code != convexauth.CodeInsecure {
		t.Errorf("problems = %v", problems)
	}
}

func TestEvaluateFails(t *testing.T) {
	loop := `
-- convex/auth.config.ts --
let n = 0;
while (true) { n++; }
export default { providers: [] };
`
	tests := []struct {
		name    string
		archive string
		env     map[string]string
		timeout time.Duration // DefaultTimeout when zero
		want    string        // the error text, exactly
		check   func(t *testing.T, err error, res *Result)
	}{
		{
			name: "both files",
			archive: `
-- convex/auth.config.ts --
export default { providers: [] };
-- convex/auth.config.js --
export default { providers: [] };
`,
			want: "Found both convex/auth.config.js and convex/auth.config.ts, choose one.",
			check: func(t *testing.T, err error, _ *Result) {
				var e *BothFilesError
				if !errors.As(err, &e) {
					t.Errorf("%T is not a *BothFilesError", err)
				}
			},
		},
		{
			name:    "no config",
			archive: "-- convex/schema.ts --\nexport default {};\n",
			check: func(t *testing.T, err error, _ *Result) {
				if !errors.Is(err, ErrNotFound) {
					t.Errorf("%v is not ErrNotFound", err)
				}
			},
		},
		{
			name:    "unset variables, all named",
			archive: standardWorkOS + "export const site = process.env.CONVEX_SITE_URL;\n",
			want: "Environment variable WORKOS_CLIENT_ID is used in auth config file but its value was not set\n" +
				"Environment variable CONVEX_SITE_URL is used in auth config file but its value was not set",
			check: func(t *testing.T, err error, res *Result) {
				var e *MissingEnvError
				if !errors.As(err, &e) {
					t.Fatalf("%T is not a *MissingEnvError", err)
				}
				want := []string{"WORKOS_CLIENT_ID", "CONVEX_SITE_URL"}
				if !reflect.DeepEqual(e.Names, want) || !reflect.DeepEqual(res.Missing, want) || !reflect.DeepEqual(res.EnvRead, want) {
					t.Errorf("Names %q, Missing %q, EnvRead %q; want %q", e.Names, res.Missing, res.EnvRead, want)
				}
			},
		},
		{
			// Convex reads through process.env even with a fallback.
			name: "unset variable with a fallback",
			archive: `
-- convex/auth.config.ts --
export default { providers: [{ domain: process.env.ISSUER ?? "https://default.example.com", applicationID: "convex" }] };
`,
			want: "Environment variable ISSUER is used in auth config file but its value was not set",
		},
		{
			name: "syntax error",
			archive: `
-- convex/auth.config.ts --
export default {
  providers: [
    { domain: "https://issuer.example.com" applicationID: "convex" },
  ],
};
`,
			want: `convex/auth.config.ts:3:44: Expected "}" but found "applicationID"`,
		},
		{
			name: "syntax error in an imported file",
			archive: `
-- convex/auth.config.ts --
import { providers } from "./providers";
export default { providers };
-- convex/providers.ts --
export const providers = [;
`,
			want: `convex/providers.ts:1:27: Unexpected ";"`,
		},
		{
			name: "runtime throw",
			archive: `
-- convex/auth.config.ts --
const id = process.env.WORKOS_CLIENT_ID;
if (!id.startsWith("client_")) {
  throw new Error("WORKOS_CLIENT_ID must start with client_");
}
export default { providers: [] };
`,
			env:  map[string]string{"WORKOS_CLIENT_ID": "sk_test_oops"},
			want: "convex/auth.config.ts:3:9: Uncaught Error: WORKOS_CLIENT_ID must start with client_",
		},
		{
			name: "runtime TypeError in a helper",
			archive: `
-- convex/auth.config.ts --
import { issuer } from "./lib/issuer";
export default { providers: [{ domain: issuer(undefined), applicationID: "convex" }] };
-- convex/lib/issuer.ts --
export function issuer(host?: string) {
  return "https://" + host.toLowerCase();
}
`,
			check: func(t *testing.T, err error, _ *Result) {
				var e *RuntimeError
				if !errors.As(err, &e) {
					t.Fatalf("%T is not a *RuntimeError: %v", err, err)
				}
				if e.File != "convex/lib/issuer.ts" || e.Line != 2 || !strings.HasPrefix(e.Message, "TypeError: ") {
					t.Errorf("got %q", err)
				}
			},
		},
		{
			name:    "endless loop",
			archive: loop,
			// The deadline covers bundling too: short enough for a quick
			// test, long enough for a loaded machine to bundle first.
			timeout: time.Second,
			check: func(t *testing.T, err error, _ *Result) {
				var e *TimeoutError
				if !errors.As(err, &e) {
					t.Fatalf("%T is not a *TimeoutError: %v", err, err)
				}
				if e.File != "convex/auth.config.ts" || e.Line != 2 || e.Cause != nil {
					t.Errorf("got %+v", e)
				}
				if err.Error() != "convex/auth.config.ts:2:16: evaluation took longer than 1s (a loop or a catastrophic regular expression?)" {
					t.Errorf("got %q", err)
				}
			},
		},
		{
			// JSON.stringify runs the file's getters, under the same limit.
			name:    "endless getter",
			archive: "-- convex/auth.config.js --\nexport default { get providers() { for (;;) {} } };\n",
			// The deadline covers bundling too: short enough for a quick
			// test, long enough for a loaded machine to bundle first.
			timeout: time.Second,
			check: func(t *testing.T, err error, _ *Result) {
				var e *TimeoutError
				if !errors.As(err, &e) || e.Line != 1 {
					t.Errorf("got %T %v", err, err)
				}
			},
		},
		{
			name: "runaway recursion",
			archive: `
-- convex/auth.config.ts --
function f(n: number): number { return f(n + 1) + 1; }
export default { providers: [], n: f(0) };
`,
			check: func(t *testing.T, err error, _ *Result) {
				var e *RuntimeError
				if !errors.As(err, &e) || e.Message != "RangeError: Maximum call stack size exceeded" {
					t.Errorf("got %T %v", err, err)
				}
			},
		},
		{
			name: "require of a Node.js built-in",
			archive: `
-- convex/auth.config.js --
const fs = require("fs");
export default { providers: JSON.parse(fs.readFileSync("providers.json", "utf8")) };
`,
			want: `convex/auth.config.js:1:20: Could not resolve "fs"`,
			check: func(t *testing.T, err error, _ *Result) {
				var e *BuildError
				if !errors.As(err, &e) || len(e.Messages[0].Notes) == 0 {
					t.Errorf("want esbuild's note, got %#v", err)
				}
			},
		},
		{
			name: "import of node:fs",
			archive: `
-- convex/auth.config.ts --
import { readFileSync } from "node:fs";
export default JSON.parse(readFileSync("auth.json", "utf8"));
`,
			want: `convex/auth.config.ts:1:30: Could not resolve "node:fs"`,
		},
		{
			name: "dynamic require",
			archive: `
-- convex/auth.config.js --
const name = "f" + "s";
const fs = require(name);
export default { providers: [] };
`,
			want: `convex/auth.config.js:2:12: Uncaught Error: Dynamic require of "fs" is not supported`,
		},
		{
			name: "package that is not installed",
			archive: `
-- convex/auth.config.ts --
import { getAuthConfigProvider } from "@convex-dev/better-auth/auth-config";
export default { providers: [getAuthConfigProvider()] };
`,
			want: `convex/auth.config.ts:1:39: Could not resolve "@convex-dev/better-auth/auth-config"`,
		},
		{
			name:    "Math.random",
			archive: "-- convex/auth.config.ts --\nexport default { providers: [], r: Math.random() };\n",
			want:    "convex/auth.config.ts:1:41: Uncaught Error: Math.random unsupported when evaluating auth config file",
		},
		{
			name:    "Date.now",
			archive: "-- convex/auth.config.ts --\nexport default { providers: [], at: Date.now() };\n",
			want:    "convex/auth.config.ts:1:42: Uncaught Error: Date unsupported when evaluating auth config file",
		},
		{
			name:    "invalid variable name",
			archive: "-- convex/auth.config.ts --\nexport default { providers: [{ domain: process.env[\"ISSUER-URL\"] }] };\n",
			want:    "convex/auth.config.ts:1:48: Uncaught Error: The environment variable name ISSUER-URL is invalid. Environment variable names must begin with a letter and may only include characters a-z, A-Z, 0-9, and underscores.",
		},
		{
			name:    "variable name too long",
			archive: "-- convex/auth.config.js --\nexport default { providers: [], id: process.env.WORKOS_CLIENT_ID_FOR_THE_PRODUCTION_APP_V2 };\n",
			want:    "convex/auth.config.js:1:49: Uncaught Error: The environment variable name WORKOS_CLIENT_ID_FOR_THE_PRODUCTION_APP_V2 is too long. Environment variable names must be less than 40.",
		},
		{
			// Every string key is a lookup on Convex, toJSON included.
			name:    "process.env serialised",
			archive: "-- convex/auth.config.js --\nexport default { providers: [], env: JSON.stringify(process.env) };\n",
			want:    "Environment variable toJSON is used in auth config file but its value was not set",
		},
		{
			name:    "no default export",
			archive: "-- convex/auth.config.ts --\nexport const providers = [];\n",
			want:    "auth config file is missing default export. To learn more, see the auth documentation at https://docs.convex.dev/auth.",
			check: func(t *testing.T, err error, _ *Result) {
				// The error convexauth.Check reports for a missing export.
				_, problems, _ := convexauth.Check([]byte("null"))
				var e *ConfigError
				if !errors.As(err, &e) || len(problems) != 1 || e.Code != problems[0].Code || e.Message != problems[0].Message {
					t.Errorf("got %#v, convexauth.Check says %v", err, problems)
				}
			},
		},
		{
			name:    "unserializable default export",
			archive: "-- convex/auth.config.ts --\nexport default { providers: [], big: 10n };\n",
			want:    "auth config file can only contain strings To learn more, see the auth documentation at https://docs.convex.dev/auth.",
			check: func(t *testing.T, err error, _ *Result) {
				var e *ConfigError
				if !errors.As(err, &e) || e.Code != CodeUnserializable {
					t.Errorf("got %#v", err)
				}
			},
		},
		{
			name:    "default export that stringifies to nothing",
			archive: "-- convex/auth.config.ts --\nexport default function config() { return { providers: [] }; }\n",
			want:    "auth config file must include a list of provider credentials: expected value",
			check: func(t *testing.T, err error, _ *Result) {
				var e *ConfigError
				if !errors.As(err, &e) || e.Code != convexauth.CodeNotMatchingSchema {
					t.Errorf("got %#v", err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeProject(t, tt.archive)
			res, err := Evaluate(context.Background(), Options{Dir: dir, Env: tt.env, Timeout: tt.timeout})
			if err == nil {
				t.Fatalf("no error; JSON %s", res.JSON)
			}
			if tt.want != "" && err.Error() != tt.want {
				t.Errorf("error\n got %q\nwant %q", err, tt.want)
			}
			if tt.check != nil {
				tt.check(t, err, res)
			}
		})
	}
}

func TestEvaluateCancelled(t *testing.T) {
	dir := writeProject(t, "-- convex/auth.config.ts --\nwhile (true) {}\nexport default {};\n")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err := Evaluate(ctx, Options{Dir: dir, Timeout: time.Minute})
	var e *TimeoutError
	if !errors.As(err, &e) || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %T %v", err, err)
	}
}

func TestFunctionsDir(t *testing.T) {
	dir := writeProject(t, "-- src/backend/auth.config.js --\nexport default { providers: [] };\n")
	res, err := Evaluate(context.Background(), Options{Dir: dir, FunctionsDir: "src/backend"})
	if err != nil {
		t.Fatal(err)
	}
	if res.File != "src/backend/auth.config.js" || string(res.JSON) != `{"providers":[]}` {
		t.Errorf("got %s %s", res.File, res.JSON)
	}
}

func BenchmarkEvaluateStandard(b *testing.B) {
	dir := writeProject(b, standardWorkOS)
	opts := Options{Dir: dir, Env: workosEnv}
	for b.Loop() {
		if _, err := Evaluate(context.Background(), opts); err != nil {
			b.Fatal(err)
		}
	}
}
