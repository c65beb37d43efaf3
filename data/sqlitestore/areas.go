package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/wangge-dev/wangge/data"
)

// where collects conditions (constant fragments) and their parameters.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// page returns LIMIT/OFFSET and their parameters (Limit 0 = no limit).
func page(limit, offset int) (string, []any) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	if offset < 0 {
		offset = 0
	}
	return " LIMIT ? OFFSET ?", []any{limit, offset}
}

// jsonList encodes a list parameter for "x IN (SELECT value FROM json_each(?))".
func jsonList(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

const inList = " IN (SELECT value FROM json_each(?))"

const areaCols = `code, level, name, coalesce(parent_code, ''), geom, households, revision`

func scanArea(row interface{ Scan(...any) error }) (data.Area, error) {
	var (
		a     data.Area
		level string
		g     []byte
	)
	if err := row.Scan(&a.Code, &level, &a.Name, &a.ParentCode, &g, &a.Households, &a.Revision); err != nil {
		return a, err
	}
	a.Level = data.Level(level)
	geom, err := wkb.Unmarshal(g)
	if err != nil {
		return a, fmt.Errorf("area %s: decode geometry: %w", a.Code, err)
	}
	switch t := geom.(type) {
	case orb.MultiPolygon:
		a.Geom = t
	case orb.Polygon:
		a.Geom = orb.MultiPolygon{t}
	default:
		return a, fmt.Errorf("area %s: geometry is a %s", a.Code, geom.GeoJSONType())
	}
	return a, nil
}

func queryAreas(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args ...any) ([]data.Area, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []data.Area
	for rows.Next() {
		a, err := scanArea(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// checkAreas enforces the batch rules of PutAreas and Load (see pgstore's
// twin): code and level present, no code twice, no code already stored
// (unless replace; reported by dupErr), every parent in the batch or stored.
func checkAreas(ctx context.Context, tx *sql.Tx, areas []data.Area, replace bool, dupErr func(i int, code string) error) error {
	seen := make(map[string]int, len(areas))
	var parents []string
	for i, a := range areas {
		if a.Code == "" {
			return &data.ValidationError{Index: i, Field: "code", Reason: "empty code"}
		}
		if !a.Level.Valid() {
			return &data.ValidationError{Index: i, Field: "level", Reason: fmt.Sprintf("unknown level %q", a.Level)}
		}
		if j, dup := seen[a.Code]; dup {
			return &data.ValidationError{Index: i, Field: "code", Reason: fmt.Sprintf("duplicate code %s (also item %d)", a.Code, j)}
		}
		seen[a.Code] = i
		if a.ParentCode != "" {
			parents = append(parents, a.ParentCode)
		}
	}
	stored := map[string]bool{}
	if !replace && len(areas) > 0 {
		codes := make([]string, 0, len(areas)+len(parents))
		for _, a := range areas {
			codes = append(codes, a.Code)
		}
		codes = append(codes, parents...)
		rows, err := tx.QueryContext(ctx, `SELECT code FROM areas WHERE code`+inList, jsonList(codes))
		if err != nil {
			return err
		}
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
		for i, a := range areas {
			if stored[a.Code] {
				return dupErr(i, a.Code)
			}
		}
	}
	for i, a := range areas {
		if a.ParentCode == "" {
			continue
		}
		if _, ok := seen[a.ParentCode]; !ok && !stored[a.ParentCode] {
			return &data.ValidationError{Index: i, Field: "parent_code", Reason: fmt.Sprintf("parent %s does not exist", a.ParentCode)}
		}
	}
	return nil
}

func insertAreas(ctx context.Context, tx *sql.Tx, areas []data.Area, rev int64) error {
	if len(areas) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO areas (code, level, name, parent_code, geom, minx, miny, maxx, maxy, households, revision)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer st.Close()
	for i, a := range areas {
		g, err := wkb.Marshal(a.Geom)
		if err != nil {
			return &data.ValidationError{Index: i, Field: "geom", Reason: err.Error()}
		}
		b := a.Geom.Bound()
		if _, err := st.ExecContext(ctx, a.Code, string(a.Level), a.Name, nullIfEmpty(a.ParentCode), g,
			b.Min[0], b.Min[1], b.Max[0], b.Max[1], a.Households, rev); err != nil {
			return err
		}
	}
	return nil
}

func newRevision(ctx context.Context, tx *sql.Tx, at time.Time, note string) (int64, error) {
	if at.IsZero() {
		at = time.Now()
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO revisions (created_at, note) VALUES (?, ?)`, tm(at), note)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

func finishRevision(ctx context.Context, tx *sql.Tx, id int64) (data.Revision, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE revisions SET grids = (SELECT count(*) FROM areas WHERE level = 'grid') WHERE id = ?`, id); err != nil {
		return data.Revision{}, err
	}
	return scanRevision(tx.QueryRowContext(ctx, `SELECT id, created_at, author, note, grids FROM revisions WHERE id = ?`, id))
}

func scanRevision(row interface{ Scan(...any) error }) (data.Revision, error) {
	var (
		r  data.Revision
		at int64
	)
	err := row.Scan(&r.ID, &at, &r.Author, &r.Note, &r.Grids)
	r.CreatedAt = fromTm(at)
	return r, err
}

// PutAreas writes areas as one new revision (see data.Store). With replace,
// every stored area is deleted first and buildings lose their grid link;
// households are stored as given. Listeners are notified after commit.
func (s *Store) PutAreas(ctx context.Context, areas []data.Area, replace bool, note string) (data.Revision, error) {
	rev, _, err := s.PutAreasRelink(ctx, areas, replace, note, nil)
	return rev, err
}

// PutAreasRelink is PutAreas and, as rl asks, RelinkBuildings and the
// rerouting of the open cases it moves, in the same transaction (see
// data.Store).
func (s *Store) PutAreasRelink(ctx context.Context, areas []data.Area, replace bool, note string, rl *data.Relink) (data.Revision, data.EditEffect, error) {
	var (
		rev data.Revision
		eff data.EditEffect
	)
	mv := rl.Of(areas, replace)
	gridOf := mv.GridOf
	err := s.write(ctx, func(tx *sql.Tx) error {
		var bs []data.Building
		if gridOf != nil {
			var err error
			if bs, err = readBuildingPoints(ctx, tx); err != nil {
				return err
			}
		}
		if replace {
			if _, err := tx.ExecContext(ctx, `DELETE FROM areas`); err != nil {
				return err
			}
		}
		err := checkAreas(ctx, tx, areas, replace, func(i int, code string) error {
			return &data.ValidationError{Index: i, Field: "code", Reason: fmt.Sprintf("duplicate code %s (already stored)", code)}
		})
		if err != nil {
			return err
		}
		id, err := newRevision(ctx, tx, time.Now(), note)
		if err != nil {
			return err
		}
		if err := insertAreas(ctx, tx, areas, id); err != nil {
			return err
		}
		if gridOf != nil {
			if eff.Moved, err = relink(ctx, tx, bs, gridOf, replace); err != nil {
				return err
			}
		}
		if rev, err = finishRevision(ctx, tx, id); err != nil {
			return err
		}
		if mv.RouteOf != nil {
			eff.Rerouted, err = reroute(ctx, tx, &mv, rev)
		}
		return err
	})
	if err != nil {
		return data.Revision{}, data.EditEffect{}, translate("put areas", err)
	}
	s.broadcast(rev.ID)
	return rev, eff, nil
}

// ListAreas returns the areas matching q ordered by code and the total
// ignoring Limit/Offset. BBox matches an area whose bounding box intersects
// the box (edges included).
func (s *Store) ListAreas(ctx context.Context, q data.AreaQuery) ([]data.Area, int, error) {
	var w where
	if q.Level != "" {
		w.add("level = ?", string(q.Level))
	}
	if q.Parent != "" {
		w.add("parent_code = ?", q.Parent)
	}
	if len(q.Codes) > 0 {
		w.add("code"+inList, jsonList(q.Codes))
	}
	if q.BBox != nil {
		b := *q.BBox
		w.add("maxx >= ? AND minx <= ? AND maxy >= ? AND miny <= ?", b.Min[0], b.Max[0], b.Min[1], b.Max[1])
	}
	var (
		total int
		out   []data.Area
	)
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM areas`+w.sql(), w.args...).Scan(&total); err != nil {
			return err
		}
		p, pargs := page(q.Limit, q.Offset)
		var err error
		out, err = queryAreas(ctx, tx, `SELECT `+areaCols+` FROM areas`+w.sql()+` ORDER BY code`+p, append(w.args, pargs...)...)
		return err
	})
	if err != nil {
		return nil, 0, translate("list areas", err)
	}
	return out, total, nil
}

// GetArea returns one area or data.ErrNotFound.
func (s *Store) GetArea(ctx context.Context, code string) (data.Area, error) {
	a, err := scanArea(s.r.QueryRowContext(ctx, `SELECT `+areaCols+` FROM areas WHERE code = ?`, code))
	if err != nil {
		return data.Area{}, translate("get area "+code, err)
	}
	return a, nil
}

// Partition reads the current revision, every area (by code) and every
// person holding a role (by id) in one read transaction.
func (s *Store) Partition(ctx context.Context) (data.Partition, error) {
	var p data.Partition
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM revisions`).Scan(&p.Revision); err != nil {
			return err
		}
		var err error
		if p.Areas, err = queryAreas(ctx, tx, `SELECT `+areaCols+` FROM areas ORDER BY code`); err != nil {
			return err
		}
		p.People, err = queryPeople(ctx, tx, `SELECT id, name, phone FROM people p
			WHERE EXISTS (SELECT 1 FROM assignments a WHERE a.person_id = p.id) ORDER BY id`)
		return err
	})
	if err != nil {
		return data.Partition{}, translate("partition", err)
	}
	return p, nil
}

// PartitionNear is Partition limited to the areas whose bounding box
// intersects b and the people with a post in one of them (see data.Store).
func (s *Store) PartitionNear(ctx context.Context, b orb.Bound) (data.Partition, error) {
	var p data.Partition
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM revisions`).Scan(&p.Revision); err != nil {
			return err
		}
		var err error
		if p.Areas, err = queryAreas(ctx, tx, `SELECT `+areaCols+` FROM areas WHERE maxx >= ? AND minx <= ? AND maxy >= ? AND miny <= ? ORDER BY code`,
			b.Min[0], b.Max[0], b.Min[1], b.Max[1]); err != nil {
			return err
		}
		codes := make([]string, len(p.Areas))
		for i, a := range p.Areas {
			codes[i] = a.Code
		}
		p.People, err = queryPeople(ctx, tx, `SELECT id, name, phone FROM people
			WHERE id IN (SELECT person_id FROM assignments WHERE area_code`+inList+`) ORDER BY id`, jsonList(codes))
		return err
	})
	if err != nil {
		return data.Partition{}, translate("partition near", err)
	}
	return p, nil
}

// CurrentRevision returns the id of the latest revision, 0 when none.
func (s *Store) CurrentRevision(ctx context.Context) (int64, error) {
	var id int64
	if err := s.r.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM revisions`).Scan(&id); err != nil {
		return 0, translate("current revision", err)
	}
	return id, nil
}

// ListRevisions returns every revision, newest first.
func (s *Store) ListRevisions(ctx context.Context) ([]data.Revision, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, created_at, author, note, grids FROM revisions ORDER BY id DESC`)
	if err != nil {
		return nil, translate("list revisions", err)
	}
	defer rows.Close()
	var out []data.Revision
	for rows.Next() {
		r, err := scanRevision(rows)
		if err != nil {
			return nil, translate("list revisions", err)
		}
		out = append(out, r)
	}
	return out, translate("list revisions", rows.Err())
}
