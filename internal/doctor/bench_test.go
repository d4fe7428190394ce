package doctor

import (
	"context"
	"testing"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/deployment/deployemu"
	"github.com/convex-authkit/convex-authkit/internal/emulator"
	"github.com/convex-authkit/convex-authkit/internal/faults"
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

// BenchmarkDoctorDeployment adds a connected deployment (its emulator) to
// BenchmarkDoctor's run, with the same latency on every request of both
// emulators. The deployment's three reads start with the WorkOS ones; only
// evaluation waits for the variables and only token routing for the stored
// providers, so the longest dependent chain stays two requests deep (the
// variables, then a JWKS; or the sign-in, then that JWKS) plus the local
// work, measured at zero latency. x-chain is the wall time over that chain.
//
//	go test -run '^$' -bench DoctorDeployment ./internal/doctor
func BenchmarkDoctorDeployment(b *testing.B) {
	const depth = 2
	var local time.Duration
	for _, latency := range []time.Duration{0, 100 * time.Millisecond} {
		b.Run("latency="+latency.String(), func(b *testing.B) {
			emu := startEmulator(b)
			emu.SetFaults(emulator.Faults{Latency: latency})
			dep := deployemu.New(deployemu.Options{Vars: map[string]string{"WORKOS_CLIENT_ID": clientID, "WORKOS_BASE_URL": emu.URL()},
				Providers: standardStored(emu.URL())})
			url, err := dep.Start("127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = dep.Close() })
			dep.SetFaults(faults.Faults{Latency: latency})
			dir := writeFiles(b, healthyFiles())
			requests := 0
			start := time.Now()
			b.ResetTimer()
			for b.Loop() {
				before := len(emu.Requests()) + len(dep.Requests())
				opts, _, _ := options(dir, emu)
				opts.Login = testEmail
				opts.Options.Env["WORKOS_TEST_PASSWORD"] = testPassword
				attachTo(&opts, url, dep.AdminKey())
				rep, _, err := Diagnose(context.Background(), opts)
				if err != nil || !rep.OK {
					b.Fatalf("%v %+v", err, rep.Summary)
				}
				requests = len(emu.Requests()) + len(dep.Requests()) - before
			}
			wall := time.Since(start) / time.Duration(b.N)
			if latency == 0 {
				local = wall
			}
			chain := local + depth*latency
			b.ReportMetric(float64(requests), "requests")
			b.ReportMetric(float64(requests)*float64(latency.Milliseconds()), "sum-ms")
			b.ReportMetric(float64(chain.Milliseconds()), "chain-ms")
			b.ReportMetric(float64(wall)/float64(chain), "x-chain")
		})
	}
}
