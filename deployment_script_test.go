package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/convex-authkit/convex-authkit/internal/deployment/deployemu"
)

const deploymentValue = "deployment"

// scriptDeployment is one script's Convex deployment emulator, started by
// dep-start.
type scriptDeployment struct {
	srv  *deployemu.Server
	seen int
}

// deploymentCmds act on the script's Convex deployment emulator:
//
//	dep-start [NAME=VALUE...]   start one holding these variables; it sets
//	                            CONVEX_SELF_HOSTED_URL, CONVEX_SELF_HOSTED_ADMIN_KEY
//	                            and DEPLOYMENT_HOST (the URL without http://)
//	dep-env NAME=VALUE | NAME=  set a variable, or remove it
//	dep-providers FILE          store the providers in FILE (a JSON list, $NAME expanded), as a push would
//	dep-fault [SETTING...]      replace the faults (emu-fault's counted settings; html answers
//	                            the matching requests with a 200 HTML page instead)
//	dep-state                   print its variables as NAME=VALUE, sorted
//	dep-requests                print the requests since the last dep-requests, as emu-requests does
var deploymentCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"dep-start":      depStart,
	"dep-env":        depCmd(depEnv),
	"dep-providers":  depCmd(depProviders),
	"dep-fault":      depCmd(depFault),
	"dep-state":      depCmd(depState),
	"dep-requests":   depCmd(depRequests),
	"dep-routes":     depCmd(depRoutes),
	"dep-deliveries": depCmd(depDeliveries),
}

// setupScript prepares every script: the WorkOS emulator runs from the
// start; the deployment emulator only once dep-start says so, because a
// deployment in the environment changes what commands do.
func setupScript(env *testscript.Env) error {
	if err := setupEmulator(env); err != nil {
		return err
	}
	env.Values[deploymentValue] = &scriptDeployment{}
	return nil
}

// scriptCmds are every custom command a script can use.
func scriptCmds() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	cmds := maps.Clone(emulatorCmds)
	maps.Copy(cmds, deploymentCmds)
	maps.Copy(cmds, listenCmds)
	return cmds
}

func depStart(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("dep-start cannot be negated")
	}
	sd := ts.Value(deploymentValue).(*scriptDeployment)
	if sd.srv != nil {
		ts.Fatalf("dep-start: the deployment emulator is already running")
	}
	vars, err := parseVars(args)
	ts.Check(err)
	srv := deployemu.New(deployemu.Options{Vars: vars})
	url, err := srv.Start("127.0.0.1:0")
	ts.Check(err)
	ts.Defer(func() { _ = srv.Close() })
	ts.Setenv("CONVEX_SELF_HOSTED_URL", url)
	ts.Setenv("CONVEX_SELF_HOSTED_ADMIN_KEY", srv.AdminKey())
	ts.Setenv("DEPLOYMENT_HOST", strings.TrimPrefix(url, "http://"))
	sd.srv = srv
}

func parseVars(args []string) (map[string]string, error) {
	vars := map[string]string{}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("bad variable %q: want NAME=VALUE", a)
		}
		vars[k] = v
	}
	return vars, nil
}

// depCmd adapts a command on a started deployment emulator.
func depCmd(run func(ts *testscript.TestScript, sd *scriptDeployment, args []string) error) func(*testscript.TestScript, bool, []string) {
	return func(ts *testscript.TestScript, neg bool, args []string) {
		if neg {
			ts.Fatalf("deployment commands cannot be negated")
		}
		sd, ok := ts.Value(deploymentValue).(*scriptDeployment)
		if !ok || sd.srv == nil {
			ts.Fatalf("no deployment emulator: run dep-start first")
		}
		ts.Check(run(ts, sd, args))
	}
}

func depEnv(_ *testscript.TestScript, sd *scriptDeployment, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: dep-env NAME=VALUE | NAME=")
	}
	k, v, ok := strings.Cut(args[0], "=")
	switch {
	case !ok || k == "":
		return fmt.Errorf("usage: dep-env NAME=VALUE | NAME=")
	case v == "":
		sd.srv.DeleteVar(k)
	default:
		sd.srv.SetVar(k, v)
	}
	return nil
}

func depProviders(ts *testscript.TestScript, sd *scriptDeployment, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: dep-providers FILE")
	}
	var ps []map[string]any
	// Expanded so that a file can name the emulators' addresses
	// ($WORKOS_BASE_URL), which change every run.
	if err := json.Unmarshal([]byte(os.Expand(ts.ReadFile(args[0]), ts.Getenv)), &ps); err != nil {
		return fmt.Errorf("dep-providers: %s: %v", args[0], err)
	}
	sd.srv.SetProviders(ps)
	return nil
}

func depFault(_ *testscript.TestScript, sd *scriptDeployment, args []string) error {
	html := slices.Contains(args, "html")
	f, err := parseFaults(slices.DeleteFunc(slices.Clone(args), func(a string) bool { return a == "html" }))
	if err != nil {
		return err
	}
	sd.srv.SetFaults(f.Counts())
	sd.srv.SetHTMLPages(html)
	return nil
}

// depRoutes deploys (on) or removes (off) the app's
// @convex-dev/workos-authkit routes.
func depRoutes(_ *testscript.TestScript, sd *scriptDeployment, args []string) error {
	if len(args) != 1 || (args[0] != "on" && args[0] != "off") {
		return fmt.Errorf("usage: dep-routes on|off")
	}
	sd.srv.SetComponentRoutes(args[0] == "on")
	return nil
}

// depDeliveries prints the event type and user email of each webhook
// delivery the component's route accepted, in order.
func depDeliveries(ts *testscript.TestScript, sd *scriptDeployment, _ []string) error {
	for _, d := range sd.srv.Deliveries() {
		var ev struct {
			Event string
			Data  struct{ Email string }
		}
		if err := json.Unmarshal([]byte(d.Body), &ev); err != nil {
			return err
		}
		fmt.Fprintln(ts.Stdout(), ev.Event, ev.Data.Email)
	}
	return nil
}

func depState(ts *testscript.TestScript, sd *scriptDeployment, _ []string) error {
	vars := sd.srv.Vars()
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		fmt.Fprintf(ts.Stdout(), "%s=%s\n", k, vars[k])
	}
	return nil
}

func depRequests(ts *testscript.TestScript, sd *scriptDeployment, _ []string) error {
	w := ts.Stdout()
	reqs := sd.srv.Requests()
	counts := map[string]int{}
	for _, r := range reqs[sd.seen:] {
		status := strconv.Itoa(r.Status)
		if r.Status == 0 {
			status = "no-answer"
		}
		line := r.Method + " " + r.Path
		if r.Function != "" {
			line += " " + r.Function
		}
		counts[line+" "+status]++
	}
	sd.seen = len(reqs)
	for _, l := range slices.Sorted(maps.Keys(counts)) {
		fmt.Fprintf(w, "%s x%d\n", l, counts[l])
	}
	return nil
}
