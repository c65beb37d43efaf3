package pgstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/ewkb"

	"github.com/wangge-dev/wangge/data"
)

// srid of every geometry wangge stores: lon/lat, WGS 84.
const srid = 4326

// areaArrays are the columns of a batch of areas for sqlInsertAreas.
type areaArrays struct {
	code, level, name, parent []string
	geom                      [][]byte
	minx, miny, maxx, maxy    []float64
	hh                        []int32
}

func toAreaArrays(areas []data.Area) (*areaArrays, error) {
	n := len(areas)
	a := &areaArrays{
		code: make([]string, n), level: make([]string, n), name: make([]string, n), parent: make([]string, n),
		geom: make([][]byte, n), minx: make([]float64, n), miny: make([]float64, n), maxx: make([]float64, n),
		maxy: make([]float64, n), hh: make([]int32, n),
	}
	for i, x := range areas {
		g, err := ewkb.Marshal(x.Geom, srid)
		if err != nil {
			return nil, &data.ValidationError{Index: i, Field: "geom", Reason: err.Error()}
		}
		b := x.Geom.Bound()
		a.code[i], a.level[i], a.name[i], a.parent[i] = x.Code, string(x.Level), x.Name, x.ParentCode
		a.geom[i] = g
		a.minx[i], a.miny[i], a.maxx[i], a.maxy[i] = b.Min[0], b.Min[1], b.Max[0], b.Max[1]
		a.hh[i] = int32(x.Households)
	}
	return a, nil
}

// checkAreas enforces the batch rules of PutAreas and Load before anything
// is written: a code and a level on every area, no code twice in the batch,
// no code already stored (unless replace), every parent in the batch or
// stored. Conflicts with stored codes are returned by dupErr(i).
func checkAreas(ctx context.Context, tx pgx.Tx, areas []data.Area, replace bool, dupErr func(i int, code string) error) error {
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
	if !replace {
		codes := make([]string, 0, len(areas)+len(parents))
		for _, a := range areas {
			codes = append(codes, a.Code)
		}
		codes = append(codes, parents...)
		rows, err := tx.Query(ctx, `SELECT code FROM areas WHERE code = ANY($1)`, codes)
		if err != nil {
			return err
		}
		got, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, c := range got {
			stored[c] = true
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

func insertAreas(ctx context.Context, tx pgx.Tx, areas []data.Area, rev int64) error {
	if len(areas) == 0 {
		return nil
	}
	a, err := toAreaArrays(areas)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, sqlInsertAreas, a.code, a.level, a.name, a.parent, a.geom, a.minx, a.miny, a.maxx, a.maxy, a.hh, rev)
	return err
}

func newRevision(ctx context.Context, tx pgx.Tx, at time.Time, note string) (int64, error) {
	if at.IsZero() {
		at = time.Now()
	}
	var id int64
	err := tx.QueryRow(ctx, sqlInsertRevision, at, note).Scan(&id)
	return id, err
}

func finishRevision(ctx context.Context, tx pgx.Tx, id int64) (data.Revision, error) {
	var r data.Revision
	err := tx.QueryRow(ctx, sqlSetRevisionGrids, id).Scan(&r.ID, &r.CreatedAt, &r.Author, &r.Note, &r.Grids)
	r.CreatedAt = r.CreatedAt.UTC()
	return r, err
}

// PutAreas writes areas as one new revision (see data.Store). With replace,
// every stored area is deleted first and buildings lose their grid link
// (grid_code becomes empty); households are stored as given. All areas
// written get the new revision. Listeners are notified at commit.
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
	err := s.writePublishing(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE areas IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		var bs []data.Building
		if gridOf != nil {
			var err error
			if bs, err = lockBuildings(ctx, tx); err != nil {
				return err
			}
		}
		if replace {
			if _, err := tx.Exec(ctx, `DELETE FROM areas`); err != nil {
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
			if eff.Rerouted, err = reroute(ctx, tx, &mv, rev); err != nil {
				return err
			}
		}
		return s.notify(ctx, tx, id)
	})
	if err != nil {
		return data.Revision{}, data.EditEffect{}, translate("put areas", err)
	}
	return rev, eff, nil
}

// where collects the conditions and parameters of a query. Conditions are
// constant fragments; p(v) adds a parameter and returns its placeholder.
type where struct {
	conds []string
	args  []any
}

func (w *where) p(v any) string {
	w.args = append(w.args, v)
	return fmt.Sprintf("$%d", len(w.args))
}

func (w *where) add(cond string) { w.conds = append(w.conds, cond) }

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// page appends LIMIT/OFFSET (Limit 0 = no limit).
func (w *where) page(limit, offset int) string {
	var b strings.Builder
	if limit > 0 {
		b.WriteString(" LIMIT " + w.p(limit))
	}
	if offset > 0 {
		b.WriteString(" OFFSET " + w.p(offset))
	}
	return b.String()
}

// bbox adds "the bounding box of the row intersects b" on columns geom and
// minx..maxy: GiST candidates, then the exact float8 comparison.
func (w *where) areaBBox(b orb.Bound) {
	minx, miny, maxx, maxy := w.p(b.Min[0]), w.p(b.Min[1]), w.p(b.Max[0]), w.p(b.Max[1])
	w.add("geom && ST_MakeEnvelope(" + minx + ", " + miny + ", " + maxx + ", " + maxy + ", 4326)")
	w.add("maxx >= " + minx + " AND minx <= " + maxx + " AND maxy >= " + miny + " AND miny <= " + maxy)
}

func scanArea(row pgx.Row) (data.Area, error) {
	var a data.Area
	var g []byte
	var level string
	if err := row.Scan(&a.Code, &level, &a.Name, &a.ParentCode, &g, &a.Households, &a.Revision); err != nil {
		return a, err
	}
	a.Level = data.Level(level)
	geom, _, err := ewkb.Unmarshal(g)
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

func collectAreas(rows pgx.Rows) ([]data.Area, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (data.Area, error) { return scanArea(r) })
}

// ListAreas returns the areas matching q ordered by code and the total
// ignoring Limit/Offset. BBox matches an area whose bounding box intersects
// the box (edges included).
func (s *Store) ListAreas(ctx context.Context, q data.AreaQuery) ([]data.Area, int, error) {
	var w where
	if q.Level != "" {
		w.add("level = " + w.p(string(q.Level)))
	}
	if q.Parent != "" {
		w.add("parent_code = " + w.p(q.Parent))
	}
	if len(q.Codes) > 0 {
		w.add("code = ANY(" + w.p(q.Codes) + ")")
	}
	if q.BBox != nil {
		w.areaBBox(*q.BBox)
	}
	var total int
	var out []data.Area
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM areas`+w.sql(), w.args...).Scan(&total); err != nil {
			return err
		}
		sql := `SELECT ` + sqlAreaCols + ` FROM areas` + w.sql() + ` ORDER BY code` + w.page(q.Limit, q.Offset)
		rows, err := tx.Query(ctx, sql, w.args...)
		if err != nil {
			return err
		}
		out, err = collectAreas(rows)
		return err
	})
	if err != nil {
		return nil, 0, translate("list areas", err)
	}
	return out, total, nil
}

// GetArea returns one area or data.ErrNotFound.
func (s *Store) GetArea(ctx context.Context, code string) (data.Area, error) {
	a, err := scanArea(s.pool.QueryRow(ctx, `SELECT `+sqlAreaCols+` FROM areas WHERE code = $1`, code))
	if err != nil {
		return data.Area{}, translate("get area "+code, err)
	}
	return a, nil
}

// Partition reads the current revision, every area (by code) and every
// person holding a role (by id) in one repeatable-read transaction.
func (s *Store) Partition(ctx context.Context) (data.Partition, error) {
	var p data.Partition
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM revisions`).Scan(&p.Revision); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+sqlAreaCols+` FROM areas ORDER BY code`)
		if err != nil {
			return err
		}
		if p.Areas, err = collectAreas(rows); err != nil {
			return err
		}
		p.People, err = queryPeople(ctx, tx, `SELECT `+sqlPersonCols+` FROM people p
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
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM revisions`).Scan(&p.Revision); err != nil {
			return err
		}
		var w where
		w.areaBBox(b)
		rows, err := tx.Query(ctx, `SELECT `+sqlAreaCols+` FROM areas`+w.sql()+` ORDER BY code`, w.args...)
		if err != nil {
			return err
		}
		if p.Areas, err = collectAreas(rows); err != nil {
			return err
		}
		codes := make([]string, len(p.Areas))
		for i, a := range p.Areas {
			codes[i] = a.Code
		}
		p.People, err = queryPeople(ctx, tx, `SELECT `+sqlPersonCols+` FROM people
			WHERE id IN (SELECT person_id FROM assignments WHERE area_code = ANY($1)) ORDER BY id`, codes)
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
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM revisions`).Scan(&id); err != nil {
		return 0, translate("current revision", err)
	}
	return id, nil
}

// ListRevisions returns every revision, newest first.
func (s *Store) ListRevisions(ctx context.Context) ([]data.Revision, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+sqlRevisionCols+` FROM revisions ORDER BY id DESC`)
	if err != nil {
		return nil, translate("list revisions", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (data.Revision, error) {
		var v data.Revision
		err := r.Scan(&v.ID, &v.CreatedAt, &v.Author, &v.Note, &v.Grids)
		v.CreatedAt = v.CreatedAt.UTC()
		return v, err
	})
	if err != nil {
		return nil, translate("list revisions", err)
	}
	return out, nil
}
