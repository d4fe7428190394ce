package cmdutil

import (
	"bytes"
	"context"
	"os"
	"syscall"
	"testing"
)

// The watcher writes before it cancels, exits or returns, and the test
// reads only after seeing that: a plain buffer is race-free here.

func TestCancelOnSignal(t *testing.T) {
	for _, first := range []os.Signal{syscall.SIGTERM, os.Interrupt} {
		t.Run(signalName(first), func(t *testing.T) {
			sigs := make(chan os.Signal, 1)
			var errOut bytes.Buffer
			exited := make(chan int, 1)
			ctx, stop := CancelOnSignal(context.Background(), sigs, &errOut, func(code int) { exited <- code })
			defer stop()

			sigs <- first
			<-ctx.Done() // the test's deadline fails it if the signal is ignored
			want := "received " + signalName(first) + ": stopping (no new request starts; a second signal exits at once)\n"
			if got := errOut.String(); got != want {
				t.Fatalf("after the first signal, stderr = %q, want %q", got, want)
			}
			select {
			case code := <-exited:
				t.Fatalf("the first signal exited with %d; it must only cancel", code)
			default:
			}

			// The second may be the other signal: CI sends SIGTERM after a
			// user's Ctrl-C as readily as the reverse.
			sigs <- os.Interrupt
			if code := <-exited; code != ExitCancel {
				t.Fatalf("second signal exited with %d, want %d", code, ExitCancel)
			}
			want += "received SIGINT again: exiting now; requests already sent may or may not have been applied: run the command again to settle them\n"
			if got := errOut.String(); got != want {
				t.Fatalf("stderr = %q, want %q", got, want)
			}
		})
	}
}

// After stop, a signal is no longer the watcher's: nothing is printed and
// nothing exits.
func TestCancelOnSignalStop(t *testing.T) {
	sigs := make(chan os.Signal, 1)
	var errOut bytes.Buffer
	ctx, stop := CancelOnSignal(context.Background(), sigs, &errOut, func(code int) { t.Errorf("exit(%d) after stop", code) })
	stop()
	if ctx.Err() == nil {
		t.Fatal("stop left the context running")
	}
	sigs <- syscall.SIGTERM // buffered: nobody reads it any more
	if got := errOut.String(); got != "" {
		t.Errorf("stderr after stop = %q, want nothing", got)
	}
}
