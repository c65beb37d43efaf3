package geo_test

import (
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/geo"
	"github.com/wangge-dev/wangge/geo/geotest"
	"github.com/wangge-dev/wangge/internal/hugepages"
)

// benchPoints are uniform random points over the partition's extent: the
// mix a real district sees (most reports well inside a grid, some near an
// edge).
func benchPoints(items []geo.Item, n int) []orb.Point {
	var b orb.Bound
	for i, it := range items {
		if i == 0 {
			b = geo.BoundOf(it.Geom)
		}
		b = b.Union(geo.BoundOf(it.Geom))
	}
	rng := rand.New(rand.NewSource(7))
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
	}
	return pts
}

func BenchmarkLookup(b *testing.B) {
	for _, n := range []int{1500, 15000, 50000} {
		items := geotest.Partition(n, geotest.Options{Seed: 1})
		t0 := time.Now()
		ix, err := geo.NewIndex(items, geo.IndexOptions{Advise: hugepages.Advise}) // as routing builds it
		if err != nil {
			b.Fatal(err)
		}
		build := time.Since(t0)
		st := ix.Stats()
		pts := benchPoints(items, 1<<16)
		b.Run(fmt.Sprintf("polygons=%d", len(items)), func(b *testing.B) {
			b.ReportAllocs()
			var sink int32
			for i := 0; b.Loop(); i++ {
				sink += ix.Lookup(pts[i&(len(pts)-1)]).Key
			}
			_ = sink
			// Reported after the loop: b.Loop resets metrics set before it.
			b.ReportMetric(float64(build.Milliseconds()), "build-ms")
			b.ReportMetric(float64(st.Bytes)/float64(len(items)), "bytes/polygon")
			b.ReportMetric(float64(st.DirectCells)/float64(st.Cells)*100, "%direct-cells")
			b.ReportMetric(float64(st.FarCells)/float64(st.Cells)*100, "%far-cells")
		})
	}
}

// BenchmarkNewIndex is the build time of the index over 1,500 synthetic
// polygons (a district): what a published redraw costs the router.
func BenchmarkNewIndex(b *testing.B) {
	items := geotest.Partition(1500, geotest.Options{Seed: 1})
	b.ReportAllocs()
	var st geo.Stats
	for b.Loop() {
		ix, err := geo.NewIndex(items, geo.IndexOptions{})
		if err != nil {
			b.Fatal(err)
		}
		st = ix.Stats()
	}
	b.ReportMetric(float64(st.Bytes)/float64(len(items)), "bytes/polygon")
}
