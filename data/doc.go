// Package data holds wangge's domain language — areas (district → street →
// community → grid), buildings, people and their roles, report categories,
// reports with their event log, boundary revisions and household visits —
// the sentinel errors, and the Store interface that both stores implement:
// data/pgstore (PostGIS, the store of record) and data/sqlitestore (the
// embedded default). data/storetest is the contract suite both stores pass.
//
// Every geometry in this package is lon/lat in EPSG:4326 (orb types, X = lon).
package data
