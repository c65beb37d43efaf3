package geo_test

import (
	"testing"
	"time"

	"github.com/wangge-dev/wangge/geo"
	"github.com/wangge-dev/wangge/geo/geotest"
)

// TestIndexStats logs build time and size of the index at three scales
// (run with -v; nothing is asserted on time).
func TestIndexStats(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	for _, n := range []int{1500, 15000, 50000} {
		items := geotest.Partition(n, geotest.Options{Seed: 1})
		t0 := time.Now()
		ix, err := geo.NewIndex(items, geo.IndexOptions{})
		if err != nil {
			t.Fatal(err)
		}
		el := time.Since(t0)
		s := ix.Stats()
		t.Logf("%d polygons: build %v, %d cells (%.1f%% direct, %.1f%% list), %.0f bytes/polygon", len(items), el.Round(time.Millisecond),
			s.Cells, 100*float64(s.DirectCells)/float64(s.Cells), 100*float64(s.ListCells)/float64(s.Cells), float64(s.Bytes)/float64(len(items)))
	}
}
