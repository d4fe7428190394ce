package apply

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/component"
	"github.com/convex-authkit/convex-authkit/internal/deployment"
	"github.com/convex-authkit/convex-authkit/internal/secret"
	"github.com/convex-authkit/convex-authkit/internal/workos"
)

// WebhookEndpoint is the resource of the WorkOS webhook endpoint that
// delivers events to @convex-dev/workos-authkit's route.
const WebhookEndpoint = "webhook_endpoint"

// ActionUpdate changes an endpoint's events or re-enables it in place.
const ActionUpdate = "update"

// RotateFlag recreates the endpoint so that its new secret can be stored.
const RotateFlag = "--rotate-webhook-secret"

// SiteURLFlag names the origin of the deployment's HTTP actions.
const SiteURLFlag = component.SiteURLFlag

// WebhookClient is the part of the WorkOS client that manages webhook
// endpoints; apply's Client implementations that lack it cannot configure
// the component.
type WebhookClient interface {
	ListWebhookEndpoints(ctx context.Context) ([]workos.WebhookEndpoint, error)
	CreateWebhookEndpoint(ctx context.Context, endpointURL string, events []string) (workos.WebhookEndpoint, error)
	UpdateWebhookEndpoint(ctx context.Context, id string, endpointURL *string, events []string, status *string) (workos.WebhookEndpoint, error)
	DeleteWebhookEndpoint(ctx context.Context, id string) error
}

// WebhookPlan is what apply does about the component's endpoint.
type WebhookPlan struct {
	URL    string
	Events []string // what the endpoint must deliver: the app's plus any it already had
	// Existing is WorkOS's endpoint at URL, if any.
	Existing *workos.WebhookEndpoint
	Action   string // ActionAdd, ActionUpdate, ActionReplace (rotate) or ActionUnchanged
	// StoreSecret is true when the create's secret goes to the deployment;
	// ReplaceSecret when the deployment holds an older one.
	StoreSecret, ReplaceSecret bool
}

// Item is the plan line.
func (w *WebhookPlan) Item() Item {
	it := Item{Resource: WebhookEndpoint, Action: w.Action, Value: fmt.Sprintf("%s (%s)", w.URL, strings.Join(w.Events, ", "))}
	if w.Existing != nil {
		it.ID = w.Existing.ID
	}
	return it
}

// SiteURL decides the origin the component's routes are served on: the
// flag, else what the deployment says, else the .convex.site twin of a
// .convex.cloud deployment URL, checked by component.ValidateSiteURL.
func SiteURL(ctx context.Context, flag string, att *deployment.Attached) (string, error) {
	site, from := flag, SiteURLFlag
	if site == "" && att.Connected() {
		s, err := att.Deployment.SiteURL(ctx)
		if err == nil {
			site, from = s, att.Describe()
		} else if u, perr := url.Parse(att.Target.URL); perr == nil && strings.HasSuffix(u.Hostname(), ".convex.cloud") {
			u.Host = strings.TrimSuffix(u.Host, ".convex.cloud") + ".convex.site"
			site, from = u.Scheme+"://"+u.Host, "the deployment URL"
		} else {
			return "", deployment.CommandError(err, att.Target.Via)
		}
	}
	if site == "" {
		return "", cmdutil.UsageError(errors.New("the webhook endpoint's URL is unknown: no Convex deployment is connected to ask for its site URL"),
			"connect the deployment (CONVEX_DEPLOY_KEY, or CONVEX_SELF_HOSTED_URL and CONVEX_SELF_HOSTED_ADMIN_KEY), or pass "+SiteURLFlag+" https://<deployment>.convex.site")
	}
	return component.ValidateSiteURL(site, from)
}

// PlanWebhook compares the endpoint the app needs with WorkOS's. It never
// plans a second endpoint for the URL. hasSecret says whether the deployment
// holds WORKOS_WEBHOOK_SECRET; WorkOS reveals an endpoint's secret only in
// the answer that creates it, so an existing endpoint without the secret on
// the deployment needs rotate (recreate it), or the user copies the secret
// from the dashboard: without either it is a usage error naming both.
func PlanWebhook(site string, events []string, remote []workos.WebhookEndpoint, hasSecret, rotate bool, env string) (*WebhookPlan, error) {
	w := &WebhookPlan{URL: site + component.WebhookPath, Events: slices.Clone(events)}
	for i := range remote {
		if sameEndpoint(remote[i].URL, w.URL) {
			w.Existing = &remote[i]
			break
		}
	}
	switch {
	case w.Existing == nil:
		w.Action, w.StoreSecret, w.ReplaceSecret = ActionAdd, true, hasSecret
		return w, nil
	case rotate:
		w.Action, w.StoreSecret, w.ReplaceSecret = ActionReplace, true, hasSecret
	case !hasSecret:
		return nil, &cmdutil.Error{Code: cmdutil.ExitUsage,
			Err: fmt.Errorf("WorkOS has the webhook endpoint %s (%s), but the deployment has no %s, and WorkOS shows an endpoint's secret only when it is created; nothing was applied", w.URL, w.Existing.ID, component.SecretVar),
			Hint: fmt.Sprintf("either run `convex-authkit apply --env %s %s`, which deletes the endpoint and creates it again, storing the new secret on the deployment; or copy the secret from https://dashboard.workos.com/webhooks and run `npx convex env set %s <secret>`",
				env, RotateFlag, component.SecretVar)}
	}
	for _, e := range w.Existing.Events {
		if !slices.Contains(w.Events, e) {
			w.Events = append(w.Events, e) // the user's own additions stay
		}
	}
	if w.Action == "" {
		w.Action = ActionUnchanged
		if w.Existing.Status != "enabled" || len(w.Events) != len(w.Existing.Events) {
			w.Action = ActionUpdate
		}
	}
	return w, nil
}

// sameEndpoint compares endpoint URLs as WorkOS's duplicate check would:
// the host without regard to case, a trailing slash ignored.
func sameEndpoint(a, b string) bool {
	ua, errA := url.Parse(a)
	ub, errB := url.Parse(b)
	if errA != nil || errB != nil {
		return a == b
	}
	return strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host) &&
		strings.TrimSuffix(ua.Path, "/") == strings.TrimSuffix(ub.Path, "/")
}

// SecretItem is the plan line of the secret the new endpoint will have.
func (w *WebhookPlan) SecretItem() Item {
	action := ActionAdd
	if w.ReplaceSecret {
		action = ActionReplace
	}
	return Item{Resource: DeploymentVariable, Action: action, Name: component.SecretVar, Value: "(the new endpoint's secret)"}
}

// ApplyWebhook performs the plan. A created endpoint's secret is added to
// red at once, so nothing printed afterwards can show it, and returned as
// the variable to write with the others.
func ApplyWebhook(ctx context.Context, c WebhookClient, w *WebhookPlan, red *secret.Redactor) (Result, *deployment.VarChange) {
	it := w.Item()
	res := Result{Resource: WebhookEndpoint, Value: it.Value, Outcome: OutcomeDone}
	d := &workos.Delivery{}
	ctx = workos.WithDelivery(ctx, d)
	var created workos.WebhookEndpoint
	var err error
	switch w.Action {
	case ActionUnchanged:
		return Result{}, nil
	case ActionUpdate:
		enabled := "enabled"
		_, err = c.UpdateWebhookEndpoint(ctx, w.Existing.ID, nil, w.Events, &enabled)
		res.Status = StatusUpdated
	case ActionReplace:
		// WorkOS refuses a second endpoint at the same URL, so the old one
		// goes first; if the create then fails, a re-run creates it.
		if err = c.DeleteWebhookEndpoint(ctx, w.Existing.ID); err != nil && !workos.IsNotFound(err) {
			break
		}
		created, err = c.CreateWebhookEndpoint(ctx, w.URL, w.Events)
		res.Status = StatusCreated
	case ActionAdd:
		created, err = c.CreateWebhookEndpoint(ctx, w.URL, w.Events)
		res.Status = StatusCreated
		if workos.IsStatus(err, 409) {
			err = fmt.Errorf("%w (WorkOS already has an endpoint at this URL that it did not list; run apply again)", err)
		}
	}
	if err != nil {
		return failed(it, err, d), nil
	}
	if !w.StoreSecret {
		return res, nil
	}
	if created.Secret == "" {
		err := fmt.Errorf("WorkOS created the endpoint %s but its answer holds no secret, so none can be stored; run apply again with %s", created.ID, RotateFlag)
		r := failed(it, err, d)
		r.Outcome = OutcomeDone
		return r, nil
	}
	red.Add(created.Secret)
	return res, &deployment.VarChange{Name: component.SecretVar, Value: created.Secret, Shown: secret.Mask(created.Secret), Source: "the new webhook endpoint", Replace: w.ReplaceSecret}
}

// secretNotStored explains a failed write of the endpoint's secret: the
// endpoint exists, WorkOS will not show its secret again, so the repair
// recreates it. When the write's outcome is unknown the deployment may
// hold the secret after all: a plain re-run finds out first.
func secretNotStored(w *WebhookPlan, env, outcome string) string {
	repair := fmt.Sprintf("run `convex-authkit apply --env %s %s` to recreate the endpoint and store the new secret (one endpoint, never two)", env, RotateFlag)
	if outcome == OutcomeUnknown {
		return fmt.Sprintf("the webhook endpoint %s exists in WorkOS, but whether its secret was stored on the deployment is unknown (no answer settled the write), and WorkOS will not show it again: run `convex-authkit apply --env %s` to find out; if it then says the deployment has no %s, %s",
			w.URL, env, component.SecretVar, repair)
	}
	return fmt.Sprintf("the webhook endpoint %s exists in WorkOS but its secret was not stored on the deployment, and WorkOS will not show it again: %s", w.URL, repair)
}

// planWebhook lists WorkOS's endpoints and plans the component's.
func planWebhook(ctx context.Context, c Client, site string, usage *component.Usage, att *deployment.Attached, rotate bool, env string) (*WebhookPlan, error) {
	remote, err := listWebhooks(ctx, c, "applied")
	if err != nil {
		return nil, err
	}
	return PlanWebhook(site, usage.Events, remote, att.Vars[component.SecretVar] != "", rotate, env)
}

// listWebhooks lists WorkOS's endpoints; a failure means nothing was
// done (the error says: nothing was applied, or deleted).
func listWebhooks(ctx context.Context, c Client, done string) ([]workos.WebhookEndpoint, error) {
	wc, ok := c.(WebhookClient)
	if !ok {
		return nil, errors.New("internal error: this WorkOS client cannot manage webhook endpoints")
	}
	remote, err := wc.ListWebhookEndpoints(ctx)
	if err != nil {
		return nil, apiError(err, "cannot list WorkOS webhook endpoints; nothing was "+done, baseOf(c))
	}
	return remote, nil
}

// previewWebhook is the plan line that deletes the preview deployment's
// endpoint, or nil when WorkOS has none at hookURL.
func previewWebhook(ctx context.Context, c Client, hookURL string) (*Item, error) {
	remote, err := listWebhooks(ctx, c, "deleted")
	if err != nil {
		return nil, err
	}
	for _, e := range remote {
		if sameEndpoint(e.URL, hookURL) {
			return &Item{Resource: WebhookEndpoint, Action: ActionDelete, Value: e.URL, ID: e.ID, Reason: "this branch's preview deployment"}, nil
		}
	}
	return nil, nil
}

// deleteWebhook deletes the endpoint of it; one already gone is the goal met.
func deleteWebhook(ctx context.Context, c WebhookClient, it Item) Result {
	d := &workos.Delivery{}
	err := c.DeleteWebhookEndpoint(workos.WithDelivery(ctx, d), it.ID)
	switch {
	case workos.IsNotFound(err) && !d.Unanswered():
		return Result{Resource: WebhookEndpoint, Value: it.Value, Status: StatusUnchanged, Outcome: OutcomeDone}
	case workos.IsNotFound(err), err == nil:
		return Result{Resource: WebhookEndpoint, Value: it.Value, Status: StatusDeleted, Outcome: OutcomeDone}
	}
	return failed(it, err, d)
}

// actionsNote says what apply cannot do for authKit.actions: WorkOS's API
// has no way to configure actions, so the dashboard step is spelled out
// while the deployment lacks the action secret ("" otherwise).
func actionsNote(usage *component.Usage, att *deployment.Attached, site string) string {
	if usage.Actions == nil || att.Vars[component.ActionSecretVar] != "" {
		return ""
	}
	return fmt.Sprintf("authKit.actions is used (%s), but WorkOS's API cannot configure actions: in the WorkOS dashboard (Authentication → Actions) set the endpoint to %s%s, copy its signing secret and run `npx convex env set %s <secret>`",
		usage.Actions, site, component.ActionPath, component.ActionSecretVar)
}
