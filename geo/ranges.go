package geo

import "math/bits"

// Range cells. A known cell (one item covers all of it; other items' edges
// come within the near-border radius of some of its points) whose listed
// edges have ids within a span of at most four — usually two or three
// consecutive edges of one neighbouring ring — is answered without its
// list: its word is cellRange | item<<(edgeBits+2) | first<<2 | span-1,
// and the lookup scans edges [first, first+span) directly. The span lies
// in one ring (no gap inside it, below) of the item owning its first
// edge, a listed edge and so never the covering item's (markRanges
// checks). The answer is the list's: an edge in the span but not in the
// list is farther than the near-border radius from every point of the
// cell (it fails the radius test), or farther than some listed edge from
// every point of the cell (pruneDominated; it never wins the strict
// comparison), and the scan
// visits edges in ascending id order as the list does, so ties fall the
// same way. A span never holds the gap after a ring (ring.go), which is no
// edge: such a cell keeps its list (the demo: 128 range and 411 spans
// cells; TestSpansSkipRingGaps). A far cell (far.go) whose list qualifies
// becomes a range cell: its point that the far word answered at once (a
// far sub-cell) now scans the span too, unless its block's mask
// (blocks.go, computed from the far words before this) answers its
// half-cell, while every other point of the cell scans the span instead
// of finding the list through farTab — one dependent read less (measured:
// docs/benchmarks.md, "Far cells as range cells"). Then only the lists
// and far-table entries still referenced are kept.
//
// The word needs the item and edge ids in 29 bits (the demo district:
// 1,507 items, 37,172 edge ids — 35,644 edges and a gap after each of
// 1,528 rings: 11 + 16 + 2); larger indexes keep their lists. Measured: docs/benchmarks.md ("Range cells").
//
// Spans cells. Most known cells left with a list sit where three items
// meet: their edges are two runs, one of each neighbour. When the cell's
// covering item is the item its block word carries (blocks.go: the item of
// the block's masked half-cells, or of most of its known cells), the word
// needs no item, and the room holds two spans: cellSpans | first<<(d+4) |
// (span1-1)<<(d+2) | (span2-1)<<d | offset, the second span starting
// offset (under 2^d) ids after the first, d = 24 − edge bits (the demo: 8).
// The lookup scans both spans in id order, skipping the item's edges, with
// the reasoning above: the answer is the list's, without reading the list
// (the demo: 10.8 % of the report locations; measured: docs/benchmarks.md,
// "What changed (family-26 machine of 2026-12-06)"). Spans cells need list
// offsets below 2^28 and the block items.
const (
	cellRange     = 1 << 29 // cell value (without cellDirect and cellOuter): a known cell answered from an edge-id span
	cellSpans     = 1 << 28 // cell value (without the three bits above): a known cell of its block's item answered from two spans
	maxSpan       = 4
	minSpansDelta = 4 // the fewest bits for the offset of a spans cell's second span worth the kind
)

// noSpans, when set, makes no spans cells (tests).
var noSpans = false

// markRanges gives qualifying known and far cells their range or spans word
// and drops the lists and far-table entries no cell uses any more (build time,
// after packBlocks).
func (ix *Index) markRanges() {
	if ix.nearM <= 0 || len(ix.items) == 0 || ix.edgeIDs() == 0 {
		return
	}
	ib := max(bits.Len(uint(len(ix.items)-1)), 1)
	eb := max(bits.Len(uint(ix.edgeIDs()-1)), 1)
	if ib+eb+2 > 29 || len(ix.lists) >= cellRange {
		return
	}
	ix.rangeShift = uint8(eb + 2)
	ix.rangeEdges = 1<<eb - 1
	// Spans cells need the block words' items and room beside the first
	// edge id for a useful offset to the second span.
	var bitem []int32 // the item of each mixed block's word; nil: no spans cells
	if !noSpans && ix.blocks != nil && ix.blockItemShift != 0 && 28-eb-4 >= minSpansDelta && len(ix.lists) < cellSpans {
		ix.spansDelta = uint8(28 - eb - 4)
		bitem = make([]int32, len(ix.cells)>>(2*blockShift))
		for _, w := range ix.blocks {
			if w&blockMixed == blockMixed {
				bitem[w&ix.blockIdx] = int32(w &^ blockMixed >> ix.blockItemShift)
			}
		}
	}
	// gapIn reports whether a gap between rings (ring.go), which is no
	// edge, lies between edge ids lo and hi: a span holding one would scan
	// the segment from one ring's last point to the next ring's first.
	gapIn := func(lo, hi int32) bool {
		for e := lo + 1; e < hi; e++ {
			if ix.eitem[e] < 0 {
				return true
			}
		}
		return false
	}
	// word is the range or spans word of the known list at v in a block
	// whose word carries blockItem (-1: none).
	word := func(v uint32, blockItem int32) (uint32, bool) {
		hdr := ix.lists[v]
		n := uint32(hdr & listCount)
		if hdr&^listCount != listKnown || n == 0 {
			return 0, false
		}
		es := ix.lists[v+2 : v+2+n]
		k := 1 // es[:k] is the first span
		for k < len(es) && es[k]-es[0] < maxSpan {
			k++
		}
		item := int32(ix.lists[v+1])
		if gapIn(es[0], es[k-1]) || ix.eitem[es[0]] == item {
			return 0, false
		}
		if k == len(es) {
			return cellRange | uint32(item)<<ix.rangeShift | uint32(es[0])<<2 | uint32(es[k-1]-es[0]), true
		}
		rest, d := es[k:], ix.spansDelta
		if d == 0 || item != blockItem || rest[len(rest)-1]-rest[0] >= maxSpan || rest[0]-es[0] >= 1<<d || gapIn(rest[0], rest[len(rest)-1]) || ix.eitem[rest[0]] == blockItem {
			return 0, false
		}
		return cellSpans | uint32(es[0])<<(d+4) | uint32(es[k-1]-es[0])<<(d+2) | uint32(rest[len(rest)-1]-rest[0])<<d | uint32(rest[0]-es[0]), true
	}
	for c, v := range ix.cells {
		if v&(cellDirect|cellOuter) != 0 || v == cellNone {
			continue
		}
		item := int32(-1)
		if bitem != nil {
			item = bitem[c>>(2*blockShift)]
		}
		if w, ok := word(v, item); ok {
			ix.cells[c] = w
		}
	}
	var keep []uint64
	for _, e := range ix.farTab {
		if e == 0 {
			continue
		}
		c := int(e>>32) - 1
		item := int32(-1)
		if bitem != nil { // blocks, so the cell is in a mixed one
			item = bitem[ix.blocks[(c/ix.nx>>blockShift)*ix.nbx+c%ix.nx>>blockShift]&ix.blockIdx]
		}
		if w, ok := word(uint32(e), item); ok {
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
	case listSplit:
		return 4 + n + uint32(ix.lists[v+3+n])
	}
	return 2 + n + uint32(ix.lists[v+1+n])
}

// isList reports whether a cell word (or a farTab offset) is a list offset.
func (ix *Index) isList(v uint32) bool {
	return v != cellNone && v&(cellDirect|cellOuter) == 0 && (ix.rangeShift == 0 || v&cellRange == 0) && (ix.spansDelta == 0 || v&cellSpans == 0)
}

// compactLists keeps only the lists that cells and farTab still reference,
// in their order, and rewrites the offsets.
func (ix *Index) compactLists() {
	moved := make([]uint32, len(ix.lists)) // new offset + 1 of each list moved so far
	lists := []int32{0}
	move := func(v uint32) uint32 {
		if nv := moved[v]; nv != 0 {
			return nv - 1
		}
		nv := uint32(len(lists))
		lists = append(lists, ix.lists[v:v+ix.listLen(v)]...)
		moved[v] = nv + 1
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
	ix.spanMatch(m, int32(v&^cellRange>>ix.rangeShift), int32(v>>2&ix.rangeEdges), int32(v&3)+1, 0, 0, cy, x, y)
}

// spansMatch answers a point in a spans cell of a block whose word carries
// item (see markRanges).
func (ix *Index) spansMatch(m *Match, v uint32, item int32, cy int, x, y float64) {
	d := ix.spansDelta
	first := int32(v >> (d + 4) & ix.rangeEdges)
	ix.spanMatch(m, item, first, int32(v>>(d+2)&3)+1, first+int32(v&(1<<d-1)), int32(v>>d&3)+1, cy, x, y)
}

// spanMatch answers a point covered by item from the near-border search
// over edges [a, a+na) and then [b, b+nb). Each span lies in one ring
// (markRanges refuses a gap inside one) of another item (its first edge is
// listed, and lists hold only other items' edges; markRanges checks), so
// the span's item is read once and no edge is skipped.
func (ix *Index) spanMatch(m *Match, item, a, na, b, nb int32, cy int, x, y float64) {
	*m = Match{Key: ix.keyOf(item), Kind: MatchInside, NearKey: -1}
	d2, j := inf, int32(-1)
	var h, w float64
	for e, end := a, a+na; ; e, end, nb = b, b+nb, 0 {
		it := ix.eitem[e]
		for ; e < end; e++ {
			g := ix.edge(int(e))
			if dd, eh, ew := segDist2(x, y, g.ax, g.ay, g.bx, g.by); closer(dd, d2) {
				d2, h, w, j = dd, eh, ew, it
			}
		}
		if nb == 0 {
			break
		}
	}
	ix.setNear(m, cy, x, y, d2, h, w, j)
}
