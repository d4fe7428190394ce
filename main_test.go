package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/convex-authkit/convex-authkit/internal/authjs"
)

var updateScripts = flag.Bool("update", false, "rewrite testscript files with actual output (cmp only)")

func TestMain(m *testing.M) {
	authjs.RunChildIfRequested()
	testscript.Main(m, map[string]func(){
		"convex-authkit": func() { os.Exit(run()) },
		"expect-exit":    expectExit,
		"deadline":       deadline,
		"signal-on":      signalOn,
	})
}

// expectExit runs `expect-exit N command args...` and fails unless the
// command exits with status N. testscript's `! exec` only knows "non-zero",
// and the exit codes are part of this tool's interface.
func expectExit() {
	want, args := numberAndCommand("expect-exit", "CODE")
	if got := runStatus(context.Background(), "expect-exit", args); got != want {
		fmt.Fprintf(os.Stderr, "expect-exit: %s exited with %d, want %d\n", args[0], got, want)
		os.Exit(1)
	}
	os.Exit(0)
}

// deadline runs `deadline SECONDS command args...` and exits with the
// command's status, or fails once SECONDS pass: a script that checks a
// command does not hang fails rather than hanging the whole test run.
func deadline() {
	secs, args := numberAndCommand("deadline", "SECONDS")
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(secs)*time.Second)
	defer cancel()
	code := runStatus(ctx, "deadline", args)
	if ctx.Err() != nil {
		fmt.Fprintf(os.Stderr, "deadline: %s still running after %ds, killed\n", args[0], secs)
		code = 125
	}
	os.Exit(code)
}

// signalOn runs `signal-on FILE SIGNAL command args...`: it starts the
// command, sends it SIGNAL (TERM or INT) once FILE exists, and exits with
// the command's status. A script creates FILE when the command has reached
// the point to interrupt (emu-await tells), which testscript's own kill
// cannot aim at, and kill knows no SIGTERM. It gives up after a minute, so
// a command that ignores the signal fails the script instead of hanging it.
func signalOn() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: signal-on FILE TERM|INT COMMAND [ARGS...]")
		os.Exit(2)
	}
	file, name, args := os.Args[1], os.Args[2], os.Args[3:]
	sig, ok := map[string]os.Signal{"TERM": syscall.SIGTERM, "INT": os.Interrupt}[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "signal-on: unknown signal %q\n", name)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := exec.CommandContext(ctx, args[0], args[1:]...)
	c.Stdin, c.Stdout, c.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := c.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "signal-on: %v\n", err)
		os.Exit(2)
	}
	waited := make(chan error, 1)
	go func() { waited <- c.Wait() }()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for sent := false; ; {
		select {
		case err := <-waited:
			var ee *exec.ExitError
			switch {
			case ctx.Err() != nil:
				fmt.Fprintf(os.Stderr, "signal-on: %s still running after a minute, killed\n", args[0])
				os.Exit(125)
			case !sent:
				fmt.Fprintf(os.Stderr, "signal-on: %s ended before %s existed\n", args[0], file)
				os.Exit(125)
			case errors.As(err, &ee):
				os.Exit(ee.ExitCode())
			case err != nil:
				fmt.Fprintf(os.Stderr, "signal-on: %v\n", err)
				os.Exit(2)
			}
			os.Exit(0)
		case <-tick.C:
			if _, err := os.Stat(file); !sent && err == nil {
				if err := c.Process.Signal(sig); err != nil {
					fmt.Fprintf(os.Stderr, "signal-on: %v\n", err)
					os.Exit(2)
				}
				sent = true
			}
		}
	}
}

// numberAndCommand reads the arguments `NUMBER COMMAND [ARGS...]` of the
// helper programs above, exiting 2 when they are wrong.
func numberAndCommand(name, number string) (int, []string) {
	if len(os.Args) < 3 {
		fmt.Fprintf(os.Stderr, "usage: %s %s COMMAND [ARGS...]\n", name, number)
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: bad %s: %s\n", name, number, os.Args[1])
		os.Exit(2)
	}
	return n, os.Args[2:]
}

// runStatus runs args on the helper's own streams and returns the exit
// status; a command that cannot be started exits the helper with 2.
func runStatus(ctx context.Context, name string, args []string) int {
	c := exec.CommandContext(ctx, args[0], args[1:]...)
	c.Stdin, c.Stdout, c.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := c.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode()
	case err != nil:
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(2)
	}
	return 0
}

func TestScripts(t *testing.T) {
	cmds := scriptCmds()
	cmds["mkfifo"] = mkfifo
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *updateScripts,
		Setup:         setupScript,
		Cmds:          cmds,
	})
}

// listenCmds let a script run a server of its own (`exec convex-authkit
// emulate ... &`) on a port it knows:
//
//	free-port VAR       set VAR to a loopback port free at this moment
//	await-listen ADDR   wait (up to 30s) until something accepts on ADDR
var listenCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"free-port": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 1 {
			ts.Fatalf("usage: free-port VAR")
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		ts.Check(err)
		port := l.Addr().(*net.TCPAddr).Port
		ts.Check(l.Close())
		ts.Setenv(args[0], strconv.Itoa(port))
	},
	"await-listen": func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 1 {
			ts.Fatalf("usage: await-listen HOST:PORT")
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			c, err := net.DialTimeout("tcp", args[0], time.Second)
			if err == nil {
				ts.Check(c.Close())
				return
			}
			if time.Now().After(deadline) {
				ts.Fatalf("await-listen: nothing accepts on %s after 30s: %v", args[0], err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	},
}
