package authjs

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
	"github.com/go-sourcemap/sourcemap"

	"github.com/convex-authkit/convex-authkit/internal/convexauth"
	"github.com/convex-authkit/convex-authkit/internal/jwks"
)

// bundleName names the bundle in goja's own messages.
const bundleName = "<convex-authkit bundle>"

// maxCallDepth stands in for V8's stack limit, so runaway recursion fails
// with its message instead of exhausting memory.
const maxCallDepth = 10000

// outcome is what one evaluation produced.
type outcome struct {
	json    []byte
	reads   []string
	missing []string
}

// run compiles the bundle and evaluates it. When a read of an unset variable
// escapes (Convex's first-failure behaviour), it runs again with unset
// variables reading as undefined, to name every one the file needs. Both
// runs stop at deadline; timeout is how messages name the limit.
func run(deadline time.Time, timeout time.Duration, code, sourceMap []byte, file string, env map[string]string) (*outcome, error) {
	// The map is applied here rather than by goja, which looks columns up
	// one off and would decode it again from a comment.
	ast, err := goja.Parse(bundleName, string(code), parser.WithDisableSourceMaps)
	if err != nil {
		return nil, fmt.Errorf("%s: the engine cannot parse the bundle: %w", file, err)
	}
	prg, err := goja.CompileAST(ast, true) // ES modules are strict
	if err != nil {
		return nil, fmt.Errorf("%s: the engine cannot compile the bundle: %w", file, err)
	}
	smap, err := sourcemap.Parse("", sourceMap)
	if err != nil {
		return nil, fmt.Errorf("%s: bad source map from esbuild: %w", file, err)
	}
	ev := evaluation{prg: prg, smap: smap, file: file, env: env, deadline: deadline, timeout: timeout}
	out, err := ev.once(true)
	var missing *MissingEnvError
	if errors.As(err, &missing) {
		// The second run may go further and fail otherwise (reading a
		// property of undefined, say); what it read until then still counts.
		if all, _ := ev.once(false); all != nil && len(all.missing) > 0 {
			missing.Names = all.missing
			out.reads, out.missing = all.reads, all.missing
		}
	}
	return out, err
}

// evaluation is what every run of one bundle shares.
type evaluation struct {
	prg      *goja.Program
	smap     *sourcemap.Consumer
	file     string
	env      map[string]string
	deadline time.Time
	timeout  time.Duration
}

// sandbox is one goja runtime with the globals a Convex auth config sees.
type sandbox struct {
	*evaluation
	vm      *goja.Runtime
	strict  bool // an unset variable throws, as on Convex
	reads   []string
	missing []string
	seen    map[string]bool
	// thrown maps the errors raised for unset variables to the variable,
	// to tell them from the file's own exceptions when they escape.
	thrown    map[*goja.Object]string
	newErr    func(msg string) *goja.Object
	stringify goja.Callable // the original JSON.stringify
	toString  goja.Callable // the original String
	exportOf  goja.Callable // reads the default export off the namespace
}

// once evaluates the bundle in a fresh runtime.
func (ev *evaluation) once(strict bool) (*outcome, error) {
	s := &sandbox{evaluation: ev, vm: goja.New(), strict: strict, seen: map[string]bool{}, thrown: map[*goja.Object]string{}}
	s.vm.SetMaxCallStackSize(maxCallDepth)
	if err := s.install(); err != nil {
		return nil, err
	}
	// One timer covers the script and JSON.stringify, which runs user code
	// too (getters, toJSON).
	timer := time.AfterFunc(time.Until(ev.deadline), func() { s.vm.Interrupt("deadline") })
	defer timer.Stop()

	out := &outcome{}
	defer func() { out.reads, out.missing = s.reads, s.missing }()
	if _, err := s.vm.RunProgram(ev.prg); err != nil {
		return out, s.failure(err)
	}
	def, err := s.exportOf(goja.Undefined(), s.vm.Get(globalName))
	if err != nil {
		return out, s.failure(err)
	}
	// Convex looks for the export before JSON.stringify, which would make
	// an undefined one the schema error below.
	if goja.IsUndefined(def) || goja.IsNull(def) {
		return out, &ConfigError{Code: convexauth.CodeMissingExport, Message: convexauth.MissingExportMessage}
	}
	str, err := s.stringify(goja.Undefined(), def)
	if err != nil {
		var intr *goja.InterruptedError
		if errors.As(err, &intr) {
			return out, s.failure(err)
		}
		// V8's JSON::Stringify gives nothing back on any exception.
		return out, &ConfigError{Code: CodeUnserializable, Message: "auth config file can only contain strings " + convexauth.SeeAuthDocs}
	}
	if goja.IsUndefined(str) {
		// V8 turns the undefined result into the string "undefined", which
		// serde cannot parse ("expected value at line 1 column 1", the
		// position stripped).
		return out, &ConfigError{Code: convexauth.CodeNotMatchingSchema, Message: convexauth.SchemaMessage("expected value")}
	}
	out.json = []byte(str.String())
	return out, nil
}

// install sets up the globals before any user code runs, keeping the
// original Error, String and JSON.stringify so the file cannot redirect them.
func (s *sandbox) install() error {
	vm := s.vm
	errCtor := vm.Get("Error")
	s.newErr = func(msg string) *goja.Object {
		o, err := vm.New(errCtor, vm.ToValue(msg))
		if err != nil {
			panic(err)
		}
		return o
	}
	s.stringify, _ = goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("stringify"))
	s.toString, _ = goja.AssertFunction(vm.Get("String"))

	env := vm.NewProxy(vm.NewObject(), &goja.ProxyTrapConfig{
		Get: func(target *goja.Object, name string, receiver goja.Value) goja.Value {
			return s.getEnv(name)
		},
	})
	process := vm.NewObject()
	if err := process.Set("env", env); err != nil {
		return err
	}
	console := vm.NewObject()
	for _, m := range []string{"log", "info", "warn", "error", "debug", "trace"} {
		// Convex only logs a server-side warning for console use here.
		if err := console.Set(m, func(goja.FunctionCall) goja.Value { return goja.Undefined() }); err != nil {
			return err
		}
	}
	g := vm.GlobalObject()
	for name, v := range map[string]any{
		"process": process,
		"console": console,
		"self":    g,
		"btoa":    s.btoa,
		"atob":    s.atob,
	} {
		if err := g.Set(name, v); err != nil {
			return err
		}
	}
	setup, err := preludeProgram()
	if err != nil {
		return err
	}
	fn, err := vm.RunProgram(setup)
	if err != nil {
		return err
	}
	call, _ := goja.AssertFunction(fn)
	exportOf, err := call(goja.Undefined(), g)
	if err != nil {
		return err
	}
	s.exportOf, _ = goja.AssertFunction(exportOf)
	return nil
}

// prelude replaces what the auth config environment refuses: Math.random
// and the current time fail with the backend's messages, while Date with
// arguments keeps working, as in Convex's udf-runtime. It returns the
// function that reads the default export off the bundle's namespace.
const prelude = `(function (g) {
  "use strict";
  const fail = (what) => { throw new Error(what + " unsupported when evaluating auth config file"); };
  g.Math.random = function random() { fail("Math.random"); };
  const OriginalDate = g.Date;
  function Date(...args) {
    if (!new.target || args.length === 0) fail("Date");
    return Reflect.construct(OriginalDate, args, new.target);
  }
  Date.now = function now() { fail("Date"); };
  Date.parse = OriginalDate.parse;
  Date.UTC = OriginalDate.UTC;
  Date.prototype = OriginalDate.prototype;
  Date.prototype.constructor = Date;
  g.Date = Date;
  return (bundle) => bundle.config.default;
})`

// preludeProgram compiles the prelude on first use, not at package init.
var preludeProgram = sync.OnceValues(func() (*goja.Program, error) {
	return goja.Compile("<convex-authkit prelude>", prelude, true)
})

// maxEnvName is the backend's MAX_NAME_LENGTH for variable names.
const maxEnvName = 40

// validEnvName is the backend's EnvVarName pattern ^[a-zA-Z_]+[a-zA-Z0-9_]*$.
func validEnvName(name string) bool {
	for i, c := range []byte(name) {
		letter := c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return name != ""
}

// getEnv answers process.env[name] as the backend's op does: every string
// key is a lookup, including ones like "toJSON" or "hasOwnProperty"; a bad
// name or an unset variable throws a catchable Error.
func (s *sandbox) getEnv(name string) goja.Value {
	if !validEnvName(name) {
		panic(s.newErr(fmt.Sprintf("The environment variable name %s is invalid. Environment variable names must begin with a letter and may only include characters a-z, A-Z, 0-9, and underscores.", name)))
	}
	if len(name) > maxEnvName {
		panic(s.newErr(fmt.Sprintf("The environment variable name %s is too long. Environment variable names must be less than %d.", name, maxEnvName)))
	}
	v, ok := s.env[name]
	if !s.seen[name] {
		s.seen[name] = true
		s.reads = append(s.reads, name)
		if !ok {
			s.missing = append(s.missing, name)
		}
	}
	if ok {
		return s.vm.ToValue(v)
	}
	if !s.strict {
		return goja.Undefined()
	}
	e := s.newErr(missingEnvMessage(name))
	s.thrown[e] = name
	panic(e)
}

// failure turns an error from goja into one of the package's errors.
func (s *sandbox) failure(err error) error {
	var intr *goja.InterruptedError
	if errors.As(err, &intr) {
		return &TimeoutError{Position: s.position(intr.Stack()), Phase: PhaseEvaluate, After: s.timeout}
	}
	var overflow *goja.StackOverflowError
	if errors.As(err, &overflow) {
		return &RuntimeError{Position: s.position(overflow.Stack()), Message: "RangeError: Maximum call stack size exceeded"}
	}
	var exc *goja.Exception
	if !errors.As(err, &exc) {
		return err
	}
	val := exc.Value()
	if o, ok := val.(*goja.Object); ok {
		if name, ok := s.thrown[o]; ok {
			return &MissingEnvError{Names: []string{name}}
		}
	}
	return &RuntimeError{Position: s.position(exc.Stack()), Message: s.describe(val)}
}

// describe renders a thrown value as V8 prints it after "Uncaught ":
// String(value), which is "Name: message" for errors.
func (s *sandbox) describe(v goja.Value) string {
	if v == nil {
		return "undefined"
	}
	str, err := s.toString(goja.Undefined(), v)
	if err != nil {
		return "exception (its text could not be read)"
	}
	return str.String()
}

// position picks the innermost frame that the source map places in one of
// the user's files; without one, the evaluated file itself. Lines match
// V8's; columns are where goja puts the frame, usually V8's too.
func (s *sandbox) position(frames []goja.StackFrame) Position {
	for _, f := range frames {
		p := f.Position()
		if p.Line == 0 {
			continue
		}
		src, _, line, col, ok := s.smap.Source(p.Line, p.Column-1)
		if !ok || src == "" || strings.HasPrefix(src, "<") {
			continue // esbuild's helpers and the entry stub
		}
		return Position{File: src, Line: line, Column: col + 1}
	}
	return Position{File: s.file}
}

// btoa and atob are the web platform's, which Convex provides; a data: URL
// JWKS is sometimes assembled with them.
func (s *sandbox) btoa(call goja.FunctionCall) goja.Value {
	in := call.Argument(0).String()
	b := make([]byte, 0, len(in))
	for _, r := range in {
		if r > 0xFF {
			panic(s.newErr("InvalidCharacterError: The string to be encoded contains characters outside of the Latin1 range."))
		}
		b = append(b, byte(r))
	}
	return s.vm.ToValue(base64.StdEncoding.EncodeToString(b))
}

func (s *sandbox) atob(call goja.FunctionCall) goja.Value {
	b, err := jwks.DecodeForgivingBase64(call.Argument(0).String())
	if err != nil {
		panic(s.newErr("InvalidCharacterError: The string to be decoded is not correctly encoded."))
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return s.vm.ToValue(string(r))
}
