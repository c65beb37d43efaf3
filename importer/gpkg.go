package importer

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/wangge-dev/wangge/data"

	_ "modernc.org/sqlite" // pure-Go SQLite driver "sqlite", shared with data/sqlitestore
)

// ReadGeoPackage reads the features of one layer of an OGC GeoPackage
// (layer "" = the only or first feature table). The layer must be in
// EPSG:4326; reproject others with ogr2ogr first. Every non-geometry
// column becomes a property.
func ReadGeoPackage(ctx context.Context, path, layer string) ([]Feature, error) {
	db, err := sql.Open("sqlite", "file:"+url.PathEscape(path)+"?mode=ro&_pragma=query_only(1)")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var table, geomCol string
	var srs int64
	q := `SELECT c.table_name, g.column_name, g.srs_id FROM gpkg_contents c
	      JOIN gpkg_geometry_columns g ON g.table_name = c.table_name
	      WHERE c.data_type = 'features' AND (? = '' OR c.table_name = ?) ORDER BY c.table_name LIMIT 1`
	if err := db.QueryRowContext(ctx, q, layer, layer).Scan(&table, &geomCol, &srs); err != nil {
		if err == sql.ErrNoRows {
			return nil, &data.ValidationError{Index: -1, Reason: fmt.Sprintf("no feature layer %q in the GeoPackage", layer)}
		}
		return nil, &data.ValidationError{Index: -1, Reason: "not a GeoPackage: " + err.Error()}
	}
	if srs != 4326 {
		return nil, &data.ValidationError{Index: -1, Reason: fmt.Sprintf("layer %s is in SRS %d; reproject to EPSG:4326 with: ogr2ogr -t_srs EPSG:4326 out.gpkg in.gpkg", table, srs)}
	}
	rows, err := db.QueryContext(ctx, `SELECT * FROM "`+escapeIdent(table)+`"`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []Feature
	for i := 0; rows.Next(); i++ {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for j := range vals {
			ptrs[j] = &vals[j]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		f := Feature{Properties: map[string]any{}}
		for j, c := range cols {
			if c == geomCol {
				blob, _ := vals[j].([]byte)
				g, err := decodeGPKGGeometry(blob)
				if err != nil {
					return nil, &data.ValidationError{Index: i, Field: c, Reason: err.Error()}
				}
				f.Geometry = g
				continue
			}
			switch v := vals[j].(type) {
			case int64:
				f.Properties[c] = float64(v)
			case []byte:
				f.Properties[c] = string(v)
			default:
				f.Properties[c] = v
			}
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// decodeGPKGGeometry reads a GeoPackage geometry blob: "GP", version, flags
// (bit 0 byte order, bits 1–3 envelope kind), srs_id, envelope of 0/32/48/64
// bytes, then standard WKB.
func decodeGPKGGeometry(b []byte) (orb.Geometry, error) {
	if len(b) < 8 || b[0] != 'G' || b[1] != 'P' {
		return nil, fmt.Errorf("not a GeoPackage geometry blob")
	}
	flags := b[3]
	if flags&0x10 != 0 {
		return nil, fmt.Errorf("empty geometry")
	}
	envLen := map[byte]int{0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[(flags>>1)&0x7]
	off := 8 + envLen
	if len(b) < off {
		return nil, fmt.Errorf("truncated geometry blob")
	}
	g, err := wkb.Unmarshal(b[off:])
	if err != nil {
		return nil, fmt.Errorf("bad WKB: %v", err)
	}
	return g, nil
}

func escapeIdent(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			out = append(out, '"')
		}
		out = append(out, s[i])
	}
	return string(out)
}
