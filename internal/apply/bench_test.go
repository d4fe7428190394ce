package apply

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/emulator"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/project"
	"github.com/convex-authkit/convex-authkit/internal/resolve"
	"github.com/convex-authkit/convex-authkit/internal/workos"
)

// benchLatency is added to every emulator request: roughly a round trip to
// api.workos.com, which is what dominates a real apply.
const benchLatency = 50 * time.Millisecond

// BenchmarkApply applies 20 redirect URIs, 10 CORS origins and a homepage
// against the embedded emulator: FetchRemote+Build+Execute and the whole Run
// (config loading and reporting included), each with 8 requests in flight
// (the old default) and with DefaultConcurrency, and the Convex CLI's
// approach (see convexCLIApply). "first"
// starts from an empty environment; "reapply" from one that already has
// everything; "reapply-nolist" too, on a server that cannot list (older
// WorkOS, the official emulator), so apply ensures every item. Each iteration gets a fresh emulator, so every iteration does
// the same work; requests/op comes from the emulator's request log.
func BenchmarkApply(b *testing.B) {
	var redirects, origins []string
	for i := range 20 {
		redirects = append(redirects, fmt.Sprintf("https://app%02d.example.com/callback", i))
	}
	for i := range 10 {
		origins = append(origins, fmt.Sprintf("https://app%02d.example.com", i))
	}
	configure, err := json.Marshal(map[string]any{"redirectUris": redirects, "appHomepageUrl": "https://app00.example.com", "corsOrigins": origins})
	if err != nil {
		b.Fatal(err)
	}
	po := writeProject(b, string(configure), nil)
	cfg, _, target, err := project.Load(po)
	if err != nil {
		b.Fatal(err)
	}
	sec := resolve.Resolve(cfg, target.Choice.Env, target.Sources)
	ctx := context.Background()

	direct := func(concurrency int) func(url, key string) error {
		return func(url, key string) error {
			c := workos.New(workos.Options{BaseURL: url, APIKey: key})
			remote, err := FetchRemote(ctx, c)
			if err != nil {
				return err
			}
			if failures := Failures(Execute(ctx, c, Build(sec, remote, false), concurrency)); len(failures) > 0 {
				return fmt.Errorf("%d failures, first: %s", len(failures), failures[0].Error)
			}
			return nil
		}
	}
	run := func(concurrency int) func(url, key string) error {
		return func(url, key string) error {
			io, _, _, _ := iostreams.Test()
			opts := Options{IO: io, Options: po, JSON: true, Concurrency: concurrency}
			opts.Env = map[string]string{"WORKOS_API_KEY": key, "WORKOS_BASE_URL": url}
			return Run(ctx, opts)
		}
	}
	ways := []struct {
		name  string
		apply func(url, key string) error
	}{
		{"concurrent-8", direct(8)},
		{"concurrent-default", direct(DefaultConcurrency)},
		{"run-concurrent-8", run(8)},
		{"run-concurrent-default", run(DefaultConcurrency)},
		{"sequential-convex-cli", func(url, key string) error {
			return convexCLIApply(ctx, workos.New(workos.Options{BaseURL: url, APIKey: key, MaxAttempts: 1}), sec)
		}},
	}
	for _, state := range []struct {
		name   string
		seeded bool
		noList bool
	}{{"first", false, false}, {"reapply", true, false}, {"reapply-nolist", true, true}} {
		for _, way := range ways {
			b.Run(state.name+"/"+way.name, func(b *testing.B) {
				requests := 0
				for range b.N {
					b.StopTimer()
					emu := emulator.New(emulator.Options{})
					url, err := emu.Start("127.0.0.1:0")
					if err != nil {
						b.Fatal(err)
					}
					if state.seeded {
						for i, v := range redirects {
							emu.AddRedirectURI(v, i == 0)
						}
						for _, v := range origins {
							emu.AddCORSOrigin(v)
						}
					}
					emu.SetFaults(emulator.Faults{Latency: benchLatency, NoListEndpoints: state.noList})
					b.StartTimer()
					err = way.apply(url, emu.APIKey())
					b.StopTimer()
					requests += len(emu.Requests())
					_ = emu.Close()
					if err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
			})
		}
	}
}

// convexCLIApply is the baseline: what the Convex CLI (1.48,
// updateWorkosEnvironment) does. One request at a time, no reads, no
// retries; the redirect URIs, then the homepage, then the CORS origins, in
// convex.json's order; "already exists" counts as unchanged and a 422 on the
// homepage as "not updated"; any other error stops it.
func convexCLIApply(ctx context.Context, c *workos.Client, sec *resolve.Section) error {
	for _, v := range sec.RedirectURIs {
		if _, err := c.CreateRedirectURI(ctx, v.Value); err != nil {
			return err
		}
	}
	if h := sec.AppHomepageURL; h != nil && h.Value != "" {
		if err := c.SetAppHomepageURL(ctx, h.Value); err != nil && !workos.IsStatus(err, 422) {
			return err
		}
	}
	for _, v := range sec.CORSOrigins {
		if _, err := c.CreateCORSOrigin(ctx, v.Value); err != nil {
			return err
		}
	}
	return nil
}
