package geo

import "github.com/paulmach/orb"

// ShortMetersForTest exposes shortMeters to the external tests.
var ShortMetersForTest = shortMeters

// RowMetersForTest is metersAt for a point in ix's raster.
func (ix *Index) RowMetersForTest(x, y, qx, qy float64) float64 {
	return ix.metersAt(ix.cellY(y), x, y, qx-x, qy-y)
}

// FlatRasterForTest makes NewIndex keep every raster flat (no blocks)
// until the returned function is called.
func FlatRasterForTest() (restore func()) {
	old := maxBlockedCells
	maxBlockedCells = -1
	return func() { maxBlockedCells = old }
}

// RasterWorkersForTest makes NewIndex classify the raster with n workers
// until the returned function is called.
func RasterWorkersForTest(n int) (restore func()) {
	old := rasterWorkers
	rasterWorkers = n
	return func() { rasterWorkers = old }
}

// SameForTest reports whether two indexes hold the same arrays and raster
// (the R-tree aside), naming the first that differs.
func (ix *Index) SameForTest(o *Index) (bool, string) {
	for _, a := range []struct {
		name string
		x, y []byte
	}{
		{"cells", bytesOf(ix.cells), bytesOf(o.cells)}, {"lists", bytesOf(ix.lists), bytesOf(o.lists)}, {"narrow", bytesOf(ix.narrow), bytesOf(o.narrow)},
		{"blocks", bytesOf(ix.blocks), bytesOf(o.blocks)}, {"bmask", bytesOf(ix.bmask), bytesOf(o.bmask)},
		{"farTab", bytesOf(ix.farTab), bytesOf(o.farTab)}, {"verts", bytesOf(ix.verts), bytesOf(o.verts)},
		{"bedge", bytesOf(ix.bedge), bytesOf(o.bedge)}, {"rowTrig", bytesOf(ix.rowTrig), bytesOf(o.rowTrig)},
	} {
		if string(a.x) != string(a.y) {
			return false, a.name
		}
	}
	if ix.nx != o.nx || ix.ny != o.ny || ix.inv != o.inv || ix.gx0 != o.gx0 || ix.gy0 != o.gy0 || ix.farBits != o.farBits || ix.rangeShift != o.rangeShift || ix.spansDelta != o.spansDelta {
		return false, "raster geometry"
	}
	return true, ""
}

// WideListsForTest makes NewIndex keep the lists in 32-bit words until the
// returned function is called.
func WideListsForTest() (restore func()) {
	old := wideLists
	wideLists = true
	return func() { wideLists = old }
}

// NoSpansForTest makes NewIndex build no spans cells until the returned
// function is called.
func NoSpansForTest() (restore func()) {
	old := noSpans
	noSpans = true
	return func() { noSpans = old }
}

// NoSplitsForTest makes NewIndex build no split cells (split.go) until
// the returned function is called.
func NoSplitsForTest() (restore func()) {
	old := noSplits
	noSplits = true
	return func() { noSplits = old }
}

// InSplitCellForTest reports whether p's cell is a split cell.
func (ix *Index) InSplitCellForTest(p orb.Point) bool {
	c := ix.cell(ix.cellX(p[0]), ix.cellY(p[1]))
	return c&cellFar != cellFar && ix.isList(c) && ix.listKindOf(c) == kindSplit
}
