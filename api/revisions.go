package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/importer"
	"github.com/wangge-dev/wangge/workflow"
)

// revisionIn is the body of POST /api/v1/revisions: a planner's edit of
// the grids drawn on base_revision. put is a GeoJSON FeatureCollection
// of grids written whole (properties code, name, parent_code); remove
// lists the codes of grids removed.
type revisionIn struct {
	BaseRevision *int64          `json:"base_revision"`
	Note         string          `json:"note"`
	DryRun       bool            `json:"dry_run"`
	Put          json.RawMessage `json:"put"`
	Remove       []string        `json:"remove"`
}

// reviseGrids serves POST /api/v1/revisions: the edit is checked and its
// effect computed (households per redrawn grid and their band, buildings
// moved, buildings left in no grid, open cases rerouted); with dry_run
// that is the answer (200), otherwise the edit is published as one
// revision (201) and every router hears of it.
func (s *Server) reviseGrids(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.mustActor(r)
	if err != nil {
		return err
	}
	if !workflow.PlansGrids(actor) {
		return errStatus(http.StatusForbidden, "forbidden", "only the command center and planners publish boundary revisions")
	}
	var in revisionIn
	if err := readJSON(w, r, s.cfg.MaxBatchBytes, &in); err != nil {
		return err
	}
	if in.BaseRevision == nil {
		return badRequest("base_revision is required: the revision the edit was drawn on (GET /api/v1/revisions)")
	}
	if len(in.Note) > 500 {
		return badRequest("note is longer than 500 bytes")
	}
	e := workflow.GridEdit{Base: *in.BaseRevision, Note: in.Note, Remove: in.Remove}
	if len(bytes.TrimSpace(in.Put)) > 0 && !bytes.Equal(bytes.TrimSpace(in.Put), []byte("null")) {
		feats, err := importer.ReadGeoJSON(bytes.NewReader(in.Put))
		if err != nil {
			return prefixed("put", err)
		}
		m := importer.DefaultMapping()
		m.HouseholdsProp, m.LevelProp = "", ""
		if e.Put, err = importer.ToAreas(feats, m); err != nil {
			return prefixed("put", err)
		}
	}
	pv, err := s.wf.ReviseGrids(r.Context(), actor, e, in.DryRun)
	var se *data.StaleError
	var ae *data.AssignedError
	switch {
	case errors.As(err, &se):
		return &Error{Status: http.StatusConflict, Code: "stale_revision", Message: se.Error(), Extra: map[string]any{"current_revision": se.Current}}
	case errors.As(err, &ae):
		holders := make([]map[string]any, len(ae.Holders))
		for i, h := range ae.Holders {
			holders[i] = map[string]any{"area_code": h.AreaCode, "person_id": h.PersonID, "name": h.Name, "role": h.Role}
		}
		return &Error{Status: http.StatusConflict, Code: "grid_staffed", Message: ae.Error(), Extra: map[string]any{"holders": holders}}
	case err != nil:
		return mapWorkflowErr(err)
	}
	status := http.StatusCreated
	if in.DryRun {
		status = http.StatusOK
	} else {
		s.publishRerouted(r.Context(), pv.Rerouted)
	}
	writeJSON(w, status, previewJSON(&pv))
	return nil
}

// publishRerouted sends the cases a published edit rerouted to the live
// feed, as changed cases: their new grid's leader hears of them. The
// revision is committed whatever happens here; a case that cannot be read
// back is left out (logged).
func (s *Server) publishRerouted(ctx context.Context, rr []data.Reroute) {
	const chunk = 1000
	for i := 0; i < len(rr); i += chunk {
		ids := make([]int64, 0, chunk)
		for _, x := range rr[i:min(i+chunk, len(rr))] {
			ids = append(ids, x.ReportID)
		}
		reps, _, err := s.store.ListReports(ctx, data.ReportQuery{IDs: ids, Limit: len(ids)})
		if err != nil {
			s.log.Warn("rerouted cases not sent to the live feed", "cases", len(rr)-i, "err", err)
			return
		}
		for j := range reps {
			s.publish("report", &reps[j])
		}
	}
}

// prefixed names the put collection in a feature's validation error.
func prefixed(field string, err error) error {
	var ve *data.ValidationError
	if errors.As(err, &ve) {
		c := *ve
		if c.Field == "" {
			c.Field = field
		} else {
			c.Field = field + "." + c.Field
		}
		return &c
	}
	return err
}

// maxListedReroutes caps the cases listed in an edit's answer
// (rerouted_count counts them all).
const maxListedReroutes = 1000

func previewJSON(pv *workflow.EditPreview) map[string]any {
	grids := make([]map[string]any, len(pv.Grids))
	for i, g := range pv.Grids {
		grids[i] = map[string]any{"code": g.Code, "name": g.Name, "households": g.Households, "buildings": g.Buildings, "band": g.Band}
	}
	rerouted := make([]map[string]any, min(len(pv.Rerouted), maxListedReroutes))
	for i, rr := range pv.Rerouted[:len(rerouted)] {
		rerouted[i] = map[string]any{"report_id": rr.ReportID, "from_grid": rr.From.GridCode, "to_grid": rr.To.GridCode,
			"from_community": rr.From.CommunityCode, "to_community": rr.To.CommunityCode, "match": rr.To.Match}
	}
	out := map[string]any{
		"dry_run": pv.Revision == nil, "revision": nil, "grids": grids, "removed": pv.Removed,
		"buildings_moved": pv.BuildingsMoved, "unassigned_buildings": pv.UnassignedBuildings,
		"unassigned_households": pv.UnassignedHouseholds, "rerouted": rerouted, "rerouted_count": len(pv.Rerouted),
	}
	if rv := pv.Revision; rv != nil {
		out["revision"] = map[string]any{"id": rv.ID, "created_at": rv.CreatedAt, "author": rv.Author, "note": rv.Note, "grids": rv.Grids}
	}
	return out
}
