package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/data"
)

// edgeAt is the partition of the fixture with the G1|G2 edge at x: the
// grid and the routing of a point as the edited partition answers them.
func edgeAt(x float64) (gridOf func(orb.Point) string, routeOf func(orb.Point) data.Routing) {
	gridOf = func(pt orb.Point) string {
		switch {
		case pt[0] < 120 || pt[0] > 122 || pt[1] < 36 || pt[1] > 37:
			return ""
		case pt[0] < x:
			return codeG1
		case pt[0] < 121:
			return codeG2
		}
		return codeG3
	}
	routeOf = func(pt orb.Point) data.Routing {
		g := gridOf(pt)
		switch g {
		case codeG1, codeG2:
			return routed(g, codeC1)
		case codeG3:
			return routed(g, codeC2)
		}
		return data.Routing{Match: "outside"}
	}
	return gridOf, routeOf
}

// testReviseGrids: a planner's edit — a moved shared edge, then a merge —
// publishes one revision that re-links buildings and reroutes the open
// cases whose grid changed (with an event); a stale base, a removed grid
// that someone still serves, a bad parent or code, or a failing re-link
// write nothing.
func testReviseGrids(t *testing.T, s data.Store) {
	load(t, s)
	rev0, err := s.CurrentRevision(ctx(t))
	must(t, err)
	households := func(code string) int {
		t.Helper()
		a, err := s.GetArea(ctx(t), code)
		must(t, err)
		return a.Households
	}
	report := func(id int64) data.Report {
		t.Helper()
		r, err := s.GetReport(ctx(t), id)
		must(t, err)
		return r
	}
	unchanged := func(what string) {
		t.Helper()
		if rev, err := s.CurrentRevision(ctx(t)); err != nil || rev != rev0 {
			t.Fatalf("%s: revision %d (%v), want %d: nothing may be written", what, rev, err, rev0)
		}
		if g1, g2 := households(codeG1), households(codeG2); g1 != 150 || g2 != 200 {
			t.Fatalf("%s: households G1 %d, G2 %d, want 150, 200", what, g1, g2)
		}
		if r := report(4); r.Routing.GridCode != codeG2 {
			t.Fatalf("%s: R4 routed to %q, want G2", what, r.Routing.GridCode)
		}
		if a, err := s.GetArea(ctx(t), codeG1); err != nil || a.Geom.Bound() != rect(120, 36, 120.5, 37).Bound() {
			t.Fatalf("%s: G1 is %v (%v)", what, a.Geom.Bound(), err)
		}
	}
	gridOf, routeOf := edgeAt(120.75)
	moveEdge := data.GridEdit{
		Base: rev0, Note: "move the G1|G2 edge east", Author: "planner", ActorID: 3, GridOf: gridOf, RouteOf: routeOf,
		Put: []data.Area{
			{Code: codeG1, Level: data.LevelGrid, Name: "G1 east", ParentCode: codeC1, Geom: rect(120, 36, 120.75, 37)},
			{Code: codeG2, Level: data.LevelGrid, Name: "G2", ParentCode: codeC1, Geom: rect(120.75, 36, 121, 37)},
		},
	}

	// Refused edits write nothing.
	bad := func(what string, mod func(e *data.GridEdit), check func(err error)) {
		t.Helper()
		e := moveEdge
		e.Put = append([]data.Area(nil), moveEdge.Put...)
		mod(&e)
		_, _, err := s.ReviseGrids(ctx(t), e)
		if err == nil {
			t.Fatalf("%s: accepted", what)
		}
		check(err)
		unchanged(what)
	}
	bad("stale base", func(e *data.GridEdit) { e.Base = rev0 - 1 }, func(err error) {
		var se *data.StaleError
		if !errors.As(err, &se) || !errors.Is(err, data.ErrConflict) || se.Current != rev0 {
			t.Fatalf("stale base: %v (%T), want a *StaleError at %d", err, err, rev0)
		}
	})
	bad("parent a street", func(e *data.GridEdit) { e.Put[1].ParentCode = codeS1 }, func(err error) { wantValidation(t, err, 1) })
	bad("parent unknown", func(e *data.GridEdit) { e.Put[1].ParentCode = "999" }, func(err error) { wantValidation(t, err, 1) })
	bad("a community put", func(e *data.GridEdit) { e.Put[0].Level = data.LevelCommunity }, func(err error) { wantValidation(t, err, 0) })
	bad("a community's code put as a grid", func(e *data.GridEdit) { e.Put[1].Code = codeC2 }, func(err error) { wantValidation(t, err, 1) })
	bad("remove an unknown code", func(e *data.GridEdit) { e.Remove = []string{"370213009009009"} }, func(err error) { wantValidation(t, err, 2) })
	bad("remove a community", func(e *data.GridEdit) { e.Remove = []string{codeC2} }, func(err error) { wantValidation(t, err, 2) })
	bad("put and remove one code", func(e *data.GridEdit) { e.Remove = []string{codeG2} }, func(err error) { wantValidation(t, err, 2) })
	bad("nothing to change", func(e *data.GridEdit) { e.Put = nil }, func(err error) {
		if !errors.Is(err, data.ErrInvalid) {
			t.Fatalf("empty edit: %v", err)
		}
	})
	bad("a re-link to an unknown grid", func(e *data.GridEdit) {
		e.GridOf = func(pt orb.Point) string {
			if pt[0] > 124 {
				return "nope"
			}
			return gridOf(pt)
		}
	}, func(err error) { wantValidation(t, err, 4) })
	bad("remove a grid people serve", func(e *data.GridEdit) {
		e.Put = []data.Area{{Code: codeG1, Level: data.LevelGrid, Name: "G1", ParentCode: codeC1, Geom: rect(120, 36, 121, 37)}}
		e.Remove = []string{codeG2}
	}, func(err error) {
		var ae *data.AssignedError
		if !errors.As(err, &ae) || !errors.Is(err, data.ErrConflict) || len(ae.Holders) != 2 ||
			ae.Holders[0].Name != "P1" || ae.Holders[0].Role != data.RoleGridStaff || ae.Holders[1].Name != "P2" || ae.Holders[1].AreaCode != codeG2 ||
			!strings.Contains(err.Error(), "P2") {
			t.Fatalf("removing G2: %v (%T), want an *AssignedError naming P1 (staff) and P2 (leader)", err, err)
		}
	})

	// Move the shared edge: building "3 Mid Rd" (120.7) and R4 (open, at
	// 120.7) go to G1. R3 (open, at 120.7) was already routed to G1 and
	// stays; R5 (rejected) and the closed cases are not touched, nor is R8,
	// routed to C2 without a grid though the fixture's G3 covers it: the
	// edit leaves G3 alone.
	rev, eff, err := s.ReviseGrids(ctx(t), moveEdge)
	must(t, err)
	if rev.ID <= rev0 || rev.Note != moveEdge.Note || rev.Author != "planner" || rev.Grids != 3 {
		t.Fatalf("revision %+v after %d", rev, rev0)
	}
	if cur, err := s.CurrentRevision(ctx(t)); err != nil || cur != rev.ID {
		t.Fatalf("current revision %d (%v), want %d", cur, err, rev.ID)
	}
	if eff.Moved != 1 || len(eff.Rerouted) != 1 || eff.Rerouted[0].ReportID != 4 ||
		eff.Rerouted[0].From.GridCode != codeG2 || eff.Rerouted[0].To.GridCode != codeG1 || eff.Rerouted[0].To.Revision != rev.ID {
		t.Fatalf("effect %+v, want 1 building moved and R4 rerouted G2 → G1 at revision %d", eff, rev.ID)
	}
	if g1, g2, c1 := households(codeG1), households(codeG2), households(codeC1); g1 != 350 || g2 != 0 || c1 != 350 {
		t.Fatalf("households G1 %d, G2 %d, C1 %d; want 350, 0, 350", g1, g2, c1)
	}
	if g1, err := s.GetArea(ctx(t), codeG1); err != nil || g1.Name != "G1 east" || g1.Geom.Bound() != rect(120, 36, 120.75, 37).Bound() || g1.Revision != rev.ID {
		t.Fatalf("G1 after the edit: %+v, %v", g1, err)
	}
	if g3, err := s.GetArea(ctx(t), codeG3); err != nil || g3.Revision == rev.ID {
		t.Fatalf("G3, not in the edit, has revision %d (%v)", g3.Revision, err)
	}
	r4 := report(4)
	if r4.Routing.GridCode != codeG1 || r4.Routing.CommunityCode != codeC1 || r4.Routing.Revision != rev.ID || r4.Status != data.StatusReported {
		t.Fatalf("R4 after the edit: %+v, status %s", r4.Routing, r4.Status)
	}
	evs, err := s.Events(ctx(t), 4)
	must(t, err)
	last := evs[len(evs)-1]
	if last.Kind != "rerouted" || last.From != data.StatusReported || last.To != data.StatusReported || last.ActorID != 3 ||
		!strings.Contains(last.Reason, codeG2) || !strings.Contains(last.Reason, codeG1) {
		t.Fatalf("R4's last event: %+v, want a rerouted event naming G2 and G1", last)
	}
	if r3 := report(3); r3.Routing.Revision != 1 || r3.Routing.GridCode != codeG1 {
		t.Fatalf("R3 (its grid unchanged) was rewritten: %+v", r3.Routing)
	}
	if r5 := report(5); r5.Routing.GridCode != codeG2 {
		t.Fatalf("R5 (rejected) was rerouted: %+v", r5.Routing)
	}
	for _, id := range []int64{3, 5, 6, 7, 8} {
		evs, err := s.Events(ctx(t), id)
		must(t, err)
		for _, e := range evs {
			if e.Kind == "rerouted" {
				t.Fatalf("R%d got a rerouted event: %+v", id, e)
			}
		}
	}

	// The same edit again is stale now.
	if _, _, err := s.ReviseGrids(ctx(t), moveEdge); !errors.Is(err, data.ErrConflict) {
		t.Fatalf("an edit on the old base: %v, want ErrConflict", err)
	}

	// Merge: once G2's people hold other posts, G1 takes all of C1.
	p1, err := s.ListPeople(ctx(t), data.RoleGridStaff, codeG2)
	must(t, err)
	p2, err := s.ListPeople(ctx(t), data.RoleGridLeader, codeG2)
	must(t, err)
	must(t, s.SetAssignments(ctx(t), p1[0].ID, []data.Assignment{{Role: data.RoleGridLeader, AreaCode: codeG1}}))
	must(t, s.SetAssignments(ctx(t), p2[0].ID, []data.Assignment{{Role: data.RoleGridStaff, AreaCode: codeG1}}))
	base, err := s.CurrentRevision(ctx(t))
	must(t, err)
	gridOf, routeOf = edgeAt(121)
	rev2, eff, err := s.ReviseGrids(ctx(t), data.GridEdit{Base: base, Note: "merge G2 into G1", GridOf: gridOf, RouteOf: routeOf,
		Put:    []data.Area{{Code: codeG1, Level: data.LevelGrid, Name: "G1", ParentCode: codeC1, Geom: rect(120, 36, 121, 37)}},
		Remove: []string{codeG2}})
	must(t, err)
	if rev2.ID <= base || rev2.Grids != 2 || eff.Moved != 0 || len(eff.Rerouted) != 0 {
		t.Fatalf("merge: revision %+v (after %d), effect %+v", rev2, base, eff)
	}
	if _, err := s.GetArea(ctx(t), codeG2); !errors.Is(err, data.ErrNotFound) {
		t.Fatalf("G2 after the merge: %v, want ErrNotFound", err)
	}
	if g1 := households(codeG1); g1 != 350 {
		t.Fatalf("G1 after the merge holds %d households, want 350", g1)
	}
	// R5 (rejected) keeps its grid even though that grid is gone.
	if r5 := report(5); r5.Routing.GridCode != codeG2 {
		t.Fatalf("R5 (rejected) after the merge: %+v", r5.Routing)
	}
}

// testPartitionNear: the areas whose box meets the bound (edges count) and
// the people with a post in one of them, with all their posts.
func testPartitionNear(t *testing.T, s data.Store) {
	load(t, s)
	rev, err := s.CurrentRevision(ctx(t))
	must(t, err)
	p, err := s.PartitionNear(ctx(t), orb.Bound{Min: orb.Point{120, 36.1}, Max: orb.Point{120.4, 36.2}})
	must(t, err)
	if got := codes(p.Areas); !slices.Equal(got, []string{codeD, codeS1, codeC1, codeG1}) || p.Revision != rev {
		t.Fatalf("areas near G1's west: %v at revision %d; want D, S1, C1, G1 at %d", got, p.Revision, rev)
	}
	var names []string
	for _, q := range p.People {
		names = append(names, q.Name)
	}
	if !slices.Equal(names, []string{"P1", "P3"}) || len(p.People[0].Assignments) != 2 {
		t.Fatalf("people near G1's west: %v (%+v); want P1 with both posts, P3", names, p.People)
	}
	// A box touching G2's west edge takes G2 and its leader too.
	p, err = s.PartitionNear(ctx(t), orb.Bound{Min: orb.Point{120.4, 36.1}, Max: orb.Point{120.5, 36.2}})
	must(t, err)
	if got := codes(p.Areas); !slices.Contains(got, codeG2) || slices.Contains(got, codeG3) || len(p.People) != 3 {
		t.Fatalf("a box touching G2: %v, %d people", got, len(p.People))
	}
}

// testListBuildingsIn: the buildings whose point lies in the box, edges
// included, by id.
func testListBuildingsIn(t *testing.T, s data.Store) {
	load(t, s)
	bs, err := s.ListBuildingsIn(ctx(t), orb.Bound{Min: orb.Point{120.1, 36.1}, Max: orb.Point{120.7, 36.2}})
	must(t, err)
	var got []string
	for _, b := range bs {
		got = append(got, b.Address)
	}
	if !slices.Equal(got, []string{"1 West Rd", "2 West Rd", "3 Mid Rd"}) || bs[2].GridCode != codeG2 || bs[2].Households != 200 {
		t.Fatalf("buildings in the box: %v (%+v)", got, bs)
	}
}

// testPutAreasReroute: an import that replaces the partition reroutes, in
// its transaction, every open case whose place changes — R4 from G2 to G1
// (the G1|G2 edge moved east), R8 from C2's queue to G3, which covers it —
// each with a "rerouted" event; R3 and R7 (their grid unchanged) keep
// their routing, the closed cases and R5 (rejected) are not touched.
func testPutAreasReroute(t *testing.T, s data.Store) {
	load(t, s)
	areas := fixtureAreas()
	for i := range areas {
		switch areas[i].Code {
		case codeG1:
			areas[i].Geom = rect(120, 36, 120.75, 37)
		case codeG2:
			areas[i].Geom = rect(120.75, 36, 121, 37)
		}
	}
	gridOf, routeOf := edgeAt(120.75)
	rev, eff, err := s.PutAreasRelink(ctx(t), areas, true, "import redrawn.geojson", &data.Relink{GridOf: gridOf, RouteOf: routeOf, ActorID: 3})
	must(t, err)
	var got []string
	for _, r := range eff.Rerouted {
		got = append(got, fmt.Sprintf("R%d %s→%s@%d", r.ReportID, r.From.GridCode, r.To.GridCode, r.To.Revision))
	}
	want := []string{fmt.Sprintf("R4 %s→%s@%d", codeG2, codeG1, rev.ID), fmt.Sprintf("R8 →%s@%d", codeG3, rev.ID)}
	if !slices.Equal(got, want) || eff.Moved != 1 {
		t.Fatalf("rerouted %v, %d buildings moved; want %v, 1", got, eff.Moved, want)
	}
	for id, grid := range map[int64]string{3: codeG1, 4: codeG1, 5: codeG2, 7: codeG1, 8: codeG3} {
		r, err := s.GetReport(ctx(t), id)
		must(t, err)
		moved := id == 4 || id == 8
		if r.Routing.GridCode != grid || (r.Routing.Revision == rev.ID) != moved {
			t.Fatalf("R%d after the import: %+v, want %s (rerouted: %v)", id, r.Routing, grid, moved)
		}
		evs, err := s.Events(ctx(t), id)
		must(t, err)
		last := evs[len(evs)-1]
		if (last.Kind == "rerouted") != moved || moved && (last.ActorID != 3 || !strings.Contains(last.Reason, "import redrawn.geojson")) {
			t.Fatalf("R%d's last event: %+v", id, last)
		}
	}
}
