package routing_test

import (
	"math/rand"
	"testing"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/demo"
	"github.com/wangge-dev/wangge/geo"
	"github.com/wangge-dev/wangge/internal/hugepages"
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
