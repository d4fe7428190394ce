package apply

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/deployment"
	"github.com/convex-authkit/convex-authkit/internal/secret"
	"github.com/convex-authkit/convex-authkit/internal/workos"
)

const testSite = "https://happy-otter-123.convex.site"

var testEvents = []string{"user.created", "user.updated", "user.deleted"}

func TestPlanWebhook(t *testing.T) {
	at := func(url, status string, events ...string) workos.WebhookEndpoint {
		return workos.WebhookEndpoint{ID: "we_1", URL: url, Status: status, Events: events}
	}
	hook := testSite + "/workos/webhook"
	tests := []struct {
		name      string
		remote    []workos.WebhookEndpoint
		hasSecret bool
		rotate    bool
		action    string
		events    []string
		store     bool
		replace   bool
		exit3     string // fragment of the usage error, if one
	}{
		{name: "none", action: ActionAdd, events: testEvents, store: true},
		{name: "none, stale secret on the deployment", hasSecret: true, action: ActionAdd, events: testEvents, store: true, replace: true},
		{name: "other URL only", remote: []workos.WebhookEndpoint{at("https://other.convex.site/workos/webhook", "enabled", testEvents...)}, action: ActionAdd, events: testEvents, store: true},
		{name: "matches", remote: []workos.WebhookEndpoint{at(hook, "enabled", testEvents...)}, hasSecret: true, action: ActionUnchanged, events: testEvents},
		{name: "host case and trailing slash", remote: []workos.WebhookEndpoint{at("https://HAPPY-otter-123.convex.site/workos/webhook/", "enabled", testEvents...)}, hasSecret: true, action: ActionUnchanged, events: testEvents},
		{name: "missing event, extra kept", remote: []workos.WebhookEndpoint{at(hook, "enabled", "user.created", "dsync.activated")}, hasSecret: true,
			action: ActionUpdate, events: []string{"user.created", "user.updated", "user.deleted", "dsync.activated"}},
		{name: "disabled", remote: []workos.WebhookEndpoint{at(hook, "disabled", testEvents...)}, hasSecret: true, action: ActionUpdate, events: testEvents},
		{name: "no secret on the deployment", remote: []workos.WebhookEndpoint{at(hook, "enabled", testEvents...)}, exit3: "--rotate-webhook-secret"},
		{name: "rotate", remote: []workos.WebhookEndpoint{at(hook, "enabled", testEvents...)}, rotate: true, action: ActionReplace, events: testEvents, store: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := PlanWebhook(testSite, testEvents, tt.remote, tt.hasSecret, tt.rotate, "dev")
			if tt.exit3 != "" {
				var ce *cmdutil.Error
				if !errors.As(err, &ce) || ce.Code != cmdutil.ExitUsage || !strings.Contains(ce.Hint, tt.exit3) || !strings.Contains(ce.Hint, "npx convex env set WORKOS_WEBHOOK_SECRET") {
					t.Fatalf("err = %#v, want exit 3 naming %s and the dashboard way", err, tt.exit3)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if w.URL != hook || w.Action != tt.action || !slices.Equal(w.Events, tt.events) || w.StoreSecret != tt.store || w.ReplaceSecret != tt.replace {
				t.Errorf("plan = %+v, want %s %q store=%v replace=%v", w, tt.action, tt.events, tt.store, tt.replace)
			}
		})
	}
}

// fakeDeployment answers SiteURL only.
type fakeDeployment struct {
	deployment.Deployment
	site string
	err  error
}

func (f fakeDeployment) SiteURL(context.Context) (string, error) { return f.site, f.err }

func TestSiteURL(t *testing.T) {
	att := func(site string, err error, url string) *deployment.Attached {
		return &deployment.Attached{Deployment: fakeDeployment{site: site, err: err}, Target: deployment.Target{URL: url}}
	}
	tests := []struct {
		name, flag string
		att        *deployment.Attached
		want       string
		exit3      string
	}{
		{name: "asked", att: att("https://happy-otter-123.convex.site", nil, ""), want: "https://happy-otter-123.convex.site"},
		{name: "flag wins", flag: "https://auth-hooks.example.com/", att: att("https://x.convex.site", nil, ""), want: "https://auth-hooks.example.com"},
		{name: "cloud twin", att: att("", errors.New("no such function"), "https://happy-otter-123.convex.cloud"), want: "https://happy-otter-123.convex.site"},
		{name: "loopback http", att: att("http://127.0.0.1:3211", nil, ""), want: "http://127.0.0.1:3211"},
		{name: "http", flag: "http://example.com", att: &deployment.Attached{}, exit3: "is not https"},
		{name: "path", flag: "https://example.com/hooks", att: &deployment.Attached{}, exit3: "is not an origin"},
		{name: "unknown", att: &deployment.Attached{}, exit3: "--site-url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SiteURL(context.Background(), tt.flag, tt.att)
			if tt.exit3 != "" {
				var ce *cmdutil.Error
				if !errors.As(err, &ce) || ce.Code != cmdutil.ExitUsage || !strings.Contains(ce.Error()+ce.Hint, tt.exit3) {
					t.Fatalf("err = %v, want exit 3 with %q", err, tt.exit3)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("SiteURL = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// fakeWebhooks records calls and answers with err, or a new endpoint.
type fakeWebhooks struct {
	calls []string
	err   error
}

func (f *fakeWebhooks) ListWebhookEndpoints(context.Context) ([]workos.WebhookEndpoint, error) {
	return nil, nil
}

func (f *fakeWebhooks) CreateWebhookEndpoint(_ context.Context, u string, ev []string) (workos.WebhookEndpoint, error) {
	f.calls = append(f.calls, "create "+u)
	if f.err != nil {
		return workos.WebhookEndpoint{}, f.err
	}
	return workos.WebhookEndpoint{ID: "we_2", URL: u, Events: ev, Status: "enabled", Secret: "whsec_brandnewsecret1234"}, nil
}

func (f *fakeWebhooks) UpdateWebhookEndpoint(_ context.Context, id string, _ *string, _ []string, status *string) (workos.WebhookEndpoint, error) {
	f.calls = append(f.calls, "update "+id+" "+*status)
	return workos.WebhookEndpoint{}, f.err
}

func (f *fakeWebhooks) DeleteWebhookEndpoint(_ context.Context, id string) error {
	f.calls = append(f.calls, "delete "+id)
	return nil
}

func TestApplyWebhook(t *testing.T) {
	existing := &workos.WebhookEndpoint{ID: "we_1", URL: testSite + "/workos/webhook"}
	tests := []struct {
		name    string
		plan    WebhookPlan
		err     error
		calls   []string
		status  string
		secret  bool
		errPart string
	}{
		{name: "create", plan: WebhookPlan{Action: ActionAdd, StoreSecret: true}, calls: []string{"create " + testSite + "/workos/webhook"}, status: StatusCreated, secret: true},
		{name: "update", plan: WebhookPlan{Action: ActionUpdate, Existing: existing}, calls: []string{"update we_1 enabled"}, status: StatusUpdated},
		{name: "rotate deletes first", plan: WebhookPlan{Action: ActionReplace, Existing: existing, StoreSecret: true}, calls: []string{"delete we_1", "create " + testSite + "/workos/webhook"}, status: StatusCreated, secret: true},
		{name: "422", plan: WebhookPlan{Action: ActionAdd, StoreSecret: true}, err: &workos.APIError{Method: "POST", Path: "/webhook_endpoints", Status: 422, Code: "invalid_url", Message: "The endpoint URL must be a valid HTTPS URL."},
			calls: []string{"create " + testSite + "/workos/webhook"}, status: StatusFailed, errPart: "valid HTTPS URL"},
		{name: "409", plan: WebhookPlan{Action: ActionAdd, StoreSecret: true}, err: &workos.APIError{Method: "POST", Path: "/webhook_endpoints", Status: 409, Code: "duplicate_endpoint", Message: "A webhook endpoint with this URL already exists."},
			calls: []string{"create " + testSite + "/workos/webhook"}, status: StatusFailed, errPart: "did not list; run apply again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &fakeWebhooks{err: tt.err}
			w := tt.plan
			w.URL, w.Events = testSite+"/workos/webhook", testEvents
			red := &secret.Redactor{}
			res, v := ApplyWebhook(context.Background(), c, &w, red)
			if !slices.Equal(c.calls, tt.calls) || res.Status != tt.status || (v != nil) != tt.secret || !strings.Contains(res.Error, tt.errPart) {
				t.Fatalf("calls %q, result %+v, secret %v; want %q %s secret=%v %q", c.calls, res, v, tt.calls, tt.status, tt.secret, tt.errPart)
			}
			if v != nil {
				if v.Value != "whsec_brandnewsecret1234" || strings.Contains(v.Shown, "brandnew") || strings.Contains(red.Redact("x whsec_brandnewsecret1234"), "brandnew") {
					t.Errorf("secret %+v not masked, or not registered in the redactor", v)
				}
			}
		})
	}
}

func TestSecretNotStored(t *testing.T) {
	w := &WebhookPlan{URL: testSite + "/workos/webhook"}
	refused := secretNotStored(w, "prod", OutcomeNotDone)
	if !strings.Contains(refused, "was not stored") || !strings.Contains(refused, "convex-authkit apply --env prod --rotate-webhook-secret") {
		t.Errorf("refused: %s", refused)
	}
	unknown := secretNotStored(w, "prod", OutcomeUnknown)
	if !strings.Contains(unknown, "is unknown") || !strings.Contains(unknown, "run `convex-authkit apply --env prod` to find out") {
		t.Errorf("unknown: %s", unknown)
	}
}
