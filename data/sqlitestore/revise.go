package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/wangge-dev/wangge/data"
)

// ReviseGrids publishes a planner's edit of the grids as one revision (see
// data.Store): the single writer's transaction checks the base revision,
// the codes, the parents and the posts of removed grids, writes the grids,
// re-links the buildings and reroutes the open cases the edit moves, each with a "rerouted" event. Listeners hear the revision after
// the commit.
func (s *Store) ReviseGrids(ctx context.Context, e data.GridEdit) (data.Revision, data.EditEffect, error) {
	if err := data.CheckGridEdit(&e); err != nil {
		return data.Revision{}, data.EditEffect{}, err
	}
	var (
		rev data.Revision
		eff data.EditEffect
	)
	err := s.write(ctx, func(tx *sql.Tx) error {
		var cur int64
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM revisions`).Scan(&cur); err != nil {
			return err
		}
		if cur != e.Base {
			return &data.StaleError{Base: e.Base, Current: cur}
		}
		stored, err := editedLevels(ctx, tx, &e)
		if err != nil {
			return err
		}
		if err := data.CheckEditLevels(&e, stored); err != nil {
			return err
		}
		if err := checkRemovedPosts(ctx, tx, e.Remove); err != nil {
			return err
		}
		bs, err := readBuildingPoints(ctx, tx)
		if err != nil {
			return err
		}
		at := time.Now()
		id, err := newRevision(ctx, tx, at, e.Note)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE revisions SET author = ? WHERE id = ?`, e.Author, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM areas WHERE level = 'grid' AND code`+inList, jsonList(e.Remove)); err != nil {
			return err
		}
		var added []data.Area
		for i, a := range e.Put {
			if stored[a.Code] == "" {
				added = append(added, a)
				continue
			}
			if err := updateGrid(ctx, tx, i, a, id); err != nil {
				return err
			}
		}
		if err := insertAreas(ctx, tx, added, id); err != nil {
			return err
		}
		if eff.Moved, err = relink(ctx, tx, bs, e.GridOf, false); err != nil {
			return err
		}
		if rev, err = finishRevision(ctx, tx, id); err != nil {
			return err
		}
		eff.Rerouted, err = reroute(ctx, tx, &e, rev)
		return err
	})
	if err != nil {
		return data.Revision{}, data.EditEffect{}, translate("revise grids", err)
	}
	s.broadcast(rev.ID)
	return rev, eff, nil
}

// editedLevels returns the stored level of every code the edit names (put,
// removed, and the put grids' parents); a code not stored is absent.
func editedLevels(ctx context.Context, tx *sql.Tx, e *data.GridEdit) (map[string]data.Level, error) {
	codes := slices.Clone(e.Remove)
	for _, a := range e.Put {
		codes = append(codes, a.Code, a.ParentCode)
	}
	rows, err := tx.QueryContext(ctx, `SELECT code, level FROM areas WHERE code`+inList, jsonList(codes))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]data.Level{}
	for rows.Next() {
		var c, l string
		if err := rows.Scan(&c, &l); err != nil {
			return nil, err
		}
		out[c] = data.Level(l)
	}
	return out, rows.Err()
}

// checkRemovedPosts refuses to remove grids someone holds a post in.
func checkRemovedPosts(ctx context.Context, tx *sql.Tx, removed []string) error {
	if len(removed) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT a.area_code, p.id, p.name, a.role FROM assignments a JOIN people p ON p.id = a.person_id
		WHERE a.area_code`+inList+` ORDER BY a.area_code, p.id, a.role`, jsonList(removed))
	if err != nil {
		return err
	}
	defer rows.Close()
	var hs []data.Holder
	for rows.Next() {
		var h data.Holder
		var role string
		if err := rows.Scan(&h.AreaCode, &h.PersonID, &h.Name, &role); err != nil {
			return err
		}
		h.Role = data.Role(role)
		hs = append(hs, h)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(hs) > 0 {
		return &data.AssignedError{Holders: hs}
	}
	return nil
}

// updateGrid rewrites a stored grid in place (name, parent, shape) at
// revision rev; its buildings keep their links until the re-link.
func updateGrid(ctx context.Context, tx *sql.Tx, i int, a data.Area, rev int64) error {
	g, err := wkb.Marshal(a.Geom)
	if err != nil {
		return &data.ValidationError{Index: i, Field: "geometry", Reason: err.Error()}
	}
	b := a.Geom.Bound()
	_, err = tx.ExecContext(ctx, `UPDATE areas SET name = ?, parent_code = ?, geom = ?, minx = ?, miny = ?, maxx = ?, maxy = ?, revision = ? WHERE code = ?`,
		a.Name, a.ParentCode, g, b.Min[0], b.Min[1], b.Max[0], b.Max[1], rev, a.Code)
	return err
}

// reroute gives every open case the edit moves (GridEdit.Touches) the
// routing e.RouteOf answers for its point at revision rev, with a
// "rerouted" event each; it returns the cases moved, by id.
func reroute(ctx context.Context, tx *sql.Tx, mv data.Mover, rev data.Revision) ([]data.Reroute, error) {
	type open struct {
		id     int64
		pt     orb.Point
		status data.Status
		r      data.Routing
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, lon, lat, status, grid_code, community_code, street_code, district_code, leader_id, match, distance_m, routing_revision
		FROM reports WHERE status NOT IN ('closed', 'rejected') ORDER BY id`)
	if err != nil {
		return nil, err
	}
	var cases []open
	for rows.Next() {
		var o open
		var st string
		if err := rows.Scan(&o.id, &o.pt[0], &o.pt[1], &st, &o.r.GridCode, &o.r.CommunityCode, &o.r.StreetCode, &o.r.DistrictCode,
			&o.r.LeaderID, &o.r.Match, &o.r.DistanceM, &o.r.Revision); err != nil {
			rows.Close()
			return nil, err
		}
		o.status = data.Status(st)
		cases = append(cases, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []data.Reroute
	for _, o := range cases {
		nr := mv.Route(o.pt)
		nr.Revision = rev.ID
		if !mv.Touches(o.r, nr) {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE reports SET grid_code = ?, community_code = ?, street_code = ?, district_code = ?, leader_id = ?,
			match = ?, distance_m = ?, routing_revision = ?, updated_at = ? WHERE id = ?`,
			nr.GridCode, nr.CommunityCode, nr.StreetCode, nr.DistrictCode, nr.LeaderID, nr.Match, nr.DistanceM, nr.Revision, tm(rev.CreatedAt), o.id); err != nil {
			return nil, fmt.Errorf("reroute case %d: %w", o.id, err)
		}
		rr := data.Reroute{ReportID: o.id, From: o.r, To: nr}
		ev := data.RerouteEvent(rr, o.status, mv.Actor(), rev)
		if err := insertEvent(ctx, tx, &ev, o.id); err != nil {
			return nil, err
		}
		out = append(out, rr)
	}
	return out, nil
}
