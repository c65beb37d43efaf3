package workflow_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/workflow"
	wt "github.com/wangge-dev/wangge/workflow/workflowtest"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var t0 = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

type env struct {
	t      *testing.T
	ctx    context.Context
	store  data.Store
	svc    *workflow.Service
	clock  *clock
	people map[int64]*data.Person
}

// newEnv loads the fixture into a fresh store from mk.
func newEnv(t *testing.T, mk func(t *testing.T) data.Store) *env {
	t.Helper()
	ctx := context.Background()
	st := mk(t)
	ds := wt.Dataset(t0)
	if _, err := st.Load(ctx, ds); err != nil {
		t.Fatalf("load fixture: %v", err)
	}
	e := &env{t: t, ctx: ctx, store: st, clock: &clock{t: t0}, people: map[int64]*data.Person{}}
	for i := range ds.People {
		p, err := st.GetPerson(ctx, int64(i+1))
		if err != nil {
			t.Fatalf("person %d: %v", i+1, err)
		}
		if p.Name != ds.People[i].Name {
			t.Fatalf("person %d is %q, want %q (store did not number people i+1)", i+1, p.Name, ds.People[i].Name)
		}
		e.people[p.ID] = &p
	}
	e.svc = workflow.New(st, wt.Route, e.clock.Now, workflow.Config{})
	return e
}

func (e *env) p(id int64) *data.Person { return e.people[id] }

func pt(lon, lat float64) *orb.Point { p := orb.Point{lon, lat}; return &p }

// submit files a valid report at lon/lat in a category.
func (e *env) submit(cat string, lon, lat float64) data.Report {
	e.t.Helper()
	r, _, err := e.svc.Submit(e.ctx, e.p(wt.Staff1), workflow.Intake{Category: cat, Description: "测试 " + cat, Location: pt(lon, lat)})
	if err != nil {
		e.t.Fatalf("submit: %v", err)
	}
	return r
}

func (e *env) do(actor int64, id int64, action string, p workflow.Params) data.Report {
	e.t.Helper()
	r, err := e.svc.Transition(e.ctx, e.p(actor), id, action, p)
	if err != nil {
		e.t.Fatalf("%s by %s: %v", action, wt.PersonNames[actor], err)
	}
	return r
}

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

// caseIn returns a new G1 case brought to status st, dispatched to handler.
func (e *env) caseIn(st data.Status, handler int64) data.Report {
	e.t.Helper()
	r := e.submit("facility_damage", 120.05, 36.4)
	steps := []struct {
		until  data.Status
		actor  int64
		action string
		p      workflow.Params
	}{
		{data.StatusAccepted, wt.CC, workflow.ActionAccept, workflow.Params{}},
		{data.StatusDispatched, wt.CC, workflow.ActionDispatch, workflow.Params{HandlerID: handler}},
		{data.StatusHandled, handler, workflow.ActionHandle, workflow.Params{Feedback: "修好了"}},
		{data.StatusVerified, wt.Leader1, workflow.ActionVerify, workflow.Params{OK: yes()}},
		{data.StatusClosed, wt.CC, workflow.ActionClose, workflow.Params{}},
	}
	for _, s := range steps {
		if r.Status == st {
			break
		}
		r = e.do(s.actor, r.ID, s.action, s.p)
	}
	if r.Status != st {
		e.t.Fatalf("could not bring a case to %s", st)
	}
	return r
}

// runSuite runs every workflow scenario on stores made by mk.
func runSuite(t *testing.T, mk func(t *testing.T) data.Store) {
	t.Run("intake validation", func(t *testing.T) { testIntakeValidation(t, newEnv(t, mk)) })
	t.Run("idempotency", func(t *testing.T) { testIdempotency(t, newEnv(t, mk)) })
	t.Run("duplicates", func(t *testing.T) { testDuplicates(t, newEnv(t, mk)) })
	t.Run("closed loop", func(t *testing.T) { testClosedLoop(t, newEnv(t, mk)) })
	t.Run("illegal transitions", func(t *testing.T) { testIllegal(t, newEnv(t, mk)) })
	t.Run("role matrix", func(t *testing.T) { testRoleMatrix(t, newEnv(t, mk)) })
	t.Run("scope", func(t *testing.T) { testScope(t, newEnv(t, mk)) })
	t.Run("merge", func(t *testing.T) { testMerge(t, newEnv(t, mk)) })
	t.Run("escalation", func(t *testing.T) { testEscalation(t, newEnv(t, mk)) })
	t.Run("concurrent transitions", func(t *testing.T) { testConcurrent(t, newEnv(t, mk)) })
	t.Run("reassign", func(t *testing.T) { testReassign(t, newEnv(t, mk)) })
	t.Run("tokens", func(t *testing.T) { testTokens(t, newEnv(t, mk)) })
	t.Run("catch up", func(t *testing.T) { testCatchUp(t, newEnv(t, mk)) })
	t.Run("batch", func(t *testing.T) { testBatch(t, newEnv(t, mk)) })
}

func testIntakeValidation(t *testing.T, e *env) {
	long := make([]rune, 2001)
	for i := range long {
		long[i] = '字'
	}
	six := []string{"http://a/1", "http://a/2", "http://a/3", "http://a/4", "http://a/5", "http://a/6"}
	cases := []struct {
		name  string
		actor *data.Person
		in    workflow.Intake
		field string // "" = valid
	}{
		{"valid with point", nil, workflow.Intake{Category: "other", Description: "路灯坏了", Location: pt(120.1, 36.5)}, ""},
		{"valid media only", nil, workflow.Intake{Category: "other", MediaURLs: []string{"https://img.example/a.jpg"}, Location: pt(120.1, 36.5)}, ""},
		{"2000 characters is fine", nil, workflow.Intake{Category: "other", Description: string(long[:2000]), Location: pt(120.1, 36.5)}, ""},
		{"unknown category", nil, workflow.Intake{Category: "ufo", Description: "x", Location: pt(120.1, 36.5)}, "category"},
		{"empty category", nil, workflow.Intake{Description: "x", Location: pt(120.1, 36.5)}, "category"},
		{"description too long", nil, workflow.Intake{Category: "other", Description: string(long), Location: pt(120.1, 36.5)}, "description"},
		{"no description no media", nil, workflow.Intake{Category: "other", Description: "  ", Location: pt(120.1, 36.5)}, "description"},
		{"NaN lon", nil, workflow.Intake{Category: "other", Description: "x", Location: pt(math.NaN(), 36.5)}, "location"},
		{"Inf lat", nil, workflow.Intake{Category: "other", Description: "x", Location: pt(120, math.Inf(1))}, "location"},
		{"lat 91", nil, workflow.Intake{Category: "other", Description: "x", Location: pt(120, 91)}, "location"},
		{"lon -181", nil, workflow.Intake{Category: "other", Description: "x", Location: pt(-181, 30)}, "location"},
		{"no location no address", nil, workflow.Intake{Category: "other", Description: "x"}, "location"},
		{"unknown address", nil, workflow.Intake{Category: "other", Description: "x", Address: "不存在路9号"}, "address"},
		{"ftp media", nil, workflow.Intake{Category: "other", Description: "x", Location: pt(120.1, 36.5), MediaURLs: []string{"ftp://a/b"}}, "media_url[0]"},
		{"relative media", nil, workflow.Intake{Category: "other", Description: "x", Location: pt(120.1, 36.5), MediaURLs: []string{"/a.jpg"}}, "media_url[0]"},
		{"too many media", nil, workflow.Intake{Category: "other", Description: "x", Location: pt(120.1, 36.5), MediaURLs: six}, "media_url"},
		{"public cannot claim patrol", nil, workflow.Intake{Category: "other", Description: "x", Location: pt(120.1, 36.5), Source: data.SourcePatrol}, "source"},
		{"unknown source", e.p(wt.Staff1), workflow.Intake{Category: "other", Description: "x", Location: pt(120.1, 36.5), Source: "pigeon"}, "source"},
		{"staff may report hotline", e.p(wt.Staff1), workflow.Intake{Category: "other", Description: "x", Location: pt(120.1, 36.5), Source: data.SourceHotline}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := e.svc.Submit(e.ctx, c.actor, c.in)
			if c.field == "" {
				if err != nil {
					t.Fatalf("want ok, got %v", err)
				}
				return
			}
			var ve *data.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, data.ErrInvalid) {
				t.Fatalf("want ValidationError on %s, got %v", c.field, err)
			}
			if ve.Field != c.field {
				t.Fatalf("field = %q, want %q (%v)", ve.Field, c.field, err)
			}
		})
	}
	t.Run("address resolves to its building and routes", func(t *testing.T) {
		r, created, err := e.svc.Submit(e.ctx, nil, workflow.Intake{Category: "other", Description: "x", Address: " " + wt.KnownAddress + " ", ReporterName: "王", ReporterPhone: "139"})
		if err != nil || !created {
			t.Fatalf("submit: %v %v", created, err)
		}
		if r.Location != wt.KnownPoint || r.Routing.GridCode != wt.G1 || r.Address != wt.KnownAddress {
			t.Fatalf("got %v %q %q", r.Location, r.Routing.GridCode, r.Address)
		}
		if r.Source != data.SourceResident || r.Status != data.StatusReported || r.ReporterName != "王" {
			t.Fatalf("source %q status %q name %q", r.Source, r.Status, r.ReporterName)
		}
		if want := t0.Add(168 * time.Hour); !r.DueAt.Equal(want) {
			t.Fatalf("DueAt %v, want %v", r.DueAt, want)
		}
		stored, err := e.store.GetReport(e.ctx, r.ID)
		if err != nil || stored.Routing.GridCode != wt.G1 || stored.Routing.LeaderID != wt.Leader1 || !stored.DueAt.Equal(r.DueAt) {
			t.Fatalf("stored %+v %v", stored.Routing, err)
		}
		evs, err := e.store.Events(e.ctx, r.ID)
		if err != nil || len(evs) != 1 || evs[0].Kind != "created" {
			t.Fatalf("events %+v %v", evs, err)
		}
	})
	t.Run("staff report defaults to patrol and the actor's identity", func(t *testing.T) {
		r, _, err := e.svc.Submit(e.ctx, e.p(wt.Leader1), workflow.Intake{Category: "safety_hazard", Description: "x", Location: pt(120.01, 36.01)})
		if err != nil {
			t.Fatal(err)
		}
		if r.Source != data.SourcePatrol || r.ReporterID != wt.Leader1 || r.ReporterPhone != "13800000008" {
			t.Fatalf("got %q %d %q", r.Source, r.ReporterID, r.ReporterPhone)
		}
	})
}

func testIdempotency(t *testing.T, e *env) {
	in := workflow.Intake{Category: "other", Description: "井盖丢失", Location: pt(120.3, 36.3), IdempotencyKey: "k-1"}
	a, created, err := e.svc.Submit(e.ctx, nil, in)
	if err != nil || !created {
		t.Fatalf("first: %v %v", created, err)
	}
	e.clock.Advance(time.Minute)
	b, created, err := e.svc.Submit(e.ctx, nil, in)
	if err != nil || created || b.ID != a.ID {
		t.Fatalf("retry: created=%v id %d vs %d err %v", created, b.ID, a.ID, err)
	}
	in2 := in
	in2.Description = "别的事"
	if _, _, err := e.svc.Submit(e.ctx, nil, in2); !errors.Is(err, workflow.ErrIdempotencyMismatch) {
		t.Fatalf("different body: want ErrIdempotencyMismatch, got %v", err)
	}
	if _, _, err := e.svc.Submit(e.ctx, e.p(wt.Staff1), in); !errors.Is(err, workflow.ErrIdempotencyMismatch) {
		t.Fatalf("same body other actor: want ErrIdempotencyMismatch, got %v", err)
	}
	_, n, err := e.store.ListReports(e.ctx, data.ReportQuery{})
	if err != nil || n != 1 {
		t.Fatalf("stored %d reports, want 1 (%v)", n, err)
	}
}

func testDuplicates(t *testing.T, e *env) {
	// 0.0003° of latitude ≈ 33 m; 0.0008° ≈ 89 m.
	first := e.submit("facility_damage", 120.3, 36.3)
	if first.DuplicateOf != 0 {
		t.Fatalf("first flagged as duplicate of %d", first.DuplicateOf)
	}
	e.clock.Advance(time.Hour)
	cases := []struct {
		name     string
		cat      string
		lon, lat float64
		want     int64
	}{
		{"same category 33 m away", "facility_damage", 120.3, 36.3003, first.ID},
		{"same category 89 m away", "facility_damage", 120.3, 36.3008, 0},
		{"other category same point", "safety_hazard", 120.3, 36.3, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.submit(c.cat, c.lon, c.lat)
			if r.DuplicateOf != c.want {
				t.Fatalf("DuplicateOf = %d, want %d", r.DuplicateOf, c.want)
			}
			if got, _ := e.store.GetReport(e.ctx, r.ID); got.DuplicateOf != c.want {
				t.Fatalf("stored DuplicateOf = %d, want %d", got.DuplicateOf, c.want)
			}
		})
	}
	t.Run("a duplicate of a duplicate points at the original", func(t *testing.T) {
		r := e.submit("facility_damage", 120.3001, 36.3003)
		if r.DuplicateOf != first.ID {
			t.Fatalf("DuplicateOf = %d, want %d", r.DuplicateOf, first.ID)
		}
	})
	t.Run("outside the window", func(t *testing.T) {
		e.clock.Advance(73 * time.Hour) // past the window of every earlier report
		if r := e.submit("facility_damage", 120.3, 36.3); r.DuplicateOf != 0 {
			t.Fatalf("DuplicateOf = %d, want 0", r.DuplicateOf)
		}
	})
	t.Run("a closed case is no original", func(t *testing.T) {
		c := e.caseIn(data.StatusClosed, wt.Handler1)
		r := e.submit("facility_damage", c.Location[0], c.Location[1])
		if r.DuplicateOf == c.ID {
			t.Fatalf("flagged as duplicate of closed case %d", c.ID)
		}
	})
}

func testClosedLoop(t *testing.T, e *env) {
	r := e.submit("facility_damage", 120.05, 36.4)
	e.clock.Advance(time.Minute)
	r = e.do(wt.CommStaff1, r.ID, workflow.ActionAccept, workflow.Params{Reason: "属实"})
	e.clock.Advance(time.Minute)
	r = e.do(wt.CommStaff1, r.ID, workflow.ActionDispatch, workflow.Params{HandlerID: wt.Handler1})
	if r.AssigneeID != wt.Handler1 {
		t.Fatalf("assignee %d", r.AssigneeID)
	}
	e.clock.Advance(time.Hour)
	r = e.do(wt.Handler1, r.ID, workflow.ActionHandle, workflow.Params{Feedback: "已更换", Photos: []string{"https://img/1.jpg"}})
	e.clock.Advance(time.Hour)
	r = e.do(wt.Staff1, r.ID, workflow.ActionVerify, workflow.Params{OK: no(), Reason: "没修好"})
	if r.Status != data.StatusDispatched || r.AssigneeID != wt.Handler1 {
		t.Fatalf("after failed verification: %s, assignee %d", r.Status, r.AssigneeID)
	}
	r = e.do(wt.Handler1, r.ID, workflow.ActionHandle, workflow.Params{Feedback: "重新更换"})
	r = e.do(wt.Leader1, r.ID, workflow.ActionVerify, workflow.Params{OK: yes()})
	e.clock.Advance(time.Minute)
	r = e.do(wt.Leader1, r.ID, workflow.ActionClose, workflow.Params{})
	if r.Status != data.StatusClosed || r.ClosedAt == nil || !r.ClosedAt.Equal(e.clock.Now()) {
		t.Fatalf("closed: %s %v", r.Status, r.ClosedAt)
	}
	stored, err := e.store.GetReport(e.ctx, r.ID)
	if err != nil || stored.Status != data.StatusClosed || stored.ClosedAt == nil || stored.AssigneeID != wt.Handler1 {
		t.Fatalf("stored %+v %v", stored, err)
	}
	evs, err := e.store.Events(e.ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		kind     string
		from, to data.Status
		actor    int64
	}{
		{"created", "", data.StatusReported, wt.Staff1},
		{"accepted", data.StatusReported, data.StatusAccepted, wt.CommStaff1},
		{"dispatched", data.StatusAccepted, data.StatusDispatched, wt.CommStaff1},
		{"handled", data.StatusDispatched, data.StatusHandled, wt.Handler1},
		{"reopened", data.StatusHandled, data.StatusDispatched, wt.Staff1},
		{"handled", data.StatusDispatched, data.StatusHandled, wt.Handler1},
		{"verified", data.StatusHandled, data.StatusVerified, wt.Leader1},
		{"closed", data.StatusVerified, data.StatusClosed, wt.Leader1},
	}
	if len(evs) != len(want) {
		t.Fatalf("%d events, want %d: %+v", len(evs), len(want), evs)
	}
	for i, w := range want {
		ev := evs[i]
		if ev.Kind != w.kind || ev.From != w.from || ev.To != w.to || ev.ActorID != w.actor {
			t.Errorf("event %d = %s %s→%s by %d, want %s %s→%s by %d", i, ev.Kind, ev.From, ev.To, ev.ActorID, w.kind, w.from, w.to, w.actor)
		}
	}
	if evs[3].Data["feedback"] != "已更换" || fmt.Sprint(evs[3].Data["photos"]) != "[https://img/1.jpg]" {
		t.Errorf("handled data %v", evs[3].Data)
	}
	if evs[4].Reason != "没修好" {
		t.Errorf("reopen reason %q", evs[4].Reason)
	}
	if !evs[1].At.Equal(t0.Add(time.Minute)) {
		t.Errorf("accepted at %v", evs[1].At)
	}
}

func testIllegal(t *testing.T, e *env) {
	cases := []struct {
		name    string
		status  data.Status
		action  string
		p       workflow.Params
		allowed []string
	}{
		{"close a reported case", data.StatusReported, workflow.ActionClose, workflow.Params{}, []string{"accept", "reject"}},
		{"dispatch a reported case", data.StatusReported, workflow.ActionDispatch, workflow.Params{HandlerID: wt.Handler1}, []string{"accept", "reject"}},
		{"accept twice", data.StatusAccepted, workflow.ActionAccept, workflow.Params{}, []string{"dispatch", "reject"}},
		{"verify a dispatched case", data.StatusDispatched, workflow.ActionVerify, workflow.Params{OK: yes()}, []string{"handle", "reassign"}},
		{"reassign a handled case", data.StatusHandled, workflow.ActionReassign, workflow.Params{HandlerID: wt.Handler2}, []string{"verify"}},
		{"reject a handled case", data.StatusHandled, workflow.ActionReject, workflow.Params{Reason: "x"}, []string{"verify"}},
		{"accept a closed case", data.StatusClosed, workflow.ActionAccept, workflow.Params{}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.caseIn(c.status, wt.Handler1)
			_, err := e.svc.Transition(e.ctx, e.p(wt.CC), r.ID, c.action, c.p)
			var te *workflow.TransitionError
			if !errors.As(err, &te) || !errors.Is(err, data.ErrConflict) {
				t.Fatalf("want TransitionError, got %v", err)
			}
			if te.From != c.status || te.Action != c.action || !slices.Equal(te.Allowed, c.allowed) {
				t.Fatalf("got %+v", te)
			}
		})
	}
	t.Run("bad params", func(t *testing.T) {
		for _, c := range []struct {
			name   string
			status data.Status
			actor  int64
			action string
			p      workflow.Params
			field  string
		}{
			{"unknown action", data.StatusReported, wt.CC, "teleport", workflow.Params{}, "action"},
			{"reject without reason", data.StatusReported, wt.CC, workflow.ActionReject, workflow.Params{}, "reason"},
			{"dispatch without handler", data.StatusAccepted, wt.CC, workflow.ActionDispatch, workflow.Params{}, "handler_id"},
			{"dispatch to a non-handler", data.StatusAccepted, wt.CC, workflow.ActionDispatch, workflow.Params{HandlerID: wt.Leader1}, "handler_id"},
			{"dispatch to nobody", data.StatusAccepted, wt.CC, workflow.ActionDispatch, workflow.Params{HandlerID: 9999}, "handler_id"},
			{"reassign without handler", data.StatusDispatched, wt.CC, workflow.ActionReassign, workflow.Params{}, "handler_id"},
			{"reassign to the same handler", data.StatusDispatched, wt.CC, workflow.ActionReassign, workflow.Params{HandlerID: wt.Handler1}, "handler_id"},
			{"reassign to a non-handler", data.StatusDispatched, wt.CC, workflow.ActionReassign, workflow.Params{HandlerID: wt.Leader1}, "handler_id"},
			{"handle without feedback", data.StatusDispatched, wt.Handler1, workflow.ActionHandle, workflow.Params{}, "feedback"},
			{"handle with a bad photo", data.StatusDispatched, wt.Handler1, workflow.ActionHandle, workflow.Params{Feedback: "ok", Photos: []string{"javascript:x"}}, "photos[0]"},
			{"verify without ok", data.StatusHandled, wt.Leader1, workflow.ActionVerify, workflow.Params{}, "ok"},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := e.caseIn(c.status, wt.Handler1)
				_, err := e.svc.Transition(e.ctx, e.p(c.actor), r.ID, c.action, c.p)
				var ve *data.ValidationError
				if !errors.As(err, &ve) || ve.Field != c.field {
					t.Fatalf("want ValidationError on %s, got %v", c.field, err)
				}
				if got, _ := e.store.GetReport(e.ctx, r.ID); got.Status != c.status {
					t.Fatalf("status changed to %s", got.Status)
				}
			})
		}
	})
}

// testRoleMatrix tries every person of the fixture (and the public) on every
// action, on a G1 case in a status where the action is legal.
// withRow returns a copy of r with person id expecting want.
func withRow[M ~map[int64]string](r M, id int64, want string) M {
	out := M{}
	for k, v := range r {
		out[k] = v
	}
	out[id] = want
	return out
}

func testRoleMatrix(t *testing.T, e *env) {
	const (
		ok  = "ok"
		frb = "forbidden"
		nf  = "not found"
		una = "unauthenticated"
	)
	// expect[action][person]; person 0 is the public. Missing = not found.
	type row map[int64]string
	// Staff1 files the cases (env.submit) and is grid staff of G1: in
	// scope, not allowed to triage.
	triage := row{wt.CC: ok, wt.Street1: ok, wt.CommHead1: ok, wt.CommStaff1: ok,
		wt.Planner: frb, wt.Leader1: frb, wt.Deputy1: frb, wt.Staff1: frb, wt.Info1: frb, wt.Volunteer1: frb, wt.Dual: frb, 0: una}
	expect := map[string]row{
		workflow.ActionAccept:   triage,
		workflow.ActionReject:   triage,
		workflow.ActionDispatch: triage,
		workflow.ActionReassign: withRow(triage, wt.Handler1, frb), // the handler sees the case, may not move it
		workflow.ActionHandle: {wt.Handler1: ok, wt.CC: frb, wt.Planner: frb, wt.Street1: frb, wt.CommHead1: frb, wt.CommStaff1: frb,
			wt.Leader1: frb, wt.Deputy1: frb, wt.Staff1: frb, wt.Info1: frb, wt.Volunteer1: frb, wt.Dual: frb, 0: una},
		workflow.ActionVerify: {wt.CommHead1: ok, wt.CommStaff1: ok, wt.Leader1: ok, wt.Deputy1: ok, wt.Staff1: ok, wt.Info1: ok, wt.Dual: ok,
			wt.Volunteer1: frb, wt.CC: frb, wt.Planner: frb, wt.Street1: frb, wt.Handler1: frb, 0: una},
		workflow.ActionClose: {wt.CC: ok, wt.Street1: ok, wt.CommHead1: ok, wt.CommStaff1: ok, wt.Leader1: ok, wt.Deputy1: ok,
			wt.Planner: frb, wt.Staff1: frb, wt.Info1: frb, wt.Volunteer1: frb, wt.Dual: frb, wt.Handler1: frb, 0: una},
	}
	before := map[string]data.Status{
		workflow.ActionAccept: data.StatusReported, workflow.ActionReject: data.StatusReported,
		workflow.ActionDispatch: data.StatusAccepted, workflow.ActionReassign: data.StatusDispatched, workflow.ActionHandle: data.StatusDispatched,
		workflow.ActionVerify: data.StatusHandled, workflow.ActionClose: data.StatusVerified,
	}
	params := map[string]workflow.Params{
		workflow.ActionReject:   {Reason: "无效"},
		workflow.ActionDispatch: {HandlerID: wt.Handler2},
		workflow.ActionReassign: {HandlerID: wt.Handler2},
		workflow.ActionHandle:   {Feedback: "done"},
		workflow.ActionVerify:   {OK: yes()},
	}
	ids := []int64{0}
	for id := range wt.PersonNames {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, action := range workflow.Actions {
		for _, pid := range ids {
			name := "public"
			if pid != 0 {
				name = wt.PersonNames[pid]
			}
			want := expect[action][pid]
			if want == "" {
				want = nf
			}
			t.Run(action+"/"+name, func(t *testing.T) {
				r := e.caseIn(before[action], wt.Handler1)
				_, err := e.svc.Transition(e.ctx, e.people[pid], r.ID, action, params[action])
				got := ok
				switch {
				case err == nil:
				case errors.Is(err, workflow.ErrForbidden):
					got = frb
				case errors.Is(err, data.ErrNotFound):
					got = nf
				case errors.Is(err, workflow.ErrUnauthenticated):
					got = una
				default:
					t.Fatalf("unexpected error %v", err)
				}
				if got != want {
					t.Fatalf("got %s, want %s (err %v)", got, want, err)
				}
				stored, _ := e.store.GetReport(e.ctx, r.ID)
				changed := stored.Status != before[action]
				if action == workflow.ActionReassign {
					changed = stored.AssigneeID != wt.Handler1
				}
				if (got == ok) != changed {
					t.Fatalf("stored status %s, assignee %d after %s", stored.Status, stored.AssigneeID, got)
				}
			})
		}
	}
	t.Run("the handler may not verify their own case", func(t *testing.T) {
		r := e.caseIn(data.StatusHandled, wt.Dual)
		if _, err := e.svc.Transition(e.ctx, e.p(wt.Dual), r.ID, workflow.ActionVerify, workflow.Params{OK: yes()}); !errors.Is(err, workflow.ErrForbidden) {
			t.Fatalf("want ErrForbidden, got %v", err)
		}
		e.do(wt.Staff1, r.ID, workflow.ActionVerify, workflow.Params{OK: yes()})
	})
	t.Run("a grid leader may not act on another grid's case", func(t *testing.T) {
		r := e.submit("other", 120.2, 36.5) // wt.G2
		r = e.do(wt.CC, r.ID, workflow.ActionAccept, workflow.Params{})
		r = e.do(wt.CC, r.ID, workflow.ActionDispatch, workflow.Params{HandlerID: wt.Handler1})
		r = e.do(wt.Handler1, r.ID, workflow.ActionHandle, workflow.Params{Feedback: "ok"})
		if _, err := e.svc.Transition(e.ctx, e.p(wt.Leader1), r.ID, workflow.ActionVerify, workflow.Params{OK: yes()}); !errors.Is(err, data.ErrNotFound) {
			t.Fatalf("leader of wt.G1 on a wt.G2 case: want ErrNotFound, got %v", err)
		}
		e.do(wt.Leader2, r.ID, workflow.ActionVerify, workflow.Params{OK: yes()})
	})
}

func testScope(t *testing.T, e *env) {
	byGrid := map[string]int64{}
	for _, c := range []struct {
		grid     string
		lon, lat float64
	}{{wt.G1, 120.05, 36.1}, {wt.G2, 120.2, 36.2}, {wt.G3, 120.3, 36.3}, {wt.G4, 120.7, 36.4}} {
		byGrid[c.grid] = e.submit("other", c.lon, c.lat).ID
	}
	// A case dispatched to handler 2 in G4.
	e.do(wt.CC, byGrid[wt.G4], workflow.ActionAccept, workflow.Params{})
	e.do(wt.CC, byGrid[wt.G4], workflow.ActionDispatch, workflow.Params{HandlerID: wt.Handler2})

	cases := []struct {
		name  string
		actor int64
		areas []string
		want  []string
	}{
		{"command center sees all", wt.CC, nil, []string{wt.G1, wt.G2, wt.G3, wt.G4}},
		{"planner sees all", wt.Planner, nil, []string{wt.G1, wt.G2, wt.G3, wt.G4}},
		{"street 1", wt.Street1, nil, []string{wt.G1, wt.G2, wt.G3}},
		{"street 2", wt.Street2, nil, []string{wt.G4}},
		{"community 1", wt.CommStaff1, nil, []string{wt.G1, wt.G2}},
		{"community 2", wt.CommStaff2, nil, []string{wt.G3}},
		{"grid leader 2", wt.Leader2, nil, []string{wt.G2}},
		{"volunteer of wt.G1", wt.Volunteer1, nil, []string{wt.G1}},
		{"handler sees cases dispatched to them", wt.Handler2, nil, []string{wt.G4}},
		{"handler with nothing dispatched", wt.Handler1, nil, nil},
		{"person with no role", wt.Resident, nil, nil},
		{"community narrowed to a grid", wt.CommStaff1, []string{wt.G2}, []string{wt.G2}},
		{"grid leader asking for the community gets the grid", wt.Leader2, []string{wt.C1}, []string{wt.G2}},
		{"grid leader asking for another grid gets nothing", wt.Leader2, []string{wt.G3}, nil},
		{"street asking for the district gets the street", wt.Street2, []string{wt.D}, []string{wt.G4}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rs, n, err := e.svc.List(e.ctx, e.p(c.actor), data.ReportQuery{Areas: c.areas})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rs {
				got = append(got, r.Routing.GridCode)
			}
			slices.Sort(got)
			if !slices.Equal(got, c.want) || n != len(c.want) {
				t.Fatalf("got %v (total %d), want %v", got, n, c.want)
			}
			if len(c.areas) > 0 {
				return // Get is not narrowed by a query
			}
			for g, id := range byGrid {
				_, err := e.svc.Get(e.ctx, e.p(c.actor), id)
				if in := slices.Contains(c.want, g); in && err != nil || !in && !errors.Is(err, data.ErrNotFound) {
					t.Errorf("Get %s: err %v, want visible %v", g, err, in)
				}
			}
		})
	}
	t.Run("the reporter may read their own case", func(t *testing.T) {
		r, _, err := e.svc.Submit(e.ctx, e.p(wt.Resident), workflow.Intake{Category: "other", Description: "x", Location: pt(120.7, 36.9)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Get(e.ctx, e.p(wt.Resident), r.ID); err != nil {
			t.Fatalf("own case: %v", err)
		}
		if _, err := e.svc.Get(e.ctx, e.p(wt.Resident), byGrid[wt.G1]); !errors.Is(err, data.ErrNotFound) {
			t.Fatalf("other case: %v", err)
		}
	})
	t.Run("public reads public fields only", func(t *testing.T) {
		r, err := e.svc.Get(e.ctx, nil, byGrid[wt.G1])
		if err != nil {
			t.Fatal(err)
		}
		if r.ReporterID != 0 || r.ReporterName != "" || r.ReporterPhone != "" || r.Description == "" {
			t.Fatalf("public view leaks %+v", r)
		}
		rs, n, err := e.svc.List(e.ctx, nil, data.ReportQuery{})
		if err != nil || n < 4 {
			t.Fatalf("public list %d %v", n, err)
		}
		for _, r := range rs {
			if r.ReporterName != "" || r.ReporterPhone != "" || r.ReporterID != 0 {
				t.Fatalf("public list leaks %+v", r)
			}
		}
		evs, err := e.svc.Events(e.ctx, nil, byGrid[wt.G4])
		if err != nil || len(evs) != 3 || evs[2].ActorID != 0 || evs[2].Data != nil {
			t.Fatalf("public events %+v %v", evs, err)
		}
	})
	t.Run("Scope", func(t *testing.T) {
		c := e.svc.Scope(e.p(wt.Dual))
		if c.All || !slices.Equal(c.Areas, []string{wt.G1}) || c.Assignee != wt.Dual {
			t.Fatalf("dual scope %+v", c)
		}
		if !e.svc.Scope(nil).Empty() || !e.svc.Scope(e.p(wt.Resident)).Empty() || !e.svc.Scope(e.p(wt.CC)).All {
			t.Fatal("nil/resident/command center scope wrong")
		}
	})
}

func testMerge(t *testing.T, e *env) {
	a := e.submit("other", 120.3, 36.3)
	b := e.submit("other", 120.3, 36.3)
	g4 := e.submit("other", 120.7, 36.3)
	if _, err := e.svc.Merge(e.ctx, e.p(wt.Leader1), b.ID, a.ID); !errors.Is(err, data.ErrNotFound) {
		t.Fatalf("leader of wt.G1 merging a wt.G3 case: %v", err)
	}
	if _, err := e.svc.Merge(e.ctx, e.p(wt.CommStaff2), b.ID, b.ID); !errors.Is(err, data.ErrInvalid) {
		t.Fatalf("self merge: %v", err)
	}
	if _, err := e.svc.Merge(e.ctx, e.p(wt.CommStaff2), b.ID, g4.ID); !errors.Is(err, data.ErrInvalid) {
		t.Fatalf("merge into an invisible case: %v", err)
	}
	r, err := e.svc.Merge(e.ctx, e.p(wt.CommStaff2), b.ID, a.ID)
	if err != nil || r.Status != data.StatusRejected || r.DuplicateOf != a.ID {
		t.Fatalf("merge: %+v %v", r, err)
	}
	evs, _ := e.store.Events(e.ctx, b.ID)
	if last := evs[len(evs)-1]; last.Kind != "merged" || last.To != data.StatusRejected || last.ActorID != wt.CommStaff2 {
		t.Fatalf("last event %+v", last)
	}
	c := e.submit("other", 120.3, 36.3)
	r, err = e.svc.Transition(e.ctx, e.p(wt.CC), c.ID, workflow.ActionReject, workflow.Params{DuplicateOf: a.ID})
	if err != nil || r.DuplicateOf != a.ID || r.Status != data.StatusRejected {
		t.Fatalf("reject as duplicate: %+v %v", r, err)
	}
	if _, err := e.svc.Merge(e.ctx, e.p(wt.CC), a.ID, b.ID); !errors.Is(err, data.ErrInvalid) {
		t.Fatalf("merge into a rejected case: %v", err)
	}
}

func testEscalation(t *testing.T, e *env) {
	hz := e.submit("safety_hazard", 120.05, 36.1)  // 24 h deadline
	fd := e.submit("facility_damage", 120.7, 36.1) // 48 h
	closed := e.caseIn(data.StatusClosed, wt.Handler1)
	_ = closed
	steps := []struct {
		at       time.Duration
		n        int
		hz, fd   data.Level
		hzEvents int
	}{
		{23 * time.Hour, 0, "", "", 0},
		{24 * time.Hour, 1, data.LevelCommunity, "", 1},
		{25 * time.Hour, 0, data.LevelCommunity, "", 1},
		{48 * time.Hour, 2, data.LevelStreet, data.LevelCommunity, 2},
		{200 * time.Hour, 1, data.LevelStreet, data.LevelStreet, 2},
		{300 * time.Hour, 0, data.LevelStreet, data.LevelStreet, 2},
	}
	for _, s := range steps {
		t.Run(fmt.Sprintf("at +%v", s.at), func(t *testing.T) {
			n, err := e.svc.EscalateOverdue(e.ctx, t0.Add(s.at))
			if err != nil || n != s.n {
				t.Fatalf("escalated %d (%v), want %d", n, err, s.n)
			}
			h, _ := e.store.GetReport(e.ctx, hz.ID)
			f, _ := e.store.GetReport(e.ctx, fd.ID)
			if h.Escalation != s.hz || f.Escalation != s.fd || h.Status != data.StatusReported {
				t.Fatalf("hazard %q (%s), damage %q; want %q, %q", h.Escalation, h.Status, f.Escalation, s.hz, s.fd)
			}
			evs, _ := e.store.Events(e.ctx, hz.ID)
			k := 0
			for _, ev := range evs {
				if ev.Kind == "escalated" {
					k++
				}
			}
			if k != s.hzEvents {
				t.Fatalf("%d escalated events, want %d", k, s.hzEvents)
			}
		})
	}
	if c, _ := e.store.GetReport(e.ctx, closed.ID); c.Escalation != "" {
		t.Fatalf("closed case escalated to %q", c.Escalation)
	}
	cases := []struct {
		name string
		now  time.Duration
		want data.Level
	}{{"before due", -time.Second, ""}, {"at due", 0, data.LevelCommunity}, {"just before 2×", 24*time.Hour - time.Second, data.LevelCommunity}, {"at due+deadline", 24 * time.Hour, data.LevelStreet}}
	for _, c := range cases {
		t.Run("EscalationLevel "+c.name, func(t *testing.T) {
			if got := workflow.EscalationLevel(t0, 24*time.Hour, t0.Add(c.now)); got != c.want {
				t.Fatalf("got %q want %q", got, c.want)
			}
		})
	}
}

func testConcurrent(t *testing.T, e *env) {
	for round := 0; round < 5; round++ {
		r := e.submit("other", 120.05, 36.2)
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				actor := []int64{wt.CC, wt.CommStaff1, wt.CommHead1, wt.Street1}[i]
				_, errs[i] = e.svc.Transition(e.ctx, e.p(actor), r.ID, workflow.ActionAccept, workflow.Params{})
			}()
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			switch {
			case err == nil:
				wins++
			case errors.Is(err, data.ErrConflict):
			default:
				t.Fatalf("unexpected error %v", err)
			}
		}
		evs, _ := e.store.Events(e.ctx, r.ID)
		if wins != 1 || len(evs) != 2 {
			t.Fatalf("round %d: %d winners, %d events (%v)", round, wins, len(evs), errs)
		}
	}
}

func testTokens(t *testing.T, e *env) {
	tok, err := e.svc.IssueToken(e.ctx, wt.Leader1, "phone")
	if err != nil {
		t.Fatal(err)
	}
	if len(tok) != len(workflow.TokenPrefix)+43 {
		t.Fatalf("token %q", tok)
	}
	cases := []struct {
		name   string
		bearer string
		want   int64
	}{
		{"plain", tok, wt.Leader1},
		{"Authorization header", "Bearer " + tok, wt.Leader1},
		{"lower-case scheme", "bearer " + tok, wt.Leader1},
		{"empty", "", 0},
		{"wrong", tok + "x", 0},
		{"the hash itself", workflow.HashToken(tok), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := e.svc.Authenticate(e.ctx, c.bearer)
			if c.want == 0 {
				if !errors.Is(err, workflow.ErrUnauthenticated) {
					t.Fatalf("want ErrUnauthenticated, got %v %v", p, err)
				}
				return
			}
			if err != nil || p.ID != c.want || len(p.Assignments) != 1 {
				t.Fatalf("got %+v %v", p, err)
			}
		})
	}
	if _, err := e.svc.IssueToken(e.ctx, 9999, "x"); !errors.Is(err, data.ErrNotFound) {
		t.Fatalf("token for nobody: %v", err)
	}
	tok2, _ := e.svc.IssueToken(e.ctx, wt.Leader1, "second")
	if tok2 == tok {
		t.Fatal("two equal tokens")
	}
}

func testBatch(t *testing.T, e *env) {
	var ins []workflow.Intake
	for i := 0; i < 25; i++ {
		ins = append(ins, workflow.Intake{Category: "other", Description: fmt.Sprint("导入 ", i),
			Location: pt(120.01+float64(i)*0.03, 36.5), At: t0.Add(-time.Duration(i) * time.Hour)})
	}
	if _, err := e.svc.SubmitBatch(e.ctx, e.p(wt.Leader1), ins); !errors.Is(err, workflow.ErrForbidden) {
		t.Fatalf("grid leader import: %v", err)
	}
	bad := slices.Clone(ins)
	bad[7].Category = "nope"
	_, err := e.svc.SubmitBatch(e.ctx, e.p(wt.CC), bad)
	var ve *data.ValidationError
	if !errors.As(err, &ve) || ve.Index != 7 || ve.Field != "category" {
		t.Fatalf("bad item: %v", err)
	}
	if _, n, _ := e.store.ListReports(e.ctx, data.ReportQuery{}); n != 0 {
		t.Fatalf("%d reports written by a failed batch", n)
	}

	// All or nothing: a write that fails part-way (the context cancelled
	// after 5,000 of 12,000 rows) leaves nothing behind; run again, it
	// writes everything, reporting progress every data.ProgressStep rows.
	many := make([]workflow.Intake, 12_000)
	for i := range many {
		many[i] = workflow.Intake{Category: "other", Description: fmt.Sprint("批量 ", i), Location: pt(120.01+float64(i%50)*0.01, 36.5), At: t0.Add(-time.Duration(i) * time.Minute)}
	}
	cctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	var calls [][2]int
	_, err = e.svc.SubmitBatch(cctx, e.p(wt.CC), many, workflow.WithProgress(func(d, n int) {
		calls = append(calls, [2]int{d, n})
		if d == 5000 {
			cancel()
		}
	}))
	if !errors.Is(err, context.Canceled) || !slices.Equal(calls, [][2]int{{5000, 12000}}) {
		t.Fatalf("cancelled import: %v, progress %v", err, calls)
	}
	if _, n, _ := e.store.ListReports(e.ctx, data.ReportQuery{}); n != 0 {
		t.Fatalf("%d reports written by a cancelled import", n)
	}
	calls = nil
	if _, err := e.svc.SubmitBatch(e.ctx, e.p(wt.CC), many, workflow.WithProgress(func(d, n int) { calls = append(calls, [2]int{d, n}) })); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(calls, [][2]int{{5000, 12000}, {10000, 12000}, {12000, 12000}}) {
		t.Fatalf("progress %v", calls)
	}
	if _, n, _ := e.store.ListReports(e.ctx, data.ReportQuery{}); n != len(many) {
		t.Fatalf("%d of %d reports written", n, len(many))
	}

	rs, err := e.svc.SubmitBatch(e.ctx, e.p(wt.CC), ins)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rs {
		if r.ID == 0 || r.Source != data.SourceImport || !r.CreatedAt.Equal(ins[i].At) || !r.DueAt.Equal(ins[i].At.Add(168*time.Hour)) {
			t.Fatalf("report %d: %+v", i, r)
		}
		got, err := e.store.GetReport(e.ctx, r.ID)
		if err != nil || got.Routing.GridCode != wt.Route(ins[i].Location[0], ins[i].Location[1]).GridCode || got.Description != ins[i].Description {
			t.Fatalf("stored %d: %+v %v", i, got, err)
		}
	}
}

func TestVisible(t *testing.T) {
	e := newEnv(t, openSQLite)
	r := e.submit("other", 120.2, 36.5) // G2, reported by Staff1 (grid staff of G1)
	cases := []struct {
		name  string
		actor *data.Person
		want  bool
	}{
		{"public", nil, false},
		{"reporter", e.p(wt.Staff1), true},
		{"grid leader of G2", e.p(wt.Leader2), true},
		{"grid leader of G1", e.p(wt.Leader1), false},
		{"community of G2", e.p(wt.CommHead1), true},
		{"other street", e.p(wt.Street2), false},
		{"planner", e.p(wt.Planner), true},
		{"handler, not dispatched", e.p(wt.Handler1), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := e.svc.Visible(c.actor, &r); got != c.want {
				t.Fatalf("Visible = %v, want %v", got, c.want)
			}
		})
	}
}

func TestRunEscalator(t *testing.T) {
	e := newEnv(t, openSQLite)
	r := e.submit("safety_hazard", 120.05, 36.1)
	e.clock.Advance(25 * time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.svc.RunEscalator(ctx, time.Millisecond) }()
	for {
		got, err := e.store.GetReport(e.ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Escalation == data.LevelCommunity {
			break
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("RunEscalator returned %v", err)
	}
}

// testReassign: a dispatched case goes to another handler (status kept,
// a "reassigned" event); the previous handler no longer sees it; a
// handle by the previous handler racing the reassignment never lands after
// it (the store's guard includes the assignee).
func testReassign(t *testing.T, e *env) {
	r := e.caseIn(data.StatusDispatched, wt.Handler1)
	r = e.do(wt.CommStaff1, r.ID, workflow.ActionReassign, workflow.Params{HandlerID: wt.Handler2, Reason: "请假"})
	if r.Status != data.StatusDispatched || r.AssigneeID != wt.Handler2 {
		t.Fatalf("after reassign: %s, assignee %d", r.Status, r.AssigneeID)
	}
	evs, err := e.store.Events(e.ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := evs[len(evs)-1]
	if last.Kind != "reassigned" || last.From != data.StatusDispatched || last.To != data.StatusDispatched || last.Reason != "请假" ||
		fmt.Sprint(last.Data["from_handler_id"]) != fmt.Sprint(wt.Handler1) || fmt.Sprint(last.Data["handler_id"]) != fmt.Sprint(wt.Handler2) {
		t.Fatalf("last event %+v", last)
	}
	// The case left the previous handler's scope with the reassignment.
	if _, err := e.svc.Transition(e.ctx, e.p(wt.Handler1), r.ID, workflow.ActionHandle, workflow.Params{Feedback: "done"}); !errors.Is(err, data.ErrNotFound) {
		t.Fatalf("previous handler's handle: want ErrNotFound, got %v", err)
	}
	r = e.do(wt.Handler2, r.ID, workflow.ActionHandle, workflow.Params{Feedback: "done"})
	if r.Status != data.StatusHandled {
		t.Fatalf("status %s", r.Status)
	}

	for round := 0; round < 10; round++ {
		r := e.caseIn(data.StatusDispatched, wt.Handler1)
		var wg sync.WaitGroup
		var reassignErr, handleErr error
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, reassignErr = e.svc.Transition(e.ctx, e.p(wt.CC), r.ID, workflow.ActionReassign, workflow.Params{HandlerID: wt.Handler2})
		}()
		go func() {
			defer wg.Done()
			_, handleErr = e.svc.Transition(e.ctx, e.p(wt.Handler1), r.ID, workflow.ActionHandle, workflow.Params{Feedback: "done"})
		}()
		wg.Wait()
		stored, err := e.store.GetReport(e.ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		// The loser either read the case after the winner (not legal any
		// more, or out of scope) or before it (the store's guard).
		lost := func(err error) bool { return errors.Is(err, data.ErrConflict) || errors.Is(err, data.ErrNotFound) }
		switch {
		case reassignErr == nil && lost(handleErr):
			if stored.Status != data.StatusDispatched || stored.AssigneeID != wt.Handler2 {
				t.Fatalf("round %d: reassign won but stored %s, assignee %d", round, stored.Status, stored.AssigneeID)
			}
		case handleErr == nil && lost(reassignErr):
			if stored.Status != data.StatusHandled || stored.AssigneeID != wt.Handler1 {
				t.Fatalf("round %d: handle won but stored %s, assignee %d", round, stored.Status, stored.AssigneeID)
			}
		default:
			t.Fatalf("round %d: reassign %v, handle %v (stored %s, assignee %d)", round, reassignErr, handleErr, stored.Status, stored.AssigneeID)
		}
	}
}
