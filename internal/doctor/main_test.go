package doctor

import (
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/authjs/authjstest"
)

func TestMain(m *testing.M) { authjstest.Main(m) }
