package geo_test

import (
	"math"
	"math/rand"
	"runtime"
	"testing"
	"unsafe"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"

	"github.com/wangge-dev/wangge/geo"
	"github.com/wangge-dev/wangge/geo/geotest"
)

func mustWKT(t testing.TB, s string) orb.MultiPolygon {
	t.Helper()
	g, err := wkt.Unmarshal(s)
	if err != nil {
		t.Fatalf("wkt %q: %v", s, err)
	}
	switch g := g.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{g}
	case orb.MultiPolygon:
		return g
	}
	t.Fatalf("wkt %q: not a polygon", s)
	return nil
}

// Small shapes at Licang's latitude, a few hundred metres across (0.001° ≈ 90–111 m).
const (
	sqA = "POLYGON((120.000 36.000, 120.002 36.000, 120.002 36.002, 120.000 36.002, 120.000 36.000))"
	sqB = "POLYGON((120.002 36.000, 120.004 36.000, 120.004 36.002, 120.002 36.002, 120.002 36.000))"
	sqC = "POLYGON((120.000 36.002, 120.002 36.002, 120.002 36.004, 120.000 36.004, 120.000 36.002))"
	sqD = "POLYGON((120.002 36.002, 120.004 36.002, 120.004 36.004, 120.002 36.004, 120.002 36.002))"
	// A park: a square with a square hole that nothing fills.
	park = "POLYGON((120.010 36.000, 120.016 36.000, 120.016 36.006, 120.010 36.006, 120.010 36.000)," +
		"(120.012 36.002, 120.012 36.004, 120.014 36.004, 120.014 36.002, 120.012 36.002))"
	// A square with a hole filled by an enclave (the enclave has the lower key).
	outer   = "POLYGON((120.020 36.000, 120.026 36.000, 120.026 36.006, 120.020 36.006, 120.020 36.000),(120.022 36.002, 120.022 36.004, 120.024 36.004, 120.024 36.002, 120.022 36.002))"
	enclave = "POLYGON((120.022 36.002, 120.024 36.002, 120.024 36.004, 120.022 36.004, 120.022 36.002))"
	multi   = "MULTIPOLYGON(((120.030 36.000, 120.031 36.000, 120.031 36.001, 120.030 36.001, 120.030 36.000)),((120.034 36.000, 120.035 36.000, 120.035 36.001, 120.034 36.001, 120.034 36.000)))"
)

func fixture(t testing.TB) *geo.Index {
	items := []geo.Item{
		{Key: 1, Geom: mustWKT(t, sqA)},
		{Key: 2, Geom: mustWKT(t, sqB)},
		{Key: 3, Geom: mustWKT(t, sqC)},
		{Key: 4, Geom: mustWKT(t, sqD)},
		{Key: 5, Geom: mustWKT(t, park)},
		{Key: 6, Geom: mustWKT(t, enclave)},
		{Key: 7, Geom: mustWKT(t, outer)},
		{Key: 8, Geom: mustWKT(t, multi)},
	}
	ix, err := geo.NewIndex(items, geo.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestLookupCases(t *testing.T) {
	ix := fixture(t)
	cases := []struct {
		name     string
		pt       orb.Point
		key      int32
		kind     geo.MatchKind
		nearKey  int32
		distMinM float64 // for nearest: expected distance range
		distMaxM float64
	}{
		{"inside A, far from others", orb.Point{120.0005, 36.0005}, 1, geo.MatchInside, -1, 0, 0},
		{"inside A near B", orb.Point{120.0019, 36.0005}, 1, geo.MatchInside, 2, 0, 0},
		{"shared edge A|B goes to lower key", orb.Point{120.002, 36.001}, 1, geo.MatchEdge, 2, 0, 0},
		{"vertex shared by four goes to lowest", orb.Point{120.002, 36.002}, 1, geo.MatchEdge, 2, 0, 0},
		{"edge C|D", orb.Point{120.002, 36.003}, 3, geo.MatchEdge, 4, 0, 0},
		{"outer corner of A", orb.Point{120.000, 36.000}, 1, geo.MatchEdge, -1, 0, 0},
		{"inside park's shell", orb.Point{120.011, 36.001}, 5, geo.MatchInside, -1, 0, 0},
		{"on park's hole ring is covered", orb.Point{120.013, 36.002}, 5, geo.MatchEdge, -1, 0, 0},
		{"on park's hole vertex is covered", orb.Point{120.012, 36.004}, 5, geo.MatchEdge, -1, 0, 0},
		{"in park's hole: nearest is the park", orb.Point{120.013, 36.003}, 5, geo.MatchNearest, -1, 85, 95},
		{"in enclave", orb.Point{120.023, 36.003}, 6, geo.MatchInside, -1, 0, 0},
		{"enclave edge: enclave has lower key", orb.Point{120.023, 36.002}, 6, geo.MatchEdge, 7, 0, 0},
		{"outer ring near enclave", orb.Point{120.0219, 36.003}, 7, geo.MatchInside, 6, 0, 0},
		{"second part of multipolygon", orb.Point{120.0345, 36.0005}, 8, geo.MatchInside, -1, 0, 0},
		{"between parts: nearest", orb.Point{120.0325, 36.0005}, 8, geo.MatchNearest, -1, 130, 140},
		{"50 m east of B: nearest", orb.Point{120.00455, 36.001}, 2, geo.MatchNearest, -1, 45, 55},
		{"far away: none", orb.Point{121, 37}, -1, geo.MatchNone, -1, 0, 0},
		{"NaN: none", orb.Point{math.NaN(), 36}, -1, geo.MatchNone, -1, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := ix.Lookup(c.pt)
			if m.Key != c.key || m.Kind != c.kind || m.NearKey != c.nearKey {
				t.Fatalf("Lookup(%v) = %+v; want key %d kind %v near %d", c.pt, m, c.key, c.kind, c.nearKey)
			}
			if c.kind == geo.MatchNearest && (m.DistanceM < c.distMinM || m.DistanceM > c.distMaxM) {
				t.Fatalf("distance %.1f m, want %.0f–%.0f", m.DistanceM, c.distMinM, c.distMaxM)
			}
		})
	}
}

func TestLookupAllocs(t *testing.T) {
	ix := fixture(t)
	pts := []orb.Point{{120.0005, 36.0005}, {120.002, 36.001}, {120.013, 36.003}, {120.0019, 36.0005}}
	allocs := testing.AllocsPerRun(100, func() {
		for _, p := range pts {
			ix.Lookup(p)
		}
	})
	if allocs != 0 {
		t.Fatalf("Lookup allocates %v times per run", allocs)
	}
}

// TestLookupAgainstBruteForce checks the raster's shortcuts (direct cells,
// per-cell edge lists for near-border and nearest, pruned lists) against
// the plain definition (every item tested) on a synthetic partition:
// vertices, edge midpoints and random points, under several options —
// including a nearest radius below the near-border one, disabled
// features, coarse cells, keys that are not indexes, and overlapping
// items.
func TestLookupAgainstBruteForce(t *testing.T) {
	base := geotest.Partition(300, geotest.Options{Seed: 3})
	spread := make([]geo.Item, len(base))
	for i, it := range base {
		spread[i] = geo.Item{Key: it.Key*3 + 7, Geom: it.Geom}
	}
	// Overlaps: two squares laid over the partition (keys between and
	// after the others').
	ext := geo.BoundOf(base[0].Geom)
	for _, it := range base {
		ext = ext.Union(geo.BoundOf(it.Geom))
	}
	sq := func(fx0, fy0, fx1, fy1 float64) orb.MultiPolygon {
		x0, y0 := ext.Min[0]+fx0*(ext.Max[0]-ext.Min[0]), ext.Min[1]+fy0*(ext.Max[1]-ext.Min[1])
		x1, y1 := ext.Min[0]+fx1*(ext.Max[0]-ext.Min[0]), ext.Min[1]+fy1*(ext.Max[1]-ext.Min[1])
		return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
	}
	overlap := append(append([]geo.Item(nil), spread...),
		geo.Item{Key: 8, Geom: sq(0.3, 0.3, 0.45, 0.42)},
		geo.Item{Key: 100000, Geom: sq(0.6, 0.55, 0.7, 0.75)})
	// Nesting as in routing's area index: big squares (higher keys) over
	// the partition, one inside another.
	nested := append(append([]geo.Item(nil), spread...),
		geo.Item{Key: 200000, Geom: sq(0.1, 0.1, 0.6, 0.7)},
		geo.Item{Key: 300000, Geom: sq(-0.1, -0.1, 1.1, 1.1)})
	cases := []struct {
		name           string
		items          []geo.Item
		opts           geo.IndexOptions
		nearM, nearest float64
	}{
		{"defaults", base, geo.IndexOptions{}, 30, 200},
		{"nearest radius below near-border radius", base, geo.IndexOptions{NearBorderMeters: 50, NearestMeters: 20}, 50, 20},
		{"near-border disabled", base, geo.IndexOptions{NearBorderMeters: -1}, 0, 200},
		{"nearest disabled", base, geo.IndexOptions{NearestMeters: -1}, 30, 0},
		{"coarse cells", base, geo.IndexOptions{CellsPerItem: 16}, 30, 200},
		{"wide radii (100 m, 2 km)", base, geo.IndexOptions{NearBorderMeters: 100, NearestMeters: 2000}, 100, 2000},
		{"keys are not indexes", spread, geo.IndexOptions{}, 30, 200},
		{"overlapping items", overlap, geo.IndexOptions{}, 30, 200},
		{"nested items, both searches disabled", nested, geo.IndexOptions{NearBorderMeters: -1, NearestMeters: -1, CellsPerItem: 64}, 0, 0},
	}
	for _, c := range cases {
		forLayouts(t, c.name, func(t *testing.T, l layout) {
			flat := l.flat
			ix, err := geo.NewIndex(c.items, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			// At the default density some blocks are uniform (answered from
			// the block array) and some mixed; coarse cells leave none uniform.
			if st := ix.Stats(); flat != (st.Blocks == 0) || !flat && (st.UniformBlocks == st.Blocks || c.opts.CellsPerItem == 0 && st.UniformBlocks == 0) {
				t.Fatalf("flat %v: %d of %d blocks uniform", flat, st.UniformBlocks, st.Blocks)
			}
			if !flat && c.opts.CellsPerItem == 0 && ix.Stats().MaskedBlocks == 0 {
				t.Fatal("no mixed block has a mask: that path is not tested")
			}
			if c.nearM > 0 && ix.Stats().FarCells == 0 {
				t.Fatal("no cell has far sub-cells: that path is not tested")
			}
			if c.nearM > 0 && ix.Stats().RangeCells == 0 {
				t.Fatal("no cell is a range cell: that path is not tested")
			}
			if st := ix.Stats(); !l.plain && st.NarrowLists != (len(c.items) < 1<<16) || l.plain && (st.NarrowLists || st.SpansCells > 0) {
				t.Fatalf("layout %+v: narrow lists %v, %d spans cells", l, st.NarrowLists, st.SpansCells)
			}
			if c.nearM > 0 && !l.flat && !l.plain && ix.Stats().SpansCells == 0 {
				t.Fatal("no cell is a spans cell: that path is not tested")
			}
			if st := ix.Stats(); l.plain != (st.SplitCells == 0) {
				t.Fatalf("layout %+v: %d split cells", l, st.SplitCells)
			}
			pts := geotest.Probes(c.items, 20000, 0.003, 5)
			pts = append(pts, bandProbes(c.items, c.nearM, 20000)...)
			checkBrute(t, ix, pts, c.nearM, c.nearest)
		})
	}
}

// checkBrute fails t unless every point of pts gets bruteLookup's answer
// (metres within a micrometre), through Lookup and LookupTo alike.
func checkBrute(t *testing.T, ix *geo.Index, pts []orb.Point, nearM, nearestM float64) {
	t.Helper()
	bad := 0
	for _, p := range pts {
		got, want := lookupBoth(t, ix, p), bruteLookup(ix, p, nearM, nearestM)
		if got.Key != want.Key || got.Kind != want.Kind || got.NearKey != want.NearKey ||
			math.Abs(got.DistanceM-want.DistanceM) > 1e-6 || math.Abs(got.NearM-want.NearM) > 1e-6 {
			if bad < 10 {
				t.Errorf("%v: got %+v want %+v", p, got, want)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Fatalf("%d of %d points disagree", bad, len(pts))
	}
}

// TestSpansSkipRingGaps: edge ids are the positions of the rings' points
// (ring.go), so the id after a ring's last edge is no edge — read as one it
// would be the segment from that ring's first point to the next ring's
// first point. Here grid 1's last edge (down grid 0's right side to grid
// 1's first point) and grid 2's first edge (along grid 0's top side) are
// two ids apart with the gap between them, and both are in the lists of
// grid 0's cells near its top-right corner; the segment the gap would
// stand for cuts that corner, nearer to those points than either real
// edge, so a span scanning it would give them no near-border neighbour.
// Every point near the corner must match the brute force.
func TestSpansSkipRingGaps(t *testing.T) {
	const u = 0.00001 // degrees, about a metre
	x0, y0 := 120.0, 36.0
	ring := func(xy ...float64) orb.Ring { // closed: the first point again at the end
		r := orb.Ring{}
		for i := 0; i <= len(xy); i += 2 {
			r = append(r, orb.Point{x0 + xy[i%len(xy)]*u, y0 + xy[i%len(xy)+1]*u})
		}
		return r
	}
	items := []geo.Item{
		{Key: 0, Geom: orb.MultiPolygon{{ring(0, 0, 100, 0, 100, 60, 100, 100, 60, 100, 0, 100)}}},
		{Key: 1, Geom: orb.MultiPolygon{{ring(100, 60, 140, 60, 140, 100, 100, 100)}}}, // last edge (100,100)→(100,60)
		{Key: 2, Geom: orb.MultiPolygon{{ring(60, 100, 100, 100, 100, 140, 60, 140)}}}, // first edge (60,100)→(100,100)
	}
	forLayouts(t, "gap", func(t *testing.T, l layout) {
		ix, err := geo.NewIndex(items, geo.IndexOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !l.plain && ix.Stats().RangeCells == 0 {
			t.Fatal("no range cell: the test does not reach them")
		}
		bad, n := 0, 0
		for fx := 50.0; fx < 100; fx += 0.5 {
			for fy := 50.0; fy < 100; fy += 0.5 {
				p := orb.Point{x0 + fx*u, y0 + fy*u}
				got, want := lookupBoth(t, ix, p), bruteLookup(ix, p, 30, 200)
				n++
				if got.Key != want.Key || got.NearKey != want.NearKey || math.Abs(got.NearM-want.NearM) > 1e-6 {
					if bad < 5 {
						t.Errorf("%v: got %+v want %+v", p, got, want)
					}
					bad++
				}
			}
		}
		if bad > 0 {
			t.Fatalf("%d of %d points disagree", bad, n)
		}
	})
}

// lookupBoth is ix.Lookup(p), checked to equal LookupTo's answer written
// over a Match whose every field holds something else (LookupTo must set
// them all: routing reuses one Match for two lookups).
func lookupBoth(t *testing.T, ix *geo.Index, p orb.Point) geo.Match {
	t.Helper()
	m := ix.Lookup(p)
	dirty := geo.Match{Key: 1 << 30, Kind: 7, DistanceM: -1, NearKey: 1 << 29, NearM: -2, OuterKey: 1 << 28, OuterKnown: !m.OuterKnown}
	ix.LookupTo(p[0], p[1], &dirty)
	if dirty != m {
		t.Fatalf("%v: LookupTo over a used Match gives %+v, Lookup %+v", p, dirty, m)
	}
	return m
}

// forLayouts runs f as two subtests: with the raster in blocks (the layout
// of indexes up to 2^22 cells) and flat (the layout of larger ones).
func forLayouts(t *testing.T, name string, f func(t *testing.T, l layout)) {
	t.Run(name+"/blocks", func(t *testing.T) { f(t, layout{}) })
	t.Run(name+"/flat", func(t *testing.T) {
		defer geo.FlatRasterForTest()()
		f(t, layout{flat: true})
	})
	t.Run(name+"/blocks, 32-bit lists, no spans or split cells", func(t *testing.T) {
		defer geo.WideListsForTest()()
		defer geo.NoSpansForTest()()
		defer geo.NoSplitsForTest()()
		f(t, layout{plain: true})
	})
}

// layout is how forLayouts has NewIndex build: flat (else in blocks),
// plain (32-bit lists, no spans or split cells; else as NewIndex chooses).
type layout struct{ flat, plain bool }

func bruteLookup(ix *geo.Index, p orb.Point, nearM, nearestM float64) geo.Match {
	m := geo.Match{Key: -1, NearKey: -1}
	cov := ix.Covering(p)
	keys := ix.Keys()
	best, bd, bc := int32(-1), math.Inf(1), orb.Point{}
	for _, k := range keys {
		if len(cov) > 0 && k == cov[0] {
			continue
		}
		d, c, _ := ix.Distance(k, p)
		if d < bd {
			best, bd, bc = k, d, c
		}
	}
	meters := func() float64 {
		if bd == 0 {
			return 0
		}
		return geo.DistanceMeters(p, bc)
	}
	if len(cov) == 0 {
		if best >= 0 && nearestM > 0 && meters() <= nearestM {
			m.Key, m.Kind, m.DistanceM = best, geo.MatchNearest, meters()
		}
		return m
	}
	m.Key, m.Kind = cov[0], geo.MatchInside
	if d, _, _ := ix.Distance(cov[0], p); d == 0 && onBoundary(ix, cov[0], p) {
		m.Kind = geo.MatchEdge
	}
	if best >= 0 && nearM > 0 && meters() <= nearM {
		m.NearKey, m.NearM = best, meters()
	}
	return m
}

// onBoundary: a covered point is on the item's boundary when nudging it
// never leaves … simpler: use the index's own Match on a one-item index.
func onBoundary(ix *geo.Index, k int32, p orb.Point) bool {
	return ix.OnBoundary(k, p)
}

// TestLookupOuter: cells that no grid answers carry the key of the outer
// index (nested areas) when one key holds for the whole cell, or -1 when
// the outer index matches nothing in the whole cell (outside every area);
// that key is what the outer index answers for every point, and the path
// is taken.
func TestLookupOuter(t *testing.T) {
	// Every third grid left out: gaps inside the raster, as a district
	// has (parks, water, land not yet gridded).
	var grids []geo.Item
	for i, it := range geotest.Partition(300, geotest.Options{Seed: 11}) {
		if i%3 != 0 {
			grids = append(grids, it)
		}
	}
	ext := geo.BoundOf(grids[0].Geom)
	for _, it := range grids {
		ext = ext.Union(geo.BoundOf(it.Geom))
	}
	w, h := ext.Max[0]-ext.Min[0], ext.Max[1]-ext.Min[1]
	sq := func(fx0, fy0, fx1, fy1 float64) orb.MultiPolygon {
		x0, y0 := ext.Min[0]+fx0*w, ext.Min[1]+fy0*h
		x1, y1 := ext.Min[0]+fx1*w, ext.Min[1]+fy1*h
		return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
	}
	// Communities (keys 0, 1) inside a street (2) inside a district (3),
	// reaching well beyond the grids.
	forLayouts(t, "areas beyond the grids", func(t *testing.T, _ layout) {
		testLookupOuter(t, grids, ext, []geo.Item{
			{Key: 0, Geom: sq(-0.3, -0.3, 0.5, 0.5)},
			{Key: 1, Geom: sq(0.5, -0.3, 1.3, 0.5)},
			{Key: 2, Geom: sq(-0.3, -0.3, 1.3, 1.3)},
			{Key: 3, Geom: sq(-0.6, -0.6, 1.6, 1.6)},
		}, false)
	})
	// The district stops at 60 % of the grids' height; a far corner area
	// stretches the outer raster, so above the district the grid cells lie
	// in outer "none" cells, and beyond the corner off the outer raster.
	forLayouts(t, "grids beyond the areas", func(t *testing.T, _ layout) {
		testLookupOuter(t, grids, ext, []geo.Item{
			{Key: 0, Geom: sq(-0.3, -0.3, 0.5, 0.5)},
			{Key: 1, Geom: sq(0.5, -0.3, 1.3, 0.5)},
			{Key: 2, Geom: sq(-0.3, -0.3, 1.3, 0.6)},
			{Key: 3, Geom: sq(-0.6, -0.6, 1.0, 0.6)},
			{Key: 4, Geom: sq(0.9, 0.9, 0.95, 0.95)},
		}, true)
	})
}

func testLookupOuter(t *testing.T, grids []geo.Item, ext orb.Bound, areas []geo.Item, outside bool) {
	w, h := ext.Max[0]-ext.Min[0], ext.Max[1]-ext.Min[1]
	// Outer cells about the size of the grid index's, so that many grid
	// cells straddle two of them.
	outer, err := geo.NewIndex(areas, geo.IndexOptions{NearBorderMeters: -1, NearestMeters: -1, CellsPerItem: 100000})
	if err != nil {
		t.Fatal(err)
	}
	ix, err := geo.NewIndex(grids, geo.IndexOptions{NearestMeters: 20, Outer: outer})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := geo.NewIndex(grids, geo.IndexOptions{NearestMeters: 20})
	if err != nil {
		t.Fatal(err)
	}
	if ix.Stats().OuterCells == 0 {
		t.Fatal("no cell carries an outer key")
	}
	rng := rand.New(rand.NewSource(4))
	known, none := 0, 0
	for i := 0; i < 200000; i++ {
		p := orb.Point{ext.Min[0] - 0.1*w + rng.Float64()*1.2*w, ext.Min[1] - 0.1*h + rng.Float64()*1.2*h}
		switch i % 4 { // half the points within about 10 m of a community boundary
		case 1:
			p[0] = ext.Min[0] + 0.5*w + (rng.Float64()-0.5)*2e-4
		case 2:
			p[1] = ext.Min[1] + 0.5*h + (rng.Float64()-0.5)*2e-4
		}
		got, want := lookupBoth(t, ix, p), plain.Lookup(p)
		if got.Key != want.Key || got.Kind != want.Kind || got.NearKey != want.NearKey || got.DistanceM != want.DistanceM || got.NearM != want.NearM {
			t.Fatalf("%v: %+v, without Outer %+v", p, got, want)
		}
		if !got.OuterKnown {
			continue
		}
		known++
		if got.OuterKey == -1 {
			none++
		}
		if got.Key != -1 || got.OuterKey != outer.Lookup(p).Key {
			t.Fatalf("%v: %+v, outer answers %+v", p, got, outer.Lookup(p))
		}
	}
	if known < 10000 {
		t.Fatalf("only %d of 200000 points took the outer key from the cell", known)
	}
	if outside && none < 10000 || !outside && none > 0 {
		t.Fatalf("%d of 200000 points were known from the cell to be outside every area", none)
	}
}

// bandProbes returns n points within ±5 % of nearM metres of an edge
// (measured along its normal): the points whose near-border answer turns
// on the last metre, where far sub-cells must not claim a point that has
// a neighbour.
func bandProbes(items []geo.Item, nearM float64, n int) []orb.Point {
	if nearM <= 0 {
		return nil
	}
	rng := rand.New(rand.NewSource(9))
	var out []orb.Point
	for len(out) < n {
		r := items[rng.Intn(len(items))].Geom[0][0]
		i := rng.Intn(len(r) - 1)
		a, b := r[i], r[i+1]
		k := math.Cos(a[1] * math.Pi / 180) // metres per degree of longitude ÷ of latitude
		dx, dy := (b[0]-a[0])*k, b[1]-a[1]
		l := math.Hypot(dx, dy)
		if l == 0 {
			continue
		}
		f := rng.Float64()
		m := nearM * (0.95 + 0.1*rng.Float64()) / 111195 // degrees of latitude
		if rng.Intn(2) == 0 {
			m = -m
		}
		out = append(out, orb.Point{a[0] + f*(b[0]-a[0]) - dy/l*m/k, a[1] + f*(b[1]-a[1]) + dx/l*m})
	}
	return out
}

// TestRasterWorkersAgree: the raster classified by one, two or five
// workers (rows taken in chunks, lists interned afterwards in row order)
// is the same index, for several option sets — including nearest and
// near-border searches off, and an outer index.
func TestRasterWorkersAgree(t *testing.T) {
	items := geotest.Partition(1500, geotest.Options{Seed: 11})
	outerIx, err := geo.NewIndex(geotest.Partition(40, geotest.Options{Seed: 12, StepX: 0.012, StepY: 0.01}), geo.IndexOptions{NearBorderMeters: -1, NearestMeters: -1})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []geo.IndexOptions{{}, {NearBorderMeters: -1}, {NearestMeters: -1, NearBorderMeters: 50}, {Outer: outerIx}} {
		var ref *geo.Index
		for _, n := range []int{1, 2, 5} {
			restore := geo.RasterWorkersForTest(n)
			ix, err := geo.NewIndex(items, o)
			restore()
			if err != nil {
				t.Fatal(err)
			}
			if ref == nil {
				ref = ix
				continue
			}
			if same, what := ix.SameForTest(ref); !same {
				t.Errorf("options %+v: %d workers build another index than one worker (%s differ)", o, n, what)
			}
		}
	}
}

// TestAdviseArena: with an Advise function, an index of 1–64 MB moves its
// arrays into one 2 MB-aligned allocation of whole 2 MB pages and advises
// it; the moved index holds the same arrays and answers as one built
// without Advise.
func TestAdviseArena(t *testing.T) {
	items := geotest.Partition(1500, geotest.Options{Seed: 5})
	plain, err := geo.NewIndex(items, geo.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var advised [][]byte
	ix, err := geo.NewIndex(items, geo.IndexOptions{Advise: func(b []byte) { advised = append(advised, b) }})
	if err != nil {
		t.Fatal(err)
	}
	arena := false
	for _, b := range advised {
		start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
		if len(b) >= 2<<20 && len(b)%(2<<20) == 0 && start%(2<<20) == 0 {
			arena = true
		}
	}
	if !arena {
		t.Fatalf("no 2 MB-aligned arena among the %d advised ranges (index of %d bytes)", len(advised), ix.Stats().Bytes)
	}
	if same, what := ix.SameForTest(plain); !same {
		t.Fatalf("the arena index differs from the plain one: %s", what)
	}
	runtime.GC() // the arena is kept alive by the slices into it alone
	for _, p := range geotest.Probes(items, 20000, 0.002, 9) {
		if a, b := ix.Lookup(p), plain.Lookup(p); a != b {
			t.Fatalf("%v: %+v with the arena, %+v without", p, a, b)
		}
	}
}
