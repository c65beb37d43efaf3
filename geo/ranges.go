package geo

import "math/bits"

// Range cells. A known cell (one item covers all of it; other items' edges
// come within the near-border radius of some of its points) whose listed
// edges have ids within a span of at most four — usually two or three
// consecutive edges of one neighbouring ring — is answered without its
// list: its word is cellRange | item<<(edgeBits+2) | first<<2 | span-1,
// and the lookup scans edges [first, first+span) directly, skipping the
// covering item's own edges. The answer is the list's: an edge in the
// span but not in the list is the covering item's (skipped), or farther
// than the near-border radius from every point of the cell (it fails the
// radius test), or farther than some listed edge from every point of the
// cell (pruneDominated; it never wins the strict comparison), and the scan
// visits edges in ascending id order as the list does, so ties fall the
// same way. A far cell (far.go) whose list qualifies becomes a range cell:
// its point that the far word answered at once (a far sub-cell) now scans
// the span too, unless its block's mask (blocks.go, computed from the far
// words before this) answers its half-cell, while every other point of the
// cell scans the span instead of finding the list through farTab — one
// dependent read less (measured: docs/benchmarks.md, "Far cells as range
// cells"). Then only the lists and far-table entries still referenced are
// kept.
//
// The word needs the item and edge ids in 29 bits (the demo district:
// 1,507 items, 35,644 edges: 11 + 16 + 2); larger indexes keep their
// lists. Measured: docs/benchmarks.md ("Range cells").
const (
	cellRange = 1 << 29 // cell value (without cellDirect and cellOuter): a known cell answered from an edge-id span
	maxSpan   = 4
)

// markRanges gives qualifying known and far cells their range word and
// drops the lists and far-table entries no cell uses any more (build time,
// after packBlocks).
func (ix *Index) markRanges() {
	if ix.nearM <= 0 || len(ix.items) == 0 || len(ix.edges) == 0 {
		return
	}
	ib := max(bits.Len(uint(len(ix.items)-1)), 1)
	eb := max(bits.Len(uint(len(ix.edges)-1)), 1)
	if ib+eb+2 > 29 || len(ix.lists) >= cellRange {
		return
	}
	ix.rangeShift = uint8(eb + 2)
	ix.rangeEdges = 1<<eb - 1
	word := func(v uint32) (uint32, bool) {
		hdr := ix.lists[v]
		n := uint32(hdr & listCount)
		if hdr&^listCount != listKnown || n == 0 {
			return 0, false
		}
		first, last := ix.lists[v+2], ix.lists[v+1+n]
		if last-first >= maxSpan {
			return 0, false
		}
		return cellRange | uint32(ix.lists[v+1])<<ix.rangeShift | uint32(first)<<2 | uint32(last-first), true
	}
	for c, v := range ix.cells {
		if v&(cellDirect|cellOuter) != 0 || v == cellNone {
			continue
		}
		if w, ok := word(v); ok {
			ix.cells[c] = w
		}
	}
	var keep []uint64
	for _, e := range ix.farTab {
		if e == 0 {
			continue
		}
		if w, ok := word(uint32(e)); ok {
			c := int(e>>32) - 1
			ix.setCell(c%ix.nx, c/ix.nx, w)
			continue
		}
		keep = append(keep, e)
	}
	if len(keep) < len(ix.farTab) {
		ix.farTab = nil
		ix.buildFarTab(keep)
	}
	ix.compactLists()
}

// listLen is the number of words of the list at offset v.
func (ix *Index) listLen(v uint32) uint32 {
	hdr := ix.lists[v]
	n := uint32(hdr & listCount)
	switch hdr &^ listCount {
	case listKnown:
		return 2 + n
	case listNearest:
		return 1 + n
	}
	return 2 + n + uint32(ix.lists[v+1+n])
}

// isList reports whether a cell word (or a farTab offset) is a list offset.
func (ix *Index) isList(v uint32) bool {
	return v != cellNone && v&(cellDirect|cellOuter) == 0 && (ix.rangeShift == 0 || v&cellRange == 0)
}

// compactLists keeps only the lists that cells and farTab still reference,
// in their order, and rewrites the offsets.
func (ix *Index) compactLists() {
	moved := map[uint32]uint32{}
	lists := []int32{0}
	move := func(v uint32) uint32 {
		if nv, ok := moved[v]; ok {
			return nv
		}
		nv := uint32(len(lists))
		lists = append(lists, ix.lists[v:v+ix.listLen(v)]...)
		moved[v] = nv
		return nv
	}
	for c, v := range ix.cells {
		if ix.isList(v) {
			ix.cells[c] = move(v)
		}
	}
	for i, e := range ix.farTab {
		if e != 0 && ix.isList(uint32(e)) {
			ix.farTab[i] = e&^(1<<32-1) | uint64(move(uint32(e)))
		}
	}
	ix.lists = lists
}

// rangeMatch answers a point in a range cell (see markRanges).
func (ix *Index) rangeMatch(m *Match, v uint32, cy int, x, y float64) {
	item := int32(v &^ cellRange >> ix.rangeShift)
	first := int32(v >> 2 & ix.rangeEdges)
	*m = Match{Key: ix.keyOf(item), Kind: MatchInside, NearKey: -1}
	d, j := inf, int32(-1)
	var qx, qy float64
	for e := first; e <= first+int32(v&3); e++ {
		it := ix.eitem[e]
		if it == item {
			continue
		}
		g := &ix.edges[e]
		if dd, px, py := segDist(x, y, g.ax, g.ay, g.bx, g.by); dd < d && dd <= ix.nearDeg {
			d, qx, qy, j = dd, px, py, it
		}
	}
	ix.setNear(m, cy, x, y, d, qx, qy, j)
}
