package cmd

import (
	"cmp"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/deployment/deployemu"
	"github.com/convex-authkit/convex-authkit/internal/emulator"
	"github.com/convex-authkit/convex-authkit/internal/secret"
	"github.com/convex-authkit/convex-authkit/internal/workos"
)

// annotationLongRunning marks commands that serve until interrupted; tests
// that run every command skip them.
const annotationLongRunning = "longRunning"

func newCmdEmulate(f *cmdutil.Factory) *cobra.Command {
	var port, deploymentPort int
	var clientID, apiKey, seedPath string
	var userFlags []string
	var playWorkOS bool
	var ff faultFlags
	c := &cobra.Command{
		Use:   "emulate",
		Short: "Serve a local WorkOS API emulator for trying the tool without an account",
		Long: `Emulate serves, on 127.0.0.1, the parts of the WorkOS API that convex-authkit
uses: redirect URIs, CORS origins, the app homepage URL, the JWT template,
webhook endpoints, the JWKS, users and password authentication (which mints
RS256 access tokens shaped like AuthKit's). Beside it, it serves a Convex
deployment emulator (environment variables, stored auth providers, site URL)
that already holds WORKOS_CLIENT_ID, as a real deployment would; the npm
convex CLI reaches it through CONVEX_SELF_HOSTED_URL and
CONVEX_SELF_HOSTED_ADMIN_KEY (env set, env remove, run; not env list, which
needs Convex's WebSocket protocol). State lives in memory and is lost when it
stops (Ctrl-C).

Point the other commands at it with --workos-url and its API key.

It starts with the users of --seed FILE (the official WorkOS emulator's seed
format, JSON: {"users": [{"email": ..., "password": ..., "first_name": ...}]};
its other sections are ignored) and of each --user EMAIL:PASSWORD. They sign
in with their passwords at once: 'emulate token EMAIL' prints an access token,
and 'doctor --workos-url URL --login EMAIL' verifies one. Its tokens name the
emulator's URL (iss http://127.0.0.1:PORT/user_management/CLIENT_ID), so a
Convex deployment accepts them only with providers whose issuer and jwks use
that URL, e.g. read from WORKOS_BASE_URL, and only a local deployment (npx
convex dev --local) can fetch its JWKS.

With --play-workos its tokens name https://api.workos.com instead, as
WorkOS's would, so the auth config convex-authkit generates routes them:
'token verify --emulate TOKEN' and 'doctor --emulate --token TOKEN' check
them against that config with no account and no network, since every
emulator signs with the same well-known key (public test material, not a
secret: never trust it outside a rehearsal). Give --client-id the project's
WORKOS_CLIENT_ID, which the issuer names. An app's AuthKit SDK reaches it with
its API hostname, port and https settings (WORKOS_API_HOSTNAME=127.0.0.1,
WORKOS_API_PORT=PORT, WORKOS_API_HTTPS=false for the server SDKs).

To rehearse a flaky network or an older WorkOS, the fault flags make it
misbehave. --latency slows every request that --fault-match selects (all by
default; "POST", "/user_management/redirect_uris" or both narrow it). The
counts are used up by those requests in this order, one fault per request:
--drop (connection closed, nothing answered), --fail-429 (Too Many Requests,
with --retry-after), --fail-503, --lose (the request is carried out, then the
connection is closed: the client cannot tell that it happened). The others
hold for every request.`,
		Example: `  convex-authkit emulate --port 4100 --user ada@example.com:'correct horse'
  WORKOS_TEST_PASSWORD='correct horse' convex-authkit emulate token ada@example.com
  convex-authkit emulate --seed workos-seed.json

  # Tokens the generated auth config accepts, checked without an account
  convex-authkit emulate --play-workos --client-id "$WORKOS_CLIENT_ID" --user ada@example.com:pw
  TOKEN=$(WORKOS_TEST_PASSWORD=pw convex-authkit emulate token ada@example.com --client-id "$WORKOS_CLIENT_ID")
  convex-authkit token verify --emulate "$TOKEN"

  WORKOS_API_KEY=sk_test_emulator_0000000000000000 convex-authkit apply --workos-url http://127.0.0.1:4100
  CONVEX_SELF_HOSTED_URL=http://127.0.0.1:4101 CONVEX_SELF_HOSTED_ADMIN_KEY='convex-self-hosted|emulator-admin-key-0000000000000000' npx convex env set FOO bar

  # Two 429s and a 503 before the first success, each request 300ms late
  convex-authkit emulate --fail-429 2 --retry-after 1 --fail-503 1 --latency 300ms

  # Creating a redirect URI succeeds but the answer is lost: does a rerun converge?
  convex-authkit emulate --lose 1 --fault-match "POST /user_management/redirect_uris"

  # An older server: no list endpoints, 409 for duplicates
  convex-authkit emulate --no-list-endpoints --duplicate-status 409`,
		Args:        noArgs,
		Annotations: map[string]string{annotationLongRunning: "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if port < 0 || port > 65535 {
				return cmdutil.FlagErrorf("--port must be between 0 and 65535, got %d", port)
			}
			faults, err := ff.faults()
			if err != nil {
				return err
			}
			users, ignored, err := emulator.LoadSeed(seedPath, userFlags)
			if err != nil {
				return cmdutil.FlagErrorf("%v", err)
			}
			if deploymentPort < -1 || deploymentPort > 65535 {
				return cmdutil.FlagErrorf("--deployment-port must be between 0 and 65535, got %d", deploymentPort)
			}
			if deploymentPort == -1 {
				// Next to the WorkOS emulator, or any free port when that
				// one takes any free port too.
				deploymentPort = 0
				if port != 0 && port < 65535 {
					deploymentPort = port + 1
				}
			}
			opts := emulator.Options{ClientID: clientID, APIKey: apiKey}
			if playWorkOS {
				opts.IssuerBase = workos.DefaultBaseURL
			}
			emu := emulator.New(opts)
			emu.SetFaults(faults)
			url, err := emu.Start(net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
			if err != nil {
				return cmdutil.UsageError(fmt.Errorf("cannot listen on port %d: %w", port, err), "choose another --port, or 0 for any free port")
			}
			defer emu.Close()
			emu.SeedUsers(users)
			emails := make([]string, len(users))
			for i, u := range users {
				emails[i] = u.Email
			}
			dep := deployemu.New(deployemu.Options{Vars: map[string]string{"WORKOS_CLIENT_ID": emu.ClientID()}})
			depURL, err := dep.Start(net.JoinHostPort("127.0.0.1", strconv.Itoa(deploymentPort)))
			if err != nil {
				return cmdutil.UsageError(fmt.Errorf("cannot listen on port %d for the deployment emulator: %w", deploymentPort, err), "choose another --deployment-port, or 0 for any free port")
			}
			defer dep.Close()
			io := f.IOStreams
			// The default key is the emulator's own and must be copied to be
			// used; a key passed on the command line is the user's, so it is
			// masked like any other.
			shownKey := emu.APIKey()
			if apiKey != "" {
				shownKey = secret.Mask(apiKey)
			}
			issuer := cmp.Or(opts.IssuerBase, url) + "/user_management/" + emu.ClientID()
			if f.Globals.JSON {
				if err := cmdutil.WriteJSON(io.Out, map[string]any{"schemaVersion": cmdutil.SchemaVersion, "url": url, "clientId": emu.ClientID(), "apiKey": shownKey, "issuer": issuer,
					"deployment": map[string]any{"url": depURL, "adminKey": dep.AdminKey()}, "users": emails}); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(io.Out, "WorkOS emulator listening on %s\n\n  WORKOS_BASE_URL=%s\n  WORKOS_CLIENT_ID=%s\n  WORKOS_API_KEY=%s\n\n", url, url, emu.ClientID(), shownKey)
				if len(emails) > 0 {
					// Passwords are the user's to know; they are not shown.
					fmt.Fprintf(io.Out, "Users, each signing in with its password: %s\n  WORKOS_TEST_PASSWORD=... convex-authkit emulate token %s --workos-url %s\n\n", strings.Join(emails, ", "), emails[0], url)
				}
				if playWorkOS {
					fmt.Fprintf(io.Out, "Tokens name %s, as WorkOS's do; check one against the project's auth config with\n  convex-authkit token verify --emulate TOKEN\n\n", issuer)
				}
				fmt.Fprintf(io.Out, "Convex deployment emulator listening on %s (it holds WORKOS_CLIENT_ID)\n\n  export CONVEX_SELF_HOSTED_URL=%s\n  export CONVEX_SELF_HOSTED_ADMIN_KEY='%s'\n\nPress Ctrl-C to stop.\n", depURL, depURL, dep.AdminKey())
			}
			if len(ignored) > 0 {
				fmt.Fprintf(io.ErrOut, "note: the seed's %s are not emulated here; only its users are\n", strings.Join(ignored, ", "))
			}
			if d := faults.Describe(); d != "" {
				fmt.Fprintf(io.ErrOut, "Faults: %s\n", d)
			}
			<-cmd.Context().Done()
			fmt.Fprintln(io.ErrOut, "Emulator stopped.")
			return nil
		},
	}
	fl := c.Flags()
	fl.IntVar(&port, "port", 4100, "port to listen on (0 picks a free one)")
	fl.IntVar(&deploymentPort, "deployment-port", -1, "port of the Convex deployment emulator (default: --port + 1, or a free one with --port 0)")
	fl.StringVar(&clientID, "client-id", "", "client ID to emulate (default: a fixed emulator client ID)")
	fl.StringVar(&apiKey, "api-key", "", "API key the emulator accepts (default: a fixed sk_test_ key)")
	fl.StringArrayVar(&userFlags, "user", nil, "start with this user, EMAIL:PASSWORD (repeatable)")
	fl.StringVar(&seedPath, "seed", "", "start with the users of this seed file (the official WorkOS emulator's format, JSON)")
	fl.BoolVar(&playWorkOS, "play-workos", false, "mint tokens whose iss names https://api.workos.com, as WorkOS's do, for 'token verify --emulate' and the generated auth config")
	ff.bind(fl)
	c.AddCommand(newCmdEmulateToken(f))
	return c
}

func newCmdEmulateToken(f *cmdutil.Factory) *cobra.Command {
	var baseURL, clientID string
	c := &cobra.Command{
		Use:   "token EMAIL",
		Short: "Sign a user in at a running emulator and print the access token",
		Long: `Token signs a user of a running 'convex-authkit emulate' in with password
authentication, as the app's sign-in would, and prints the access token on
stdout (with --json, a document with the user's id too). The password comes
from WORKOS_TEST_PASSWORD; the API key from WORKOS_API_KEY, else the
emulator's default one.

Exit status: 0 signed in, 1 the emulator refused or could not be reached,
3 no password.`,
		Example: `  WORKOS_TEST_PASSWORD='correct horse' convex-authkit emulate token ada@example.com
  TOKEN=$(WORKOS_TEST_PASSWORD=pw convex-authkit emulate token ada@example.com --workos-url http://127.0.0.1:4100)
  convex-authkit token inspect "$TOKEN"`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cmdutil.FlagErrorf("%s takes one argument, the user's email", cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			password := f.Env["WORKOS_TEST_PASSWORD"]
			if password == "" {
				return cmdutil.FlagErrorf("set WORKOS_TEST_PASSWORD to the password of %s", args[0])
			}
			key := f.Env["WORKOS_API_KEY"]
			if key == "" {
				key = emulator.DefaultAPIKey
			}
			c := workos.New(workos.Options{BaseURL: baseURL, APIKey: key, UserAgent: "convex-authkit/" + f.Build.Version})
			tok, userID, err := c.SignIn(cmd.Context(), clientID, args[0], password)
			if err != nil {
				return &cmdutil.Error{Code: cmdutil.ExitFailure, Err: fmt.Errorf("signing %s in at %s: %w", args[0], baseURL, err),
					Hint: "start it with 'convex-authkit emulate --user EMAIL:PASSWORD' (or --seed FILE) and check WORKOS_TEST_PASSWORD, --workos-url and --client-id"}
			}
			if f.Globals.JSON {
				return cmdutil.WriteJSON(f.IOStreams.Out, map[string]any{"schemaVersion": cmdutil.SchemaVersion, "accessToken": tok, "userId": userID})
			}
			_, err = fmt.Fprintln(f.IOStreams.Out, tok)
			return err
		},
	}
	fl := c.Flags()
	fl.StringVar(&baseURL, "workos-url", "http://127.0.0.1:4100", "the running emulator's URL")
	fl.StringVar(&clientID, "client-id", emulator.DefaultClientID, "the client ID the emulator plays")
	return c
}

// faultFlags are emulate's flags for emulator.Faults.
type faultFlags struct {
	f          emulator.Faults
	retryAfter int
}

func (ff *faultFlags) bind(fl *pflag.FlagSet) {
	fl.StringVar(&ff.f.Match, "fault-match", "", `requests that --latency and the counts apply to: "METHOD", "/path-prefix" or "METHOD /path-prefix" (default: all)`)
	fl.DurationVar(&ff.f.Latency, "latency", 0, "delay each matching request by this long (e.g. 300ms)")
	fl.IntVar(&ff.f.DropConnections, "drop", 0, "close this many matching connections without answering")
	fl.IntVar(&ff.f.TooManyRequests, "fail-429", 0, "answer this many matching requests 429 Too Many Requests")
	fl.IntVar(&ff.retryAfter, "retry-after", 1, "Retry-After seconds of the --fail-429 answers")
	fl.IntVar(&ff.f.ServerErrors, "fail-503", 0, "answer this many matching requests 503 Service Unavailable")
	fl.IntVar(&ff.f.LostResponses, "lose", 0, "carry out this many matching requests, then close the connection without answering")
	fl.IntVar(&ff.f.DuplicateStatus, "duplicate-status", 0, "status for an existing redirect URI or CORS origin: 409 or 422 for both (default: 422 and 409, as WorkOS)")
	fl.BoolVar(&ff.f.NoListEndpoints, "no-list-endpoints", false, "answer 404 to listing redirect URIs and CORS origins, as older servers do")
	fl.BoolVar(&ff.f.NoHomepage, "no-homepage", false, "answer 404 to setting the app homepage URL")
	fl.StringVar(&ff.f.JWKSContentType, "jwks-content-type", "", "serve the JWKS with this Content-Type instead of application/jwk-set+json")
}

// faults returns the faults the flags ask for, or a usage error (exit 3)
// for one that cannot work.
func (ff *faultFlags) faults() (emulator.Faults, error) {
	f := ff.f
	if ff.retryAfter < 0 {
		return f, cmdutil.FlagErrorf("--retry-after must be 0 or more seconds, got %d", ff.retryAfter)
	}
	f.RetryAfter = strconv.Itoa(ff.retryAfter)
	if err := f.Validate(); err != nil {
		return f, cmdutil.FlagErrorf("%v", err)
	}
	return f, nil
}
