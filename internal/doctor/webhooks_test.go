package doctor

import (
	"errors"
	"strings"
	"testing"

	"github.com/convex-authkit/convex-authkit/internal/component"
	"github.com/convex-authkit/convex-authkit/internal/config"
	"github.com/convex-authkit/convex-authkit/internal/workos"
)

func TestWebhooksEndpointAndRoutes(t *testing.T) {
	const site = "https://happy-otter-123.convex.site"
	events := []string{"user.created", "user.updated", "user.deleted", "session.created"}
	ep := func(url, status string, ev ...string) workos.WebhookEndpoint {
		return workos.WebhookEndpoint{ID: "we_1", URL: url, Status: status, Events: ev}
	}
	d := &doctor{env: config.Dev, wos: workos.New(workos.Options{APIKey: "sk_test_x"})}
	tests := []struct {
		name      string
		endpoints []workos.WebhookEndpoint
		status    Status
		msg, hint string
	}{
		{"ok", []workos.WebhookEndpoint{ep(site+"/workos/webhook", "enabled", events...)}, StatusPass, "WorkOS delivers", ""},
		{"none", nil, StatusFail, "WorkOS has no webhook endpoint at " + site + "/workos/webhook", "apply --env dev` to create it"},
		{"wrong URL", []workos.WebhookEndpoint{ep("https://old-otter-1.convex.site/workos/webhook", "enabled", events...)}, StatusFail, "points at https://old-otter-1.convex.site/workos/webhook", "to create the endpoint at"},
		{"unrelated endpoint", []workos.WebhookEndpoint{ep("https://hooks.example.com/workos", "enabled", events...)}, StatusFail, "has no webhook endpoint", ""},
		{"disabled", []workos.WebhookEndpoint{ep(site+"/workos/webhook", "disabled", events...)}, StatusFail, "is disabled", "re-enable"},
		{"missing event", []workos.WebhookEndpoint{ep(site+"/workos/webhook/", "enabled", events[:3]...)}, StatusFail, "does not deliver session.created", "add the events"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &webhooksState{usage: &component.Usage{Used: true, Events: events}, site: site, endpoints: tt.endpoints}
			c := d.endpointCheck(s)
			if c.Status != tt.status || !strings.Contains(c.Message, tt.msg) || !strings.Contains(c.Hint, tt.hint) {
				t.Errorf("got %s %q (hint %q), want %s with %q, %q", c.Status, c.Message, c.Hint, tt.status, tt.msg, tt.hint)
			}
		})
	}

	routes := []struct {
		status int
		err    error
		want   Status
		msg    string
	}{
		{500, nil, StatusPass, "refuses an unsigned request (500)"},
		{400, nil, StatusPass, "refuses"},
		{404, nil, StatusFail, "answered 404: the component's routes are not deployed"},
		{200, nil, StatusFail, "accepted an unsigned request"},
		{302, nil, StatusFail, "redirect"},
		{0, errors.New("connection refused"), StatusError, "got no answer"},
	}
	for _, tt := range routes {
		s := &webhooksState{usage: &component.Usage{Used: true}, site: site, routeStatus: tt.status, routeErr: tt.err}
		if c := d.routesCheck(s); c.Status != tt.want || !strings.Contains(c.Message, tt.msg) {
			t.Errorf("route answer %d: got %s %q, want %s with %q", tt.status, c.Status, c.Message, tt.want, tt.msg)
		}
	}
}
