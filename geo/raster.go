package geo

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
)

// List headers in Index.lists: the low 24 bits count the items that follow;
// the kind sits above.
//
//   - listGeneric | n: n items (ascending) that may cover a point of the
//     cell or come within the near-border radius of one; then a count m
//     and m edge ids (ascending): every edge of those items within the
//     near-border radius of some point of the cell.
//   - listKnown | m: the item covering all of the cell; then m edge ids:
//     every edge of the other items within the near-border radius of
//     some point of the cell.
//   - listNearest | m: nothing covers the cell; m edge ids: every edge
//     that is the nearest edge of some point of the cell within the
//     nearest radius (see nearestEdges).
//   - listSplit | n: a generic list crossed by one shared piece of
//     boundary: the piece's first edge id and its region word, then the
//     generic list's n items, count and edges (split.go).
//
// After the build the lists move to Index.narrow, 16-bit words with the
// kind from bit 14 up, when every id and count fits (narrowLists).
const (
	kindKnown   = 1
	kindNearest = 2
	listKind    = 28 // the bit of Index.lists headers where the kind starts
	narrowKind  = 14 // the same in Index.narrow
	listGeneric = 0
	listKnown   = kindKnown << listKind
	listNearest = kindNearest << listKind
	listCount   = 1<<24 - 1
	maxCells    = 1 << 24
)

// wideLists, when set, keeps the lists in 32-bit words (tests).
var wideLists = false

// listWord is a word of the cell lists: int32 (Index.lists) or uint16
// (Index.narrow).
type listWord interface{ ~int32 | ~uint16 }

// narrowLists moves the lists to 16-bit words (Index.narrow) when every
// item and edge id, list length and edge count fits: the lists are what a
// point near a boundary reads besides its cell and its edges, and half
// their size is that much more of the index in cache (build time, last).
// The offsets, hence the cell words, stay the same.
func (ix *Index) narrowLists() {
	if wideLists || len(ix.lists) < 2 || len(ix.items) > 1<<16 || ix.edgeIDs() > 1<<16 {
		return
	}
	narrow := make([]uint16, len(ix.lists))
	for v := uint32(1); v < uint32(len(ix.lists)); v += ix.listLen(v) {
		hdr := ix.lists[v]
		n := hdr & listCount
		if n >= 1<<narrowKind {
			return
		}
		narrow[v] = uint16(uint32(hdr)>>listKind<<narrowKind | uint32(n))
		for k := v + 1; k < v+ix.listLen(v); k++ {
			if uint32(ix.lists[k]) >= 1<<16 {
				return
			}
			narrow[k] = uint16(ix.lists[k])
		}
	}
	ix.narrow, ix.lists = narrow, nil
}

// buildRaster classifies the cells of a uniform raster over ext grown by
// the near-border radius (see Index). A cell is an "edge cell" when some
// edge may touch it (an edge within half a diagonal of its centre, with
// slack); its "near list" holds every item with an edge within the
// near-border radius of some point of the cell (an edge within radius +
// half diagonal of its centre). Along a row, cells between edge cells are
// covered by the same items (no edge separates them), so coverage is
// computed once per run. Rows are independent: up to GOMAXPROCS workers
// classify them, and their lists are interned afterwards in row-major
// order, so the index does not depend on the number of workers
// (TestRasterWorkersAgree).
func (ix *Index) buildRaster(ext orb.Bound, cellsPerItem int) {
	m := ix.nearDeg + 1e-9
	ix.gx0, ix.gy0 = ext.Min[0]-m, ext.Min[1]-m
	w, h := ext.Max[0]+m-ix.gx0, ext.Max[1]+m-ix.gy0
	target := float64(len(ix.items)) * float64(cellsPerItem)
	target = max(min(target, maxCells), 64)
	cs := math.Sqrt(w * h / target)
	if ix.nearDeg > 0 {
		cs = max(cs, ix.nearDeg/6) // finer than this buys nothing
	}
	ix.nx = max(int(math.Ceil(w/cs)), 1)
	ix.ny = max(int(math.Ceil(h/cs)), 1)
	ix.inv = 1 / cs
	ix.gx1 = ix.gx0 + float64(ix.nx)*cs
	ix.gy1 = ix.gy0 + float64(ix.ny)*cs
	nx, ny := ix.nx, ix.ny
	nc := nx * ny
	ix.rowTrig = make([]rowTrig, ny)
	for cy := range ix.rowTrig {
		lat := (ix.gy0 + (float64(cy)+0.5)*cs) * (math.Pi / 180)
		ix.rowTrig[cy] = rowTrig{lat, math.Sin(lat), math.Cos(lat)}
	}
	ix.cells = make([]uint32, nc)

	half := cs * math.Sqrt2 / 2 * (1 + 1e-6)
	reach := (ix.nearDeg + cs*math.Sqrt2/2) * (1 + 1e-6)
	// One pass over the edges finds, for each, the cells whose centre is
	// within reach, as runs along raster rows (edgeRun), bucketed by row
	// in edge-id order. Each row's cells then get their edges from the
	// row's runs (rowEdges): a cell's near list is the items of its edges,
	// and its edges are what the near-border search of every point of the
	// cell may need. Runs keep the memory small for large cities.
	edge := make([]bool, nc)
	var runs []edgeRun
	var runRow []int32
	rowStart := make([]int32, ny+1)
	for k, it := range ix.eitem {
		if it < 0 {
			continue // a gap (ring.go)
		}
		g := ix.edge(k)
		x0, x1 := ix.cellX(min(g.ax, g.bx)-reach), ix.cellX(max(g.ax, g.bx)+reach)
		y0, y1 := ix.cellY(min(g.ay, g.by)-reach), ix.cellY(max(g.ay, g.by)+reach)
		for cy := y0; cy <= y1; cy++ {
			py := ix.gy0 + (float64(cy)+0.5)*cs
			open := false
			for cx := x0; cx <= x1; cx++ {
				px := ix.gx0 + (float64(cx)+0.5)*cs
				d, _, _ := segDist(px, py, g.ax, g.ay, g.bx, g.by)
				if d > reach {
					open = false
					continue
				}
				if d <= half {
					edge[cy*nx+cx] = true
				}
				if open {
					runs[len(runs)-1].x1 = int32(cx)
				} else {
					runs = append(runs, edgeRun{int32(cx), int32(cx), int32(k)})
					runRow = append(runRow, int32(cy))
					rowStart[cy+1]++
					open = true
				}
			}
		}
	}
	for cy := range ny {
		rowStart[cy+1] += rowStart[cy]
	}
	byRow := make([]edgeRun, len(runs))
	fill := slices.Clone(rowStart[:ny])
	for j, cy := range runRow {
		byRow[fill[cy]] = runs[j]
		fill[cy]++
	}
	runs, runRow, fill = nil, nil, nil
	rr := &rasterRows{ix: ix, byRow: byRow, rowStart: rowStart, edge: edge, boxNear: ix.boxesNear(), cs: cs, half: half, reach: reach}

	// Identical lists are stored once: a map from a hash of the words to
	// the offset, checked word for word (a colliding list is stored again).
	interned := map[uint64]uint32{}
	ix.lists = []int32{0} // offset 0 is cellNone; never a list (offsets stay below cellOuter)
	seed := maphash.MakeSeed()
	var key []byte
	intern := func(l []int32) uint32 {
		key = key[:0]
		for _, v := range l {
			key = binary.LittleEndian.AppendUint32(key, uint32(v))
		}
		h := maphash.Bytes(seed, key)
		if off, ok := interned[h]; ok && int(off)+len(l) <= len(ix.lists) && slices.Equal(ix.lists[off:int(off)+len(l)], l) {
			return off
		}
		off := uint32(len(ix.lists))
		ix.lists = append(ix.lists, l...)
		interned[h] = off
		return off
	}

	// The rows are classified in parallel, a window of rows at a time,
	// each worker taking chunks of rows: a row's cells with lists hold
	// pendingList, and its lists wait in the worker's buffer. After each
	// window the lists are interned in row-major order, as a single pass
	// would, so the index is the same however many workers ran, and the
	// waiting lists never outgrow a window.
	workers := min(runtime.GOMAXPROCS(0), maxRasterWorkers, max(ny/rowChunk, 1))
	if rasterWorkers > 0 {
		workers = rasterWorkers
	}
	scratch := make([]*rowScratch, workers)
	for w := range scratch {
		scratch[w] = &rowScratch{rowAt: make([]int32, nx+1)}
	}
	type rowRef struct{ w, start, end int32 } // a row's lists: scratch[w].lists[start:end]
	refs := make([]rowRef, rowWindow)
	for y0 := 0; y0 < ny; y0 += rowWindow {
		y1 := min(y0+rowWindow, ny)
		var next atomic.Int64
		next.Store(int64(y0))
		var wg sync.WaitGroup
		for w, sc := range scratch {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sc.lists = sc.lists[:0]
				for {
					c0 := int(next.Add(rowChunk)) - rowChunk
					if c0 >= y1 {
						return
					}
					for cy := c0; cy < min(c0+rowChunk, y1); cy++ {
						start := len(sc.lists)
						rr.row(cy, sc)
						refs[cy-y0] = rowRef{int32(w), int32(start), int32(len(sc.lists))}
					}
				}
			}()
		}
		wg.Wait()
		for cy := y0; cy < y1; cy++ {
			ref := refs[cy-y0]
			ls := scratch[ref.w].lists[ref.start:ref.end]
			for c := cy * nx; c < (cy+1)*nx; c++ {
				if ix.cells[c] == pendingList {
					n := listLen(ls)
					ix.cells[c] = intern(ls[:n])
					ls = ls[n:]
				}
			}
		}
	}
	ix.lists = append([]int32(nil), ix.lists...) // trim capacity
}

// rasterWorkers, when positive, sets the number of workers that classify
// the raster's rows (tests); otherwise GOMAXPROCS, at most
// maxRasterWorkers.
var rasterWorkers = 0

const (
	pendingList      = math.MaxUint32 // a cell word while its list waits to be interned (buildRaster)
	rowChunk         = 8              // rows a raster worker takes at a time
	rowWindow        = 32 * rowChunk  // rows classified before their lists are interned
	maxRasterWorkers = 8
)

// listLen is the length of the list at the start of l (header included).
func listLen(l []int32) int {
	n := int(l[0] & listCount)
	switch l[0] &^ listCount {
	case listKnown:
		return 2 + n
	case listNearest:
		return 1 + n
	case listSplit:
		return 4 + n + int(l[3+n])
	}
	return 2 + n + int(l[1+n])
}

// rasterRows is what the raster's rows are classified from (read only).
type rasterRows struct {
	ix              *Index
	byRow           []edgeRun // runs of cells within reach of an edge, by row, in edge-id order
	rowStart        []int32   // row cy's runs: byRow[rowStart[cy]:rowStart[cy+1]]
	edge            []bool    // per cell: an edge may touch it
	boxNear         []bool    // per cell: boxesNear
	cs, half, reach float64
}

// rowScratch is one worker's buffers.
type rowScratch struct {
	rowAt, rowEdges                                      []int32 // the current row's cells: edges of cell cx at rowEdges[rowAt[cx]:rowAt[cx+1]]
	cover, merged, es, word, prevCand, nearBuf, runCover []int32
	lists                                                []int32 // the lists of the window's rows this worker classified
}

// loadRow fills sc.rowAt and sc.rowEdges for row cy from its runs.
func (rr *rasterRows) loadRow(cy int, sc *rowScratch) {
	nx := rr.ix.nx
	clear(sc.rowAt)
	rs := rr.byRow[rr.rowStart[cy]:rr.rowStart[cy+1]]
	for _, r := range rs {
		for x := r.x0; x <= r.x1; x++ {
			sc.rowAt[x+1]++
		}
	}
	for x := range nx {
		sc.rowAt[x+1] += sc.rowAt[x]
	}
	sc.rowEdges = slices.Grow(sc.rowEdges[:0], int(sc.rowAt[nx]))[:sc.rowAt[nx]]
	for _, r := range rs { // runs in edge order: each cell's edges ascend
		for x := r.x0; x <= r.x1; x++ {
			sc.rowEdges[sc.rowAt[x]] = r.e
			sc.rowAt[x]++
		}
	}
	copy(sc.rowAt[1:], sc.rowAt[:nx]) // back to starts
	sc.rowAt[0] = 0
}

// coverAt lists the items (not in skip) covering (px, py), ascending.
func (rr *rasterRows) coverAt(sc *rowScratch, px, py float64, skip []int32) []int32 {
	ix := rr.ix
	sc.cover = sc.cover[:0]
	ix.tree.Search([2]float64{px, py}, [2]float64{px, py}, func(_, _ [2]float64, i int32) bool {
		if !contains(skip, i) && ix.locate(&ix.items[i], px, py) != locOutside {
			sc.cover = append(sc.cover, i)
		}
		return true
	})
	sortInt32(sc.cover)
	return sc.cover
}

// edgesNear lists the edges of cell cx of the loaded row (within reach of
// its centre (px, py): every edge within the near-border radius of a
// point of the cell) except skip's.
func (rr *rasterRows) edgesNear(sc *rowScratch, cx int, skip int32, px, py float64) []int32 {
	ix := rr.ix
	sc.es = sc.es[:0]
	if ix.nearDeg <= 0 {
		return sc.es
	}
	for _, e := range sc.rowEdges[sc.rowAt[cx]:sc.rowAt[cx+1]] {
		if ix.eitem[e] != skip {
			sc.es = append(sc.es, e)
		}
	}
	return ix.pruneDominated(sc.es, px, py, rr.half, skip < 0)
}

// row classifies the cells of row cy (see buildRaster): each cell gets its
// word, or pendingList with its list appended to sc.lists.
func (rr *rasterRows) row(cy int, sc *rowScratch) {
	ix := rr.ix
	nx, cs, half, reach := ix.nx, rr.cs, rr.half, rr.reach
	rr.loadRow(cy, sc)
	addList := func(c int, l []int32) {
		ix.cells[c] = pendingList
		sc.lists = append(sc.lists, l...)
	}
	// addGeneric lists a cell some edge may touch: its candidate items
	// (ascending) and its edges.
	addGeneric := func(c, cx int, items []int32, px, py float64) {
		sc.word = append(sc.word[:0], int32(len(items))|listGeneric)
		sc.word = append(sc.word, items...)
		es := rr.edgesNear(sc, cx, -1, px, py)
		sc.word = append(sc.word, int32(len(es)))
		sc.word = append(sc.word, es...)
		addList(c, sc.word)
	}
	py := ix.gy0 + (float64(cy)+0.5)*cs
	runValid := false
	prevNearest := inf // nearest-item distance of the previous cell's centre when it was uncovered
	for cx := 0; cx < nx; cx++ {
		c := cy*nx + cx
		px := ix.gx0 + (float64(cx)+0.5)*cs
		sc.nearBuf = sc.nearBuf[:0]
		for _, e := range sc.rowEdges[sc.rowAt[cx]:sc.rowAt[cx+1]] {
			if it := ix.eitem[e]; len(sc.nearBuf) == 0 || sc.nearBuf[len(sc.nearBuf)-1] != it {
				sc.nearBuf = append(sc.nearBuf, it)
			}
		}
		near := sc.nearBuf
		lastNearest := prevNearest
		prevNearest = inf
		if rr.edge[c] {
			// Items covering all of the cell without an edge near it
			// (real overlaps) join the near list. Such an item covers
			// the disc of radius reach around the centre, so when
			// reach > cs it covers the previous cell's centre too and
			// is among that cell's candidates (or its run's cover):
			// no R-tree search needed.
			var wholes []int32
			if cx > 0 && reach > cs*(1+1e-9) {
				sc.cover = sc.cover[:0]
				for _, i := range sc.prevCand {
					if !contains(near, i) && ix.locate(&ix.items[i], px, py) != locOutside {
						sc.cover = append(sc.cover, i)
					}
				}
				wholes = sc.cover
			} else {
				wholes = rr.coverAt(sc, px, py, near)
			}
			runValid = false
			sc.merged = mergeSorted(sc.merged[:0], near, wholes)
			sc.prevCand = append(sc.prevCand[:0], sc.merged...)
			if len(sc.merged) == 0 {
				ix.cells[c] = cellNone
				continue
			}
			addGeneric(c, cx, sc.merged, px, py)
			continue
		}
		if !runValid {
			sc.runCover = append(sc.runCover[:0], rr.coverAt(sc, px, py, nil)...)
			runValid = true
		}
		runCover := sc.runCover
		sc.prevCand = append(sc.prevCand[:0], runCover...)
		switch {
		case len(runCover) == 1 && (len(near) == 0 || len(near) == 1 && near[0] == runCover[0]):
			ix.cells[c] = cellDirect | uint32(runCover[0])
		case len(runCover) > 1 && ix.nearM <= 0:
			// Nested or overlapping items cover all of the cell and no
			// edge comes near it: the lowest key wins at every point,
			// and without a near-border search nothing else is asked
			// (routing's index of communities, streets and districts).
			ix.cells[c] = cellDirect | uint32(runCover[0])
		case len(runCover) == 1:
			es := rr.edgesNear(sc, cx, runCover[0], px, py)
			sc.word = append(sc.word[:0], int32(len(es))|listKnown, runCover[0])
			sc.word = append(sc.word, es...)
			addList(c, sc.word)
		case len(runCover) == 0:
			if ix.nearestM <= 0 || len(near) == 0 && (!rr.boxNear[c] || !ix.anyWithin(cx, cy, cs)) {
				ix.cells[c] = cellNone
				continue
			}
			var dc float64
			sc.es, dc = ix.nearestEdges(sc.es[:0], px, py, half, min(ix.nearestDeg+half, lastNearest+cs*(1+1e-6)))
			prevNearest = dc
			if len(sc.es) == 0 {
				ix.cells[c] = cellNone
				continue
			}
			sc.word = append(sc.word[:0], int32(len(sc.es))|listNearest)
			sc.word = append(sc.word, sc.es...)
			addList(c, sc.word)
		default:
			sc.merged = mergeSorted(sc.merged[:0], near, runCover)
			addGeneric(c, cx, sc.merged, px, py)
		}
	}
}

// edgeRun is cells x0…x1 of a raster row within reach of edge e
// (buildRaster).
type edgeRun struct{ x0, x1, e int32 }

// nearestEdges appends to dst the edges that can be the nearest edge,
// within the nearest radius, of a point of the cell centred at (px, py)
// whose points are covered by no item (half: half the cell's diagonal,
// with slack; search: an upper bound of the centre's distance to the
// nearest item, or more). With dc the centre's planar distance to the
// nearest item, a point p of the cell has its nearest item within
// dc + half, so its nearest edge is within dc + 2·half of the centre,
// and within nearestDeg + half when it counts at all. An empty result
// means no point of the cell has an item within the nearest radius. It
// returns dc (+Inf when no item is within search).
func (ix *Index) nearestEdges(dst []int32, px, py, half, search float64) ([]int32, float64) {
	// dc ≤ search, so every edge that matters is within search + 2·half.
	r := min(search+2*half, ix.nearestDeg+half) * (1 + 1e-9)
	dc := inf
	var cand [64]int32
	cs := cand[:0]
	ix.tree.Search([2]float64{px - r, py - r}, [2]float64{px + r, py + r}, func(_, _ [2]float64, i int32) bool {
		if ix.items[i].bboxDist(px, py) <= r {
			cs = append(cs, i)
		}
		return true
	})
	for _, i := range cs {
		it := &ix.items[i]
		if it.bboxDist(px, py) > dc {
			continue
		}
		// dist looks only at edges within its limit and is exact when
		// the distance is within it (else it overestimates, and the
		// true distance exceeds the limit too).
		if d, _, _ := ix.dist(it, px, py, min(r, dc)); d < dc {
			dc = d
		}
	}
	if dc-half > ix.nearestDeg*(1+1e-9) {
		return dst, dc
	}
	R := min(dc+2*half, ix.nearestDeg+half) * (1 + 1e-9)
	for _, i := range cs {
		it := &ix.items[i]
		if it.bboxDist(px, py) > R {
			continue
		}
		for p := it.p0; p < it.p1; p++ {
			for ri := ix.polys[p].r0; ri < ix.polys[p].r1; ri++ {
				dst = ix.ringEdgesNear(dst, &ix.rings[ri], px, py, R)
			}
		}
	}
	return ix.pruneDominated(sortUnique(dst), px, py, half, false), dc
}

// pruneDominated drops from es (ascending edge ids) every edge that is
// farther from each point of the cell (centre (px, py), half diagonal
// half) than some other edge is from that point — of the same item when
// perItem (the lists of cells whose winner is known only per point), of
// any item otherwise. Such an edge is never the nearest edge nor tied
// with it, so nearestEdge answers the same without it.
func (ix *Index) pruneDominated(es []int32, px, py, half float64, perItem bool) []int32 {
	if len(es) < 2 {
		return es
	}
	var buf [64]float64
	var ebuf [64]int32
	d := buf[:0]
	orig := append(ebuf[:0], es...)
	for _, e := range orig {
		g := ix.edge(int(e))
		dd, _, _ := segDist(px, py, g.ax, g.ay, g.bx, g.by)
		d = append(d, dd)
	}
	out := es[:0]
	for i, e := range orig {
		lo := (d[i] - half) * (1 - 1e-9)
		dominated := false
		for k, f := range orig {
			if k == i || perItem && ix.eitem[f] != ix.eitem[e] {
				continue
			}
			if (d[k]+half)*(1+1e-9) < lo {
				dominated = true
				break
			}
		}
		if !dominated {
			out = append(out, e)
		}
	}
	return out
}

// sortUnique sorts s and removes repeated values.
func sortUnique(s []int32) []int32 {
	slices.Sort(s)
	return slices.Compact(s)
}

func contains(s []int32, v int32) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func sortInt32(s []int32) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// mergeSorted appends the union of two ascending lists to dst.
func mergeSorted(dst, a, b []int32) []int32 {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i] < b[j]:
			dst = append(dst, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			dst = append(dst, b[j])
			j++
		default:
			dst = append(dst, a[i])
			i++
			j++
		}
	}
	return dst
}

func (ix *Index) cellX(x float64) int {
	c := int(math.Floor((x - ix.gx0) * ix.inv))
	return min(max(c, 0), ix.nx-1)
}

func (ix *Index) cellY(y float64) int {
	c := int(math.Floor((y - ix.gy0) * ix.inv))
	return min(max(c, 0), ix.ny-1)
}

// boxesNear marks the cells that some item's box comes within the nearest
// radius of (with a cell of slack on each side, for rounding): the other
// uncovered cells, touched by no edge, are none without a search.
func (ix *Index) boxesNear() []bool {
	if ix.nearestM <= 0 {
		return nil
	}
	r := ix.nearestDeg*(1+1e-6) + 1e-12
	// A difference array: +1 at each box's first cell, −1 past its last.
	nx, ny := ix.nx, ix.ny
	diff := make([]int32, (nx+1)*(ny+1))
	for i := range ix.items {
		it := &ix.items[i]
		if it.p0 == it.p1 {
			continue
		}
		x0, x1 := max(ix.cellX(it.minX-r)-1, 0), min(ix.cellX(it.maxX+r)+1, nx-1)
		y0, y1 := max(ix.cellY(it.minY-r)-1, 0), min(ix.cellY(it.maxY+r)+1, ny-1)
		diff[y0*(nx+1)+x0]++
		diff[y0*(nx+1)+x1+1]--
		diff[(y1+1)*(nx+1)+x0]--
		diff[(y1+1)*(nx+1)+x1+1]++
	}
	out := make([]bool, nx*ny)
	for y := range ny {
		for x := range nx {
			d := diff[y*(nx+1)+x]
			if x > 0 {
				d += diff[y*(nx+1)+x-1]
			}
			if y > 0 {
				d += diff[(y-1)*(nx+1)+x]
			}
			if x > 0 && y > 0 {
				d -= diff[(y-1)*(nx+1)+x-1]
			}
			diff[y*(nx+1)+x] = d
			out[y*nx+x] = d > 0
		}
	}
	return out
}

// anyWithin reports whether some item's box comes within the nearest radius
// of cell (cx, cy).
func (ix *Index) anyWithin(cx, cy int, cs float64) bool {
	if ix.nearestM <= 0 {
		return false
	}
	r := ix.nearestDeg*(1+1e-6) + 1e-12
	x0, y0 := ix.gx0+float64(cx)*cs, ix.gy0+float64(cy)*cs
	found := false
	ix.tree.Search([2]float64{x0 - r, y0 - r}, [2]float64{x0 + cs + r, y0 + cs + r}, func(_, _ [2]float64, _ int32) bool {
		found = true
		return false
	})
	return found
}
