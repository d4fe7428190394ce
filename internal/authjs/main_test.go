package authjs

import (
	"os"
	"testing"
)

// TestMain lets the test binary be the sandbox child that Evaluate starts.
func TestMain(m *testing.M) {
	RunChildIfRequested()
	os.Exit(m.Run())
}
