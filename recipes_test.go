package main

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/emulator"
)

// The recipes in examples/ are run here, command by command, with the CI
// platform's variables and no terminal, against the embedded WorkOS
// emulator: a recipe that stops working fails this test. Commands other than
// convex-authkit's are recognised one by one (installing the tool, npm,
// npx convex deploy whose --cmd is run, gh's branch list whose output is
// simulated); an unknown one fails the test, so that a new step gets a
// decision rather than being skipped unnoticed.

// recipeRun is one CI platform's run of recipe commands: a project
// directory holding the recipe's convex.json, the emulator, and what the
// platform would print for `gh pr list`.
type recipeRun struct {
	t        *testing.T
	dir      string
	emu      *emulator.Server
	offset   atomic.Int64 // shifts the emulator's clock: previews can age
	openPRs  []string
	commands []string // every convex-authkit command line run, for the README check
}

func newRecipeRun(t *testing.T, convexJSON string) *recipeRun {
	t.Helper()
	r := &recipeRun{t: t, dir: t.TempDir()}
	data, err := os.ReadFile(convexJSON)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(r.dir, "convex.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	r.emu = emulator.New(emulator.Options{APIKey: scriptAPIKey, Now: func() time.Time { return time.Now().Add(time.Duration(r.offset.Load())) }})
	if _, err := r.emu.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.emu.Close() })
	return r
}

// shell runs one line of a recipe (`a && b`, `a | b`) with env as the
// whole environment of each command.
func (r *recipeRun) shell(line string, env map[string]string) {
	r.t.Helper()
	for _, pipeline := range cutShell(r.t, line, "&&") {
		var stdin string
		for _, cmd := range cutShell(r.t, pipeline, "|") {
			stdin = r.command(cutShell(r.t, cmd, " "), env, stdin)
		}
	}
}

// command runs one simple command and returns what it printed.
func (r *recipeRun) command(words []string, env map[string]string, stdin string) string {
	r.t.Helper()
	env = maps.Clone(env)
	for len(words) > 0 && regexp.MustCompile(`^[A-Z_]+=`).MatchString(words[0]) {
		k, v, _ := strings.Cut(words[0], "=")
		env[k] = strings.ReplaceAll(v, "$PWD", r.dir)
		words = words[1:]
	}
	line := strings.Join(words, " ")
	switch {
	case line == "go install github.com/convex-authkit/convex-authkit@latest":
		return "" // the test runs this tree's build instead
	case line == "npm ci", line == "npm run build":
		return ""
	case strings.HasPrefix(line, "npx convex deploy --cmd "):
		// Convex's own WorkOS step and push are not what is tested; the
		// command it wraps is.
		r.shell(words[len(words)-1], env)
		return ""
	case line == "gh pr list --state open --json headRefName --jq .[].headRefName":
		return strings.Join(r.openPRs, "\n") + "\n"
	case len(words) > 0 && words[0] == "convex-authkit":
		return r.convexAuthkit(words[1:], env, stdin)
	}
	r.t.Fatalf("recipe command %q is neither convex-authkit's nor one the test knows how to stand in for", line)
	return ""
}

func (r *recipeRun) convexAuthkit(args []string, env map[string]string, stdin string) string {
	r.t.Helper()
	r.commands = append(r.commands, "convex-authkit "+strings.Join(args, " "))
	c := exec.Command("convex-authkit", args...)
	c.Dir = r.dir
	// The platform's variables and nothing of this machine's but PATH (to
	// find the binary) and HOME; WORKOS_BASE_URL is the one variable no
	// recipe sets: it points at the emulator.
	c.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + r.t.TempDir(), "WORKOS_BASE_URL=" + r.emu.URL()}
	for k, v := range env {
		c.Env = append(c.Env, k+"="+v)
	}
	c.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	c.Stdout, c.Stderr = &out, &errOut
	if err := c.Run(); err != nil {
		r.t.Fatalf("convex-authkit %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String()
}

// expectRedirects fails unless WorkOS holds exactly these redirect URIs.
func (r *recipeRun) expectRedirects(when string, want ...string) {
	r.t.Helper()
	got := r.emu.RedirectURIs()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		r.t.Fatalf("%s: WorkOS holds\n  %s\nwant\n  %s", when, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// cutShell cuts a line of POSIX shell at op where it stands outside quotes.
// With op " " the parts are words, unquoted ('...' and "..."; "$PWD" is left
// for command to expand). Anything more (variables, subshells,
// redirections) is refused: recipes keep to what this reads exactly.
func cutShell(t *testing.T, line, op string) []string {
	t.Helper()
	var parts []string
	var part strings.Builder
	var quote byte
	words := op == " "
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
				if words {
					continue
				}
			}
			part.WriteByte(c)
			continue
		case c == '\'' || c == '"':
			quote = c
			if !words {
				part.WriteByte(c)
			}
			continue
		case strings.HasPrefix(line[i:], op):
			parts = append(parts, part.String())
			part.Reset()
			i += len(op) - 1
			continue
		case strings.ContainsRune("`;<>(){}", rune(c)) || (c == '$' && !strings.HasPrefix(line[i:], "$PWD")):
			t.Fatalf("recipe line %q uses %q, which the recipes' test does not run", line, c)
		}
		part.WriteByte(c)
	}
	if quote != 0 {
		t.Fatalf("recipe line %q has an unclosed quote", line)
	}
	parts = append(parts, part.String())
	if words {
		parts = slices.DeleteFunc(parts, func(w string) bool { return w == "" })
	}
	return parts
}

// --- GitHub Actions ---

// ghWorkflow is the part of a workflow file the test reads: workflow and
// job env, each job's if and its steps.
type ghWorkflow struct {
	env  [][2]string
	jobs []ghJob
}

type ghJob struct {
	name, cond string
	env        [][2]string
	steps      []ghStep
}

type ghStep struct {
	uses, run string
	env       [][2]string
}

// readWorkflow reads the block YAML subset the recipe keeps to: two-space
// indentation, "key: value" scalars, "- " list items, no multi-line
// scalars. Anything it cannot place fails the test.
func readWorkflow(t *testing.T, path string) ghWorkflow {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var wf ghWorkflow
	var job *ghJob
	var step *ghStep
	// The keys that the lines below a line at indent 0, 4 and 8 belong to.
	var top, jobKey, stepKey string
	for n, raw := range strings.Split(string(data), "\n") {
		text := strings.TrimSpace(raw)
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		indent := len(raw) - len(strings.TrimLeft(raw, " "))
		item := strings.HasPrefix(text, "- ")
		if item {
			text, indent = text[2:], indent+2
		}
		key, value, _ := strings.Cut(text, ":")
		value = unquoteYAML(strings.TrimSpace(value))
		if value == "|" || value == ">" {
			t.Fatalf("%s:%d: multi-line scalars are not read by the recipes' test; keep each command on one line", path, n+1)
		}
		switch {
		case indent == 0:
			top = key
		case top == "on" || top == "name":
		case top == "env" && indent == 2:
			wf.env = append(wf.env, [2]string{key, value})
		case top == "jobs" && indent == 2:
			wf.jobs = append(wf.jobs, ghJob{name: key})
			job, step = &wf.jobs[len(wf.jobs)-1], nil
		case job != nil && indent == 4:
			jobKey = key
			switch key {
			case "if":
				job.cond = value
			case "env", "steps", "runs-on":
			default:
				t.Fatalf("%s:%d: job key %q is not read by the recipes' test", path, n+1, key)
			}
		case job != nil && jobKey == "env" && indent == 6:
			job.env = append(job.env, [2]string{key, value})
		case job != nil && jobKey == "steps" && indent == 8:
			if item {
				job.steps = append(job.steps, ghStep{})
				step = &job.steps[len(job.steps)-1]
			}
			stepKey = key
			switch key {
			case "uses":
				step.uses = value
			case "run":
				step.run = value
			case "env", "with", "name":
			default:
				t.Fatalf("%s:%d: step key %q is not read by the recipes' test", path, n+1, key)
			}
		case step != nil && stepKey == "env" && indent == 10:
			step.env = append(step.env, [2]string{key, value})
		case step != nil && stepKey == "with" && indent == 10:
		default:
			t.Fatalf("%s:%d: the recipes' test cannot place %q", path, n+1, raw)
		}
	}
	return wf
}

func unquoteYAML(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

var ghExpr = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// ghEval evaluates the expressions the recipe uses: context paths, 'string'
// literals, ==, !=, && and ||. ctx holds every path; one it does not hold
// fails the test.
func ghEval(t *testing.T, expr string, ctx map[string]string) string {
	t.Helper()
	for _, alt := range strings.Split(expr, "||") {
		v := "true"
		for _, term := range strings.Split(alt, "&&") {
			if v == "" {
				break
			}
			term = strings.TrimSpace(term)
			if l, r, ok := strings.Cut(term, "!="); ok {
				v = truth(ghValue(t, l, ctx) != ghValue(t, r, ctx))
			} else if l, r, ok := strings.Cut(term, "=="); ok {
				v = truth(ghValue(t, l, ctx) == ghValue(t, r, ctx))
			} else {
				v = ghValue(t, term, ctx)
			}
		}
		if v != "" {
			return v
		}
	}
	return ""
}

func truth(b bool) string {
	if b {
		return "true"
	}
	return ""
}

func ghValue(t *testing.T, s string, ctx map[string]string) string {
	t.Helper()
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		return s[1 : len(s)-1]
	}
	v, ok := ctx[s]
	if !ok {
		t.Fatalf("the recipe uses ${{ %s }}, which the recipes' test does not simulate", s)
	}
	return v
}

func ghSubst(t *testing.T, s string, ctx map[string]string) string {
	return ghExpr.ReplaceAllStringFunc(s, func(m string) string {
		return ghEval(t, ghExpr.FindStringSubmatch(m)[1], ctx)
	})
}

// ghEvent is one workflow run: the event and what GitHub sets for it.
type ghEvent struct {
	name, action, headRef, refName string
}

// trigger runs every job of wf whose if holds for ev, as GitHub would.
func (r *recipeRun) trigger(wf ghWorkflow, ev ghEvent) {
	r.t.Helper()
	ctx := map[string]string{
		"github.event_name": ev.name, "github.event.action": ev.action,
		"github.head_ref": ev.headRef, "github.ref_name": ev.refName, "github.token": "ghs_simulated",
		"vars.VERCEL_PROJECT": "my-app", "vars.VERCEL_TEAM": "acme",
		"vars.VERCEL_PROJECT_PRODUCTION_URL": "app.example.com",
		"secrets.WORKOS_STAGING_API_KEY":     scriptAPIKey,
		"secrets.WORKOS_PRODUCTION_API_KEY":  scriptAPIKey,
	}
	base := map[string]string{
		"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": ev.name,
		"GITHUB_HEAD_REF": ev.headRef, "GITHUB_REF_NAME": ev.refName,
	}
	for _, kv := range wf.env {
		base[kv[0]] = ghSubst(r.t, kv[1], ctx)
	}
	ran := 0
	for _, job := range wf.jobs {
		if ghEval(r.t, strings.TrimSuffix(strings.TrimPrefix(job.cond, "${{"), "}}"), ctx) == "" {
			continue
		}
		ran++
		env := maps.Clone(base)
		for _, kv := range job.env {
			env[kv[0]] = ghSubst(r.t, kv[1], ctx)
		}
		for _, st := range job.steps {
			switch {
			case st.uses != "":
				if !strings.HasPrefix(st.uses, "actions/checkout@") && !strings.HasPrefix(st.uses, "actions/setup-go@") {
					r.t.Fatalf("job %s uses %s, which the recipes' test does not stand in for", job.name, st.uses)
				}
			case st.run != "":
				senv := maps.Clone(env)
				for _, kv := range st.env {
					senv[kv[0]] = ghSubst(r.t, kv[1], ctx)
				}
				r.shell(ghSubst(r.t, st.run, ctx), senv)
			}
		}
	}
	if ran == 0 {
		r.t.Fatalf("no job of the workflow runs on %+v", ev)
	}
}

// TestRecipeGitHubActions runs pull requests' lives through the workflow:
// two branches open, one is pushed to twice and closed; main is pushed; a
// nightly clean-up finds a forgotten preview. WorkOS ends with production's
// and the open branch's redirect URIs, and nothing of the closed ones.
func TestRecipeGitHubActions(t *testing.T) {
	wf := readWorkflow(t, "examples/github-actions/authkit.yml")
	r := newRecipeRun(t, "examples/vercel/convex.json")
	const (
		a    = "https://my-app-git-feature-a-acme.vercel.app/callback"
		b    = "https://my-app-git-feature-b-acme.vercel.app/callback"
		prod = "https://app.example.com/callback"
		old  = "https://my-app-git-forgotten-acme.vercel.app/callback"
	)
	r.trigger(wf, ghEvent{name: "push", refName: "main"})
	r.expectRedirects("after the push to main", prod)

	r.trigger(wf, ghEvent{name: "pull_request", action: "opened", headRef: "feature-a", refName: "1/merge"})
	r.trigger(wf, ghEvent{name: "pull_request", action: "synchronize", headRef: "feature-a", refName: "1/merge"})
	r.trigger(wf, ghEvent{name: "pull_request", action: "synchronize", headRef: "feature-a", refName: "1/merge"})
	r.trigger(wf, ghEvent{name: "pull_request", action: "opened", headRef: "feature-b", refName: "2/merge"})
	r.expectRedirects("with two pull requests open", prod, a, b)

	r.trigger(wf, ghEvent{name: "pull_request", action: "closed", headRef: "feature-a", refName: "1/merge"})
	r.expectRedirects("after feature-a's pull request closed", prod, b)
	// A closed event delivered twice (a re-run) finds nothing and succeeds.
	r.trigger(wf, ghEvent{name: "pull_request", action: "closed", headRef: "feature-a", refName: "1/merge"})
	r.expectRedirects("after the close ran again", prod, b)

	// A preview left two days ago by a pull request closed before this
	// workflow existed.
	r.offset.Store(int64(-48 * time.Hour))
	r.emu.AddRedirectURI(old, false)
	r.offset.Store(0)
	r.openPRs = []string{"feature-b"}
	r.trigger(wf, ghEvent{name: "schedule", refName: "main"})
	r.expectRedirects("after the nightly clean-up", prod, b)

	ranAll(t, "examples/github-actions/authkit.yml", r.commands)
}

// TestRecipeVercel runs vercel.json's commands as Vercel builds run them:
// two branches' previews and production, with Vercel's variables.
func TestRecipeVercel(t *testing.T) {
	var vj struct {
		InstallCommand string `json:"installCommand"`
		BuildCommand   string `json:"buildCommand"`
	}
	data, err := os.ReadFile("examples/vercel/vercel.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &vj); err != nil {
		t.Fatal(err)
	}
	r := newRecipeRun(t, "examples/vercel/convex.json")
	build := func(env, branch string) {
		t.Helper()
		vars := map[string]string{
			"CI": "1", "VERCEL": "1", "VERCEL_ENV": env, "VERCEL_GIT_COMMIT_REF": branch,
			"VERCEL_URL":                    "my-app-3kd9a2-acme.vercel.app",
			"VERCEL_BRANCH_URL":             "my-app-git-" + branch + "-acme.vercel.app",
			"VERCEL_PROJECT_PRODUCTION_URL": "app.example.com",
			// On Vercel the key is the Convex deployment's (CONVEX_DEPLOY_KEY
			// connects it); the test has no deployment and gives it directly.
			"WORKOS_API_KEY": scriptAPIKey,
		}
		r.shell(vj.InstallCommand, vars)
		r.shell(vj.BuildCommand, vars)
	}
	build("preview", "feature-a")
	build("preview", "feature-b")
	build("preview", "feature-a")
	build("production", "main")
	r.expectRedirects("after the builds",
		"https://my-app-git-feature-a-acme.vercel.app/callback",
		"https://my-app-git-feature-b-acme.vercel.app/callback",
		"https://app.example.com/callback")
	ranAll(t, "examples/vercel/vercel.json", r.commands)
}

// TestRecipeNetlify runs netlify.toml's build command for two deploy
// previews and production, with Netlify's variables.
func TestRecipeNetlify(t *testing.T) {
	data, err := os.ReadFile("examples/netlify/netlify.toml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*command\s*=\s*"((?:[^"\\]|\\.)*)"\s*$`).FindSubmatch(data)
	if m == nil {
		t.Fatal("netlify.toml has no build command the test can read")
	}
	var command string
	if err := json.Unmarshal([]byte(`"`+string(m[1])+`"`), &command); err != nil {
		t.Fatalf("netlify.toml's command: %v", err)
	}
	r := newRecipeRun(t, "examples/netlify/convex.json")
	build := func(context, branch, review, prime string) {
		t.Helper()
		r.shell(command, map[string]string{
			"CI": "true", "NETLIFY": "true", "CONTEXT": context, "BRANCH": branch, "HEAD": branch,
			"REVIEW_ID": review, "DEPLOY_PRIME_URL": prime, "URL": "https://my-site.netlify.app",
			"WORKOS_API_KEY": scriptAPIKey,
		})
	}
	build("deploy-preview", "feature-a", "41", "https://deploy-preview-41--my-site.netlify.app")
	build("deploy-preview", "feature-b", "42", "https://deploy-preview-42--my-site.netlify.app")
	build("production", "main", "", "https://main--my-site.netlify.app")
	r.expectRedirects("after the builds",
		"https://deploy-preview-41--my-site.netlify.app/callback",
		"https://deploy-preview-42--my-site.netlify.app/callback",
		"https://my-site.netlify.app/callback")
	ranAll(t, "examples/netlify/netlify.toml", r.commands)
}

// ranAll fails unless every convex-authkit command written in the recipe
// file ran: a step the simulated events never reach is untested.
func ranAll(t *testing.T, file string, ran []string) {
	t.Helper()
	for c := range recipeCommands(t, file) {
		if !slices.Contains(ran, c) {
			t.Errorf("%s: %q never ran in the simulation", file, c)
		}
	}
}

var recipeFiles = []string{"examples/github-actions/authkit.yml", "examples/vercel/vercel.json", "examples/netlify/netlify.toml"}

// recipeCommands lists the convex-authkit commands written in recipe files.
func recipeCommands(t *testing.T, files ...string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`convex-authkit [^\n"'|&]*`).FindAllString(string(data), -1) {
			if m = strings.TrimSpace(m); !strings.HasPrefix(m, "convex-authkit@") {
				out[m] = true
			}
		}
	}
	return out
}

// TestRecipeDocs checks that the CI documentation shows only commands the
// recipes run (and so the tests above): examples/README.md, and README.md's
// "## In CI" section once it points at examples/.
func TestRecipeDocs(t *testing.T) {
	tested := recipeCommands(t, recipeFiles...)
	check := func(name, text string) {
		cmds := regexp.MustCompile(`(?m)convex-authkit [a-z][^\n`+"`"+`"'|&#]*`).FindAllString(text, -1)
		if len(cmds) == 0 {
			t.Errorf("%s shows no convex-authkit command", name)
		}
		for _, c := range cmds {
			if c = strings.TrimSpace(c); !tested[c] {
				t.Errorf("%s shows %q, which no recipe runs", name, c)
			}
		}
	}
	data, err := os.ReadFile("examples/README.md")
	if err != nil {
		t.Fatal(err)
	}
	check("examples/README.md", string(data))

	data, err = os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## In CI\n")
	if !ok {
		t.Fatal(`README.md has no "## In CI" section`)
	}
	if i := strings.Index(section, "\n## "); i >= 0 {
		section = section[:i]
	}
	if !strings.Contains(section, "examples/") {
		t.Skip("README.md's CI section does not point at examples/ yet: it predates the recipes")
	}
	check("README.md's CI section", section)
}
