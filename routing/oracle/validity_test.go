package oracle_test

import (
	"context"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/ewkb"
	"github.com/paulmach/orb/encoding/wkt"

	"github.com/wangge-dev/wangge/geo"
	"github.com/wangge-dev/wangge/geo/geotest"
	"github.com/wangge-dev/wangge/routing/oracle"
)

// TestValidateAgreesWithPostGIS compares geo.Validate with ST_IsValid on
// the named cases and on every polygon of the real data sets.
func TestValidateAgreesWithPostGIS(t *testing.T) {
	conn := oracle.Connect(t)
	ctx := context.Background()
	isValid := func(t *testing.T, g orb.Geometry) (bool, string) {
		b, err := ewkb.Marshal(g, 4326)
		if err != nil {
			t.Fatal(err)
		}
		var ok bool
		var reason string
		if err := conn.QueryRow(ctx, "SELECT ST_IsValid(g), ST_IsValidReason(g) FROM (SELECT ST_GeomFromEWKB($1) AS g) s", b).Scan(&ok, &reason); err != nil {
			t.Fatal(err)
		}
		return ok, reason
	}
	for _, c := range geotest.ValidityCases {
		t.Run(c.Name, func(t *testing.T) {
			g, err := wkt.Unmarshal(c.WKT)
			if err != nil {
				t.Fatal(err)
			}
			ok, reason := isValid(t, g)
			if ok != c.Valid {
				t.Fatalf("PostGIS says valid=%v (%s), case says %v", ok, reason, c.Valid)
			}
		})
	}
	for _, f := range []struct{ file, id string }{{"sf_blockgroups.geojson", "GEO_ID"}, {"chicago_precincts.geojson", "full_text"}} {
		t.Run(f.file, func(t *testing.T) {
			items := readReal(t, f.file, f.id)
			invalid := 0
			for _, it := range items {
				ok, reason := isValid(t, it.Geom)
				err := geo.Validate(it.Geom)
				if ok != (err == nil) {
					t.Errorf("item %d: PostGIS valid=%v (%s), Validate: %v", it.Key, ok, reason, err)
				}
				if !ok {
					invalid++
				}
			}
			t.Logf("%d polygons, %d invalid by PostGIS", len(items), invalid)
		})
	}
}
