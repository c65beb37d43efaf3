package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	wt "github.com/wangge-dev/wangge/workflow/workflowtest"
)

// TestClosedLoop runs one case through the whole loop over HTTP, with a
// failed verification in the middle, and checks after every step that GET
// /api/v1/reports/{id} shows the new status and the event with its actor.
func TestClosedLoop(t *testing.T) {
	eachStore(t, testConfig, func(t *testing.T, e *env) {
		r := e.do("POST", "/api/v1/reports", "grid_staff", map[string]any{"category": "facility_damage", "description": "路灯坏了", "lon": ptG1[0], "lat": ptG1[1]}, nil)
		if r.status != 201 {
			t.Fatalf("submit: %d %s", r.status, r.body)
		}
		id := int64(path(r.json(t), "report", "id").(float64))
		base := "/api/v1/reports/" + strconv.FormatInt(id, 10)
		type step struct {
			name   string
			role   string
			action string
			body   any
			status string // the case's status after the step
			kind   string // the event appended
		}
		steps := []step{
			{"accept", "community_head", "accept", nil, "accepted", "accepted"},
			{"dispatch", "community_head", "dispatch", map[string]any{"handler_id": wt.Handler1, "reason": "路灯所"}, "dispatched", "dispatched"},
			{"reassign", "community_head", "reassign", map[string]any{"handler_id": wt.Handler2, "reason": "请假"}, "dispatched", "reassigned"},
			{"reassign back", "command_center", "reassign", map[string]any{"handler_id": wt.Handler1}, "dispatched", "reassigned"},
			{"handle", "handler", "handle", map[string]any{"feedback": "换了灯泡", "photos": []string{"https://img.example/after.jpg"}}, "handled", "handled"},
			{"verify fails", "grid_leader", "verify", map[string]any{"ok": false, "reason": "还是不亮"}, "dispatched", "reopened"},
			{"handle again", "handler", "handle", map[string]any{"feedback": "换了线路"}, "handled", "handled"},
			{"verify", "grid_staff", "verify", map[string]any{"ok": true}, "verified", "verified"},
			{"close", "grid_leader", "close", nil, "closed", "closed"},
		}
		kinds := []string{"created"}
		actors := []float64{float64(wt.Staff1)}
		for _, s := range steps {
			r := e.do("POST", base+"/"+s.action, s.role, s.body, nil)
			if r.status != 200 {
				t.Fatalf("%s: %d %s", s.name, r.status, r.body)
			}
			wantStr(t, path(r.json(t), "report", "status"), s.status, s.name+": status")
			kinds = append(kinds, s.kind)
			actors = append(actors, float64(roles[s.role]))

			g := e.do("GET", base, "command_center", nil, nil)
			if g.status != 200 {
				t.Fatalf("%s: get %d", s.name, g.status)
			}
			m := g.json(t)
			wantStr(t, path(m, "report", "status"), s.status, s.name+": GET status")
			evs := m["events"].([]any)
			if len(evs) != len(kinds) {
				t.Fatalf("%s: %d events, want %d: %v", s.name, len(evs), len(kinds), evs)
			}
			for i, ev := range evs {
				wantStr(t, path(ev, "kind"), kinds[i], fmt.Sprintf("%s: events[%d].kind", s.name, i))
				wantNum(t, path(ev, "actor_id"), actors[i], fmt.Sprintf("%s: events[%d].actor_id", s.name, i))
			}
			last := evs[len(evs)-1]
			wantStr(t, path(last, "to"), s.status, s.name+": last event to")
		}
		g := e.do("GET", base, "grid_leader", nil, nil).json(t)
		if path(g, "report", "closed_at") == nil {
			t.Errorf("closed case without closed_at: %v", g["report"])
		}
		wantNum(t, path(g, "report", "assignee_id"), float64(wt.Handler1), "assignee_id")
		if fmt.Sprint(g["allowed"]) != "[]" {
			t.Errorf("allowed on a closed case: %v", g["allowed"])
		}
		if ok := path(g, "events", 6, "data", "ok"); ok != false {
			t.Errorf("reopened event data.ok = %v", ok)
		}
		wantStr(t, path(g, "events", 6, "reason"), "还是不亮", "reopen reason")
		wantNum(t, path(g, "events", 3, "data", "from_handler_id"), float64(wt.Handler1), "reassigned from")
		wantNum(t, path(g, "events", 3, "data", "handler_id"), float64(wt.Handler2), "reassigned to")
		wantStr(t, path(g, "events", 3, "reason"), "请假", "reassign reason")

		// Illegal transitions: 409 naming the status and what is allowed,
		// and nothing written.
		r0, e0 := e.counts()
		for _, c := range []struct {
			name, action, role, status, allowed string
			body                                any
		}{
			{"accept a closed case", "accept", "command_center", "closed", "[]", nil},
			{"verify a closed case", "verify", "grid_leader", "closed", "[]", map[string]any{"ok": true}},
		} {
			r := e.do("POST", base+"/"+c.action, c.role, c.body, nil)
			if r.status != 409 || errCode(t, r) != "illegal_transition" {
				t.Fatalf("%s: %d %s", c.name, r.status, r.body)
			}
			wantStr(t, path(r.json(t), "error", "status"), c.status, c.name+": error.status")
			if got := fmt.Sprint(path(r.json(t), "error", "allowed")); got != c.allowed {
				t.Errorf("%s: allowed %s, want %s", c.name, got, c.allowed)
			}
		}
		fresh := e.submit(ptG2, "facility_damage", "fresh")
		r = e.do("POST", "/api/v1/reports/"+strconv.FormatInt(fresh, 10)+"/handle", "command_center", map[string]any{"feedback": "x"}, nil)
		if r.status != 409 || fmt.Sprint(path(r.json(t), "error", "allowed")) != "[accept reject]" {
			t.Fatalf("handle a reported case: %d %s", r.status, r.body)
		}
		if r1, e1 := e.counts(); r1 != r0+1 || e1 != e0+1 {
			t.Errorf("illegal transitions wrote: reports %d→%d, events %d→%d (one new case expected)", r0, r1, e0, e1)
		}

		// Supervision is kept apart from handling: the person who handled a
		// case may not verify it, even holding a grid role on its grid.
		own := e.submit(ptG1, "neighbour_dispute", "own work")
		ob := "/api/v1/reports/" + strconv.FormatInt(own, 10)
		for _, s := range []struct {
			role, action string
			body         any
		}{
			{"community_head", "accept", nil},
			{"community_head", "dispatch", map[string]any{"handler_id": wt.Dual}},
			{"dual", "handle", map[string]any{"feedback": "自己修的"}},
		} {
			if r := e.do("POST", ob+"/"+s.action, s.role, s.body, nil); r.status != 200 {
				t.Fatalf("%s by %s: %d %s", s.action, s.role, r.status, r.body)
			}
		}
		r0, e0 = e.counts()
		r = e.do("POST", ob+"/verify", "dual", map[string]any{"ok": true}, nil)
		if r.status != 403 || errCode(t, r) != "forbidden" {
			t.Fatalf("handler verifying own work: %d %s", r.status, r.body)
		}
		if r1, e1 := e.counts(); r1 != r0 || e1 != e0 {
			t.Errorf("refused verification wrote: events %d→%d", e0, e1)
		}
		if r := e.do("POST", ob+"/verify", "grid_staff", map[string]any{"ok": true}, nil); r.status != 200 {
			t.Fatalf("verify by another grid member: %d %s", r.status, r.body)
		}
	})
}

// sseEvent is one Server-Sent Event.
type sseEvent struct {
	event, id string
	data      map[string]any
}

// subscribe connects to /api/v1/stream with ?access_token= and returns a
// channel of events. It returns once the server has registered the
// subscriber (the ": connected" comment has arrived).
func (e *env) subscribe(role string) <-chan sseEvent {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	e.t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/api/v1/stream?access_token="+e.tok[role], nil)
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	if res.StatusCode != 200 {
		e.t.Fatalf("stream as %s: %d", role, res.StatusCode)
	}
	br := bufio.NewReader(res.Body)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			e.t.Fatalf("stream as %s: %v", role, err)
		}
		if strings.HasPrefix(line, ": connected") {
			break
		}
	}
	ch := make(chan sseEvent, 64)
	go func() {
		defer res.Body.Close()
		defer close(ch)
		var ev sseEvent
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\n")
			switch {
			case line == "":
				if ev.event != "" {
					ch <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "event: "):
				ev.event = line[len("event: "):]
			case strings.HasPrefix(line, "id: "):
				ev.id = line[len("id: "):]
			case strings.HasPrefix(line, "data: "):
				_ = json.Unmarshal([]byte(line[len("data: "):]), &ev.data)
			}
		}
	}()
	return ch
}

// next waits (bounded) for the next event.
func next(t *testing.T, ch <-chan sseEvent, who string) sseEvent {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatalf("%s: stream closed", who)
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: no event within 10 s", who)
	}
	return sseEvent{}
}

// TestStream connects a grid-A and a grid-B leader to the live feed and
// submits cases in A and B in a known order: the feed is one ordered fan
// out, so if an out-of-scope case were sent it would arrive before the
// in-scope one that follows it.
func TestStream(t *testing.T) {
	eachStore(t, testConfig, func(t *testing.T, e *env) {
		subA := e.subscribe("grid_leader")
		subB := e.subscribe("grid_leader_b")
		subCC := e.subscribe("command_center")
		post := func(p [2]float64, desc string) string {
			r := e.do("POST", "/api/v1/reports", "street_staff", map[string]any{"category": "facility_damage", "description": desc, "lon": p[0], "lat": p[1]}, nil)
			if r.status != 201 {
				t.Fatalf("submit: %d %s", r.status, r.body)
			}
			return strconv.FormatInt(int64(path(r.json(t), "report", "id").(float64)), 10)
		}
		inB := post(ptG2, "in B")
		inA := post(ptG1, "in A")
		inB2 := post([2]float64{ptG2[0] + 0.01, ptG2[1]}, "in B again")
		accepted := e.do("POST", "/api/v1/reports/"+inA+"/accept", "community_head", nil, nil)
		if accepted.status != 200 {
			t.Fatalf("accept: %d", accepted.status)
		}

		for _, c := range []struct {
			who  string
			ch   <-chan sseEvent
			want []string // id/status in order
		}{
			{"grid A leader", subA, []string{inA + "/reported", inA + "/accepted"}},
			{"grid B leader", subB, []string{inB + "/reported", inB2 + "/reported"}},
			{"command center", subCC, []string{inB + "/reported", inA + "/reported", inB2 + "/reported", inA + "/accepted"}},
		} {
			for i, w := range c.want {
				ev := next(t, c.ch, c.who)
				got := ev.id + "/" + fmt.Sprint(ev.data["status"])
				if ev.event != "report" || got != w {
					t.Fatalf("%s: event %d is %q %s, want report %s", c.who, i, ev.event, got, w)
				}
				if fmt.Sprint(ev.data["id"]) != ev.id {
					t.Errorf("%s: data.id %v, id line %s", c.who, ev.data["id"], ev.id)
				}
			}
		}
		// Grid B's leader must not have been sent the A case at all: after
		// its two events, the next one it gets is the next B case.
		inB3 := post([2]float64{ptG2[0] + 0.02, ptG2[1]}, "in B third")
		if ev := next(t, subB, "grid B leader"); ev.id != inB3 {
			t.Fatalf("grid B leader got case %s, want %s", ev.id, inB3)
		}
	})
}
