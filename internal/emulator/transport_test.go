package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

const workOS = "https://api.workos.com"

// TestIssuerBase: with IssuerBase, tokens minted directly and through
// password authentication name it as WorkOS's tokens name
// https://api.workos.com; the JWKS that verifies them is unchanged.
func TestIssuerBase(t *testing.T) {
	s, url := start(t, Options{IssuerBase: workOS + "/"})
	s.AddUser("ada@example.com", "pw")
	want := workOS + "/user_management/" + s.ClientID()
	jwks := fetchJWKS(t, url, s)
	token, err := s.Token("ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, claims := verify(t, token, jwks); claims["iss"] != want {
		t.Errorf("Token: iss = %v, want %s", claims["iss"], want)
	}
	r := authenticate(t, url, passwordGrant(s, "ada@example.com", "pw")).want(t, http.StatusOK)
	if _, claims := verify(t, r.body["access_token"].(string), jwks); claims["iss"] != want {
		t.Errorf("authenticate: iss = %v, want %s", claims["iss"], want)
	}
}

func TestTransport(t *testing.T) {
	s, url := start(t, Options{IssuerBase: workOS})
	tr, err := s.Transport(workOS)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: tr}
	get := func(u string) (*http.Response, string, error) {
		res, err := client.Get(u)
		if err != nil {
			return nil, "", err
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		return res, string(body), err
	}

	// The origin's URLs reach the emulator, however the origin is spelled,
	// and the response names the URL asked for.
	for _, u := range []string{
		workOS + "/sso/jwks/" + s.ClientID(),
		"https://API.WorkOS.com:443/sso/jwks/" + s.ClientID(),
		url + "/sso/jwks/" + s.ClientID(),
	} {
		res, body, err := get(u)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `"kid":"sso_oidc_key_pair_`) {
			t.Errorf("GET %s: %d %s", u, res.StatusCode, body)
		}
		if res.Request.URL.String() != u {
			t.Errorf("GET %s: response for %s", u, res.Request.URL)
		}
	}

	// Method, query, headers and body pass: an authenticated POST works, and
	// a token minted through the transport is WorkOS-shaped.
	s.AddUser("ada@example.com", "pw")
	grant, _ := json.Marshal(passwordGrant(s, "ada@example.com", "pw"))
	res, err := client.Post(workOS+"/user_management/authenticate", "application/json", strings.NewReader(string(grant)))
	if err != nil {
		t.Fatal(err)
	}
	var auth struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(res.Body).Decode(&auth)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("authenticate: %d %v", res.StatusCode, err)
	}
	if _, claims := verify(t, auth.AccessToken, fetchJWKS(t, url, s)); claims["iss"] != workOS+"/user_management/"+s.ClientID() {
		t.Errorf("iss = %v", claims["iss"])
	}
	req, _ := http.NewRequest(http.MethodGet, workOS+"/user_management/redirect_uris?limit=1", nil)
	req.Header.Set("Authorization", "Bearer "+s.APIKey())
	if res, err := client.Do(req); err != nil || res.StatusCode != http.StatusOK {
		t.Errorf("authorized list: %v %v", res, err)
	} else {
		res.Body.Close()
	}

	// Anything else never leaves the machine.
	before := len(s.Requests())
	for _, u := range []string{
		"http://api.workos.com/sso/jwks/" + s.ClientID(),
		"https://api.workos.com:8443/sso/jwks/" + s.ClientID(),
		"https://example.com/",
		"https://auth.example.com/sso/jwks/" + s.ClientID(),
	} {
		_, _, err := get(u)
		if err == nil || !strings.Contains(err.Error(), "only https://api.workos.com (played by the emulator at "+url+") is reachable, so that nothing leaves this machine") {
			t.Errorf("GET %s: err = %v, want a refusal", u, err)
		}
	}
	if n := len(s.Requests()); n != before {
		t.Errorf("refused requests reached the emulator: %d more requests", n-before)
	}
}

func TestTransportErrors(t *testing.T) {
	if _, err := New(Options{}).Transport(workOS); err == nil || !strings.Contains(err.Error(), "call Start first") {
		t.Errorf("before Start: err = %v", err)
	}
	s, _ := start(t, Options{})
	for _, origin := range []string{"", "api.workos.com", "ftp://api.workos.com", workOS + "/sso", workOS + "?x=1", "https://user@api.workos.com"} {
		if _, err := s.Transport(origin); err == nil {
			t.Errorf("Transport(%q) succeeded", origin)
		}
	}
}
