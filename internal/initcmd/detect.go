package initcmd

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/framework"
	"github.com/convex-authkit/convex-authkit/internal/safefile"
)

// viteConfigs are the names Vite looks for, in its order.
var viteConfigs = []string{"vite.config.js", "vite.config.mjs", "vite.config.ts", "vite.config.cjs", "vite.config.mts", "vite.config.cts"}

// DetectPort finds the dev server port of fw: a --port/-p flag (or PORT=
// for Next.js) on the framework's command in the "dev" script or a "dev:*"
// script, then server.port in the Vite config, then the framework's default.
// Command-line flags come first because they override Vite's config file.
func DetectPort(dir string, pkg *framework.PackageJSON, fw *framework.Framework) (int, string, error) {
	if pkg != nil {
		for _, s := range pkg.Scripts {
			if s.Name != "dev" && !strings.HasPrefix(s.Name, "dev:") {
				continue
			}
			if port, ok := ScriptPort(s.Command, fw); ok {
				return port, fmt.Sprintf("package.json scripts.%s", s.Name), nil
			}
		}
	}
	if fw.ReadsViteConfig {
		for _, name := range viteConfigs {
			src, err := safefile.Read(filepath.Join(dir, name), safefile.Options{Limit: 1 << 20, What: "a Vite config"})
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return 0, "", err
			}
			if port, ok := VitePort(string(src)); ok {
				return port, name + " server.port", nil
			}
			break // Vite reads only the first config file it finds
		}
	}
	return fw.DefaultPort, fw.Name + " default", nil
}

// ScriptPort reads the port a package.json script gives fw's dev server.
// The script is split into commands at &&, ||, ;, | and quotes (commands
// nested in quotes, as in `convex dev --start 'vite --port 3000'`), and
// only a flag on one of fw's own commands counts, so `storybook -p 6006`
// or `convex dev` flags are not mistaken for the app's port.
func ScriptPort(script string, fw *framework.Framework) (int, bool) {
	var (
		inCLI   bool // inside a command of fw
		envPort int  // PORT=N seen at the start of this command
		flagged bool // the previous word was --port or -p
	)
	endCommand := func() (int, bool) {
		port := 0
		if inCLI && fw.HonoursPORT {
			port = envPort
		}
		inCLI, envPort, flagged = false, 0, false
		return port, port > 0
	}
	for _, word := range strings.Fields(script) {
		if trimmed := strings.TrimLeft(word, `"'`+"`"); trimmed != word {
			if port, ok := endCommand(); ok {
				return port, true
			}
			word = trimmed
		}
		closes := strings.TrimRight(word, `"'`+"`;&|")
		closing := closes != word
		word = closes
		switch {
		case word == "":
		case flagged:
			if port, ok := parsePort(word); ok {
				return port, true
			}
			flagged = false
		case inCLI:
			if nonDevCommands[word] {
				inCLI = false // vite build, vite preview, next start: not the dev server
			} else if word == "--port" || word == "-p" {
				flagged = true
			} else if v, ok := portFlagValue(word); ok {
				if port, ok := parsePort(v); ok {
					return port, true
				}
			}
		default:
			if v, ok := strings.CutPrefix(word, "PORT="); ok {
				envPort, _ = parsePort(v)
			} else if isCLI(word, fw) {
				inCLI = true
			}
		}
		if closing {
			if port, ok := endCommand(); ok {
				return port, true
			}
		}
	}
	return endCommand()
}

// nonDevCommands are subcommands of the frameworks' CLIs that start
// something other than the dev server.
var nonDevCommands = map[string]bool{"build": true, "preview": true, "start": true, "typegen": true, "lint": true}

// portFlagValue splits --port=N, -p=N and -pN.
func portFlagValue(word string) (string, bool) {
	if v, ok := strings.CutPrefix(word, "--port="); ok {
		return v, true
	}
	if v, ok := strings.CutPrefix(word, "-p"); ok && !strings.HasPrefix(v, "-") {
		return strings.TrimPrefix(v, "="), true
	}
	return "", false
}

// isCLI recognises fw's command, also as a path (node_modules/.bin/vite).
func isCLI(word string, fw *framework.Framework) bool {
	base := path.Base(word)
	for _, c := range fw.CLIs {
		if base == c {
			return true
		}
	}
	return false
}

func parsePort(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return 0, false
	}
	return n, true
}
