package authjs

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/metrics"
	"strings"
	"time"
)

// The parent and the child speak over the child's standard streams: the
// request, one JSON document, on stdin; on stdout one JSON line per
// message, first {"phase":"evaluate"} when bundling is done, then the
// result. stderr is only read when the child dies, for the Go runtime's
// own last words.

// childArg, as the only argument, makes the binary a sandbox child. It is
// checked before anything else runs (see RunChildIfRequested), so the
// normal start-up pays nothing for it.
const childArg = "__convex-authkit-evaluate-auth-config"

// Exit codes the child stops itself with.
const (
	exitMemory  = 97 // the watchdog saw more memory than allowed
	exitTimeout = 98 // the engine did not stop at the deadline
)

// killGrace is how long past the deadline the child has to stop on its own
// (interrupting the engine, then exiting) before the parent kills it. The
// engine cannot be interrupted inside a regular expression match, and
// esbuild not at all.
const killGrace = 500 * time.Millisecond

// memoryPoll is how often the child's watchdog measures its memory.
const memoryPoll = 5 * time.Millisecond

// request is everything the child knows: nothing comes from its
// environment, which is empty.
type request struct {
	Root        string            // absolute project root
	File        string            // absolute auth config path
	Display     string            // File as messages name it
	Env         map[string]string // process.env
	Timeout     time.Duration
	MemoryLimit int64
}

// message is one line the child writes.
type message struct {
	Phase  Phase  `json:"phase,omitempty"`
	Result *reply `json:"result,omitempty"`
}

// reply is the outcome: at most one error field is set.
type reply struct {
	JSON    []byte   `json:"json,omitempty"`
	Reads   []string `json:"reads,omitempty"`
	Missing []string `json:"missing,omitempty"`

	Build      *BuildError      `json:"build,omitempty"`
	MissingEnv *MissingEnvError `json:"missingEnv,omitempty"`
	Runtime    *RuntimeError    `json:"runtime,omitempty"`
	Timeout    *TimeoutError    `json:"timeout,omitempty"`
	Config     *ConfigError     `json:"config,omitempty"`
	Other      string           `json:"other,omitempty"`
}

func (r *reply) err() error {
	switch {
	case r.Build != nil:
		return r.Build
	case r.MissingEnv != nil:
		return r.MissingEnv
	case r.Runtime != nil:
		return r.Runtime
	case r.Timeout != nil:
		return r.Timeout
	case r.Config != nil:
		return r.Config
	case r.Other != "":
		return errors.New(r.Other)
	}
	return nil
}

// RunChildIfRequested turns this process into a sandbox child when it was
// started as one, and exits when the child is done; otherwise it returns
// at once. Call it first thing in main, and in TestMain of every package
// whose tests evaluate an auth config: the child is the running executable
// (os.Executable), so a test binary must be able to be one too.
func RunChildIfRequested() {
	if len(os.Args) == 2 && os.Args[1] == childArg {
		os.Exit(serveChild(os.Stdin, os.Stdout))
	}
}

// evaluateInChild runs bundling and evaluation in a child process and
// enforces the deadline by killing it.
func evaluateInChild(ctx context.Context, req request) (*Result, error) {
	res := &Result{File: req.Display}
	in, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, &SandboxError{File: req.Display, Detail: "cannot find the running executable: " + err.Error()}
	}
	var stdout bytes.Buffer
	stderr := &headWriter{max: 4 << 10}
	cmd := exec.Command(exe, childArg)
	// Nothing of this process's environment: process.env comes from the
	// request only, and the Go runtime takes its defaults.
	cmd.Env = []string{}
	cmd.Dir = req.Root
	cmd.Stdin = bytes.NewReader(in)
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	cmd.SysProcAttr = childProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, &SandboxError{File: req.Display, Detail: err.Error()}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.NewTimer(req.Timeout + 2*killGrace)
	defer deadline.Stop()
	var killed, cancelled bool
	var waitErr error
	select {
	case waitErr = <-done:
	case <-deadline.C:
		killed = true
	case <-ctx.Done():
		killed, cancelled = true, true
	}
	if killed {
		_ = cmd.Process.Kill()
		waitErr = <-done
	}

	phase, rep := parseChildOutput(stdout.Bytes())
	if rep != nil {
		res.EnvRead, res.Missing = rep.Reads, rep.Missing
	}
	here := Position{File: req.Display}
	code := -1
	var exitErr *exec.ExitError
	if errors.As(waitErr, &exitErr) {
		code = exitErr.ExitCode()
	}
	switch {
	case rep != nil && waitErr == nil:
		if err := rep.err(); err != nil {
			if rep.Build != nil {
				return nil, err // as before: no Result without a bundle
			}
			return res, err
		}
		res.JSON = rep.JSON
		return res, nil
	case cancelled:
		return res, &TimeoutError{Position: here, Phase: phase, After: req.Timeout, Cause: ctx.Err()}
	case killed || code == exitTimeout:
		return res, &TimeoutError{Position: here, Phase: phase, After: req.Timeout}
	case code == exitMemory || strings.Contains(stderr.String(), "out of memory"):
		// The second case is the Go runtime failing an allocation at the
		// address-space cap (see capAddressSpace).
		return res, &MemoryError{Position: here, Phase: phase, Limit: req.MemoryLimit}
	}
	status := "no result"
	if waitErr != nil {
		status = waitErr.Error()
	}
	return nil, &SandboxError{File: req.Display, Status: status, Detail: firstLine(stderr.String())}
}

// parseChildOutput reads the child's messages: the last phase it reached
// and its result, if it got that far.
func parseChildOutput(out []byte) (Phase, *reply) {
	phase := PhaseBundle
	var rep *reply
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, len(out)+1)
	for sc.Scan() {
		var m message
		if json.Unmarshal(sc.Bytes(), &m) != nil {
			break
		}
		if m.Phase != "" {
			phase = m.Phase
		}
		if m.Result != nil {
			rep = m.Result
		}
	}
	return phase, rep
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// headWriter keeps the first max bytes written to it: enough of a Go
// runtime crash to say what happened, without its goroutine dump.
type headWriter struct {
	buf bytes.Buffer
	max int
}

func (w *headWriter) Write(p []byte) (int, error) {
	if room := w.max - w.buf.Len(); room > 0 {
		w.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

func (w *headWriter) String() string { return w.buf.String() }

// serveChild is the child: it reads the request, caps its own memory,
// bundles, evaluates and writes the result. The return value is its exit
// code.
func serveChild(in io.Reader, out io.Writer) int {
	var req request
	if err := json.NewDecoder(in).Decode(&req); err != nil {
		fmt.Fprintln(os.Stderr, "convex-authkit: bad sandbox request:", err)
		return 1
	}
	start := time.Now()
	limitMemory(req.MemoryLimit)
	// The engine stops itself at the deadline; this is for when it cannot
	// (a regular expression match, esbuild) and the parent is gone.
	time.AfterFunc(req.Timeout+killGrace, func() { os.Exit(exitTimeout) })

	enc := json.NewEncoder(out)
	send := func(rep *reply) int {
		if err := enc.Encode(message{Result: rep}); err != nil {
			return 1
		}
		return 0
	}
	code, sourceMap, err := bundle(req.Root, req.File)
	if err != nil {
		var be *BuildError
		if errors.As(err, &be) {
			return send(&reply{Build: be})
		}
		return send(&reply{Other: err.Error()})
	}
	if err := enc.Encode(message{Phase: PhaseEvaluate}); err != nil {
		return 1
	}
	o, err := run(start.Add(req.Timeout), req.Timeout, code, sourceMap, req.Display, req.Env)
	rep := &reply{}
	if o != nil {
		rep.JSON, rep.Reads, rep.Missing = o.json, o.reads, o.missing
	}
	var (
		missing *MissingEnvError
		runtime *RuntimeError
		timeout *TimeoutError
		cfg     *ConfigError
	)
	switch {
	case err == nil:
	case errors.As(err, &missing):
		rep.MissingEnv = missing
	case errors.As(err, &runtime):
		rep.Runtime = runtime
	case errors.As(err, &timeout):
		rep.Timeout = timeout
	case errors.As(err, &cfg):
		rep.Config = cfg
	default:
		rep.Other = err.Error()
	}
	if err != nil {
		rep.JSON = nil
	}
	return send(rep)
}

// limitMemory caps the child: a watchdog that stops the process past the
// limit and, where the OS has one, a cap on address space for a single
// enormous allocation that the watchdog would only see afterwards. There
// is deliberately no debug.SetMemoryLimit: near it the collector runs
// without pause, and a file filling memory would end as a timeout, with
// the less helpful message.
func limitMemory(limit int64) {
	capAddressSpace(limit)
	samples := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	go func() {
		for {
			metrics.Read(samples)
			// What the runtime holds, less what it gave back to the OS: the
			// figure debug.SetMemoryLimit limits.
			if int64(samples[0].Value.Uint64()-samples[1].Value.Uint64()) > limit {
				os.Exit(exitMemory)
			}
			time.Sleep(memoryPoll)
		}
	}()
}
