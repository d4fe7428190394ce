package apply

import (
	"context"
	"errors"

	"github.com/convex-authkit/convex-authkit/internal/deployment"
)

// DeploymentVariable is the resource of a WORKOS_* variable put on the
// Convex deployment.
const DeploymentVariable = "deployment_variable"

// VariableItems are the plan lines of the deployment's variables: add what
// it lacks, replace (only under --overwrite-deployment-vars) what differs.
// Value is what output may show: the API key masked.
func VariableItems(vars []deployment.VarChange) []Item {
	items := make([]Item, 0, len(vars))
	for _, v := range vars {
		action := ActionAdd
		if v.Replace {
			action = ActionReplace
		}
		items = append(items, Item{Resource: DeploymentVariable, Action: action, Name: v.Name, Value: v.Shown})
	}
	return items
}

// WriteVariables puts vars on the deployment in one update, which the
// deployment applies as one transaction: every variable shares its
// outcome.
func WriteVariables(ctx context.Context, att *deployment.Attached, vars []deployment.VarChange) []Result {
	if len(vars) == 0 {
		return nil
	}
	err := att.Deployment.UpdateEnv(ctx, deployment.Changes(vars))
	results := make([]Result, len(vars))
	for i, v := range vars {
		r := Result{Resource: DeploymentVariable, Name: v.Name, Value: v.Shown, Status: StatusCreated, Outcome: OutcomeDone}
		if v.Replace {
			r.Status = StatusUpdated
		}
		if err != nil {
			r.Status, r.Outcome, r.Error, r.err = StatusFailed, writeOutcome(err), err.Error(), err
		}
		results[i] = r
	}
	return results
}

// writeOutcome classifies a failed update. A refusal (4xx) settles it; a
// 5xx, a lost answer or an answer that is not Convex's may come after the
// transaction committed. Bad input is caught before anything is sent.
func writeOutcome(err error) string {
	var ue *deployment.UsageError
	if errors.As(err, &ue) || errors.Is(err, context.Canceled) {
		return OutcomeNotSent
	}
	var de *deployment.Error
	if errors.As(err, &de) {
		switch de.Kind {
		case deployment.KindRefused, deployment.KindRejected:
			return OutcomeNotDone
		}
	}
	return OutcomeUnknown
}
