package workflow_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/workflow"
	wt "github.com/wangge-dev/wangge/workflow/workflowtest"
)

// testCatchUp: with Config.CatchUp, a case routed on an older revision
// than the store's latest is not written as it is: intake catches up to
// the revision the store names, routes again and writes the case on the
// latest revision — one case (Submit) or a batch (SubmitBatch). When
// catching up fails nothing is written.
func testCatchUp(t *testing.T, e *env) {
	cur, err := e.store.CurrentRevision(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var at atomic.Int64 // the revision the route function answers on
	var calls atomic.Int32
	var fail atomic.Bool
	route := func(lon, lat float64) data.Routing { r := wt.Route(lon, lat); r.Revision = at.Load(); return r }
	svc := workflow.New(e.store, route, e.clock.Now, workflow.Config{CatchUp: func(ctx context.Context, rev int64) error {
		calls.Add(1)
		if fail.Load() {
			return errors.New("index build failed")
		}
		if rev != cur {
			t.Errorf("CatchUp(%d), want the store's %d", rev, cur)
		}
		at.Store(rev)
		return nil
	}})
	count := func() int {
		t.Helper()
		_, n, err := e.store.ListReports(e.ctx, data.ReportQuery{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	at.Store(cur - 1)
	r, _, err := svc.Submit(e.ctx, e.p(wt.Staff1), workflow.Intake{Category: "other", Description: "routed stale first", Location: pt(120.1, 36.5)})
	if err != nil || r.Routing.Revision != cur || calls.Load() != 1 {
		t.Fatalf("Submit: revision %d (%v) after %d catch-ups, want %d after 1", r.Routing.Revision, err, calls.Load(), cur)
	}
	if got, err := e.store.GetReport(e.ctx, r.ID); err != nil || got.Routing.Revision != cur {
		t.Fatalf("stored case %d routed on %d (%v), want %d", r.ID, got.Routing.Revision, err, cur)
	}

	at.Store(cur - 1)
	ins := []workflow.Intake{
		{Category: "other", Description: "a", Location: pt(120.1, 36.5)},
		{Category: "other", Description: "b", Location: pt(120.3, 36.5)},
	}
	rs, err := svc.SubmitBatch(e.ctx, e.p(wt.CC), ins)
	if err != nil || calls.Load() != 2 {
		t.Fatalf("SubmitBatch: %v after %d catch-ups, want 2", err, calls.Load())
	}
	for _, r := range rs {
		if r.Routing.Revision != cur {
			t.Fatalf("batch case %d routed on %d, want %d", r.ID, r.Routing.Revision, cur)
		}
	}

	at.Store(cur - 1)
	fail.Store(true)
	before := count()
	if _, _, err := svc.Submit(e.ctx, e.p(wt.Staff1), workflow.Intake{Category: "other", Description: "cannot catch up", Location: pt(120.1, 36.5)}); !errors.Is(err, workflow.ErrRoutingBehind) {
		t.Fatalf("Submit when catching up failed: %v, want ErrRoutingBehind", err)
	}
	if _, err := svc.SubmitBatch(e.ctx, e.p(wt.CC), ins); !errors.Is(err, workflow.ErrRoutingBehind) {
		t.Fatalf("SubmitBatch when catching up failed: %v, want ErrRoutingBehind", err)
	}
	// Revisions published faster than intake catches up: it gives up.
	fail.Store(false)
	svc = workflow.New(e.store, route, e.clock.Now, workflow.Config{CatchUp: func(ctx context.Context, rev int64) error {
		at.Store(rev - 1) // never quite there
		return nil
	}})
	if _, _, err := svc.Submit(e.ctx, e.p(wt.Staff1), workflow.Intake{Category: "other", Description: "always behind", Location: pt(120.1, 36.5)}); !errors.Is(err, workflow.ErrRoutingBehind) {
		t.Fatalf("Submit always behind: %v, want ErrRoutingBehind", err)
	}
	if n := count(); n != before {
		t.Fatalf("%d cases after failed catch-ups, want %d", n, before)
	}
}
