package cmd

import (
	"fmt"
	"net"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/deployment/deployemu"
	"github.com/convex-authkit/convex-authkit/internal/emulator"
	"github.com/convex-authkit/convex-authkit/internal/secret"
)

// annotationLongRunning marks commands that serve until interrupted; tests
// that run every command skip them.
const annotationLongRunning = "longRunning"

func newCmdEmulate(f *cmdutil.Factory) *cobra.Command {
	var port, deploymentPort int
	var clientID, apiKey string
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

Point the other commands at it with --workos-url and its API key.`,
		Example: `  convex-authkit emulate --port 4100
  WORKOS_API_KEY=sk_test_emulator_0000000000000000 convex-authkit apply --workos-url http://127.0.0.1:4100
  CONVEX_SELF_HOSTED_URL=http://127.0.0.1:4101 CONVEX_SELF_HOSTED_ADMIN_KEY='convex-self-hosted|emulator-admin-key-0000000000000000' npx convex env set FOO bar`,
		Args:        noArgs,
		Annotations: map[string]string{annotationLongRunning: "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if port < 0 || port > 65535 {
				return cmdutil.FlagErrorf("--port must be between 0 and 65535, got %d", port)
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
			emu := emulator.New(emulator.Options{ClientID: clientID, APIKey: apiKey})
			url, err := emu.Start(net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
			if err != nil {
				return cmdutil.UsageError(fmt.Errorf("cannot listen on port %d: %w", port, err), "choose another --port, or 0 for any free port")
			}
			defer emu.Close()
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
			if f.Globals.JSON {
				if err := cmdutil.WriteJSON(io.Out, map[string]any{"schemaVersion": cmdutil.SchemaVersion, "url": url, "clientId": emu.ClientID(), "apiKey": shownKey,
					"deployment": map[string]any{"url": depURL, "adminKey": dep.AdminKey()}}); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(io.Out, "WorkOS emulator listening on %s\n\n  WORKOS_BASE_URL=%s\n  WORKOS_CLIENT_ID=%s\n  WORKOS_API_KEY=%s\n\n", url, url, emu.ClientID(), shownKey)
				fmt.Fprintf(io.Out, "Convex deployment emulator listening on %s (it holds WORKOS_CLIENT_ID)\n\n  export CONVEX_SELF_HOSTED_URL=%s\n  export CONVEX_SELF_HOSTED_ADMIN_KEY='%s'\n\nPress Ctrl-C to stop.\n", depURL, depURL, dep.AdminKey())
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
	return c
}
