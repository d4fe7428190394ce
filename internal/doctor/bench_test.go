package doctor

import (
	"context"
	"testing"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/emulator"
)

// BenchmarkDoctor runs every check of a healthy project, signing a user in
// with --login, against the embedded emulator with a fixed latency added to
// every request. The requests (three WorkOS reads, the sign-in, the JWKS)
// run concurrently, so the wall time stays near the slowest chain (auth
// config evaluation, then the JWKS; or sign-in, then verification, which
// reuses that JWKS) rather than the sum, which the sum-ms metric shows.
//
//	go test -run '^$' -bench Doctor ./internal/doctor
func BenchmarkDoctor(b *testing.B) {
	for _, latency := range []time.Duration{0, 100 * time.Millisecond} {
		b.Run("latency="+latency.String(), func(b *testing.B) {
			emu := startEmulator(b)
			dir := writeFiles(b, healthyFiles())
			emu.SetFaults(emulator.Faults{Latency: latency})
			requests := 0
			b.ResetTimer()
			for b.Loop() {
				before := len(emu.Requests())
				opts, _, _ := options(dir, emu)
				opts.Login = testEmail
				opts.Options.Env["WORKOS_TEST_PASSWORD"] = testPassword
				rep, _, err := Diagnose(context.Background(), opts)
				if err != nil || !rep.OK {
					b.Fatalf("%v %+v", err, rep.Summary)
				}
				requests = len(emu.Requests()) - before
			}
			b.ReportMetric(float64(requests), "requests")
			b.ReportMetric(float64(requests)*float64(latency.Milliseconds()), "sum-ms")
		})
	}
}
