// Package migrations holds wangge's schema as numbered SQL files, one set per
// store (postgres/ for data/pgstore, sqlite/ for data/sqlitestore), embedded
// in the binary. Each store's Migrate applies the files it has not applied
// yet in version order, each in its own transaction, and records the version
// in its schema_migrations table; applying twice changes nothing.
//
// The package only lists files; it opens no database. Every geometry the
// schemas hold is lon/lat, EPSG:4326.
package migrations
