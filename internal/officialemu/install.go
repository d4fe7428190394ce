package officialemu

import (
	"embed"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/convex-authkit/convex-authkit/internal/npmpin"
)

// npmProject pins workos@Version and, through the lockfile, its whole
// dependency tree: `npm install workos@0.14.0` alone resolves the package's
// caret ranges against whatever the registry serves that day.
//
//go:embed testdata/package.json testdata/package-lock.json
var npmProject embed.FS

// installation is shared by every Start in one test process, so that only
// the first test pays for (or fails on) the install.
var installation struct {
	once  sync.Once
	entry string
	err   error
}

// entryPoint returns the path of the WorkOS CLI's bin.js, installing it on
// first use.
func entryPoint(logf func(format string, args ...any)) (string, error) {
	installation.once.Do(func() {
		installation.entry, installation.err = install(logf)
	})
	return installation.entry, installation.err
}

func install(logf func(format string, args ...any)) (string, error) {
	spec := npmpin.Spec{
		Name:    "workos",
		Version: Version,
		Hint:    fmt.Sprintf("set %s=1 to skip the tests that run the official WorkOS emulator", SkipEnv),
	}
	var err error
	if spec.PackageJSON, err = npmProject.ReadFile("testdata/package.json"); err != nil {
		return "", err
	}
	if spec.Lock, err = npmProject.ReadFile("testdata/package-lock.json"); err != nil {
		return "", err
	}
	dir, err := npmpin.Install(spec, logf)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "node_modules", "workos", "dist", "bin.js"), nil
}
