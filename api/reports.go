package api

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/workflow"
)

func (s *Server) reportRoutes(v1 *mux.Router) {
	v1.Handle("/reports", s.adapt(s.createReport)).Methods(http.MethodPost)
	v1.Handle("/reports/batch", s.adapt(s.createReportBatch)).Methods(http.MethodPost)
	v1.Handle("/reports", s.adapt(s.listReports)).Methods(http.MethodGet)
	v1.Handle("/reports/{id:[0-9]+}", s.adapt(s.getReport)).Methods(http.MethodGet)
	v1.Handle("/reports/{id:[0-9]+}/merge", s.adapt(s.mergeReport)).Methods(http.MethodPost)
	v1.Handle("/reports/{id:[0-9]+}/{action:[a-z]+}", s.adapt(s.transition)).Methods(http.MethodPost)
	v1.Handle("/stream", s.adapt(s.stream)).Methods(http.MethodGet)
	v1.Handle("/stats/heatmap", s.adapt(s.heatmap)).Methods(http.MethodGet)
	v1.Handle("/stats/areas", s.adapt(s.areaStats)).Methods(http.MethodGet)
	v1.Handle("/stats/summary", s.adapt(s.summary)).Methods(http.MethodGet)
	v1.Handle("/me", s.adapt(s.me)).Methods(http.MethodGet)
}

var errUnauthorized = &Error{Status: http.StatusUnauthorized, Code: "unauthorized", Message: "a valid bearer token is required (Authorization: Bearer <token>)"}

// actor authenticates the request: Authorization: Bearer <token>, or the
// access_token query parameter (EventSource cannot set headers). No
// credentials → nil, nil; bad credentials → 401.
func (s *Server) actor(r *http.Request) (*data.Person, error) {
	tok := ""
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, rest, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return nil, errUnauthorized
		}
		tok = strings.TrimSpace(rest)
	} else if t := r.URL.Query().Get("access_token"); t != "" {
		tok = t
	}
	if tok == "" {
		return nil, nil
	}
	p, err := s.wf.Authenticate(r.Context(), tok)
	if err != nil {
		if errors.Is(err, workflow.ErrUnauthenticated) || errors.Is(err, data.ErrNotFound) || errors.Is(err, data.ErrInvalid) {
			return nil, errUnauthorized
		}
		return nil, err
	}
	return p, nil
}

// mustActor is actor that requires credentials.
func (s *Server) mustActor(r *http.Request) (*data.Person, error) {
	p, err := s.actor(r)
	if err == nil && p == nil {
		err = errUnauthorized
	}
	return p, err
}

// reportIn is the JSON body of POST /api/v1/reports.
type reportIn struct {
	Category      string   `json:"category"`
	Description   string   `json:"description"`
	Lon           *float64 `json:"lon"`
	Lat           *float64 `json:"lat"`
	Address       string   `json:"address"`
	MediaURLs     []string `json:"media_urls"`
	Source        string   `json:"source"`
	ReporterName  string   `json:"reporter_name"`
	ReporterPhone string   `json:"reporter_phone"`
	CreatedAt     string   `json:"created_at"` // batch only: time of a historical report (RFC 3339)
}

func (in *reportIn) intake(batch bool) (workflow.Intake, error) {
	it := workflow.Intake{Category: in.Category, Description: in.Description, Address: in.Address, MediaURLs: in.MediaURLs,
		Source: data.Source(in.Source), ReporterName: in.ReporterName, ReporterPhone: in.ReporterPhone}
	if (in.Lon == nil) != (in.Lat == nil) {
		return it, badRequest("lon and lat must be given together")
	}
	if in.Lon != nil {
		if err := checkLonLat(*in.Lon, *in.Lat); err != nil {
			return it, err
		}
		it.Location = &orb.Point{*in.Lon, *in.Lat}
	}
	if in.CreatedAt != "" {
		if !batch {
			return it, badRequest("created_at is accepted only by the batch endpoint")
		}
		t, err := time.Parse(time.RFC3339, in.CreatedAt)
		if err != nil {
			return it, badRequest("created_at: not an RFC 3339 time")
		}
		it.At = t
	}
	return it, nil
}

// createReport serves POST /api/v1/reports: validate, route, commit, then
// answer 201 with the case and where it went (200 for a replayed
// Idempotency-Key with the same body; 422 with a different one).
func (s *Server) createReport(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.mustActor(r)
	if err != nil {
		return err
	}
	var in reportIn
	if err := readJSON(w, r, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	it, err := in.intake(false)
	if err != nil {
		return err
	}
	key := r.Header.Get("Idempotency-Key")
	if len(key) > 200 {
		return badRequest("Idempotency-Key longer than 200 characters")
	}
	it.IdempotencyKey = key
	rep, created, err := s.wf.Submit(r.Context(), actor, it)
	if err != nil {
		return mapWorkflowErr(err)
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		s.counters.reportsCreated.Add(1)
		s.publish("report", &rep)
	}
	w.Header().Set("Location", "/api/v1/reports/"+strconv.FormatInt(rep.ID, 10))
	writeJSON(w, status, map[string]any{"report": reportJSON(&rep), "created": created})
	return nil
}

// createReportBatch serves POST /api/v1/reports/batch: a JSON array of
// reports, all written or none (the first bad one named by its index).
func (s *Server) createReportBatch(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.mustActor(r)
	if err != nil {
		return err
	}
	var ins []reportIn
	if err := readJSON(w, r, s.cfg.MaxBatchBytes, &ins); err != nil {
		return err
	}
	if len(ins) == 0 {
		return badRequest("empty batch: send a JSON array of at least one report")
	}
	if len(ins) > s.cfg.MaxBatchPoints {
		return badRequest("batch of " + itoa(len(ins)) + " reports exceeds the limit of " + itoa(s.cfg.MaxBatchPoints))
	}
	its := make([]workflow.Intake, len(ins))
	for i := range ins {
		if its[i], err = ins[i].intake(true); err != nil {
			ae := err.(*Error)
			ae.Message = "report " + itoa(i) + ": " + ae.Message
			ae.Index = &i
			return ae
		}
	}
	// One chunk: the whole batch is one transaction, so a failure (or the
	// client going away) mid-way writes nothing, and a 2xx means all of it.
	reps, err := s.wf.SubmitBatch(r.Context(), actor, its)
	if err != nil {
		return mapWorkflowErr(err)
	}
	s.counters.reportsCreated.Add(int64(len(reps)))
	ids := make([]int64, len(reps))
	for i := range reps {
		ids[i] = reps[i].ID
	}
	writeJSON(w, http.StatusCreated, map[string]any{"created": len(reps), "ids": ids})
	return nil
}

// mapWorkflowErr turns workflow sentinels into API errors.
func mapWorkflowErr(err error) error {
	var te *workflow.TransitionError
	switch {
	case errors.Is(err, workflow.ErrIdempotencyMismatch):
		return &Error{Status: http.StatusUnprocessableEntity, Code: "idempotency_mismatch", Message: "this Idempotency-Key was used with a different request body"}
	case errors.As(err, &te):
		allowed := te.Allowed
		if allowed == nil {
			allowed = []string{}
		}
		return &Error{Status: http.StatusConflict, Code: "illegal_transition", Message: te.Error(), Extra: map[string]any{"status": te.From, "allowed": allowed}}
	case errors.Is(err, workflow.ErrForbidden):
		return &Error{Status: http.StatusForbidden, Code: "forbidden", Message: err.Error()}
	}
	return err
}

// listReports serves GET /api/v1/reports as a GeoJSON FeatureCollection of
// the cases in the caller's scope.
func (s *Server) listReports(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.mustActor(r)
	if err != nil {
		return err
	}
	q, err := reportQuery(r)
	if err != nil {
		return err
	}
	reps, total, err := s.wf.List(r.Context(), actor, q)
	if err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	for i := range reps {
		f := geojson.NewFeature(reps[i].Location)
		f.ID = reps[i].ID
		f.Properties = reportJSON(&reps[i])
		fc.Append(f)
	}
	fc.ExtraMembers = geojson.Properties{"numberMatched": total, "numberReturned": len(reps)}
	return writeGeoJSON(w, r, fc)
}

func reportQuery(r *http.Request) (data.ReportQuery, error) {
	v := r.URL.Query()
	var q data.ReportQuery
	var err error
	if q.BBox, err = parseBBox(v.Get("bbox")); err != nil {
		return q, err
	}
	if q.From, err = parseTime(r, "from", time.Time{}); err != nil {
		return q, err
	}
	if q.To, err = parseTime(r, "to", time.Time{}); err != nil {
		return q, err
	}
	if c := v.Get("category"); c != "" {
		q.Category = strings.Split(c, ",")
	}
	if st := v.Get("status"); st != "" {
		for _, x := range strings.Split(st, ",") {
			switch data.Status(x) {
			case data.StatusReported, data.StatusAccepted, data.StatusRejected, data.StatusDispatched, data.StatusHandled, data.StatusVerified, data.StatusClosed:
				q.Status = append(q.Status, data.Status(x))
			case "open":
				q.Open = true
			default:
				return q, badRequest("status: unknown status " + strconv.Quote(x))
			}
		}
	}
	if a := v.Get("area"); a != "" {
		q.Areas = strings.Split(a, ",")
	}
	switch v.Get("overdue") {
	case "", "false":
	case "true":
		q.Open = true
		q.DueBefore = time.Now()
	default:
		return q, badRequest("overdue: must be true or false")
	}
	if q.Limit, err = parseInt(r, "limit", 1000, 1, 10000); err != nil {
		return q, err
	}
	if q.Offset, err = parseInt(r, "offset", 0, 0, math.MaxInt32); err != nil {
		return q, err
	}
	return q, nil
}

// getReport serves GET /api/v1/reports/{id}: the case and its timeline.
func (s *Server) getReport(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.mustActor(r)
	if err != nil {
		return err
	}
	id, _ := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	rep, err := s.wf.Get(r.Context(), actor, id)
	if err != nil {
		return err
	}
	evs, err := s.wf.Events(r.Context(), actor, id)
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(evs))
	for i, e := range evs {
		out[i] = map[string]any{"id": e.ID, "kind": e.Kind, "from": e.From, "to": e.To, "actor_id": e.ActorID, "at": e.At, "reason": e.Reason, "data": e.Data}
	}
	writeJSON(w, http.StatusOK, map[string]any{"report": reportJSON(&rep), "events": out, "allowed": nonNil(workflow.AllowedActions(rep.Status))})
	return nil
}

// transitionIn is the body of POST /api/v1/reports/{id}/{action}.
type transitionIn struct {
	Reason      string   `json:"reason"`
	DuplicateOf int64    `json:"duplicate_of"`
	HandlerID   int64    `json:"handler_id"`
	Feedback    string   `json:"feedback"`
	Photos      []string `json:"photos"`
	OK          *bool    `json:"ok"`
}

// transition serves POST /api/v1/reports/{id}/{action} with action one of
// accept, reject, dispatch, handle, verify, close.
func (s *Server) transition(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.mustActor(r)
	if err != nil {
		return err
	}
	v := mux.Vars(r)
	id, _ := strconv.ParseInt(v["id"], 10, 64)
	action := v["action"]
	known := false
	for _, a := range workflow.Actions {
		known = known || a == action
	}
	if !known {
		return errStatus(http.StatusNotFound, "not_found", "unknown action "+strconv.Quote(action)+"; actions: "+strings.Join(workflow.Actions, ", "))
	}
	var in transitionIn
	if r.ContentLength != 0 {
		if err := readJSON(w, r, s.cfg.MaxBodyBytes, &in); err != nil {
			return err
		}
	}
	rep, err := s.wf.Transition(r.Context(), actor, id, action, workflow.Params{Reason: in.Reason, DuplicateOf: in.DuplicateOf,
		HandlerID: in.HandlerID, Feedback: in.Feedback, Photos: in.Photos, OK: in.OK})
	if err != nil {
		return mapWorkflowErr(err)
	}
	s.counters.transitions.Add(1)
	s.publish("report", &rep)
	writeJSON(w, http.StatusOK, map[string]any{"report": reportJSON(&rep), "allowed": nonNil(workflow.AllowedActions(rep.Status))})
	return nil
}

// mergeReport serves POST /api/v1/reports/{id}/merge {"into": N}.
func (s *Server) mergeReport(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.mustActor(r)
	if err != nil {
		return err
	}
	id, _ := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	var in struct {
		Into int64 `json:"into"`
	}
	if err := readJSON(w, r, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	if in.Into <= 0 {
		return badRequest("into: the id of the case this one duplicates is required")
	}
	rep, err := s.wf.Merge(r.Context(), actor, id, in.Into)
	if err != nil {
		return mapWorkflowErr(err)
	}
	s.publish("report", &rep)
	writeJSON(w, http.StatusOK, map[string]any{"report": reportJSON(&rep)})
	return nil
}

// me serves GET /api/v1/me: who the token belongs to.
func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	p, err := s.mustActor(r)
	if err != nil {
		return err
	}
	as := make([]map[string]string, len(p.Assignments))
	for i, a := range p.Assignments {
		as[i] = map[string]string{"role": string(a.Role), "area_code": a.AreaCode}
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": p.ID, "name": p.Name, "assignments": as})
	return nil
}

// reportJSON is the API shape of a case.
func reportJSON(r *data.Report) map[string]any {
	m := map[string]any{
		"id": r.ID, "category": r.Category, "description": r.Description,
		"lon": r.Location[0], "lat": r.Location[1], "address": r.Address, "media_urls": nonNil(r.MediaURLs),
		"source": r.Source, "status": r.Status, "created_at": r.CreatedAt, "updated_at": r.UpdatedAt, "due_at": r.DueAt,
		"overdue":   data.OpenStatus(r.Status) && !r.DueAt.IsZero() && time.Now().After(r.DueAt),
		"grid_code": r.Routing.GridCode, "community_code": r.Routing.CommunityCode, "street_code": r.Routing.StreetCode,
		"district_code": r.Routing.DistrictCode, "leader_id": r.Routing.LeaderID, "match": r.Routing.Match,
		"distance_m": r.Routing.DistanceM, "revision": r.Routing.Revision,
	}
	if r.ClosedAt != nil {
		m["closed_at"] = *r.ClosedAt
	}
	if r.AssigneeID != 0 {
		m["assignee_id"] = r.AssigneeID
	}
	if r.DuplicateOf != 0 {
		m["duplicate_of"] = r.DuplicateOf
	}
	if r.Escalation != "" {
		m["escalation"] = r.Escalation
	}
	if r.ReporterID != 0 {
		m["reporter_id"] = r.ReporterID
	}
	if r.ReporterName != "" {
		m["reporter_name"] = r.ReporterName
	}
	if r.ReporterPhone != "" {
		m["reporter_phone"] = r.ReporterPhone
	}
	return m
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// publish sends a case change to the live feed, and announces it to the
// other servers on the same store (RelayCases).
func (s *Server) publish(event string, r *data.Report) {
	s.feedLocal(event, r)
	s.announce(event, r.ID)
}

// feedLocal sends a case change to this server's feed subscribers.
func (s *Server) feedLocal(event string, r *data.Report) {
	b, err := json.Marshal(reportJSON(r))
	if err != nil {
		return
	}
	s.feed.publish(feedMsg{Event: event, JSON: b, Report: *r})
}
