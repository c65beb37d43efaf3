package geo

import "unsafe"

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
	return ix.cells[int(w&^blockMixed)<<(2*blockShift)|(cy&(1<<blockShift-1))<<blockShift|cx&(1<<blockShift-1)]
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
			base := int(w&^blockMixed) * k * k
			for y := by * k; y < min(by*k+k, ix.ny); y++ {
				for x := bx * k; x < min(bx*k+k, ix.nx); x++ {
					ix.cells[base+(y-by*k)*k+x-bx*k] = flat[y*ix.nx+x]
				}
			}
		}
	}
}
