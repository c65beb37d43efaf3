package data

import (
	"context"
	"fmt"
)

// Routing that is current when it is committed. A server routes a new case
// with the routing index of the revision it last loaded; a revision
// published a moment earlier (a boundary edit, an import, a new grid
// leader) reaches the index only when the reload after its commit is done,
// up to a second later. A case created in that window would keep the old
// routing for good: the edit's transaction rerouted the open cases that
// existed when it ran, not this one. Under RequireCurrentRouting the store
// closes the window: CreateReport and CreateReports compare every
// report's Routing.Revision with the latest revision in the same
// transaction that writes them — serialised against every transaction
// that publishes a revision — and refuse with a *StaleRoutingError
// (nothing written) when a later revision has committed; the caller
// brings its index up to date, routes again and retries
// (workflow.Config.CatchUp).

type currentRoutingKey struct{}

// RequireCurrentRouting returns a context under which Store.CreateReport
// and Store.CreateReports refuse reports routed on an older revision than
// the store's latest (*StaleRoutingError).
func RequireCurrentRouting(ctx context.Context) context.Context {
	return context.WithValue(ctx, currentRoutingKey{}, true)
}

// CurrentRoutingRequired reports whether ctx came from RequireCurrentRouting.
func CurrentRoutingRequired(ctx context.Context) bool {
	v, _ := ctx.Value(currentRoutingKey{}).(bool)
	return v
}

// StaleRoutingError: a report was routed on revision Routed, but revision
// Current has been published since. Nothing was written.
type StaleRoutingError struct {
	Index           int // the first such report's position in the batch (0 for CreateReport)
	Routed, Current int64
}

func (e *StaleRoutingError) Error() string {
	return fmt.Sprintf("report %d was routed on partition revision %d, but revision %d has been published since: route it again", e.Index, e.Routed, e.Current)
}

func (e *StaleRoutingError) Unwrap() error { return ErrConflict }

// CheckRoutingCurrent is the stores' test: under RequireCurrentRouting, a
// *StaleRoutingError for the first report routed before revision current.
func CheckRoutingCurrent(ctx context.Context, rs []Report, current int64) error {
	if !CurrentRoutingRequired(ctx) {
		return nil
	}
	for i := range rs {
		if rs[i].Routing.Revision < current {
			return &StaleRoutingError{Index: i, Routed: rs[i].Routing.Revision, Current: current}
		}
	}
	return nil
}
