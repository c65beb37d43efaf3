// Package geo is wangge's pure geometry: validation of grid polygons
// (Validate, ValidPoint), the routing index (Index) that answers "which grid
// covers this point" in tens of nanoseconds, great-circle distances
// (DistanceMeters) and the Chinese map datums (WGS-84 ↔ GCJ-02 ↔ BD-09).
//
// Every coordinate is lon/lat in degrees (orb.Point{lon, lat}); unless a
// function says otherwise the datum is WGS-84 (EPSG:4326). The package does
// no I/O: no SQL, no HTTP, no context. Its boundary and distance rules are
// the ones PostGIS applies (ST_Covers, ST_Distance on geometry) so that the
// answers of Index can be reproduced in SQL; routing/oracle checks that they
// are, point for point, against a real PostGIS.
package geo
