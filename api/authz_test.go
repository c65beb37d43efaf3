package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/workflow"
	wt "github.com/wangge-dev/wangge/workflow/workflowtest"
)

// TestRoleMatrix asks every endpoint that has authorization as every role
// of the fixture (plus no token and a bad token) and checks the status and,
// for reads, that exactly the cases in the role's scope come back: a case
// outside the scope is a 404, never the case.
func TestRoleMatrix(t *testing.T) {
	eachStore(t, testConfig, func(t *testing.T, e *env) {
		a := e.submit(ptG1, "facility_damage", "case-a-G1")
		b := e.submit(ptG2, "facility_damage", "case-b-G2")
		c := e.submit(ptG3, "facility_damage", "case-c-G3")
		d := e.submit(ptG4, "facility_damage", "case-d-G4")
		h := e.submit(orb.Point{ptG4[0] + 0.01, ptG4[1]}, "neighbour_dispute", "case-h-G4-dispatched")
		e.transition(h, wt.CC, workflow.ActionAccept, workflow.Params{})
		e.transition(h, wt.CC, workflow.ActionDispatch, workflow.Params{HandlerID: wt.Handler1})
		all := []int64{a, b, c, d, h}
		desc := map[int64]string{a: "case-a-G1", b: "case-b-G2", c: "case-c-G3", d: "case-d-G4", h: "case-h-G4-dispatched"}
		grids := []string{wt.G1, wt.G2, wt.G3, wt.G4}

		// scope: the cases each role may see, and the grids of its stats.
		type scope struct {
			cases []int64
			grids []string
		}
		g1 := scope{[]int64{a}, []string{wt.G1}}
		scopes := map[string]scope{
			"grid_leader": g1, "deputy_leader": g1, "grid_staff": g1, "info_officer": g1, "volunteer": g1,
			"community_head":  {[]int64{a, b}, []string{wt.G1, wt.G2}},
			"community_staff": {[]int64{a, b}, []string{wt.G1, wt.G2}},
			"street_staff":    {[]int64{a, b, c}, []string{wt.G1, wt.G2, wt.G3}},
			"command_center":  {all, grids},
			"planner":         {all, grids},
			"handler":         {[]int64{h}, nil},
			"grid_leader_b":   {[]int64{b}, []string{wt.G2}},
			"street_staff_b":  {[]int64{d, h}, []string{wt.G4}},
			"resident":        {nil, nil},
		}
		// statsForbidden: roles that cover no area get 403 from the stats.
		statsForbidden := map[string]bool{"handler": true, "resident": true}
		anonymous := func(role string) bool { return role == noToken || role == badToken }

		for _, role := range allRoles {
			t.Run(role, func(t *testing.T) {
				e := e.with(t)
				sc := scopes[role]

				t.Run("list", func(t *testing.T) {
					r := e.do("GET", "/api/v1/reports", role, nil, nil)
					if anonymous(role) {
						if r.status != 401 {
							t.Fatalf("status %d, want 401", r.status)
						}
						return
					}
					if r.status != 200 {
						t.Fatalf("status %d: %s", r.status, r.body)
					}
					got := featureIDs(t, r)
					want := []any{}
					for _, id := range sc.cases {
						want = append(want, id)
					}
					slices.SortFunc(got, func(x, y any) int { return int(x.(int64) - y.(int64)) })
					if fmt.Sprint(got) != fmt.Sprint(want) {
						t.Errorf("listed %v, want %v", got, want)
					}
					wantNum(t, r.json(t)["numberMatched"], float64(len(want)), "numberMatched")
				})

				t.Run("get", func(t *testing.T) {
					for _, id := range all {
						r := e.do("GET", "/api/v1/reports/"+strconv.FormatInt(id, 10), role, nil, nil)
						want := 404
						switch {
						case anonymous(role):
							want = 401
						case slices.Contains(sc.cases, id):
							want = 200
						}
						if r.status != want {
							t.Errorf("case %d (%s): status %d, want %d", id, desc[id], r.status, want)
						}
						if want != 200 && strings.Contains(string(r.body), desc[id]) {
							t.Errorf("case %d leaked in a %d: %s", id, r.status, r.body)
						}
					}
				})

				t.Run("stats", func(t *testing.T) {
					want := 200
					switch {
					case anonymous(role):
						want = 401
					case statsForbidden[role]:
						want = 403
					}
					hm := e.do("GET", "/api/v1/stats/heatmap", role, nil, nil)
					as := e.do("GET", "/api/v1/stats/areas?level=grid", role, nil, nil)
					sm := e.do("GET", "/api/v1/stats/summary", role, nil, nil)
					for name, r := range map[string]resp{"heatmap": hm, "areas": as, "summary": sm} {
						if r.status != want {
							t.Errorf("%s: status %d, want %d: %s", name, r.status, want, r.body)
						}
					}
					if want != 200 {
						return
					}
					wantNum(t, hm.json(t)["total"], float64(len(sc.cases)), "heatmap total")
					wantNum(t, sm.json(t)["open"], float64(len(sc.cases)), "summary open")
					var codes []string
					for _, row := range as.json(t)["areas"].([]any) {
						codes = append(codes, row.(map[string]any)["code"].(string))
					}
					if fmt.Sprint(codes) != fmt.Sprint(sc.grids) {
						t.Errorf("area stats rows %v, want %v", codes, sc.grids)
					}
				})

				t.Run("stream", func(t *testing.T) {
					ctx, cancel := context.WithCancel(context.Background())
					defer cancel()
					req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/api/v1/stream", nil)
					if !anonymous(role) || role == badToken {
						req.Header.Set("Authorization", "Bearer "+e.tok[role])
					}
					res, err := e.srv.Client().Do(req)
					if err != nil {
						t.Fatal(err)
					}
					defer res.Body.Close()
					want := 200
					if anonymous(role) {
						want = 401
					}
					if res.StatusCode != want {
						t.Fatalf("status %d, want %d", res.StatusCode, want)
					}
					if want == 200 && res.Header.Get("Content-Type") != "text/event-stream" {
						t.Errorf("Content-Type %q", res.Header.Get("Content-Type"))
					}
				})

				t.Run("me", func(t *testing.T) {
					r := e.do("GET", "/api/v1/me", role, nil, nil)
					if anonymous(role) {
						if r.status != 401 {
							t.Errorf("status %d", r.status)
						}
						return
					}
					if r.status != 200 {
						t.Fatalf("status %d", r.status)
					}
					wantNum(t, r.json(t)["id"], float64(roles[role]), "id")
				})
			})
		}

		// Writes: each role acts on a fresh case of grid A (G1) brought to
		// the status the action needs. Expected answers follow the table
		// in workflow/doc.go.
		triage := map[string]int{"community_head": 200, "community_staff": 200, "street_staff": 200, "command_center": 200}
		outOfScope := map[string]int{"grid_leader_b": 404, "street_staff_b": 404, "resident": 404, noToken: 401, badToken: 401}
		expect := func(role string, yes map[string]int, visibleToHandler bool) int {
			if s, ok := yes[role]; ok {
				return s
			}
			if s, ok := outOfScope[role]; ok {
				return s
			}
			if role == "handler" && !visibleToHandler {
				return 404
			}
			return 403
		}
		supervise := map[string]int{"grid_leader": 200, "deputy_leader": 200, "grid_staff": 200, "info_officer": 200, "community_head": 200, "community_staff": 200}
		closers := map[string]int{"community_head": 200, "community_staff": 200, "street_staff": 200, "command_center": 200, "grid_leader": 200, "deputy_leader": 200}
		handlers := map[string]int{"handler": 200}

		// prepare brings a fresh G1 case to the status an action needs.
		n := 0
		prepare := func(e *env, upto string) int64 {
			n++
			id := e.submit(orb.Point{120.001 + float64(n)*0.001, 36.2}, "facility_damage", "matrix case")
			steps := []struct {
				action string
				p      workflow.Params
				who    int64
			}{
				{workflow.ActionAccept, workflow.Params{}, wt.CC},
				{workflow.ActionDispatch, workflow.Params{HandlerID: wt.Handler1}, wt.CC},
				{workflow.ActionHandle, workflow.Params{Feedback: "done"}, wt.Handler1},
				{workflow.ActionVerify, workflow.Params{OK: boolPtr(true)}, wt.Leader1},
			}
			for _, s := range steps {
				if s.action == upto {
					break
				}
				e.transition(id, s.who, s.action, s.p)
			}
			return id
		}
		type write struct {
			action  string
			body    any
			want    func(role string) int
			pending string // the action the case is prepared up to
		}
		writes := []write{
			{"accept", nil, func(r string) int { return expect(r, triage, false) }, workflow.ActionAccept},
			{"reject", map[string]any{"reason": "无效"}, func(r string) int { return expect(r, triage, false) }, workflow.ActionAccept},
			{"merge", nil, func(r string) int { return expect(r, triage, false) }, workflow.ActionAccept},
			{"dispatch", map[string]any{"handler_id": wt.Handler2}, func(r string) int { return expect(r, triage, false) }, workflow.ActionDispatch},
			{"handle", map[string]any{"feedback": "修好了"}, func(r string) int { return expect(r, handlers, true) }, workflow.ActionHandle},
			{"verify", map[string]any{"ok": true}, func(r string) int { return expect(r, supervise, true) }, workflow.ActionVerify},
			{"close", nil, func(r string) int { return expect(r, closers, true) }, workflow.ActionClose},
		}
		for _, w := range writes {
			t.Run("write "+w.action, func(t *testing.T) {
				e := e.with(t)
				var ss []scenario
				for _, role := range allRoles {
					id := prepare(e, w.pending)
					body := w.body
					p := "/api/v1/reports/" + strconv.FormatInt(id, 10) + "/" + w.action
					if w.action == "merge" {
						into := e.submit(orb.Point{120.1, 36.9}, "facility_damage", "merge target")
						body = map[string]any{"into": into}
					}
					ss = append(ss, scenario{name: role, method: "POST", path: p, role: role, body: body, status: w.want(role)})
				}
				runScenarios(t, e, ss)
			})
		}

		t.Run("write batch", func(t *testing.T) {
			e := e.with(t)
			var ss []scenario
			for _, role := range allRoles {
				want := 403
				switch {
				case role == "command_center" || role == "planner":
					want = 201
				case anonymous(role):
					want = 401
				}
				ss = append(ss, scenario{name: role, method: "POST", path: "/api/v1/reports/batch", role: role,
					body: `[{"category":"facility_damage","description":"batch","lon":120.06,"lat":36.4}]`, status: want})
			}
			runScenarios(t, e, ss)
		})
	})
}

func boolPtr(b bool) *bool { return &b }
