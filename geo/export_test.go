package geo

// ShortMetersForTest exposes shortMeters to the external tests.
var ShortMetersForTest = shortMeters

// RowMetersForTest is metersAt for a point in ix's raster.
func (ix *Index) RowMetersForTest(x, y, qx, qy float64) float64 {
	return ix.metersAt(ix.cellY(y), x, y, qx, qy)
}

// FlatRasterForTest makes NewIndex keep every raster flat (no blocks)
// until the returned function is called.
func FlatRasterForTest() (restore func()) {
	old := maxBlockedCells
	maxBlockedCells = -1
	return func() { maxBlockedCells = old }
}
