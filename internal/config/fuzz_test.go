package config

import (
	"os"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the convex.json loader: it must never
// panic, and every problem it reports must point inside the file and carry a
// path and a message.
func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile("../../testdata/projects/vite/convex.json"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"authKit":{"dev":{"configure":{"redirectUris":["${buildEnv.X}"]},"localEnvVars":{"A":"${env.B}"}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("convex.json", data)
		if err != nil {
			var fe *FileError
			if !asFileError(err, &fe) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		lines := strings.Count(string(data), "\n") + 1
		for _, p := range cfg.Problems {
			if p.Line < 1 || p.Line > lines || p.Column < 1 || p.Path == "" || p.Message == "" {
				t.Fatalf("problem out of range or incomplete: %+v (file has %d lines)", p, lines)
			}
		}
		for _, env := range Envs {
			s := cfg.Section(env)
			if s == nil {
				continue
			}
			if env != Dev && len(s.LocalEnvVars) > 0 {
				t.Fatalf("%s section kept localEnvVars", env)
			}
		}
	})
}

func asFileError(err error, target **FileError) bool {
	fe, ok := err.(*FileError)
	*target = fe
	return ok
}
