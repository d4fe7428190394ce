package initcmd

import (
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/config"
	"github.com/convex-authkit/convex-authkit/internal/framework"
)

// small is a section short enough to spell out in the expected files.
var small = obj{{"dev", obj{{"configure", obj{{"redirectUris", []string{"http://localhost:1/cb"}}}}}}}

// edit parses src as Run does and edits it; nil src is no file.
func edit(t *testing.T, src []byte, section obj, withSchema bool) *convexJSONEdit {
	t.Helper()
	if src == nil {
		return editConvexJSON(nil, nil, section, withSchema)
	}
	cfg, err := config.Parse("convex.json", src)
	if err != nil {
		t.Fatal(err)
	}
	return editConvexJSON(src, cfg.Root, section, withSchema)
}

func TestEditConvexJSON(t *testing.T) {
	tests := []struct {
		name       string
		src        string
		withSchema bool
		want       string // "" means unchanged
		action     string
		replaced   bool
	}{{
		name: "new file", src: "\x00", withSchema: true, action: ActionCreated,
		want: "{\n  \"$schema\": \"./node_modules/convex/schemas/convex.schema.json\",\n  \"authKit\": {\n    \"dev\": {\n      \"configure\": {\n        \"redirectUris\": [\"http://localhost:1/cb\"]\n      }\n    }\n  }\n}\n",
	}, {
		name: "new file without convex installed", src: "\x00", action: ActionCreated,
		want: "{\n  \"authKit\": {\n    \"dev\": {\n      \"configure\": {\n        \"redirectUris\": [\"http://localhost:1/cb\"]\n      }\n    }\n  }\n}\n",
	}, {
		name: "appended after the last key, other keys untouched", action: ActionUpdated,
		src:  "{\n    \"functions\": \"src/convex/\",\n    \"node\": {\"externalPackages\": [\"sharp\"]}\n}\n",
		want: "{\n    \"functions\": \"src/convex/\",\n    \"node\": {\"externalPackages\": [\"sharp\"]},\n    \"authKit\": {\n        \"dev\": {\n            \"configure\": {\n                \"redirectUris\": [\"http://localhost:1/cb\"]\n            }\n        }\n    }\n}\n",
	}, {
		name: "tabs and CRLF", action: ActionUpdated,
		src:  "{\r\n\t\"functions\": \"convex/\"\r\n}",
		want: "{\r\n\t\"functions\": \"convex/\",\r\n\t\"authKit\": {\r\n\t\t\"dev\": {\r\n\t\t\t\"configure\": {\r\n\t\t\t\t\"redirectUris\": [\"http://localhost:1/cb\"]\r\n\t\t\t}\r\n\t\t}\r\n\t}\r\n}",
	}, {
		name: "one-line file stays on one line", action: ActionUpdated,
		src:  `{"functions":"convex/"}` + "\n",
		want: `{"functions":"convex/","authKit":{"dev":{"configure":{"redirectUris":["http://localhost:1/cb"]}}}}` + "\n",
	}, {
		name: "empty object", action: ActionUpdated,
		src:  "{}\n",
		want: "{\n  \"authKit\": {\n    \"dev\": {\n      \"configure\": {\n        \"redirectUris\": [\"http://localhost:1/cb\"]\n      }\n    }\n  }\n}\n",
	}, {
		name: "replaced in place, keys before and after kept", action: ActionUpdated, replaced: true,
		src:  "{\n  \"$schema\": \"x\",\n  \"authKit\": {\"dev\": {}},\n  \"functions\": \"convex/\"\n}\n",
		want: "{\n  \"$schema\": \"x\",\n  \"authKit\": {\n    \"dev\": {\n      \"configure\": {\n        \"redirectUris\": [\"http://localhost:1/cb\"]\n      }\n    }\n  },\n  \"functions\": \"convex/\"\n}\n",
	}, {
		name: "the same section in another layout is left alone", action: ActionUnchanged,
		src: `{"authKit": {"dev": {"configure": {"redirectUris": [` + "\n" + `"http://localhost:1/cb"]}}}, "x": 1}`,
	}, {
		name: "an earlier duplicate is ignored, as JSON.parse does", action: ActionUnchanged,
		src: `{"authKit": {}, "authKit": {"dev": {"configure": {"redirectUris": ["http://localhost:1/cb"]}}}}`,
	}, {
		name: "a different value type is replaced", action: ActionUpdated, replaced: true,
		src:  "{\n  \"authKit\": null\n}\n",
		want: "{\n  \"authKit\": {\n    \"dev\": {\n      \"configure\": {\n        \"redirectUris\": [\"http://localhost:1/cb\"]\n      }\n    }\n  }\n}\n",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var src []byte
			if tt.src != "\x00" {
				src = []byte(tt.src)
			}
			got := edit(t, src, small, tt.withSchema)
			if got.Action != tt.action || got.Replaced != tt.replaced {
				t.Fatalf("action %s replaced %v, want %s %v", got.Action, got.Replaced, tt.action, tt.replaced)
			}
			if tt.want == "" {
				if got.Content != nil {
					t.Fatalf("unchanged file has new content:\n%s", got.Content)
				}
				return
			}
			if string(got.Content) != tt.want {
				t.Fatalf("got:\n%s\nwant:\n%s", got.Content, tt.want)
			}
			// The result is valid JSON that reads the section back.
			if again := edit(t, got.Content, small, false); again.Action != ActionUnchanged {
				t.Fatalf("second edit: %+v", again)
			}
		})
	}
}

// TestSectionsAreValid loads every generated section with the convex.json
// validator: no errors and no warnings, for any framework.
func TestSectionsAreValid(t *testing.T) {
	for _, fw := range framework.All {
		created := editConvexJSON(nil, nil, authKitSection(fw, 4321), true)
		cfg, err := config.Parse("convex.json", created.Content)
		if err != nil {
			t.Fatal(err)
		}
		if len(cfg.Problems) > 0 {
			t.Errorf("%s: %v", fw.ID, cfg.Problems)
		}
		for _, env := range config.Envs {
			if cfg.Section(env) == nil {
				t.Errorf("%s: no %s section", fw.ID, env)
			}
		}
	}
}
