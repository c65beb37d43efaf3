package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/api"
	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/internal/teststores"
	"github.com/wangge-dev/wangge/routing"
	"github.com/wangge-dev/wangge/workflow"
	wt "github.com/wangge-dev/wangge/workflow/workflowtest"
)

// gridFeature is a put grid of POST /api/v1/revisions: the strip of lon
// [x0, x1] × lat [36, 37] (the fixture's grids are such strips).
func gridFeature(code, name, parent string, x0, x1 float64) map[string]any {
	return map[string]any{"type": "Feature", "properties": map[string]any{"code": code, "name": name, "parent_code": parent},
		"geometry": map[string]any{"type": "Polygon", "coordinates": [][][2]float64{{{x0, 36}, {x1, 36}, {x1, 37}, {x0, 37}, {x0, 36}}}}}
}

func collection(fs ...map[string]any) map[string]any {
	return map[string]any{"type": "FeatureCollection", "features": fs}
}

// TestReviseGridsMovesAnEdge: the planner's edit moving the G1|G2 edge from
// lon 120.125 to 120.2 — first as a dry run (the effect, nothing written),
// then published: one revision, the open case in the moved strip rerouted
// to G1 with an event, the router following the revision.
func TestReviseGridsMovesAnEdge(t *testing.T) {
	eachStore(t, testConfig, func(t *testing.T, e *env) {
		ctx := context.Background()
		moved := e.submit(orb.Point{120.15, 36.5}, "other", "in the strip that moves to G1")
		stays := e.submit(orb.Point{120.22, 36.5}, "other", "stays in G2")
		base := e.router.Revision()
		body := map[string]any{"base_revision": base, "note": "move the G1|G2 edge to 120.2", "dry_run": true,
			"put": collection(gridFeature(wt.G1, "网格一", wt.C1, 120, 120.2), gridFeature(wt.G2, "网格二", wt.C1, 120.2, 120.25))}

		r := e.do("POST", "/api/v1/revisions", "command_center", body, nil)
		if r.status != 200 {
			t.Fatalf("dry run: %d %s", r.status, r.body)
		}
		m := r.json(t)
		if m["dry_run"] != true || m["revision"] != nil {
			t.Fatalf("dry run answered %s", r.body)
		}
		wantStr(t, path(m, "grids", 0, "code"), wt.G1, "grids[0]")
		wantNum(t, path(m, "grids", 0, "households"), 40, "G1 households (the fixture building)")
		wantStr(t, path(m, "grids", 0, "band"), "under", "G1 band")
		wantNum(t, path(m, "grids", 1, "households"), 0, "G2 households")
		wantNum(t, path(m, "buildings_moved"), 0, "buildings moved")
		if rr := m["rerouted"].([]any); len(rr) != 1 {
			t.Fatalf("dry run reroutes %v, want case %d only", rr, moved)
		}
		wantNum(t, path(m, "rerouted", 0, "report_id"), float64(moved), "rerouted case")
		wantNum(t, path(m, "rerouted_count"), 1, "rerouted_count")
		wantStr(t, path(m, "rerouted", 0, "from_grid"), wt.G2, "from")
		wantStr(t, path(m, "rerouted", 0, "to_grid"), wt.G1, "to")
		if cur, err := e.store.CurrentRevision(ctx); err != nil || cur != base {
			t.Fatalf("a dry run wrote revision %d (%v)", cur, err)
		}
		if rep, _ := e.store.GetReport(ctx, moved); rep.Routing.GridCode != wt.G2 {
			t.Fatalf("a dry run rerouted the case to %s", rep.Routing.GridCode)
		}

		body["dry_run"] = false
		feed := e.subscribe("grid_leader") // G1's leader, whose grid the case moves to
		r = e.do("POST", "/api/v1/revisions", "command_center", body, nil)
		if r.status != 201 {
			t.Fatalf("publish: %d %s", r.status, r.body)
		}
		m = r.json(t)
		rev := int64(path(m, "revision", "id").(float64))
		if rev <= base || path(m, "revision", "author") != "指挥中心" || path(m, "revision", "note") != body["note"] || m["dry_run"] != false {
			t.Fatalf("published %s after revision %d", r.body, base)
		}
		wantNum(t, path(m, "rerouted", 0, "report_id"), float64(moved), "rerouted case")
		if ev := next(t, feed, "G1's leader"); ev.event != "report" || ev.id != fmt.Sprint(moved) || ev.data["grid_code"] != wt.G1 {
			t.Fatalf("G1's leader's feed after the edit: %+v, want case %d in G1", ev, moved)
		}
		rep, err := e.store.GetReport(ctx, moved)
		if err != nil || rep.Routing.GridCode != wt.G1 || rep.Routing.Revision != rev || rep.Routing.LeaderID != wt.Leader1 {
			t.Fatalf("case %d after the edit: %+v (%v)", moved, rep.Routing, err)
		}
		evs, err := e.store.Events(ctx, moved)
		if err != nil || evs[len(evs)-1].Kind != "rerouted" || evs[len(evs)-1].ActorID != wt.CC {
			t.Fatalf("case %d's events: %+v (%v)", moved, evs, err)
		}
		if rep, _ := e.store.GetReport(ctx, stays); rep.Routing.GridCode != wt.G2 || rep.Routing.Revision == rev {
			t.Fatalf("case %d (still in G2) was rewritten: %+v", stays, rep.Routing)
		}
		// The case's page shows the event to its new grid's leader.
		ev := e.do("GET", fmt.Sprintf("/api/v1/reports/%d", moved), "grid_leader", nil, nil)
		if ev.status != 200 || !strings.Contains(string(ev.body), `"rerouted"`) {
			t.Fatalf("G1's leader reads case %d: %d %s", moved, ev.status, ev.body)
		}
		// A case submitted before the router has reloaded (this harness
		// has no Watch) goes to the new grid on the new revision: the store
		// refuses the old revision's routing and intake catches up.
		if got := e.router.Revision(); got != base {
			t.Fatalf("the router is at revision %d before the case, want %d (not yet reloaded)", got, base)
		}
		late := e.submit(orb.Point{120.15, 36.5}, "other", "submitted before the router reloaded")
		if rep, err := e.store.GetReport(ctx, late); err != nil || rep.Routing.GridCode != wt.G1 || rep.Routing.Revision != rev || rep.Routing.LeaderID != wt.Leader1 {
			t.Fatalf("case %d submitted after the edit: %+v (%v), want G1 on revision %d", late, rep.Routing, err, rev)
		}
		if got := e.router.Revision(); got != rev {
			t.Fatalf("the router is at revision %d after the case, want %d", got, rev)
		}
		revs := e.do("GET", "/api/v1/revisions", "", nil, nil).json(t)
		wantNum(t, path(revs, "revisions", 0, "id"), float64(rev), "newest revision")
		if err := e.router.Reload(ctx, e.store); err != nil {
			t.Fatal(err)
		}
		if a := e.router.Route(120.15, 36.5); a.Grid.Code != wt.G1 || a.Revision != rev {
			t.Fatalf("after the reload (120.15, 36.5) routes to %s at revision %d", a.Grid.Code, a.Revision)
		}
		g1 := e.do("GET", "/api/v1/areas/"+wt.G1, "", nil, nil)
		if g1.status != 200 || !strings.Contains(string(g1.body), "120.2") {
			t.Fatalf("G1 after the edit: %d %.300s", g1.status, g1.body)
		}

		// The same edit again was drawn on an old revision.
		r = e.do("POST", "/api/v1/revisions", "command_center", body, nil)
		if r.status != 409 || errCode(t, r) != "stale_revision" {
			t.Fatalf("stale edit: %d %s", r.status, r.body)
		}
		wantNum(t, path(r.json(t), "error", "current_revision"), float64(rev), "current_revision")
	})
}

// TestReviseGridsRefusals: every refused edit answers 4xx naming the
// problem, and nothing is written.
func TestReviseGridsRefusals(t *testing.T) {
	cfg := testConfig
	cfg.MaxBatchBytes = 1 << 20
	eachStore(t, cfg, func(t *testing.T, e *env) {
		ctx := context.Background()
		id := e.submit(orb.Point{120.15, 36.5}, "other", "G2 case")
		base := e.router.Revision()
		edit := func(put map[string]any, remove ...string) map[string]any {
			b := map[string]any{"base_revision": base, "note": "refused"}
			if put != nil {
				b["put"] = put
			}
			if remove != nil {
				b["remove"] = remove
			}
			return b
		}
		g1 := func(x1 float64) map[string]any { return gridFeature(wt.G1, "网格一", wt.C1, 120, x1) }
		bowtie := map[string]any{"type": "Feature", "properties": map[string]any{"code": wt.G1, "parent_code": wt.C1},
			"geometry": map[string]any{"type": "Polygon", "coordinates": [][][2]float64{{{120, 36}, {120.1, 37}, {120.1, 36}, {120, 37}, {120, 36}}}}}
		for _, c := range []struct {
			name, role string
			body       any
			status     int
			code       string
			contains   string
		}{
			{"no token", noToken, edit(collection(g1(120.2), gridFeature(wt.G2, "", wt.C1, 120.2, 120.25))), 401, "", ""},
			{"a grid leader", "grid_leader", edit(collection(g1(120.2), gridFeature(wt.G2, "", wt.C1, 120.2, 120.25))), 403, "forbidden", "planners"},
			{"no base revision", "command_center", map[string]any{"put": collection(g1(120.1))}, 400, "bad_request", "base_revision is required"},
			{"base revision a string", "command_center", map[string]any{"base_revision": "7"}, 400, "bad_request", "base_revision"},
			{"unknown field", "command_center", map[string]any{"base_revision": base, "grids": []any{}}, 400, "bad_request", "grids"},
			{"nothing to change", "command_center", edit(nil), 400, "invalid", "nothing to change"},
			{"put not GeoJSON", "command_center", edit(map[string]any{"type": "Point"}), 400, "invalid", "FeatureCollection"},
			{"self-intersecting", "command_center", edit(collection(bowtie)), 400, "invalid", "put.geometry"},
			{"outside its community", "command_center", edit(collection(g1(120.3), gridFeature(wt.G2, "", wt.C1, 120.3, 120.25))), 400, "invalid", "leaves its community"},
			{"overlaps its neighbour", "command_center", edit(collection(g1(120.2))), 400, "invalid", "overlaps grid " + wt.G2},
			{"parent a street", "command_center", edit(collection(gridFeature(wt.G1, "", wt.S1, 120, 120.125))), 400, "invalid", "parent_code"},
			{"parent unknown", "command_center", edit(collection(gridFeature(wt.G1, "", "999", 120, 120.125))), 400, "invalid", "does not exist"},
			{"a community's code", "command_center", edit(collection(gridFeature(wt.C2, "", wt.C1, 120, 120.125))), 400, "invalid", "not a grid"},
			{"remove an unknown grid", "command_center", edit(nil, "370213009009009"), 400, "invalid", "no area"},
			{"remove and put one grid", "command_center", edit(collection(g1(120.125)), wt.G1), 400, "invalid", "either redrawn or removed"},
			{"remove a staffed grid", "command_center", edit(collection(g1(120.25)), wt.G2), 409, "grid_staffed", "网格长二"},
			{"stale base", "command_center", map[string]any{"base_revision": base - 1, "put": collection(g1(120.125))}, 409, "stale_revision", "reload"},
			{"not JSON", "command_center", "{", 400, "bad_request", "malformed JSON"},
			{"too large", "command_center", `{"base_revision":1,"note":"` + strings.Repeat("x", 1<<20) + `"}`, 413, "too_large", ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := e.do("POST", "/api/v1/revisions", c.role, c.body, nil)
				if r.status != c.status || (c.code != "" && errCode(t, r) != c.code) || !strings.Contains(string(r.body), c.contains) {
					t.Fatalf("%d %s; want %d %s containing %q", r.status, r.body, c.status, c.code, c.contains)
				}
				if cur, err := e.store.CurrentRevision(ctx); err != nil || cur != base {
					t.Fatalf("refused edit wrote revision %d (%v)", cur, err)
				}
				if rep, _ := e.store.GetReport(ctx, id); rep.Routing.GridCode != wt.G2 {
					t.Fatalf("refused edit rerouted the case to %s", rep.Routing.GridCode)
				}
			})
		}
		// The staffed grid's refusal names each holder.
		r := e.do("POST", "/api/v1/revisions", "command_center", edit(collection(g1(120.25)), wt.G2), nil)
		wantNum(t, path(r.json(t), "error", "holders", 0, "person_id"), float64(wt.Leader2), "holder")
	})
}

// TestReviseGridsPlannerScope: a planner edits the grids under the area
// of their post; the command center edits anywhere.
func TestReviseGridsPlannerScope(t *testing.T) {
	eachStore(t, testConfig, func(t *testing.T, e *env) {
		ctx := context.Background()
		// The fixture's planner plans the whole district: move them to S2.
		if err := e.store.SetAssignments(ctx, wt.Planner, []data.Assignment{{Role: data.RolePlanner, AreaCode: wt.S2}}); err != nil {
			t.Fatal(err)
		}
		if err := e.router.Reload(ctx, e.store); err != nil {
			t.Fatal(err)
		}
		base := e.router.Revision()
		split := collection(gridFeature(wt.G4, "网格四", wt.C3, 120.5, 120.75), gridFeature(wt.C3+"002", "网格五", wt.C3, 120.75, 121))
		r := e.do("POST", "/api/v1/revisions", "planner", map[string]any{"base_revision": base, "dry_run": true,
			"put": collection(gridFeature(wt.G1, "网格一", wt.C1, 120, 120.125))}, nil)
		if r.status != 403 || !strings.Contains(string(r.body), "outside the areas you plan") {
			t.Fatalf("planner of S2 editing G1: %d %s", r.status, r.body)
		}
		r = e.do("POST", "/api/v1/revisions", "planner", map[string]any{"base_revision": base, "note": "split G4", "put": split}, nil)
		if r.status != 201 {
			t.Fatalf("planner of S2 splitting G4: %d %s", r.status, r.body)
		}
		m := r.json(t)
		wantStr(t, path(m, "grids", 1, "code"), wt.C3+"002", "the new grid")
		wantStr(t, path(m, "revision", "author"), "规划", "author")
		wantNum(t, path(m, "revision", "grids"), 5, "grids after the split")
		if a, err := e.store.GetArea(ctx, wt.C3+"002"); err != nil || a.ParentCode != wt.C3 || a.Level != data.LevelGrid {
			t.Fatalf("the new grid: %+v (%v)", a, err)
		}
	})
}

// TestReviseGridsTolerance: a shared edge redrawn with digitising noise
// (centimetres off the neighbour's edge and the community's, or zigzagging
// across it) is accepted; a metres-deep overlap is not, even where no
// vertex of either grid lies inside the other.
func TestReviseGridsTolerance(t *testing.T) {
	eachStore(t, testConfig, func(t *testing.T, e *env) {
		base := e.router.Revision()
		for _, c := range []struct {
			dx     float64 // the G1|G2 edge's offset into G2 (degrees of longitude; 1e-6 ≈ 9 cm here)
			status int
		}{{1e-6, 200}, {-1e-6, 200}, {5e-5, 400}} {
			put := collection(gridFeature(wt.G1, "网格一", wt.C1, 120-1e-6, 120.125+c.dx))
			r := e.do("POST", "/api/v1/revisions", "command_center", map[string]any{"base_revision": base, "dry_run": true, "put": put}, nil)
			if r.status != c.status {
				t.Fatalf("edge %.0e° into G2: %d %s, want %d", c.dx, r.status, r.body, c.status)
			}
		}
		poly := func(ring ...[2]float64) map[string]any {
			return map[string]any{"type": "Feature", "properties": map[string]any{"code": wt.G1, "parent_code": wt.C1},
				"geometry": map[string]any{"type": "Polygon", "coordinates": [][][2]float64{append(ring, ring[0])}}}
		}
		// The G1|G2 edge zigzags across the old one, 5e-6° (about 45 cm)
		// either side: it crosses G2's edge four times, shallowly.
		const x, w = 120.125, 5e-6
		zigzag := poly([2]float64{120, 36}, [2]float64{x + w, 36}, [2]float64{x - w, 36.25}, [2]float64{x + w, 36.5}, [2]float64{x - w, 36.75}, [2]float64{x + w, 37}, [2]float64{120, 37})
		if r := e.do("POST", "/api/v1/revisions", "command_center", map[string]any{"base_revision": base, "dry_run": true, "put": collection(zigzag)}, nil); r.status != 200 {
			t.Fatalf("a zigzag edge within 45 cm of G2's: %d %s", r.status, r.body)
		}
		// G1 redrawn as a band across all of C1: it crosses G2 like a
		// plus sign — none of its vertices or edge midpoints lies inside
		// G2 (they fall on G2's edges), nor any of G2's inside it.
		band := poly([2]float64{120, 36.55}, [2]float64{120.25, 36.55}, [2]float64{120.25, 36.65}, [2]float64{120, 36.65})
		r := e.do("POST", "/api/v1/revisions", "command_center", map[string]any{"base_revision": base, "dry_run": true, "put": collection(band)}, nil)
		if r.status != 400 || !strings.Contains(string(r.body), "overlaps grid "+wt.G2) {
			t.Fatalf("a band across G2: %d %s, want 400 naming the overlap with G2", r.status, r.body)
		}
	})
}

// FuzzRevisionBody: POST /api/v1/revisions with any body answers JSON: a
// dry run (200) or a refusal (4xx) writes nothing, a publication (201)
// writes exactly the revision it names; never a 5xx.
func FuzzRevisionBody(f *testing.F) {
	edge := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"` + wt.G1 + `","parent_code":"` + wt.C1 +
		`"},"geometry":{"type":"Polygon","coordinates":[[[120,36],[120.2,36],[120.2,37],[120,37],[120,36]]]}},{"type":"Feature","properties":{"code":"` +
		wt.G2 + `","parent_code":"` + wt.C1 + `"},"geometry":{"type":"Polygon","coordinates":[[[120.2,36],[120.25,36],[120.25,37],[120.2,37],[120.2,36]]]}}]}`
	for _, s := range []string{
		`{"base_revision":1,"dry_run":true,"put":` + edge + `}`, `{"base_revision":1,"put":` + edge + `}`,
		`{"base_revision":1,"remove":["` + wt.G3 + `"]}`, `{"base_revision":1,"remove":[""]}`, `{"base_revision":1,"put":{"type":"FeatureCollection","features":[]}}`,
		`{"base_revision":1,"put":null,"remove":null}`, `{"base_revision":-1}`, `{}`, `[]`, `null`, `{"base_revision":1e99}`,
		`{"base_revision":1,"put":{"type":"Feature","properties":{"code":"x","parent_code":"` + wt.C1 + `"},"geometry":{"type":"Polygon","coordinates":[[[120,36],[120.1,36],[120,36]]]}}}`,
	} {
		f.Add(s)
	}
	st := teststores.SQLite(f)
	ctx := context.Background()
	if _, err := st.Load(ctx, wt.Dataset(time.Now())); err != nil {
		f.Fatal(err)
	}
	r := routing.NewRouter(nil, routing.Options{})
	if err := r.Reload(ctx, st); err != nil {
		f.Fatal(err)
	}
	wf := workflow.New(st, func(lon, lat float64) data.Routing { a := r.Route(lon, lat); return a.Routing() }, time.Now, workflow.Config{RoutePartition: routing.PartitionRouter(routing.Options{})})
	tok, err := wf.IssueToken(ctx, wt.CC, "fuzz")
	if err != nil {
		f.Fatal(err)
	}
	h := api.New(testConfig, api.Deps{Store: st, Router: r, Workflow: wf})
	f.Fuzz(func(t *testing.T, body string) {
		before, err := st.CurrentRevision(ctx)
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, "/api/v1/revisions", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		var m map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
			t.Fatalf("body %q: %d, not JSON: %q", body, w.Code, w.Body.String())
		}
		after, err := st.CurrentRevision(ctx)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case w.Code == http.StatusCreated:
			if id, _ := path(m, "revision", "id").(float64); int64(id) != after || after != before+1 {
				t.Fatalf("body %q: 201 naming revision %v, store %d → %d", body, path(m, "revision", "id"), before, after)
			}
		case w.Code == http.StatusOK || w.Code >= 400 && w.Code < 500:
			if after != before {
				t.Fatalf("body %q: %d wrote revision %d → %d", body, w.Code, before, after)
			}
			if w.Code >= 400 && path(m, "error", "message") == "" {
				t.Fatalf("body %q: %d without a message: %v", body, w.Code, m)
			}
		default:
			t.Fatalf("body %q: %d %s", body, w.Code, w.Body.String())
		}
	})
}

// TestRoutingBehind: when this replica cannot bring its router up to a
// revision published elsewhere (the reload fails), a report is refused
// with 503 routing_behind and Retry-After, and nothing is written; once
// the router catches up the same report is created on the new revision.
func TestRoutingBehind(t *testing.T) {
	ctx := context.Background()
	st := teststores.SQLite(t)
	if _, err := st.Load(ctx, wt.Dataset(time.Now())); err != nil {
		t.Fatal(err)
	}
	r := routing.NewRouter(nil, routing.Options{})
	if err := r.Reload(ctx, st); err != nil {
		t.Fatal(err)
	}
	broken := true
	wf := workflow.New(st, func(lon, lat float64) data.Routing { a := r.Route(lon, lat); return a.Routing() }, time.Now,
		workflow.Config{CatchUp: func(ctx context.Context, rev int64) error {
			if broken {
				return fmt.Errorf("index build failed")
			}
			return r.CatchUp(ctx, st, rev)
		}})
	tok, err := wf.IssueToken(ctx, wt.Staff1, "test")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(testConfig, api.Deps{Store: st, Router: r, Workflow: wf}))
	defer srv.Close()
	// A revision the router has not loaded: a building import.
	if err := st.PutBuildings(ctx, []data.Building{{Address: "新楼", Point: orb.Point{120.05, 36.5}, Households: 10, GridCode: wt.G1}}); err != nil {
		t.Fatal(err)
	}
	post := func() (*http.Response, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest("POST", srv.URL+"/api/v1/reports", strings.NewReader(`{"category":"other","description":"路灯坏了","lon":120.05,"lat":36.5}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var m map[string]any
		if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
			t.Fatal(err)
		}
		return res, m
	}
	count := func() int {
		_, n, err := st.ListReports(ctx, data.ReportQuery{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	res, m := post()
	if res.StatusCode != 503 || path(m, "error", "code") != "routing_behind" || res.Header.Get("Retry-After") == "" {
		t.Fatalf("report while the router cannot catch up: %d %v (Retry-After %q)", res.StatusCode, m, res.Header.Get("Retry-After"))
	}
	if n := count(); n != before {
		t.Fatalf("%d reports after a refused one, want %d", n, before)
	}
	broken = false
	res, m = post()
	cur, err := st.CurrentRevision(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 201 || path(m, "report", "revision") != float64(cur) {
		t.Fatalf("report once the router can catch up: %d %v, want 201 routed on revision %d", res.StatusCode, m, cur)
	}
}
