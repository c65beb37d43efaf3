package geo

import "github.com/paulmach/orb"

// Location of a point relative to a ring or an item.
const (
	locOutside  = 0
	locInside   = 1
	locBoundary = 2
)

// edge is one edge of a ring, from (ax, ay) to (bx, by) in ring order
// (Index.edge).
//
// Index.verts holds every ring's points once, rings in item order, then
// ring order, each ring closed (its last point repeats the first): edge e
// runs from verts[e] to verts[e+1], so edge ids follow the order PostGIS
// visits edges (item, ring, vertex) and an ascending list of edge ids is
// also ascending by item (lowest key first). The id of a ring's last point
// is no edge (the gap between rings): Index.eitem, the item (index in
// Index.items) of each edge, holds -1 there, and no list, span or bucket
// names it. Point location, distances and the raster's lists all read the
// points: 16 bytes an edge instead of a 32-byte record (the demo district:
// 1.14 → 0.59 MB), and the index keeps no second copy of the geometry, so
// more of it stays in cache.
type edge struct {
	ax, ay, bx, by float64
}

// edge returns edge e (an id that is no gap).
func (ix *Index) edge(e int) edge {
	v := ix.verts[e : e+2 : e+2]
	return edge{v[0][0], v[0][1], v[1][0], v[1][1]}
}

// edgeIDs is the number of edge ids, gaps included: every id is below it.
func (ix *Index) edgeIDs() int { return len(ix.verts) }

// ringIx is a ring prepared for point location: its bounding box and the
// ids of its edges bucketed by y (Index.bedge). Bucket b covers y in
// [y0 + b/invH, y0 + (b+1)/invH); an edge is stored in every bucket its
// closed y-range touches, where the bucket of a y is computed by the same
// monotone function at build and at query time, so a query looks at one
// bucket and never misses an edge whose y-range holds the query's y.
type ringIx struct {
	minX, minY, maxX, maxY float64
	y0, invH               float64
	nb                     int32 // number of buckets (≥ 1)
	bOff                   int32 // first entry in Index.bstart (nb+1 entries)
	e0, e1                 int32 // edges [e0, e1) in Index.edges
}

type polyIx struct{ r0, r1 int32 } // rings [r0, r1) in Index.rings; r0 is the shell

func (r *ringIx) bucket(y float64) int {
	b := int((y - r.y0) * r.invH)
	if b < 0 || y != y { // y != y: NaN
		return 0
	}
	if b >= int(r.nb) {
		return int(r.nb) - 1
	}
	return b
}

// addRing appends a prepared ring of item (an index in ix.items) to ix
// (build time).
func (ix *Index) addRing(rg orb.Ring, item int32) {
	r := ringIx{e0: int32(len(ix.verts))}
	b := BoundOf(orb.MultiPolygon{{rg}})
	r.minX, r.minY, r.maxX, r.maxY = b.Min[0], b.Min[1], b.Max[0], b.Max[1]
	n := len(rg) - 1
	if n < 0 {
		n = 0
	}
	for i := 0; i < n; i++ {
		ix.verts = append(ix.verts, rg[i])
		ix.eitem = append(ix.eitem, item)
	}
	r.e1 = int32(len(ix.verts))
	if len(rg) > 0 {
		ix.verts = append(ix.verts, rg[n]) // the gap
		ix.eitem = append(ix.eitem, -1)
	}
	nb := 1
	if n > 8 {
		nb = n / 3
	}
	h := r.maxY - r.minY
	r.y0 = r.minY
	if h > 0 && nb > 1 {
		r.invH = float64(nb) / h
	} else {
		nb = 1
		r.invH = 0
	}
	r.nb = int32(nb)
	// Count, then fill (CSR layout).
	counts := make([]uint32, nb)
	for i := 0; i < n; i++ {
		a, c := rg[i], rg[i+1]
		lo, hi := r.bucket(min(a[1], c[1])), r.bucket(max(a[1], c[1]))
		for b := lo; b <= hi; b++ {
			counts[b]++
		}
	}
	r.bOff = int32(len(ix.bstart))
	start := uint32(len(ix.bedge))
	for b := 0; b < nb; b++ {
		ix.bstart = append(ix.bstart, start)
		start += counts[b]
	}
	ix.bstart = append(ix.bstart, start)
	fill := make([]uint32, nb)
	for b := 0; b < nb; b++ {
		fill[b] = ix.bstart[int(r.bOff)+b]
	}
	ix.bedge = append(ix.bedge, make([]int32, int(start)-len(ix.bedge))...)
	for i := 0; i < n; i++ {
		a, c := rg[i], rg[i+1]
		lo, hi := r.bucket(min(a[1], c[1])), r.bucket(max(a[1], c[1]))
		for b := lo; b <= hi; b++ {
			ix.bedge[fill[b]] = r.e0 + int32(i)
			fill[b]++
		}
	}
	ix.rings = append(ix.rings, r)
}

// locateRing tells whether (x, y) is outside, inside or on the boundary of
// ring r, with the winding-number rule of PostGIS point-in-polygon (the
// interval-tree test behind ST_Covers/ST_Intersects for a point): for each
// edge whose closed y-range holds y, side = (x2−x1)(y−y1) − (x−x1)(y2−y1)
// in plain double arithmetic; side == 0 with the point inside the edge's
// bounding box is the boundary; an upward edge (y1 ≤ y < y2) with side > 0
// adds one, a downward edge (y2 ≤ y < y1) with side < 0 subtracts one;
// a non-zero winding number is inside.
func (ix *Index) locateRing(r *ringIx, x, y float64) int {
	if x < r.minX || x > r.maxX || y < r.minY || y > r.maxY {
		return locOutside
	}
	b := int(r.bOff) + r.bucket(y)
	s, e := ix.bstart[b], ix.bstart[b+1]
	wn := 0
	for _, id := range ix.bedge[s:e] {
		g := ix.edge(int(id))
		if y < g.ay && y < g.by || y > g.ay && y > g.by {
			continue
		}
		side := float64((g.bx-g.ax)*(y-g.ay)) - float64((x-g.ax)*(g.by-g.ay))
		if side == 0 {
			if x >= min(g.ax, g.bx) && x <= max(g.ax, g.bx) {
				return locBoundary
			}
		}
		if g.ay <= y && y < g.by && side > 0 {
			wn++
		} else if g.by <= y && y < g.ay && side < 0 {
			wn--
		}
	}
	if wn != 0 {
		return locInside
	}
	return locOutside
}

// ringDist is the PostGIS planar distance (degrees) from (x, y) to the edges
// of ring r, looking only at edges whose y-range comes within lim of y
// (lim = +Inf: every edge); +Inf when none does.
func (ix *Index) ringDist(r *ringIx, x, y, lim float64) (d, cx, cy float64) {
	d = inf
	if r.nb == 1 || lim >= r.maxY-r.minY {
		for i := r.e0; i < r.e1; i++ {
			g := ix.edge(int(i))
			if far := d * (1 + 1e-9); min(g.ax, g.bx)-x > far || x-max(g.ax, g.bx) > far || min(g.ay, g.by)-y > far || y-max(g.ay, g.by) > far {
				continue // see below
			}
			if dd, qx, qy := segDist(x, y, g.ax, g.ay, g.bx, g.by); dd < d {
				d, cx, cy = dd, qx, qy
			}
		}
		return d, cx, cy
	}
	lo, hi := r.bucket(y-lim), r.bucket(y+lim)
	for b := lo; b <= hi; b++ {
		s, e := ix.bstart[int(r.bOff)+b], ix.bstart[int(r.bOff)+b+1]
		for _, id := range ix.bedge[s:e] {
			g := ix.edge(int(id))
			// An edge whose box lies farther in x than the best distance
			// so far (with room for rounding) cannot be nearer.
			if far := d * (1 + 1e-9); min(g.ax, g.bx)-x > far || x-max(g.ax, g.bx) > far {
				continue
			}
			if dd, qx, qy := segDist(x, y, g.ax, g.ay, g.bx, g.by); dd < d {
				d, cx, cy = dd, qx, qy
			}
		}
	}
	return d, cx, cy
}

// ringEdgesNear appends to dst the ids of the edges of ring r whose planar
// distance to (x, y) is at most lim (build time; may append an id twice).
func (ix *Index) ringEdgesNear(dst []int32, r *ringIx, x, y, lim float64) []int32 {
	if max(r.minX-x, 0, x-r.maxX) > lim || max(r.minY-y, 0, y-r.maxY) > lim {
		return dst
	}
	lo, hi := r.bucket(y-lim), r.bucket(y+lim)
	// An edge whose box is farther than lim (with room for rounding) is
	// not within lim: skipped without segDist's division.
	far := lim * (1 + 1e-6)
	for b := lo; b <= hi; b++ {
		s, e := ix.bstart[int(r.bOff)+b], ix.bstart[int(r.bOff)+b+1]
		for _, id := range ix.bedge[s:e] {
			g := ix.edge(int(id))
			if min(g.ax, g.bx)-x > far || x-max(g.ax, g.bx) > far {
				continue
			}
			if d, _, _ := segDist(x, y, g.ax, g.ay, g.bx, g.by); d <= lim {
				dst = append(dst, id)
			}
		}
	}
	return dst
}
