package main

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/routing"
)

// FuzzRouteCSV: any input either fails with an error naming the problem
// or comes out as valid CSV with the header and every row, each with the
// routing columns added — never a panic, a partial row or a lost row.
func FuzzRouteCSV(f *testing.F) {
	for _, s := range []string{
		"id,lon,lat\n1,120.005,36.01\n",
		"\ufeffx,y\n120.015,36.01\n1,2\n",
		"lng,latitude,note\n120.005,36.01,\"a,\"\"b\"\"\nc\"\n",
		"lon,lat\n 120.005 , 36.01 \n",
		"lon,lat\n36.01,120.005\n",
		"lon,lat\nNaN,1\n",
		"lon,lat\n1\n",
		"a,b\n1,2\n",
		"lon,lat\n\"unterminated\n",
	} {
		f.Add(s)
	}
	ring := orb.MultiPolygon{{{{120, 36}, {120.02, 36}, {120.02, 36.02}, {120, 36.02}, {120, 36}}}}
	s, err := routing.Build(data.Partition{Revision: 1, Areas: []data.Area{{Code: "G1", Level: data.LevelGrid, Name: "G1", Geom: ring}}}, routing.Options{})
	if err != nil {
		f.Fatal(err)
	}
	snap := func() (*routing.Snapshot, error) { return s, nil }
	id := func(lon, lat float64) (float64, float64) { return lon, lat }
	f.Fuzz(func(t *testing.T, in string) {
		var out bytes.Buffer
		n, err := routeCSV(snap, strings.NewReader(in), &out, id)
		if err != nil {
			if !strings.Contains(err.Error(), "route --file") {
				t.Fatalf("error without context: %v", err)
			}
			return
		}
		recs, err := csv.NewReader(&out).ReadAll()
		if err != nil {
			t.Fatalf("output is not CSV (%v):\n%s", err, out.String())
		}
		if len(recs) != n+1 {
			t.Fatalf("%d rows routed, %d records written", n, len(recs))
		}
		head, _ := csv.NewReader(strings.NewReader(in)).Read()
		for i, r := range recs {
			if len(r) != len(head)+len(routeColumns) {
				t.Fatalf("record %d has %d fields, want %d: %q", i, len(r), len(head)+len(routeColumns), r)
			}
		}
	})
}
