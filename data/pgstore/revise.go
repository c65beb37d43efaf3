package pgstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/data"
)

// sqlUpsertGrids writes the grids of a GridEdit (sqlInsertAreas'
// parameters): a new code is inserted, a stored grid rewritten in place
// (name, parent, shape, revision), so that its buildings keep their
// links until the re-link. Households are recomputed afterwards.
const sqlUpsertGrids = sqlInsertAreas + `
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, parent_code = EXCLUDED.parent_code, geom = EXCLUDED.geom,
    minx = EXCLUDED.minx, miny = EXCLUDED.miny, maxx = EXCLUDED.maxx, maxy = EXCLUDED.maxy, revision = EXCLUDED.revision`

const sqlInsertAuthoredRevision = `INSERT INTO revisions (created_at, author, note) VALUES ($1, $2, $3) RETURNING id`

// sqlOpenCases reads the point, status and routing of every case still
// being worked (data.Status.Open), by id.
const sqlOpenCases = `SELECT id, lon, lat, status, grid_code, community_code, street_code, district_code, leader_id,
match, distance_m, routing_revision
FROM reports WHERE status NOT IN ('closed', 'rejected') ORDER BY id`

// sqlRerouteCase writes a case's new routing unless it was closed or
// rejected meanwhile (then no row), and returns its status.
const sqlRerouteCase = `UPDATE reports SET grid_code = $2, community_code = $3, street_code = $4, district_code = $5,
leader_id = $6, match = $7, distance_m = $8, routing_revision = $9, updated_at = $10
WHERE id = $1 AND status NOT IN ('closed', 'rejected')
RETURNING status`

// ReviseGrids publishes a planner's edit of the grids as one revision (see
// data.Store), in one transaction that holds the locks of every revision
// writer: areas (as PutAreasRelink, RelinkBuildings and Load take it) and
// assignments (SHARE: no post is given in a removed grid, and no
// SetAssignments revision slips in, until commit). Under them it checks
// the base revision, the codes' stored levels and the posts of removed
// grids, writes the grids, re-links every building with e.GridOf, removes
// the removed grids and reroutes the open cases the edit moves
// (data.GridEdit.Touches), each with a "rerouted" event at the revision's
// time. Listeners are notified at commit.
func (s *Store) ReviseGrids(ctx context.Context, e data.GridEdit) (data.Revision, data.EditEffect, error) {
	if err := data.CheckGridEdit(&e); err != nil {
		return data.Revision{}, data.EditEffect{}, err
	}
	var (
		rev data.Revision
		eff data.EditEffect
	)
	err := s.writePublishing(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE areas IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `LOCK TABLE assignments IN SHARE MODE`); err != nil {
			return err
		}
		var cur int64
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM revisions`).Scan(&cur); err != nil {
			return err
		}
		if cur != e.Base {
			return &data.StaleError{Base: e.Base, Current: cur}
		}
		stored, err := editLevels(ctx, tx, &e)
		if err != nil {
			return err
		}
		if err := data.CheckEditLevels(&e, stored); err != nil {
			return err
		}
		if err := checkHolders(ctx, tx, e.Remove); err != nil {
			return err
		}
		bs, err := lockBuildings(ctx, tx)
		if err != nil {
			return err
		}
		id, err := newAuthoredRevision(ctx, tx, time.Now(), e.Author, e.Note)
		if err != nil {
			return err
		}
		if err := upsertGrids(ctx, tx, e.Put, id); err != nil {
			return err
		}
		if eff.Moved, err = relink(ctx, tx, bs, e.GridOf, false); err != nil {
			return err
		}
		if err := removeGrids(ctx, tx, bs, e.Remove); err != nil {
			return err
		}
		if rev, err = finishRevision(ctx, tx, id); err != nil {
			return err
		}
		if eff.Rerouted, err = reroute(ctx, tx, &e, rev); err != nil {
			return err
		}
		return s.notify(ctx, tx, id)
	})
	if err != nil {
		return data.Revision{}, data.EditEffect{}, translate("revise grids", err)
	}
	return rev, eff, nil
}

// newAuthoredRevision is newRevision with an author.
func newAuthoredRevision(ctx context.Context, tx pgx.Tx, at time.Time, author, note string) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, sqlInsertAuthoredRevision, at, author, note).Scan(&id)
	return id, err
}

// upsertGrids writes the put grids at revision rev (see sqlUpsertGrids).
func upsertGrids(ctx context.Context, tx pgx.Tx, put []data.Area, rev int64) error {
	if len(put) == 0 {
		return nil
	}
	a, err := toAreaArrays(put)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, sqlUpsertGrids, a.code, a.level, a.name, a.parent, a.geom, a.minx, a.miny, a.maxx, a.maxy, a.hh, rev)
	return err
}

// editLevels returns the stored level of every code e names (put codes,
// their parents, removed codes); a code not stored is absent.
func editLevels(ctx context.Context, tx pgx.Tx, e *data.GridEdit) (map[string]data.Level, error) {
	codes := slices.Clone(e.Remove)
	for _, a := range e.Put {
		codes = append(codes, a.Code, a.ParentCode)
	}
	rows, err := tx.Query(ctx, `SELECT code, level FROM areas WHERE code = ANY($1)`, codes)
	if err != nil {
		return nil, err
	}
	out := map[string]data.Level{}
	var code, level string
	_, err = pgx.ForEachRow(rows, []any{&code, &level}, func() error {
		out[code] = data.Level(level)
		return nil
	})
	return out, err
}

// checkHolders returns a *data.AssignedError naming every post held in
// the removed grids, by grid code, then person id.
func checkHolders(ctx context.Context, tx pgx.Tx, removed []string) error {
	if len(removed) == 0 {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT a.area_code, p.id, p.name, a.role FROM assignments a JOIN people p ON p.id = a.person_id
		WHERE a.area_code = ANY($1) ORDER BY a.area_code, p.id, a.role`, removed)
	if err != nil {
		return err
	}
	hs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (data.Holder, error) {
		var h data.Holder
		var role string
		err := r.Scan(&h.AreaCode, &h.PersonID, &h.Name, &role)
		h.Role = data.Role(role)
		return h, err
	})
	if err != nil {
		return err
	}
	if len(hs) > 0 {
		return &data.AssignedError{Holders: hs}
	}
	return nil
}

// removeGrids deletes the removed grids once the buildings are re-linked
// (bs as read by lockBuildings, by id). A building still in one of them
// means e.GridOf answered a removed grid: a *data.ValidationError with the
// building's position, as relink gives for an unknown grid (deleting would
// silently unlink it: buildings.grid_code is ON DELETE SET NULL).
func removeGrids(ctx context.Context, tx pgx.Tx, bs []data.Building, removed []string) error {
	if len(removed) == 0 {
		return nil
	}
	var (
		bid  int64
		code string
	)
	err := tx.QueryRow(ctx, `SELECT id, grid_code FROM buildings WHERE grid_code = ANY($1) ORDER BY id LIMIT 1`, removed).Scan(&bid, &code)
	switch {
	case err == nil:
		i, _ := slices.BinarySearchFunc(bs, bid, func(b data.Building, id int64) int { return cmp.Compare(b.ID, id) })
		return &data.ValidationError{Index: i, Field: "grid_code", Reason: fmt.Sprintf("grid %s is removed by the edit", code)}
	case !errors.Is(err, pgx.ErrNoRows):
		return err
	}
	_, err = tx.Exec(ctx, `DELETE FROM areas WHERE level = 'grid' AND code = ANY($1)`, removed)
	return err
}

// reroute gives every open case the write moves (mv.Touches: a GridEdit,
// a Relink) the routing mv.Route answers for its point at revision rev, with a
// "rerouted" event (data.RerouteEvent) each, and returns the cases moved,
// by id. A case closed or rejected meanwhile is left alone.
func reroute(ctx context.Context, tx pgx.Tx, mv data.Mover, rev data.Revision) ([]data.Reroute, error) {
	type open struct {
		id int64
		pt orb.Point
		r  data.Routing
	}
	rows, err := tx.Query(ctx, sqlOpenCases)
	if err != nil {
		return nil, err
	}
	cases, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (open, error) {
		var o open
		var st string
		err := r.Scan(&o.id, &o.pt[0], &o.pt[1], &st, &o.r.GridCode, &o.r.CommunityCode, &o.r.StreetCode, &o.r.DistrictCode,
			&o.r.LeaderID, &o.r.Match, &o.r.DistanceM, &o.r.Revision)
		return o, err
	})
	if err != nil {
		return nil, err
	}
	var out []data.Reroute
	for _, o := range cases {
		nr := mv.Route(o.pt)
		nr.Revision = rev.ID
		if !mv.Touches(o.r, nr) {
			continue
		}
		var st string
		err := tx.QueryRow(ctx, sqlRerouteCase, o.id, nr.GridCode, nr.CommunityCode, nr.StreetCode, nr.DistrictCode,
			nr.LeaderID, nr.Match, nr.DistanceM, nr.Revision, rev.CreatedAt).Scan(&st)
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reroute case %d: %w", o.id, err)
		}
		rr := data.Reroute{ReportID: o.id, From: o.r, To: nr}
		ev := data.RerouteEvent(rr, data.Status(st), mv.Actor(), rev)
		if err := insertEvent(ctx, tx, &ev, o.id); err != nil {
			return nil, fmt.Errorf("reroute case %d: %w", o.id, err)
		}
		out = append(out, rr)
	}
	return out, nil
}
