package geo

import (
	"math"
	"math/bits"
)

// Far sub-cells. A known cell (one item covers all of it, other items'
// edges come within the near-border radius of some of its points) is split
// into farNX × farNY sub-cells; a sub-cell every point of which is farther
// than the near-border radius, in metres, from every listed edge is "far":
// a point there is answered from the cell word alone (the covering item,
// MatchInside, no neighbour), exactly as the list would answer it. Such a
// cell's word is cellFar | mask<<farBits | item, and its list offset moves
// to a small open-addressing table (farTab), read only when the point's
// sub-cell is not far; a cell all of whose sub-cells are far becomes
// direct. The block masks (blocks.go) take the far sub-cells in; then a
// far cell whose list qualifies as an edge-id span becomes a range cell
// (ranges.go) and leaves farTab. The item takes as few bits as the item
// count needs and the mask
// the rest of the 30 (5 × 5 sub-cells up to 32 items, 5 × 4 up to 1,024,
// 4 × 4 up to 16,384, 4 × 3 up to 65,536, 3 × 3 up to 2^21; beyond, no
// far cells, though known cells all of whose points are far still become
// direct). BenchmarkLookup reports
// the share of far cells; docs/benchmarks.md the share of lookups they
// answer in one read.
const cellFar = cellDirect | cellOuter // both kind bits: a known cell with far sub-cells

// farShape returns the item bits and the sub-cell grid of far cells for n
// items (nx = 0: no far cells).
func farShape(n int) (itemBits uint8, nx, ny int) {
	b := max(bits.Len(uint(max(n-1, 0))), 1)
	free := 30 - b
	for _, s := range [][2]int{{5, 5}, {5, 4}, {4, 4}, {4, 3}, {3, 3}, {3, 2}, {2, 2}} {
		if s[0]*s[1] <= free {
			return uint8(b), s[0], s[1]
		}
	}
	return uint8(b), 0, 0
}

// subCell is the index (row-major) of the sub-cell of (fx, fy), the point's
// raster coordinates in cells, within cell (cx, cy). markFar checks each
// sub-cell's square with slack for the rounding of this arithmetic.
func (ix *Index) subCell(fx, fy float64, cx, cy int) uint {
	sx := int((fx - float64(cx)) * float64(ix.farNX))
	sy := int((fy - float64(cy)) * float64(ix.farNY))
	sx = min(max(sx, 0), int(ix.farNX)-1)
	sy = min(max(sy, 0), int(ix.farNY)-1)
	return uint(sy*int(ix.farNX) + sx)
}

// markFar gives known cells with far sub-cells their far word, and makes
// direct the known cells all of whose points are far (build time). cosLat
// is the cosine of the largest latitude of the raster (or less).
//
// "Far" is decided in metres, not degrees: a point's neighbour is reported
// when the metres to its planar-nearest other item are within the radius,
// and those metres are at least the smallest distance in metres from the
// point to any listed edge; with x scaled by cosLat, the Euclidean distance
// in degrees of latitude is a lower bound of the great-circle distance
// (cos φ ≥ cosLat at both ends; the haversine exceeds it at these sizes).
// The planar radius nearDeg, by contrast, must reach 30 m east–west at the
// highest latitude, so in degrees it is up to a quarter wider north–south
// than needed.
func (ix *Index) markFar(cosLat float64) {
	itemBits, nx, ny := farShape(len(ix.items))
	if ix.nearM <= 0 {
		return
	}
	if nx == 0 { // no room for a mask: only whole cells become direct
		nx, ny = 1, 1
	} else {
		ix.farBits, ix.farNX, ix.farNY = itemBits, uint8(nx), uint8(ny)
	}
	full := uint32(1)<<(nx*ny) - 1
	cs := 1 / ix.inv
	// Half the sub-cell's diagonal, x scaled; a point's sub-cell comes from
	// rounded arithmetic, so it may lie a few ulps outside the sub-cell's
	// nominal rectangle: 1e-9° of slack covers it.
	half := math.Hypot(cosLat*cs/float64(nx), cs/float64(ny))/2*(1+1e-6) + 1e-9
	lim := ix.nearM / metersPerDegree * (1 + 1e-4)
	cellHalf := math.Hypot(cosLat*cs, cs) / 2 * (1 + 1e-6)
	type far struct{ c, off uint32 }
	var fars []far
	for c, v := range ix.cells {
		if v&(cellDirect|cellOuter) != 0 || v == cellNone {
			continue
		}
		hdr := ix.lists[v]
		if hdr&^listCount != listKnown {
			continue
		}
		es := ix.lists[v+2 : v+2+uint32(hdr&listCount)]
		cx, cy := c%ix.nx, c/ix.nx
		// An edge within lim of every point of the cell leaves no sub-cell
		// far: one distance instead of one per sub-cell.
		cpx, cpy := cosLat*(ix.gx0+(float64(cx)+0.5)*cs), ix.gy0+(float64(cy)+0.5)*cs
		if ix.anyEdgeCovers(es, cpx, cpy, cosLat, cellHalf, lim) {
			continue
		}
		var mask uint32
		for sy := 0; sy < ny; sy++ {
			py := ix.gy0 + (float64(cy)+(float64(sy)+0.5)/float64(ny))*cs
			for sx := 0; sx < nx; sx++ {
				px := cosLat * (ix.gx0 + (float64(cx)+(float64(sx)+0.5)/float64(nx))*cs)
				isFar := true
				for _, e := range es {
					g := ix.edge(int(e))
					if d, _, _ := segDist(px, py, cosLat*g.ax, g.ay, cosLat*g.bx, g.by); d-half <= lim {
						isFar = false
						break
					}
				}
				if isFar {
					mask |= 1 << (sy*nx + sx)
				}
			}
		}
		switch {
		case mask == full:
			ix.cells[c] = cellDirect | uint32(ix.lists[v+1])
		case mask != 0 && ix.farNX > 0:
			fars = append(fars, far{uint32(c), v})
			ix.cells[c] = cellFar | mask<<itemBits | uint32(ix.lists[v+1])
		}
	}
	entries := make([]uint64, len(fars))
	for i, f := range fars {
		entries[i] = uint64(f.c+1)<<32 | uint64(f.off)
	}
	ix.buildFarTab(entries)
}

// buildFarTab puts the entries ((cell+1)<<32 | offset) in a new farTab;
// none: no table.
func (ix *Index) buildFarTab(entries []uint64) {
	if len(entries) == 0 {
		return
	}
	// About 70 % full: linear probing then reads 2.2 slots on average,
	// usually in one cache line.
	ix.farTab = make([]uint64, len(entries)*10/7+1)
	for _, e := range entries {
		i := ix.farSlot(uint32(e>>32) - 1)
		for ix.farTab[i] != 0 {
			if i++; i == len(ix.farTab) {
				i = 0
			}
		}
		ix.farTab[i] = e
	}
}

// anyEdgeCovers reports whether some edge of es is within lim of every
// point of the disc of radius cellHalf around (px, py), x scaled by cosLat
// (px too): then no sub-cell of the cell is far. The margins make up for
// the rounding of the triangle inequality.
func (ix *Index) anyEdgeCovers(es []int32, px, py, cosLat, cellHalf, lim float64) bool {
	for _, e := range es {
		g := ix.edge(int(e))
		if d, _, _ := segDist(px, py, cosLat*g.ax, g.ay, cosLat*g.bx, g.by); d+cellHalf+1e-9 < lim*(1-1e-6) {
			return true
		}
	}
	return false
}

// farSlot is the home slot of cell c in farTab: a multiplicative hash
// scaled to the table's length.
func (ix *Index) farSlot(c uint32) int {
	return int(uint64(c*0x9E3779B1) * uint64(len(ix.farTab)) >> 32)
}

// farList is the list offset of far cell c (present: markFar put it).
func (ix *Index) farList(c uint32) uint32 {
	for i := ix.farSlot(c); ; {
		e := ix.farTab[i]
		if uint32(e>>32) == c+1 {
			return uint32(e)
		}
		if i++; i == len(ix.farTab) {
			i = 0
		}
	}
}
