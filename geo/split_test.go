package geo_test

import (
	"math"
	"testing"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/geo"
	"github.com/wangge-dev/wangge/geo/geotest"
)

// TestSplitCellsNearPiece: a split cell answers a point from its side of
// the shared boundary crossing the cell (split.go) and falls back to the
// polygon tests when that side is in doubt. Points on every edge and
// vertex of a partition, and at distances from 1e-15° (below the rounding
// of the coordinates) to 1e-6° off them in several directions, must get
// the brute force's answer — with the near-border and nearest searches on
// and off — and many of them must be in split cells.
func TestSplitCellsNearPiece(t *testing.T) {
	items := geotest.Partition(300, geotest.Options{Seed: 3})
	offsets := []float64{0, 1e-15, 1e-13, 1e-11, 1e-9, 1e-7, 1e-6}
	var pts []orb.Point
	for _, it := range items {
		for _, poly := range it.Geom {
			for _, r := range poly {
				for i := 0; i+1 < len(r); i++ {
					a, b := r[i], r[i+1]
					dx, dy := b[0]-a[0], b[1]-a[1]
					l := math.Hypot(dx, dy)
					if l == 0 {
						continue
					}
					nx, ny := -dy/l, dx/l // unit normal
					for _, f := range []float64{0.5, 1e-3} {
						mx, my := a[0]+f*dx, a[1]+f*dy
						for _, d := range offsets {
							pts = append(pts, orb.Point{mx + d*nx, my + d*ny}, orb.Point{mx - d*nx, my - d*ny})
						}
					}
					// Around the vertex a: eight directions.
					for k := range 8 {
						s, c := math.Sincos(float64(k) * math.Pi / 4)
						for _, d := range []float64{1e-15, 1e-12, 1e-9, 1e-6} {
							pts = append(pts, orb.Point{a[0] + d*c, a[1] + d*s})
						}
					}
				}
			}
		}
	}
	for _, o := range []struct {
		name           string
		opts           geo.IndexOptions
		nearM, nearest float64
	}{
		{"defaults", geo.IndexOptions{}, 30, 200},
		{"searches off", geo.IndexOptions{NearBorderMeters: -1, NearestMeters: -1}, 0, 0},
	} {
		forLayouts(t, o.name, func(t *testing.T, l layout) {
			ix, err := geo.NewIndex(items, o.opts)
			if err != nil {
				t.Fatal(err)
			}
			checkBrute(t, ix, pts, o.nearM, o.nearest)
			inSplit := 0
			for _, p := range pts {
				if ix.InSplitCellForTest(p) {
					inSplit++
				}
			}
			// The plain layout builds no split cells; the others must put
			// a good share of these points in them.
			if l.plain != (inSplit == 0) || !l.plain && inSplit < len(pts)/10 {
				t.Fatalf("layout %+v: %d of %d points in split cells", l, inSplit, len(pts))
			}
			t.Logf("%d points, %d in split cells", len(pts), inSplit)
		})
	}
}
