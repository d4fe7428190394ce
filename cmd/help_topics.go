package cmd

import (
	"github.com/spf13/cobra"
)

const exitCodesHelp = `convex-authkit exits with one of these codes, so scripts and CI can branch on
the outcome:

  0  success
  1  failure: a network, WorkOS or Convex deployment API error, a failed
     write, or a check that failed or could not run
  2  cancelled: by the user, or by SIGINT (Ctrl-C) or SIGTERM (a cancelled CI
     job), after reporting what was and was not applied; a second signal
     exits 2 at once. Or (with --detailed-exitcode) changes are pending
  3  usage or configuration error: a bad flag or argument, an invalid or
     misspelt convex.json section, an unresolved placeholder, a secret in a
     URL, a malformed deploy key, an unreadable, special or read-only file,
     a local/deployment mismatch; nothing was changed
  4  authentication: the WorkOS API key, or the Convex deployment's key, is
     missing or was rejected (doctor reports that as a failed check and
     exits 1)

With --json, a failing command still prints one JSON document on stdout:
{"schemaVersion":1,"error":{"code":N,"message":"...","hint":"...","problems":[...]}}
`

func newHelpTopics() []*cobra.Command {
	return []*cobra.Command{{
		Use:   "exit-codes",
		Short: "Exit codes and what they mean",
		Long:  exitCodesHelp,
		// A help topic: shown by `convex-authkit help exit-codes`, not runnable.
		Run: nil,
	}}
}
