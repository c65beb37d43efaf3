package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/internal/pgtest"
)

// storeURLs lists the stores the end-to-end CLI tests run against: a fresh
// embedded file, and a fresh PostGIS database schema (see pgTestURL).
func storeURLs(t *testing.T) map[string]string {
	return map[string]string{
		"sqlite":  filepath.Join(t.TempDir(), "w.db"),
		"postgis": pgTestURL(t),
	}
}

func wangge(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, &out, &errb)
	return out.String() + errb.String(), err
}

func writeFile(t *testing.T, name, body string) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func feature(code, parent, level, ring string) string {
	return `{"type":"Feature","properties":{"code":"` + code + `","parent_code":"` + parent + `","level":"` + level + `","name":"` + code + `"},"geometry":{"type":"Polygon","coordinates":[` + ring + `]}}`
}

func collection(fs ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(fs, ",") + `]}`
}

const (
	ringD  = `[[120,36],[120.02,36],[120.02,36.02],[120,36.02],[120,36]]`
	ringG1 = `[[120,36],[120.01,36],[120.01,36.02],[120,36.02],[120,36]]`
	ringG2 = `[[120.01,36],[120.02,36],[120.02,36.02],[120.01,36.02],[120.01,36]]`
)

// counts returns the number of areas and revisions in the store.
func counts(t *testing.T, db string) (areas, revisions int) {
	t.Helper()
	st, err := openStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, n, err := st.ListAreas(context.Background(), data.AreaQuery{})
	if err != nil {
		t.Fatal(err)
	}
	revs, err := st.ListRevisions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n, len(revs)
}

// TestImportGridsAllOrNothing imports a good file, then each bad input of
// the issue, and checks that every bad import is rejected with the feature
// index and leaves the store exactly as it was — on both stores.
func TestImportGridsAllOrNothing(t *testing.T) {
	for kind, db := range storeURLs(t) {
		t.Run(kind, func(t *testing.T) {
			good := writeFile(t, "good.geojson", collection(
				feature("D", "", "district", ringD), feature("G1", "D", "grid", ringG1), feature("G2", "D", "grid", ringG2)))
			if out, err := wangge(t, "import", "grids", good, "--db", db, "-q"); err != nil {
				t.Fatalf("good import failed: %v\n%s", err, out)
			}
			wantAreas, wantRevs := counts(t, db)
			if wantAreas != 3 || wantRevs != 1 {
				t.Fatalf("after the good import: %d areas, %d revisions; want 3, 1", wantAreas, wantRevs)
			}
			bad := []struct{ name, file, want string }{
				{"bad JSON", collection(feature("G3", "D", "grid", ringG1)) + "}{", "malformed JSON"},
				{"truncated JSON", `{"type":"FeatureCollection","features":[` + feature("G3", "D", "grid", ringG1), "malformed JSON"},
				{"self-intersecting ring", collection(feature("G3", "D", "grid", ringG1), feature("G4", "D", "grid", `[[120,36],[120.01,36.01],[120.01,36],[120,36.01],[120,36]]`)), "item 1"},
				{"unclosed ring", collection(feature("G3", "D", "grid", `[[120,36],[120.01,36],[120.01,36.01],[120,36.01]]`)), "item 0"},
				{"coordinates out of range", collection(feature("G3", "D", "grid", `[[200,36],[200.01,36],[200.01,36.01],[200,36.01],[200,36]]`)), "item 0"},
				{"missing parent", collection(feature("G3", "D", "grid", ringG1), feature("G4", "NOPE", "grid", ringG2)), "item 1"},
				{"duplicate code in the file", collection(feature("G3", "D", "grid", ringG1), feature("G3", "D", "grid", ringG2)), "duplicate"},
				{"duplicate of a stored code", collection(feature("G3", "D", "grid", ringG1), feature("G1", "D", "grid", ringG2)), "item 1"},
			}
			for _, tc := range bad {
				t.Run(tc.name, func(t *testing.T) {
					f := writeFile(t, "bad.geojson", tc.file)
					out, err := wangge(t, "import", "grids", f, "--db", db, "-q")
					if err == nil {
						t.Fatalf("bad import succeeded:\n%s", out)
					}
					if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "nothing written") {
						t.Errorf("error %q should mention %q and that nothing was written", err, tc.want)
					}
					if a, r := counts(t, db); a != wantAreas || r != wantRevs {
						t.Errorf("store changed by a rejected import: %d areas, %d revisions; want %d, %d", a, r, wantAreas, wantRevs)
					}
				})
			}
			// The export is valid GeoJSON holding the stored grids.
			out, err := wangge(t, "export", "grids", "--db", db)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, `"FeatureCollection"`) || strings.Count(out, `"Feature"`) != 2 {
				t.Errorf("export should hold 2 grid features:\n%.300s", out)
			}
		})
	}
}

func pgTestURL(t *testing.T) string { return pgtest.FreshSchema(t) }

// importTwoGrids imports the CLI tests' fixture into db: district D with
// grids G1 (x 120–120.01) and G2 (x 120.01–120.02), both y 36–36.02.
func importTwoGrids(t *testing.T, db string) {
	t.Helper()
	f := writeFile(t, "grids.geojson", collection(
		feature("D", "", "district", ringD), feature("G1", "D", "grid", ringG1), feature("G2", "D", "grid", ringG2)))
	if out, err := wangge(t, "import", "grids", f, "--db", db, "-q"); err != nil {
		t.Fatalf("importing the fixture: %v\n%s", err, out)
	}
}

// TestImportGridsRelinksBuildings: a new partition (import grids --replace)
// re-links the stored buildings to the grids they now lie in, the
// household counts follow, and the open cases are rerouted to the new
// grid with a "rerouted" event — on both stores.
func TestImportGridsRelinksBuildings(t *testing.T) {
	for kind, db := range storeURLs(t) {
		t.Run(kind, func(t *testing.T) {
			importTwoGrids(t, db)
			csv := writeFile(t, "b.csv", "address,lon,lat,households\nwest,120.005,36.01,100\neast,120.015,36.01,50\n")
			if out, err := wangge(t, "import", "buildings", csv, "--db", db, "-q"); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if out, err := wangge(t, "user", "add", "--name", "指挥中心", "--role", "command_center:D", "--db", db); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			reports := writeFile(t, "r.csv", "category,description,lon,lat\nother,open in G1,120.005,36.01\nother,open in G2,120.015,36.01\n")
			if out, err := wangge(t, "import", "reports", reports, "--db", db, "-q"); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			// One grid over the whole district replaces both.
			second := writeFile(t, "second.geojson", collection(feature("D", "", "district", ringD), feature("G9", "D", "grid", ringD)))
			out, err := wangge(t, "import", "grids", second, "--replace", "--db", db, "-q")
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if !strings.Contains(out, "re-linked 2 buildings") || !strings.Contains(out, "rerouted 2 open cases") {
				t.Errorf("output should report 2 re-linked buildings and 2 rerouted cases:\n%s", out)
			}
			st, err := openStore(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			bs, err := st.ListBuildings(context.Background(), "G9")
			if err != nil {
				t.Fatal(err)
			}
			g9, err := st.GetArea(context.Background(), "G9")
			if err != nil {
				t.Fatal(err)
			}
			if len(bs) != 2 || g9.Households != 150 {
				t.Fatalf("G9 holds %d buildings and %d households; want 2 and 150", len(bs), g9.Households)
			}
			reps, _, err := st.ListReports(context.Background(), data.ReportQuery{})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range reps {
				evs, err := st.Events(context.Background(), r.ID)
				if err != nil {
					t.Fatal(err)
				}
				if r.Routing.GridCode != "G9" || r.Routing.Revision != g9.Revision || evs[len(evs)-1].Kind != "rerouted" {
					t.Fatalf("case %q after the import: %+v, last event %q; want G9 on revision %d, rerouted", r.Description, r.Routing, evs[len(evs)-1].Kind, g9.Revision)
				}
			}
		})
	}
}

// TestImportRealFiles loads real boundary files with their own property
// names: the San Francisco block groups (GeoJSON, no hierarchy → one root)
// and a GeoPackage written by GDAL's ogr2ogr, then routes a point inside
// one of them from the CLI.
func TestImportRealFiles(t *testing.T) {
	for kind, db := range storeURLs(t) {
		t.Run(kind, func(t *testing.T) {
			out, err := wangge(t, "import", "grids", "../../testdata/real/sf_blockgroups.geojson", "--db", db, "-q",
				"--code", "GEO_ID", "--name", "GEO_displa", "--parent", "", "--households", "", "--level-prop", "", "--root", "sf", "--root-name", "San Francisco")
			if err != nil {
				t.Fatalf("SF import: %v\n%s", err, out)
			}
			if !strings.Contains(out, "imported 580 areas") {
				t.Errorf("want 579 block groups + 1 root, got: %s", out)
			}
			// A point in the Mission (block group 1500000US060750228032 area).
			out, err = wangge(t, "route", "-122.4148", "37.7589", "--db", db)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, `"match":"inside"`) || !strings.Contains(out, `"code":"1500000US06075`) || !strings.Contains(out, `"district":{"code":"sf"`) {
				t.Errorf("route in SF: %s", out)
			}
			// GeoPackage into a second root, keeping the codes distinct.
			out, err = wangge(t, "import", "grids", "testdata/sf20.gpkg", "--db", db, "-q",
				"--code", "GEO_id2", "--name", "NAME", "--parent", "", "--households", "Population", "--level-prop", "", "--root", "sf-gpkg")
			if err != nil {
				t.Fatalf("GeoPackage import: %v\n%s", err, out)
			}
			if !strings.Contains(out, "imported 21 areas") {
				t.Errorf("want 20 features + root from the GeoPackage, got: %s", out)
			}
		})
	}
}

// TestImportReports bulk-imports reports from CSV and GeoJSON into the
// demo-less fixture partition on both stores: each is routed to its grid,
// and a file with one bad row writes nothing.
func TestImportReports(t *testing.T) {
	for kind, db := range storeURLs(t) {
		t.Run(kind, func(t *testing.T) {
			importTwoGrids(t, db)
			if out, err := wangge(t, "user", "add", "--name", "指挥中心", "--role", "command_center:D", "--db", db); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			csvFile := writeFile(t, "r.csv", "category,description,lon,lat,created_at\n"+
				"safety_hazard,楼道堆放杂物,120.005,36.01,2026-11-01T08:00:00+08:00\n"+
				"facility_damage,路灯损坏,120.015,36.01,\n")
			out, err := wangge(t, "import", "reports", csvFile, "--db", db, "-q")
			if err != nil || !strings.Contains(out, "imported 2 reports") {
				t.Fatalf("CSV import: %v\n%s", err, out)
			}
			gj := writeFile(t, "r.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"category":"other","description":"x"},"geometry":{"type":"Point","coordinates":[120.015,36.015]}}]}`)
			if out, err := wangge(t, "import", "reports", gj, "--db", db, "-q"); err != nil || !strings.Contains(out, "imported 1 reports") {
				t.Fatalf("GeoJSON import: %v\n%s", err, out)
			}
			bad := writeFile(t, "bad.csv", "category,description,lon,lat\nother,ok,120.005,36.01\nother,bad,120.005,96\n")
			if out, err := wangge(t, "import", "reports", bad, "--db", db, "-q"); err == nil || !strings.Contains(err.Error(), "row 3: item 1") {
				t.Fatalf("bad CSV should fail naming row 3 (item 1): %v\n%s", err, out)
			}
			badCat := writeFile(t, "badcat.csv", "category,description,lon,lat\nother,ok,120.005,36.01\nnope,bad,120.005,36.01\n")
			if out, err := wangge(t, "import", "reports", badCat, "--db", db, "-q"); err == nil || !strings.Contains(err.Error(), "row 3: item 1: category") {
				t.Fatalf("unknown category should fail naming row 3 (item 1): %v\n%s", err, out)
			}
			st, err := openStore(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			reps, n, err := st.ListReports(context.Background(), data.ReportQuery{})
			if err != nil {
				t.Fatal(err)
			}
			if n != 3 {
				t.Fatalf("want the 3 good reports stored and none of the bad file, got %d", n)
			}
			grids := map[string]string{}
			for _, r := range reps {
				grids[r.Description] = r.Routing.GridCode
			}
			if grids["楼道堆放杂物"] != "G1" || grids["路灯损坏"] != "G2" || grids["x"] != "G2" {
				t.Errorf("reports not routed to their grids: %v", grids)
			}
		})
	}
}
