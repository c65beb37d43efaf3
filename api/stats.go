package api

import (
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/routing"
	"github.com/wangge-dev/wangge/workflow"
)

// defaultHeatCell is the heatmap bin size in degrees (about 100 m).
const defaultHeatCell = 0.001

// scopeAreas returns the area codes a caller's queries are limited to
// (nil = everything), or an error when the caller may see nothing.
func (s *Server) scopeAreas(actor *data.Person) ([]string, error) {
	c := s.wf.Scope(actor)
	if c.All {
		return nil, nil
	}
	if len(c.Areas) == 0 {
		return nil, errStatus(http.StatusForbidden, "forbidden", "this token's roles cover no area")
	}
	return c.Areas, nil
}

// heatmap serves GET /api/v1/stats/heatmap?bbox=&from=&to=&category=&cell=:
// report counts binned on a grid of cell degrees (default 0.001°), as
// {"cells": [[lon, lat, count], …], "cell_deg": 0.001}; computed in
// PostGIS on the PostGIS store.
func (s *Server) heatmap(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.mustActor(r)
	if err != nil {
		return err
	}
	var q data.HeatmapQuery
	if q.BBox, err = parseBBox(r.URL.Query().Get("bbox")); err != nil {
		return err
	}
	now := time.Now()
	if q.From, err = parseTime(r, "from", now.AddDate(0, 0, -30)); err != nil {
		return err
	}
	if q.To, err = parseTime(r, "to", now.Add(time.Minute)); err != nil {
		return err
	}
	if !q.From.Before(q.To) {
		return badRequest("from must be before to")
	}
	if c := r.URL.Query().Get("category"); c != "" {
		q.Category = strings.Split(c, ",")
	}
	q.Cell = defaultHeatCell
	if v := r.URL.Query().Get("cell"); v != "" {
		f, err := parseFloat(v)
		if err != nil || f < 0.0001 || f > 1 {
			return badRequest("cell: must be a number of degrees in [0.0001, 1]")
		}
		q.Cell = f
	}
	if q.Areas, err = s.scopeAreas(actor); err != nil {
		return err
	}
	cells, err := s.store.Heatmap(r.Context(), q)
	if err != nil {
		return err
	}
	out := make([][3]float64, len(cells))
	total := 0
	for i, c := range cells {
		out[i] = [3]float64{c.Point[0], c.Point[1], float64(c.Count)}
		total += c.Count
	}
	writeJSON(w, http.StatusOK, map[string]any{"cells": out, "cell_deg": q.Cell, "total": total,
		"from": q.From, "to": q.To})
	return nil
}

// areaStats serves GET /api/v1/stats/areas?level=&from=&to=: per area of a
// level, reports, open, overdue, closed, closed on time, on-time rate,
// median hours to close, households and bbox.
func (s *Server) areaStats(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.mustActor(r)
	if err != nil {
		return err
	}
	level := data.Level(r.URL.Query().Get("level"))
	if level == "" {
		level = data.LevelStreet
	}
	if !level.Valid() {
		return badRequest("level: must be one of district, street, community, grid")
	}
	now := time.Now()
	from, err := parseTime(r, "from", now.AddDate(0, 0, -30))
	if err != nil {
		return err
	}
	to, err := parseTime(r, "to", now.Add(time.Minute))
	if err != nil {
		return err
	}
	if !from.Before(to) {
		return badRequest("from must be before to")
	}
	scope, err := s.scopeAreas(actor)
	if err != nil {
		return err
	}
	stats, err := s.store.AreaStats(r.Context(), level, from, to, now)
	if err != nil {
		return err
	}
	areas, _, err := s.store.ListAreas(r.Context(), data.AreaQuery{Level: level})
	if err != nil {
		return err
	}
	byCode := make(map[string]*data.Area, len(areas))
	for i := range areas {
		byCode[areas[i].Code] = &areas[i]
	}
	var inScope func(code string) bool
	if scope != nil {
		inScope = s.inScopeFunc(scope)
	}
	out := make([]map[string]any, 0, len(stats))
	for _, st := range stats {
		if inScope != nil && !inScope(st.Code) {
			continue
		}
		m := map[string]any{"code": st.Code, "name": st.Name, "level": st.Level, "reports": st.Reports, "open": st.Open,
			"overdue": st.Overdue, "closed": st.Closed, "closed_on_time": st.ClosedOnTime,
			"on_time_rate": ratio(st.ClosedOnTime, st.Closed), "median_close_hours": st.MedianCloseSec / 3600}
		if a := byCode[st.Code]; a != nil {
			b := a.Geom.Bound()
			m["households"] = a.Households
			m["bbox"] = [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i]["code"].(string) < out[j]["code"].(string) })
	writeJSON(w, http.StatusOK, map[string]any{"areas": out, "from": from, "to": to})
	return nil
}

// summary serves GET /api/v1/stats/summary: the dashboard's KPI cards —
// cases new today (since local midnight), open, overdue, and the on-time
// closure rate of cases closed in [from, to) (default the last 30 days).
func (s *Server) summary(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.mustActor(r)
	if err != nil {
		return err
	}
	now := time.Now()
	from, err := parseTime(r, "from", now.AddDate(0, 0, -30))
	if err != nil {
		return err
	}
	to, err := parseTime(r, "to", now.Add(time.Minute))
	if err != nil {
		return err
	}
	scope, err := s.scopeAreas(actor)
	if err != nil {
		return err
	}
	ctx := r.Context()
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	count := func(q data.ReportQuery) (int, error) {
		q.Areas, q.Limit = scope, 1
		_, n, err := s.store.ListReports(ctx, q)
		return n, err
	}
	newToday, err := count(data.ReportQuery{From: midnight})
	if err != nil {
		return err
	}
	open, err := count(data.ReportQuery{Open: true})
	if err != nil {
		return err
	}
	overdue, err := count(data.ReportQuery{Open: true, DueBefore: now})
	if err != nil {
		return err
	}
	level := data.LevelDistrict
	if scope != nil {
		level = data.LevelGrid
	}
	stats, err := s.store.AreaStats(ctx, level, from, to, now)
	if err != nil {
		return err
	}
	closed, onTime := 0, 0
	inScope := s.inScopeFunc(scope)
	for _, st := range stats {
		if scope == nil || inScope(st.Code) {
			closed += st.Closed
			onTime += st.ClosedOnTime
		}
	}
	// Grids per household band, over the whole partition in scope (the
	// dashboard's legend; in vector-tile mode the page holds only the
	// tiles on screen).
	bands := map[string]int{"under": 0, "normal": 0, "over": 0}
	for code, hh := range s.router.Snapshot().GridHouseholds() {
		if scope == nil || inScope(code) {
			bands[workflow.Band(hh)]++
		}
	}
	// Grids without a leader, in scope: the command center fills them. A
	// city may have thousands; the summary lists the first maxVacantListed
	// by code and counts them all.
	vacant, nVacant := []map[string]any{}, 0
	for p := range s.router.Snapshot().VacantGrids() {
		if scope == nil || inScope(p.Grid.Code) {
			if nVacant++; len(vacant) < maxVacantListed {
				vacant = append(vacant, vacantJSON(p))
			}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"new_today": newToday, "open": open, "overdue": overdue,
		"closed": closed, "closed_on_time": onTime, "closed_on_time_rate": ratio(onTime, closed), "from": from, "to": to,
		"grid_bands": bands, "vacant_count": nVacant, "vacant_grids": vacant})
	return nil
}

// maxVacantListed is how many vacant grids the summary lists at most.
const maxVacantListed = 200

// vacantJSON is a grid without a leader as the summary lists it: the grid,
// its community and street, and who answers its cases meanwhile
// (fallback: the deputy leader or the community head, or null).
func vacantJSON(p *routing.Place) map[string]any {
	v := map[string]any{
		"code": p.Grid.Code, "name": p.Grid.Name,
		"community": map[string]any{"code": p.Community.Code, "name": p.Community.Name},
		"street":    map[string]any{"code": p.Street.Code, "name": p.Street.Name},
		"fallback":  nil,
	}
	if p.Leader.ID != 0 {
		v["fallback"] = map[string]any{"id": p.Leader.ID, "name": p.Leader.Name, "phone": p.Leader.Phone, "role": string(p.LeaderRole)}
	}
	return v
}

// inScopeFunc reports whether an area code lies within the scope: it is
// one of the scope's codes or has one of them as an ancestor (codes of the
// national practice are prefixes of their children's).
func (s *Server) inScopeFunc(scope []string) func(string) bool {
	return func(code string) bool {
		for _, c := range scope {
			if strings.HasPrefix(code, c) {
				return true
			}
		}
		return false
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
