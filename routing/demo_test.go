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
// disagreements. -short: 50,000 points.
func TestDemoDistrictAgreesWithPostGIS(t *testing.T) {
	conn := oracle.Connect(t)
	_, items := licang(t)
	ix, err := geo.NewIndex(items, geo.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := 1_000_000
	if testing.Short() {
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
