package api

import (
	"encoding/json"
	"errors"
	"math"
	"testing"
)

// FuzzParsePoints: the hand-written batch parser never panics, returns
// either points or a 400 *Error (with the index of the bad point where it
// names one), and agrees with encoding/json on every array of pairs it
// accepts.
func FuzzParsePoints(f *testing.F) {
	for _, s := range []string{`[[120.4,36.1],[120.41,36.2]]`, `[]`, `[[1,2],]`, `[[1e999,2]]`, `[[1,2,3]]`, ` [ [ -1.5e2 , +2 ] ] `,
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}}]}`, `[[NaN,1]]`, `[["1",2]]`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2,3]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,"2"]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}},7]}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pts, err := parsePoints([]byte(s), 1000)
		if err != nil {
			var ae *Error
			if !errors.As(err, &ae) || ae.Status != 400 {
				t.Fatalf("error is not a 400 *Error: %v", err)
			}
			return
		}
		if len(pts) == 0 || len(pts) > 1000 {
			t.Fatalf("accepted %d points", len(pts))
		}
		if len(s) > 0 && s[0] == '{' {
			// Every accepted feature's coordinates are one position of 2
			// or 3 numbers, and the point is its first two.
			var fc struct {
				Features []struct {
					Geometry struct {
						Coordinates []float64 `json:"coordinates"`
					} `json:"geometry"`
				} `json:"features"`
			}
			if err := json.Unmarshal([]byte(s), &fc); err != nil || len(fc.Features) != len(pts) {
				t.Fatalf("accepted %q, encoding/json reads %d features of positions: %v", s, len(fc.Features), err)
			}
			for i, f := range fc.Features {
				c := f.Geometry.Coordinates
				if len(c) != 2 && len(c) != 3 || c[0] != pts[i][0] || c[1] != pts[i][1] {
					t.Fatalf("feature %d: coordinates %v, point %v", i, c, pts[i])
				}
			}
			return
		}
		var want [][]float64
		if err := json.Unmarshal([]byte(s), &want); err != nil {
			t.Fatalf("parser accepted %q, encoding/json rejects it: %v", s, err)
		}
		if len(want) != len(pts) {
			t.Fatalf("%d points, encoding/json sees %d", len(pts), len(want))
		}
		for i := range want {
			if len(want[i]) != 2 || !(want[i][0] == pts[i][0] || math.IsNaN(pts[i][0])) || want[i][1] != pts[i][1] {
				t.Fatalf("point %d: %v, encoding/json: %v", i, pts[i], want[i])
			}
		}
	})
}
