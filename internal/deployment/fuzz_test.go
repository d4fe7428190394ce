package deployment

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// FuzzParseDeployKey: any value of CONVEX_DEPLOY_KEY is either a key for a
// well-formed deployment name or a usage error, and no error shows the part
// after '|'. Seeds live in testdata/fuzz/FuzzParseDeployKey.
func FuzzParseDeployKey(f *testing.F) {
	f.Add("prod:happy-otter-123|" + secretPart)
	f.Fuzz(func(t *testing.T, raw string) {
		k, err := ParseDeployKey(VarDeployKey, raw)
		if errors.Is(err, errIgnoreKey) {
			return
		}
		if err != nil {
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("%T is not a *UsageError", err)
			}
			if _, secret, ok := strings.Cut(raw, "|"); ok && len(secret) >= 8 && strings.Contains(err.Error()+ue.Hint, secret) {
				t.Fatalf("the error %q shows the secret", err)
			}
			return
		}
		if !deploymentName.MatchString(k.Deployment) || (k.Kind != KindDev && k.Kind != KindProd && k.Kind != KindPreview) {
			t.Fatalf("ParseDeployKey(%q) = %+v", raw, k)
		}
	})
}

// FuzzParseCLIEnvList: what the Convex CLI prints parses into valid names,
// or fails without quoting a value. Seeds in testdata/fuzz/FuzzParseCLIEnvList.
func FuzzParseCLIEnvList(f *testing.F) {
	f.Add([]byte(`[{"name":"A","value":"1"}]`))
	f.Fuzz(func(t *testing.T, out []byte) {
		vars, err := ParseCLIEnvList(out)
		if err != nil {
			var list []struct{ Value string }
			if json.Unmarshal(out, &list) == nil {
				for _, v := range list {
					if len(v.Value) >= 6 && strings.Contains(err.Error(), v.Value) {
						t.Fatalf("the error %q shows a value", err)
					}
				}
			}
			return
		}
		for name := range vars {
			if !envName.MatchString(name) {
				t.Fatalf("name %q accepted", name)
			}
		}
	})
}

// FuzzDecodeProviders: every decoded provider has what its type needs.
// Seeds in testdata/fuzz/FuzzDecodeProviders.
func FuzzDecodeProviders(f *testing.F) {
	f.Add([]byte(`[{"applicationID":"convex","domain":"https://x/"}]`))
	f.Fuzz(func(t *testing.T, value []byte) {
		ps, err := DecodeProviders(value)
		if err != nil {
			return
		}
		for _, p := range ps {
			switch p.Type {
			case ProviderOIDC:
				if p.ApplicationID == nil {
					t.Fatalf("OIDC provider without applicationID: %+v", p)
				}
			case ProviderCustomJWT:
			default:
				t.Fatalf("type %q", p.Type)
			}
		}
	})
}
