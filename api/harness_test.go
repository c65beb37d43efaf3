package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
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

// The HTTP tests run every scenario on both stores against the fixture
// district of workflowtest (grids G1…G4 as vertical strips of lon 120–121,
// lat 36–37), served by a real routing.Router built from the store and a
// real httptest.Server.

// Points inside each fixture grid (lon/lat, EPSG:4326).
var (
	ptG1 = orb.Point{120.06, 36.5}
	ptG2 = orb.Point{120.19, 36.5}
	ptG3 = orb.Point{120.37, 36.5}
	ptG4 = orb.Point{120.75, 36.5}
)

// roles maps the role names of the tests to fixture people. "grid_leader"
// is the leader of grid A (G1); "grid_leader_b" leads grid B (G2).
var roles = map[string]int64{
	"grid_leader":     wt.Leader1,
	"deputy_leader":   wt.Deputy1,
	"grid_staff":      wt.Staff1,
	"info_officer":    wt.Info1,
	"volunteer":       wt.Volunteer1,
	"community_head":  wt.CommHead1,
	"community_staff": wt.CommStaff1,
	"street_staff":    wt.Street1,
	"command_center":  wt.CC,
	"planner":         wt.Planner,
	"handler":         wt.Handler1,
	"grid_leader_b":   wt.Leader2,
	"street_staff_b":  wt.Street2,
	"resident":        wt.Resident,
	"handler2":        wt.Handler2,
	"dual":            wt.Dual,
}

// Pseudo-roles: no Authorization header, and a token the store never issued.
const (
	noToken  = "none"
	badToken = "bad"
)

// allRoles is the order role matrices are run in.
var allRoles = []string{"grid_leader", "deputy_leader", "grid_staff", "info_officer", "volunteer",
	"community_head", "community_staff", "street_staff", "command_center", "planner", "handler",
	"grid_leader_b", "street_staff_b", "resident", noToken, badToken}

// testConfig is the API configuration of the tests: small limits so that
// the over-limit cases are cheap.
var testConfig = api.Config{MaxBodyBytes: 8 << 10, MaxBatchBytes: 64 << 10, MaxBatchPoints: 5, Version: "test"}

// env is one server on one fresh store.
type env struct {
	t      *testing.T
	kind   string
	store  data.Store
	router *routing.Router
	wf     *workflow.Service
	srv    *httptest.Server
	tok    map[string]string // role → bearer token
	people map[int64]*data.Person
}

// eachStore runs fn as a subtest per store kind, each with its own fresh env.
func eachStore(t *testing.T, cfg api.Config, fn func(t *testing.T, e *env)) {
	for _, k := range teststores.All {
		t.Run(k.Name, func(t *testing.T) {
			fn(t, newEnv(t, k.Name, k.Open(t), cfg))
		})
	}
}

func newEnv(t *testing.T, kind string, st data.Store, cfg api.Config) *env {
	t.Helper()
	ctx := context.Background()
	if _, err := st.Load(ctx, wt.Dataset(time.Now())); err != nil {
		t.Fatal(err)
	}
	r := routing.NewRouter(nil, routing.Options{})
	if err := r.Reload(ctx, st); err != nil {
		t.Fatal(err)
	}
	// As serve wires it, but with no Watch: the router reloads only when
	// a test asks, or when intake finds it behind the store (CatchUp).
	wf := workflow.New(st, func(lon, lat float64) data.Routing { a := r.Route(lon, lat); return a.Routing() }, time.Now,
		workflow.Config{RoutePartition: routing.PartitionRouter(routing.Options{}), CatchUp: func(ctx context.Context, rev int64) error { return r.CatchUp(ctx, st, rev) }})
	e := &env{t: t, kind: kind, store: st, router: r, wf: wf, tok: map[string]string{}, people: map[int64]*data.Person{}}
	for name, id := range roles {
		tok, err := wf.IssueToken(ctx, id, "test "+name)
		if err != nil {
			t.Fatalf("token for %s: %v", name, err)
		}
		e.tok[name] = tok
		p, err := st.GetPerson(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		e.people[id] = &p
	}
	e.tok[badToken] = "not-a-token-anyone-issued"
	e.srv = httptest.NewServer(api.New(cfg, api.Deps{Store: st, Router: r, Workflow: wf}))
	t.Cleanup(e.srv.Close)
	return e
}

// resp is an answer read in full.
type resp struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into a generic map (fails the test if it is not JSON).
func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %.300s", err, r.body)
	}
	return m
}

// do sends a request as role. body: nil (none), string or []byte (sent as
// is), anything else (marshalled as JSON). Content-Type defaults to
// application/json when a body is sent; headers override.
func (e *env) do(method, path, role string, body any, headers map[string]string) resp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		js, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(js)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if role != "" && role != noToken {
		tok, ok := e.tok[role]
		if !ok {
			e.t.Fatalf("no token for role %q", role)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

// submit stores a case through the workflow (not over HTTP) as the command
// center, at p, and returns its id.
func (e *env) submit(p orb.Point, category, desc string) int64 {
	e.t.Helper()
	loc := p
	r, _, err := e.wf.Submit(context.Background(), e.people[wt.CC], workflow.Intake{Category: category, Description: desc, Location: &loc})
	if err != nil {
		e.t.Fatal(err)
	}
	return r.ID
}

// transition moves a case through the workflow as person id (setup only).
func (e *env) transition(id int64, personID int64, action string, p workflow.Params) {
	e.t.Helper()
	if _, err := e.wf.Transition(context.Background(), e.people[personID], id, action, p); err != nil {
		e.t.Fatalf("%s %d as %d: %v", action, id, personID, err)
	}
}

// counts returns the number of reports and of events in the store.
func (e *env) counts() (reports, events int) {
	e.t.Helper()
	ctx := context.Background()
	rs, n, err := e.store.ListReports(ctx, data.ReportQuery{})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, r := range rs {
		evs, err := e.store.Events(ctx, r.ID)
		if err != nil {
			e.t.Fatal(err)
		}
		events += len(evs)
	}
	return n, events
}

// errCode returns error.code of an error body ("" if there is none).
func errCode(t *testing.T, r resp) string {
	t.Helper()
	var m struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("error body is not JSON: %v: %.300s", err, r.body)
	}
	return m.Error.Code
}

// path walks a decoded JSON value by keys and indexes ("features", 0, "id").
func path(v any, keys ...any) any {
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k < 0 || k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

// featureIDs lists the ids of a FeatureCollection's features (as int64 for
// numbers, string otherwise).
func featureIDs(t *testing.T, r resp) []any {
	t.Helper()
	fs, _ := r.json(t)["features"].([]any)
	out := make([]any, 0, len(fs))
	for _, f := range fs {
		switch id := f.(map[string]any)["id"].(type) {
		case float64:
			out = append(out, int64(id))
		default:
			out = append(out, id)
		}
	}
	return out
}
