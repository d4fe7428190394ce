package deployment

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"sort"
	"strings"
	"time"
)

// defaultCLITimeout: the Convex CLI starts Node and may refresh a login
// token first, so one run gets more time than one HTTP request.
const defaultCLITimeout = 60 * time.Second

// cliRunner reaches the deployment through the project's own Convex CLI,
// for a developer logged in with `npx convex dev` who has no key on disk.
// It reads with `convex run` on system queries (an HTTP call the CLI
// authenticates) rather than `convex env list`, whose WebSocket gives the
// same list; and writes with `convex env set` (value on stdin, never on
// the command line) and `convex env remove`.
type cliRunner struct {
	t       Target
	timeout time.Duration
	env     []string
	log     *logger
}

func newCLI(t Target, opts ClientOptions) *cliRunner {
	r := &cliRunner{t: t, timeout: opts.Timeout}
	if r.timeout <= 0 {
		r.timeout = defaultCLITimeout
	}
	names := make([]string, 0, len(opts.Env))
	for k := range opts.Env {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		r.env = append(r.env, k+"="+opts.Env[k])
	}
	if opts.Log != nil {
		r.log = &logger{w: opts.Log}
	}
	return r
}

func (r *cliRunner) Target() Target { return r.t }

func (r *cliRunner) ListEnv(ctx context.Context) (map[string]string, error) {
	const op = "list environment variables"
	out, err := r.run(ctx, op, "", "run", "_system/cli/queryEnvironmentVariables")
	if err != nil {
		return nil, err
	}
	vars, err := ParseCLIEnvList(out)
	if err != nil {
		return nil, &Error{Kind: KindBadAnswer, Op: op, Target: r.t.Describe(), Message: err.Error()}
	}
	return vars, nil
}

func (r *cliRunner) AuthProviders(ctx context.Context) ([]Provider, error) {
	const op = "read the stored auth providers"
	out, err := r.run(ctx, op, "", "run", "_system/frontend/listAuthProviders")
	if err != nil {
		return nil, err
	}
	ps, err := DecodeProviders(out)
	if err != nil {
		return nil, &Error{Kind: KindBadAnswer, Op: op, Target: r.t.Describe(), Message: err.Error()}
	}
	return ps, nil
}

func (r *cliRunner) SiteURL(ctx context.Context) (string, error) {
	const op = "read the deployment's site URL"
	out, err := r.run(ctx, op, "", "run", "_system/frontend/convexSiteUrl")
	if err != nil {
		return "", err
	}
	var s string
	if err := json.Unmarshal(out, &s); err != nil {
		return "", &Error{Kind: KindBadAnswer, Op: op, Target: r.t.Describe(), Message: "the CLI did not print a JSON string"}
	}
	return s, nil
}

// UpdateEnv runs one CLI command per change: the CLI has no batch write
// that works without its WebSocket. So that a failure is never silent, the
// error lists the changes that were applied before it.
func (r *cliRunner) UpdateEnv(ctx context.Context, changes []Change) error {
	if err := ValidateChanges(changes); err != nil {
		return err
	}
	var done []string
	for _, c := range changes {
		var err error
		if c.Value == nil {
			_, err = r.run(ctx, "remove "+c.Name, "", "env", "remove", c.Name)
		} else {
			_, err = r.run(ctx, "set "+c.Name, *c.Value, "env", "set", c.Name)
		}
		if err != nil {
			var de *Error
			if errors.As(err, &de) && len(done) > 0 {
				de.Message = strings.TrimSpace(de.Message + " (already applied: " + strings.Join(done, ", ") + ")")
			}
			return err
		}
		done = append(done, c.Name)
	}
	return nil
}

// run runs the CLI in the project with stdin (a value to set, or nothing)
// and returns its stdout. The log line shows the arguments, which never
// hold a value.
func (r *cliRunner) run(ctx context.Context, op, stdin string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if r.t.cliFlag != "" {
		// After the subcommand: `convex run --prod fn`, `convex env set --prod NAME`.
		n := 1
		if args[0] == "env" {
			n = 2
		}
		args = append(append(append([]string{}, args[:n]...), r.t.cliFlag), args[n:]...)
	}
	cmd := exec.CommandContext(ctx, r.t.cliPath, args...)
	cmd.Dir = r.t.dir
	cmd.Env = r.env
	cmd.Stdin = strings.NewReader(stdin)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r.log.printf("convex: npx convex %s -> %v (%s)\n", strings.Join(args, " "), exitStatus(err), time.Since(start).Round(time.Millisecond))
	if err == nil {
		return stdout.Bytes(), nil
	}
	e := &Error{Kind: KindCLI, Op: op, Target: r.t.Describe()}
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		e.Kind, e.Err = KindNetwork, fmt.Errorf("the Convex CLI did not finish within %s", r.timeout)
	case ctx.Err() != nil:
		e.Kind, e.Err = KindNetwork, ctx.Err()
	default:
		msg := stderr.String()
		if strings.TrimSpace(msg) == "" {
			msg = stdout.String()
		}
		e.Message = tidy(fmt.Sprintf("`npx convex %s` failed (%v): %s", strings.Join(args, " "), exitStatus(err), msg), stdin)
		if strings.Contains(msg, "You do not have permission") || strings.Contains(msg, "401 Unauthorized") {
			e.Kind = KindRefused
		}
	}
	return nil, e
}

func exitStatus(err error) string {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &ee):
		return fmt.Sprintf("exit %d", ee.ExitCode())
	}
	return err.Error()
}

// ParseCLIEnvList reads what `npx convex run _system/cli/queryEnvironmentVariables`
// prints when its stdout is not a terminal: a JSON list of {name, value}.
// A name twice, a name Convex would not accept, or anything else is an
// error that never quotes a value.
func ParseCLIEnvList(out []byte) (map[string]string, error) {
	var list []struct {
		Name  *string `json:"name"`
		Value *string `json:"value"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(out), &list); err != nil {
		return nil, errors.New("the Convex CLI did not print a JSON list of {name, value}")
	}
	vars := make(map[string]string, len(list))
	for i, v := range list {
		if v.Name == nil || v.Value == nil {
			return nil, fmt.Errorf("entry %d of the CLI's list has no name or no value", i+1)
		}
		if !envName.MatchString(*v.Name) {
			return nil, fmt.Errorf("entry %d of the CLI's list has a name Convex does not accept", i+1)
		}
		if _, dup := vars[*v.Name]; dup {
			return nil, fmt.Errorf("the CLI's list has %s twice", *v.Name)
		}
		vars[*v.Name] = *v.Value
	}
	return vars, nil
}
