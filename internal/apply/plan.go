package apply

import (
	"github.com/convex-authkit/convex-authkit/internal/resolve"
	"github.com/convex-authkit/convex-authkit/internal/workos"
)

// Actions of a plan item, as they appear in --json.
const (
	ActionAdd       = "add"       // in convex.json, not in WorkOS: create it
	ActionUnchanged = "unchanged" // in both
	ActionUnmanaged = "unmanaged" // in WorkOS only, left alone
	ActionDelete    = "delete"    // in WorkOS only, deleted under --prune
	ActionSet       = "set"       // the homepage URL: it cannot be read back, so it is always set
	ActionEnsure    = "ensure"    // WorkOS cannot list this resource: create it, "already exists" means unchanged
	ActionReplace   = "replace"   // a deployment variable that differs, under --overwrite-deployment-vars; the webhook endpoint, recreated under --rotate-webhook-secret
)

// Item is one line of the plan.
type Item struct {
	Resource string `json:"resource"`
	Action   string `json:"action"`
	// Name is a deployment variable's name; its Value is masked when secret.
	Name  string `json:"name,omitempty"`
	Value string `json:"value"`
	// ID is WorkOS's id of a remote item (needed to delete it).
	ID string `json:"-"`
	// Default marks WorkOS's default redirect URI, which is never deleted.
	Default bool `json:"-"`
	// Branch and Reason say, in `preview remove` and `preview prune`, whose
	// preview a redirect URI is and why it is deleted or kept.
	Branch string `json:"branch,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Pending reports whether applying the item changes WorkOS. The homepage is
// not counted: it cannot be read back, so it would always look pending.
func (it Item) Pending() bool {
	switch it.Action {
	case ActionAdd, ActionDelete, ActionEnsure, ActionReplace, ActionUpdate:
		return true
	}
	return false
}

// Remote is what WorkOS has. A list whose Listed flag is false could not be
// read (an older server, or the official emulator answers 404): the plan
// then "ensures" those values instead of comparing.
type Remote struct {
	RedirectURIs []workos.RedirectURI
	CORSOrigins  []workos.CORSOrigin
	// RedirectsListed and CORSListed say whether the lists are known.
	RedirectsListed bool
	CORSListed      bool
}

// Plan is the set of changes for one section.
type Plan struct {
	Items []Item
	// RedirectsListed and CORSListed repeat Remote's, for the report.
	RedirectsListed bool
	CORSListed      bool
}

// Summary counts a plan's items.
type Summary struct {
	Add       int `json:"add"`
	Set       int `json:"set"`
	Delete    int `json:"delete"`
	Unchanged int `json:"unchanged"`
	Unmanaged int `json:"unmanaged"`
}

// Summary counts the plan's items by what will happen to them. "ensure"
// items count as additions: they are created unless WorkOS already has them.
func (p *Plan) Summary() Summary {
	var s Summary
	for _, it := range p.Items {
		switch it.Action {
		case ActionAdd, ActionEnsure:
			s.Add++
		case ActionSet, ActionReplace, ActionUpdate:
			s.Set++
		case ActionDelete:
			s.Delete++
		case ActionUnchanged:
			s.Unchanged++
		case ActionUnmanaged:
			s.Unmanaged++
		}
	}
	return s
}

// Pending reports whether the plan changes WorkOS (--detailed-exitcode).
func (p *Plan) Pending() bool {
	for _, it := range p.Items {
		if it.Pending() {
			return true
		}
	}
	return false
}

// Build compares the section with WorkOS. Local items keep convex.json's
// order and come first; remote-only items follow in WorkOS's order. With
// prune, remote-only redirect URIs are deleted, except the default one.
// CORS origins are never deleted: WorkOS's API cannot delete them.
func Build(sec *resolve.Section, remote Remote, prune bool) *Plan {
	p := &Plan{RedirectsListed: remote.RedirectsListed, CORSListed: remote.CORSListed}

	remoteRedirects := map[string]bool{}
	for _, r := range remote.RedirectURIs {
		remoteRedirects[Canonical(RedirectURI, r.URI)] = true
	}
	local := map[string]bool{}
	for _, v := range sec.RedirectURIs {
		c := Canonical(RedirectURI, v.Value)
		if local[c] {
			continue // a repeat in convex.json; config validate warns about it
		}
		local[c] = true
		p.Items = append(p.Items, Item{Resource: RedirectURI, Action: localAction(remote.RedirectsListed, remoteRedirects[c]), Value: v.Value})
	}
	if sec.AppHomepageURL != nil && sec.AppHomepageURL.Value != "" {
		p.Items = append(p.Items, Item{Resource: AppHomepageURL, Action: ActionSet, Value: sec.AppHomepageURL.Value})
	}
	remoteOrigins := map[string]bool{}
	for _, o := range remote.CORSOrigins {
		remoteOrigins[Canonical(CORSOrigin, o.Origin)] = true
	}
	localOrigins := map[string]bool{}
	for _, v := range sec.CORSOrigins {
		c := Canonical(CORSOrigin, v.Value)
		if localOrigins[c] {
			continue
		}
		localOrigins[c] = true
		p.Items = append(p.Items, Item{Resource: CORSOrigin, Action: localAction(remote.CORSListed, remoteOrigins[c]), Value: v.Value})
	}

	for _, r := range remote.RedirectURIs {
		if local[Canonical(RedirectURI, r.URI)] {
			continue
		}
		action := ActionUnmanaged
		if prune && !r.Default {
			action = ActionDelete
		}
		p.Items = append(p.Items, Item{Resource: RedirectURI, Action: action, Value: r.URI, ID: r.ID, Default: r.Default})
	}
	for _, o := range remote.CORSOrigins {
		if !localOrigins[Canonical(CORSOrigin, o.Origin)] {
			p.Items = append(p.Items, Item{Resource: CORSOrigin, Action: ActionUnmanaged, Value: o.Origin, ID: o.ID})
		}
	}
	return p
}

func localAction(listed, present bool) string {
	switch {
	case !listed:
		return ActionEnsure
	case present:
		return ActionUnchanged
	}
	return ActionAdd
}
