package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/api"
	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/internal/teststores"
	"github.com/wangge-dev/wangge/routing"
)

// TestRouteSwappedInRange: where a district's longitudes are valid
// latitudes (Chicago), a point sent lat first is in range but routes
// outside while its swap is inside: GET and POST answer 400 naming the
// swap (and, in a batch, the point's index). Percent-encoded query values
// are decoded; a number too large for a float is out of range.
func TestRouteSwappedInRange(t *testing.T) {
	st := teststores.SQLite(t)
	ring := orb.MultiPolygon{{{{-87.7, 41.8}, {-87.6, 41.8}, {-87.6, 41.9}, {-87.7, 41.9}, {-87.7, 41.8}}}}
	if _, err := st.PutAreas(context.Background(), []data.Area{
		{Code: "D", Level: data.LevelDistrict, Name: "D", Geom: ring},
		{Code: "G1", Level: data.LevelGrid, Name: "G1", ParentCode: "D", Geom: ring},
	}, false, "chicago"); err != nil {
		t.Fatal(err)
	}
	r := routing.NewRouter(nil, routing.Options{})
	if err := r.Reload(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(testConfig, api.Deps{Store: st, Router: r}))
	defer srv.Close()
	call := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s %s: not JSON: %s", method, path, b)
		}
		return res.StatusCode, m
	}
	for _, tc := range []struct {
		method, path, body string
		status             int
		want               string // in the error message, or the grid code answered
		index              float64
	}{
		{"GET", "/api/v1/route?lon=-87.65&lat=41.85", "", 200, "G1", -1},
		{"GET", "/api/v1/route?lon=%2D87.65&lat=41%2E85", "", 200, "G1", -1},
		{"GET", "/api/v1/route?lon=-87.65&lat=41.85&coordsys=gcj%30%32", "", 200, "G1", -1},
		{"GET", "/api/v1/route?lon=41.85&lat=-87.65", "", 400, "look swapped", -1},
		{"GET", "/api/v1/route?lon=10&lat=10", "", 200, "", -1},
		{"GET", "/api/v1/route?lon=1e400&lat=10", "", 400, "lon: 1e400 is out of range", -1},
		{"GET", "/api/v1/route?lon=%ZZ&lat=10", "", 400, "bad percent-encoding", -1},
		{"GET", "/api/v1/route?lon=120.4&lat=36.17&lat=1", "", 400, "lat is given more than once", -1},
		{"GET", "/api/v1/route?lon=120.4&lat=36.17&coordsys=gcj02&coordsys=wgs84", "", 400, "coordsys is given more than once", -1},
		{"GET", "/api/v1/route?l%61t=36.17&lon=120.4&lat=1", "", 400, "lat is given more than once", -1},
		{"GET", "/api/v1/route?lon=-87.65&lat=41.85&lon", "", 400, "lon is given more than once", -1},
		{"GET", "/api/v1/reports?category=a&category=b", "", 400, "category is given more than once (a list is one parameter, comma-separated: category=a,b)", -1},
		{"GET", "/api/v1/areas?level=grid&limit=1&level=street", "", 400, "level is given more than once", -1},
		{"POST", "/api/v1/route", "[[-87.65,41.85],[10,10],[41.85,-87.65]]", 400, "point 2: point (lon 41.85, lat -87.65) is outside the service area", 2},
		{"POST", "/api/v1/route", "[[-87.65,41.85],[10,10]]", 200, "", -1},
	} {
		status, m := call(tc.method, tc.path, tc.body)
		if status != tc.status {
			t.Errorf("%s %s %s: %d %v, want %d", tc.method, tc.path, tc.body, status, m, tc.status)
			continue
		}
		if status == 400 {
			e, _ := m["error"].(map[string]any)
			msg, _ := e["message"].(string)
			idx, hasIdx := e["index"].(float64)
			if !strings.Contains(msg, tc.want) || tc.index >= 0 && (!hasIdx || idx != tc.index) {
				t.Errorf("%s %s %s: error %v, want %q at index %v", tc.method, tc.path, tc.body, m, tc.want, tc.index)
			}
			continue
		}
		if tc.method == "GET" {
			g, _ := m["grid"].(map[string]any)
			if code, _ := g["code"].(string); code != tc.want {
				t.Errorf("%s %s: grid %v, want %q", tc.method, tc.path, m["grid"], tc.want)
			}
		}
	}
}

// FuzzRouteGetQuery: any raw query string gets 200 with an answer or 400
// with a JSON error naming the problem — never a panic or a 5xx.
func FuzzRouteGetQuery(f *testing.F) {
	for _, q := range []string{"lon=120.4&lat=36.1", "lon=%2D87.65&lat=41%2E85", "lon=1e400&lat=1", "lon=%ZZ", "lat=&lon=", "lon=1&lat=2&coordsys=bd%30%39",
		"lon=NaN&lat=Inf", "lon=-87.65&lat=41.85&lon=3", "&&&=", "lon=0x1p-2&lat=1_0"} {
		f.Add(q)
	}
	st := teststores.SQLite(f)
	ring := orb.MultiPolygon{{{{-87.7, 41.8}, {-87.6, 41.8}, {-87.6, 41.9}, {-87.7, 41.9}, {-87.7, 41.8}}}}
	if _, err := st.PutAreas(context.Background(), []data.Area{{Code: "G1", Level: data.LevelGrid, Name: "G1", Geom: ring}}, false, "fuzz"); err != nil {
		f.Fatal(err)
	}
	r := routing.NewRouter(nil, routing.Options{})
	if err := r.Reload(context.Background(), st); err != nil {
		f.Fatal(err)
	}
	h := api.New(testConfig, api.Deps{Store: st, Router: r})
	f.Fuzz(func(t *testing.T, q string) {
		req := httptest.NewRequest("GET", "/api/v1/route", nil)
		req.URL.RawQuery = q
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		var m map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
			t.Fatalf("query %q: %d, not JSON: %q", q, w.Code, w.Body.String())
		}
		switch w.Code {
		case 200:
			if _, ok := m["match"].(string); !ok {
				t.Fatalf("query %q: 200 without a match: %v", q, m)
			}
		case 400:
			e, _ := m["error"].(map[string]any)
			if msg, _ := e["message"].(string); msg == "" {
				t.Fatalf("query %q: 400 without a message: %v", q, m)
			}
		default:
			t.Fatalf("query %q: status %d: %v", q, w.Code, m)
		}
	})
}
