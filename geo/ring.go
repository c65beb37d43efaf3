package geo

import "github.com/paulmach/orb"

// Location of a point relative to a ring or an item.
const (
	locOutside  = 0
	locInside   = 1
	locBoundary = 2
)

// seg is one edge of a ring, from (x1, y1) to (x2, y2), in ring order.
type seg struct{ x1, y1, x2, y2 float64 }

// edge is one edge of a ring with the index (in Index.items) of the item
// it belongs to. Index.edges holds every edge once, in item order, then
// ring order, then vertex order — the order PostGIS visits them — so an
// ascending list of edge ids is also ascending by item (lowest key first).
type edge struct {
	ax, ay, bx, by float64
	item           int32
}

// ringIx is a ring prepared for point location: its bounding box and its
// edges bucketed by y. Bucket b covers y in [y0 + b/invH, y0 + (b+1)/invH);
// an edge is stored in every bucket its closed y-range touches, where the
// bucket of a y is computed by the same monotone function at build and at
// query time, so a query looks at one bucket and never misses an edge whose
// y-range holds the query's y.
type ringIx struct {
	minX, minY, maxX, maxY float64
	y0, invH               float64
	nb                     int32 // number of buckets (≥ 1)
	bOff                   int32 // first entry in Index.bstart (nb+1 entries)
	v0, v1                 int32 // vertices in Index.verts
	e0                     int32 // first edge in Index.edges (v1-v0-1 edges)
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
	r := ringIx{v0: int32(len(ix.verts)), e0: int32(len(ix.edges))}
	ix.verts = append(ix.verts, rg...)
	r.v1 = int32(len(ix.verts))
	b := BoundOf(orb.MultiPolygon{{rg}})
	r.minX, r.minY, r.maxX, r.maxY = b.Min[0], b.Min[1], b.Max[0], b.Max[1]
	n := len(rg) - 1
	if n < 0 {
		n = 0
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
	start := uint32(len(ix.segs))
	for b := 0; b < nb; b++ {
		ix.bstart = append(ix.bstart, start)
		start += counts[b]
	}
	ix.bstart = append(ix.bstart, start)
	fill := make([]uint32, nb)
	for b := 0; b < nb; b++ {
		fill[b] = ix.bstart[int(r.bOff)+b]
	}
	ix.segs = append(ix.segs, make([]seg, int(start)-len(ix.segs))...)
	ix.segE = append(ix.segE, make([]int32, int(start)-len(ix.segE))...)
	for i := 0; i < n; i++ {
		a, c := rg[i], rg[i+1]
		ix.edges = append(ix.edges, edge{a[0], a[1], c[0], c[1], item})
		lo, hi := r.bucket(min(a[1], c[1])), r.bucket(max(a[1], c[1]))
		for b := lo; b <= hi; b++ {
			ix.segs[fill[b]] = seg{a[0], a[1], c[0], c[1]}
			ix.segE[fill[b]] = r.e0 + int32(i)
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
	for _, g := range ix.segs[s:e] {
		if y < g.y1 && y < g.y2 || y > g.y1 && y > g.y2 {
			continue
		}
		side := float64((g.x2-g.x1)*(y-g.y1)) - float64((x-g.x1)*(g.y2-g.y1))
		if side == 0 {
			if x >= min(g.x1, g.x2) && x <= max(g.x1, g.x2) {
				return locBoundary
			}
		}
		if g.y1 <= y && y < g.y2 && side > 0 {
			wn++
		} else if g.y2 <= y && y < g.y1 && side < 0 {
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
		vs := ix.verts[r.v0:r.v1]
		for i := 0; i+1 < len(vs); i++ {
			a, c := vs[i], vs[i+1]
			if dd, qx, qy := segDist(x, y, a[0], a[1], c[0], c[1]); dd < d {
				d, cx, cy = dd, qx, qy
			}
		}
		return d, cx, cy
	}
	lo, hi := r.bucket(y-lim), r.bucket(y+lim)
	for b := lo; b <= hi; b++ {
		s, e := ix.bstart[int(r.bOff)+b], ix.bstart[int(r.bOff)+b+1]
		for _, g := range ix.segs[s:e] {
			if dd, qx, qy := segDist(x, y, g.x1, g.y1, g.x2, g.y2); dd < d {
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
	for b := lo; b <= hi; b++ {
		s, e := ix.bstart[int(r.bOff)+b], ix.bstart[int(r.bOff)+b+1]
		for k := s; k < e; k++ {
			g := &ix.segs[k]
			if d, _, _ := segDist(x, y, g.x1, g.y1, g.x2, g.y2); d <= lim {
				dst = append(dst, ix.segE[k])
			}
		}
	}
	return dst
}
