// Command convex-authkit configures and diagnoses WorkOS AuthKit for Convex
// apps. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"time"

	"github.com/convex-authkit/convex-authkit/cmd"
	"github.com/convex-authkit/convex-authkit/internal/authjs"
	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/prompt"
)

// Set by the release build: -ldflags "-X main.version=... -X main.commit=... -X main.date=...".
var (
	version = ""
	commit  = ""
	date    = ""
)

func main() {
	// First of all: a sandbox child evaluating auth.config.ts needs none of
	// the set-up below.
	authjs.RunChildIfRequested()
	os.Exit(run())
}

func run() int {
	env := environ()
	wd, err := os.Getwd()
	if err != nil {
		wd = "."
	}
	f := &cmdutil.Factory{
		IOStreams: iostreams.System(func(k string) string { return env[k] }),
		Env:       env,
		Build:     buildInfo(),
		WorkDir:   wd,
		Now:       time.Now,
		Prompter:  &prompt.Huh{In: os.Stdin, Out: os.Stderr, Accessible: env["ACCESSIBLE"] != ""},
	}
	// Ctrl-C, or the SIGTERM of a cancelled CI job, cancels the context:
	// requests in flight stop and the command reports what was and was not
	// applied. A second signal exits at once.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, cmdutil.StopSignals...)
	defer signal.Stop(sigs)
	ctx, stop := cmdutil.CancelOnSignal(context.Background(), sigs, os.Stderr, os.Exit)
	defer stop()
	return cmd.Main(ctx, os.Args[1:], f)
}

func environ() map[string]string {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			env[k] = v
		}
	}
	return env
}

// buildInfo prefers the values injected at link time and falls back to what
// the Go toolchain records, so `go install ...@v1.2.3` builds report their
// module version and VCS revision too.
func buildInfo() cmdutil.BuildInfo {
	v, c, d := version, commit, date
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if c == "" {
					c = s.Value
				}
			case "vcs.time":
				if d == "" {
					d = s.Value
				}
			}
		}
	}
	if v == "" {
		v = "dev"
	}
	if c == "" {
		c = "unknown"
	}
	if d == "" {
		d = "unknown"
	}
	return cmdutil.NewBuildInfo(v, c, d)
}
