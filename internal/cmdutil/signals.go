package cmdutil

import (
	"context"
	"fmt"
	"io"
	"os"
	"syscall"
)

// StopSignals are the signals that stop a run: Ctrl-C's SIGINT, and the
// SIGTERM that CI systems (GitHub Actions, GitLab, Vercel and Netlify
// builds cancelled) and process managers send.
var StopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// CancelOnSignal returns a context that the first signal from sigs
// cancels: requests in flight stop, no new one starts, and the command
// reports what was and was not done, then exits 2. A second signal means
// the user will not wait for that: it prints one line on errOut and calls
// exit(ExitCancel) at once. stop ends the watch; call it when the run is
// over; it returns once the watch has ended.
func CancelOnSignal(parent context.Context, sigs <-chan os.Signal, errOut io.Writer, exit func(int)) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(parent)
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		select {
		case sig := <-sigs:
			fmt.Fprintf(errOut, "received %s: stopping (no new request starts; a second signal exits at once)\n", signalName(sig))
			cancel()
		case <-done:
			return
		}
		select {
		case sig := <-sigs:
			fmt.Fprintf(errOut, "received %s again: exiting now; requests already sent may or may not have been applied: run the command again to settle them\n", signalName(sig))
			exit(ExitCancel)
		case <-done:
		}
	}()
	return ctx, func() {
		// Once stop returns, the watcher is gone: nothing it prints can
		// follow the command's own last line.
		close(done)
		<-finished
		cancel()
	}
}

// signalName names sig as people type it in kill and CI logs show it.
func signalName(sig os.Signal) string {
	switch sig {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return sig.String()
}
