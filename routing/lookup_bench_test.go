package routing_test

import (
	"math/rand"
	"testing"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/demo"
	"github.com/wangge-dev/wangge/geo"
	"github.com/wangge-dev/wangge/internal/hugepages"
	"github.com/wangge-dev/wangge/routing"
)

// BenchmarkLookupLicangReports times geo.Index.Lookup alone on the demo's
// report locations (as BenchmarkRouteLicangReports), with the near-border
// search (default 30 m) and without it, to show where Route's time goes:
// finding the grid, finding a neighbour within 30 m, assembling the answer.
func BenchmarkLookupLicangReports(b *testing.B) {
	_, items := licang(b)
	ix, err := geo.NewIndex(items, geo.IndexOptions{Advise: hugepages.Advise}) // as routing builds it
	if err != nil {
		b.Fatal(err)
	}
	ds, _ := demo.Generate(demo.Options{Seed: 1, Reports: 20_000})
	rng := rand.New(rand.NewSource(1))
	pts := make([]orb.Point, 1<<20)
	for i := range pts {
		p := ds.Reports[rng.Intn(len(ds.Reports))].Location
		pts[i] = orb.Point{p[0] + (rng.Float64()-0.5)*0.001, p[1] + (rng.Float64()-0.5)*0.001}
	}
	for _, nb := range []float64{30, -1} {
		ix2 := ix
		if nb < 0 {
			ix2, _ = geo.NewIndex(items, geo.IndexOptions{NearBorderMeters: -1, Advise: hugepages.Advise})
		}
		b.Run(map[bool]string{true: "nearborder", false: "no-nearborder"}[nb > 0], func(b *testing.B) {
			var n int32
			for i := 0; b.Loop(); i++ {
				p := pts[i&(len(pts)-1)]
				n += ix2.Lookup(p).Key
			}
			_ = n
		})
	}
}

// BenchmarkRouteCached times Route and geo.Index.Lookup on 1,024 uniform
// points inside the demo's grids, few enough to stay in cache: what Route
// adds to the lookup when no read misses. Before Route filled its Match
// (Index.LookupTo) and its Answer in place, copying them cost
// store-forwarding stalls: Route 68 ns against Lookup's 48–49 ns; after,
// 49 against 41–43 (docs/benchmarks.md).
func BenchmarkRouteCached(b *testing.B) {
	p, items := licang(b)
	s, err := routing.Build(p, routing.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ix, err := geo.NewIndex(items, geo.IndexOptions{Advise: hugepages.Advise})
	if err != nil {
		b.Fatal(err)
	}
	ext := geo.BoundOf(items[0].Geom)
	for _, it := range items {
		ext = ext.Union(geo.BoundOf(it.Geom))
	}
	rng := rand.New(rand.NewSource(1))
	var pts []orb.Point
	for len(pts) < 1024 {
		p := orb.Point{ext.Min[0] + rng.Float64()*(ext.Max[0]-ext.Min[0]), ext.Min[1] + rng.Float64()*(ext.Max[1]-ext.Min[1])}
		if m := ix.Lookup(p); m.Key >= 0 && m.Kind != geo.MatchNearest {
			pts = append(pts, p)
		}
	}
	b.Run("lookup", func(b *testing.B) {
		var n int32
		for i := 0; b.Loop(); i++ {
			n += ix.Lookup(pts[i&1023]).Key
		}
		_ = n
	})
	b.Run("route", func(b *testing.B) {
		var n int
		for i := 0; b.Loop(); i++ {
			p := pts[i&1023]
			n += len(s.Route(p[0], p[1]).Match)
		}
		_ = n
	})
}
