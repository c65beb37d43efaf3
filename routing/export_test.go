package routing

// SharesIndexForTest reports whether a and b route with the same index
// objects (BuildFrom reused a's).
func SharesIndexForTest(a, b *Snapshot) bool {
	return a.gridIx == b.gridIx && a.areas.ix == b.areas.ix
}
