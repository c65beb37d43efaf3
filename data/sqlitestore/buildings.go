package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/data"
)

// checkBuildingGrids returns a *data.ValidationError for the first building
// whose GridCode is neither stored nor in also.
func checkBuildingGrids(ctx context.Context, tx *sql.Tx, bs []data.Building, also map[string]bool) error {
	var codes []string
	seen := map[string]bool{}
	for _, b := range bs {
		if b.GridCode != "" && !seen[b.GridCode] && !also[b.GridCode] {
			seen[b.GridCode] = true
			codes = append(codes, b.GridCode)
		}
	}
	if len(codes) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT code FROM areas WHERE code`+inList, jsonList(codes))
	if err != nil {
		return err
	}
	stored := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return err
		}
		stored[c] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i, b := range bs {
		if b.GridCode != "" && !stored[b.GridCode] && !also[b.GridCode] {
			return &data.ValidationError{Index: i, Field: "grid_code", Reason: fmt.Sprintf("grid %s does not exist", b.GridCode)}
		}
	}
	return nil
}

// maxID returns the largest id of table (a fixed name), 0 when empty.
func maxID(ctx context.Context, tx *sql.Tx, table string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM `+table).Scan(&id)
	return id, err
}

func insertBuildings(ctx context.Context, tx *sql.Tx, bs []data.Building, base int64) error {
	b, err := newBatch(ctx, tx, `INSERT INTO buildings (id, address, lon, lat, households, grid_code) VALUES `, 6)
	if err != nil {
		return err
	}
	for i, x := range bs {
		if err := b.add(base+int64(i)+1, x.Address, x.Point[0], x.Point[1], x.Households, nullIfEmpty(x.GridCode)); err != nil {
			b.flush()
			return err
		}
	}
	return b.flush()
}

var recomputeHouseholds = []string{
	`UPDATE areas SET households = coalesce((SELECT sum(b.households) FROM buildings b WHERE b.grid_code = areas.code), 0)
     WHERE level = 'grid'`,
	`UPDATE areas SET households = coalesce((SELECT sum(c.households) FROM areas c WHERE c.parent_code = areas.code), 0)
     WHERE level = 'community'`,
	`UPDATE areas SET households = coalesce((SELECT sum(c.households) FROM areas c WHERE c.parent_code = areas.code), 0)
     WHERE level = 'street'`,
	`UPDATE areas SET households = coalesce((SELECT sum(c.households) FROM areas c WHERE c.parent_code = areas.code), 0)
     WHERE level = 'district'`,
}

func recompute(ctx context.Context, tx *sql.Tx) error {
	for _, q := range recomputeHouseholds {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// PutBuildings adds buildings (GridCode stored or empty), sets their IDs
// and recomputes the households of every area in one transaction, which
// publishes a revision (data.BuildingsNote) announced to listeners.
func (s *Store) PutBuildings(ctx context.Context, bs []data.Building) error {
	var base, rev int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := checkBuildingGrids(ctx, tx, bs, nil); err != nil {
			return err
		}
		var err error
		if base, err = maxID(ctx, tx, "buildings"); err != nil {
			return err
		}
		if err := insertBuildings(ctx, tx, bs, base); err != nil {
			return err
		}
		if err := recompute(ctx, tx); err != nil {
			return err
		}
		rev, err = publish(ctx, tx, data.BuildingsNote(len(bs), 0))
		return err
	})
	if err != nil {
		return translate("put buildings", err)
	}
	for i := range bs {
		bs[i].ID = base + int64(i) + 1
	}
	s.broadcast(rev)
	return nil
}

// ListBuildings returns the buildings of a grid ("" = all) ordered by id.
func (s *Store) ListBuildings(ctx context.Context, gridCode string) ([]data.Building, error) {
	var w where
	if gridCode != "" {
		w.add("grid_code = ?", gridCode)
	}
	return s.listBuildings(ctx, w)
}

func (s *Store) listBuildings(ctx context.Context, w where) ([]data.Building, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, address, lon, lat, households, coalesce(grid_code, '') FROM buildings`+w.sql()+` ORDER BY id`, w.args...)
	if err != nil {
		return nil, translate("list buildings", err)
	}
	defer rows.Close()
	var out []data.Building
	for rows.Next() {
		var b data.Building
		if err := rows.Scan(&b.ID, &b.Address, &b.Point[0], &b.Point[1], &b.Households, &b.GridCode); err != nil {
			return nil, translate("list buildings", err)
		}
		out = append(out, b)
	}
	return out, translate("list buildings", rows.Err())
}

// ListBuildingsIn returns the buildings whose point lies in b, by id.
func (s *Store) ListBuildingsIn(ctx context.Context, b orb.Bound) ([]data.Building, error) {
	var w where
	w.add("lon >= ? AND lon <= ? AND lat >= ? AND lat <= ?", b.Min[0], b.Max[0], b.Min[1], b.Max[1])
	return s.listBuildings(ctx, w)
}

// RelinkBuildings sets every building's grid to gridOf(its point) and
// recomputes the household counts, in one transaction (see data.Store),
// which publishes a revision when a building changed grid.
func (s *Store) RelinkBuildings(ctx context.Context, gridOf func(pt orb.Point) string) (int, error) {
	changed := 0
	var rev int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		all, err := readBuildingPoints(ctx, tx)
		if err != nil {
			return err
		}
		if changed, err = relink(ctx, tx, all, gridOf, false); err != nil {
			return err
		}
		rev, err = publish(ctx, tx, data.BuildingsNote(0, changed))
		return err
	})
	if err != nil {
		return 0, translate("relink buildings", err)
	}
	s.broadcast(rev)
	return changed, nil
}

// readBuildingPoints returns every building's id, point and grid code
// (tx-level step of RelinkBuildings and PutAreasRelink; the write
// transaction already excludes other writers).
func readBuildingPoints(ctx context.Context, tx *sql.Tx) ([]data.Building, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, lon, lat, coalesce(grid_code, '') FROM buildings ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all []data.Building
	for rows.Next() {
		var b data.Building
		if err := rows.Scan(&b.ID, &b.Point[0], &b.Point[1], &b.GridCode); err != nil {
			return nil, err
		}
		all = append(all, b)
	}
	return all, rows.Err()
}

// relink sets each building of all (as read by readBuildingPoints) to
// gridOf(its point) and recomputes the household counts (see
// data.PlanRelink). It returns how many changed grid.
func relink(ctx context.Context, tx *sql.Tx, all []data.Building, gridOf func(pt orb.Point) string, cleared bool) (int, error) {
	write, moved := data.PlanRelink(all, gridOf, cleared)
	if err := checkBuildingGrids(ctx, tx, all, nil); err != nil {
		return 0, err
	}
	if len(write) > 0 {
		st, err := tx.PrepareContext(ctx, `UPDATE buildings SET grid_code = ? WHERE id = ?`)
		if err != nil {
			return 0, err
		}
		defer st.Close()
		for _, i := range write {
			if _, err := st.ExecContext(ctx, nullIfEmpty(all[i].GridCode), all[i].ID); err != nil {
				return 0, err
			}
		}
	}
	return moved, recompute(ctx, tx)
}
