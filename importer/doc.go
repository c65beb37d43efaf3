// Package importer reads planners' boundary files — GeoJSON (RFC 7946) and
// GeoPackage — and building CSVs into the domain's areas and buildings,
// validating every feature before anything is written: an import is all or
// nothing, and a rejected feature is named by its index and the reason.
//
// Shapefiles and projected CRSs are converted first with GDAL's ogr2ogr
// (Debian package gdal-bin):
//
//	ogr2ogr -f GeoJSON -t_srs EPSG:4326 grids.geojson grids.shp
//	ogr2ogr -f GeoJSON -t_srs EPSG:4326 -oo ENCODING=GBK grids.geojson grids.shp   # Chinese DBF
package importer
