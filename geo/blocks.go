package geo

import (
	"math/bits"
	"unsafe"
)

// Blocks. After classification a raster of up to 2^22 cells (about 4,000
// items at the default 1,024 cells per item) is stored in two levels: one
// word per block of 4 × 4 cells, which is the cells' common word when all
// sixteen cells (those inside the raster) hold the same direct, none or
// outer word, and otherwise blockMixed | i, where the block's cells are
// words [16i, 16i+16) of Index.cells, row by row — one 64-byte cache line.
// Grid interiors and the land outside the district are mostly uniform
// blocks (55 % of the demo district's box), answered from the block array,
// 1/16 of the raster's size and so usually cached; a point elsewhere pays
// one more read of that small array. Far, range and list words are never
// uniform (far words differ cell by cell, and the others need the cell's
// own list or span). A larger raster stays flat: its block array is no
// longer cached, and a point in a mixed block would then pay two reads from
// memory instead of one (measured: docs/benchmarks.md, "Blocks").
//
// A mixed block also has a 64-bit mask of its 8 × 8 half-cell squares
// (markMasks): the squares of its direct cells and those of its far cells
// covered by far sub-cells, all answered by one item, which the block word
// carries (blockMixed | item<<blockItemShift | i). A point in such a square
// is answered from the block word and its mask — two small arrays (the
// demo: 0.4 MB and 0.35 MB) — without reading the block's sixteen cells:
// uniform points inside the demo's grids 150–190 → 60–131 ns (measured:
// docs/benchmarks.md, "Block masks"). A block without such squares carries
// the item covering most of its known cells instead, for its spans cells
// (ranges.go).

// maxBlockedCells is the largest raster stored in blocks (a variable so
// that tests can build the flat layout from small partitions).
var maxBlockedCells = 1 << 22

const (
	blockShift = 2                      // blocks are 1<<blockShift cells square
	blockMixed = cellDirect | cellOuter // block word: the cells are in Index.cells at 16 × the low bits
)

// cell is the word of raster cell (cx, cy) (small enough to be inlined
// into Lookup).
func (ix *Index) cell(cx, cy int) uint32 {
	if ix.blocks == nil {
		return ix.cells[cy*ix.nx+cx]
	}
	w := ix.blocks[(cy>>blockShift)*ix.nbx+cx>>blockShift]
	if w&blockMixed != blockMixed {
		return w
	}
	return ix.mixedCell(int(w&ix.blockIdx), cx, cy)
}

// setCell sets the word of cell (cx, cy), which must not lie in a uniform
// block (build time).
func (ix *Index) setCell(cx, cy int, w uint32) {
	if ix.blocks == nil {
		ix.cells[cy*ix.nx+cx] = w
		return
	}
	i := int(ix.blocks[(cy>>blockShift)*ix.nbx+cx>>blockShift] & ix.blockIdx)
	ix.cells[mixedAt(i, cx, cy)] = w
}

// mixedCell is the word of cell (cx, cy) of mixed block i.
func (ix *Index) mixedCell(i, cx, cy int) uint32 {
	return ix.cells[mixedAt(i, cx, cy)]
}

// mixedAt is the position in Index.cells of cell (cx, cy) of mixed block i.
func mixedAt(i, cx, cy int) int {
	return i<<(2*blockShift) | (cy&(1<<blockShift-1))<<blockShift | cx&(1<<blockShift-1)
}

// halfCell is the bit of a block mask (bmask) for the point at raster
// coordinates (fx, fy) in cell (cx, cy): the half-cell square it lies in,
// row-major within the block's 8 × 8. 2·fx is exact, so the half is the
// one the point's own arithmetic puts it in (at the raster's far edge,
// where cx was clamped, the upper half).
func halfCell(fx, fy float64, cx, cy int) uint {
	hx := min(int(fx*2)-2*cx, 1)
	hy := min(int(fy*2)-2*cy, 1)
	return uint((cy&(1<<blockShift-1)*2+hy)<<(blockShift+1) | cx&(1<<blockShift-1)*2 + hx)
}

// packBlocks turns the flat raster ix.cells (nx × ny words) into blocks
// and the cells of the mixed blocks (build time, last), when it has at
// most maxBlockedCells cells.
func (ix *Index) packBlocks() {
	const k = 1 << blockShift
	if ix.nx*ix.ny > maxBlockedCells {
		return
	}
	flat := ix.cells
	ix.nbx = (ix.nx + k - 1) / k
	nby := (ix.ny + k - 1) / k
	ix.blocks = make([]uint32, ix.nbx*nby)
	ix.blockIdx = cellOuter - 1 // the 30 bits below the kind bits
	mixed := 0
	uniform := func(bx, by int) (uint32, bool) {
		first := flat[by*k*ix.nx+bx*k]
		if first&cellDirect != 0 && first&cellOuter != 0 || first != cellNone && first&(cellDirect|cellOuter) == 0 {
			return 0, false // far, range or list
		}
		for y := by * k; y < min(by*k+k, ix.ny); y++ {
			for x := bx * k; x < min(bx*k+k, ix.nx); x++ {
				if flat[y*ix.nx+x] != first {
					return 0, false
				}
			}
		}
		return first, true
	}
	for by := 0; by < nby; by++ {
		for bx := 0; bx < ix.nbx; bx++ {
			if w, ok := uniform(bx, by); ok {
				ix.blocks[by*ix.nbx+bx] = w
			} else {
				ix.blocks[by*ix.nbx+bx] = blockMixed | uint32(mixed)
				mixed++
			}
		}
	}
	// The mixed cells, each block on one 64-byte line.
	buf := make([]uint32, mixed*k*k+16)
	skip := int(-uintptr(unsafe.Pointer(unsafe.SliceData(buf))) & 63 / 4)
	ix.cells = buf[skip : skip+mixed*k*k : skip+mixed*k*k]
	for by := 0; by < nby; by++ {
		for bx := 0; bx < ix.nbx; bx++ {
			w := ix.blocks[by*ix.nbx+bx]
			if w&blockMixed != blockMixed {
				continue
			}
			base := int(w&ix.blockIdx) * k * k
			for y := by * k; y < min(by*k+k, ix.ny); y++ {
				for x := bx * k; x < min(bx*k+k, ix.nx); x++ {
					ix.cells[base+(y-by*k)*k+x-bx*k] = flat[y*ix.nx+x]
				}
			}
		}
	}
	ix.markMasks(mixed)
}

// markMasks gives each mixed block a mask of the 8 × 8 half-cell squares
// whose every point the lookup would answer with one item, MatchInside and
// no neighbour — the half-cells of its direct cells, and those of its far
// cells (far.go) covered by far sub-cells — and puts that item in the
// block word, so such a point is answered from the block array and the
// mask, without reading the block's cells (build time, after packBlocks).
// A block has at most one such item in a partition (a direct or far point
// is farther than the near-border radius from every other item, and the
// block is smaller than twice the radius); where items overlap or leave
// gaps another item's half-cells keep the ordinary path. A block with no
// such half-cells carries the item covering most of its known cells (list
// or far), whose points its spans cells answer (ranges.go). The item and
// the block's index must fit the word's 30 bits together; otherwise no
// masks and no block items.
func (ix *Index) markMasks(mixed int) {
	const k = 1 << blockShift
	ib := max(bits.Len(uint(max(len(ix.items)-1, 0))), 1)
	mb := max(bits.Len(uint(max(mixed-1, 0))), 1)
	if ib+mb > 30 || mixed == 0 {
		return
	}
	masks := make([]uint64, mixed)
	items := make([]uint32, mixed)
	found, named := false, false
	nx, ny := int(ix.farNX), int(ix.farNY)
	for i := range masks {
		item := int64(-1)
		var m uint64
		var known [k * k]uint32 // the items covering the block's known cells
		nk := 0
		for c := 0; c < k*k; c++ {
			v := ix.cells[i*k*k+c]
			var it uint32
			var half uint8 // bit q (qy*2 + qx) set: that half-cell square is answered by it
			switch {
			case ix.isList(v) && ix.lists[v]&^listCount == listKnown:
				known[nk] = uint32(ix.lists[v+1])
				nk++
			case v&cellFar == cellFar:
				it = v & (1<<ix.farBits - 1)
				known[nk] = it
				nk++
				far := v >> ix.farBits
				for q := 0; q < 4; q++ {
					qx, qy := q&1, q>>1
					all := true
					// The sub-cells meeting the half-cell square.
					for sy := qy * ny / 2; sy <= ((qy+1)*ny-1)/2; sy++ {
						for sx := qx * nx / 2; sx <= ((qx+1)*nx-1)/2; sx++ {
							all = all && far>>(sy*nx+sx)&1 != 0
						}
					}
					if all {
						half |= 1 << q
					}
				}
			case v&cellDirect != 0:
				it, half = v&^cellDirect, 15
			}
			if half == 0 || item >= 0 && int64(it) != item {
				continue
			}
			item = int64(it)
			cx, cy := c%k, c/k
			for q := 0; q < 4; q++ {
				if half>>q&1 != 0 {
					m |= 1 << ((cy*2+q>>1)<<(blockShift+1) | cx*2 + q&1)
				}
			}
		}
		switch {
		case m != 0:
			masks[i], items[i], found = m, uint32(item), true
		case nk > 0:
			items[i], named = majority(known[:nk]), true
		}
	}
	if !found && !named {
		return
	}
	if found {
		ix.bmask = masks
	}
	ix.blockIdx = 1<<mb - 1
	ix.blockItemShift = uint8(mb)
	for b, w := range ix.blocks {
		if w&blockMixed == blockMixed {
			i := w &^ blockMixed
			ix.blocks[b] = blockMixed | items[i]<<mb | i
		}
	}
}

// majority is the value most frequent in s (non-empty); ties go to the
// first met.
func majority(s []uint32) uint32 {
	best, bn := s[0], 0
	for _, v := range s {
		n := 0
		for _, u := range s {
			if u == v {
				n++
			}
		}
		if n > bn {
			best, bn = v, n
		}
	}
	return best
}
