package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRouteFile routes a CSV with `wangge route --file … --out` on both
// stores: every row keeps its fields (quoted ones too) and gains the grid,
// leader, area and near-border columns; a file with a bad row names its
// line and leaves the output file as it was (absent, or the earlier one).
func TestRouteFile(t *testing.T) {
	for kind, db := range storeURLs(t) {
		t.Run(kind, func(t *testing.T) {
			importTwoGrids(t, db)
			// G1 is x 120–120.01, G2 120.01–120.02, both y 36–36.02. Row 2
			// lies about 18 m west of their shared edge; row 3 is 100 m
			// south of the district (nearest grid G1); row 4 is far away.
			in := writeFile(t, "points.csv", "\ufeffid,note,lng,latitude\n"+
				"1,\"a, quoted \"\"note\"\"\",120.005,36.01\n"+
				"2,near the edge,120.0098,36.01\n"+
				"3,south,120.005,35.9991\n"+
				"4,far,100,10\n")
			outFile := filepath.Join(t.TempDir(), "routed.csv")
			msg, err := wangge(t, "route", "--file", in, "--out", outFile, "--db", db)
			if err != nil {
				t.Fatalf("route --file: %v\n%s", err, msg)
			}
			if !strings.Contains(msg, "routed 4 points") {
				t.Errorf("summary: %s", msg)
			}
			got, err := os.ReadFile(outFile)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
			want := []string{
				"\ufeffid,note,lng,latitude,grid_code,grid_name,match,distance_m,leader_id,leader_name,leader_phone,community_code,street_code,near_border_code,near_border_m",
				`1,"a, quoted ""note""",120.005,36.01,G1,G1,inside,0.0,,,,,,,`,
				"2,near the edge,120.0098,36.01,G1,G1,inside,0.0,,,,,,G2,18.0",
				"3,south,120.005,35.9991,G1,G1,nearest,100.1,,,,,,,",
				"4,far,100,10,,,outside,0.0,,,,,,,",
			}
			if len(lines) != len(want) {
				t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), got)
			}
			for i := range want {
				if lines[i] != want[i] {
					t.Errorf("line %d:\n got %s\nwant %s", i+1, lines[i], want[i])
				}
			}

			// A bad row: the error names its line, the earlier output stays.
			bad := writeFile(t, "bad.csv", "id,note,lon,lat\n1,x,120.005,36.01\n2,\"multi\nline\",120.005,36.01\n3,y,abc,36.01\n")
			msg, err = wangge(t, "route", "--file", bad, "--out", outFile, "--db", db)
			if err == nil || !strings.Contains(err.Error(), "line 5 (row 3)") || !strings.Contains(err.Error(), `"abc"`) {
				t.Fatalf("bad row: err %v\n%s", err, msg)
			}
			if again, _ := os.ReadFile(outFile); string(again) != string(got) {
				t.Errorf("a failed run changed the output file:\n%s", again)
			}
			fresh := filepath.Join(t.TempDir(), "never.csv")
			if _, err := wangge(t, "route", "--file", bad, "--out", fresh, "--db", db); err == nil {
				t.Fatal("bad file routed")
			}
			if ents, _ := os.ReadDir(filepath.Dir(fresh)); len(ents) != 0 {
				t.Errorf("a failed run left files behind: %v", ents)
			}
		})
	}
}
