package workflow

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/demo"
	"github.com/wangge-dev/wangge/routing"
)

// TestEditRoutingAgreesWithTheWholePartition: the routing of an edited
// partition that ReviseGrids uses (a snapshot of the areas near the edit,
// the current router elsewhere) answers every point as a snapshot of the
// whole edited partition does — the buildings of the demo district, points
// around the edit and points anywhere — for a moved shared vertex and for
// a grid shrunk away from its neighbours (points in the gap go to the
// nearest grid or to their community's queue). Metres may differ in the
// last bits.
func TestEditRoutingAgreesWithTheWholePartition(t *testing.T) {
	ds, err := demo.Generate(demo.Options{Seed: 1, Reports: -1})
	if err != nil {
		t.Fatal(err)
	}
	p := data.Partition{Revision: 1, Areas: ds.Areas, People: ds.People}
	cur, err := routing.Build(p, routing.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := &Service{route: func(lon, lat float64) data.Routing { a := cur.Route(lon, lat); return a.Routing() }, cfg: Config{RoutePartition: routing.PartitionRouter(routing.Options{})}.withDefaults()}

	// Two grids of one community sharing a vertex that is not the
	// community's: moved 20 m north-east in both.
	holders := map[orb.Point][]int{}
	for i, a := range p.Areas {
		if a.Level != data.LevelGrid {
			continue
		}
		seen := map[orb.Point]bool{}
		for _, q := range a.Geom[0][0] {
			if !seen[q] {
				seen[q] = true
				holders[q] = append(holders[q], i)
			}
		}
	}
	var moved *data.GridEdit
	for q, hs := range holders {
		if len(hs) != 2 || p.Areas[hs[0]].ParentCode != p.Areas[hs[1]].ParentCode {
			continue
		}
		to := orb.Point{q[0] + 0.0002, q[1] + 0.00015}
		e := &data.GridEdit{Base: 1}
		for _, i := range hs {
			a := p.Areas[i]
			a.Geom = cloneMoving(a.Geom, q, to)
			e.Put = append(e.Put, a)
		}
		moved = e
		break
	}
	if moved == nil {
		t.Fatal("no shared vertex in the demo")
	}
	// A grid shrunk by a fifth towards its first vertex: a gap opens
	// around it.
	var g data.Area
	for _, a := range p.Areas {
		if a.Level == data.LevelGrid && len(a.Geom) == 1 && len(a.Geom[0]) == 1 {
			g = a
			break
		}
	}
	o := g.Geom[0][0][0]
	shrunk := orb.Ring{}
	for _, q := range g.Geom[0][0] {
		shrunk = append(shrunk, orb.Point{o[0] + 0.8*(q[0]-o[0]), o[1] + 0.8*(q[1]-o[1])})
	}
	g.Geom = orb.MultiPolygon{{shrunk}}
	shrink := &data.GridEdit{Base: 1, Put: []data.Area{g}}

	rng := rand.New(rand.NewPCG(1, 2))
	for name, e := range map[string]*data.GridEdit{"moved vertex": moved, "shrunk grid": shrink} {
		// As ReviseGrids does it: the region of the edit, the areas near
		// it (Store.PartitionNear), edited and routed.
		byCode := map[string]*data.Area{}
		for i := range p.Areas {
			byCode[p.Areas[i].Code] = &p.Areas[i]
		}
		reg := s.editRegion(e, byCode)
		near := data.Partition{Revision: p.Revision, People: p.People}
		for _, a := range p.Areas {
			if a.Geom.Bound().Intersects(reg.outer) {
				near.Areas = append(near.Areas, a)
			}
		}
		local, err := s.editRouting(editedPartition(near, e), reg)
		if err != nil {
			t.Fatal(err)
		}
		next := editedPartition(p, e)
		whole, err := routing.Build(next, routing.Options{})
		if err != nil {
			t.Fatal(err)
		}
		box := areasBound(e.Put).Pad(0.01)
		all := areasBound(p.Areas).Pad(0.02)
		var pts []orb.Point
		for _, b := range ds.Buildings {
			pts = append(pts, b.Point)
		}
		for range 100_000 {
			pts = append(pts, orb.Point{box.Min[0] + rng.Float64()*(box.Max[0]-box.Min[0]), box.Min[1] + rng.Float64()*(box.Max[1]-box.Min[1])})
			pts = append(pts, orb.Point{all.Min[0] + rng.Float64()*(all.Max[0]-all.Min[0]), all.Min[1] + rng.Float64()*(all.Max[1]-all.Min[1])})
		}
		bad, changed := 0, 0
		for _, pt := range pts {
			got := local(pt)
			a := whole.Route(pt[0], pt[1])
			want := a.Routing()
			// Metres to a nearest grid come from a step from the raster
			// row's latitude (geo.Index.metersAt, within 1e-7 m of
			// DistanceMeters: geo's TestRowMeters), and a smaller index
			// has other rows: two indexes agree within twice that (at
			// 168 m they were seen 7.6e-9 m apart).
			if math.Abs(got.DistanceM-want.DistanceM) <= 2e-7 {
				got.DistanceM = want.DistanceM
			}
			if got != want {
				if bad++; bad <= 5 {
					t.Errorf("%s: %v routes to %+v, the whole edited partition to %+v", name, pt, got, want)
				}
			}
			if b := cur.Route(pt[0], pt[1]); b.Routing() != want {
				changed++
			}
		}
		if bad > 0 {
			t.Fatalf("%s: %d of %d points disagree", name, bad, len(pts))
		}
		if changed == 0 {
			t.Fatalf("%s: no point routes differently after the edit: the test proves nothing", name)
		}
		t.Logf("%s: %d points agree; %d of them route differently after the edit; %d of %d areas indexed", name, len(pts), changed, len(near.Areas), len(p.Areas))
	}
}

// cloneMoving copies mp with every position equal to from set to to.
func cloneMoving(mp orb.MultiPolygon, from, to orb.Point) orb.MultiPolygon {
	out := orb.MultiPolygon{}
	for _, poly := range mp {
		np := orb.Polygon{}
		for _, r := range poly {
			nr := orb.Ring{}
			for _, q := range r {
				if q == from {
					q = to
				}
				nr = append(nr, q)
			}
			np = append(np, nr)
		}
		out = append(out, np)
	}
	return out
}

// areasBound is the bounding box of the areas' shapes.
func areasBound(as []data.Area) orb.Bound {
	b := as[0].Geom.Bound()
	for _, a := range as[1:] {
		b = b.Union(a.Geom.Bound())
	}
	return b
}
