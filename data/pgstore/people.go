package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/wangge-dev/wangge/data"
)

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// queryPeople runs sql (selecting sqlPersonCols) and attaches every
// person's assignments, in the order they were given.
func queryPeople(ctx context.Context, q querier, sql string, args ...any) ([]data.Person, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	people, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (data.Person, error) {
		var p data.Person
		err := r.Scan(&p.ID, &p.Name, &p.Phone)
		return p, err
	})
	if err != nil || len(people) == 0 {
		return people, err
	}
	ids := make([]int64, len(people))
	at := make(map[int64]int, len(people))
	for i, p := range people {
		ids[i] = p.ID
		at[p.ID] = i
	}
	rows, err = q.Query(ctx, `SELECT person_id, role, area_code FROM assignments WHERE person_id = ANY($1) ORDER BY person_id, pos`, ids)
	if err != nil {
		return nil, err
	}
	var (
		pid  int64
		role string
		area string
	)
	_, err = pgx.ForEachRow(rows, []any{&pid, &role, &area}, func() error {
		i := at[pid]
		people[i].Assignments = append(people[i].Assignments, data.Assignment{Role: data.Role(role), AreaCode: area})
		return nil
	})
	return people, err
}

// AddPerson creates p with its assignments and sets p.ID; a routed post
// (data.Role.Routed) publishes a revision, announced at commit. A role
// given twice on the same area is a *data.ValidationError.
func (s *Store) AddPerson(ctx context.Context, p *data.Person) error {
	if err := data.CheckAssignments(-1, p.Assignments); err != nil {
		return err
	}
	var id int64
	err := s.writePublishing(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO people (name, phone) VALUES ($1, $2) RETURNING id`, p.Name, p.Phone).Scan(&id); err != nil {
			return err
		}
		for i, a := range p.Assignments {
			if _, err := tx.Exec(ctx, `INSERT INTO assignments (person_id, pos, role, area_code) VALUES ($1, $2, $3, $4)`,
				id, i, string(a.Role), a.AreaCode); err != nil {
				return err
			}
		}
		// A new leader (or fallback) changes routing answers: publish a
		// revision, so that every server reloads.
		return s.publish(ctx, tx, data.RoutedPosts(p))
	})
	if isLeaderConflict(err) {
		return data.ExplainLeaderConflict(ctx, s, -1, p.Assignments)
	}
	if err != nil {
		return translate("add person", err)
	}
	p.ID = id
	return nil
}

// SetAssignments replaces the roles of person id (see data.Store); a
// change of routed posts publishes a revision, announced at commit.
func (s *Store) SetAssignments(ctx context.Context, id int64, as []data.Assignment) error {
	if err := data.CheckAssignments(-1, as); err != nil {
		return err
	}
	err := s.writePublishing(ctx, func(tx pgx.Tx) error {
		var name string
		if err := tx.QueryRow(ctx, `SELECT name FROM people WHERE id = $1 FOR UPDATE`, id).Scan(&name); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("pgstore: person %d: %w", id, data.ErrNotFound)
			}
			return err
		}
		var before []data.Assignment
		rows, err := tx.Query(ctx, `SELECT role, area_code FROM assignments WHERE person_id = $1 ORDER BY pos`, id)
		if err != nil {
			return err
		}
		var role, area string
		_, err = pgx.ForEachRow(rows, []any{&role, &area}, func() error {
			before = append(before, data.Assignment{Role: data.Role(role), AreaCode: area})
			return nil
		})
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM assignments WHERE person_id = $1`, id); err != nil {
			return err
		}
		for i, a := range as {
			if _, err := tx.Exec(ctx, `INSERT INTO assignments (person_id, pos, role, area_code) VALUES ($1, $2, $3, $4)`,
				id, i, string(a.Role), a.AreaCode); err != nil {
				return err
			}
		}
		return s.publish(ctx, tx, data.RoutedChange(name, before, as))
	})
	if isLeaderConflict(err) {
		return data.ExplainLeaderConflict(ctx, s, id, as)
	}
	return translate("set assignments", err)
}

// GetPerson returns one person with their assignments, or data.ErrNotFound.
func (s *Store) GetPerson(ctx context.Context, id int64) (data.Person, error) {
	ps, err := queryPeople(ctx, s.pool, `SELECT `+sqlPersonCols+` FROM people WHERE id = $1`, id)
	if err != nil {
		return data.Person{}, translate("get person", err)
	}
	if len(ps) == 0 {
		return data.Person{}, fmt.Errorf("pgstore: person %d: %w", id, data.ErrNotFound)
	}
	return ps[0], nil
}

// ListPeople returns, by id, the people holding role on areaCode; an empty
// role or area matches any, and both empty list everyone. Each person comes
// with all their assignments.
func (s *Store) ListPeople(ctx context.Context, role data.Role, areaCode string) ([]data.Person, error) {
	var (
		ps  []data.Person
		err error
	)
	if role == "" && areaCode == "" {
		ps, err = queryPeople(ctx, s.pool, `SELECT `+sqlPersonCols+` FROM people ORDER BY id`)
	} else {
		ps, err = queryPeople(ctx, s.pool, `SELECT `+sqlPersonCols+` FROM people p
			WHERE EXISTS (SELECT 1 FROM assignments a WHERE a.person_id = p.id
			              AND ($1::text = '' OR a.role = $1::text) AND ($2::text = '' OR a.area_code = $2::text))
			ORDER BY id`, string(role), areaCode)
	}
	if err != nil {
		return nil, translate("list people", err)
	}
	return ps, nil
}

// PutToken stores the SHA-256 hex of an API token for a person: a hash
// already stored is data.ErrConflict, an unknown person data.ErrNotFound.
func (s *Store) PutToken(ctx context.Context, personID int64, tokenHash, label string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO api_tokens (token_hash, person_id, label) VALUES ($1, $2, $3)`, tokenHash, personID, label)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23503" {
		return fmt.Errorf("pgstore: put token: person %d: %w", personID, data.ErrNotFound)
	}
	return translate("put token", err)
}

// PersonByToken returns the person owning tokenHash, or data.ErrNotFound.
func (s *Store) PersonByToken(ctx context.Context, tokenHash string) (data.Person, error) {
	ps, err := queryPeople(ctx, s.pool, `SELECT p.id, p.name, p.phone FROM people p
		JOIN api_tokens t ON t.person_id = p.id WHERE t.token_hash = $1`, tokenHash)
	if err != nil {
		return data.Person{}, translate("person by token", err)
	}
	if len(ps) == 0 {
		return data.Person{}, fmt.Errorf("pgstore: token: %w", data.ErrNotFound)
	}
	return ps[0], nil
}

// Categories returns the report categories ordered by code.
func (s *Store) Categories(ctx context.Context) ([]data.Category, error) {
	rows, err := s.pool.Query(ctx, `SELECT code, name, name_en, deadline_s FROM categories ORDER BY code`)
	if err != nil {
		return nil, translate("categories", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (data.Category, error) {
		var c data.Category
		var sec int64
		err := r.Scan(&c.Code, &c.Name, &c.NameEN, &sec)
		c.Deadline = time.Duration(sec) * time.Second
		return c, err
	})
	if err != nil {
		return nil, translate("categories", err)
	}
	return out, nil
}

// AddVisit logs a household visit and sets v.ID.
func (s *Store) AddVisit(ctx context.Context, v *data.Visit) error {
	err := s.pool.QueryRow(ctx, `INSERT INTO visits (person_id, grid_code, building_id, at, note) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		v.PersonID, v.GridCode, v.BuildingID, v.At, v.Note).Scan(&v.ID)
	return translate("add visit", err)
}

// ListVisits returns the visits in a grid ("" = every grid), newest first
// (by time, then id); limit 0 means no limit.
func (s *Store) ListVisits(ctx context.Context, gridCode string, limit int) ([]data.Visit, error) {
	var w where
	if gridCode != "" {
		w.add("grid_code = " + w.p(gridCode))
	}
	rows, err := s.pool.Query(ctx, `SELECT `+sqlVisitCols+` FROM visits`+w.sql()+` ORDER BY at DESC, id DESC`+w.page(limit, 0), w.args...)
	if err != nil {
		return nil, translate("list visits", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (data.Visit, error) {
		var v data.Visit
		err := r.Scan(&v.ID, &v.PersonID, &v.GridCode, &v.BuildingID, &v.At, &v.Note)
		v.At = v.At.UTC()
		return v, err
	})
	if err != nil {
		return nil, translate("list visits", err)
	}
	return out, nil
}

// isLeaderConflict reports whether err is the refusal of a second leader
// for a grid by the index assignments_one_grid_leader.
func isLeaderConflict(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == "assignments_one_grid_leader"
}
