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

// routeLeader routes p on the env's router (reloaded from the store first,
// as a server's watch would) and returns the answer's leader and vacant.
func (e *env) routeLeader(p orb.Point) (leader map[string]any, vacant bool) {
	e.t.Helper()
	if err := e.router.Reload(context.Background(), e.store); err != nil {
		e.t.Fatal(err)
	}
	res := e.do(http.MethodGet, fmt.Sprintf("/api/v1/route?lon=%v&lat=%v", p[0], p[1]), noToken, nil, nil)
	if res.status != http.StatusOK {
		e.t.Fatalf("route: %d %s", res.status, res.body)
	}
	m := res.json(e.t)
	leader, _ = m["leader"].(map[string]any)
	return leader, m["vacant"] == true
}

// peopleIDs lists the ids in a GET /api/v1/people answer.
func peopleIDs(t *testing.T, r resp) []int64 {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("list people: %d %s", r.status, r.body)
	}
	var ids []int64
	for _, p := range r.json(t)["people"].([]any) {
		ids = append(ids, int64(p.(map[string]any)["id"].(float64)))
	}
	return ids
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// TestPeopleAppointAndRelieve: the command center appoints a leader for
// the vacant grid G4 over HTTP, routing names them, the street's staff
// see them and another grid's leader does not, a token issued for them
// works, and relieving them leaves the grid vacant again.
func TestPeopleAppointAndRelieve(t *testing.T) {
	eachStore(t, testConfig, func(t *testing.T, e *env) {
		if leader, vacant := e.routeLeader(ptG4); leader != nil || !vacant {
			t.Fatalf("G4 before: leader %v vacant %v, want none and vacant", leader, vacant)
		}
		res := e.do(http.MethodPost, "/api/v1/people", "command_center", map[string]any{
			"name": " 新网格长 ", "phone": "139 0000 0001",
			"assignments": []map[string]string{{"role": "grid_leader", "area_code": wt.G4}},
		}, nil)
		if res.status != http.StatusCreated {
			t.Fatalf("add: %d %s", res.status, res.body)
		}
		p := res.json(t)
		id := int64(p["id"].(float64))
		if p["name"] != "新网格长" || res.header.Get("Location") != fmt.Sprintf("/api/v1/people/%d", id) {
			t.Fatalf("add answered %s with Location %q", res.body, res.header.Get("Location"))
		}
		if leader, vacant := e.routeLeader(ptG4); vacant || leader == nil || leader["name"] != "新网格长" || leader["phone"] != "139 0000 0001" {
			t.Fatalf("G4 after the appointment: leader %v vacant %v", leader, vacant)
		}

		// Reads within scope: G4 is in C3 in S2.
		if ids := peopleIDs(t, e.do(http.MethodGet, "/api/v1/people?area="+wt.G4, "street_staff_b", nil, nil)); !containsID(ids, id) {
			t.Errorf("street staff of S2 does not see the new leader of G4: %v", ids)
		}
		if ids := peopleIDs(t, e.do(http.MethodGet, "/api/v1/people", "grid_leader", nil, nil)); containsID(ids, id) || !containsID(ids, wt.Leader1) {
			t.Errorf("the leader of G1 sees %v: want themself and not the leader of G4", ids)
		}
		if ids := peopleIDs(t, e.do(http.MethodGet, "/api/v1/people?role=grid_leader", "command_center", nil, nil)); !containsID(ids, id) || !containsID(ids, wt.Leader1) || containsID(ids, wt.CC) {
			t.Errorf("grid leaders as the command center sees them: %v", ids)
		}
		if r := e.do(http.MethodGet, fmt.Sprintf("/api/v1/people/%d", id), "grid_leader", nil, nil); r.status != http.StatusNotFound {
			t.Errorf("the leader of G1 reads the leader of G4: %d %s, want 404", r.status, r.body)
		}
		if r := e.do(http.MethodGet, fmt.Sprintf("/api/v1/people/%d", id), "street_staff_b", nil, nil); r.status != http.StatusOK || r.json(t)["name"] != "新网格长" {
			t.Errorf("street staff of S2 reads the leader of G4: %d %s", r.status, r.body)
		}

		// A token for the new leader works.
		res = e.do(http.MethodPost, fmt.Sprintf("/api/v1/people/%d/tokens", id), "command_center", map[string]string{"label": "phone"}, nil)
		if res.status != http.StatusCreated || res.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("issue token: %d %s", res.status, res.body)
		}
		e.tok["new leader"] = res.json(t)["token"].(string)
		if r := e.do(http.MethodGet, "/api/v1/me", "new leader", nil, nil); r.status != http.StatusOK || int64(r.json(t)["id"].(float64)) != id {
			t.Fatalf("/me with the new token: %d %s", r.status, r.body)
		}

		// Relieved: the grid is vacant again.
		res = e.do(http.MethodPut, fmt.Sprintf("/api/v1/people/%d/assignments", id), "command_center", map[string]any{"assignments": []any{}}, nil)
		if res.status != http.StatusOK || len(res.json(t)["assignments"].([]any)) != 0 {
			t.Fatalf("relieve: %d %s", res.status, res.body)
		}
		if leader, vacant := e.routeLeader(ptG4); leader != nil || !vacant {
			t.Fatalf("G4 after relieving: leader %v vacant %v, want none and vacant", leader, vacant)
		}
		// Appointed again, on G3 this time, with a deputy post on G4.
		res = e.do(http.MethodPut, fmt.Sprintf("/api/v1/people/%d/assignments", id), "command_center", map[string]any{"assignments": []map[string]string{
			{"role": "grid_leader", "area_code": wt.G3}, {"role": "deputy_leader", "area_code": wt.G4}}}, nil)
		if res.status != http.StatusOK {
			t.Fatalf("reassign: %d %s", res.status, res.body)
		}
		if leader, vacant := e.routeLeader(ptG3); vacant || leader == nil || leader["name"] != "新网格长" {
			t.Fatalf("G3 after the appointment: leader %v vacant %v", leader, vacant)
		}
		// Their own post is no conflict: adding a role keeps it.
		res = e.do(http.MethodPut, fmt.Sprintf("/api/v1/people/%d/assignments", id), "command_center", map[string]any{"assignments": []map[string]string{
			{"role": "grid_leader", "area_code": wt.G3}, {"role": "grid_staff", "area_code": wt.G4}}}, nil)
		if res.status != http.StatusOK || len(res.json(t)["assignments"].([]any)) != 2 {
			t.Fatalf("keep the post, add a role: %d %s", res.status, res.body)
		}
		// The leader of G1 moves on, and their successor can be appointed.
		if r := e.do(http.MethodPut, fmt.Sprintf("/api/v1/people/%d/assignments", wt.Leader1), "command_center", map[string]any{"assignments": []map[string]string{{"role": "grid_staff", "area_code": wt.G1}}}, nil); r.status != http.StatusOK {
			t.Fatalf("relieve the leader of G1: %d %s", r.status, r.body)
		}
		res = e.do(http.MethodPost, "/api/v1/people", "command_center", map[string]any{"name": "继任网格长", "assignments": []map[string]string{{"role": "grid_leader", "area_code": wt.G1}}}, nil)
		if res.status != http.StatusCreated {
			t.Fatalf("appoint a successor in G1: %d %s", res.status, res.body)
		}
		if leader, _ := e.routeLeader(ptG1); leader == nil || leader["name"] != "继任网格长" {
			t.Fatalf("G1 after the succession: leader %v", leader)
		}
	})
}

// TestPeopleWritesNeedTheCommandCenter: every other role gets 403 on the
// three writes, no token 401, and nothing is written.
func TestPeopleWritesNeedTheCommandCenter(t *testing.T) {
	eachStore(t, testConfig, func(t *testing.T, e *env) {
		before := e.peopleCount()
		body := map[string]any{"name": "某人", "assignments": []map[string]string{{"role": "grid_leader", "area_code": wt.G4}}}
		for _, role := range allRoles {
			if role == "command_center" {
				continue
			}
			want := http.StatusForbidden
			if role == noToken || role == badToken {
				want = http.StatusUnauthorized
			}
			for _, w := range []struct {
				method, path string
				body         any
			}{
				{http.MethodPost, "/api/v1/people", body},
				{http.MethodPut, fmt.Sprintf("/api/v1/people/%d/assignments", wt.Leader1), map[string]any{"assignments": []any{}}},
				{http.MethodPost, fmt.Sprintf("/api/v1/people/%d/tokens", wt.Leader1), map[string]string{}},
			} {
				if r := e.do(w.method, w.path, role, w.body, nil); r.status != want || errMessage(t, r) == "" {
					t.Errorf("%s %s as %s: %d %s, want %d with an error", w.method, w.path, role, r.status, r.body, want)
				}
			}
		}
		if after := e.peopleCount(); after != before {
			t.Errorf("people %d → %d after refused writes", before, after)
		}
		if p, err := e.store.GetPerson(context.Background(), wt.Leader1); err != nil || len(p.Assignments) != 1 {
			t.Errorf("the leader of G1 after refused writes: %+v, %v", p, err)
		}
		// Reads: a handler and a resident cover no area.
		for _, role := range []string{"handler", "resident"} {
			if r := e.do(http.MethodGet, "/api/v1/people", role, nil, nil); r.status != http.StatusForbidden {
				t.Errorf("GET /people as %s: %d, want 403", role, r.status)
			}
		}
		if r := e.do(http.MethodGet, "/api/v1/people", noToken, nil, nil); r.status != http.StatusUnauthorized {
			t.Errorf("GET /people without a token: %d, want 401", r.status)
		}
	})
}

// TestPeopleBadInput: each bad request is a 4xx naming the problem, and
// nothing is written.
func TestPeopleBadInput(t *testing.T) {
	eachStore(t, testConfig, func(t *testing.T, e *env) {
		before := e.peopleCount()
		leader := func(area string) []map[string]string {
			return []map[string]string{{"role": "grid_leader", "area_code": area}}
		}
		many := make([]map[string]string, 65)
		for i := range many {
			many[i] = map[string]string{"role": "volunteer", "area_code": wt.G1}
		}
		put := fmt.Sprintf("/api/v1/people/%d/assignments", wt.Leader1)
		for _, c := range []struct {
			name, method, path string
			body               any
			headers            map[string]string
			status             int
			says               string
		}{
			{"no name", http.MethodPost, "/api/v1/people", map[string]any{"assignments": leader(wt.G4)}, nil, 400, "name"},
			{"blank name", http.MethodPost, "/api/v1/people", map[string]any{"name": "  ", "assignments": leader(wt.G4)}, nil, 400, "name"},
			{"control character", http.MethodPost, "/api/v1/people", map[string]any{"name": "a\x00b"}, nil, 400, "name"},
			{"long name", http.MethodPost, "/api/v1/people", map[string]any{"name": strings.Repeat("名", 101)}, nil, 400, "name"},
			{"bad phone", http.MethodPost, "/api/v1/people", map[string]any{"name": "某人", "phone": "call me"}, nil, 400, "phone"},
			{"unknown role", http.MethodPost, "/api/v1/people", map[string]any{"name": "某人", "assignments": []map[string]string{{"role": "boss", "area_code": wt.G4}}}, nil, 400, `unknown role "boss"`},
			{"unknown area", http.MethodPost, "/api/v1/people", map[string]any{"name": "某人", "assignments": leader("999")}, nil, 400, `no area "999"`},
			{"wrong level", http.MethodPost, "/api/v1/people", map[string]any{"name": "某人", "assignments": leader(wt.C1)}, nil, 400, "grid_leader is held on a grid"},
			{"twice", http.MethodPost, "/api/v1/people", map[string]any{"name": "某人", "assignments": append(leader(wt.G4), leader(wt.G4)...)}, nil, 400, "given twice"},
			{"too many", http.MethodPost, "/api/v1/people", map[string]any{"name": "某人", "assignments": many}, nil, 400, "at most 64"},
			{"unknown field", http.MethodPost, "/api/v1/people", map[string]any{"name": "某人", "rank": 3}, nil, 400, "rank"},
			{"name of the wrong type", http.MethodPost, "/api/v1/people", map[string]any{"name": 3}, nil, 400, "name"},
			{"malformed", http.MethodPost, "/api/v1/people", `{"name":`, nil, 400, "malformed JSON"},
			{"empty body", http.MethodPost, "/api/v1/people", "", nil, 400, "empty body"},
			{"oversize", http.MethodPost, "/api/v1/people", `{"name":"` + strings.Repeat("x", 9000) + `"}`, nil, 413, "larger than"},
			{"not JSON", http.MethodPost, "/api/v1/people", `name=x`, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415, "Content-Type"},
			{"no assignments key", http.MethodPut, put, map[string]any{}, nil, 400, "assignments: required"},
			{"unknown person", http.MethodPut, "/api/v1/people/999999/assignments", map[string]any{"assignments": []any{}}, nil, 404, "not found"},
			{"id overflow", http.MethodPut, "/api/v1/people/99999999999999999999/assignments", map[string]any{"assignments": []any{}}, nil, 404, "no person"},
			{"second leader of a grid", http.MethodPost, "/api/v1/people", map[string]any{"name": "某人", "assignments": leader(wt.G1)}, nil, 409, fmt.Sprintf("grid %s already has a leader, 网格长一 (person %d)", wt.G1, wt.Leader1)},
			{"second leader on PUT", http.MethodPut, fmt.Sprintf("/api/v1/people/%d/assignments", wt.Leader2), map[string]any{"assignments": leader(wt.G1)}, nil, 409, "already has a leader"},
			{"own command center role", http.MethodPut, fmt.Sprintf("/api/v1/people/%d/assignments", wt.CC), map[string]any{"assignments": []any{}}, nil, 409, "your own command_center role"},
			{"level on PUT", http.MethodPut, put, map[string]any{"assignments": []map[string]string{{"role": "street_staff", "area_code": wt.G1}}}, nil, 400, "street_staff is held on a street"},
			{"token for no one", http.MethodPost, "/api/v1/people/999999/tokens", map[string]string{}, nil, 404, "not found"},
			{"list unknown role", http.MethodGet, "/api/v1/people?role=boss", nil, nil, 400, `unknown role "boss"`},
			{"method", http.MethodPatch, put, map[string]any{}, nil, 405, "PATCH is not allowed"},
		} {
			r := e.do(c.method, c.path, "command_center", c.body, c.headers)
			msg := errMessage(t, r)
			if r.status != c.status || !strings.Contains(msg, c.says) {
				t.Errorf("%s: %d %s, want %d naming %q", c.name, r.status, r.body, c.status, c.says)
			}
		}
		if after := e.peopleCount(); after != before {
			t.Errorf("people %d → %d after bad requests", before, after)
		}
		if p, err := e.store.GetPerson(context.Background(), wt.Leader1); err != nil || len(p.Assignments) != 1 || p.Assignments[0] != (data.Assignment{Role: data.RoleGridLeader, AreaCode: wt.G1}) {
			t.Errorf("the leader of G1 after bad requests: %+v, %v", p, err)
		}
	})
}

// errMessage is the message of an error answer ("" when there is none).
func errMessage(t *testing.T, r resp) string {
	t.Helper()
	e, _ := r.json(t)["error"].(map[string]any)
	msg, _ := e["message"].(string)
	return msg
}

func (e *env) peopleCount() int {
	e.t.Helper()
	all, err := e.store.ListPeople(context.Background(), "", "")
	if err != nil {
		e.t.Fatal(err)
	}
	return len(all)
}

// FuzzPeopleBody: POST /api/v1/people with any body answers 201 with a
// person the store holds (name trimmed and non-empty) or a 4xx JSON error
// with a message, and a refused body writes no one.
func FuzzPeopleBody(f *testing.F) {
	for _, s := range []string{
		`{"name":"某人","phone":"139 0000 0001","assignments":[{"role":"grid_staff","area_code":"` + wt.G4 + `"}]}`,
		`{"name":"某人","assignments":[{"role":"grid_leader","area_code":"` + wt.G1 + `"}]}`,
		`{"name":" "}`, `{"name":"a","assignments":[{"role":"boss","area_code":"x"}]}`, `{"name":"a","phone":"+86 (532) 1-2"}`,
		`{"name":"a","assignments":null}`, `{"name":"a","assignments":[{}]}`, `{"name":"\u0000"}`, `[]`, `null`, `{"name":"a"}{}`,
		`{"name":"a","assignments":[{"role":"volunteer","area_code":"` + wt.G1 + `"},{"role":"volunteer","area_code":"` + wt.G1 + `"}]}`,
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
	wf := workflow.New(st, nil, time.Now, workflow.Config{})
	tok, err := wf.IssueToken(ctx, wt.CC, "fuzz")
	if err != nil {
		f.Fatal(err)
	}
	h := api.New(testConfig, api.Deps{Store: st, Router: r, Workflow: wf})
	count := func(t *testing.T) int {
		all, err := st.ListPeople(ctx, "", "")
		if err != nil {
			t.Fatal(err)
		}
		return len(all)
	}
	f.Fuzz(func(t *testing.T, body string) {
		before := count(t)
		req := httptest.NewRequest(http.MethodPost, "/api/v1/people", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		var m map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
			t.Fatalf("body %q: %d, not JSON: %q", body, w.Code, w.Body.String())
		}
		switch w.Code {
		case http.StatusCreated:
			id, _ := m["id"].(float64)
			p, err := st.GetPerson(ctx, int64(id))
			if err != nil || p.Name == "" || p.Name != strings.TrimSpace(p.Name) || p.Name != m["name"] {
				t.Fatalf("body %q: 201 %v, stored %+v, %v", body, m, p, err)
			}
			if after := count(t); after != before+1 {
				t.Fatalf("body %q: 201, people %d → %d", body, before, after)
			}
		case http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge:
			e, _ := m["error"].(map[string]any)
			if msg, _ := e["message"].(string); msg == "" {
				t.Fatalf("body %q: %d without a message: %v", body, w.Code, m)
			}
			if after := count(t); after != before {
				t.Fatalf("body %q: %d, people %d → %d", body, w.Code, before, after)
			}
		default:
			t.Fatalf("body %q: status %d: %s", body, w.Code, w.Body.String())
		}
	})
}
