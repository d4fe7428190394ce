package tsc

import (
	"reflect"
	"strings"
	"testing"
)

// TestCheckCatchesErrors proves the harness checks something: a wrong
// algorithm is a type error in .ts with satisfies and in .js with JSDoc,
// and a correct file is clean.
func TestCheckCatchesErrors(t *testing.T) {
	t.Parallel()
	good := `import type { AuthConfig } from "convex/server";

const clientId = process.env.WORKOS_CLIENT_ID;

export default {
  providers: [
    {
      type: "customJwt",
      issuer: "https://api.workos.com/",
      algorithm: "RS256",
      jwks: ` + "`https://api.workos.com/sso/jwks/${clientId}`" + `,
      applicationID: clientId,
    },
  ],
} satisfies AuthConfig;
`
	badJS := `const clientId = process.env.WORKOS_CLIENT_ID;

/** @satisfies {import("convex/server").AuthConfig} */
const authConfig = {
  providers: [{ type: "customJwt", issuer: "x", algorithm: "HS256", jwks: "y" }],
};

export default authConfig;
`
	out := Check(t, map[string]string{
		"convex/good.ts":  good,
		"convex/bad.ts":   strings.Replace(good, `"RS256"`, `"HS256"`, 1),
		"convex/other.js": badJS,
	})
	var files []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		file, _, _ := strings.Cut(line, "(")
		files = append(files, file)
		if !strings.Contains(line, "error TS2820") {
			t.Errorf("unexpected diagnostic: %s", line)
		}
	}
	if want := []string{"convex/bad.ts", "convex/other.js"}; !reflect.DeepEqual(files, want) {
		t.Errorf("diagnostics for %v, want %v:\n%s", files, want, out)
	}
}

func TestPrettier(t *testing.T) {
	t.Parallel()
	got := Prettier(t, map[string]string{
		"ok.ts":  "export default { a: \"b\" };\n",
		"bad.ts": "export default {a:'b'}\n",
	})
	if want := []string{"bad.ts"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Prettier = %v, want %v", got, want)
	}
}
