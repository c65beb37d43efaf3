package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/wangge-dev/wangge/internal/pgtest"
)

// TestFirstRunServesDemoDistrict is the README's first command on a fresh
// machine: `wangge serve` on a new embedded store seeds the demo district,
// and GET /api/v1/areas?level=grid returns at least 1,400 grids whose union
// per community equals the community — checked by PostGIS (ST_Union,
// ST_Equals) on exactly the GeoJSON the API served, likewise communities
// per street and streets per district.
func TestFirstRunServesDemoDistrict(t *testing.T) {
	srv := startServer(t, "--db", filepath.Join(t.TempDir(), "wangge.db"), "--dashboard-token", "none")
	type feature struct {
		Geometry   json.RawMessage `json:"geometry"`
		Properties struct {
			Code   string `json:"code"`
			Parent string `json:"parent_code"`
			Level  string `json:"level"`
		} `json:"properties"`
	}
	get := func(level string) []feature {
		t.Helper()
		resp, err := http.Get(srv.url + "/api/v1/areas?level=" + level)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET areas level=%s: %d %s", level, resp.StatusCode, b)
		}
		var fc struct{ Features []feature }
		if err := json.Unmarshal(b, &fc); err != nil {
			t.Fatal(err)
		}
		return fc.Features
	}
	grids, communities, streets, districts := get("grid"), get("community"), get("street"), get("district")
	if len(grids) < 1400 {
		t.Fatalf("demo district serves %d grids, want at least 1,400", len(grids))
	}
	if len(communities) != 121 || len(streets) != 11 || len(districts) != 1 {
		t.Fatalf("want 121 communities, 11 streets, 1 district; got %d, %d, %d", len(communities), len(streets), len(districts))
	}

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE TEMP TABLE served (code text, parent text, level text, geom geometry)`); err != nil {
		t.Fatal(err)
	}
	batch := &pgx.Batch{}
	for _, set := range [][]feature{grids, communities, streets, districts} {
		for _, f := range set {
			batch.Queue(`INSERT INTO served VALUES ($1, $2, $3, ST_SetSRID(ST_GeomFromGeoJSON($4), 4326))`,
				f.Properties.Code, f.Properties.Parent, f.Properties.Level, string(f.Geometry))
		}
	}
	if err := conn.SendBatch(ctx, batch).Close(); err != nil {
		t.Fatal(err)
	}
	var invalid int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM served WHERE NOT ST_IsValid(geom)`).Scan(&invalid); err != nil || invalid != 0 {
		t.Fatalf("%d served geometries are not valid (err %v)", invalid, err)
	}
	for _, lv := range []struct{ child, parent string }{{"grid", "community"}, {"community", "street"}, {"street", "district"}} {
		rows, err := conn.Query(ctx, `
			SELECT p.code FROM served p
			LEFT JOIN (SELECT parent, ST_Union(geom) AS u FROM served WHERE level = $1 GROUP BY parent) c ON c.parent = p.code
			WHERE p.level = $2 AND (c.u IS NULL OR NOT ST_Equals(c.u, p.geom))`, lv.child, lv.parent)
		if err != nil {
			t.Fatal(err)
		}
		bad, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		if len(bad) > 0 {
			t.Errorf("%d %ss are not the union of their %ss as served, e.g. %v", len(bad), lv.parent, lv.child, bad[:min(5, len(bad))])
		}
	}
}
