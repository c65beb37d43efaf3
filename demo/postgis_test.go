package demo

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/encoding/ewkb"
	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/internal/pgtest"
)

// connectPostGIS opens the test database with PostGIS enabled
// (internal/pgtest: skipped without one, unless CI is set).
func connectPostGIS(t *testing.T) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// checkPostGIS loads the areas and buildings into temporary tables and lets
// PostGIS judge: every area valid; the grids of each community union to
// exactly the community, the communities to their street, the streets to
// their district; no two grids share interior; every building is covered by
// exactly one grid, its own.
func checkPostGIS(t *testing.T, conn *pgx.Conn, ds *data.Dataset) {
	ctx := context.Background()
	for _, q := range []string{
		`DROP TABLE IF EXISTS demo_areas, demo_buildings`,
		`CREATE TEMP TABLE demo_areas (code text PRIMARY KEY, level text NOT NULL, parent text, geom geometry(MultiPolygon, 4326) NOT NULL)`,
		`CREATE TEMP TABLE demo_buildings (id int PRIMARY KEY, grid text NOT NULL, pt geometry(Point, 4326) NOT NULL)`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	b := &pgx.Batch{}
	for _, a := range ds.Areas {
		wkb, err := ewkb.Marshal(a.Geom, 4326)
		if err != nil {
			t.Fatal(err)
		}
		b.Queue(`INSERT INTO demo_areas VALUES ($1, $2, NULLIF($3, ''), ST_GeomFromEWKB($4))`, a.Code, string(a.Level), a.ParentCode, wkb)
	}
	for i, bd := range ds.Buildings {
		wkb, err := ewkb.Marshal(bd.Point, 4326)
		if err != nil {
			t.Fatal(err)
		}
		b.Queue(`INSERT INTO demo_buildings VALUES ($1, $2, ST_GeomFromEWKB($3))`, i, bd.GridCode, wkb)
	}
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE INDEX ON demo_areas USING gist (geom); ANALYZE demo_areas`); err != nil {
		t.Fatal(err)
	}
	// rows returns the first column of every row, as text.
	rows := func(t *testing.T, q string, args ...any) []string {
		t.Helper()
		rs, err := conn.Query(ctx, q, args...)
		if err != nil {
			t.Fatal(err)
		}
		out, err := pgx.CollectRows(rs, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	t.Run("all valid", func(t *testing.T) {
		if bad := rows(t, `SELECT code || ': ' || ST_IsValidReason(geom) FROM demo_areas WHERE NOT ST_IsValid(geom)`); len(bad) > 0 {
			t.Errorf("%d invalid areas, e.g. %v", len(bad), bad[:min(5, len(bad))])
		}
	})
	for _, lv := range []struct{ child, parent data.Level }{
		{data.LevelGrid, data.LevelCommunity},
		{data.LevelCommunity, data.LevelStreet},
		{data.LevelStreet, data.LevelDistrict},
	} {
		t.Run("union of "+string(lv.child)+"s equals "+string(lv.parent), func(t *testing.T) {
			bad := rows(t, `
				SELECT p.code FROM demo_areas p
				LEFT JOIN (SELECT parent, ST_Union(geom) AS u FROM demo_areas WHERE level = $1 GROUP BY parent) c ON c.parent = p.code
				WHERE p.level = $2 AND (c.u IS NULL OR NOT ST_Equals(c.u, p.geom))`, string(lv.child), string(lv.parent))
			if len(bad) > 0 {
				t.Errorf("%d %ss differ from the union of their %ss, e.g. %v", len(bad), lv.parent, lv.child, bad[:min(5, len(bad))])
			}
		})
	}
	t.Run("no two grids overlap", func(t *testing.T) {
		bad := rows(t, `
			SELECT a.code || ' ' || b.code FROM demo_areas a JOIN demo_areas b
			ON a.level = 'grid' AND b.level = 'grid' AND a.code < b.code AND a.geom && b.geom
			WHERE ST_Relate(a.geom, b.geom, '2********')`)
		if len(bad) > 0 {
			t.Errorf("%d overlapping grid pairs, e.g. %v", len(bad), bad[:min(5, len(bad))])
		}
	})
	t.Run("every building in exactly its grid", func(t *testing.T) {
		bad := rows(t, `
			SELECT b.id::text FROM demo_buildings b
			LEFT JOIN demo_areas g ON g.level = 'grid' AND g.geom && b.pt AND ST_Covers(g.geom, b.pt)
			GROUP BY b.id, b.grid HAVING count(g.code) <> 1 OR min(g.code) <> b.grid`)
		if len(bad) > 0 {
			t.Errorf("%d buildings not in exactly their grid, e.g. %v", len(bad), bad[:min(5, len(bad))])
		}
	})
}

func TestPostGISLicang(t *testing.T) {
	conn := connectPostGIS(t)
	checkPostGIS(t, conn, licang(t))
}

func TestPostGISSyntheticCity(t *testing.T) {
	conn := connectPostGIS(t)
	ds, err := Generate(Options{Seed: 5, Grids: 3000, Reports: -1})
	if err != nil {
		t.Fatal(err)
	}
	checkPostGIS(t, conn, ds)
}
