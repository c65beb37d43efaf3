package routing_test

import (
	"context"
	"math/rand"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/demo"
	"github.com/wangge-dev/wangge/geo"
	"github.com/wangge-dev/wangge/geo/geotest"
	"github.com/wangge-dev/wangge/routing"
	"github.com/wangge-dev/wangge/routing/oracle"
)

// licang builds the demo district (no reports) as a partition.
func licang(t testing.TB) (data.Partition, []geo.Item) {
	ds, err := demo.Generate(demo.Options{Seed: 1, Reports: -1})
	if err != nil {
		t.Fatal(err)
	}
	p := data.Partition{Revision: 1, Areas: ds.Areas, People: ds.People}
	var items []geo.Item
	var grids []data.Area
	for _, a := range ds.Areas {
		if a.Level == data.LevelGrid {
			grids = append(grids, a)
		}
	}
	// Build sorts grids by code; do the same for the oracle's keys.
	sortAreas(grids)
	for i, g := range grids {
		items = append(items, geo.Item{Key: int32(i), Geom: g.Geom})
	}
	return p, items
}

func sortAreas(a []data.Area) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j].Code < a[j-1].Code; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// TestDemoDistrictAgreesWithPostGIS routes 1,000,000 points over Licang
// (plus every vertex and edge midpoint) and compares with PostGIS: zero
// disagreements. -short (and under -race, see raceOn): 50,000 points.
func TestDemoDistrictAgreesWithPostGIS(t *testing.T) {
	conn := oracle.Connect(t)
	_, items := licang(t)
	ix, err := geo.NewIndex(items, geo.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := 1_000_000
	if testing.Short() || raceOn {
		n = 50_000
	}
	pts := geotest.Probes(items, n, 0.003, 42)
	t0 := time.Now()
	bad, tally, err := oracle.Check(context.Background(), conn, items, ix, pts, oracle.Options{Batch: 50_000})
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range bad {
		if i == 10 {
			break
		}
		t.Error(d)
	}
	if len(bad) > 0 {
		t.Fatalf("%d of %d points disagree with PostGIS", len(bad), len(pts))
	}
	t.Logf("Licang: %d grids, %d points agree with PostGIS in %v (%v)", len(items), len(pts), time.Since(t0).Round(time.Second), tally)
}

func BenchmarkRouteLicang(b *testing.B) {
	p, items := licang(b)
	t0 := time.Now()
	s, err := routing.Build(p, routing.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("Build: %v for %d grids", time.Since(t0).Round(time.Millisecond), s.Grids())
	ext := geo.BoundOf(items[0].Geom)
	for _, it := range items {
		ext = ext.Union(geo.BoundOf(it.Geom))
	}
	rng := rand.New(rand.NewSource(1))
	pts := make([]orb.Point, 1<<16)
	for i := range pts {
		pts[i] = orb.Point{ext.Min[0] + rng.Float64()*(ext.Max[0]-ext.Min[0]), ext.Min[1] + rng.Float64()*(ext.Max[1]-ext.Min[1])}
	}
	r := routing.NewRouter(s, routing.Options{})
	b.ReportAllocs()
	var n int
	for i := 0; b.Loop(); i++ {
		p := pts[i&(len(pts)-1)]
		n += len(r.Route(p[0], p[1]).Match)
	}
	_ = n
}

// BenchmarkRouteLicangReports routes the demo's report locations (each
// jittered by up to ±50 m): the points a district really receives, most
// of them within 30 m of a neighbouring grid.
func BenchmarkRouteLicangReports(b *testing.B) {
	ds, err := demo.Generate(demo.Options{Seed: 1, Reports: 20_000})
	if err != nil {
		b.Fatal(err)
	}
	s, err := routing.Build(data.Partition{Revision: 1, Areas: ds.Areas, People: ds.People}, routing.Options{})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewSource(1))
	pts := make([]orb.Point, 1<<20)
	for i := range pts {
		p := ds.Reports[rng.Intn(len(ds.Reports))].Location
		pts[i] = orb.Point{p[0] + (rng.Float64()-0.5)*0.001, p[1] + (rng.Float64()-0.5)*0.001}
	}
	b.ReportAllocs()
	var n int
	for i := 0; b.Loop(); i++ {
		p := pts[i&(len(pts)-1)]
		n += len(s.Route(p[0], p[1]).Match)
	}
	_ = n
}

// BenchmarkAnswerJSON is the JSON of one full answer (GET /api/v1/route's
// body) appended into a reused buffer.
func BenchmarkAnswerJSON(b *testing.B) {
	p, _ := licang(b)
	s, err := routing.Build(p, routing.Options{})
	if err != nil {
		b.Fatal(err)
	}
	a := s.Route(120.4, 36.15)
	for a.Grid.Code == "" || a.NearBorder.Code == "" {
		a = s.Route(120.38+rand.Float64()*0.1, 36.1+rand.Float64()*0.1)
	}
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = a.AppendJSON(buf[:0])
	}
	b.SetBytes(int64(len(buf)))
}

// TestDemoUnassignedAgreesWithPostGIS checks the answers for points in no
// grid against PostGIS: the demo district with every grid of every fourth
// community removed (the demo's grids cover its communities, so this is
// how points far from every grid arise), probed at every vertex and edge
// midpoint of its communities, streets and district and at 300,000
// random points. A point is unassigned or outside exactly when PostGIS
// finds no grid covering it and none within 200 m (oracle.Ask over the
// grids); then the area named is the smallest enclosing one — the lowest
// of communities, streets, districts, each by code, whose polygon
// ST_Covers the point (oracle.Ask over the areas in that order) — or none
// (outside). Zero disagreements.
func TestDemoUnassignedAgreesWithPostGIS(t *testing.T) {
	conn := oracle.Connect(t)
	ctx := context.Background()
	ds, err := demo.Generate(demo.Options{Seed: 1, Reports: -1})
	if err != nil {
		t.Fatal(err)
	}
	var comms []data.Area
	for _, a := range ds.Areas {
		if a.Level == data.LevelCommunity {
			comms = append(comms, a)
		}
	}
	sortAreas(comms)
	dropped := map[string]bool{}
	for i, c := range comms {
		if i%4 == 1 {
			dropped[c.Code] = true
		}
	}
	p := data.Partition{Revision: 1, People: ds.People}
	var grids []data.Area
	levels := map[data.Level][]data.Area{}
	for _, a := range ds.Areas {
		if a.Level == data.LevelGrid {
			if dropped[a.ParentCode] {
				continue
			}
			grids = append(grids, a)
		} else {
			levels[a.Level] = append(levels[a.Level], a)
		}
		p.Areas = append(p.Areas, a)
	}
	s, err := routing.Build(p, routing.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sortAreas(grids)
	var gridItems, areaItems []geo.Item
	for i, g := range grids {
		gridItems = append(gridItems, geo.Item{Key: int32(i), Geom: g.Geom})
	}
	var areaCodes []string
	for _, lv := range []data.Level{data.LevelCommunity, data.LevelStreet, data.LevelDistrict} {
		as := levels[lv]
		sortAreas(as)
		for _, a := range as {
			areaItems = append(areaItems, geo.Item{Key: int32(len(areaItems)), Geom: a.Geom})
			areaCodes = append(areaCodes, a.Code)
		}
	}
	n := 300_000
	if testing.Short() || raceOn {
		n = 30_000
	}
	pts := geotest.Probes(areaItems, n, 0.003, 5)
	if err := oracle.Load(ctx, conn, gridItems); err != nil {
		t.Fatal(err)
	}
	gridWants, err := oracle.Ask(ctx, conn, pts, oracle.Options{Batch: 50_000})
	if err != nil {
		t.Fatal(err)
	}
	if err := oracle.Load(ctx, conn, areaItems); err != nil {
		t.Fatal(err)
	}
	areaWants, err := oracle.Ask(ctx, conn, pts, oracle.Options{Batch: 50_000, NearestMeters: -1, NearBorderMeters: -1})
	if err != nil {
		t.Fatal(err)
	}
	bad := 0
	tally := map[string]int{}
	for i, pt := range pts {
		a := s.Route(pt[0], pt[1])
		noGrid := a.Match == routing.MatchUnassigned || a.Match == routing.MatchOutside
		want, got := "", ""
		if gridWants[i].Kind == geo.MatchNone && areaWants[i].Key >= 0 {
			want = areaCodes[areaWants[i].Key]
		}
		for _, r := range []routing.AreaRef{a.Community, a.Street, a.District} {
			if got == "" {
				got = r.Code
			}
		}
		switch {
		case noGrid != (gridWants[i].Kind == geo.MatchNone):
			if bad++; bad <= 10 {
				t.Errorf("POINT(%.17g %.17g): router %s, PostGIS grid answer %+v", pt[0], pt[1], a.Match, gridWants[i])
			}
		case noGrid && (got != want || (want == "") != (a.Match == routing.MatchOutside)):
			if bad++; bad <= 10 {
				t.Errorf("POINT(%.17g %.17g): router %s in %q, PostGIS smallest enclosing area %q", pt[0], pt[1], a.Match, got, want)
			}
		}
		tally[a.Match]++
		if a.Match == routing.MatchUnassigned && a.Community.Code != "" {
			tally["unassigned in a community"]++
		}
	}
	if bad > 0 {
		t.Fatalf("%d of %d points disagree with PostGIS", bad, len(pts))
	}
	t.Logf("%d points, %d communities without grids: all agree (%v)", len(pts), len(dropped), tally)
	if tally["unassigned in a community"] < 1000 || tally[routing.MatchOutside] < 1000 || tally[routing.MatchNearest] == 0 {
		t.Fatalf("the probes miss a case: %v", tally)
	}
}
