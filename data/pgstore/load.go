package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/wangge-dev/wangge/data"
)

// Load bulk-writes ds as one revision in one transaction (COPY for the big
// tables), following the ID rules of data.Dataset, and writes the IDs back
// into ds. An area code already stored, or an idempotency key already used,
// is data.ErrConflict; a missing parent, an unknown grid of a building or an
// event pointing outside Reports is a *data.ValidationError. Listeners are
// notified at commit.
func (s *Store) Load(ctx context.Context, ds *data.Dataset) (data.Revision, error) {
	if err := ds.CheckRefs(); err != nil {
		return data.Revision{}, err
	}
	var (
		rev                   data.Revision
		peopleBase, buildBase int64
		reportBase            int64
	)
	err := s.writePublishing(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE areas, people, buildings, reports IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		err := checkAreas(ctx, tx, ds.Areas, false, func(i int, code string) error {
			return fmt.Errorf("pgstore: load: area %s (item %d) already stored: %w", code, i, data.ErrConflict)
		})
		if err != nil {
			return err
		}
		if err := checkBuildingGridsWith(ctx, tx, ds.Buildings, ds.Areas); err != nil {
			return err
		}
		id, err := newRevision(ctx, tx, ds.Now, ds.Note)
		if err != nil {
			return err
		}
		if err := insertAreas(ctx, tx, ds.Areas, id); err != nil {
			return err
		}
		if peopleBase, err = idBase(ctx, tx, "people", len(ds.People)); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"people"}, []string{"id", "name", "phone"},
			pgx.CopyFromSlice(len(ds.People), func(i int) ([]any, error) {
				return []any{peopleBase + int64(i) + 1, ds.People[i].Name, ds.People[i].Phone}, nil
			})); err != nil {
			return err
		}
		type asg struct {
			pid  int64
			pos  int32
			role string
			area string
		}
		var as []asg
		for i, p := range ds.People {
			for k, a := range p.Assignments {
				as = append(as, asg{peopleBase + int64(i) + 1, int32(k), string(a.Role), a.AreaCode})
			}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"assignments"}, []string{"person_id", "pos", "role", "area_code"},
			pgx.CopyFromSlice(len(as), func(i int) ([]any, error) {
				return []any{as[i].pid, as[i].pos, as[i].role, as[i].area}, nil
			})); err != nil {
			return err
		}
		if buildBase, err = idBase(ctx, tx, "buildings", len(ds.Buildings)); err != nil {
			return err
		}
		if err := copyBuildings(ctx, tx, ds.Buildings, func(i int) int64 { return buildBase + int64(i) + 1 }); err != nil {
			return err
		}
		if reportBase, err = idBase(ctx, tx, "reports", len(ds.Reports)); err != nil {
			return err
		}
		if err := copyReports(ctx, tx, ds.Reports, func(i int) int64 { return reportBase + int64(i) + 1 }); err != nil {
			return err
		}
		if err := copyEvents(ctx, tx, ds.Events, func(i int) int64 { return reportBase + ds.Events[i].ReportID }); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"visits"}, []string{"person_id", "grid_code", "building_id", "at", "note"},
			pgx.CopyFromSlice(len(ds.Visits), func(i int) ([]any, error) {
				v := &ds.Visits[i]
				return []any{v.PersonID, v.GridCode, v.BuildingID, v.At, v.Note}, nil
			})); err != nil {
			return err
		}
		if len(ds.Buildings) > 0 {
			if err := recomputeHouseholds(ctx, tx); err != nil {
				return err
			}
		}
		if rev, err = finishRevision(ctx, tx, id); err != nil {
			return err
		}
		return s.notify(ctx, tx, id)
	})
	if err != nil {
		return data.Revision{}, translate("load", err)
	}
	for i := range ds.People {
		ds.People[i].ID = peopleBase + int64(i) + 1
	}
	for i := range ds.Buildings {
		ds.Buildings[i].ID = buildBase + int64(i) + 1
	}
	for i := range ds.Reports {
		ds.Reports[i].ID = reportBase + int64(i) + 1
	}
	for i := range ds.Events {
		ds.Events[i].ReportID += reportBase
	}
	return rev, nil
}

// idBase returns the largest id of table and sets its sequence to base+n,
// past the ids base+1 … base+n the caller is about to write. The caller holds
// a lock that keeps other writers out of table, and no stored id exceeds
// base, so lowering the sequence (after rolled-back writes) is safe.
func idBase(ctx context.Context, tx pgx.Tx, table string, n int) (int64, error) {
	var base int64
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM `+pgx.Identifier{table}.Sanitize()).Scan(&base); err != nil {
		return 0, err
	}
	if n > 0 {
		if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), $2)`,
			table, base+int64(n)); err != nil {
			return 0, err
		}
	}
	return base, nil
}

// checkBuildingGridsWith is checkBuildingGrids where the grids being
// loaded in the same batch count as stored.
func checkBuildingGridsWith(ctx context.Context, tx pgx.Tx, bs []data.Building, areas []data.Area) error {
	loading := make(map[string]bool, len(areas))
	for _, a := range areas {
		loading[a.Code] = true
	}
	var rest []data.Building
	var index []int
	for i, b := range bs {
		if b.GridCode != "" && !loading[b.GridCode] {
			rest = append(rest, b)
			index = append(index, i)
		}
	}
	err := checkBuildingGrids(ctx, tx, rest)
	if ve, ok := err.(*data.ValidationError); ok && ve.Index >= 0 {
		ve.Index = index[ve.Index]
	}
	return err
}
