package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/data"
)

// Open returns a fresh, empty, migrated store for one subtest; it should
// register its own cleanup with t.Cleanup.
type Open func(t *testing.T) data.Store

// Run runs the whole contract against stores made by open, one fresh store
// per subtest.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s data.Store)
	}{
		{"Basics", testBasics},
		{"Categories", testCategories},
		{"PutAreasAndList", testPutAreasAndList},
		{"PutAreasAllOrNothing", testPutAreasAllOrNothing},
		{"PutAreasReplace", testPutAreasReplace},
		{"GeometryRoundTrip", testGeometryRoundTrip},
		{"Revisions", testRevisions},
		{"Buildings", testBuildings},
		{"RelinkBuildings", testRelinkBuildings},
		{"PutAreasRelink", testPutAreasRelink},
		{"PutAreasReroute", testPutAreasReroute},
		{"ReviseGrids", testReviseGrids},
		{"PartitionNear", testPartitionNear},
		{"ListBuildingsIn", testListBuildingsIn},
		{"People", testPeople},
		{"PeoplePublishRevisions", testPeoplePublishRevisions},
		{"SetAssignments", testSetAssignments},
		{"OneGridLeader", testOneGridLeader},
		{"Tokens", testTokens},
		{"CreateReport", testCreateReport},
		{"CreateReports", testCreateReports},
		{"CurrentRouting", testCurrentRouting},
		{"NoStaleRouting", testNoStaleRouting},
		{"UpdateReport", testUpdateReport},
		{"UpdateKeepsEscalation", testUpdateKeepsEscalation},
		{"UpdateKeepsReroute", testUpdateKeepsReroute},
		{"ListReports", testListReports},
		{"Heatmap", testHeatmap},
		{"AreaStats", testAreaStats},
		{"Load", testLoad},
		{"LoadConflict", testLoadConflict},
		{"Visits", testVisits},
		{"Partition", testPartition},
		{"Concurrent", testConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			tc.fn(t, s)
		})
	}
}

func ctx(t *testing.T) context.Context { return t.Context() }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantValidation checks err is a *data.ValidationError at index.
func wantValidation(t *testing.T, err error, index int) {
	t.Helper()
	var ve *data.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v (%T), want *data.ValidationError at %d", err, err, index)
	}
	if ve.Index != index {
		t.Fatalf("ValidationError.Index = %d (%v), want %d", ve.Index, ve, index)
	}
	if !errors.Is(err, data.ErrInvalid) {
		t.Fatalf("err %v does not unwrap to ErrInvalid", err)
	}
}

func codes(as []data.Area) []string {
	out := []string{}
	for _, a := range as {
		out = append(out, a.Code)
	}
	return out
}

func ids(rs []data.Report) []int64 {
	out := []int64{}
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func countAreas(t *testing.T, s data.Store) int {
	t.Helper()
	_, n, err := s.ListAreas(ctx(t), data.AreaQuery{})
	must(t, err)
	return n
}

func countRevisions(t *testing.T, s data.Store) int {
	t.Helper()
	rs, err := s.ListRevisions(ctx(t))
	must(t, err)
	return len(rs)
}

func putFixtureAreas(t *testing.T, s data.Store) data.Revision {
	t.Helper()
	rev, err := s.PutAreas(ctx(t), fixtureAreas(), false, "fixture")
	must(t, err)
	return rev
}

func load(t *testing.T, s data.Store) *data.Dataset {
	t.Helper()
	ds := fixture()
	_, err := s.Load(ctx(t), ds)
	must(t, err)
	return ds
}

// normTime drops what a store may not keep: sub-microsecond digits and the
// location (stores return UTC).
func normTime(t time.Time) time.Time { return time.UnixMicro(t.UnixMicro()).UTC() }

func normReport(r data.Report) data.Report {
	r.CreatedAt, r.UpdatedAt, r.DueAt = normTime(r.CreatedAt), normTime(r.UpdatedAt), normTime(r.DueAt)
	if r.ClosedAt != nil {
		c := normTime(*r.ClosedAt)
		r.ClosedAt = &c
	}
	if len(r.MediaURLs) == 0 {
		r.MediaURLs = nil
	}
	return r
}

func sameReport(t *testing.T, got, want data.Report) {
	t.Helper()
	g, w := normReport(got), normReport(want)
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("report differs:\n got  %+v\n want %+v", g, w)
	}
}

func testBasics(t *testing.T, s data.Store) {
	must(t, s.Ping(ctx(t)))
	if k := s.Kind(); k != "postgis" && k != "sqlite" {
		t.Errorf("Kind = %q", k)
	}
	must(t, s.Migrate(ctx(t))) // idempotent
	rev, err := s.CurrentRevision(ctx(t))
	must(t, err)
	if rev != 0 {
		t.Errorf("empty store: CurrentRevision = %d, want 0", rev)
	}
	if n := countRevisions(t, s); n != 0 {
		t.Errorf("empty store: %d revisions", n)
	}
	p, err := s.Partition(ctx(t))
	must(t, err)
	if p.Revision != 0 || len(p.Areas) != 0 || len(p.People) != 0 {
		t.Errorf("empty store: Partition = %+v", p)
	}
	if _, err := s.GetArea(ctx(t), "nope"); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("GetArea(nope) = %v, want ErrNotFound", err)
	}
	if _, err := s.GetReport(ctx(t), 42); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("GetReport(42) = %v, want ErrNotFound", err)
	}
	if _, err := s.GetPerson(ctx(t), 42); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("GetPerson(42) = %v, want ErrNotFound", err)
	}
	if _, err := s.Events(ctx(t), 42); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("Events(42) = %v, want ErrNotFound", err)
	}
}

func testCategories(t *testing.T, s data.Store) {
	got, err := s.Categories(ctx(t))
	must(t, err)
	want := append([]data.Category(nil), data.DefaultCategories...)
	sort.Slice(want, func(i, j int) bool { return want[i].Code < want[j].Code })
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Categories =\n %+v\nwant\n %+v", got, want)
	}
	must(t, s.Migrate(ctx(t)))
	again, err := s.Categories(ctx(t))
	must(t, err)
	if len(again) != len(want) {
		t.Fatalf("after a second Migrate: %d categories, want %d", len(again), len(want))
	}
}

func testPutAreasAndList(t *testing.T, s data.Store) {
	rev := putFixtureAreas(t, s)
	if rev.ID == 0 || rev.Grids != 3 || rev.Note != "fixture" {
		t.Fatalf("revision = %+v, want an id, 3 grids, note fixture", rev)
	}
	b := func(x0, y0, x1, y1 float64) *orb.Bound {
		return &orb.Bound{Min: orb.Point{x0, y0}, Max: orb.Point{x1, y1}}
	}
	cases := []struct {
		name  string
		q     data.AreaQuery
		want  []string
		total int
	}{
		{"all by code", data.AreaQuery{}, []string{codeD, codeS1, codeC1, codeG1, codeG2, codeS2, codeC2, codeG3}, 8},
		{"level grid", data.AreaQuery{Level: data.LevelGrid}, []string{codeG1, codeG2, codeG3}, 3},
		{"children of C1", data.AreaQuery{Parent: codeC1}, []string{codeG1, codeG2}, 2},
		{"codes", data.AreaQuery{Codes: []string{codeG3, codeS1, "missing"}}, []string{codeS1, codeG3}, 2},
		{"limit", data.AreaQuery{Level: data.LevelGrid, Limit: 2}, []string{codeG1, codeG2}, 3},
		{"offset", data.AreaQuery{Level: data.LevelGrid, Limit: 2, Offset: 2}, []string{codeG3}, 3},
		{"offset past end", data.AreaQuery{Level: data.LevelGrid, Offset: 5}, []string{}, 3},
		{"bbox inside G1", data.AreaQuery{Level: data.LevelGrid, BBox: b(120.1, 36.1, 120.2, 36.2)}, []string{codeG1}, 1},
		{"bbox touching the G1|G2 edge", data.AreaQuery{Level: data.LevelGrid, BBox: b(120.5, 36.5, 120.5, 36.5)}, []string{codeG1, codeG2}, 2},
		{"bbox just east of the edge", data.AreaQuery{Level: data.LevelGrid, BBox: b(120.5000001, 36.5, 120.6, 36.6)}, []string{codeG2}, 1},
		{"bbox north of the grids", data.AreaQuery{Level: data.LevelGrid, BBox: b(120, 37.5, 122, 37.9)}, []string{}, 0},
		{"bbox north, streets", data.AreaQuery{Level: data.LevelStreet, BBox: b(120, 37.5, 122, 37.9)}, []string{codeS1, codeS2}, 2},
		{"bbox far away", data.AreaQuery{BBox: b(0, 0, 1, 1)}, []string{}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, total, err := s.ListAreas(ctx(t), tc.q)
			must(t, err)
			if !reflect.DeepEqual(codes(got), tc.want) || total != tc.total {
				t.Fatalf("got %v total %d, want %v total %d", codes(got), total, tc.want, tc.total)
			}
		})
	}
	a, err := s.GetArea(ctx(t), codeG2)
	must(t, err)
	want := fixtureAreas()[1]
	want.Revision = rev.ID
	if !reflect.DeepEqual(a, want) {
		t.Fatalf("GetArea = %+v, want %+v", a, want)
	}
	d, err := s.GetArea(ctx(t), codeD)
	must(t, err)
	if d.ParentCode != "" || d.Level != data.LevelDistrict {
		t.Fatalf("district = %+v", d)
	}
}

func testPutAreasAllOrNothing(t *testing.T, s data.Store) {
	putFixtureAreas(t, s)
	beforeAreas, beforeRevs := countAreas(t, s), countRevisions(t, s)
	newGrid := func(code, parent string) data.Area {
		return data.Area{Code: code, Level: data.LevelGrid, Name: code, ParentCode: parent, Geom: rect(121.5, 37, 122, 37.5)}
	}
	cases := []struct {
		name  string
		areas []data.Area
		index int
	}{
		{"duplicate code in batch", []data.Area{newGrid("x1", codeC2), newGrid("x2", codeC2), newGrid("x1", codeC2)}, 2},
		{"code already stored", []data.Area{newGrid("x1", codeC2), newGrid(codeG2, codeC1)}, 1},
		{"missing parent", []data.Area{newGrid("x1", codeC2), newGrid("x2", "nope"), newGrid("x3", "nope2")}, 1},
		{"unknown level", []data.Area{newGrid("x1", codeC2), {Code: "x2", Level: "county", Geom: rect(0, 0, 1, 1)}}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.PutAreas(ctx(t), tc.areas, false, "bad")
			wantValidation(t, err, tc.index)
			if a, r := countAreas(t, s), countRevisions(t, s); a != beforeAreas || r != beforeRevs {
				t.Fatalf("store changed: %d areas %d revisions, want %d and %d", a, r, beforeAreas, beforeRevs)
			}
			if _, err := s.GetArea(ctx(t), "x1"); !errors.Is(err, data.ErrNotFound) {
				t.Fatalf("x1 was written: %v", err)
			}
		})
	}
	// A parent already stored is fine; so is one later in the batch.
	_, err := s.PutAreas(ctx(t), []data.Area{newGrid("x2", "x1c"), {Code: "x1c", Level: data.LevelCommunity, ParentCode: codeS2, Geom: rect(121, 37, 122, 38)}}, false, "ok")
	must(t, err)
	if n := countAreas(t, s); n != beforeAreas+2 {
		t.Fatalf("%d areas, want %d", n, beforeAreas+2)
	}
}

func testPutAreasReplace(t *testing.T, s data.Store) {
	putFixtureAreas(t, s)
	must(t, s.PutBuildings(ctx(t), fixtureBuildings()))
	// Redraw: G1 and G2 merge into one grid G12.
	areas := fixtureAreas()
	areas = append(areas[2:], data.Area{Code: "370213001001012", Level: data.LevelGrid, Name: "G12", ParentCode: codeC1, Geom: rect(120, 36, 121, 37), Households: 350})
	rev, err := s.PutAreas(ctx(t), areas, true, "merge G1 and G2")
	must(t, err)
	if rev.Grids != 2 {
		t.Fatalf("revision grids = %d, want 2", rev.Grids)
	}
	got, total, err := s.ListAreas(ctx(t), data.AreaQuery{Level: data.LevelGrid})
	must(t, err)
	if want := []string{"370213001001012", codeG3}; !reflect.DeepEqual(codes(got), want) || total != 2 {
		t.Fatalf("grids after replace = %v", codes(got))
	}
	for _, a := range got {
		if a.Revision != rev.ID {
			t.Errorf("area %s revision %d, want %d", a.Code, a.Revision, rev.ID)
		}
	}
	if got[0].Households != 350 {
		t.Errorf("households given to PutAreas not kept: %d", got[0].Households)
	}
	bs, err := s.ListBuildings(ctx(t), "")
	must(t, err)
	for _, b := range bs {
		if b.GridCode != "" {
			t.Errorf("building %d still linked to %s after replace", b.ID, b.GridCode)
		}
	}
	// A failing replace leaves the partition as it was.
	_, err = s.PutAreas(ctx(t), []data.Area{{Code: "y", Level: data.LevelGrid, ParentCode: "gone", Geom: rect(0, 0, 1, 1)}}, true, "bad")
	wantValidation(t, err, 0)
	if n := countAreas(t, s); n != 7 {
		t.Fatalf("failed replace changed the store: %d areas", n)
	}
}

func testGeometryRoundTrip(t *testing.T, s data.Store) {
	// Two parts, the first with a hole; coordinates with every bit of a
	// float64 in use.
	g := orb.MultiPolygon{
		{
			{{120.123456789012345, 36.1}, {120.98765432109877, 36.100000000000001}, {120.9, 36.98765432109876}, {120.1, 36.9}, {120.123456789012345, 36.1}},
			{{120.3, 36.3}, {120.3, 36.6}, {120.6000000000000001, 36.6}, {120.6, 36.3}, {120.3, 36.3}},
		},
		{
			{{121.1, 36.1}, {121.2, 36.1}, {121.2, 36.2}, {121.1, 36.1}},
		},
	}
	a := data.Area{Code: "rt", Level: data.LevelGrid, Name: "网格 round trip", Geom: g, Households: 7}
	rev, err := s.PutAreas(ctx(t), []data.Area{a}, false, "")
	must(t, err)
	got, err := s.GetArea(ctx(t), "rt")
	must(t, err)
	a.Revision = rev.ID
	if !reflect.DeepEqual(got, a) {
		t.Fatalf("round trip:\n got  %#v\n want %#v", got, a)
	}
}

func testRevisions(t *testing.T, s data.Store) {
	r1 := putFixtureAreas(t, s)
	r2, err := s.PutAreas(ctx(t), []data.Area{{Code: "g9", Level: data.LevelGrid, ParentCode: codeC2, Geom: rect(121, 37, 121.5, 37.5)}}, false, "one more")
	must(t, err)
	if r2.ID <= r1.ID || r2.Grids != 4 {
		t.Fatalf("second revision %+v after %+v", r2, r1)
	}
	cur, err := s.CurrentRevision(ctx(t))
	must(t, err)
	if cur != r2.ID {
		t.Fatalf("CurrentRevision = %d, want %d", cur, r2.ID)
	}
	list, err := s.ListRevisions(ctx(t))
	must(t, err)
	if len(list) != 2 || list[0].ID != r2.ID || list[1].ID != r1.ID || list[0].Note != "one more" || list[1].Grids != 3 {
		t.Fatalf("ListRevisions = %+v", list)
	}
	if list[0].CreatedAt.IsZero() {
		t.Fatal("revision without a time")
	}
	g1, err := s.GetArea(ctx(t), codeG1)
	must(t, err)
	if g1.Revision != r1.ID {
		t.Fatalf("G1 revision = %d, want %d (untouched by the second revision)", g1.Revision, r1.ID)
	}
}

func testBuildings(t *testing.T, s data.Store) {
	putFixtureAreas(t, s)
	bs := fixtureBuildings()
	must(t, s.PutBuildings(ctx(t), bs))
	for i, b := range bs {
		if b.ID == 0 || (i > 0 && b.ID <= bs[i-1].ID) {
			t.Fatalf("building IDs not set ascending: %+v", bs)
		}
	}
	for code, want := range fixtureHouseholds {
		a, err := s.GetArea(ctx(t), code)
		must(t, err)
		if a.Households != want {
			t.Errorf("%s households = %d, want %d", code, a.Households, want)
		}
	}
	got, err := s.ListBuildings(ctx(t), codeG1)
	must(t, err)
	if !reflect.DeepEqual(got, bs[:2]) {
		t.Fatalf("ListBuildings(G1) = %+v, want %+v", got, bs[:2])
	}
	all, err := s.ListBuildings(ctx(t), "")
	must(t, err)
	if !reflect.DeepEqual(all, bs) {
		t.Fatalf("ListBuildings() = %+v", all)
	}
	// A building in an unknown grid: nothing written.
	err = s.PutBuildings(ctx(t), []data.Building{{Point: orb.Point{120.1, 36.1}, Households: 5, GridCode: codeG1}, {Point: orb.Point{1, 1}, GridCode: "nope"}})
	wantValidation(t, err, 1)
	all, err = s.ListBuildings(ctx(t), "")
	must(t, err)
	if len(all) != len(bs) {
		t.Fatalf("failed PutBuildings wrote: %d buildings", len(all))
	}
	g1, err := s.GetArea(ctx(t), codeG1)
	must(t, err)
	if g1.Households != 150 {
		t.Fatalf("failed PutBuildings changed households: %d", g1.Households)
	}
	// More buildings add up.
	must(t, s.PutBuildings(ctx(t), []data.Building{{Point: orb.Point{121.9, 36.9}, Households: 25, GridCode: codeG3}}))
	d, err := s.GetArea(ctx(t), codeD)
	must(t, err)
	if d.Households != 675 {
		t.Fatalf("district households = %d, want 675", d.Households)
	}
}

func testPeople(t *testing.T, s data.Store) {
	people := fixturePeople()
	for i := range people {
		must(t, s.AddPerson(ctx(t), &people[i]))
		if people[i].ID == 0 {
			t.Fatal("AddPerson did not set ID")
		}
	}
	got, err := s.GetPerson(ctx(t), people[0].ID)
	must(t, err)
	if !reflect.DeepEqual(got, people[0]) {
		t.Fatalf("GetPerson = %+v, want %+v", got, people[0])
	}
	name := func(ps []data.Person) []string {
		out := []string{}
		for _, p := range ps {
			out = append(out, p.Name)
		}
		return out
	}
	cases := []struct {
		role data.Role
		area string
		want []string
	}{
		{data.RoleGridLeader, codeG1, []string{"P1"}},
		{data.RoleGridLeader, "", []string{"P1", "P2"}},
		{"", codeG2, []string{"P1", "P2"}},
		{data.RoleGridStaff, codeG2, []string{"P1"}},
		{data.RoleCommunityHead, codeC2, []string{}},
		{"", "", []string{"P1", "P2", "P3", "P4"}},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s@%s", tc.role, tc.area), func(t *testing.T) {
			ps, err := s.ListPeople(ctx(t), tc.role, tc.area)
			must(t, err)
			if !reflect.DeepEqual(name(ps), tc.want) {
				t.Fatalf("ListPeople = %v, want %v", name(ps), tc.want)
			}
			for _, p := range ps {
				if p.Name == "P1" && len(p.Assignments) != 2 {
					t.Fatalf("P1 listed with %d assignments, want all 2", len(p.Assignments))
				}
			}
		})
	}
	dup := data.Person{Name: "dup", Assignments: []data.Assignment{{Role: data.RoleGridStaff, AreaCode: codeG1}, {Role: data.RoleGridStaff, AreaCode: codeG1}}}
	if err := s.AddPerson(ctx(t), &dup); !errors.Is(err, data.ErrInvalid) {
		t.Fatalf("AddPerson with a repeated assignment = %v, want ErrInvalid", err)
	}
	all, err := s.ListPeople(ctx(t), "", "")
	must(t, err)
	if len(all) != 4 {
		t.Fatalf("failed AddPerson wrote a person: %v", name(all))
	}
}

// testPeoplePublishRevisions: adding a person routing answers name (a
// grid leader, deputy or community head) publishes a revision that
// listeners hear; other people publish none, nor does a failed add.
func testPeoplePublishRevisions(t *testing.T, s data.Store) {
	r1 := putFixtureAreas(t, s)
	n, ok := s.(data.Notifier)
	if !ok {
		t.Fatalf("%s store does not implement data.Notifier", s.Kind())
	}
	revs, err := n.Revisions(ctx(t))
	must(t, err)
	next := func() int64 {
		t.Helper()
		select {
		case id := <-revs:
			return id
		case <-time.After(10 * time.Second):
			t.Fatal("no revision announced within 10 s")
			return 0
		}
	}
	if id := next(); id != r1.ID {
		t.Fatalf("first announced revision %d, want the current %d", id, r1.ID)
	}
	current := func() int64 {
		t.Helper()
		id, err := s.CurrentRevision(ctx(t))
		must(t, err)
		return id
	}
	for _, p := range []data.Person{
		{Name: "nobody"},
		{Name: "staff", Assignments: []data.Assignment{{Role: data.RoleGridStaff, AreaCode: codeG2}, {Role: data.RolePlanner, AreaCode: codeD}}},
	} {
		must(t, s.AddPerson(ctx(t), &p))
		if id := current(); id != r1.ID {
			t.Fatalf("adding %s (no routed post) published revision %d", p.Name, id)
		}
	}
	bad := data.Person{Name: "bad", Assignments: []data.Assignment{{Role: data.RoleGridLeader, AreaCode: codeG3}, {Role: data.RoleGridLeader, AreaCode: codeG3}}}
	if err := s.AddPerson(ctx(t), &bad); !errors.Is(err, data.ErrInvalid) {
		t.Fatalf("AddPerson with a repeated post = %v, want ErrInvalid", err)
	}
	if id := current(); id != r1.ID {
		t.Fatalf("a failed AddPerson published revision %d", id)
	}
	lead := data.Person{Name: "New leader", Phone: "5", Assignments: []data.Assignment{
		{Role: data.RoleGridStaff, AreaCode: codeG1}, {Role: data.RoleGridLeader, AreaCode: codeG3}, {Role: data.RoleCommunityHead, AreaCode: codeC2}}}
	must(t, s.AddPerson(ctx(t), &lead))
	r2 := current()
	if r2 <= r1.ID {
		t.Fatalf("adding a grid leader left the revision at %d", r2)
	}
	if id := next(); id != r2 {
		t.Fatalf("announced %d after adding a grid leader, want %d", id, r2)
	}
	list, err := s.ListRevisions(ctx(t))
	must(t, err)
	if list[0].ID != r2 || list[0].Note != "people: New leader grid_leader "+codeG3+", community_head "+codeC2 || list[0].Grids != r1.Grids {
		t.Fatalf("the people revision is %+v (grids before: %d)", list[0], r1.Grids)
	}
	part, err := s.Partition(ctx(t))
	must(t, err)
	found := false
	for _, p := range part.People {
		found = found || p.ID == lead.ID && len(p.Assignments) == 3
	}
	if part.Revision != r2 || !found {
		t.Fatalf("Partition after the add: revision %d (want %d), new leader listed: %v", part.Revision, r2, found)
	}
	g3, err := s.GetArea(ctx(t), codeG3)
	must(t, err)
	if g3.Revision != r1.ID {
		t.Fatalf("G3 revision = %d, want %d: a people revision does not rewrite areas", g3.Revision, r1.ID)
	}
}

// testOneGridLeader: a grid has one leader. A second appointment — by
// AddPerson, by SetAssignments, or by appointments racing for a vacant
// grid — is ErrConflict naming the grid and its leader, and writes
// nothing; once the leader is relieved the post can be filled.
func testOneGridLeader(t *testing.T, s data.Store) {
	putFixtureAreas(t, s)
	lead := data.Person{Name: "Leader", Assignments: []data.Assignment{{Role: data.RoleGridLeader, AreaCode: codeG3}}}
	must(t, s.AddPerson(ctx(t), &lead))
	rev, err := s.CurrentRevision(ctx(t))
	must(t, err)
	wantTaken := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, data.ErrConflict) || !strings.Contains(err.Error(), codeG3) || !strings.Contains(err.Error(), "Leader (person "+fmt.Sprint(lead.ID)+")") {
			t.Fatalf("%s = %v, want ErrConflict naming grid %s and its leader", what, err, codeG3)
		}
	}
	second := data.Person{Name: "Second", Assignments: []data.Assignment{{Role: data.RoleGridStaff, AreaCode: codeG1}, {Role: data.RoleGridLeader, AreaCode: codeG3}}}
	wantTaken("AddPerson of a second leader", s.AddPerson(ctx(t), &second))
	staff := data.Person{Name: "Staff", Assignments: []data.Assignment{{Role: data.RoleGridStaff, AreaCode: codeG3}}}
	must(t, s.AddPerson(ctx(t), &staff))
	wantTaken("SetAssignments making a second leader", s.SetAssignments(ctx(t), staff.ID, []data.Assignment{{Role: data.RoleGridLeader, AreaCode: codeG3}}))
	got, err := s.GetPerson(ctx(t), staff.ID)
	must(t, err)
	if !reflect.DeepEqual(got.Assignments, staff.Assignments) {
		t.Fatalf("a refused SetAssignments changed the assignments to %+v", got.Assignments)
	}
	leaders, err := s.ListPeople(ctx(t), data.RoleGridLeader, codeG3)
	must(t, err)
	all, err := s.ListPeople(ctx(t), "", "")
	must(t, err)
	if cur, err := s.CurrentRevision(ctx(t)); err != nil || cur != rev || len(leaders) != 1 || len(all) != 2 {
		t.Fatalf("after the refusals: revision %d (want %d, %v), %d leaders of %s, %d people (want 1 and 2)", cur, rev, err, len(leaders), codeG3, len(all))
	}
	// Eight appointments race for the vacant grid G1: one wins.
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := data.Person{Name: fmt.Sprintf("racer %d", i), Assignments: []data.Assignment{{Role: data.RoleGridLeader, AreaCode: codeG1}}}
			errs[i] = s.AddPerson(ctx(t), &p)
		}()
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case errors.Is(err, data.ErrBusy):
			// the embedded store may give up waiting for its one writer
		case !errors.Is(err, data.ErrConflict) || !strings.Contains(err.Error(), codeG1):
			t.Fatalf("racer %d: %v, want nil or ErrConflict naming %s", i, err, codeG1)
		}
	}
	leaders, err = s.ListPeople(ctx(t), data.RoleGridLeader, codeG1)
	must(t, err)
	if won != 1 || len(leaders) != 1 {
		t.Fatalf("%d of %d racing appointments won, %d leaders of %s: want exactly one", won, n, len(leaders), codeG1)
	}
	// Relieved, the post can be filled.
	must(t, s.SetAssignments(ctx(t), lead.ID, nil))
	must(t, s.SetAssignments(ctx(t), staff.ID, []data.Assignment{{Role: data.RoleGridLeader, AreaCode: codeG3}}))
	leaders, err = s.ListPeople(ctx(t), data.RoleGridLeader, codeG3)
	must(t, err)
	if len(leaders) != 1 || leaders[0].ID != staff.ID {
		t.Fatalf("after relieving the leader, %s is led by %+v, want Staff", codeG3, leaders)
	}
}

// testSetAssignments: a person's roles are replaced whole; a change of
// routed posts publishes one revision, other changes none; an unknown
// person or a repeated role writes nothing.
func testSetAssignments(t *testing.T, s data.Store) {
	r1 := putFixtureAreas(t, s)
	p := data.Person{Name: "Lead", Assignments: []data.Assignment{{Role: data.RoleGridLeader, AreaCode: codeG1}}}
	must(t, s.AddPerson(ctx(t), &p))
	current := func() int64 {
		t.Helper()
		id, err := s.CurrentRevision(ctx(t))
		must(t, err)
		return id
	}
	r2 := current()
	if r2 <= r1.ID {
		t.Fatalf("adding a grid leader left revision %d", r2)
	}
	steps := []struct {
		as      []data.Assignment
		publish string // the new revision's note; "" = none
	}{
		{[]data.Assignment{{Role: data.RoleGridLeader, AreaCode: codeG1}, {Role: data.RoleGridStaff, AreaCode: codeG2}}, ""},
		{[]data.Assignment{{Role: data.RoleGridStaff, AreaCode: codeG2}, {Role: data.RoleDeputyLeader, AreaCode: codeG1}},
			"people: Lead grid_leader " + codeG1 + " → deputy_leader " + codeG1},
		{nil, "people: Lead deputy_leader " + codeG1 + " → none"},
		{[]data.Assignment{{Role: data.RoleVolunteer, AreaCode: codeG2}}, ""},
	}
	last := r2
	for i, st := range steps {
		must(t, s.SetAssignments(ctx(t), p.ID, st.as))
		got, err := s.GetPerson(ctx(t), p.ID)
		must(t, err)
		if len(got.Assignments) != len(st.as) || len(st.as) > 0 && !reflect.DeepEqual(got.Assignments, st.as) {
			t.Fatalf("step %d: assignments %+v, want %+v", i+1, got.Assignments, st.as)
		}
		cur := current()
		switch {
		case st.publish == "" && cur != last:
			t.Fatalf("step %d: published revision %d though no routed post changed", i+1, cur)
		case st.publish != "":
			list, err := s.ListRevisions(ctx(t))
			must(t, err)
			if cur <= last || list[0].ID != cur || list[0].Note != st.publish {
				t.Fatalf("step %d: revision %d (was %d), newest %+v; want note %q", i+1, cur, last, list[0], st.publish)
			}
		}
		last = cur
	}
	if err := s.SetAssignments(ctx(t), p.ID+1000, nil); !errors.Is(err, data.ErrNotFound) {
		t.Fatalf("SetAssignments of an unknown person = %v, want ErrNotFound", err)
	}
	dup := []data.Assignment{{Role: data.RoleGridLeader, AreaCode: codeG3}, {Role: data.RoleGridLeader, AreaCode: codeG3}}
	if err := s.SetAssignments(ctx(t), p.ID, dup); !errors.Is(err, data.ErrInvalid) {
		t.Fatalf("SetAssignments with a repeated role = %v, want ErrInvalid", err)
	}
	got, err := s.GetPerson(ctx(t), p.ID)
	must(t, err)
	if current() != last || len(got.Assignments) != 1 || got.Assignments[0].Role != data.RoleVolunteer {
		t.Fatalf("a refused SetAssignments wrote: revision %d (was %d), assignments %+v", current(), last, got.Assignments)
	}
}

func testTokens(t *testing.T, s data.Store) {
	p := fixturePeople()[0]
	must(t, s.AddPerson(ctx(t), &p))
	const h = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	must(t, s.PutToken(ctx(t), p.ID, h, "phone"))
	got, err := s.PersonByToken(ctx(t), h)
	must(t, err)
	if !reflect.DeepEqual(got, p) {
		t.Fatalf("PersonByToken = %+v, want %+v", got, p)
	}
	if err := s.PutToken(ctx(t), p.ID, h, "again"); !errors.Is(err, data.ErrConflict) {
		t.Fatalf("PutToken twice = %v, want ErrConflict", err)
	}
	if _, err := s.PersonByToken(ctx(t), "00"); !errors.Is(err, data.ErrNotFound) {
		t.Fatalf("PersonByToken(unknown) = %v, want ErrNotFound", err)
	}
	if err := s.PutToken(ctx(t), p.ID+100, "11", "x"); !errors.Is(err, data.ErrNotFound) {
		t.Fatalf("PutToken(unknown person) = %v, want ErrNotFound", err)
	}
}

func fullReport() data.Report {
	return data.Report{
		Category: "fire_equipment", Description: "灭火器缺失 on floor 3", Location: orb.Point{120.31415926535897, 36.27182818284590},
		Address: "5 Harbour Rd", MediaURLs: []string{"https://example.invalid/a.jpg", "b.jpg"}, Source: data.SourceOpen311,
		ReporterID: 7, ReporterName: "Ms Wang", ReporterPhone: "138", Status: data.StatusReported,
		Routing: data.Routing{GridCode: codeG1, CommunityCode: codeC1, StreetCode: codeS1, DistrictCode: codeD, LeaderID: 3,
			Match: "nearest", DistanceM: 12.5, Revision: 4},
		AssigneeID: 9, DuplicateOf: 2, Escalation: data.LevelCommunity,
		CreatedAt: time.Date(2026, 3, 1, 8, 0, 0, 123456000, time.UTC), UpdatedAt: time.Date(2026, 3, 1, 8, 0, 1, 0, time.UTC),
		DueAt:          time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC),
		IdempotencyKey: "key-1", RequestHash: "abc",
	}
}

func testCreateReport(t *testing.T, s data.Store) {
	r := fullReport()
	ev := data.Event{Kind: "created", To: data.StatusReported, ActorID: 7, At: r.CreatedAt, Data: map[string]any{"via": "open311"}}
	created, err := s.CreateReport(ctx(t), &r, ev)
	must(t, err)
	if !created || r.ID == 0 {
		t.Fatalf("created = %v, id = %d", created, r.ID)
	}
	got, err := s.GetReport(ctx(t), r.ID)
	must(t, err)
	sameReport(t, got, r)

	// The same key again: nothing written, the stored report returned.
	again := fullReport()
	again.Description = "a retry with another body"
	created, err = s.CreateReport(ctx(t), &again, ev)
	must(t, err)
	if created {
		t.Fatal("second CreateReport with the same key created a report")
	}
	sameReport(t, again, got)
	_, total, err := s.ListReports(ctx(t), data.ReportQuery{})
	must(t, err)
	if total != 1 {
		t.Fatalf("%d reports after a retried key, want 1", total)
	}
	evs, err := s.Events(ctx(t), r.ID)
	must(t, err)
	if len(evs) != 1 || evs[0].ReportID != r.ID || evs[0].Kind != "created" || evs[0].Data["via"] != "open311" || evs[0].ID == 0 {
		t.Fatalf("events = %+v", evs)
	}

	// Reports without a key never collide; closed_at and media round-trip empty.
	for range 2 {
		x := fullReport()
		x.IdempotencyKey, x.MediaURLs = "", nil
		created, err := s.CreateReport(ctx(t), &x, data.Event{At: x.CreatedAt})
		must(t, err)
		if !created {
			t.Fatal("report without key not created")
		}
		got, err := s.GetReport(ctx(t), x.ID)
		must(t, err)
		sameReport(t, got, x)
	}
}

func testCreateReports(t *testing.T, s data.Store) {
	rs := fixtureReports()
	rs[0].IdempotencyKey, rs[1].IdempotencyKey = "a", "b"
	must(t, s.CreateReports(ctx(t), rs))
	for i := range rs {
		if rs[i].ID == 0 || (i > 0 && rs[i].ID <= rs[i-1].ID) {
			t.Fatalf("IDs not set ascending: %v", ids(rs))
		}
		got, err := s.GetReport(ctx(t), rs[i].ID)
		must(t, err)
		sameReport(t, got, rs[i])
		evs, err := s.Events(ctx(t), rs[i].ID)
		must(t, err)
		if len(evs) != 1 || evs[0].Kind != "created" || evs[0].To != rs[i].Status || !evs[0].At.Equal(rs[i].CreatedAt) {
			t.Fatalf("events of %d = %+v", rs[i].ID, evs)
		}
	}
	cases := []struct {
		name  string
		keys  []string
		index int
	}{
		{"key repeated in batch", []string{"x", "", "y", "x"}, 3},
		{"key already stored", []string{"x", "y", "b"}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			batch := fixtureReports()[:len(tc.keys)]
			for i, k := range tc.keys {
				batch[i].IdempotencyKey = k
			}
			wantValidation(t, s.CreateReports(ctx(t), batch), tc.index)
			_, total, err := s.ListReports(ctx(t), data.ReportQuery{})
			must(t, err)
			if total != len(rs) {
				t.Fatalf("failed batch wrote: %d reports", total)
			}
		})
	}
}

func testUpdateReport(t *testing.T, s data.Store) {
	r := fullReport()
	_, err := s.CreateReport(ctx(t), &r, data.Event{Kind: "created", At: r.CreatedAt})
	must(t, err)
	upd := r
	upd.Status, upd.AssigneeID, upd.UpdatedAt = data.StatusAccepted, 11, r.CreatedAt.Add(time.Hour)
	upd.Routing.GridCode, upd.Description = codeG2, "rerouted"
	must(t, s.UpdateReport(ctx(t), &upd, data.GuardOf(&r), data.Event{Kind: "accepted", From: data.StatusReported, To: data.StatusAccepted, ActorID: 1, At: upd.UpdatedAt, Reason: "ok"}))
	got, err := s.GetReport(ctx(t), r.ID)
	must(t, err)
	sameReport(t, got, upd)

	// Stale expectation: ErrConflict, nothing written.
	stale := upd
	stale.Status = data.StatusRejected
	err = s.UpdateReport(ctx(t), &stale, data.Guard{Status: data.StatusReported, AssigneeID: upd.AssigneeID}, data.Event{Kind: "rejected", At: upd.UpdatedAt})
	if !errors.Is(err, data.ErrConflict) {
		t.Fatalf("stale UpdateReport = %v, want ErrConflict", err)
	}
	got, err = s.GetReport(ctx(t), r.ID)
	must(t, err)
	sameReport(t, got, upd)
	// Right status, other assignee (someone reassigned it meanwhile):
	// ErrConflict, nothing written.
	other := upd
	other.Description = "written by a writer that read assignee 12"
	err = s.UpdateReport(ctx(t), &other, data.Guard{Status: data.StatusAccepted, AssigneeID: 12}, data.Event{Kind: "note", At: upd.UpdatedAt})
	if !errors.Is(err, data.ErrConflict) {
		t.Fatalf("UpdateReport with another assignee = %v, want ErrConflict", err)
	}
	got, err = s.GetReport(ctx(t), r.ID)
	must(t, err)
	sameReport(t, got, upd)
	evs, err := s.Events(ctx(t), r.ID)
	must(t, err)
	if len(evs) != 2 || evs[1].Kind != "accepted" || evs[1].Reason != "ok" || evs[1].From != data.StatusReported {
		t.Fatalf("events = %+v", evs)
	}
	// Closing sets ClosedAt.
	closed := upd
	closed.Status, closed.ClosedAt = data.StatusClosed, ptr(upd.UpdatedAt.Add(time.Hour))
	must(t, s.UpdateReport(ctx(t), &closed, data.GuardOf(&upd), data.Event{Kind: "closed", At: *closed.ClosedAt}))
	got, err = s.GetReport(ctx(t), r.ID)
	must(t, err)
	sameReport(t, got, closed)

	missing := upd
	missing.ID = 9999
	if err := s.UpdateReport(ctx(t), &missing, data.GuardOf(&upd), data.Event{Kind: "x", At: t0}); !errors.Is(err, data.ErrNotFound) {
		t.Fatalf("UpdateReport(unknown) = %v, want ErrNotFound", err)
	}

	// EventsOf: the same logs as Events, for many reports in one call; a
	// report that does not exist is absent.
	batch := fixtureReports()[1:2]
	must(t, s.CreateReports(ctx(t), batch))
	got2, err := s.EventsOf(ctx(t), []int64{batch[0].ID, 9999, r.ID})
	must(t, err)
	var want []data.Event // by report id, each as Events gives it
	for _, id := range []int64{min(r.ID, batch[0].ID), max(r.ID, batch[0].ID)} {
		one, err := s.Events(ctx(t), id)
		must(t, err)
		want = append(want, one...)
	}
	if len(got2) != len(want) || len(want) != 4 {
		t.Fatalf("EventsOf returned %d events, Events %d (want 3 + 1)", len(got2), len(want))
	}
	for i := range want {
		if a, b := got2[i], want[i]; a.ID != b.ID || a.ReportID != b.ReportID || a.Kind != b.Kind || a.To != b.To || a.Reason != b.Reason || !a.At.Equal(b.At) {
			t.Fatalf("EventsOf[%d] = %+v, Events %+v", i, a, b)
		}
	}
	if none, err := s.EventsOf(ctx(t), nil); err != nil || len(none) != 0 {
		t.Fatalf("EventsOf(nil) = %v, %v", none, err)
	}
}

// testUpdateKeepsEscalation: the escalator raises a case while a
// transition holds a copy read before; the transition's write keeps the
// raised escalation (it never goes down) and tells the caller.
func testUpdateKeepsEscalation(t *testing.T, s data.Store) {
	r := fullReport()
	r.Escalation = ""
	_, err := s.CreateReport(ctx(t), &r, data.Event{Kind: "created", At: r.CreatedAt})
	must(t, err)
	stale := r // the transition's copy

	esc := r
	esc.Escalation, esc.UpdatedAt = data.LevelStreet, r.CreatedAt.Add(time.Hour)
	must(t, s.UpdateReport(ctx(t), &esc, data.GuardOf(&r), data.Event{Kind: "escalated", From: r.Status, To: r.Status, At: esc.UpdatedAt}))
	if esc.Escalation != data.LevelStreet {
		t.Fatalf("escalator's copy says %q after its write", esc.Escalation)
	}

	stale.Status, stale.UpdatedAt = data.StatusAccepted, r.CreatedAt.Add(2*time.Hour)
	must(t, s.UpdateReport(ctx(t), &stale, data.GuardOf(&r), data.Event{Kind: "accepted", From: r.Status, To: data.StatusAccepted, At: stale.UpdatedAt}))
	if stale.Escalation != data.LevelStreet {
		t.Fatalf("UpdateReport left the caller's escalation at %q, stored street", stale.Escalation)
	}
	got, err := s.GetReport(ctx(t), r.ID)
	must(t, err)
	if got.Escalation != data.LevelStreet || got.Status != data.StatusAccepted {
		t.Fatalf("stored escalation %q status %s, want street, accepted", got.Escalation, got.Status)
	}

	// Raising further still works; a lower level is ignored.
	up := got
	up.Escalation, up.UpdatedAt = data.LevelDistrict, r.CreatedAt.Add(3*time.Hour)
	must(t, s.UpdateReport(ctx(t), &up, data.GuardOf(&got), data.Event{Kind: "escalated", From: data.StatusAccepted, To: data.StatusAccepted, At: up.UpdatedAt}))
	down := up
	down.Escalation, down.UpdatedAt = data.LevelCommunity, r.CreatedAt.Add(4*time.Hour)
	must(t, s.UpdateReport(ctx(t), &down, data.GuardOf(&got), data.Event{Kind: "note", At: down.UpdatedAt}))
	got, err = s.GetReport(ctx(t), r.ID)
	must(t, err)
	if got.Escalation != data.LevelDistrict || down.Escalation != data.LevelDistrict {
		t.Fatalf("stored %q, caller %q, want district", got.Escalation, down.Escalation)
	}
}

// testUpdateKeepsReroute: a transition that read a case before a boundary
// revision rerouted it (routing of an older revision) does not put the
// old routing back; the caller's copy gets the stored routing.
func testUpdateKeepsReroute(t *testing.T, s data.Store) {
	r := fullReport()
	r.Routing = routed(codeG1, codeC1)
	_, err := s.CreateReport(ctx(t), &r, data.Event{Kind: "created", At: r.CreatedAt})
	must(t, err)
	stale := r // the transition's copy

	moved := r
	moved.Routing, moved.UpdatedAt = routed(codeG2, codeC1), r.CreatedAt.Add(time.Hour)
	moved.Routing.Revision = 5
	must(t, s.UpdateReport(ctx(t), &moved, data.GuardOf(&r), data.Event{Kind: "rerouted", From: r.Status, To: r.Status, At: moved.UpdatedAt}))

	stale.Status, stale.UpdatedAt = data.StatusAccepted, r.CreatedAt.Add(2*time.Hour)
	must(t, s.UpdateReport(ctx(t), &stale, data.GuardOf(&r), data.Event{Kind: "accepted", From: r.Status, To: data.StatusAccepted, At: stale.UpdatedAt}))
	if stale.Routing.GridCode != codeG2 || stale.Routing.Revision != 5 {
		t.Fatalf("UpdateReport left the caller's routing at %+v, stored G2 at revision 5", stale.Routing)
	}
	got, err := s.GetReport(ctx(t), r.ID)
	must(t, err)
	if got.Routing.GridCode != codeG2 || got.Routing.Revision != 5 || got.Status != data.StatusAccepted {
		t.Fatalf("stored routing %+v, status %s; want G2 at revision 5, accepted", got.Routing, got.Status)
	}
	// A routing of the same or a newer revision is written.
	again := got
	again.Routing = routed(codeG3, codeC2)
	again.Routing.Revision = 5
	must(t, s.UpdateReport(ctx(t), &again, data.GuardOf(&got), data.Event{Kind: "note", At: got.UpdatedAt}))
	if got, err = s.GetReport(ctx(t), r.ID); err != nil || got.Routing.GridCode != codeG3 || got.Routing.StreetCode != codeS2 {
		t.Fatalf("a routing of the stored revision was not written: %+v (%v)", got.Routing, err)
	}
	newer := got
	newer.Routing = routed(codeG1, codeC1)
	newer.Routing.Revision = 6
	must(t, s.UpdateReport(ctx(t), &newer, data.GuardOf(&got), data.Event{Kind: "note", At: got.UpdatedAt}))
	if got, err = s.GetReport(ctx(t), r.ID); err != nil || got.Routing != newer.Routing {
		t.Fatalf("a newer routing was not written: %+v, want %+v (%v)", got.Routing, newer.Routing, err)
	}
}

func testListReports(t *testing.T, s data.Store) {
	ds := load(t, s)
	rid := func(is ...int) []int64 { // R numbers → stored ids
		out := []int64{}
		for _, i := range is {
			out = append(out, ds.Reports[i-1].ID)
		}
		return out
	}
	b := func(x0, y0, x1, y1 float64) *orb.Bound {
		return &orb.Bound{Min: orb.Point{x0, y0}, Max: orb.Point{x1, y1}}
	}
	cases := []struct {
		name  string
		q     data.ReportQuery
		want  []int64
		total int
	}{
		{"all newest first", data.ReportQuery{}, rid(7, 8, 5, 4, 3, 2, 1, 6), 8},
		{"limit", data.ReportQuery{Limit: 3}, rid(7, 8, 5), 8},
		{"offset", data.ReportQuery{Limit: 3, Offset: 6}, rid(1, 6), 8},
		{"offset past end", data.ReportQuery{Offset: 10}, rid(), 8},
		{"ids", data.ReportQuery{IDs: rid(2, 4)}, rid(4, 2), 2},
		{"grid area", data.ReportQuery{Areas: []string{codeG2}}, rid(5, 4), 2},
		{"community area", data.ReportQuery{Areas: []string{codeC2}}, rid(8, 6), 2},
		{"grids", data.ReportQuery{Grids: []string{codeG2, codeG3}}, rid(5, 4, 6), 3},
		{"grids, not their community", data.ReportQuery{Grids: []string{codeC2}}, rid(), 0},
		{"street and grid", data.ReportQuery{Areas: []string{codeS2, codeG2}}, rid(8, 5, 4, 6), 4},
		{"district", data.ReportQuery{Areas: []string{codeD}, Limit: 1}, rid(7), 8},
		{"status", data.ReportQuery{Status: []data.Status{data.StatusClosed, data.StatusRejected}}, rid(5, 2, 1, 6), 4},
		{"category", data.ReportQuery{Category: []string{"facility_damage", "safety_hazard"}}, rid(2, 1, 6), 3},
		{"open", data.ReportQuery{Open: true}, rid(7, 8, 4, 3), 4},
		{"overdue scan", data.ReportQuery{Open: true, DueBefore: day(20)}, rid(8, 3), 2},
		{"window", data.ReportQuery{From: day(2), To: day(5)}, rid(4, 3, 2), 3},
		{"bbox", data.ReportQuery{BBox: b(120, 36, 120.5, 36.5)}, rid(7, 2, 1), 3},
		{"bbox edge inclusive", data.ReportQuery{BBox: b(120.7, 36.5, 121.5, 36.9)}, rid(5, 4, 6), 3},
		{"assignee", data.ReportQuery{Assignee: 5}, rid(), 0},
		{"combined", data.ReportQuery{Areas: []string{codeC1}, Open: true, From: day(0), To: day(30)}, rid(4, 3), 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, total, err := s.ListReports(ctx(t), tc.q)
			must(t, err)
			if !reflect.DeepEqual(ids(got), tc.want) || total != tc.total {
				t.Fatalf("got %v total %d, want %v total %d", ids(got), total, tc.want, tc.total)
			}
		})
	}
	// Assignee filter on a dispatched case.
	r := ds.Reports[2]
	upd := r
	upd.AssigneeID = 5
	must(t, s.UpdateReport(ctx(t), &upd, data.GuardOf(&r), data.Event{Kind: "note", At: day(3)}))
	got, _, err := s.ListReports(ctx(t), data.ReportQuery{Assignee: 5})
	must(t, err)
	if !reflect.DeepEqual(ids(got), []int64{r.ID}) {
		t.Fatalf("assignee 5: %v", ids(got))
	}
}

func testHeatmap(t *testing.T, s data.Store) {
	load(t, s)
	// Cell 0.5°: cell (i, j) has centre ((i+.5)/2, (j+.5)/2). By hand:
	// R1 R2 R7 → (240,72); R3 → (241,72); R4 R5 → (241,73); R8 → (242,72);
	// R6 at (121.5, 36.5) lies exactly on a cell corner → (243,73).
	c := func(i, j, n int) data.HeatCell {
		return data.HeatCell{Point: orb.Point{(float64(i) + 0.5) * 0.5, (float64(j) + 0.5) * 0.5}, Count: n}
	}
	cases := []struct {
		name string
		q    data.HeatmapQuery
		want []data.HeatCell
	}{
		{"all", data.HeatmapQuery{Cell: 0.5}, []data.HeatCell{c(240, 72, 3), c(241, 72, 1), c(241, 73, 2), c(242, 72, 1), c(243, 73, 1)}},
		{"window", data.HeatmapQuery{Cell: 0.5, From: day(0), To: day(30)}, []data.HeatCell{c(240, 72, 2), c(241, 72, 1), c(241, 73, 2), c(242, 72, 1)}},
		{"scope C1", data.HeatmapQuery{Cell: 0.5, Areas: []string{codeC1}}, []data.HeatCell{c(240, 72, 3), c(241, 72, 1), c(241, 73, 2)}},
		{"category", data.HeatmapQuery{Cell: 0.5, Category: []string{"facility_damage"}}, []data.HeatCell{c(240, 72, 2)}},
		{"bbox", data.HeatmapQuery{Cell: 0.5, BBox: &orb.Bound{Min: orb.Point{120, 36}, Max: orb.Point{120.5, 36.5}}}, []data.HeatCell{c(240, 72, 3)}},
		{"one big cell", data.HeatmapQuery{Cell: 10}, []data.HeatCell{{Point: orb.Point{125, 35}, Count: 8}}},
		{"nothing", data.HeatmapQuery{Cell: 0.5, Category: []string{"none"}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Heatmap(ctx(t), tc.q)
			must(t, err)
			if len(got) == 0 && len(tc.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %v\nwant %v", got, tc.want)
			}
		})
	}
	t.Run("negative coordinates", func(t *testing.T) {
		r := data.Report{Category: "other", Location: orb.Point{-0.1, -0.0}, Status: data.StatusReported, CreatedAt: day(100), UpdatedAt: day(100), DueAt: day(101)}
		_, err := s.CreateReport(ctx(t), &r, data.Event{At: day(100)})
		must(t, err)
		got, err := s.Heatmap(ctx(t), data.HeatmapQuery{Cell: 0.5, From: day(100)})
		must(t, err)
		if want := []data.HeatCell{{Point: orb.Point{-0.25, 0.25}, Count: 1}}; !reflect.DeepEqual(got, want) {
			t.Fatalf("got %v want %v", got, want)
		}
	})
	t.Run("bad cell", func(t *testing.T) {
		_, err := s.Heatmap(ctx(t), data.HeatmapQuery{})
		wantValidation(t, err, -1)
	})
}

func testAreaStats(t *testing.T, s data.Store) {
	load(t, s)
	now := day(20)
	st := func(code, name string, l data.Level, reports, open, overdue, closed, onTime int, median float64) data.AreaStat {
		return data.AreaStat{Code: code, Name: name, Level: l, Reports: reports, Open: open, Overdue: overdue, Closed: closed, ClosedOnTime: onTime, MedianCloseSec: median}
	}
	const dsec = 86400
	cases := []struct {
		name  string
		level data.Level
		want  []data.AreaStat
	}{
		// G1: R1 R2 R3 created; R3 open and overdue; R1 (1 d, on time) and R2
		// (3 d, late) closed → median 2 d. G2: R4 R5; R4 open, due d30. G3:
		// nothing created in the window, R6 closed in it after 11 d, late.
		{"grid", data.LevelGrid, []data.AreaStat{
			st(codeG1, "G1", data.LevelGrid, 3, 1, 1, 2, 1, 2*dsec),
			st(codeG2, "G2", data.LevelGrid, 2, 1, 0, 0, 0, 0),
			st(codeG3, "G3", data.LevelGrid, 0, 0, 0, 1, 0, 11*dsec),
		}},
		// C1 = G1 + G2; C2 adds R8 (no grid, open, due d7 → overdue).
		{"community", data.LevelCommunity, []data.AreaStat{
			st(codeC1, "C1", data.LevelCommunity, 5, 2, 1, 2, 1, 2*dsec),
			st(codeC2, "C2", data.LevelCommunity, 1, 1, 1, 1, 0, 11*dsec),
		}},
		// Closed durations 1, 3, 11 d → median 3 d.
		{"district", data.LevelDistrict, []data.AreaStat{
			st(codeD, "Licang", data.LevelDistrict, 6, 3, 2, 3, 1, 3*dsec),
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.AreaStats(ctx(t), tc.level, day(0), day(30), now)
			must(t, err)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
	t.Run("open-ended window", func(t *testing.T) {
		got, err := s.AreaStats(ctx(t), data.LevelGrid, time.Time{}, time.Time{}, now)
		must(t, err)
		// G1 now also counts R7 (open, due d41, not overdue at d20).
		if got[0].Reports != 4 || got[0].Open != 2 || got[2].Reports != 1 {
			t.Fatalf("got %+v", got)
		}
	})
}

func testLoad(t *testing.T, s data.Store) {
	ds := load(t, s)
	for i, p := range ds.People {
		if p.ID != int64(i+1) {
			t.Fatalf("People[%d].ID = %d, want %d", i, p.ID, i+1)
		}
	}
	for i, b := range ds.Buildings {
		if b.ID != int64(i+1) {
			t.Fatalf("Buildings[%d].ID = %d, want %d", i, b.ID, i+1)
		}
	}
	want := fixture()
	for i := range ds.Reports {
		if ds.Reports[i].ID != int64(i+1) {
			t.Fatalf("Reports[%d].ID = %d, want %d", i, ds.Reports[i].ID, i+1)
		}
		got, err := s.GetReport(ctx(t), int64(i+1))
		must(t, err)
		w := want.Reports[i]
		w.ID = int64(i + 1)
		sameReport(t, got, w)
	}
	p1, err := s.GetPerson(ctx(t), 1)
	must(t, err)
	if p1.Name != "P1" || len(p1.Assignments) != 2 {
		t.Fatalf("person 1 = %+v", p1)
	}
	evs, err := s.Events(ctx(t), 1)
	must(t, err)
	if len(evs) != 2 || evs[0].Kind != "created" || evs[1].Kind != "closed" || evs[1].Data["photo"] != "a.jpg" || evs[1].ActorID != 1 {
		t.Fatalf("events of R1 = %+v", evs)
	}
	for code, want := range fixtureHouseholds {
		a, err := s.GetArea(ctx(t), code)
		must(t, err)
		if a.Households != want {
			t.Errorf("%s households = %d, want %d", code, a.Households, want)
		}
	}
	revs, err := s.ListRevisions(ctx(t))
	must(t, err)
	if len(revs) != 1 || revs[0].Note != "fixture" || revs[0].Grids != 3 || !revs[0].CreatedAt.Equal(t0) {
		t.Fatalf("revisions = %+v", revs)
	}
	vs, err := s.ListVisits(ctx(t), codeG1, 0)
	must(t, err)
	if len(vs) != 2 || vs[0].Note != "second" {
		t.Fatalf("visits = %+v", vs)
	}

	// A second load into the same store: new areas, IDs continue after the
	// stored ones, events follow their reports.
	more := &data.Dataset{
		Areas:   []data.Area{{Code: "g4", Level: data.LevelGrid, ParentCode: codeC2, Geom: rect(121, 37, 121.5, 37.5)}},
		People:  []data.Person{{Name: "P5"}},
		Reports: fixtureReports()[:2],
		Events:  []data.Event{{ReportID: 2, Kind: "created", At: day(1)}},
		Now:     day(1),
	}
	rev, err := s.Load(ctx(t), more)
	must(t, err)
	if rev.ID != revs[0].ID+1 || rev.Grids != 4 {
		t.Fatalf("second load revision %+v", rev)
	}
	if more.People[0].ID != 5 || more.Reports[0].ID != 9 || more.Reports[1].ID != 10 || more.Events[0].ReportID != 10 {
		t.Fatalf("second load ids: person %d reports %d %d event→%d", more.People[0].ID, more.Reports[0].ID, more.Reports[1].ID, more.Events[0].ReportID)
	}
	evs, err = s.Events(ctx(t), 10)
	must(t, err)
	if len(evs) != 1 {
		t.Fatalf("events of report 10 = %+v", evs)
	}
	// AddPerson after Load continues the sequence.
	p := data.Person{Name: "P6"}
	must(t, s.AddPerson(ctx(t), &p))
	if p.ID != 6 {
		t.Fatalf("AddPerson after Load: id %d, want 6", p.ID)
	}
	r := fullReport()
	_, err = s.CreateReport(ctx(t), &r, data.Event{At: r.CreatedAt})
	must(t, err)
	if r.ID != 11 {
		t.Fatalf("CreateReport after Load: id %d, want 11", r.ID)
	}
}

func testLoadConflict(t *testing.T, s data.Store) {
	load(t, s)
	before := countAreas(t, s)
	_, total, err := s.ListReports(ctx(t), data.ReportQuery{})
	must(t, err)
	_, err = s.Load(ctx(t), fixture())
	if !errors.Is(err, data.ErrConflict) {
		t.Fatalf("loading the same areas twice = %v, want ErrConflict", err)
	}
	_, total2, err := s.ListReports(ctx(t), data.ReportQuery{})
	must(t, err)
	if countAreas(t, s) != before || total2 != total || countRevisions(t, s) != 1 {
		t.Fatal("failed Load changed the store")
	}
	bad := &data.Dataset{Reports: fixtureReports()[:1], Events: []data.Event{{ReportID: 2, Kind: "created", At: t0}}}
	_, err = s.Load(ctx(t), bad)
	wantValidation(t, err, 0)
	twoLeaders := &data.Dataset{People: []data.Person{
		{Name: "a", Assignments: []data.Assignment{{Role: data.RoleGridLeader, AreaCode: codeG3}}},
		{Name: "b", Assignments: []data.Assignment{{Role: data.RoleGridStaff, AreaCode: codeG3}, {Role: data.RoleGridLeader, AreaCode: codeG3}}},
	}}
	_, err = s.Load(ctx(t), twoLeaders)
	wantValidation(t, err, 1)
	orphan := &data.Dataset{Areas: []data.Area{{Code: "z", Level: data.LevelGrid, ParentCode: "nope", Geom: rect(0, 0, 1, 1)}}}
	_, err = s.Load(ctx(t), orphan)
	wantValidation(t, err, 0)
	if countRevisions(t, s) != 1 {
		t.Fatal("failed Load wrote a revision")
	}
}

func testVisits(t *testing.T, s data.Store) {
	for i, at := range []time.Time{day(1), day(3), day(2)} {
		v := data.Visit{PersonID: 1, GridCode: codeG1, BuildingID: int64(i + 1), At: at, Note: fmt.Sprint(i)}
		must(t, s.AddVisit(ctx(t), &v))
		if v.ID == 0 {
			t.Fatal("AddVisit did not set ID")
		}
	}
	other := data.Visit{PersonID: 2, GridCode: codeG2, At: day(5)}
	must(t, s.AddVisit(ctx(t), &other))
	got, err := s.ListVisits(ctx(t), codeG1, 0)
	must(t, err)
	notes := []string{}
	for _, v := range got {
		notes = append(notes, v.Note)
	}
	if !reflect.DeepEqual(notes, []string{"1", "2", "0"}) || !got[0].At.Equal(day(3)) || got[0].BuildingID != 2 {
		t.Fatalf("ListVisits = %+v", got)
	}
	got, err = s.ListVisits(ctx(t), codeG1, 2)
	must(t, err)
	if len(got) != 2 {
		t.Fatalf("limit 2: %d visits", len(got))
	}
	got, err = s.ListVisits(ctx(t), "", 0)
	must(t, err)
	if len(got) != 4 || got[0].GridCode != codeG2 {
		t.Fatalf("all visits = %+v", got)
	}
}

func testPartition(t *testing.T, s data.Store) {
	ds := load(t, s)
	p, err := s.Partition(ctx(t))
	must(t, err)
	cur, err := s.CurrentRevision(ctx(t))
	must(t, err)
	if p.Revision != cur || len(p.Areas) != 8 {
		t.Fatalf("partition revision %d (current %d), %d areas", p.Revision, cur, len(p.Areas))
	}
	if !sort.SliceIsSorted(p.Areas, func(i, j int) bool { return p.Areas[i].Code < p.Areas[j].Code }) {
		t.Fatalf("areas not by code: %v", codes(p.Areas))
	}
	// P4 holds no role and is left out.
	want := ds.People[:3]
	if !reflect.DeepEqual(p.People, want) {
		t.Fatalf("people = %+v, want %+v", p.People, want)
	}
}

func testConcurrent(t *testing.T, s data.Store) {
	const n = 16
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		created int
		seen    = map[int64]bool{}
		errs    []error
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := fullReport()
			r.IdempotencyKey = "same"
			c1, err := s.CreateReport(ctx(t), &r, data.Event{At: r.CreatedAt})
			x := fullReport()
			x.IdempotencyKey = fmt.Sprint("k", i)
			_, err2 := s.CreateReport(ctx(t), &x, data.Event{At: x.CreatedAt})
			_, _, err3 := s.ListReports(ctx(t), data.ReportQuery{Limit: 5})
			mu.Lock()
			defer mu.Unlock()
			errs = append(errs, err, err2, err3)
			if c1 {
				created++
			}
			seen[r.ID] = true
		}()
	}
	wg.Wait()
	for _, err := range errs {
		must(t, err)
	}
	if created != 1 || len(seen) != 1 {
		t.Fatalf("same key from %d goroutines: %d created, ids %v", n, created, seen)
	}
	_, total, err := s.ListReports(ctx(t), data.ReportQuery{})
	must(t, err)
	if total != n+1 {
		t.Fatalf("%d reports, want %d", total, n+1)
	}
}

// movedWest is the grid of a fixture building after a redraw: G1's two
// buildings (west of 121) now lie in G2, the others stay.
func movedWest(pt orb.Point) string {
	switch {
	case pt[0] < 121:
		return codeG2
	case pt[0] < 122:
		return codeG3
	}
	return ""
}

// testRelinkBuildings: after boundaries change, every building is re-linked
// to the grid its point now falls in and households follow; an unknown code
// writes nothing.
func testRelinkBuildings(t *testing.T, s data.Store) {
	r1 := putFixtureAreas(t, s)
	// Households change with buildings: each change that moves them is
	// a revision (listeners reload the counts); nothing moved, none.
	newest := func() data.Revision {
		t.Helper()
		list, err := s.ListRevisions(ctx(t))
		must(t, err)
		return list[0]
	}
	must(t, s.PutBuildings(ctx(t), fixtureBuildings()))
	r2 := newest()
	if r2.ID <= r1.ID || r2.Note != fmt.Sprintf("buildings: %d added, households recomputed", len(fixtureBuildings())) {
		t.Fatalf("after PutBuildings the newest revision is %+v (before: %d)", r2, r1.ID)
	}
	households := func(code string) int {
		a, err := s.GetArea(ctx(t), code)
		must(t, err)
		return a.Households
	}
	n, err := s.RelinkBuildings(ctx(t), movedWest)
	must(t, err)
	if n != 2 {
		t.Fatalf("RelinkBuildings changed %d buildings, want 2", n)
	}
	r3 := newest()
	if r3.ID <= r2.ID || r3.Note != "buildings: 2 moved to other grids, households recomputed" {
		t.Fatalf("after RelinkBuildings the newest revision is %+v (before: %d)", r3, r2.ID)
	}
	if g1, g2, c1 := households(codeG1), households(codeG2), households(codeC1); g1 != 0 || g2 != 350 || c1 != 350 {
		t.Fatalf("households G1 %d, G2 %d, C1 %d; want 0, 350, 350", g1, g2, c1)
	}
	inG2, err := s.ListBuildings(ctx(t), codeG2)
	must(t, err)
	if len(inG2) != 3 {
		t.Fatalf("G2 holds %d buildings, want 3", len(inG2))
	}
	// Nothing left to move.
	if n, err := s.RelinkBuildings(ctx(t), movedWest); err != nil || n != 0 || newest().ID != r3.ID {
		t.Fatalf("second RelinkBuildings = %d, %v, newest revision %d; want 0, nil, %d", n, err, newest().ID, r3.ID)
	}
	// A code that is not stored: a validation error naming the building
	// (position by id), nothing written.
	_, err = s.RelinkBuildings(ctx(t), func(pt orb.Point) string {
		if pt[0] > 124 {
			return "nope"
		}
		return codeG1
	})
	wantValidation(t, err, 4)
	if g1, g2 := households(codeG1), households(codeG2); g1 != 0 || g2 != 350 {
		t.Fatalf("failed RelinkBuildings changed households: G1 %d, G2 %d", g1, g2)
	}
}

// testPutAreasRelink: a new partition and its buildings' grids commit
// together — a failing re-link leaves the old revision, areas and links.
func testPutAreasRelink(t *testing.T, s data.Store) {
	putFixtureAreas(t, s)
	must(t, s.PutBuildings(ctx(t), fixtureBuildings()))
	rev0, err := s.CurrentRevision(ctx(t))
	must(t, err)
	inG1, err := s.ListBuildings(ctx(t), codeG1)
	must(t, err)
	households := func(code string) int {
		a, err := s.GetArea(ctx(t), code)
		must(t, err)
		return a.Households
	}
	g1Before := households(codeG1)
	// The re-link names a grid the new partition lacks: nothing is written.
	_, _, err = s.PutAreasRelink(ctx(t), fixtureAreas(), true, "redraw", &data.Relink{GridOf: func(pt orb.Point) string {
		if pt[0] > 124 {
			return "nope"
		}
		return movedWest(pt)
	}})
	wantValidation(t, err, 4)
	if rev, err := s.CurrentRevision(ctx(t)); err != nil || rev != rev0 {
		t.Fatalf("revision after a failed PutAreasRelink: %d, %v; want %d", rev, err, rev0)
	}
	if still, err := s.ListBuildings(ctx(t), codeG1); err != nil || len(still) != len(inG1) || households(codeG1) != g1Before {
		t.Fatalf("failed PutAreasRelink changed G1: %d buildings (want %d), %d households (want %d), %v", len(still), len(inG1), households(codeG1), g1Before, err)
	}
	// Replace and re-link in one step.
	rev, eff, err := s.PutAreasRelink(ctx(t), fixtureAreas(), true, "redraw", &data.Relink{GridOf: movedWest})
	must(t, err)
	if n := eff.Moved; rev.ID <= rev0 || n != 2 || len(eff.Rerouted) != 0 {
		t.Fatalf("PutAreasRelink = revision %d (after %d), %d moved; want a new revision, 2 moved", rev.ID, rev0, n)
	}
	if g1, g2, c1 := households(codeG1), households(codeG2), households(codeC1); g1 != 0 || g2 != 350 || c1 != 350 {
		t.Fatalf("households G1 %d, G2 %d, C1 %d; want 0, 350, 350", g1, g2, c1)
	}
	if inG2, err := s.ListBuildings(ctx(t), codeG2); err != nil || len(inG2) != 3 {
		t.Fatalf("G2 holds %d buildings (%v), want 3", len(inG2), err)
	}
	// Without gridOf it is PutAreas: a replace drops the links.
	_, eff, err = s.PutAreasRelink(ctx(t), fixtureAreas(), true, "plain", nil)
	must(t, err)
	if all, err := s.ListBuildings(ctx(t), codeG2); err != nil || len(all) != 0 || eff.Moved != 0 {
		t.Fatalf("after a plain replace G2 holds %d buildings (%v), %d moved", len(all), err, eff.Moved)
	}
}
