// Package pgstore is the PostgreSQL/PostGIS implementation of data.Store,
// the store of record, and the only importer of pgx in wangge.
//
// Geometry is kept as geometry(MultiPolygon, 4326) / geometry(Point, 4326)
// (lon/lat, EPSG:4326), written with ST_GeomFromEWKB and read with ST_AsEWKB
// through orb's ewkb codec. Areas also keep their exact float8 bounding box
// (minx, miny, maxx, maxy): a bbox filter selects candidates with the GiST
// index (geom && ST_MakeEnvelope(…, 4326)) and then compares the exact box, so
// that the answer equals data/sqlitestore's bit for bit (the GiST box is
// float4, rounded outwards). Report and building points are derived columns of
// their lon/lat.
//
// Every write runs in one transaction and returns after COMMIT. Driver errors
// are translated at this boundary: no rows → data.ErrNotFound, unique
// violation → data.ErrConflict, foreign-key or check violation →
// *data.ValidationError. Revision-writing methods call pg_notify inside their
// transaction, and Store.Revisions (data.Notifier) listens on a dedicated
// connection, so every server on the same database hot-swaps its partition.
package pgstore
