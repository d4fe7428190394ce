package workos

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// pageLimit is the largest page WorkOS serves; fewer round trips matter more
// than small pages for the handful of settings an environment has.
const pageLimit = 100

const (
	pathRedirectURIs    = "/user_management/redirect_uris"
	pathCORSOrigins     = "/user_management/cors_origins"
	pathAppHomepageURL  = "/user_management/app_homepage_url"
	pathJWTTemplate     = "/user_management/jwt_template"
	pathWebhookEndpoint = "/webhook_endpoints"
	pathJWKS            = "/sso/jwks/"
)

// RedirectURI is an AuthKit redirect URI of the environment.
type RedirectURI struct {
	ID      string `json:"id"`
	URI     string `json:"uri"`
	Default bool   `json:"default"`
	// CreatedAt is WorkOS's RFC 3339 timestamp, kept as text: a format
	// change there must not make the whole list unreadable; callers that
	// need the time parse it and treat a failure as "age unknown".
	CreatedAt string `json:"created_at"`
}

// CORSOrigin is an origin allowed to call the WorkOS API from a browser.
type CORSOrigin struct {
	ID     string `json:"id"`
	Origin string `json:"origin"`
}

// WebhookEndpoint is where WorkOS delivers events. Secret signs the
// deliveries: never print it in full.
type WebhookEndpoint struct {
	ID     string   `json:"id"`
	URL    string   `json:"endpoint_url"`
	Secret string   `json:"secret"`
	Status string   `json:"status"` // "enabled" or "disabled"
	Events []string `json:"events"`
}

// ListRedirectURIs returns every redirect URI, following pagination.
func (c *Client) ListRedirectURIs(ctx context.Context) ([]RedirectURI, error) {
	return listAll[RedirectURI](ctx, c, pathRedirectURIs)
}

// CreateRedirectURI adds uri. created is false, with a nil error, when
// WorkOS says the URI is already registered, so callers can apply a
// configuration twice.
func (c *Client) CreateRedirectURI(ctx context.Context, uri string) (created bool, err error) {
	return c.create(ctx, pathRedirectURIs, "redirect URI", "uri", uri)
}

// DeleteRedirectURI removes the redirect URI with this id. WorkOS refuses
// to delete the default one with a 409 that is not an "already exists".
func (c *Client) DeleteRedirectURI(ctx context.Context, id string) error {
	path, err := itemPath(pathRedirectURIs, id)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, request{method: http.MethodDelete, path: path})
	return err
}

// ListCORSOrigins returns every CORS origin, following pagination. WorkOS
// offers no way to delete one.
func (c *Client) ListCORSOrigins(ctx context.Context) ([]CORSOrigin, error) {
	return listAll[CORSOrigin](ctx, c, pathCORSOrigins)
}

// CreateCORSOrigin adds origin; created is false when it already exists.
func (c *Client) CreateCORSOrigin(ctx context.Context, origin string) (created bool, err error) {
	return c.create(ctx, pathCORSOrigins, "CORS origin", "origin", origin)
}

// SetAppHomepageURL sets where AuthKit sends users with nowhere else to go.
// The endpoint is undocumented (both official CLIs use it) and has no GET,
// so the current value cannot be read back. WorkOS answers 422 for URLs it
// will not take, such as localhost in production. Success needs the
// answer WorkOS gives, {"object":"app_homepage_url","url":...}: anything
// else is an *UnconfirmedError.
func (c *Client) SetAppHomepageURL(ctx context.Context, homepageURL string) error {
	return c.write(ctx, http.MethodPut, pathAppHomepageURL, "app homepage URL", "url", homepageURL)
}

// GetJWTTemplate returns the environment's access-token template. found is
// false when none has been set, which WorkOS signals with a 404.
func (c *Client) GetJWTTemplate(ctx context.Context) (content string, found bool, err error) {
	res, err := c.do(ctx, request{method: http.MethodGet, path: pathJWTTemplate})
	if IsNotFound(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	var tmpl struct {
		Content string `json:"content"`
	}
	if err := decode(http.MethodGet, pathJWTTemplate, res, &tmpl); err != nil {
		return "", false, err
	}
	return tmpl.Content, true, nil
}

// SetJWTTemplate replaces the access-token template.
func (c *Client) SetJWTTemplate(ctx context.Context, content string) error {
	_, err := c.do(ctx, request{method: http.MethodPut, path: pathJWTTemplate, body: struct {
		Content string `json:"content"`
	}{content}})
	return err
}

// ListWebhookEndpoints returns every webhook endpoint, following pagination.
func (c *Client) ListWebhookEndpoints(ctx context.Context) ([]WebhookEndpoint, error) {
	return listAll[WebhookEndpoint](ctx, c, pathWebhookEndpoint)
}

// CreateWebhookEndpoint registers endpointURL for events and returns the endpoint
// with its signing secret. Unlike the other Create methods it reports an
// existing endpoint as an error (IsAlreadyExists, 409 duplicate_endpoint),
// because the caller then needs the existing endpoint's secret, not a
// boolean.
func (c *Client) CreateWebhookEndpoint(ctx context.Context, endpointURL string, events []string) (WebhookEndpoint, error) {
	if events == nil {
		events = []string{}
	}
	res, err := c.do(ctx, request{method: http.MethodPost, path: pathWebhookEndpoint, body: struct {
		URL    string   `json:"endpoint_url"`
		Events []string `json:"events"`
	}{endpointURL, events}})
	if err != nil {
		return WebhookEndpoint{}, err
	}
	var we WebhookEndpoint
	err = decode(http.MethodPost, pathWebhookEndpoint, res, &we)
	return we, err
}

// UpdateWebhookEndpoint changes only what is given: a nil endpointURL,
// status or events leaves the current value alone, while an empty non-nil
// events slice clears the list.
func (c *Client) UpdateWebhookEndpoint(ctx context.Context, id string, endpointURL *string, events []string, status *string) (WebhookEndpoint, error) {
	path, err := itemPath(pathWebhookEndpoint, id)
	if err != nil {
		return WebhookEndpoint{}, err
	}
	res, err := c.do(ctx, request{method: http.MethodPatch, path: path, body: struct {
		URL    *string  `json:"endpoint_url,omitempty"`
		Events []string `json:"events,omitzero"`
		Status *string  `json:"status,omitempty"`
	}{endpointURL, events, status}})
	if err != nil {
		return WebhookEndpoint{}, err
	}
	var we WebhookEndpoint
	err = decode(http.MethodPatch, path, res, &we)
	return we, err
}

// DeleteWebhookEndpoint removes the webhook endpoint with this id.
func (c *Client) DeleteWebhookEndpoint(ctx context.Context, id string) error {
	path, err := itemPath(pathWebhookEndpoint, id)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, request{method: http.MethodDelete, path: path})
	return err
}

// JWKS fetches GET /sso/jwks/{clientID} without authentication and returns
// the raw body and Content-Type. It is public on purpose: checking what
// Convex will see must not depend on holding the API key.
func (c *Client) JWKS(ctx context.Context, clientID string) (body []byte, contentType string, err error) {
	if clientID == "" {
		return nil, "", errors.New("JWKS: empty client ID")
	}
	res, err := c.do(ctx, request{method: http.MethodGet, path: pathJWKS + url.PathEscape(clientID), noAuth: true})
	if err != nil {
		return nil, "", err
	}
	return res.body, res.header.Get("Content-Type"), nil
}

// create posts {field: value} and folds every form of "already exists"
// into created=false. A 2xx counts only with the created object in it.
func (c *Client) create(ctx context.Context, path, what, field, value string) (bool, error) {
	err := c.write(ctx, http.MethodPost, path, what, field, value)
	switch {
	case err == nil:
		return true, nil
	case IsAlreadyExists(err):
		return false, nil
	default:
		return false, err
	}
}

// listAll walks a cursor-paginated list. It stops when WorkOS reports no
// further page or hands back a cursor it already gave, so a server bug
// cannot keep the CLI looping.
func listAll[T any](ctx context.Context, c *Client, path string) ([]T, error) {
	all := []T{}
	seen := map[string]bool{}
	after := ""
	for {
		q := url.Values{"limit": {strconv.Itoa(pageLimit)}}
		if after != "" {
			q.Set("after", after)
		}
		res, err := c.do(ctx, request{method: http.MethodGet, path: path, query: q})
		if err != nil {
			return nil, err
		}
		var page struct {
			Data         []T `json:"data"`
			ListMetadata struct {
				After *string `json:"after"`
			} `json:"list_metadata"`
		}
		if err := decode(http.MethodGet, path, res, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Data...)
		next := page.ListMetadata.After
		if next == nil || *next == "" || seen[*next] {
			return all, nil
		}
		seen[*next] = true
		after = *next
	}
}

// write sends {field: value} and checks that the 2xx answer is the object
// holding it, as WorkOS returns for every write apply makes. A server that
// answers 2xx with anything else (an empty body, a proxy's HTML page, an
// object about something else) has not shown that it did the write.
func (c *Client) write(ctx context.Context, method, path, what, field, value string) error {
	res, err := c.do(ctx, request{method: method, path: path, body: map[string]string{field: value}})
	if err != nil {
		return err
	}
	if why := unconfirmed(res.body, field, value); why != "" {
		return &UnconfirmedError{Method: method, Path: path, Status: res.status, What: what, Why: why}
	}
	return nil
}

// unconfirmed says what body is instead of a JSON object whose field is
// value, or "" when it is one. The words never quote the body: a proxy's
// page could hold anything.
func unconfirmed(body []byte, field, value string) string {
	var obj map[string]json.RawMessage
	switch err := json.Unmarshal(body, &obj); {
	case len(bytes.TrimSpace(body)) == 0:
		return "an empty body"
	case err != nil || obj == nil:
		return "not a JSON object"
	case obj[field] == nil:
		return fmt.Sprintf("an object without %q", field)
	}
	// A pointer, because JSON null decodes into a string as "" without error.
	var got *string
	if json.Unmarshal(obj[field], &got) != nil || got == nil || *got != value {
		return fmt.Sprintf("an object whose %q is not the value sent", field)
	}
	return ""
}

func decode(method, path string, res *response, v any) error {
	if err := json.Unmarshal(res.body, v); err != nil {
		return fmt.Errorf("%s %s: decoding %d response: %w", method, path, res.status, err)
	}
	return nil
}

// itemPath refuses an empty id, which would turn a DELETE or PATCH of one
// item into a request against the whole collection.
func itemPath(collection, id string) (string, error) {
	if id == "" {
		return "", fmt.Errorf("%s: empty id", collection)
	}
	return collection + "/" + url.PathEscape(id), nil
}
