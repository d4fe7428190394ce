package authconfig

import (
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/convexauth"
	"github.com/convex-authkit/convex-authkit/internal/tokencheck"
	"github.com/convex-authkit/convex-authkit/internal/tsc"
)

// TestGeneratedFiles proves every variant of the rendered file, with the
// real npm packages (convex 1.48.0, an exact typescript; skipped under
// -short):
//   - type-checks with `tsc --noEmit` in a Convex-like project (.js files
//     with checkJs);
//   - is already in prettier's default style, so formatting the project
//     does not turn it into a hand-edited file;
//   - evaluated with WORKOS_CLIENT_ID set, serialises to a provider list
//     that passes Convex's push-time checks and routes WorkOS tokens.
func TestGeneratedFiles(t *testing.T) {
	files := map[string]string{}
	for _, v := range variants() {
		content, err := Render(v.spec)
		if err != nil {
			t.Fatal(err)
		}
		// One project folder per variant: tsc would take a .js next to a
		// .ts of the same name for its output and skip it.
		files[v.name+"/convex/"+v.fileName()] = content
	}
	if out := tsc.Check(t, files); out != "" {
		t.Errorf("tsc --noEmit reports errors:\n%s", out)
	}
	if changed := tsc.Prettier(t, files); len(changed) > 0 {
		t.Errorf("prettier would reformat %v", changed)
	}

	const clientID = "client_01JXWR78G1RS943SJZG9G9KFDW"
	root := tsc.Project(t, files)
	for _, v := range variants() {
		t.Run(v.name, func(t *testing.T) {
			doc := tsc.Evaluate(t, root, v.name+"/convex/"+v.fileName(), map[string]string{ClientIDVar: clientID})
			if want := string(serialised(v.spec.AuthDomain, clientID)); doc != want {
				t.Errorf("the file evaluates to\n%s\nwant (the providers the tests check)\n%s", doc, want)
			}
			stored, problems, err := convexauth.Check([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range problems {
				t.Errorf("Convex would reject the push: %s", p)
			}
			hosts := []string{WorkOSHost}
			if v.spec.AuthDomain != "" {
				hosts = append(hosts, v.spec.AuthDomain)
			}
			for _, host := range hosts {
				// An AuthKit access token: iss names the client, no aud.
				assertRouted(t, stored, "https://"+host+"/user_management/"+clientID, nil)
				// A token from the shared issuer with the client in aud.
				assertRouted(t, stored, "https://"+host, []string{clientID})
			}
		})
	}
}

func assertRouted(t *testing.T, providers []convexauth.Provider, iss string, aud []string) {
	t.Helper()
	if n := len(tokencheck.MatchingProviders(tokencheck.FromConvex(providers), iss, aud)); n != 1 {
		t.Errorf("a token with iss %s and aud %v matches %d providers, want exactly 1", iss, aud, n)
	}
}
