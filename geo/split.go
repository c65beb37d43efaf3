package geo

import (
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// Split cells. Most cells an edge touches (generic cells) are crossed by one
// piece of a boundary that two items share: one edge, or two edges meeting
// at a vertex inside the cell. Within the cell that piece is all the
// boundary there is, so it splits the cell into two regions on each of
// which every item's cover is the same — the winding number of every ring
// is constant off its edges — and only a point near the piece itself can
// be decided otherwise by floating point. Such a cell's list becomes a
// split list: the piece (the first edge id of one ring's run, one or two
// edges) and the answer of each region (the candidate covering it, or
// none), measured at build time by the exact test at points of the region.
// A point whose side of the piece is beyond doubt (every orientation
// determinant well above its rounding error) takes its region's answer
// without testing any polygon; any other point (on or within rounding
// distance of the piece, or of the line of one of its two edges) is located
// as in a generic cell. The near-border (or nearest) answer then comes from
// the cell's edge list as for a generic cell.
//
// Why the side decides: the test of a ring (locateRing, PostGIS's winding
// rule) only errs for a point so near one of the ring's edges that the
// orientation determinant of that edge cannot be trusted. Every edge that
// comes within splitSlack of the cell is one of the piece's edges or the
// same segment in another ring (checked at build), so for a point whose
// determinants with the piece are beyond doubt every ring's test is exact,
// and exact winding numbers are constant on each region of the cell. The
// regions are the two sides of one edge, or of two edges meeting at a vertex
// inside the cell whose other ends lie outside it: within the (convex)
// cell the piece is then two rays from that vertex, so the region to the
// left of it is the intersection of the two edges' left half-planes at a
// left turn and their union at a right turn.
//
// List layout (raster.go): kindSplit | n; the piece's first edge id; the
// region word (splitLeft and splitRight: a candidate's position or
// splitNone; splitTwo: two edges; splitTurnLeft: they turn left); then, as
// a generic list, the n candidates, the edge count and the edges.
const (
	kindSplit   = 3
	listSplit   = kindSplit << listKind
	splitNone   = 0x7f // a region covered by no candidate
	splitRightS = 7    // the shift of the right region's candidate
	splitTwo    = 1 << 14
	splitTurnL  = 1 << 15
	// maxSplitCands: candidates a split list can name (7 bits each).
	maxSplitCands = splitNone
	// splitRel: a determinant is beyond doubt when it exceeds this
	// fraction of the sum of its two products' magnitudes (the rounding
	// error of the formula is below 4 ulps of that sum).
	splitRel = 1e-12
)

// noSplits, when set, makes no split cells (tests).
var noSplits = false

// sideSure is the orientation determinant of (x, y) against the edge a→b, in
// the operation order of locateRing (positive: left of the edge), and
// whether its sign is beyond doubt.
func sideSure(ax, ay, bx, by, x, y float64) (float64, bool) {
	l := float64((bx - ax) * (y - ay))
	r := float64((x - ax) * (by - ay))
	s := l - r
	return s, math.Abs(s) > splitRel*(math.Abs(l)+math.Abs(r))
}

// splitSide is the region of a split list's piece (first edge e, region
// word w) that (x, y) lies in: the candidate's position in the list or
// splitNone, and false when the point's side is in doubt.
func (ix *Index) splitSide(e int, w uint32, x, y float64) (uint32, bool) {
	v := ix.verts[e : e+2 : e+2]
	s1, ok1 := sideSure(v[0][0], v[0][1], v[1][0], v[1][1], x, y)
	left := s1 > 0
	if w&splitTwo != 0 {
		c := ix.verts[e+2]
		s2, ok2 := sideSure(v[1][0], v[1][1], c[0], c[1], x, y)
		if !ok2 {
			return 0, false
		}
		if w&splitTurnL != 0 {
			left = left && s2 > 0
		} else {
			left = left || s2 > 0
		}
	}
	if !ok1 {
		return 0, false
	}
	if left {
		return w & splitNone, true
	}
	return w >> splitRightS & splitNone, true
}

// markSplits turns the generic lists of cells crossed by one shared piece
// of boundary into split lists (build time, on the flat raster, before
// packBlocks). The cells are judged in parallel, a window at a time, and
// their lists interned in cell order, so the index does not depend on the
// number of workers.
func (ix *Index) markSplits() {
	// Only small indexes (16-bit lists: district-sized) get split cells:
	// in the 14,780-grid city they added a sixth to the index's memory and
	// a third to its build time, and measured no faster.
	if noSplits || ix.blocks != nil || len(ix.lists) == 0 || len(ix.items) > 1<<16 || ix.edgeIDs() > 1<<16 {
		return
	}
	cs := 1 / ix.inv
	type judged struct {
		c    int
		e    int32
		w    uint32
		keep bool
	}
	var todo []judged
	workers := min(runtime.GOMAXPROCS(0), maxRasterWorkers)
	if rasterWorkers > 0 {
		workers = rasterWorkers
	}
	// A split list is its generic list's offset, piece and region word:
	// cells with the same three share one. New lists go to extra, after
	// the others.
	interned := map[[3]uint32]uint32{}
	base := uint32(len(ix.lists))
	var extra []int32
	changed := false
	for c0 := 0; c0 < len(ix.cells); c0 += splitWindow {
		todo = todo[:0]
		for c := c0; c < min(c0+splitWindow, len(ix.cells)); c++ {
			if v := ix.cells[c]; ix.isList(v) && ix.lists[v]&^listCount == listGeneric {
				todo = append(todo, judged{c: c})
			}
		}
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					k0 := int(next.Add(splitChunk)) - splitChunk
					if k0 >= len(todo) {
						return
					}
					for k := k0; k < min(k0+splitChunk, len(todo)); k++ {
						j := &todo[k]
						cx, cy := j.c%ix.nx, j.c/ix.nx
						e, w, ok := ix.splitOf(ix.cells[j.c], ix.gx0+float64(cx)*cs, ix.gy0+float64(cy)*cs, cs)
						j.e, j.w, j.keep = int32(e), w, ok
					}
				}
			}()
		}
		wg.Wait()
		for _, j := range todo {
			if !j.keep {
				continue
			}
			v := ix.cells[j.c]
			key := [3]uint32{v, uint32(j.e), j.w}
			off, seen := interned[key]
			if !seen {
				off = base + uint32(len(extra))
				if off >= cellSpans { // no room for more lists in a cell word
					continue
				}
				n := uint32(ix.lists[v] & listCount)
				extra = append(extra, int32(n)|listSplit, j.e, int32(j.w))
				extra = append(extra, ix.lists[v+1:v+ix.listLen(v)]...)
				interned[key] = off
			}
			ix.cells[j.c] = off
			changed = true
		}
	}
	ix.lists = append(ix.lists, extra...)
	if changed {
		ix.compactLists()
	}
}

const (
	splitWindow = 1 << 16 // cells judged per parallel pass (markSplits)
	splitChunk  = 256     // cells a worker takes at a time
)

// splitLattice is the 9 × 9 lattice of a cell's points (in cell sides),
// the 3 × 3 coarse points first (splitOf).
var splitLattice = func() (l [81][2]float64) {
	k := 0
	for pass := range 2 {
		for iy := range 9 {
			for jx := range 9 {
				if coarse := iy%4 == 0 && jx%4 == 0; coarse == (pass == 0) {
					l[k] = [2]float64{0.05 + 0.1125*float64(jx), 0.05 + 0.1125*float64(iy)}
					k++
				}
			}
		}
	}
	return l
}()

// splitSlack is how far (in cell sides) from a cell an edge counts as
// touching it for split cells: well beyond the rounding of a point's cell.
const splitSlack = 1e-6

// splitOf decides whether the cell [x0, x0+cs] × [y0, y0+cs] with generic
// list v is a split cell, and returns its piece and region word.
func (ix *Index) splitOf(v uint32, x0, y0, cs float64) (int, uint32, bool) {
	n := ix.lists[v] & listCount
	cands := ix.lists[v+1 : v+1+uint32(n)]
	if n == 0 || n > maxSplitCands {
		return 0, 0, false
	}
	d := cs * splitSlack
	rx0, ry0, rx1, ry1 := x0-d, y0-d, x0+cs+d, y0+cs+d
	// The edges touching the grown cell (from their rings' y buckets),
	// in id order.
	var touch [8]int32
	nt := 0
	var owner [maxSplitCands]bool // the candidates with a touching edge
	for ci, i := range cands {
		it := &ix.items[i]
		if it.maxX < rx0 || it.minX > rx1 || it.maxY < ry0 || it.minY > ry1 {
			continue
		}
		for p := it.p0; p < it.p1; p++ {
			pp := ix.polys[p]
			for r := pp.r0; r < pp.r1; r++ {
				rg := &ix.rings[r]
				if rg.maxX < rx0 || rg.minX > rx1 || rg.maxY < ry0 || rg.minY > ry1 {
					continue
				}
				for b := rg.bucket(ry0); b <= rg.bucket(ry1); b++ {
					s, t := ix.bstart[int(rg.bOff)+b], ix.bstart[int(rg.bOff)+b+1]
					for _, e := range ix.bedge[s:t] {
						g := ix.edge(int(e))
						if min(g.ax, g.bx) > rx1 || max(g.ax, g.bx) < rx0 || min(g.ay, g.by) > ry1 || max(g.ay, g.by) < ry0 ||
							!segTouchesRect(g, rx0, ry0, rx1, ry1) || slices.Contains(touch[:nt], e) {
							continue // an edge of several buckets is met more than once
						}
						if nt == len(touch) {
							return 0, 0, false
						}
						touch[nt] = e
						nt++
						owner[ci] = true
					}
				}
			}
		}
	}
	if nt == 0 {
		return 0, 0, false
	}
	slices.Sort(touch[:nt])
	// The piece: the first touching edge's run (one or two consecutive
	// edges of one ring); every other touching edge is one of its
	// segments in another ring.
	e0 := touch[0]
	k := 1
	if nt > 1 && touch[1] == e0+1 && ix.eitem[e0+1] == ix.eitem[e0] {
		k = 2
	}
	inPiece := func(e int32) bool {
		g := ix.edge(int(e))
		for j := e0; j < e0+int32(k); j++ {
			h := ix.edge(int(j))
			if g == h || g.ax == h.bx && g.ay == h.by && g.bx == h.ax && g.by == h.ay {
				return true
			}
		}
		return false
	}
	for _, e := range touch[k:nt] {
		if !inPiece(e) {
			return 0, 0, false
		}
	}
	in := func(p [2]float64, m float64) bool {
		return p[0] >= rx0-m && p[0] <= rx1+m && p[1] >= ry0-m && p[1] <= ry1+m
	}
	a, b := ix.verts[e0], ix.verts[e0+int32(k)]
	if in(a, 0) || in(b, 0) {
		return 0, 0, false // the piece ends in the cell
	}
	var w uint32
	if k == 2 {
		mid := ix.verts[e0+1]
		if !in(mid, -2*d) { // the vertex must be inside the cell
			return 0, 0, false
		}
		t, ok := sideSure(a[0], a[1], mid[0], mid[1], b[0], b[1])
		if !ok {
			return 0, 0, false
		}
		w |= splitTwo
		if t > 0 {
			w |= splitTurnL
		}
	}
	// Each region's answer, at the first point of a 9 × 9 lattice of the
	// cell (coarse points first) that lies in the region, beyond doubt and
	// not near the piece: the cover is the same at every point of a region
	// (see above; TestSplitCellsNearPiece checks it), and a region with no
	// such point leaves the cell generic.
	// The candidates without a touching edge cover all of the cell or
	// none of it (no edge of theirs comes near): one test at the centre.
	fixed, nFixed := uint32(splitNone), 0
	for ci, i := range cands {
		if owner[ci] {
			continue
		}
		switch ix.locate(&ix.items[i], x0+cs/2, y0+cs/2) {
		case locBoundary:
			return 0, 0, false
		case locInside:
			fixed = min(fixed, uint32(ci))
			nFixed++
		}
	}
	region := [2]uint32{0xff, 0xff} // left, right; 0xff: not seen
	for _, q := range splitLattice {
		px, py := x0+cs*q[0], y0+cs*q[1]
		r, ok := ix.splitSide(int(e0), w|1<<splitRightS, px, py) // left 0, right 1
		if !ok || region[r] != 0xff || ix.pieceDist(int(e0), k, px, py) < cs*1e-3 {
			continue
		}
		if region[r], ok = ix.regionAnswer(cands, owner[:n], fixed, nFixed, px, py); !ok {
			return 0, 0, false
		}
		if region[1-r] != 0xff {
			break
		}
	}
	if region[0] == 0xff || region[1] == 0xff {
		return 0, 0, false
	}
	return int(e0), w | region[0] | region[1]<<splitRightS, true
}

// regionAnswer is the position in cands of the candidate covering (x, y),
// or splitNone; false when the point is on a boundary or, with the
// near-border search on, more than one candidate covers it. Only the
// owners (the candidates with an edge touching the cell) are tested; the
// others cover all of the cell or none of it, fixed is the first of them
// that covers it (or splitNone) and nFixed their number.
func (ix *Index) regionAnswer(cands []int32, owner []bool, fixed uint32, nFixed int, x, y float64) (uint32, bool) {
	ans, cover := fixed, nFixed
	for k, i := range cands {
		if !owner[k] {
			continue
		}
		switch ix.locate(&ix.items[i], x, y) {
		case locBoundary:
			return 0, false
		case locInside:
			ans = min(ans, uint32(k))
			cover++
		}
	}
	if cover > 1 && ix.nearM > 0 {
		return 0, false
	}
	return ans, true
}

// pieceDist is the planar distance from (x, y) to the piece's k edges from e.
func (ix *Index) pieceDist(e, k int, x, y float64) float64 {
	d := inf
	for j := e; j < e+k; j++ {
		g := ix.edge(j)
		dd, _, _ := segDist(x, y, g.ax, g.ay, g.bx, g.by)
		d = min(d, dd)
	}
	return d
}

// segTouchesRect reports whether edge g meets the closed rectangle
// (Liang–Barsky clipping).
func segTouchesRect(g edge, x0, y0, x1, y1 float64) bool {
	t0, t1 := 0.0, 1.0
	dx, dy := g.bx-g.ax, g.by-g.ay
	for _, c := range [4][2]float64{{-dx, g.ax - x0}, {dx, x1 - g.ax}, {-dy, g.ay - y0}, {dy, y1 - g.ay}} {
		p, q := c[0], c[1]
		if p == 0 {
			if q < 0 {
				return false
			}
			continue
		}
		t := q / p
		if p < 0 {
			if t > t1 {
				return false
			}
			t0 = max(t0, t)
		} else {
			if t < t0 {
				return false
			}
			t1 = min(t1, t)
		}
	}
	return t0 <= t1
}
