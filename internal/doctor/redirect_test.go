package doctor

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// A WorkOS URL that answers 307 to another port must not receive the
// password and key there (doctor --login sends both to authenticate), and
// the key check must not pass on the strength of the other server's answers.
func TestRedirectedWorkOSIsNotFollowed(t *testing.T) {
	emu := startEmulator(t)
	elsewhere := strings.Replace(emu.URL(), "127.0.0.1", "localhost", 1)
	var hits atomic.Int32
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, elsewhere+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	t.Cleanup(front.Close)

	dir := writeFiles(t, healthyFiles())
	opts, _, _ := options(dir, emu)
	opts.Options.Env["WORKOS_BASE_URL"] = front.URL
	opts.Options.Env["WORKOS_TEST_PASSWORD"] = testPassword
	opts.Login = testEmail
	rep := diagnose(t, opts)

	for _, r := range emu.Requests() {
		if strings.HasPrefix(r.Path, "/user_management/") {
			t.Errorf("the redirect target received %s %s", r.Method, r.Path)
		}
	}
	if hits.Load() == 0 {
		t.Fatal("doctor never asked the WorkOS URL")
	}
	login := find(rep, IDTokenLogin)
	if login.Status != StatusError || !strings.Contains(login.Message, "307 Temporary Redirect to "+elsewhere+"/user_management/authenticate") {
		t.Errorf("%s: %s: %s", login.ID, login.Status, login.Message)
	}
	if key := find(rep, IDWorkOSAPIKey); key.Status == StatusPass {
		t.Errorf("%s passed through a redirect: %s", key.ID, key.Message)
	}
	if rep.OK {
		t.Error("the run is OK")
	}
}
