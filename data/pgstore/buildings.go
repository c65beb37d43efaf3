package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/data"
)

// checkBuildingGrids returns a *data.ValidationError for the first building
// whose GridCode is not a stored area.
func checkBuildingGrids(ctx context.Context, tx pgx.Tx, bs []data.Building) error {
	var codes []string
	seen := map[string]bool{}
	for _, b := range bs {
		if b.GridCode != "" && !seen[b.GridCode] {
			seen[b.GridCode] = true
			codes = append(codes, b.GridCode)
		}
	}
	if len(codes) == 0 {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT code FROM areas WHERE code = ANY($1)`, codes)
	if err != nil {
		return err
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	stored := make(map[string]bool, len(got))
	for _, c := range got {
		stored[c] = true
	}
	for i, b := range bs {
		if b.GridCode != "" && !stored[b.GridCode] {
			return &data.ValidationError{Index: i, Field: "grid_code", Reason: fmt.Sprintf("grid %s does not exist", b.GridCode)}
		}
	}
	return nil
}

// reserveIDs takes n ids of table's serial id sequence, ascending.
func reserveIDs(ctx context.Context, tx pgx.Tx, table string, n int) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2) ORDER BY 1`, table, n)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// copyBuildings writes bs with the given ids.
func copyBuildings(ctx context.Context, tx pgx.Tx, bs []data.Building, id func(i int) int64) error {
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"buildings"}, []string{"id", "address", "lon", "lat", "households", "grid_code"},
		pgx.CopyFromSlice(len(bs), func(i int) ([]any, error) {
			b := &bs[i]
			return []any{id(i), b.Address, b.Point[0], b.Point[1], int32(b.Households), nullIfEmpty(b.GridCode)}, nil
		}))
	return err
}

func recomputeHouseholds(ctx context.Context, tx pgx.Tx) error {
	for _, q := range sqlRecomputeHouseholds {
		if _, err := tx.Exec(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// PutBuildings adds buildings (their GridCode must be a stored area or
// empty), sets their IDs and recomputes the household counts of every area,
// in one transaction, which publishes a revision (data.BuildingsNote) so
// that every server reloads the changed counts.
func (s *Store) PutBuildings(ctx context.Context, bs []data.Building) error {
	err := s.writePublishing(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE areas IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		if err := checkBuildingGrids(ctx, tx, bs); err != nil {
			return err
		}
		ids, err := reserveIDs(ctx, tx, "buildings", len(bs))
		if err != nil {
			return err
		}
		if err := copyBuildings(ctx, tx, bs, func(i int) int64 { return ids[i] }); err != nil {
			return err
		}
		if err := recomputeHouseholds(ctx, tx); err != nil {
			return err
		}
		for i := range bs {
			bs[i].ID = ids[i]
		}
		return s.publish(ctx, tx, data.BuildingsNote(len(bs), 0))
	})
	return translate("put buildings", err)
}

// ListBuildings returns the buildings of a grid ("" = all) ordered by id.
func (s *Store) ListBuildings(ctx context.Context, gridCode string) ([]data.Building, error) {
	var w where
	if gridCode != "" {
		w.add("grid_code = " + w.p(gridCode))
	}
	return s.listBuildings(ctx, &w)
}

// ListBuildingsIn returns the buildings whose point lies in b, by id.
func (s *Store) ListBuildingsIn(ctx context.Context, b orb.Bound) ([]data.Building, error) {
	var w where
	w.add("lon >= " + w.p(b.Min[0]) + " AND lon <= " + w.p(b.Max[0]) + " AND lat >= " + w.p(b.Min[1]) + " AND lat <= " + w.p(b.Max[1]))
	return s.listBuildings(ctx, &w)
}

func (s *Store) listBuildings(ctx context.Context, w *where) ([]data.Building, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, address, lon, lat, households, coalesce(grid_code, '') FROM buildings`+w.sql()+` ORDER BY id`, w.args...)
	if err != nil {
		return nil, translate("list buildings", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (data.Building, error) {
		var b data.Building
		err := r.Scan(&b.ID, &b.Address, &b.Point[0], &b.Point[1], &b.Households, &b.GridCode)
		return b, err
	})
	if err != nil {
		return nil, translate("list buildings", err)
	}
	return out, nil
}

// RelinkBuildings sets every building's grid to gridOf(its point) and
// recomputes the household counts, in one transaction (see data.Store),
// which publishes a revision when a building changed grid.
func (s *Store) RelinkBuildings(ctx context.Context, gridOf func(pt orb.Point) string) (int, error) {
	changed := 0
	err := s.writePublishing(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE areas IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		all, err := lockBuildings(ctx, tx)
		if err != nil {
			return err
		}
		if changed, err = relink(ctx, tx, all, gridOf, false); err != nil {
			return err
		}
		return s.publish(ctx, tx, data.BuildingsNote(0, changed))
	})
	if err != nil {
		return 0, translate("relink buildings", err)
	}
	return changed, nil
}

// lockBuildings locks the buildings table against writers and returns every
// building's id, point and grid code (tx-level step of RelinkBuildings and
// PutAreasRelink).
func lockBuildings(ctx context.Context, tx pgx.Tx) ([]data.Building, error) {
	if _, err := tx.Exec(ctx, `LOCK TABLE buildings IN SHARE ROW EXCLUSIVE MODE`); err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `SELECT id, lon, lat, coalesce(grid_code, '') FROM buildings ORDER BY id`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (data.Building, error) {
		var b data.Building
		err := r.Scan(&b.ID, &b.Point[0], &b.Point[1], &b.GridCode)
		return b, err
	})
}

// relink sets each building of all (as read by lockBuildings) to
// gridOf(its point) and recomputes the household counts (see
// data.PlanRelink). It returns how many changed grid.
func relink(ctx context.Context, tx pgx.Tx, all []data.Building, gridOf func(pt orb.Point) string, cleared bool) (int, error) {
	write, moved := data.PlanRelink(all, gridOf, cleared)
	ids, codes := make([]int64, len(write)), make([]string, len(write))
	for k, i := range write {
		ids[k], codes[k] = all[i].ID, all[i].GridCode
	}
	if err := checkBuildingGrids(ctx, tx, all); err != nil {
		return 0, err
	}
	if len(ids) > 0 {
		if _, err := tx.Exec(ctx, `UPDATE buildings b SET grid_code = NULLIF(v.code, '')
			FROM unnest($1::bigint[], $2::text[]) AS v(id, code) WHERE b.id = v.id`, ids, codes); err != nil {
			return 0, err
		}
	}
	return moved, recomputeHouseholds(ctx, tx)
}
