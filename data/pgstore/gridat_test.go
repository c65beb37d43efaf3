package pgstore

import (
	"math/rand"
	"testing"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/demo"
	"github.com/wangge-dev/wangge/routing"
)

// TestGridsAtAgreesWithRouter: the store's own SQL boundary rule (GridAt,
// GridsAt: ST_Covers, lowest code in byte order) answers what the
// in-memory router answers, on the demo district's hardest points — every
// vertex of every grid and the midpoint of every edge, shared ones
// included, where several grids cover the point — and on random points.
func TestGridsAtAgreesWithRouter(t *testing.T) {
	s := openTest(t, freshSchema(t))
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	ds, err := demo.Generate(demo.Options{Seed: 1, Reports: -1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(t.Context(), &data.Dataset{Areas: ds.Areas}); err != nil {
		t.Fatal(err)
	}
	r := routing.NewRouter(nil, routing.Options{})
	if err := r.Reload(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	var pts []orb.Point
	box := orb.Bound{Min: orb.Point{1e9, 1e9}, Max: orb.Point{-1e9, -1e9}}
	for _, a := range ds.Areas {
		if a.Level != data.LevelGrid {
			continue
		}
		box = box.Union(a.Geom.Bound())
		for _, poly := range a.Geom {
			for _, ring := range poly {
				for i := 0; i+1 < len(ring); i++ {
					pts = append(pts, ring[i], orb.Point{(ring[i][0] + ring[i+1][0]) / 2, (ring[i][1] + ring[i+1][1]) / 2})
				}
			}
		}
	}
	rng := rand.New(rand.NewSource(3))
	for range 20_000 {
		pts = append(pts, orb.Point{box.Min[0] + rng.Float64()*(box.Max[0]-box.Min[0]), box.Min[1] + rng.Float64()*(box.Max[1]-box.Min[1])})
	}
	disagree, shared := 0, 0
	for i := 0; i < len(pts); i += 10_000 {
		batch := pts[i:min(i+10_000, len(pts))]
		codes, err := s.GridsAt(t.Context(), batch)
		if err != nil {
			t.Fatal(err)
		}
		for k, p := range batch {
			want := r.GridCode(p[0], p[1])
			if codes[k] != want {
				if disagree++; disagree <= 5 {
					t.Errorf("point %v: GridsAt %q, router %q", p, codes[k], want)
				}
			}
			if a := r.Route(p[0], p[1]); a.Match == routing.MatchEdge {
				shared++
			}
		}
	}
	one, err := s.GridAt(t.Context(), pts[0][0], pts[0][1])
	if err != nil || one != r.GridCode(pts[0][0], pts[0][1]) {
		t.Errorf("GridAt(first vertex) = %q, %v; router %q", one, err, r.GridCode(pts[0][0], pts[0][1]))
	}
	if disagree > 0 || shared < len(pts)/4 {
		t.Fatalf("%d of %d points disagree; %d lie on grid boundaries (want at least a quarter)", disagree, len(pts), shared)
	}
	t.Logf("%d points (%d on grid boundaries): 0 disagreements", len(pts), shared)
}
