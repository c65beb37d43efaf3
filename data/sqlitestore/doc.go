// Package sqlitestore is the embedded default implementation of
// data.Store: one SQLite file through modernc.org/sqlite (pure Go, no cgo),
// so that a newcomer runs the whole product with no database server.
//
// It passes the same contract (data/storetest) as data/pgstore. Geometry is
// stored as WKB (orb's wkb codec; lon/lat, EPSG:4326) with its exact bounding
// box in float columns, so bbox filters give PostGIS's answers bit for bit;
// times are integer microseconds since the Unix epoch, UTC, like
// PostgreSQL's timestamptz.
//
// Durability and concurrency: the file runs in WAL mode with
// synchronous=FULL (a returned write is on disk), foreign_keys=ON and a busy
// timeout. All writes go through one connection and start with BEGIN
// IMMEDIATE, so they are serialized; reads use a separate pool of read-only
// connections and see the last committed state. The in-process Notifier
// broadcasts every new revision to the channels of this process.
package sqlitestore
