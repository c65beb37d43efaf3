package demo

import "github.com/paulmach/orb"

// trace returns the geometry of every label 0..n-1 as the union of its
// cells, traced combinatorially from the cell edges that separate it from
// other labels (no floating-point clipping: every vertex is a lattice
// vertex). Rules, so that the result is OGC-valid and RFC 7946-oriented:
//
//   - each 4-connected component of a label becomes one polygon; shells are
//     counter-clockwise, holes clockwise; polygons are ordered by their
//     lowest cell index, holes by discovery;
//   - at a vertex where the label touches itself only diagonally, the two
//     cells are joined at the point when they belong to the same component
//     (the hole beyond then touches the shell at one point, which is valid)
//     and kept apart otherwise (two shells touching at one point, valid in a
//     MultiPolygon). So no ring ever passes a vertex twice.
//
// Rings repeat their first point at the end.
func (l *lattice) trace(label []int32, n int) []orb.MultiPolygon {
	comp, nc := l.components(label)
	compLabel := make([]int32, nc)
	for c, k := range comp {
		if k >= 0 {
			compLabel[k] = label[c]
		}
	}
	shells := make([]orb.Ring, nc)
	holes := make([][]orb.Ring, nc)
	in := func(c int, lab int32) bool { return c >= 0 && label[c] == lab }
	seen := make([]uint8, len(label)) // bit s: edge (c, s) traced
	for c := range label {
		lab := label[c]
		if lab < 0 {
			continue
		}
		for s := 0; s < 4; s++ {
			if seen[c]&(1<<s) != 0 || in(l.nb(c, (s+3)%4), lab) {
				continue
			}
			var ring orb.Ring
			x, t := c, s
			for {
				seen[x] |= 1 << t
				ring = append(ring, l.corner(x, t))
				f := l.nb(x, t)
				fr := -1
				if f >= 0 {
					fr = l.nb(f, (t+3)%4)
				}
				inF, inFR := in(f, lab), in(fr, lab)
				switch {
				case inF && inFR:
					x, t = fr, (t+3)%4
				case inF:
					x = f
				case inFR && comp[fr] == comp[x]:
					x, t = fr, (t+3)%4
				default:
					t = (t + 1) % 4
				}
				if x == c && t == s {
					break
				}
			}
			ring = append(ring, ring[0])
			k := comp[c]
			if signedArea(ring) > 0 {
				shells[k] = ring
			} else {
				holes[k] = append(holes[k], ring)
			}
		}
	}
	out := make([]orb.MultiPolygon, n)
	for k := 0; k < nc; k++ {
		p := append(orb.Polygon{shells[k]}, holes[k]...)
		out[compLabel[k]] = append(out[compLabel[k]], p)
	}
	return out
}

// signedArea is twice the signed shoelace area (positive: counter-clockwise).
func signedArea(r orb.Ring) float64 {
	a := 0.0
	for i := 0; i+1 < len(r); i++ {
		a += (r[i][0]-r[0][0])*(r[i+1][1]-r[0][1]) - (r[i+1][0]-r[0][0])*(r[i][1]-r[0][1])
	}
	return a
}
