// Command gendocs writes what is generated from the cobra command tree: the
// Markdown command reference committed under docs/reference, and the man
// pages and shell completions that the release puts in every archive. One
// tree feeds --help, the reference, the man pages and the completions, so
// they cannot say different things.
//
//	go run ./tools/gendocs -reference docs/reference
//	go run ./tools/gendocs -man DIR -completions DIR -version 1.2.3 -date 2026-01-02T03:04:05Z
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/convex-authkit/convex-authkit/cmd"
	"github.com/convex-authkit/convex-authkit/internal/atomicfile"
	"github.com/convex-authkit/convex-authkit/internal/cmdutil"
	"github.com/convex-authkit/convex-authkit/internal/iostreams"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("gendocs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	reference := fs.String("reference", "", "write the Markdown command reference into `DIR` (replacing its .md files)")
	man := fs.String("man", "", "write man pages into `DIR`")
	completions := fs.String("completions", "", "write bash, zsh, fish and PowerShell completions into `DIR`")
	version := fs.String("version", "", "version named in the man pages' footer")
	date := fs.String("date", "", "RFC 3339 date in the man pages' footer (a release passes the commit date, so rebuilds are identical)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *reference == "" && *man == "" && *completions == "" {
		return errors.New("usage: gendocs [-reference DIR] [-man DIR -version V -date D] [-completions DIR]")
	}
	if *reference != "" {
		if err := writeReference(*reference); err != nil {
			return err
		}
	}
	if *man != "" {
		if *version == "" || *date == "" {
			return errors.New("-man needs -version and -date")
		}
		d, err := time.Parse(time.RFC3339, *date)
		if err != nil {
			return fmt.Errorf("-date: %w", err)
		}
		if err := writeMan(*man, *version, d); err != nil {
			return err
		}
	}
	if *completions != "" {
		if err := writeCompletions(*completions); err != nil {
			return err
		}
	}
	return nil
}

// tree builds the command tree as the binary does, plus the completion
// command cobra adds at run time, so the reference documents it too.
func tree() *cobra.Command {
	streams, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: streams, Env: map[string]string{}, Build: cmdutil.NewBuildInfo("dev", "unknown", "unknown"), WorkDir: "."}
	root := cmd.NewCmdRoot(f)
	root.InitDefaultCompletionCmd()
	// The generated files must not depend on when they were made.
	root.DisableAutoGenTag = true
	verbatim(root)
	return root
}

// verbatim fences every long description: it is plain text laid out for a
// terminal, and read as Markdown (by the reference's renderer and by
// md2man for the man pages) its "+ redirect URI" plan lines would turn into
// bullets and WORKOS_CLIENT_ID into italics.
func verbatim(c *cobra.Command) {
	if c.Long != "" {
		c.Long = "```\n" + strings.TrimRight(c.Long, "\n") + "\n```\n"
	}
	for _, sub := range c.Commands() {
		verbatim(sub)
	}
}

// referencePages renders the Markdown reference, one page per command,
// keyed by file name; the names match the links cobra writes between pages.
func referencePages() (map[string][]byte, error) {
	return pages(tree(), "_", ".md", func(c *cobra.Command, w io.Writer) error {
		return doc.GenMarkdownCustom(c, w, func(link string) string { return link })
	})
}

// manPages renders one man page per command, named as GenManTree names them.
func manPages(version string, date time.Time) (map[string][]byte, error) {
	header := &doc.GenManHeader{
		Title:   "CONVEX-AUTHKIT",
		Section: "1",
		Date:    &date,
		Source:  "convex-authkit " + version,
		Manual:  "convex-authkit manual",
	}
	return pages(tree(), "-", ".1", func(c *cobra.Command, w io.Writer) error {
		// GenMan fills unset header fields in place: give each page a copy.
		h := *header
		return doc.GenMan(c, &h, w)
	})
}

// pages renders every command a user can run, and the help topics such as
// exit-codes (which cobra's own tree writers skip), into files named after
// the command path joined by sep.
func pages(root *cobra.Command, sep, ext string, render func(*cobra.Command, io.Writer) error) (map[string][]byte, error) {
	out := map[string][]byte{}
	var walk func(c *cobra.Command) error
	walk = func(c *cobra.Command) error {
		if c.HasParent() && !c.IsAvailableCommand() && !c.IsAdditionalHelpTopicCommand() {
			return nil
		}
		var b bytes.Buffer
		if err := render(c, &b); err != nil {
			return fmt.Errorf("%s: %w", c.CommandPath(), err)
		}
		out[strings.ReplaceAll(c.CommandPath(), " ", sep)+ext] = b.Bytes()
		for _, sub := range c.Commands() {
			if err := walk(sub); err != nil {
				return err
			}
		}
		return nil
	}
	return out, walk(root)
}

func writeReference(dir string) error {
	files, err := referencePages()
	if err != nil {
		return err
	}
	return writeFiles(dir, files, "*.md")
}

func writeMan(dir, version string, date time.Time) error {
	files, err := manPages(version, date)
	if err != nil {
		return err
	}
	return writeFiles(dir, files, "*.1")
}

// writeFiles writes files into dir, each whole or not at all, and removes
// the files matching stale that it did not write, so the page of a removed
// command does not linger.
func writeFiles(dir string, files map[string][]byte, stale string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if stale != "" {
		old, err := filepath.Glob(filepath.Join(dir, stale))
		if err != nil {
			return err
		}
		for _, p := range old {
			if _, keep := files[filepath.Base(p)]; !keep {
				if err := os.Remove(p); err != nil {
					return err
				}
			}
		}
	}
	for name, b := range files {
		if err := atomicfile.Write(filepath.Join(dir, name), b); err != nil {
			return err
		}
	}
	return nil
}

// completionFiles maps each file to its generator, named as shells and
// package managers look for them.
var completionFiles = map[string]func(*cobra.Command, io.Writer) error{
	"convex-authkit.bash": func(c *cobra.Command, w io.Writer) error { return c.GenBashCompletionV2(w, true) },
	"_convex-authkit":     func(c *cobra.Command, w io.Writer) error { return c.GenZshCompletion(w) },
	"convex-authkit.fish": func(c *cobra.Command, w io.Writer) error { return c.GenFishCompletion(w, true) },
	"convex-authkit.ps1":  func(c *cobra.Command, w io.Writer) error { return c.GenPowerShellCompletionWithDesc(w) },
}

func writeCompletions(dir string) error {
	root := tree()
	files := map[string][]byte{}
	for name, gen := range completionFiles {
		var b bytes.Buffer
		if err := gen(root, &b); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		files[name] = b.Bytes()
	}
	return writeFiles(dir, files, "")
}
