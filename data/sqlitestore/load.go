package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/wangge-dev/wangge/data"
)

// Load bulk-writes ds as one revision in one transaction, following the ID
// rules of data.Dataset, and writes the IDs back into ds. An area code
// already stored, or an idempotency key already used, is data.ErrConflict; a
// missing parent, an unknown grid of a building or an event pointing outside
// Reports is a *data.ValidationError. Listeners are notified after commit.
func (s *Store) Load(ctx context.Context, ds *data.Dataset) (data.Revision, error) {
	if err := ds.CheckRefs(); err != nil {
		return data.Revision{}, err
	}
	var (
		rev                               data.Revision
		peopleBase, buildBase, reportBase int64
	)
	err := s.write(ctx, func(tx *sql.Tx) error {
		err := checkAreas(ctx, tx, ds.Areas, false, func(i int, code string) error {
			return fmt.Errorf("sqlitestore: load: area %s (item %d) already stored: %w", code, i, data.ErrConflict)
		})
		if err != nil {
			return err
		}
		loading := make(map[string]bool, len(ds.Areas))
		for _, a := range ds.Areas {
			loading[a.Code] = true
		}
		if err := checkBuildingGrids(ctx, tx, ds.Buildings, loading); err != nil {
			return err
		}
		id, err := newRevision(ctx, tx, ds.Now, ds.Note)
		if err != nil {
			return err
		}
		if err := insertAreas(ctx, tx, ds.Areas, id); err != nil {
			return err
		}
		if peopleBase, err = maxID(ctx, tx, "people"); err != nil {
			return err
		}
		if err := insertPeople(ctx, tx, ds.People, peopleBase); err != nil {
			return err
		}
		if buildBase, err = maxID(ctx, tx, "buildings"); err != nil {
			return err
		}
		if err := insertBuildings(ctx, tx, ds.Buildings, buildBase); err != nil {
			return err
		}
		if reportBase, err = maxID(ctx, tx, "reports"); err != nil {
			return err
		}
		if err := insertReports(ctx, tx, ds.Reports, reportBase); err != nil {
			return err
		}
		if err := insertEvents(ctx, tx, ds.Events, func(i int) int64 { return reportBase + ds.Events[i].ReportID }); err != nil {
			return err
		}
		if err := insertVisits(ctx, tx, ds.Visits); err != nil {
			return err
		}
		if len(ds.Buildings) > 0 {
			if err := recompute(ctx, tx); err != nil {
				return err
			}
		}
		rev, err = finishRevision(ctx, tx, id)
		return err
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
	s.broadcast(rev.ID)
	return rev, nil
}

func insertPeople(ctx context.Context, tx *sql.Tx, people []data.Person, base int64) error {
	ps, err := tx.PrepareContext(ctx, `INSERT INTO people (id, name, phone) VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ps.Close()
	as, err := tx.PrepareContext(ctx, `INSERT INTO assignments (person_id, pos, role, area_code) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer as.Close()
	for i, p := range people {
		id := base + int64(i) + 1
		if _, err := ps.ExecContext(ctx, id, p.Name, p.Phone); err != nil {
			return err
		}
		for k, a := range p.Assignments {
			if _, err := as.ExecContext(ctx, id, k, string(a.Role), a.AreaCode); err != nil {
				return err
			}
		}
	}
	return nil
}

func insertVisits(ctx context.Context, tx *sql.Tx, vs []data.Visit) error {
	st, err := tx.PrepareContext(ctx, `INSERT INTO visits (person_id, grid_code, building_id, at, note) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer st.Close()
	for i := range vs {
		v := &vs[i]
		if _, err := st.ExecContext(ctx, v.PersonID, v.GridCode, v.BuildingID, tm(v.At), v.Note); err != nil {
			return err
		}
	}
	return nil
}
