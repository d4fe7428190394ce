package initcmd

import (
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/authjs/authjstest"
)

// init compares a hand-written auth config with the generated one by
// evaluating both, which starts the test binary as authjs's sandbox.
func TestMain(m *testing.M) { authjstest.Main(m) }
