package cmd

import (
	"os"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/authjs"
)

// TestMain lets the test binary be the sandbox child in which authjs
// evaluates auth.config.ts.
func TestMain(m *testing.M) {
	authjs.RunChildIfRequested()
	os.Exit(m.Run())
}
