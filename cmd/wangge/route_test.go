package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
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
			if out, err := wangge(t, "user", "add", "--db", db, "--name", "Deputy", "--phone", "138", "--role", "deputy_leader:G1"); err != nil {
				t.Fatalf("user add: %v\n%s", err, out)
			}
			// G1 is x 120–120.01, G2 120.01–120.02, both y 36–36.02; G1's
			// leader post is vacant, its deputy answers. Row 2 lies about
			// 18 m west of their shared edge; row 3 is 100 m south of the
			// district (nearest grid G1); row 4 is far away; row 5 is in G2
			// with spaces around its numbers.
			in := writeFile(t, "points.csv", "\ufeffid,note,lng,latitude\n"+
				"1,\"a, quoted \"\"note\"\"\",120.005,36.01\n"+
				"2,near the edge,120.0098,36.01\n"+
				"3,south,120.005,35.9991\n"+
				"4,far,100,10\n"+
				"5,spaced, 120.015 , 36.01\n")
			outFile := filepath.Join(t.TempDir(), "routed.csv")
			msg, err := wangge(t, "route", "--file", in, "--out", outFile, "--db", db)
			if err != nil {
				t.Fatalf("route --file: %v\n%s", err, msg)
			}
			if !strings.Contains(msg, "routed 5 points") {
				t.Errorf("summary: %s", msg)
			}
			got, err := os.ReadFile(outFile)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
			want := []string{
				"\ufeffid,note,lng,latitude,grid_code,grid_name,match,distance_m,leader_id,leader_name,leader_phone,community_code,street_code,near_border_code,near_border_m,leader_role",
				`1,"a, quoted ""note""",120.005,36.01,G1,G1,inside,0.0,1,Deputy,138,,,,,deputy_leader`,
				"2,near the edge,120.0098,36.01,G1,G1,inside,0.0,1,Deputy,138,,,G2,18.0,deputy_leader",
				"3,south,120.005,35.9991,G1,G1,nearest,100.1,1,Deputy,138,,,,,deputy_leader",
				"4,far,100,10,,,outside,0.0,,,,,,,,",
				"5,spaced, 120.015 , 36.01,G2,G2,inside,0.0,,,,,,,,",
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

// TestRouteFileChunks: a file of several read chunks comes out in input
// order, every row routed; a bad row in a later chunk is named by its line
// and nothing is written.
func TestRouteFileChunks(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	importTwoGrids(t, db)
	const rows = 3*csvChunkRows + 17
	var b strings.Builder
	b.WriteString("id,lon,lat\n")
	for i := 1; i <= rows; i++ {
		fmt.Fprintf(&b, "%d,%.6f,36.01\n", i, 120.0001+float64(i%200)*0.0001) // G1 below 120.01, G2 from there
	}
	in := writeFile(t, "many.csv", b.String())
	outFile := filepath.Join(t.TempDir(), "routed.csv")
	if msg, err := wangge(t, "route", "--file", in, "--out", outFile, "--db", db); err != nil {
		t.Fatalf("route --file: %v\n%s", err, msg)
	}
	got, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
	if len(lines) != rows+1 {
		t.Fatalf("%d lines, want %d", len(lines), rows+1)
	}
	for i := 1; i <= rows; i++ {
		f := strings.Split(lines[i], ",")
		want := "G1"
		if 120.0001+float64(i%200)*0.0001 > 120.01 {
			want = "G2"
		}
		if f[0] != strconv.Itoa(i) || f[3] != want && !(f[5] == "edge" && f[3] == "G1") {
			t.Fatalf("line %d: %s (want id %d in %s)", i+1, lines[i], i, want)
		}
	}
	bad := strings.Replace(b.String(), "\n9000,", "\n9000,x", 1)
	fresh := filepath.Join(t.TempDir(), "never.csv")
	msg, err := wangge(t, "route", "--file", writeFile(t, "bad.csv", bad), "--out", fresh, "--db", db)
	if err == nil || !strings.Contains(err.Error(), "line 9001 (row 9000)") {
		t.Fatalf("bad row 9000: err %v\n%s", err, msg)
	}
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Fatalf("a failed run wrote %s: %v", fresh, err)
	}
}

// TestRouteSwapped: where a district's longitudes are valid latitudes
// (Chicago), a point sent lat first routes outside while the same numbers
// the other way round are inside: `wangge route` says so instead of
// answering "outside", for one point and for a row of a file.
func TestRouteSwapped(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	ring := `[[-87.7,41.8],[-87.6,41.8],[-87.6,41.9],[-87.7,41.9],[-87.7,41.8]]`
	f := writeFile(t, "chicago.geojson", collection(feature("D", "", "district", ring), feature("G1", "D", "grid", ring)))
	if out, err := wangge(t, "import", "grids", f, "--db", db, "-q"); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	if out, err := wangge(t, "route", "--db", db, "-87.65", "41.85"); err != nil || !strings.Contains(out, `"code":"G1"`) {
		t.Fatalf("route lon lat: %v\n%s", err, out)
	}
	if out, err := wangge(t, "route", "--db", db, "41.85", "-87.65"); err == nil || !strings.Contains(err.Error(), "look swapped") {
		t.Fatalf("route lat lon: err %v\n%s", err, out)
	}
	if out, err := wangge(t, "route", "--db", db, "41.85", "-97.65"); err == nil || !strings.Contains(err.Error(), "out of [-90, 90]; lon and lat look swapped") {
		t.Fatalf("route lat lon with lat out of range: err %v\n%s", err, out)
	}
	if out, err := wangge(t, "route", "--db", db, "10", "10"); err != nil || !strings.Contains(out, `"match":"outside"`) {
		t.Fatalf("a point really outside: %v\n%s", err, out)
	}
	in := writeFile(t, "p.csv", "id,lon,lat\n1,-87.65,41.85\n2,10,10\n3,41.85,-87.65\n")
	if out, err := wangge(t, "route", "--db", db, "--file", in); err == nil || !strings.Contains(err.Error(), "line 4 (row 3)") || !strings.Contains(err.Error(), "look swapped") {
		t.Fatalf("file with a swapped row: err %v\n%s", err, out)
	}
}

// TestRouteDistancesOff: --near-border-m 0 and --nearest-m 0 turn those
// answers off (they are not the defaults); a distance out of range is
// refused.
func TestRouteDistancesOff(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	importTwoGrids(t, db)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"120.0098", "36.01"}, `"near_border":{"code":"G2"`},
		{[]string{"--near-border-m", "0", "120.0098", "36.01"}, `"near_border":null`},
		{[]string{"120.005", "35.9991"}, `"match":"nearest"`},
		{[]string{"--nearest-m", "0", "120.005", "35.9991"}, `"match":"outside"`},
	} {
		out, err := wangge(t, append([]string{"route", "--db", db}, tc.args...)...)
		if err != nil || !strings.Contains(out, tc.want) {
			t.Errorf("route %v: %v\n%s (want %s)", tc.args, err, out, tc.want)
		}
	}
	for _, bad := range [][]string{{"--nearest-m", "-1"}, {"--nearest-m", "NaN"}, {"--near-border-m", "+Inf"}, {"--near-border-m", "5000"}} {
		if _, err := wangge(t, append([]string{"route", "--db", db}, append(bad, "120.005", "36.01")...)...); err == nil || !strings.Contains(err.Error(), "must be between") {
			t.Errorf("%v: %v", bad, err)
		}
	}
}
