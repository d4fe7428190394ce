package apply

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/deployment"
	"github.com/convex-authkit/convex-authkit/internal/deployment/deployemu"
	"github.com/convex-authkit/convex-authkit/internal/emulator"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/npmpin"
)

// workosNode is the WorkOS Node SDK @convex-dev/workos-authkit verifies
// deliveries with (its peer range allows ^8; 8.8.0 is the newest that runs
// on Node 20), pinned with its lockfile in testdata/workos-node.
var workosNode = npmpin.Spec{Name: "@workos-inc/node", Version: "8.8.0"}

// verifyScript checks each delivery as the component's route does:
// constructEvent over JSON.parse(body), with the secret given. It prints
// the event types and the first user's email, or exits 1 with the SDK's
// error. A tampered copy of the first delivery must be refused.
const verifyScript = `
const { WorkOS } = require(process.argv[1]);
let input = "";
process.stdin.on("data", (c) => { input += c; });
process.stdin.on("end", async () => {
  const { secret, deliveries } = JSON.parse(input);
  const workos = new WorkOS("sk_test_sdkcheck");
  const out = [];
  for (const d of deliveries) {
    const event = await workos.webhooks.constructEvent({ payload: JSON.parse(d.Body), sigHeader: d.Signature, secret });
    out.push(event.event + " " + event.data.email);
  }
  const tampered = JSON.parse(deliveries[0].Body);
  tampered.data.email = "mallory@example.com";
  try {
    await workos.webhooks.constructEvent({ payload: tampered, sigHeader: deliveries[0].Signature, secret });
    out.push("tampered accepted");
  } catch (e) {
    out.push("tampered refused");
  }
  process.stdout.write(out.join("\n"));
});
`

// TestWebhookDeliveryVerifiedBySDK runs the component's flow offline: apply
// creates the endpoint on the embedded WorkOS emulator and stores its secret
// on the deployment emulator; users created, updated and deleted in the
// emulator are delivered, signed, to the deployment's route; and the real
// WorkOS Node SDK verifies every delivery with the secret read back from the
// deployment. The first delivery fails (the routes are not deployed yet), so
// the emulator's retry is what lands.
func TestWebhookDeliveryVerifiedBySDK(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: not installing and running the WorkOS Node SDK")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node not found in PATH: this test verifies deliveries with the WorkOS Node SDK; install Node.js and npm, or run with -short")
	}
	spec := workosNode
	for name, dst := range map[string]*[]byte{"package.json": &spec.PackageJSON, "package-lock.json": &spec.Lock} {
		if *dst, err = os.ReadFile(filepath.Join("testdata", "workos-node", name)); err != nil {
			t.Fatal(err)
		}
	}
	sdkDir, err := npmpin.Install(spec, t.Logf)
	if err != nil {
		t.Fatal(err)
	}

	emu := emulator.New(emulator.Options{DeliveryBackoff: 100 * time.Millisecond})
	emuURL, err := emu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	dep := deployemu.New(deployemu.Options{Vars: map[string]string{"WORKOS_CLIENT_ID": emu.ClientID()}})
	depURL, err := dep.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dep.Close() })

	po := projectWith(t, map[string]string{
		"convex.json":  `{"authKit":{"dev":{"configure":{"redirectUris":["http://localhost:5173/callback"]}}}}`,
		"package.json": `{"dependencies":{"@convex-dev/workos-authkit":"0.2.9"}}`,
	}, map[string]string{"WORKOS_API_KEY": emu.APIKey(), "WORKOS_BASE_URL": emuURL,
		"CONVEX_SELF_HOSTED_URL": depURL, "CONVEX_SELF_HOSTED_ADMIN_KEY": dep.AdminKey()})
	if err := os.MkdirAll(filepath.Join(po.Dir, "convex"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, src := range map[string]string{"convex.config.ts": configUseTS, "http.ts": httpRoutesTS} {
		if err := os.WriteFile(filepath.Join(po.Dir, "convex", name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	io, _, out, errOut := iostreams.Test()
	if err := Run(context.Background(), Options{IO: io, Options: po, Concurrency: 4, Deployment: deployment.Options{Dir: po.Dir}}); err != nil {
		t.Fatalf("apply: %v\n%s\n%s", err, out, errOut)
	}
	secret := dep.Vars()["WORKOS_WEBHOOK_SECRET"]
	if !strings.HasPrefix(secret, "whsec_") || strings.Contains(out.String()+errOut.String(), secret) {
		t.Fatalf("secret %q not stored, or printed:\n%s\n%s", secret, out, errOut)
	}

	// The routes are deployed only after the first attempt has failed.
	users := emuURL + "/user_management/users"
	created := call(t, http.MethodPost, users, emu.APIKey(), `{"email":"ada@example.com","first_name":"Ada & <Co>"}`)
	waitFor(t, func() bool { d := emu.Deliveries(); return len(d) == 1 && d[0].Status == http.StatusNotFound })
	dep.SetComponentRoutes(true)
	var u struct{ ID string }
	if err := json.Unmarshal(created, &u); err != nil {
		t.Fatal(err)
	}
	call(t, http.MethodPut, users+"/"+u.ID, emu.APIKey(), `{"last_name":"Lovelace"}`)
	call(t, http.MethodDelete, users+"/"+u.ID, emu.APIKey(), "")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := emu.WaitDeliveries(ctx); err != nil {
		t.Fatalf("deliveries not finished: %+v", emu.Deliveries())
	}
	for _, d := range emu.Deliveries() {
		if d.Status != http.StatusOK || (d.Event == "user.created") != (d.Attempts > 1) {
			t.Errorf("delivery %+v: want 200, retried only for user.created", d)
		}
	}

	got := dep.Deliveries()
	input, err := json.Marshal(map[string]any{"secret": secret, "deliveries": got})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "-e", verifyScript, filepath.Join(sdkDir, "node_modules", "@workos-inc", "node"))
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	res, err := cmd.Output()
	if err != nil {
		t.Fatalf("the WorkOS Node SDK refused a delivery: %v\n%s", err, stderr.String())
	}
	// The retried user.created lands after the others, as with WorkOS,
	// which does not promise order either: compare without it.
	want := []string{"tampered refused", "user.created ada@example.com", "user.deleted ada@example.com", "user.updated ada@example.com"}
	if lines := slices.Sorted(slices.Values(strings.Split(string(res), "\n"))); !slices.Equal(lines, want) {
		t.Fatalf("SDK verified %q, want %q", lines, want)
	}
}

const (
	configUseTS = `import workOSAuthKit from "@convex-dev/workos-authkit/convex.config";
const app = defineApp();
app.use(workOSAuthKit);
export default app;
`
	httpRoutesTS = `const http = httpRouter();
authKit.registerRoutes(http);
export default http;
`
)

func call(t *testing.T, method, url, key, body string) []byte {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(res.Body)
	if res.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, url, res.StatusCode, b.String())
	}
	return b.Bytes()
}

// waitFor polls cond: deliveries run in the background.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 20s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
