// Package storetest is the contract every data.Store implementation passes:
// Run exercises each method of data.Store (ordering, limits and totals,
// bounding-box filters, all-or-nothing batch writes, idempotency keys,
// compare-and-set updates, tokens, categories, heatmap bins and area figures
// on a fixture whose answers are worked out by hand in the test) against a
// fresh store per subtest. Synthetic builds a district-sized dataset for
// benchmarks of Load.
//
// Every coordinate here is lon/lat, EPSG:4326.
package storetest
