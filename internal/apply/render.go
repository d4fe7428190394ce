package apply

import (
	"fmt"
	"strings"

	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/component"
	"github.com/convex-authkit/convex-authkit/internal/ghactions"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
)

// planNotes explains what the plan cannot do.
func planNotes(p *Plan, prune bool) []string {
	var notes []string
	if !p.RedirectsListed {
		notes = append(notes, "this WorkOS server cannot list redirect URIs, so each one is created and \"already exists\" counts as unchanged (ensure)")
		if prune {
			notes = append(notes, "--prune deletes nothing: without the list, the redirect URIs that convex.json does not name are unknown")
		}
	}
	if !p.CORSListed {
		notes = append(notes, "this WorkOS server cannot list CORS origins, so each one is created and \"already exists\" counts as unchanged (ensure)")
	}
	var origins, defaults []string
	for _, it := range p.Items {
		switch {
		case it.Resource == CORSOrigin && it.Action == ActionUnmanaged:
			origins = append(origins, it.Value)
		case it.Resource == RedirectURI && it.Default && prune:
			defaults = append(defaults, it.Value)
		}
	}
	if prune && len(origins) > 0 {
		notes = append(notes, "CORS origins cannot be deleted through the WorkOS API; remove these in the WorkOS dashboard if they should go: "+strings.Join(origins, ", "))
	}
	if len(defaults) > 0 {
		notes = append(notes, "the default redirect URI is never deleted (WorkOS refuses): "+strings.Join(defaults, ", "))
	}
	return notes
}

var planSymbols = map[string]string{
	ActionAdd: "+", ActionEnsure: "+", ActionUnchanged: "=", ActionUnmanaged: "?", ActionDelete: "-", ActionSet: "~", ActionReplace: "~", ActionUpdate: "~",
}

// describe is how output names an item: "redirect URI https://...", or
// "deployment variable WORKOS_CLIENT_ID = client_..." (value as shown).
func describe(resource, name, value string) string {
	if name != "" {
		return fmt.Sprintf("%s %s = %s", label(resource), name, value)
	}
	return label(resource) + " " + value
}

func printPlan(io *iostreams.IOStreams, p *Plan, notes []string) {
	cs := io.ColorScheme()
	w := io.Out
	for _, it := range p.Items {
		sym := planSymbols[it.Action]
		line := sym + " " + describe(it.Resource, it.Name, it.Value)
		switch it.Action {
		case ActionAdd, ActionSet:
			line = cs.Green(line)
		case ActionUpdate:
			line = cs.Yellow(line) + cs.Gray(" (events or status updated in place)")
		case ActionReplace:
			why := "replaces the deployment's value, " + OverwriteFlag
			if it.Resource == WebhookEndpoint || it.Name == component.SecretVar {
				why = "recreated for a new secret, " + RotateFlag
			}
			line = cs.Yellow(line) + cs.Gray(" ("+why+")")
		case ActionEnsure:
			line = cs.Green(line) + cs.Gray(" (ensure)")
		case ActionDelete:
			line = cs.Red(line)
		case ActionUnmanaged:
			hint := " (in WorkOS only; left alone"
			if it.Resource == RedirectURI && !it.Default {
				hint += ", --prune deletes it"
			}
			if it.Default {
				hint += ", the default"
			}
			line = cs.Yellow(line) + cs.Gray(hint+")")
		}
		fmt.Fprintln(w, line)
	}
	for _, n := range notes {
		fmt.Fprintf(w, "%s %s\n", cs.Gray("note:"), n)
	}
	s := p.Summary()
	set := ""
	if s.Set > 0 {
		set = fmt.Sprintf("%d to set, ", s.Set)
	}
	fmt.Fprintf(w, "Plan: %d to add, %s%d to delete, %d unchanged, %d unmanaged.\n", s.Add, set, s.Delete, s.Unchanged, s.Unmanaged)
}

// printResults prints each result and the closing count; unchanged is the
// plan's items that needed no request, which have no result.
func printResults(io *iostreams.IOStreams, results []Result, unchanged int) {
	cs := io.ColorScheme()
	w := io.Out
	counts := map[string]int{}
	for _, r := range results {
		counts[r.Status]++
		what := describe(r.Resource, r.Name, r.Value)
		switch r.Status {
		case StatusCreated, StatusUpdated, StatusDeleted:
			fmt.Fprintf(w, "%s %s %s\n", cs.Green("✓"), r.Status, what)
		case StatusUnchanged:
			fmt.Fprintf(w, "= unchanged %s (already in WorkOS)\n", what)
		case StatusPresent:
			fmt.Fprintf(w, "%s present %s (the answer to its create was lost; a retry found it, added by this run or before)\n", cs.Green("✓"), what)
		case StatusSkipped:
			mark := cs.Yellow("!")
			if r.expected {
				mark = cs.Gray("–")
			}
			fmt.Fprintf(w, "%s skipped %s: %s\n", mark, what, r.Note)
		case StatusFailed:
			switch r.Outcome {
			case OutcomeUnknown:
				fmt.Fprintf(w, "%s unknown %s: %s; it was sent but no answer says whether it was applied: run apply again to settle it\n", cs.Yellow("?"), what, r.Error)
			case OutcomeNotSent:
				fmt.Fprintf(w, "%s not sent %s: %s\n", cs.Gray("-"), what, r.Error)
			default:
				fmt.Fprintf(w, "%s failed %s: %s\n", cs.Red("✗"), what, r.Error)
			}
		}
	}
	if len(results) == 0 {
		fmt.Fprintln(w, "No changes: WorkOS already matches convex.json.")
		return
	}
	present := ""
	if n := counts[StatusPresent]; n > 0 {
		present = fmt.Sprintf(", %d present", n)
	}
	failed := ""
	if b := breakdown(results); b != "" {
		failed = " (" + b + ")"
	}
	fmt.Fprintf(w, "Applied: %d created, %d updated, %d deleted, %d unchanged%s, %d skipped, %d failed%s.\n",
		counts[StatusCreated], counts[StatusUpdated], counts[StatusDeleted], counts[StatusUnchanged]+unchanged, present, counts[StatusSkipped], counts[StatusFailed], failed)
}

// breakdown splits the failures by what is known of them, or is "" when
// WorkOS refused every one, so that the common case reads as before.
func breakdown(results []Result) string {
	n := map[string]int{}
	for _, r := range Failures(results) {
		n[r.Outcome]++
	}
	if n[OutcomeUnknown]+n[OutcomeNotSent] == 0 {
		return ""
	}
	var parts []string
	for _, o := range []struct{ key, words string }{{OutcomeNotDone, "refused"}, {OutcomeUnknown, "unknown"}, {OutcomeNotSent, "not sent"}} {
		if n[o.key] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[o.key], o.words))
		}
	}
	return strings.Join(parts, ", ")
}

// summary is the job summary section: the plan, what happened to each
// change, and the error when apply stopped. A run that failed before it
// had a plan (report nil) is the error alone.
func summary(report *Report, err error, redact func(string) string) *ghactions.Markdown {
	heading := "convex-authkit apply"
	if report != nil {
		heading += " (authKit." + report.Env + ")"
		if report.DryRun {
			heading += ", dry run"
		}
	}
	md := ghactions.NewMarkdown(heading, redact)
	if report != nil {
		rows := make([][]string, len(report.Plan))
		for i, it := range report.Plan {
			rows[i] = []string{planSymbols[it.Action] + " " + it.Action, label(it.Resource), value(it.Name, it.Value)}
		}
		md.Table([]string{"plan", "what", "value"}, []bool{false, false, true}, rows)
		s := report.Summary
		md.Para(fmt.Sprintf("Plan: %d to add, %d to set, %d to delete, %d unchanged, %d unmanaged.", s.Add, s.Set, s.Delete, s.Unchanged, s.Unmanaged))
		rows = make([][]string, len(report.Results))
		for i, r := range report.Results {
			rows[i] = []string{r.Status, label(r.Resource), value(r.Name, r.Value), r.Error + r.Note}
		}
		md.Table([]string{"result", "what", "value", "detail"}, []bool{false, false, true, false}, rows)
		for _, n := range report.Notes {
			md.Para("note: " + n)
		}
	}
	if doc := cmdutil.ErrorObject(err); doc != nil {
		md.Problems(doc.Problems)
		md.Para("✗ " + doc.Message)
		if doc.Hint != "" {
			md.Para("hint: " + doc.Hint)
		}
	}
	return md
}

// value is how a table cell shows an item: the URL, or NAME = value for a
// deployment variable (its value already masked when secret).
func value(name, v string) string {
	if name != "" {
		return name + " = " + v
	}
	return v
}
