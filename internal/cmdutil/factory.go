package cmdutil

import (
	"path/filepath"
	"runtime"
	"time"

	"github.com/convex-authkit/convex-authkit/internal/ghactions"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
	"github.com/convex-authkit/convex-authkit/internal/prompt"
)

// BuildInfo describes the running binary.
type BuildInfo struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	Date      string `json:"date"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

// NewBuildInfo fills in the Go version and platform of this binary.
func NewBuildInfo(version, commit, date string) BuildInfo {
	return BuildInfo{
		Version:   version,
		Commit:    commit,
		Date:      date,
		GoVersion: runtime.Version(),
		Platform:  runtime.GOOS + "/" + runtime.GOARCH,
	}
}

// Factory carries the dependencies of every command. Internal packages get
// what they need from it as plain values (streams, an environment map, a
// directory), never from globals, so every behaviour is testable offline.
type Factory struct {
	IOStreams *iostreams.IOStreams
	// Env is a snapshot of the process environment. Commands read variables
	// from it, never from os.Getenv.
	Env   map[string]string
	Build BuildInfo
	// WorkDir is the process's working directory, the default for --dir.
	WorkDir string
	Now     func() time.Time
	// Prompter asks questions; check IOStreams.CanPrompt first.
	Prompter prompt.Prompter

	// Globals holds the persistent flags once cobra has parsed them.
	Globals Globals
}

// Globals are the flags every command accepts.
type Globals struct {
	Dir     string // project root
	Config  string // path to convex.json; empty means <Dir>/convex.json
	JSON    bool
	NoInput bool
	Verbose bool
	NoColor bool
}

// ProjectDir returns the absolute project root.
func (f *Factory) ProjectDir() string {
	dir := f.Globals.Dir
	if dir == "" {
		return f.WorkDir
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(f.WorkDir, dir)
	}
	return filepath.Clean(dir)
}

// ConfigPath returns the absolute path of convex.json and the name to show
// in messages: "convex.json" for the default, the path as given otherwise.
func (f *Factory) ConfigPath() (abs, display string) {
	if f.Globals.Config == "" {
		return filepath.Join(f.ProjectDir(), "convex.json"), "convex.json"
	}
	p := f.Globals.Config
	if !filepath.IsAbs(p) {
		p = filepath.Join(f.WorkDir, p)
	}
	return filepath.Clean(p), f.Globals.Config
}

// EnvTruthy reports whether an environment variable is set to a true-ish
// value ("1", "true", "yes", any case).
func (f *Factory) EnvTruthy(name string) bool {
	switch v := f.Env[name]; v {
	case "1", "true", "TRUE", "True", "yes", "YES", "Yes":
		return true
	}
	return false
}

// CIStep is what a command reports to GitHub Actions: annotations titled
// with the command's path ("convex-authkit config validate"), on stdout
// for people and on stderr with --json (the runner reads workflow commands
// from both, and stdout must stay one document), with file names resolved
// as this Factory names them; and the job summary file.
func (f *Factory) CIStep(commandPath string) ghactions.Step {
	e := ghactions.FromEnv(f.Env, f.WorkDir)
	w := f.IOStreams.Out
	if f.Globals.JSON {
		w = f.IOStreams.ErrOut
	}
	abs, name := f.ConfigPath()
	return ghactions.Step{
		Annotate:    ghactions.NewAnnotator(e, w, f.ProjectDir(), map[string]string{name: abs}, commandPath),
		SummaryPath: e.SummaryPath,
	}
}
