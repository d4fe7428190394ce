// Package authjstest lets a test binary be the sandbox child that
// authjs.Evaluate starts: authjs re-executes the running executable, which
// under `go test` is the test binary.
package authjstest

import (
	"os"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/authjs"
)

// Main is TestMain for a package whose tests evaluate an auth config,
// directly or through doctor: it serves as the child when asked to, and
// runs the tests otherwise.
func Main(m *testing.M) {
	authjs.RunChildIfRequested()
	os.Exit(m.Run())
}
