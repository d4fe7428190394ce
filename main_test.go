package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/convex-authkit/convex-authkit/internal/authjs"
)

var updateScripts = flag.Bool("update", false, "rewrite testscript files with actual output (cmp only)")

func TestMain(m *testing.M) {
	authjs.RunChildIfRequested()
	testscript.Main(m, map[string]func(){
		"convex-authkit": func() { os.Exit(run()) },
		"expect-exit":    expectExit,
	})
}

// expectExit runs `expect-exit N command args...` and fails unless the
// command exits with status N. testscript's `! exec` only knows "non-zero",
// and the exit codes are part of this tool's interface.
func expectExit() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: expect-exit CODE COMMAND [ARGS...]")
		os.Exit(2)
	}
	want, err := strconv.Atoi(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "expect-exit: bad code:", os.Args[1])
		os.Exit(2)
	}
	c := exec.Command(os.Args[2], os.Args[3:]...)
	c.Stdin, c.Stdout, c.Stderr = os.Stdin, os.Stdout, os.Stderr
	got := 0
	if err := c.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			fmt.Fprintln(os.Stderr, "expect-exit:", err)
			os.Exit(2)
		}
		got = ee.ExitCode()
	}
	if got != want {
		fmt.Fprintf(os.Stderr, "expect-exit: %s exited with %d, want %d\n", os.Args[2], got, want)
		os.Exit(1)
	}
	os.Exit(0)
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *updateScripts,
		Setup:         setupScript,
		Cmds:          scriptCmds(),
	})
}
