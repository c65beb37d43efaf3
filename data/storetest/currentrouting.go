package storetest

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/data"
)

// testCurrentRouting: under data.RequireCurrentRouting a report routed on
// an older revision than the store's latest is refused (nothing written,
// a *StaleRoutingError naming the first such report of a batch); routed
// on the latest it is written; without the requirement the store writes
// what it is given.
func testCurrentRouting(t *testing.T, s data.Store) {
	load(t, s)
	cur, err := s.CurrentRevision(ctx(t))
	must(t, err)
	req := data.RequireCurrentRouting(ctx(t))
	count := func() int {
		t.Helper()
		_, n, err := s.ListReports(ctx(t), data.ReportQuery{})
		must(t, err)
		return n
	}
	before := count()
	stale := func(err error, index int, routed int64) {
		t.Helper()
		var se *data.StaleRoutingError
		if !errors.As(err, &se) || !errors.Is(err, data.ErrConflict) || se.Index != index || se.Routed != routed || se.Current != cur {
			t.Fatalf("err = %v (%T), want a *StaleRoutingError for item %d routed on %d, current %d", err, err, index, routed, cur)
		}
		if n := count(); n != before {
			t.Fatalf("%d reports after a refused write, want %d", n, before)
		}
	}
	r := fullReport()
	r.IdempotencyKey, r.DuplicateOf = "", 0
	r.Routing.Revision = cur - 1
	_, err = s.CreateReport(req, &r, data.Event{At: r.CreatedAt})
	stale(err, 0, cur-1)

	batch := []data.Report{fullReport(), fullReport(), fullReport()}
	for i := range batch {
		batch[i].IdempotencyKey, batch[i].DuplicateOf = "", 0
		batch[i].Routing.Revision = cur
	}
	batch[2].Routing.Revision = 0
	stale(s.CreateReports(req, batch), 2, 0)

	batch[2].Routing.Revision = cur
	must(t, s.CreateReports(req, batch))
	r.Routing.Revision = cur
	created, err := s.CreateReport(req, &r, data.Event{At: r.CreatedAt})
	must(t, err)
	if !created || r.ID == 0 {
		t.Fatalf("a report routed on the latest revision was not created (%v, id %d)", created, r.ID)
	}
	old := fullReport()
	old.IdempotencyKey, old.Routing.Revision = "", 1
	if _, err := s.CreateReport(ctx(t), &old, data.Event{At: old.CreatedAt}); err != nil {
		t.Fatalf("without RequireCurrentRouting: %v", err)
	}
	if n := count(); n != before+5 {
		t.Fatalf("%d reports, want %d", n, before+5)
	}
}

// testNoStaleRouting races intake against boundary edits. Every edit
// moves the G1|G2 edge across the intake point, so it reroutes every open
// case there (to the other grid, with its revision); intake routes each
// case on the revision it read just before, and retries when the store
// refuses it as stale. A case written on revision R after revision R+1
// had committed would keep R's grid — the later edits, which put it back
// in that grid, would leave it there at R. So at the end every open case
// at the point must carry the last revision and its grid.
func testNoStaleRouting(t *testing.T, s data.Store) {
	load(t, s)
	rev0, err := s.CurrentRevision(ctx(t))
	must(t, err)
	pt := orb.Point{120.6, 36.5} // G1 when the edge is at 120.75, G2 when at 120.5 (the fixture's)
	var (
		mu  sync.Mutex
		pos = map[int64]float64{rev0: 120.5}
	)
	const edits = 12
	ctx := ctx(t)
	var stop atomic.Bool // not a cancelled context: a write it cuts short may still commit
	var wg sync.WaitGroup
	var written, refused int
	intakeErr := make(chan error, 2)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				cur, err := s.CurrentRevision(ctx)
				if err != nil {
					intakeErr <- err
					return
				}
				mu.Lock()
				x, ok := pos[cur]
				mu.Unlock()
				if !ok { // the edit's goroutine has not recorded it yet
					time.Sleep(time.Millisecond)
					continue
				}
				_, routeOf := edgeAt(x)
				r := fullReport()
				r.IdempotencyKey, r.DuplicateOf, r.Location = "", 0, pt
				r.Routing = routeOf(pt)
				r.Routing.Revision = cur
				_, err = s.CreateReport(data.RequireCurrentRouting(ctx), &r, data.Event{At: r.CreatedAt})
				var se *data.StaleRoutingError
				mu.Lock()
				switch {
				case err == nil:
					written++
				case errors.As(err, &se):
					refused++
				default:
					intakeErr <- err
					mu.Unlock()
					return
				}
				mu.Unlock()
			}
		}()
	}
	base := rev0
	var x float64
	for k := 1; k <= edits; k++ {
		x = []float64{120.5, 120.75}[k%2]
		gridOf, routeOf := edgeAt(x)
		rev, _, err := s.ReviseGrids(ctx, data.GridEdit{
			Base: base, Note: fmt.Sprintf("edge to %v", x), Author: "planner", ActorID: 3, GridOf: gridOf, RouteOf: routeOf,
			Put: []data.Area{
				{Code: codeG1, Level: data.LevelGrid, Name: "G1", ParentCode: codeC1, Geom: rect(120, 36, x, 37)},
				{Code: codeG2, Level: data.LevelGrid, Name: "G2", ParentCode: codeC1, Geom: rect(x, 36, 121, 37)},
			},
		})
		must(t, err)
		mu.Lock()
		pos[rev.ID] = x
		mu.Unlock()
		base = rev.ID
		time.Sleep(20 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	select {
	case err := <-intakeErr:
		t.Fatal(err)
	default:
	}
	_, routeOf := edgeAt(x)
	want := routeOf(pt).GridCode
	rs, _, err := s.ListReports(ctx, data.ReportQuery{Open: true, Limit: 100000})
	must(t, err)
	n := 0
	for _, r := range rs {
		if r.Location != pt {
			continue
		}
		n++
		if r.Routing.Revision != base || r.Routing.GridCode != want {
			t.Errorf("case %d: routed to %s on revision %d, want %s on %d (the last edit)", r.ID, r.Routing.GridCode, r.Routing.Revision, want, base)
		}
	}
	if n != written || n == 0 {
		t.Fatalf("%d open cases at the point, %d written", n, written)
	}
	t.Logf("%d edits, %d cases written, %d refused as routed on an older revision", edits, written, refused)
}
