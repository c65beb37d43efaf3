package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/geo"
	"github.com/wangge-dev/wangge/workflow"
	wt "github.com/wangge-dev/wangge/workflow/workflowtest"
)

// scenario is one HTTP exchange and what must come back (pocketbase's
// ApiScenario). Every scenario answered with a 4xx to a writing method is
// also checked to have left the store unchanged (reports and events counted
// before and after).
type scenario struct {
	name     string
	method   string
	path     string
	role     string            // key of env.tok, noToken or badToken; "" = noToken
	headers  map[string]string // "" value deletes the header
	body     any               // see env.do
	status   int
	code     string   // error.code, for error answers
	contains []string // substrings the body must contain
	absent   []string // substrings the body must not contain
	check    func(t *testing.T, e *env, r resp)
}

// with returns a copy of e that reports failures to t.
func (e *env) with(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

// indexIs checks that an error answer names item i of the batch.
func indexIs(i int) func(t *testing.T, e *env, r resp) {
	return func(t *testing.T, e *env, r resp) {
		wantNum(t, path(r.json(t), "error", "index"), float64(i), "error.index")
	}
}

func runScenarios(t *testing.T, e *env, ss []scenario) {
	t.Helper()
	for _, s := range ss {
		t.Run(s.name, func(t *testing.T) {
			e := e.with(t)
			writes := s.method != http.MethodGet && s.method != http.MethodHead
			var r0, e0 int
			if writes && s.status >= 400 {
				r0, e0 = e.counts()
			}
			r := e.do(s.method, s.path, s.role, s.body, s.headers)
			if r.status != s.status {
				t.Fatalf("%s %s as %q: status %d, want %d; body %.400s", s.method, s.path, s.role, r.status, s.status, r.body)
			}
			for _, c := range s.contains {
				if !strings.Contains(string(r.body), c) {
					t.Errorf("body lacks %q: %.400s", c, r.body)
				}
			}
			for _, c := range s.absent {
				if strings.Contains(string(r.body), c) {
					t.Errorf("body contains %q: %.400s", c, r.body)
				}
			}
			if s.status >= 400 {
				if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Errorf("error Content-Type %q, want application/json", ct)
				}
				got := errCode(t, r)
				if got == "" || (s.code != "" && got != s.code) {
					t.Errorf("error.code %q, want %q: %s", got, s.code, r.body)
				}
			}
			if s.check != nil {
				s.check(t, e, r)
			}
			if writes && s.status >= 400 {
				if r1, e1 := e.counts(); r1 != r0 || e1 != e0 {
					t.Errorf("a %d changed the store: reports %d→%d, events %d→%d", s.status, r0, r1, e0, e1)
				}
			}
		})
	}
}

// wantNum checks a number in decoded JSON.
func wantNum(t *testing.T, v any, want float64, what string) {
	t.Helper()
	f, ok := v.(float64)
	if !ok || f != want {
		t.Errorf("%s = %v, want %v", what, v, want)
	}
}

func wantStr(t *testing.T, v any, want, what string) {
	t.Helper()
	if s, _ := v.(string); s != want {
		t.Errorf("%s = %v, want %q", what, v, want)
	}
}

func TestPublicEndpoints(t *testing.T) {
	eachStore(t, testConfig, func(t *testing.T, e *env) {
		gridsIn := func(want ...string) func(t *testing.T, e *env, r resp) {
			return func(t *testing.T, e *env, r resp) {
				got := featureIDs(t, r)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("feature ids %v, want %v", got, want)
				}
			}
		}
		runScenarios(t, e, []scenario{
			{name: "healthz", method: "GET", path: "/healthz", status: 200, contains: []string{`"status":"ok"`, `"version":"test"`}},
			{name: "readyz names store and revision", method: "GET", path: "/readyz", status: 200, check: func(t *testing.T, e *env, r resp) {
				m := r.json(t)
				wantStr(t, m["store"], e.kind, "store")
				wantNum(t, m["revision"], float64(e.router.Revision()), "revision")
				if e.router.Revision() < 1 {
					t.Errorf("router revision %d", e.router.Revision())
				}
			}},
			{name: "metrics", method: "GET", path: "/metrics", status: 200, contains: []string{
				"# TYPE wangge_route_lookups_total counter", "wangge_reports_created_total ", "wangge_partition_revision ",
				"wangge_routing_reloads_total 1\n", "wangge_routing_reload_failures_total 0\n", "# TYPE wangge_routing_last_reload_seconds gauge"}},
			{name: "categories", method: "GET", path: "/api/v1/categories", status: 200, contains: []string{`"code":"facility_damage"`}},
			{name: "revisions", method: "GET", path: "/api/v1/revisions", status: 200, contains: []string{`"note":"workflow fixture"`}},

			// areas
			{name: "areas all", method: "GET", path: "/api/v1/areas", status: 200, check: func(t *testing.T, e *env, r resp) {
				m := r.json(t)
				wantStr(t, m["type"], "FeatureCollection", "type")
				wantNum(t, m["numberMatched"], 10, "numberMatched")
				wantNum(t, m["numberReturned"], 10, "numberReturned")
			}},
			{name: "areas level grid", method: "GET", path: "/api/v1/areas?level=grid", status: 200, check: gridsIn(wt.G1, wt.G2, wt.G3, wt.G4)},
			{name: "areas parent", method: "GET", path: "/api/v1/areas?parent=" + wt.C1, status: 200, check: gridsIn(wt.G1, wt.G2)},
			{name: "areas bbox", method: "GET", path: "/api/v1/areas?level=grid&bbox=120.01,36.1,120.1,36.2", status: 200, check: gridsIn(wt.G1)},
			{name: "areas bbox over two grids", method: "GET", path: "/api/v1/areas?level=grid&bbox=120.2,36.1,120.3,36.2", status: 200, check: gridsIn(wt.G2, wt.G3)},
			{name: "areas limit offset", method: "GET", path: "/api/v1/areas?level=grid&limit=2&offset=1", status: 200, check: func(t *testing.T, e *env, r resp) {
				gridsIn(wt.G2, wt.G3)(t, e, r)
				m := r.json(t)
				wantNum(t, m["numberMatched"], 4, "numberMatched")
				wantNum(t, m["numberReturned"], 2, "numberReturned")
			}},
			{name: "areas offset past end", method: "GET", path: "/api/v1/areas?level=grid&offset=10", status: 200, check: gridsIn()},
			{name: "areas bad level", method: "GET", path: "/api/v1/areas?level=village", status: 400, code: "bad_request", contains: []string{"level"}},
			{name: "areas bbox three numbers", method: "GET", path: "/api/v1/areas?bbox=120,36,121", status: 400, contains: []string{"bbox"}},
			{name: "areas bbox NaN", method: "GET", path: "/api/v1/areas?bbox=NaN,36,121,37", status: 400, contains: []string{"bbox"}},
			{name: "areas bbox Inf", method: "GET", path: "/api/v1/areas?bbox=120,36,Inf,37", status: 400, contains: []string{"bbox"}},
			{name: "areas bbox min over max", method: "GET", path: "/api/v1/areas?bbox=121,36,120,37", status: 400, contains: []string{"bbox"}},
			{name: "areas bbox out of range", method: "GET", path: "/api/v1/areas?bbox=120,-91,121,37", status: 400, contains: []string{"bbox"}},
			{name: "areas bbox not a number", method: "GET", path: "/api/v1/areas?bbox=a,b,c,d", status: 400, contains: []string{"bbox"}},
			{name: "areas negative limit", method: "GET", path: "/api/v1/areas?limit=-1", status: 400, contains: []string{"limit"}},
			{name: "areas limit not a number", method: "GET", path: "/api/v1/areas?limit=ten", status: 400, contains: []string{"limit"}},
			{name: "areas negative offset", method: "GET", path: "/api/v1/areas?offset=-3", status: 400, contains: []string{"offset"}},
			{name: "area by code", method: "GET", path: "/api/v1/areas/" + wt.G1, status: 200, check: func(t *testing.T, e *env, r resp) {
				m := r.json(t)
				wantStr(t, m["id"], wt.G1, "id")
				wantStr(t, path(m, "properties", "leader", "name"), "网格长一", "leader.name")
				wantNum(t, path(m, "properties", "leader", "id"), float64(wt.Leader1), "leader.id")
				wantStr(t, path(m, "properties", "community", "code"), wt.C1, "community.code")
				wantStr(t, path(m, "geometry", "type"), "MultiPolygon", "geometry.type")
			}},
			{name: "area vacant grid names fallback", method: "GET", path: "/api/v1/areas/" + wt.G3, status: 200, check: func(t *testing.T, e *env, r resp) {
				m := r.json(t)
				if path(m, "properties", "vacant") != true || path(m, "properties", "leader") != nil {
					t.Errorf("G3 has no leader: %v", m["properties"])
				}
			}},
			{name: "area unknown code", method: "GET", path: "/api/v1/areas/999999", status: 404, code: "not_found"},

			// route GET
			{name: "route inside", method: "GET", path: fmt.Sprintf("/api/v1/route?lon=%v&lat=%v", ptG1[0], ptG1[1]), status: 200, check: func(t *testing.T, e *env, r resp) {
				m := r.json(t)
				wantStr(t, m["match"], "inside", "match")
				wantStr(t, path(m, "grid", "code"), wt.G1, "grid.code")
				wantNum(t, path(m, "leader", "id"), float64(wt.Leader1), "leader.id")
				wantStr(t, path(m, "street", "code"), wt.S1, "street.code")
				wantNum(t, m["revision"], float64(e.router.Revision()), "revision")
			}},
			{name: "route lat first in query", method: "GET", path: fmt.Sprintf("/api/v1/route?lat=%v&lon=%v", ptG4[1], ptG4[0]), status: 200, contains: []string{wt.G4}},
			{name: "route outside", method: "GET", path: "/api/v1/route?lon=100&lat=20", status: 200, contains: []string{`"match":"outside"`, `"grid":null`}},
			{name: "route missing lat", method: "GET", path: "/api/v1/route?lon=120.06", status: 400, contains: []string{"lon and lat"}},
			{name: "route missing both", method: "GET", path: "/api/v1/route", status: 400},
			{name: "route non-numeric", method: "GET", path: "/api/v1/route?lon=abc&lat=36.5", status: 400, contains: []string{"lon"}},
			{name: "route empty value", method: "GET", path: "/api/v1/route?lon=&lat=36.5", status: 400},
			{name: "route NaN", method: "GET", path: "/api/v1/route?lon=NaN&lat=36.5", status: 400, contains: []string{"finite"}},
			{name: "route Inf", method: "GET", path: "/api/v1/route?lon=120&lat=Inf", status: 400, contains: []string{"finite"}},
			{name: "route -Inf", method: "GET", path: "/api/v1/route?lon=-Inf&lat=36", status: 400, contains: []string{"finite"}},
			{name: "route lat out of range", method: "GET", path: "/api/v1/route?lon=120&lat=95", status: 400, contains: []string{"lat"}},
			{name: "route lon out of range", method: "GET", path: "/api/v1/route?lon=181&lat=36", status: 400, contains: []string{"lon"}},
			{name: "route swapped lat lon", method: "GET", path: fmt.Sprintf("/api/v1/route?lon=%v&lat=%v", ptG1[1], ptG1[0]), status: 400, contains: []string{"swapped"}},
			{name: "route unknown coordsys", method: "GET", path: "/api/v1/route?lon=120.06&lat=36.5&coordsys=utm", status: 400, contains: []string{"coordsys"}},

			// tiles
			{name: "tile unknown layer", method: "GET", path: "/tiles/roads/1/0/0.mvt", status: 404, code: "not_found"},
			{name: "tile zoom too deep", method: "GET", path: "/tiles/grids/23/0/0.mvt", status: 400},
			{name: "tile x beyond 2^z", method: "GET", path: "/tiles/grids/2/4/0.mvt", status: 400},
			{name: "tile y beyond 2^z", method: "GET", path: "/tiles/grids/0/0/1.mvt", status: 400},
			{name: "tile empty", method: "GET", path: "/tiles/grids/8/0/0.mvt", status: 204, check: func(t *testing.T, e *env, r resp) {
				if len(r.body) != 0 {
					t.Errorf("204 with %d bytes", len(r.body))
				}
			}},

			// the router's fallbacks
			{name: "unknown api path", method: "GET", path: "/api/v1/nope", status: 404, code: "not_found"},
			{name: "unknown report sub-path", method: "GET", path: "/api/v1/reports/abc", status: 404, code: "not_found"},
			{name: "unknown action", method: "POST", path: "/api/v1/reports/1/approve", role: "command_center", status: 404, code: "not_found"},
			{name: "method not allowed on api", method: "DELETE", path: "/api/v1/areas", status: 405, code: "method_not_allowed", check: func(t *testing.T, e *env, r resp) {
				if a := r.header.Get("Allow"); a != "GET" {
					t.Errorf("Allow %q, want GET", a)
				}
			}},
			{name: "method not allowed on route", method: "PUT", path: "/api/v1/route", status: 405, code: "method_not_allowed"},
			{name: "method not allowed on reports", method: "PATCH", path: "/api/v1/reports", role: "command_center", status: 405, code: "method_not_allowed", check: func(t *testing.T, e *env, r resp) {
				if a := r.header.Get("Allow"); a != "GET, POST" {
					t.Errorf("Allow %q, want GET, POST", a)
				}
			}},
			{name: "method not allowed on healthz", method: "POST", path: "/healthz", status: 405, code: "method_not_allowed"},
			{name: "unknown path with POST", method: "POST", path: "/nowhere", status: 405, code: "method_not_allowed"},
			{name: "dashboard fallback", method: "GET", path: "/some/app/route", status: 200, contains: []string{"wangge"}},
		})

		t.Run("tile with bytes", func(t *testing.T) {
			e := e.with(t)
			tile := maptile.At(orb.Point{120.3, 36.5}, 8)
			for layer, want := range map[string]int{"grids": 4, "communities": 3, "streets": 2, "districts": 1} {
				r := e.do("GET", fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", layer, tile.Z, tile.X, tile.Y), noToken, nil, nil)
				if r.status != 200 || r.header.Get("Content-Type") != "application/vnd.mapbox-vector-tile" {
					t.Fatalf("%s: %d %s", layer, r.status, r.header.Get("Content-Type"))
				}
				ls, err := mvt.Unmarshal(r.body)
				if err != nil {
					t.Fatalf("%s: not an MVT: %v", layer, err)
				}
				if len(ls) != 1 || ls[0].Name != layer || len(ls[0].Features) != want {
					t.Fatalf("%s: layers %d, first %q with %d features; want %d", layer, len(ls), ls[0].Name, len(ls[0].Features), want)
				}
				codes := []string{}
				for _, f := range ls[0].Features {
					codes = append(codes, fmt.Sprint(f.Properties["code"]))
				}
				if layer == "grids" && !slices.Contains(codes, wt.G1) {
					t.Errorf("grid codes %v", codes)
				}
			}
		})

		t.Run("route coordsys round trip", func(t *testing.T) {
			e := e.with(t)
			// 135 m west of the G1|G2 border: the GCJ-02 offset (~500 m
			// here) would push the raw numbers into G2.
			w := orb.Point{120.1235, 36.5}
			gLon, gLat := geo.WGS84ToGCJ02(w[0], w[1])
			bLon, bLat := geo.GCJ02ToBD09(gLon, gLat)
			grid := func(q string) string {
				r := e.do("GET", "/api/v1/route?"+q, noToken, nil, nil)
				if r.status != 200 {
					t.Fatalf("%s: %d %s", q, r.status, r.body)
				}
				s, _ := path(r.json(t), "grid", "code").(string)
				return s
			}
			f := strconv.FormatFloat
			if g := grid("lon=" + f(gLon, 'f', -1, 64) + "&lat=" + f(gLat, 'f', -1, 64)); g == wt.G1 {
				t.Fatalf("the test point is too far from the border: GCJ-02 numbers read as WGS84 still land in G1")
			}
			for _, c := range []struct{ name, q string }{
				{"wgs84", "lon=" + f(w[0], 'f', -1, 64) + "&lat=" + f(w[1], 'f', -1, 64)},
				{"wgs84 explicit", "lon=" + f(w[0], 'f', -1, 64) + "&lat=" + f(w[1], 'f', -1, 64) + "&coordsys=wgs84"},
				{"gcj02", "lon=" + f(gLon, 'f', -1, 64) + "&lat=" + f(gLat, 'f', -1, 64) + "&coordsys=gcj02"},
				{"bd09", "lon=" + f(bLon, 'f', -1, 64) + "&lat=" + f(bLat, 'f', -1, 64) + "&coordsys=bd09"},
			} {
				if g := grid(c.q); g != wt.G1 {
					t.Errorf("%s: grid %q, want %s", c.name, g, wt.G1)
				}
			}
			// The batch endpoint converts the same way.
			r := e.do("POST", "/api/v1/route?coordsys=gcj02", noToken, fmt.Sprintf("[[%v,%v]]", gLon, gLat), nil)
			if r.status != 200 || path(r.json(t), "results", 0, "grid") != wt.G1 {
				t.Errorf("batch gcj02: %d %s", r.status, r.body)
			}
		})
	})
}

func TestRoutePost(t *testing.T) {
	eachStore(t, testConfig, func(t *testing.T, e *env) {
		pt := func(p orb.Point) string { return fmt.Sprintf("[%v,%v]", p[0], p[1]) }
		arr := "[" + strings.Join([]string{pt(ptG2), pt(ptG1), pt(ptG4), pt(ptG3)}, ",") + "]"
		fc := `{"type":"FeatureCollection","features":[` +
			`{"type":"Feature","geometry":{"type":"Point","coordinates":` + pt(ptG4) + `},"properties":{}},` +
			`{"type":"Feature","geometry":{"type":"Point","coordinates":` + pt(ptG1) + `},"properties":{}}]}`
		order := func(want ...string) func(t *testing.T, e *env, r resp) {
			return func(t *testing.T, e *env, r resp) {
				m := r.json(t)
				wantNum(t, m["count"], float64(len(want)), "count")
				wantNum(t, m["revision"], float64(e.router.Revision()), "revision")
				for i, g := range want {
					wantStr(t, path(m, "results", i, "grid"), g, fmt.Sprintf("results[%d].grid", i))
				}
				if n := len(m["results"].([]any)); n != len(want) {
					t.Errorf("%d results", n)
				}
			}
		}
		six := "[" + strings.Repeat(pt(ptG1)+",", 5) + pt(ptG1) + "]"
		big := "[" + strings.Repeat(" ", 70<<10) + pt(ptG1) + "]"
		runScenarios(t, e, []scenario{
			{name: "array in input order", method: "POST", path: "/api/v1/route", body: arr, status: 200, check: order(wt.G2, wt.G1, wt.G4, wt.G3)},
			{name: "array with whitespace", method: "POST", path: "/api/v1/route", body: " [ [120.06 , 36.5 ] ,\n[120.75,36.5] ]\n", status: 200, check: order(wt.G1, wt.G4)},
			{name: "geo+json content type", method: "POST", path: "/api/v1/route", headers: map[string]string{"Content-Type": "application/geo+json"}, body: arr, status: 200, check: order(wt.G2, wt.G1, wt.G4, wt.G3)},
			{name: "no content type", method: "POST", path: "/api/v1/route", headers: map[string]string{"Content-Type": ""}, body: arr, status: 200},
			{name: "feature collection in input order", method: "POST", path: "/api/v1/route", body: fc, status: 200, check: order(wt.G4, wt.G1)},
			{name: "detail full", method: "POST", path: "/api/v1/route?detail=full", body: "[" + pt(ptG1) + "]", status: 200, contains: []string{`"leader":{"id":` + strconv.FormatInt(wt.Leader1, 10)}},
			{name: "limit exactly", method: "POST", path: "/api/v1/route", body: "[" + strings.Repeat(pt(ptG1)+",", 4) + pt(ptG1) + "]", status: 200},
			{name: "bad detail", method: "POST", path: "/api/v1/route?detail=all", body: arr, status: 400, contains: []string{"detail"}},
			{name: "empty array", method: "POST", path: "/api/v1/route", body: "[]", status: 400, contains: []string{"empty"}},
			{name: "empty body", method: "POST", path: "/api/v1/route", body: "", status: 400, contains: []string{"empty"}},
			{name: "empty feature collection", method: "POST", path: "/api/v1/route", body: `{"type":"FeatureCollection","features":[]}`, status: 400, contains: []string{"empty"}},
			// orb reads these as (120.06, 0) or (0, 0): each must be refused, naming the feature.
			{name: "feature point with one number", method: "POST", path: "/api/v1/route", body: `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[120.06,36.5]},"properties":{}},{"type":"Feature","geometry":{"type":"Point","coordinates":[120.06]},"properties":{}}]}`, status: 400, check: indexIs(1), contains: []string{"1 numbers"}},
			{name: "feature point with empty coordinates", method: "POST", path: "/api/v1/route", body: `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[120.06,36.5]},"properties":{}},{"type":"Feature","geometry":{"type":"Point","coordinates":[]},"properties":{}}]}`, status: 400, check: indexIs(1), contains: []string{"0 numbers"}},
			{name: "feature point with null coordinates", method: "POST", path: "/api/v1/route", body: `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[120.06,36.5]},"properties":{}},{"type":"Feature","geometry":{"type":"Point","coordinates":null},"properties":{}}]}`, status: 400, check: indexIs(1), contains: []string{"without coordinates"}},
			{name: "feature point with four numbers", method: "POST", path: "/api/v1/route", body: `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[120.06,36.5]},"properties":{}},{"type":"Feature","geometry":{"type":"Point","coordinates":[120.06,36.5,1,2]},"properties":{}}]}`, status: 400, check: indexIs(1), contains: []string{"4 numbers"}},
			{name: "feature point with altitude", method: "POST", path: "/api/v1/route", body: `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[120.06,36.5]},"properties":{}},{"type":"Feature","geometry":{"type":"Point","coordinates":[120.75,36.5,12]},"properties":{}}]}`, status: 200, check: order(wt.G1, wt.G4)},
			{name: "over the point limit", method: "POST", path: "/api/v1/route", body: six, status: 400, contains: []string{"limit of 5"}},
			{name: "over the point limit as features", method: "POST", path: "/api/v1/route", body: `{"type":"FeatureCollection","features":[` +
				strings.Repeat(`{"type":"Feature","geometry":{"type":"Point","coordinates":[120,36.5]},"properties":{}},`, 5) +
				`{"type":"Feature","geometry":{"type":"Point","coordinates":[120,36.5]},"properties":{}}]}`, status: 400, contains: []string{"limit of 5"}},
			{name: "bad point names its index", method: "POST", path: "/api/v1/route", body: "[[120,36.5],[120.1,36.5],[120,95]]", status: 400, check: func(t *testing.T, e *env, r resp) {
				wantNum(t, path(r.json(t), "error", "index"), 2, "error.index")
			}},
			{name: "NaN-ish point names its index", method: "POST", path: "/api/v1/route", body: `[[120,36.5],["x",36.5]]`, status: 400, check: func(t *testing.T, e *env, r resp) {
				wantNum(t, path(r.json(t), "error", "index"), 1, "error.index")
			}},
			{name: "1e999 names its index", method: "POST", path: "/api/v1/route", body: `[[120,36.5],[1e999,36.5]]`, status: 400, check: func(t *testing.T, e *env, r resp) {
				wantNum(t, path(r.json(t), "error", "index"), 1, "error.index")
			}},
			{name: "three numbers", method: "POST", path: "/api/v1/route", body: `[[120,36.5,0]]`, status: 400, check: func(t *testing.T, e *env, r resp) {
				wantNum(t, path(r.json(t), "error", "index"), 0, "error.index")
			}},
			{name: "non-point feature names its index", method: "POST", path: "/api/v1/route", body: `{"type":"FeatureCollection","features":[` +
				`{"type":"Feature","geometry":{"type":"Point","coordinates":[120.06,36.5]},"properties":{}},` +
				`{"type":"Feature","geometry":{"type":"LineString","coordinates":[[120,36],[121,37]]},"properties":{}}]}`, status: 400, check: func(t *testing.T, e *env, r resp) {
				wantNum(t, path(r.json(t), "error", "index"), 1, "error.index")
			}},
			{name: "feature with a string coordinate names its index", method: "POST", path: "/api/v1/route", body: `{"type":"FeatureCollection","features":[` +
				`{"type":"Feature","geometry":{"type":"Point","coordinates":[120.06,36.5]},"properties":{}},` +
				`{"type":"Feature","geometry":{"type":"Point","coordinates":[120.06,"36.5"]},"properties":{}}]}`, status: 400, check: indexIs(1), contains: []string{"other than numbers"}},
			{name: "feature that is not an object names its index", method: "POST", path: "/api/v1/route", body: `{"type":"FeatureCollection","features":[` +
				`{"type":"Feature","geometry":{"type":"Point","coordinates":[120.06,36.5]},"properties":{}},` +
				`{"type":"Feature","geometry":{"type":"Point","coordinates":[120.06,36.5]},"properties":{}},42]}`, status: 400, check: indexIs(2), contains: []string{"not a GeoJSON feature"}},
			{name: "swapped point in batch", method: "POST", path: "/api/v1/route", body: "[[36.5,120.06]]", status: 400, contains: []string{"swapped"}},
			{name: "wrong content type", method: "POST", path: "/api/v1/route", headers: map[string]string{"Content-Type": "text/csv"}, body: arr, status: 415, code: "unsupported_media_type"},
			{name: "malformed JSON", method: "POST", path: "/api/v1/route", body: "[[120,36.5]", status: 400},
			{name: "malformed GeoJSON", method: "POST", path: "/api/v1/route", body: `{"type":"FeatureCollection","features":[}`, status: 400},
			{name: "not an array", method: "POST", path: "/api/v1/route", body: `"120,36"`, status: 400},
			{name: "trailing data", method: "POST", path: "/api/v1/route", body: "[[120,36.5]] []", status: 400, contains: []string{"trailing"}},
			{name: "body over MaxBatchBytes", method: "POST", path: "/api/v1/route", body: big, status: 413, code: "too_large"},
			{name: "unknown coordsys", method: "POST", path: "/api/v1/route?coordsys=osgb", body: arr, status: 400, contains: []string{"coordsys"}},
		})
	})
}

func TestReportIntake(t *testing.T) {
	eachStore(t, testConfig, func(t *testing.T, e *env) {
		good := map[string]any{"category": "facility_damage", "description": "路灯不亮", "lon": ptG1[0], "lat": ptG1[1]}
		with := func(kv ...any) map[string]any {
			m := map[string]any{}
			for k, v := range good {
				m[k] = v
			}
			for i := 0; i < len(kv); i += 2 {
				if kv[i+1] == "(delete)" {
					delete(m, kv[i].(string))
				} else {
					m[kv[i].(string)] = kv[i+1]
				}
			}
			return m
		}
		created := func(grid string) func(t *testing.T, e *env, r resp) {
			return func(t *testing.T, e *env, r resp) {
				m := r.json(t)
				if m["created"] != true {
					t.Errorf("created = %v", m["created"])
				}
				wantStr(t, path(m, "report", "grid_code"), grid, "grid_code")
				wantStr(t, path(m, "report", "status"), "reported", "status")
				id := int64(path(m, "report", "id").(float64))
				if loc := r.header.Get("Location"); loc != "/api/v1/reports/"+strconv.FormatInt(id, 10) {
					t.Errorf("Location %q", loc)
				}
				if _, err := e.store.GetReport(t.Context(), id); err != nil {
					t.Errorf("acknowledged case %d not in the store: %v", id, err)
				}
			}
		}
		long := strings.Repeat("漏", 2001)
		runScenarios(t, e, []scenario{
			{name: "good", method: "POST", path: "/api/v1/reports", role: "grid_staff", body: good, status: 201, check: func(t *testing.T, e *env, r resp) {
				created(wt.G1)(t, e, r)
				m := r.json(t)
				wantStr(t, path(m, "report", "source"), "patrol", "source")
				wantNum(t, path(m, "report", "leader_id"), float64(wt.Leader1), "leader_id")
				wantNum(t, path(m, "report", "reporter_id"), float64(wt.Staff1), "reporter_id")
			}},
			{name: "by address", method: "POST", path: "/api/v1/reports", role: "grid_staff", body: map[string]any{"category": "facility_damage", "description": "井盖", "address": wt.KnownAddress}, status: 201, check: created(wt.G1)},
			{name: "description may be empty with media", method: "POST", path: "/api/v1/reports", role: "grid_staff", body: with("description", "", "media_urls", []string{"https://img.example/1.jpg"}, "lon", ptG4[0], "lat", ptG4[1]), status: 201, check: created(wt.G4)},
			{name: "no token", method: "POST", path: "/api/v1/reports", role: noToken, body: good, status: 401, code: "unauthorized"},
			{name: "bad token", method: "POST", path: "/api/v1/reports", role: badToken, body: good, status: 401, code: "unauthorized"},
			{name: "basic auth scheme", method: "POST", path: "/api/v1/reports", headers: map[string]string{"Authorization": "Basic dXNlcjpwYXNz"}, body: good, status: 401},
			{name: "missing category", method: "POST", path: "/api/v1/reports", role: "grid_staff", body: with("category", "(delete)"), status: 400, contains: []string{"category"}},
			{name: "unknown category", method: "POST", path: "/api/v1/reports", role: "grid_staff", body: with("category", "ufo_sighting"), status: 400, contains: []string{"category"}},
			{name: "no location and no address", method: "POST", path: "/api/v1/reports", role: "grid_staff", body: with("lon", "(delete)", "lat", "(delete)"), status: 400, contains: []string{"location"}},
			{name: "unknown address", method: "POST", path: "/api/v1/reports", role: "grid_staff", body: with("lon", "(delete)", "lat", "(delete)", "address", "不存在路9号"), status: 400, contains: []string{"address"}},
			{name: "lon without lat", method: "POST", path: "/api/v1/reports", role: "grid_staff", body: with("lat", "(delete)"), status: 400, contains: []string{"together"}},
			{name: "lat null", method: "POST", path: "/api/v1/reports", role: "grid_staff", body: `{"category":"facility_damage","description":"x","lon":120.06,"lat":null}`, status: 400, contains: []string{"together"}},
			{name: "both null", method: "POST", path: "/api/v1/reports", role: "grid_staff", body: `{"category":"facility_damage","description":"x","lon":null,"lat":null}`, status: 400, contains: []string{"location"}},
			{name: "lon as string", method: "POST", path: "/api/v1/reports", role: "grid_staff", body: `{"category":"facility_damage","description":"x","lon":"120.06","lat":36.5}`, status: 400, contains: []string{"lon"}},
			{name: "lon NaN as string", method: "POST", path: "/api/v1/reports", role: "grid_staff", body: `{"category":"facility_damage","description":"x","lon":"NaN","lat":36.5}`, status: 400},
			{name: "lon NaN bare", method: "POST", path: "/api/v1/reports", role: "grid_staff", body: `{"category":"facility_damage","description":"x","lon":NaN,"lat":36.5}`, status: 400},
			{name: "lat 1e999", method: "POST", path: "/api/v1/reports", role: "grid_staff", body: `{"category":"facility_damage","description":"x","lon":120.06,"lat":1e999}`, status: 400},
			{name: "lat out of range", method: "POST", path: "/api/v1/reports", role: "grid_staff", body: with("lat", 91), status: 400, contains: []string{"lat"}},
			{name: "lon out of range", method: "POST", path: "/api/v1/reports", role: "grid_staff", body: with("lon", -180.5), status: 400, contains: []string{"lon"}},
			{name: "swapped", method: "POST", path: "/api/v1/reports", role: "grid_staff", body: with("lon", ptG1[1], "lat", ptG1[0]), status: 400, contains: []string{"swapped"}},
			{name: "description over 2000 characters", method: "POST", path: "/api/v1/reports", role: "grid_staff", body: with("description", long), status: 400, contains: []string{"description"}},
			{name: "too many media URLs", method: "POST", path: "/api/v1/reports", role: "grid_staff", body: with("media_urls", []string{"http://a/1", "http://a/2", "http://a/3", "http://a/4", "http://a/5", "http://a/6"}), status: 400, contains: []string{"media"}},
			{name: "media URL not http", method: "POST", path: "/api/v1/reports", role: "grid_staff", body: with("media_urls", []string{"javascript:alert(1)"}), status: 400, contains: []string{"media"}},
			{name: "unknown source", method: "POST", path: "/api/v1/reports", role: "grid_staff", body: with("source", "rumour"), status: 400, contains: []string{"source"}},
			{name: "created_at on single intake", method: "POST", path: "/api/v1/reports", role: "grid_staff", body: with("created_at", "2020-01-01T00:00:00Z"), status: 400, contains: []string{"created_at"}},
			{name: "unknown field", method: "POST", path: "/api/v1/reports", role: "grid_staff", body: with("colour", "red"), status: 400, contains: []string{"colour"}},
			{name: "body over MaxBodyBytes", method: "POST", path: "/api/v1/reports", role: "grid_staff", body: with("description", strings.Repeat("x", 9<<10)), status: 413, code: "too_large"},
			{name: "malformed JSON", method: "POST", path: "/api/v1/reports", role: "grid_staff", body: `{"category":"facility_damage",`, status: 400},
			{name: "trailing data", method: "POST", path: "/api/v1/reports", role: "grid_staff", body: `{"category":"facility_damage","description":"x","lon":120.06,"lat":36.5} {}`, status: 400, contains: []string{"trailing"}},
			{name: "empty body", method: "POST", path: "/api/v1/reports", role: "grid_staff", body: "", status: 400},
			{name: "array instead of object", method: "POST", path: "/api/v1/reports", role: "grid_staff", body: `[]`, status: 400},
			{name: "wrong content type", method: "POST", path: "/api/v1/reports", role: "grid_staff", headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, body: "category=facility_damage", status: 415, code: "unsupported_media_type"},
			{name: "idempotency key too long", method: "POST", path: "/api/v1/reports", role: "grid_staff", headers: map[string]string{"Idempotency-Key": strings.Repeat("k", 201)}, body: good, status: 400},
		})

		t.Run("idempotency", func(t *testing.T) {
			e := e.with(t)
			r0, _ := e.counts()
			key := map[string]string{"Idempotency-Key": "phone-42-report-7"}
			body := with("lon", ptG2[0], "lat", ptG2[1], "description", "idempotent")
			first := e.do("POST", "/api/v1/reports", "grid_staff", body, key)
			if first.status != 201 {
				t.Fatalf("first: %d %s", first.status, first.body)
			}
			id := path(first.json(t), "report", "id")
			again := e.do("POST", "/api/v1/reports", "grid_staff", body, key)
			if again.status != 200 || path(again.json(t), "report", "id") != id || again.json(t)["created"] != false {
				t.Fatalf("replay: %d %s (first id %v)", again.status, again.body, id)
			}
			other := e.do("POST", "/api/v1/reports", "grid_staff", with("lon", ptG2[0], "lat", ptG2[1], "description", "something else"), key)
			if other.status != 422 || errCode(t, other) != "idempotency_mismatch" {
				t.Fatalf("different body: %d %s", other.status, other.body)
			}
			// The same key from another person is a different request.
			stranger := e.do("POST", "/api/v1/reports", "info_officer", body, key)
			if stranger.status == 200 && path(stranger.json(t), "report", "id") == id {
				t.Errorf("another person's replay returned the first person's case")
			}
			if r1, _ := e.counts(); r1 != r0+1 && !(stranger.status == 201 && r1 == r0+2) {
				t.Fatalf("reports %d → %d", r0, r1)
			}
		})
	})
}

func TestReportBatch(t *testing.T) {
	eachStore(t, testConfig, func(t *testing.T, e *env) {
		item := func(p orb.Point, extra string) string {
			return fmt.Sprintf(`{"category":"facility_damage","description":"导入","lon":%v,"lat":%v%s}`, p[0], p[1], extra)
		}
		batch := func(items ...string) string { return "[" + strings.Join(items, ",") + "]" }
		runScenarios(t, e, []scenario{
			{name: "three reports", method: "POST", path: "/api/v1/reports/batch", role: "command_center",
				body: batch(item(ptG1, ""), item(ptG4, `,"created_at":"2026-01-02T03:04:05Z"`), item(ptG3, "")), status: 201, check: func(t *testing.T, e *env, r resp) {
					m := r.json(t)
					wantNum(t, m["created"], 3, "created")
					ids := m["ids"].([]any)
					want := []string{wt.G1, wt.G4, wt.G3}
					for i, id := range ids {
						rep, err := e.store.GetReport(t.Context(), int64(id.(float64)))
						if err != nil {
							t.Fatalf("id %v: %v", id, err)
						}
						if rep.Routing.GridCode != want[i] {
							t.Errorf("item %d routed to %q, want %q (ids out of input order?)", i, rep.Routing.GridCode, want[i])
						}
						if i == 1 && !rep.CreatedAt.Equal(mustTime("2026-01-02T03:04:05Z")) {
							t.Errorf("created_at not kept: %v", rep.CreatedAt)
						}
					}
				}},
			{name: "planner may import", method: "POST", path: "/api/v1/reports/batch", role: "planner", body: batch(item(ptG2, "")), status: 201},
			{name: "limit exactly", method: "POST", path: "/api/v1/reports/batch", role: "command_center", body: batch(item(ptG1, ""), item(ptG1, ""), item(ptG1, ""), item(ptG1, ""), item(ptG1, "")), status: 201},
			{name: "over the limit", method: "POST", path: "/api/v1/reports/batch", role: "command_center", body: batch(item(ptG1, ""), item(ptG1, ""), item(ptG1, ""), item(ptG1, ""), item(ptG1, ""), item(ptG1, "")), status: 400, contains: []string{"limit"}},
			{name: "empty", method: "POST", path: "/api/v1/reports/batch", role: "command_center", body: "[]", status: 400, contains: []string{"empty"}},
			{name: "bad coordinates name the index", method: "POST", path: "/api/v1/reports/batch", role: "command_center", body: batch(item(ptG1, ""), `{"category":"facility_damage","description":"x","lon":120,"lat":99}`), status: 400, check: func(t *testing.T, e *env, r resp) {
				wantNum(t, path(r.json(t), "error", "index"), 1, "error.index")
			}},
			{name: "unknown category names the index", method: "POST", path: "/api/v1/reports/batch", role: "command_center", body: batch(item(ptG1, ""), item(ptG1, ""), `{"category":"nope","description":"x","lon":120.06,"lat":36.5}`), status: 400, check: func(t *testing.T, e *env, r resp) {
				wantNum(t, path(r.json(t), "error", "index"), 2, "error.index")
			}},
			{name: "bad created_at names the index", method: "POST", path: "/api/v1/reports/batch", role: "command_center", body: batch(item(ptG1, `,"created_at":"yesterday"`)), status: 400, check: func(t *testing.T, e *env, r resp) {
				wantNum(t, path(r.json(t), "error", "index"), 0, "error.index")
			}},
			{name: "object instead of array", method: "POST", path: "/api/v1/reports/batch", role: "command_center", body: item(ptG1, ""), status: 400},
			{name: "malformed", method: "POST", path: "/api/v1/reports/batch", role: "command_center", body: "[" + item(ptG1, ""), status: 400},
			{name: "over MaxBatchBytes", method: "POST", path: "/api/v1/reports/batch", role: "command_center", body: batch(item(ptG1, `,"address":"`+strings.Repeat("a", 70<<10)+`"`)), status: 413},
			{name: "wrong content type", method: "POST", path: "/api/v1/reports/batch", role: "command_center", headers: map[string]string{"Content-Type": "text/csv"}, body: batch(item(ptG1, "")), status: 415},
			{name: "grid staff may not import", method: "POST", path: "/api/v1/reports/batch", role: "grid_staff", body: batch(item(ptG1, "")), status: 403, code: "forbidden"},
			{name: "no token", method: "POST", path: "/api/v1/reports/batch", role: noToken, body: batch(item(ptG1, "")), status: 401},
		})
	})
}

// TestReportReadsAndWrites covers list, get, transition, merge, stats and
// /me with valid and invalid parameters (the role matrix is in authz_test.go).
func TestReportReadsAndWrites(t *testing.T) {
	eachStore(t, testConfig, func(t *testing.T, e *env) {
		a := e.submit(ptG1, "facility_damage", "G1 路灯")
		b := e.submit(ptG2, "neighbour_dispute", "G2 纠纷")
		c := e.submit(ptG4, "facility_damage", "G4 井盖")
		d := e.submit(orb.Point{ptG1[0] + 0.01, ptG1[1]}, "facility_damage", "G1 第二件")
		closedCase := e.submit(orb.Point{ptG1[0] + 0.02, ptG1[1]}, "facility_damage", "G1 已关")
		e.transition(closedCase, wt.CommHead1, workflow.ActionReject, workflow.Params{Reason: "无效"})
		id := func(n int64) string { return strconv.FormatInt(n, 10) }
		ids := func(want ...int64) func(t *testing.T, e *env, r resp) {
			return func(t *testing.T, e *env, r resp) {
				got := featureIDs(t, r)
				slices.SortFunc(got, func(x, y any) int { return int(x.(int64) - y.(int64)) })
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("ids %v, want %v", got, want)
				}
			}
		}
		runScenarios(t, e, []scenario{
			{name: "list all", method: "GET", path: "/api/v1/reports", role: "command_center", status: 200, check: func(t *testing.T, e *env, r resp) {
				ids(a, b, c, d, closedCase)(t, e, r)
				m := r.json(t)
				wantNum(t, m["numberMatched"], 5, "numberMatched")
				wantStr(t, path(m, "features", 0, "geometry", "type"), "Point", "geometry.type")
			}},
			{name: "list by area", method: "GET", path: "/api/v1/reports?area=" + wt.G1, role: "command_center", status: 200, check: ids(a, d, closedCase)},
			{name: "list by category", method: "GET", path: "/api/v1/reports?category=neighbour_dispute", role: "command_center", status: 200, check: ids(b)},
			{name: "list open", method: "GET", path: "/api/v1/reports?status=open", role: "command_center", status: 200, check: ids(a, b, c, d)},
			{name: "list rejected", method: "GET", path: "/api/v1/reports?status=rejected", role: "command_center", status: 200, check: ids(closedCase)},
			{name: "list bbox", method: "GET", path: "/api/v1/reports?bbox=120.5,36,121,37", role: "command_center", status: 200, check: ids(c)},
			{name: "list limit offset", method: "GET", path: "/api/v1/reports?limit=2&offset=1", role: "command_center", status: 200, check: func(t *testing.T, e *env, r resp) {
				m := r.json(t)
				wantNum(t, m["numberMatched"], 5, "numberMatched")
				wantNum(t, m["numberReturned"], 2, "numberReturned")
			}},
			{name: "list from in the future", method: "GET", path: "/api/v1/reports?from=2999-01-01T00:00:00Z", role: "command_center", status: 200, check: ids()},
			{name: "list overdue none", method: "GET", path: "/api/v1/reports?overdue=true", role: "command_center", status: 200, check: ids()},
			{name: "list grid leader narrows area to scope", method: "GET", path: "/api/v1/reports?area=" + wt.C1, role: "grid_leader", status: 200, check: ids(a, d, closedCase)},
			{name: "list grid leader asks for other grid", method: "GET", path: "/api/v1/reports?area=" + wt.G2, role: "grid_leader", status: 200, check: ids()},
			{name: "list bad status", method: "GET", path: "/api/v1/reports?status=lost", role: "command_center", status: 400, contains: []string{"status"}},
			{name: "list bad bbox", method: "GET", path: "/api/v1/reports?bbox=1,2", role: "command_center", status: 400, contains: []string{"bbox"}},
			{name: "list bad from", method: "GET", path: "/api/v1/reports?from=yesterday", role: "command_center", status: 400, contains: []string{"from"}},
			{name: "list bad overdue", method: "GET", path: "/api/v1/reports?overdue=maybe", role: "command_center", status: 400},
			{name: "list limit too large", method: "GET", path: "/api/v1/reports?limit=10001", role: "command_center", status: 400, contains: []string{"limit"}},
			{name: "list limit zero", method: "GET", path: "/api/v1/reports?limit=0", role: "command_center", status: 400, contains: []string{"limit"}},
			{name: "list no token", method: "GET", path: "/api/v1/reports", role: noToken, status: 401},
			{name: "list token in query", method: "GET", path: "/api/v1/reports?access_token=" + e.tok["grid_leader"], status: 200, check: ids(a, d, closedCase)},

			{name: "get", method: "GET", path: "/api/v1/reports/" + id(a), role: "grid_leader", status: 200, check: func(t *testing.T, e *env, r resp) {
				m := r.json(t)
				wantNum(t, path(m, "report", "id"), float64(a), "report.id")
				wantStr(t, path(m, "events", 0, "kind"), "created", "events[0].kind")
				if fmt.Sprint(m["allowed"]) != "[accept reject]" {
					t.Errorf("allowed %v", m["allowed"])
				}
			}},
			{name: "get missing", method: "GET", path: "/api/v1/reports/999999", role: "command_center", status: 404, code: "not_found"},
			{name: "get out of scope", method: "GET", path: "/api/v1/reports/" + id(b), role: "grid_leader", status: 404, code: "not_found", absent: []string{"G2 纠纷"}},
			{name: "get id overflows int64", method: "GET", path: "/api/v1/reports/99999999999999999999", role: "command_center", status: 404},

			{name: "accept", method: "POST", path: "/api/v1/reports/" + id(a) + "/accept", role: "community_head", status: 200, contains: []string{`"status":"accepted"`, `"allowed":["dispatch","reject"]`}},
			{name: "accept again is illegal", method: "POST", path: "/api/v1/reports/" + id(a) + "/accept", role: "community_head", status: 409, code: "illegal_transition", contains: []string{`"allowed":["dispatch","reject"]`, `"status":"accepted"`}},
			{name: "accept a rejected case lists nothing allowed", method: "POST", path: "/api/v1/reports/" + id(closedCase) + "/accept", role: "community_head", status: 409, contains: []string{`"allowed":[]`}},
			{name: "dispatch without handler", method: "POST", path: "/api/v1/reports/" + id(a) + "/dispatch", role: "community_head", body: map[string]any{}, status: 400, contains: []string{"handler_id"}},
			{name: "dispatch to a non-handler", method: "POST", path: "/api/v1/reports/" + id(a) + "/dispatch", role: "community_head", body: map[string]any{"handler_id": wt.Leader1}, status: 400, contains: []string{"handler"}},
			{name: "dispatch to nobody", method: "POST", path: "/api/v1/reports/" + id(a) + "/dispatch", role: "community_head", body: map[string]any{"handler_id": 9999}, status: 400},
			{name: "dispatch handler_id as string", method: "POST", path: "/api/v1/reports/" + id(a) + "/dispatch", role: "community_head", body: `{"handler_id":"14"}`, status: 400},
			{name: "transition malformed body", method: "POST", path: "/api/v1/reports/" + id(a) + "/dispatch", role: "community_head", body: `{"handler_id":`, status: 400},
			{name: "transition wrong content type", method: "POST", path: "/api/v1/reports/" + id(a) + "/dispatch", role: "community_head", headers: map[string]string{"Content-Type": "text/plain"}, body: `{"handler_id":14}`, status: 415},
			{name: "transition unknown field", method: "POST", path: "/api/v1/reports/" + id(a) + "/dispatch", role: "community_head", body: `{"assignee":14}`, status: 400},
			{name: "reject without reason", method: "POST", path: "/api/v1/reports/" + id(c) + "/reject", role: "command_center", body: map[string]any{}, status: 400, contains: []string{"reason"}},
			{name: "verify a reported case is illegal", method: "POST", path: "/api/v1/reports/" + id(c) + "/verify", role: "command_center", body: map[string]any{"ok": true}, status: 409, contains: []string{`"allowed":["accept","reject"]`}},
			{name: "transition missing case", method: "POST", path: "/api/v1/reports/999999/accept", role: "command_center", status: 404},
			{name: "transition out of scope", method: "POST", path: "/api/v1/reports/" + id(b) + "/accept", role: "grid_leader", status: 404},
			{name: "transition no token", method: "POST", path: "/api/v1/reports/" + id(b) + "/accept", role: noToken, status: 401},

			{name: "merge into itself", method: "POST", path: "/api/v1/reports/" + id(d) + "/merge", role: "community_head", body: map[string]any{"into": d}, status: 400},
			{name: "merge into missing", method: "POST", path: "/api/v1/reports/" + id(d) + "/merge", role: "community_head", body: map[string]any{"into": 999999}, status: 400},
			{name: "merge into rejected", method: "POST", path: "/api/v1/reports/" + id(d) + "/merge", role: "community_head", body: map[string]any{"into": closedCase}, status: 400},
			{name: "merge without into", method: "POST", path: "/api/v1/reports/" + id(d) + "/merge", role: "community_head", body: map[string]any{}, status: 400, contains: []string{"into"}},
			{name: "merge no body", method: "POST", path: "/api/v1/reports/" + id(d) + "/merge", role: "community_head", status: 400},
			{name: "merge into out-of-scope case", method: "POST", path: "/api/v1/reports/" + id(d) + "/merge", role: "community_head", body: map[string]any{"into": c}, status: 400},
			{name: "merge", method: "POST", path: "/api/v1/reports/" + id(d) + "/merge", role: "community_head", body: map[string]any{"into": a}, status: 200, contains: []string{`"status":"rejected"`, `"duplicate_of":` + id(a)}},
			{name: "merge twice", method: "POST", path: "/api/v1/reports/" + id(d) + "/merge", role: "community_head", body: map[string]any{"into": a}, status: 409},
			{name: "get merged shows the event", method: "GET", path: "/api/v1/reports/" + id(d), role: "community_head", status: 200, contains: []string{`"kind":"merged"`}},

			{name: "heatmap", method: "GET", path: "/api/v1/stats/heatmap", role: "command_center", status: 200, check: func(t *testing.T, e *env, r resp) {
				wantNum(t, r.json(t)["total"], 5, "total")
			}},
			{name: "heatmap category", method: "GET", path: "/api/v1/stats/heatmap?category=neighbour_dispute&cell=0.01", role: "command_center", status: 200, check: func(t *testing.T, e *env, r resp) {
				m := r.json(t)
				wantNum(t, m["total"], 1, "total")
				wantNum(t, m["cell_deg"], 0.01, "cell_deg")
			}},
			{name: "heatmap bbox", method: "GET", path: "/api/v1/stats/heatmap?bbox=120.5,36,121,37", role: "command_center", status: 200, check: func(t *testing.T, e *env, r resp) {
				wantNum(t, r.json(t)["total"], 1, "total")
			}},
			{name: "heatmap bad cell", method: "GET", path: "/api/v1/stats/heatmap?cell=0", role: "command_center", status: 400, contains: []string{"cell"}},
			{name: "heatmap NaN cell", method: "GET", path: "/api/v1/stats/heatmap?cell=NaN", role: "command_center", status: 400, contains: []string{"cell"}},
			{name: "heatmap from after to", method: "GET", path: "/api/v1/stats/heatmap?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", role: "command_center", status: 400},
			{name: "heatmap bad bbox", method: "GET", path: "/api/v1/stats/heatmap?bbox=x", role: "command_center", status: 400},
			{name: "area stats grid", method: "GET", path: "/api/v1/stats/areas?level=grid", role: "command_center", status: 200, check: func(t *testing.T, e *env, r resp) {
				as := r.json(t)["areas"].([]any)
				if len(as) != 4 {
					t.Fatalf("%d grid rows", len(as))
				}
				wantStr(t, path(as[0], "code"), wt.G1, "areas[0].code")
				wantNum(t, path(as[0], "reports"), 3, "G1 reports")
			}},
			{name: "area stats default street", method: "GET", path: "/api/v1/stats/areas", role: "command_center", status: 200, contains: []string{wt.S1, wt.S2}},
			{name: "area stats bad level", method: "GET", path: "/api/v1/stats/areas?level=block", role: "command_center", status: 400},
			{name: "area stats bad to", method: "GET", path: "/api/v1/stats/areas?to=soon", role: "command_center", status: 400},
			{name: "summary", method: "GET", path: "/api/v1/stats/summary", role: "command_center", status: 200, check: func(t *testing.T, e *env, r resp) {
				m := r.json(t)
				wantNum(t, m["new_today"], 5, "new_today")
				wantNum(t, m["overdue"], 0, "overdue")
				// Grids per household band: the same as the bands of the
				// grids the areas endpoint lists.
				want := map[string]float64{"under": 0, "normal": 0, "over": 0}
				for _, f := range e.do("GET", "/api/v1/areas?level=grid", "command_center", nil, nil).json(t)["features"].([]any) {
					want[path(f, "properties", "band").(string)]++
				}
				if want["under"]+want["normal"]+want["over"] == 0 {
					t.Fatal("no grids listed")
				}
				for k, n := range want {
					wantNum(t, path(m, "grid_bands", k), n, "grid_bands."+k)
				}
				// G3 and G4 have no leader, and their communities no head.
				vac := m["vacant_grids"].([]any)
				if len(vac) != 2 {
					t.Fatalf("vacant_grids = %v, want G3 and G4", vac)
				}
				wantNum(t, m["vacant_count"], 2, "vacant_count")
				wantStr(t, path(vac[0], "code"), wt.G3, "vacant_grids[0].code")
				wantStr(t, path(vac[0], "name"), "网格三", "vacant_grids[0].name")
				wantStr(t, path(vac[0], "community", "name"), "社区二", "vacant_grids[0].community.name")
				wantStr(t, path(vac[1], "code"), wt.G4, "vacant_grids[1].code")
				if f := path(vac[1], "fallback"); f != nil {
					t.Fatalf("G4's fallback = %v, want null (no deputy, no community head)", f)
				}
			}},
			{name: "summary of one street", method: "GET", path: "/api/v1/stats/summary", role: "street_staff_b", status: 200, check: func(t *testing.T, e *env, r resp) {
				vac := r.json(t)["vacant_grids"].([]any)
				if len(vac) != 1 || path(vac[0], "code") != wt.G4 {
					t.Fatalf("street S2's vacant grids = %v, want only G4", vac)
				}
			}},
			{name: "summary of one grid", method: "GET", path: "/api/v1/stats/summary", role: "grid_leader", status: 200, check: func(t *testing.T, e *env, r resp) {
				b := r.json(t)["grid_bands"].(map[string]any)
				if n := b["under"].(float64) + b["normal"].(float64) + b["over"].(float64); n != 1 {
					t.Fatalf("a grid leader's summary counts %v grids, want 1: %v", n, b)
				}
				if vac := r.json(t)["vacant_grids"].([]any); len(vac) != 0 {
					t.Fatalf("G1's leader sees vacant grids %v, want none", vac)
				}
			}},
			{name: "summary bad from", method: "GET", path: "/api/v1/stats/summary?from=x", role: "command_center", status: 400},

			{name: "me", method: "GET", path: "/api/v1/me", role: "grid_leader", status: 200, contains: []string{`"role":"grid_leader"`, `"area_code":"` + wt.G1 + `"`, "网格长一"}},
			{name: "me no token", method: "GET", path: "/api/v1/me", role: noToken, status: 401},
			{name: "me bad token", method: "GET", path: "/api/v1/me", role: badToken, status: 401},
		})
		t.Run("open counts after the writes", func(t *testing.T) {
			e := e.with(t)
			r := e.do("GET", "/api/v1/stats/summary", "command_center", nil, nil)
			// a accepted, b and c reported; d merged and closedCase rejected.
			wantNum(t, r.json(t)["open"], 3, "open")
			_ = b
		})
	})
}

func mustTime(s string) time.Time {
	t0, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t0
}

// TestReadyzStoreDown closes the store under a running server: /readyz
// turns 503 with a curated message (no driver error), /healthz stays 200.
func TestReadyzStoreDown(t *testing.T) {
	eachStore(t, testConfig, func(t *testing.T, e *env) {
		e.store.Close()
		runScenarios(t, e, []scenario{
			{name: "readyz", method: "GET", path: "/readyz", status: 503, code: "store_unreachable", absent: []string{"sql:", "closed pool", "database is closed"}},
			{name: "healthz", method: "GET", path: "/healthz", status: 200},
			{name: "areas is a curated 500", method: "GET", path: "/api/v1/areas", status: 500, code: "internal", contains: []string{`"message":"internal error"`}, absent: []string{"sql", "pool"}},
		})
	})
}

// TestSummaryListsVacantGridsUpTo200: a city with many vacant grids —
// the summary counts them all and lists the first 200 by code.
func TestSummaryListsVacantGridsUpTo200(t *testing.T) {
	eachStore(t, testConfig, func(t *testing.T, e *env) {
		var extra []data.Area
		for i := 0; i < 250; i++ {
			x := 120.6 + float64(i)*0.001
			extra = append(extra, data.Area{Code: fmt.Sprintf("%s%03d", wt.C3, 100+i), Level: data.LevelGrid, Name: fmt.Sprintf("extra %d", i),
				ParentCode: wt.C3, Geom: orb.MultiPolygon{{{{x, 36.5}, {x + 0.0005, 36.5}, {x + 0.0005, 36.5005}, {x, 36.5005}, {x, 36.5}}}}})
		}
		if _, err := e.store.PutAreas(t.Context(), extra, false, "many vacant grids"); err != nil {
			t.Fatal(err)
		}
		if err := e.router.Reload(t.Context(), e.store); err != nil {
			t.Fatal(err)
		}
		m := e.do("GET", "/api/v1/stats/summary", "command_center", nil, nil).json(t)
		wantNum(t, m["vacant_count"], 252, "vacant_count (G3, G4 and 250 more)")
		vac := m["vacant_grids"].([]any)
		if len(vac) != 200 {
			t.Fatalf("%d vacant grids listed, want the first 200", len(vac))
		}
		wantStr(t, path(vac[0], "code"), wt.G3, "first")
		wantStr(t, path(vac[1], "code"), wt.G4, "second")
		wantStr(t, path(vac[199], "code"), fmt.Sprintf("%s%03d", wt.C3, 100+197), "200th")
	})
}
