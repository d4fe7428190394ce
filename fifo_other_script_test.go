//go:build !unix

package main

import "github.com/rogpeppe/go-internal/testscript"

// mkfifo fails: outside Unix there are no named pipes in the file
// system; scripts that need one skip with [!unix].
func mkfifo(ts *testscript.TestScript, _ bool, _ []string) {
	ts.Fatalf("mkfifo needs a Unix system")
}
