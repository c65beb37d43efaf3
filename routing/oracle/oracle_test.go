package oracle_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/geo"
	"github.com/wangge-dev/wangge/geo/geotest"
	"github.com/wangge-dev/wangge/routing/oracle"
)

// TestIndexAgreesWithPostGIS runs the index against PostGIS on a synthetic
// partition and on two real ones. Probes: every vertex, every edge
// midpoint (floating point, so on or an ulp off the edge) and random points
// over the extent grown by ~250 m — 1,000,000 on the real partitions, as
// on the demo district (routing's TestDemoDistrictAgreesWithPostGIS).
// Zero disagreements are allowed.
func TestIndexAgreesWithPostGIS(t *testing.T) {
	conn := oracle.Connect(t)
	ctx := context.Background()
	cases := []struct {
		name   string
		items  func(t *testing.T) []geo.Item
		random int
	}{
		{"synthetic 1,500", func(t *testing.T) []geo.Item { return geotest.Partition(1500, geotest.Options{Seed: 11}) }, 100_000},
		{"San Francisco block groups", func(t *testing.T) []geo.Item {
			return readReal(t, "sf_blockgroups.geojson", "GEO_ID")
		}, 1_000_000},
		{"Chicago precincts", func(t *testing.T) []geo.Item {
			return readReal(t, "chicago_precincts.geojson", "full_text")
		}, 1_000_000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			items := c.items(t)
			ix, err := geo.NewIndex(items, geo.IndexOptions{})
			if err != nil {
				t.Fatal(err)
			}
			// A different nearest radius must be caught (the check checks).
			other, err := geo.NewIndex(items, geo.IndexOptions{NearestMeters: 50})
			if err != nil {
				t.Fatal(err)
			}
			if bad, _, err := oracle.Check(ctx, conn, items, other, geotest.Probes(items, 2000, 0.003, 2), oracle.Options{}); err != nil || len(bad) == 0 {
				t.Fatalf("oracle found no disagreement with a 50 m index (err %v)", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			random := c.random
			if testing.Short() {
				random = 10_000
			}
			pts := geotest.Probes(items, random, 0.003, 1)
			pts = append(pts, gapProbes(items)...)
			bad, tally, err := oracle.Check(ctx, conn, items, ix, pts, oracle.Options{})
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
			t.Logf("%d items, %d points: all agree (%v)", len(items), len(pts), tally)
			for k := range tally {
				if tally[k] == 0 {
					t.Errorf("no point of kind %d: the probes miss a case", k)
				}
			}
		})
	}
}

// gapProbes are points just outside each item's box corners (uncovered
// points near items exercise the nearest rule).
func gapProbes(items []geo.Item) []orb.Point {
	var out []orb.Point
	for _, it := range items {
		b := geo.BoundOf(it.Geom)
		out = append(out, orb.Point{b.Min[0] - 0.0003, b.Min[1] - 0.0002}, orb.Point{b.Max[0] + 0.001, b.Max[1] + 0.0001})
	}
	return out
}

func readReal(t *testing.T, file, id string) []geo.Item {
	items, _, err := oracle.ReadGeoJSON(filepath.Join("..", "..", "testdata", "real", file), id)
	if err != nil {
		t.Fatal(err)
	}
	return items
}
