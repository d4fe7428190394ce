package cmd

import (
	"github.com/spf13/cobra"
)

const exitCodesHelp = `convex-authkit exits with one of these codes, so scripts and CI can branch on
the outcome:

  0  success
  1  failure: a network or WorkOS API error, or a check that failed or could
     not run
  2  cancelled: by the user, or by SIGINT (Ctrl-C) or SIGTERM (a cancelled CI
     job), after reporting what was and was not applied; a second signal
     exits 2 at once. Or (with --detailed-exitcode) changes are pending
  3  usage or configuration error: a bad flag or argument, an invalid
     convex.json, an unresolved placeholder, an unreadable dotenv file;
     nothing was changed
  4  WorkOS authentication: the API key is missing or was rejected (doctor
     reports that as a failed check, workos.api-key, and exits 1)

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
