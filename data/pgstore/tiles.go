package pgstore

import (
	"context"
	"fmt"

	"github.com/wangge-dev/wangge/data"
)

// sqlAreaTile renders the areas of one level meeting a web-mercator tile
// (with a 1/16 margin, as the Go encoder uses) as a Mapbox Vector Tile:
// ST_AsMVTGeom clips and quantises to extent 4096, ST_AsMVT encodes. The
// properties are those of api's Go encoder: code, name, level,
// households, band, parent_code.
const sqlAreaTile = `
WITH t AS (
	SELECT ST_TileEnvelope($1, $2, $3) AS env,
	       ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 0.0625), 4326) AS box
), f AS (
	SELECT ST_AsMVTGeom(ST_Transform(a.geom, 3857), t.env, 4096, 256, true) AS geom,
	       a.code::text AS code, a.name, a.level, a.households,
	       CASE WHEN a.level <> 'grid' THEN ''
	            WHEN a.households < 300 THEN 'under'
	            WHEN a.households > 600 THEN 'over'
	            ELSE 'normal' END AS band,
	       coalesce(a.parent_code::text, '') AS parent_code
	FROM areas a, t
	WHERE a.level = $4 AND a.geom && t.box
)
SELECT coalesce(ST_AsMVT(f.*, $5, 4096, 'geom'), ''::bytea) FROM f WHERE f.geom IS NOT NULL`

// tileLayer names the MVT layer of a level.
var tileLayer = map[data.Level]string{data.LevelGrid: "grids", data.LevelCommunity: "communities", data.LevelStreet: "streets", data.LevelDistrict: "districts"}

// AreaTile returns the MVT of the areas of a level meeting tile z/x/y,
// computed by PostGIS; empty when no area meets it. It implements
// api.TileSource.
func (s *Store) AreaTile(ctx context.Context, level data.Level, z, x, y uint32) ([]byte, error) {
	name, ok := tileLayer[level]
	if !ok {
		return nil, fmt.Errorf("pgstore: no tile layer for level %q: %w", level, data.ErrInvalid)
	}
	var b []byte
	if err := s.pool.QueryRow(ctx, sqlAreaTile, int(z), int(x), int(y), string(level), name).Scan(&b); err != nil {
		return nil, fmt.Errorf("pgstore: tile %d/%d/%d: %w", z, x, y, err)
	}
	return b, nil
}
