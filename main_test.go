package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

var updateScripts = flag.Bool("update", false, "rewrite testscript files with actual output (cmp only)")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"convex-authkit": func() { os.Exit(run()) },
		"expect-exit":    expectExit,
		"deadline":       deadline,
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

// deadline runs `deadline SECONDS command args...` and exits with the
// command's status, or fails once SECONDS pass: a script that checks a
// command does not hang fails rather than hanging the whole test run.
func deadline() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: deadline SECONDS COMMAND [ARGS...]")
		os.Exit(2)
	}
	secs, err := strconv.Atoi(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "deadline: bad seconds:", os.Args[1])
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(secs)*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, os.Args[2], os.Args[3:]...)
	c.Stdin, c.Stdout, c.Stderr = os.Stdin, os.Stdout, os.Stderr
	err = c.Run()
	if ctx.Err() != nil {
		fmt.Fprintf(os.Stderr, "deadline: %s still running after %ds, killed\n", os.Args[2], secs)
		os.Exit(125)
	}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		os.Exit(ee.ExitCode())
	case err != nil:
		fmt.Fprintln(os.Stderr, "deadline:", err)
		os.Exit(2)
	}
	os.Exit(0)
}

func TestScripts(t *testing.T) {
	cmds := maps.Clone(emulatorCmds)
	cmds["mkfifo"] = mkfifo
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *updateScripts,
		Setup:         setupEmulator,
		Cmds:          cmds,
	})
}
