package doctor

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/component"
	"github.com/convex-authkit/convex-authkit/internal/config"
	"github.com/convex-authkit/convex-authkit/internal/diag"
	"github.com/convex-authkit/convex-authkit/internal/webhooksig"
	"github.com/convex-authkit/convex-authkit/internal/workos"
)

// DeliveryEvent is the event type of the opt-in delivery test. The
// component records every verified event's id (to drop repeats) and hands
// it to the app's authKitEvent handler, which ignores types it has no
// handler for; it changes user data only for user.* events, and an app
// rarely handles this one.
const DeliveryEvent = "connection.activated"

// webhooksState is what the webhooks checks share: the app's use of the
// component and, when it is used, WorkOS's endpoints and the route's answers.
type webhooksState struct {
	usage    *component.Usage
	usageErr error
	site     string // the deployment's site URL, "" when unknown
	siteWhy  string // why it is unknown

	endpoints    []workos.WebhookEndpoint
	endpointsErr error

	routeStatus int
	routeErr    error

	deliveryStatus int
	deliveryErr    error
	delivered      bool
}

func (s *webhooksState) used() bool { return s.usage != nil && s.usage.Used }

// detectComponent reads the app's source (local, quick).
func (d *doctor) detectComponent() *webhooksState {
	s := &webhooksState{}
	s.usage, s.usageErr = component.Detect(component.ProjectOptions(d.opts.ConfigPath, d.opts.ConfigName))
	return s
}

// fetchWebhooks asks WorkOS for its endpoints and the deployment's route
// how it answers, concurrently with the other network checks.
func (d *doctor) fetchWebhooks(ctx context.Context, s *webhooksState, dep *remoteDeployment) {
	if !s.used() {
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if d.wos != nil && d.sel[IDWebhooksEndpoint] {
			s.endpoints, s.endpointsErr = d.wos.ListWebhookEndpoints(ctx)
		}
	}()
	<-dep.envDone
	s.site, s.siteWhy = d.siteURL(dep)
	if s.site != "" && d.sel[IDWebhooksRoutes] {
		s.routeStatus, s.routeErr = d.post(ctx, s.site+component.WebhookPath, []byte("{}"), "")
	}
	if s.site != "" && d.sel[IDWebhooksDelivery] && d.deliveryAllowed() == "" {
		if secret := dep.vars[component.SecretVar]; secret != "" {
			body := deliveryBody(d.now())
			sig, err := webhooksig.Sign(secret, body, d.now())
			if err == nil {
				s.delivered = true
				s.deliveryStatus, s.deliveryErr = d.post(ctx, s.site+component.WebhookPath, body, sig)
			}
		}
	}
	<-done
}

// deliveryBody is a WorkOS event as WorkOS delivers it, with an id that
// marks it as this test's.
func deliveryBody(now time.Time) []byte {
	id := fmt.Sprintf("event_convex_authkit_doctor_%d", now.UnixMilli())
	b, _ := json.Marshal(map[string]any{"id": id, "event": DeliveryEvent, "created_at": now.UTC().Format(time.RFC3339Nano),
		"data": map[string]any{"object": "connection", "id": "conn_convex_authkit_doctor", "state": "active", "connection_type": "GenericSAML",
			"name": "convex-authkit doctor delivery test", "domains": []any{}, "created_at": now.UTC().Format(time.RFC3339Nano), "updated_at": now.UTC().Format(time.RFC3339Nano)}})
	return b
}

// deliveryAllowed says why the delivery test is not sent, or "".
func (d *doctor) deliveryAllowed() string {
	switch {
	case !d.opts.WebhookTest:
		return "not requested: --webhook-test sends one signed " + DeliveryEvent + " event to the deployment"
	case d.env == config.Prod && !d.opts.WebhookTestProd:
		return "not sent to the prod deployment without --webhook-test-prod"
	}
	return ""
}

// siteURL is --site-url, else the deployment's CONVEX_SITE_URL.
func (d *doctor) siteURL(dep *remoteDeployment) (string, string) {
	raw, from := d.opts.SiteURL, component.SiteURLFlag
	if raw == "" {
		if !dep.connected() {
			return "", "no Convex deployment is connected to give its site URL (or pass " + component.SiteURLFlag + ")"
		}
		if dep.siteErr != nil {
			return "", fmt.Sprintf("the deployment did not give its site URL: %v", dep.siteErr)
		}
		raw, from = dep.site, dep.describe()
	}
	site, err := component.ValidateSiteURL(raw, from)
	if err != nil {
		return "", err.Error()
	}
	return site, ""
}

// post sends body to u, signed when sig is set, and returns the status.
func (d *doctor) post(ctx context.Context, u string, body []byte, sig string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, d.fetcher.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if sig != "" {
		req.Header.Set(webhooksig.Header, sig)
	}
	// A redirect is an answer to judge, not one to follow: WorkOS does not
	// follow them either.
	c := *d.fetcher.Client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	_ = res.Body.Close()
	return res.StatusCode, nil
}

// webhooksChecks judges the component's setup.
func (d *doctor) webhooksChecks(s *webhooksState, dep *remoteDeployment) []Check {
	ids := []string{IDWebhooksWiring, IDWebhooksVariables, IDWebhooksEndpoint, IDWebhooksRoutes, IDWebhooksDelivery}
	if s.usageErr != nil {
		out := []Check{newCheck(IDWebhooksWiring, StatusError, "cannot read the app's source: "+s.usageErr.Error(), "make package.json and the functions folder readable")}
		for _, id := range ids[1:] {
			out = append(out, d.blocked(id, IDWebhooksWiring, "the app's use of "+component.Package+" is unknown"))
		}
		return out
	}
	if !s.used() {
		var out []Check
		for _, id := range ids {
			out = append(out, skip(id, "the app does not use "+component.Package+" (not in package.json, not installed in convex.config.ts)"))
		}
		return out
	}
	return []Check{d.wiringCheck(s.usage), d.variablesCheck(s, dep), d.endpointCheck(s), d.routesCheck(s), d.deliveryCheck(s, dep)}
}

func (d *doctor) wiringCheck(u *component.Usage) Check {
	details := map[string]any{"events": u.Events, "actions": u.Actions != nil}
	if errs := diag.Errors(u.Problems); len(errs) > 0 {
		return fail(IDWebhooksWiring, fmt.Sprintf("%s is used but its wiring is incomplete: %s", component.Package, errs[0].Message), errs[0].Hint).
			with(details).at(u.Problems...)
	}
	if len(u.Problems) > 0 {
		return warn(IDWebhooksWiring, u.Problems[0].Message, u.Problems[0].Hint).with(details).at(u.Problems...)
	}
	msg := fmt.Sprintf("installed (%s), routes registered (%s), events %s", u.Installed, u.Routes, strings.Join(u.Events, ", "))
	if u.Actions != nil {
		msg += ", actions (" + u.Actions.String() + ")"
	}
	return pass(IDWebhooksWiring, msg).with(details)
}

func (d *doctor) variablesCheck(s *webhooksState, dep *remoteDeployment) Check {
	if !dep.connected() {
		return skip(IDWebhooksVariables, "no Convex deployment is connected, so its variables cannot be read")
	}
	if dep.envErr != nil {
		return d.blocked(IDWebhooksVariables, IDDeploymentConnection, "the deployment's variables could not be read")
	}
	need := slices.Clone(component.RequiredVars)
	if s.usage.Actions != nil {
		need = append(need, component.ActionSecretVar)
	}
	var missing []string
	for _, n := range need {
		if dep.vars[n] == "" {
			missing = append(missing, n)
		}
	}
	details := map[string]any{"required": need, "missing": missing}
	if len(missing) == 0 {
		return pass(IDWebhooksVariables, fmt.Sprintf("%s has %s", dep.describe(), strings.Join(need, ", "))).with(details)
	}
	msg := fmt.Sprintf("%s lacks %s: the AuthKit constructor throws \"Missing environment variables\" and every function that imports it fails", dep.describe(), strings.Join(missing, ", "))
	var fixes []string
	if slices.ContainsFunc(missing, func(n string) bool { return n != component.ActionSecretVar }) {
		fixes = append(fixes, fmt.Sprintf("run `convex-authkit apply --env %s`: it puts the WorkOS credentials on the deployment and creates the webhook endpoint, storing its secret (when the endpoint already exists, add %s, or copy its secret from https://dashboard.workos.com/webhooks into `npx convex env set %s <secret>`)",
			d.env, "--rotate-webhook-secret", component.SecretVar))
	}
	if slices.Contains(missing, component.ActionSecretVar) {
		msg = strings.Replace(msg, ": the AuthKit", " (authKit.actions is used, so WorkOS's action requests cannot be verified): the AuthKit", 1)
		fixes = append(fixes, fmt.Sprintf("WorkOS's API cannot configure actions: in the WorkOS dashboard (Authentication → Actions) set the endpoint to %s, copy its signing secret and run `npx convex env set %s <secret>`",
			cmpOr(s.site, "<site URL>")+component.ActionPath, component.ActionSecretVar))
	}
	return fail(IDWebhooksVariables, msg, strings.Join(fixes, "; ")).with(details)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (d *doctor) endpointCheck(s *webhooksState) Check {
	if d.wos == nil {
		return skip(IDWebhooksEndpoint, "no WORKOS_API_KEY (environment, .env.local or .env), so WorkOS cannot be asked")
	}
	if s.site == "" {
		return newCheck(IDWebhooksEndpoint, StatusError, "the endpoint's URL is unknown: "+s.siteWhy, "connect the deployment, or pass "+component.SiteURLFlag)
	}
	if s.endpointsErr != nil {
		if workos.IsAuth(s.endpointsErr) {
			return d.blocked(IDWebhooksEndpoint, IDWorkOSAPIKey, "WorkOS rejected the API key")
		}
		return remoteError(IDWebhooksEndpoint, "webhook endpoints", d.base, s.endpointsErr)
	}
	want := s.site + component.WebhookPath
	apply := fmt.Sprintf("run `convex-authkit apply --env %s`", d.env)
	details := map[string]any{"url": want, "events": s.usage.Events}
	var found *workos.WebhookEndpoint
	var others []string
	for i, e := range s.endpoints {
		if sameOrigin(e.URL, want) {
			found = &s.endpoints[i]
			break
		}
		if u, err := url.Parse(e.URL); err == nil && strings.TrimSuffix(u.Path, "/") == component.WebhookPath {
			others = append(others, e.URL)
		}
	}
	switch {
	case found == nil && len(others) > 0:
		return fail(IDWebhooksEndpoint, fmt.Sprintf("WorkOS's webhook endpoint for the component points at %s, not this deployment's %s", strings.Join(others, ", "), want),
			apply+" to create the endpoint at "+want+" (an endpoint of another deployment may stay; delete it in the WorkOS dashboard if it is stale)").with(details)
	case found == nil:
		return fail(IDWebhooksEndpoint, "WorkOS has no webhook endpoint at "+want+": users created, updated or deleted in WorkOS never reach the component", apply+" to create it and store its secret on the deployment").with(details)
	case found.Status != "enabled":
		return fail(IDWebhooksEndpoint, fmt.Sprintf("WorkOS's webhook endpoint %s is %s: WorkOS delivers nothing to it", want, found.Status), apply+" to re-enable it").with(details)
	}
	var missing []string
	for _, e := range s.usage.Events {
		if !slices.Contains(found.Events, e) {
			missing = append(missing, e)
		}
	}
	if len(missing) > 0 {
		details["missing"] = missing
		return fail(IDWebhooksEndpoint, fmt.Sprintf("WorkOS's webhook endpoint %s does not deliver %s, which the app needs", want, strings.Join(missing, ", ")), apply+" to add the events to it").with(details)
	}
	return pass(IDWebhooksEndpoint, fmt.Sprintf("WorkOS delivers %s to %s", strings.Join(s.usage.Events, ", "), want)).with(details)
}

func sameOrigin(a, b string) bool {
	ua, errA := url.Parse(a)
	ub, errB := url.Parse(b)
	return errA == nil && errB == nil && strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host) &&
		strings.TrimSuffix(ua.Path, "/") == strings.TrimSuffix(ub.Path, "/")
}

func (d *doctor) routesCheck(s *webhooksState) Check {
	if s.site == "" {
		return skip(IDWebhooksRoutes, "the route's URL is unknown: "+s.siteWhy)
	}
	u := s.site + component.WebhookPath
	details := map[string]any{"url": u, "status": s.routeStatus}
	switch {
	case s.routeErr != nil:
		return newCheck(IDWebhooksRoutes, StatusError, fmt.Sprintf("POST %s got no answer: %v", u, s.routeErr), "check that the deployment is running and reachable").with(details)
	case s.routeStatus == http.StatusNotFound:
		return fail(IDWebhooksRoutes, fmt.Sprintf("POST %s answered 404: the component's routes are not deployed, so WorkOS's deliveries are lost", u),
			"call authKit.registerRoutes(http) in convex/http.ts and push (npx convex dev, or npx convex deploy)").with(details)
	case s.routeStatus < 300:
		return fail(IDWebhooksRoutes, fmt.Sprintf("POST %s accepted an unsigned request (%d): something other than the component answers there", u, s.routeStatus),
			"make sure convex/http.ts routes "+component.WebhookPath+" only through authKit.registerRoutes(http)").with(details)
	case s.routeStatus < 400:
		return fail(IDWebhooksRoutes, fmt.Sprintf("POST %s answered a redirect (%d): WorkOS does not follow redirects", u, s.routeStatus),
			"use the deployment's site URL itself ("+component.SiteURLFlag+")").with(details)
	}
	return pass(IDWebhooksRoutes, fmt.Sprintf("POST %s refuses an unsigned request (%d): the routes are deployed", u, s.routeStatus)).with(details)
}

func (d *doctor) deliveryCheck(s *webhooksState, dep *remoteDeployment) Check {
	if why := d.deliveryAllowed(); why != "" {
		return skip(IDWebhooksDelivery, why)
	}
	if s.site == "" {
		return skip(IDWebhooksDelivery, "the route's URL is unknown: "+s.siteWhy)
	}
	if !s.delivered {
		return d.blocked(IDWebhooksDelivery, IDWebhooksVariables, "the deployment's "+component.SecretVar+" is needed to sign the test event")
	}
	u := s.site + component.WebhookPath
	details := map[string]any{"url": u, "event": DeliveryEvent, "status": s.deliveryStatus}
	switch {
	case s.deliveryErr != nil:
		return newCheck(IDWebhooksDelivery, StatusError, fmt.Sprintf("POST %s got no answer: %v", u, s.deliveryErr), "check that the deployment is running and reachable").with(details)
	case s.deliveryStatus >= 200 && s.deliveryStatus < 300:
		return pass(IDWebhooksDelivery, fmt.Sprintf("%s accepted a %s event signed with %s's %s", u, DeliveryEvent, dep.describe(), component.SecretVar)).with(details)
	}
	return fail(IDWebhooksDelivery, fmt.Sprintf("%s refused a %s event signed with the deployment's %s (%d): the secret there is not the one the AuthKit code uses, or the handler fails", u, DeliveryEvent, component.SecretVar, s.deliveryStatus),
		fmt.Sprintf("check the deployment's logs; if WorkOS's deliveries fail too, run `convex-authkit apply --env %s --rotate-webhook-secret`", d.env)).with(details)
}
