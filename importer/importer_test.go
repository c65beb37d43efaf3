package importer

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/wangge-dev/wangge/data"
)

const sq = `[[[0,0],[1,0],[1,1],[0,1],[0,0]]]`

func fc(features ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`
}

func feat(code, parent, coords string) string {
	return `{"type":"Feature","properties":{"code":"` + code + `","parent_code":"` + parent + `","households":420},"geometry":{"type":"Polygon","coordinates":` + coords + `}}`
}

func TestReadAndMapGood(t *testing.T) {
	fs, err := ReadGeoJSON(strings.NewReader(fc(
		feat("A", "", sq),
		`{"type":"Feature","properties":{"code":"B","parent_code":"A","households":"455.6"},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[0.5,0],[0.5,0.5],[0,0.5],[0,0]]]]}}`,
	)))
	if err != nil {
		t.Fatal(err)
	}
	m := DefaultMapping()
	areas, err := ToAreas(fs, m)
	if err != nil {
		t.Fatal(err)
	}
	if len(areas) != 2 || areas[0].Code != "A" || areas[1].ParentCode != "A" || areas[1].Households != 456 || areas[0].Households != 420 {
		t.Fatalf("unexpected areas: %+v", areas)
	}
	if areas[1].Level != data.LevelGrid || len(areas[0].Geom) != 1 {
		t.Fatalf("level/geometry not mapped: %+v", areas[1])
	}
}

func TestRootForOrphans(t *testing.T) {
	fs, err := ReadGeoJSON(strings.NewReader(fc(
		`{"type":"Feature","id":"x1","properties":{"GEOID":"g1","HH":300},"geometry":{"type":"Polygon","coordinates":`+sq+`}}`,
		`{"type":"Feature","properties":{"GEOID":"g2","HH":310},"geometry":{"type":"Polygon","coordinates":[[[1,0],[2,0],[2,3],[1,3],[1,0]]]}}`,
	)))
	if err != nil {
		t.Fatal(err)
	}
	m := Mapping{CodeProp: "GEOID", HouseholdsProp: "HH", Root: data.Area{Code: "sf", Name: "San Francisco"}}
	areas, err := ToAreas(fs, m)
	if err != nil {
		t.Fatal(err)
	}
	if len(areas) != 3 {
		t.Fatalf("want 2 grids and a root, got %d", len(areas))
	}
	root := areas[2]
	if root.Code != "sf" || root.Level != data.LevelDistrict || areas[0].ParentCode != "sf" || areas[1].ParentCode != "sf" {
		t.Fatalf("root not attached: %+v", areas)
	}
	b := root.Geom.Bound()
	if b.Min[0] != 0 || b.Min[1] != 0 || b.Max[0] != 2 || b.Max[1] != 3 {
		t.Fatalf("root geometry should be the features' bounding box, got %v", b)
	}
}

// TestBadInputs covers each bad input the import must reject with the
// index of the offending feature and a reason.
func TestBadInputs(t *testing.T) {
	cases := []struct {
		name      string
		file      string
		wantIndex int
		wantIn    string
	}{
		{"malformed JSON", `{"type":"FeatureCollection","features":[` + feat("A", "", sq) + `,{"type":`, 1, "malformed JSON"},
		{"not JSON at all", `hello`, -1, "not JSON"},
		{"wrong top-level type", `{"type":"Point","coordinates":[1,2]}`, -1, "FeatureCollection"},
		{"self-intersecting ring (bow-tie)", fc(feat("A", "", sq), feat("B", "", `[[[0,0],[1,1],[1,0],[0,1],[0,0]]]`)), 1, ""},
		{"unclosed ring", fc(feat("A", "", `[[[0,0],[1,0],[1,1],[0,1]]]`)), 0, ""},
		{"longitude out of range", fc(feat("A", "", `[[[0,0],[181,0],[181,1],[0,1],[0,0]]]`)), 0, ""},
		{"latitude out of range", fc(feat("A", "", sq), feat("B", "", `[[[0,0],[1,0],[1,91],[0,91],[0,0]]]`)), 1, ""},
		{"duplicate code", fc(feat("A", "", sq), feat("B", "", sq), feat("A", "", sq)), 2, "duplicate code"},
		{"point geometry", fc(`{"type":"Feature","properties":{"code":"P"},"geometry":{"type":"Point","coordinates":[1,2]}}`), 0, "Polygon or MultiPolygon"},
		{"no geometry", fc(`{"type":"Feature","properties":{"code":"P"},"geometry":null}`), 0, "no geometry"},
		{"position with one number", fc(feat("A", "", sq), feat("B", "", `[[[0,0],[1,0],[1],[0,1],[0,0]]]`)), 1, "1 numbers"},
		{"position with four numbers", fc(feat("A", "", `[[[0,0,0,0],[1,0],[1,1],[0,1],[0,0]]]`)), 0, "4 numbers"},
		{"negative households", fc(`{"type":"Feature","properties":{"code":"P","households":-3},"geometry":{"type":"Polygon","coordinates":` + sq + `}}`), 0, "out of range"},
		{"empty code", fc(`{"type":"Feature","properties":{"code":""},"geometry":{"type":"Polygon","coordinates":` + sq + `}}`), 0, "code is missing"},
		{"unknown level", fc(`{"type":"Feature","properties":{"code":"Q","level":"province"},"geometry":{"type":"Polygon","coordinates":` + sq + `}}`), 0, "unknown level"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs, err := ReadGeoJSON(strings.NewReader(tc.file))
			if err == nil {
				_, err = ToAreas(fs, DefaultMapping())
			}
			var ve *data.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("want a *data.ValidationError, got %v", err)
			}
			if ve.Index != tc.wantIndex {
				t.Errorf("index = %d, want %d (%v)", ve.Index, tc.wantIndex, err)
			}
			if !strings.Contains(err.Error(), tc.wantIn) {
				t.Errorf("error %q does not mention %q", err, tc.wantIn)
			}
			if !errors.Is(err, data.ErrInvalid) {
				t.Errorf("error should unwrap to data.ErrInvalid")
			}
		})
	}
}

func TestBuildingsCSV(t *testing.T) {
	good := "lon,lat,households,address\n120.4,36.16,48,李村街道 1号楼\n120.41,36.17,0,\n"
	bs, err := ReadBuildingsCSV(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 2 || bs[0].Households != 48 || bs[0].Address != "李村街道 1号楼" || bs[1].Point[0] != 120.41 {
		t.Fatalf("unexpected: %+v", bs)
	}
	bad := []struct {
		name, csv string
		index     int
	}{
		{"no header columns", "a,b\n1,2\n", -1},
		{"non-numeric lat", "lon,lat,households\n120,abc,3\n", 0},
		{"lat out of range", "lon,lat,households\n120,36,3\n120,95,3\n", 1},
		{"NaN", "lon,lat,households\nNaN,36,3\n", 0},
		{"fractional households", "lon,lat,households\n120,36,3.5\n", 0},
		{"negative households", "lon,lat,households\n120,36,-1\n", 0},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadBuildingsCSV(strings.NewReader(tc.csv))
			var ve *data.ValidationError
			if !errors.As(err, &ve) || ve.Index != tc.index {
				t.Fatalf("want ValidationError at %d, got %v", tc.index, err)
			}
		})
	}
}

// FuzzReadGeoJSON: the reader must never panic and must either return
// features or a *data.ValidationError.
func FuzzReadGeoJSON(f *testing.F) {
	f.Add(fc(feat("A", "", sq)))
	f.Add(`{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}}`)
	f.Add(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,1],[1,0],[0,1],[0,0]]]]}}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		fs, err := ReadGeoJSON(strings.NewReader(s))
		if err != nil {
			var ve *data.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error is not a ValidationError: %v", err)
			}
			return
		}
		if _, err := ToAreas(fs, DefaultMapping()); err != nil {
			var ve *data.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error is not a ValidationError: %v", err)
			}
		}
	})
}

// TestCheckPositions: what orb's decoder lets through and CheckPositions
// refuses, and what it must accept.
func TestCheckPositions(t *testing.T) {
	for _, c := range []struct {
		geom string
		want string // "" = accepted
	}{
		{`{"type":"Point","coordinates":[120.4,36.1]}`, ""},
		{`{"type":"Point","coordinates":[120.4,36.1,12.5]}`, ""},
		{`{"type":"Point","coordinates":[-1.5e2, 3E-1]}`, ""},
		{`{"type":"Point","coordinates":[120.4]}`, "1 numbers"},
		{`{"type":"Point","coordinates":[]}`, "0 numbers"},
		{`{"type":"Point","coordinates":null}`, "without coordinates"},
		{`{"type":"Point"}`, "without coordinates"},
		{`{"type":"Point","coordinates":[[1,2]]}`, "deeper"},
		{`{"type":"Point","coordinates":[1,2,3,4]}`, "4 numbers"},
		{`{"type":"MultiPoint","coordinates":[[1,2],[3]]}`, "1 numbers"},
		{`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`, ""},
		{`{"type":"Polygon","coordinates":[[0,0],[1,0]]}`, "a number where"},
		{`{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6],[6,6],[5,5]]]]}`, "1 numbers"},
		{`{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},{"type":"Point","coordinates":[1]}]}`, "geometries[1]"},
	} {
		err := CheckPositions(json.RawMessage(c.geom))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.geom, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: %v, want an error mentioning %q", c.geom, err, c.want)
		}
	}
}
