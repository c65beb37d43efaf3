package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/wangge-dev/wangge/data"
)

type queryer interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

// queryPeople runs query (selecting id, name, phone) and attaches every
// person's assignments in the order they were given.
func queryPeople(ctx context.Context, q queryer, query string, args ...any) ([]data.Person, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var people []data.Person
	for rows.Next() {
		var p data.Person
		if err := rows.Scan(&p.ID, &p.Name, &p.Phone); err != nil {
			rows.Close()
			return nil, err
		}
		people = append(people, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(people) == 0 {
		return people, err
	}
	ids := make([]int64, len(people))
	at := make(map[int64]int, len(people))
	for i, p := range people {
		ids[i] = p.ID
		at[p.ID] = i
	}
	rows, err = q.QueryContext(ctx, `SELECT person_id, role, area_code FROM assignments WHERE person_id`+inList+` ORDER BY person_id, pos`, jsonList(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			pid        int64
			role, area string
		)
		if err := rows.Scan(&pid, &role, &area); err != nil {
			return nil, err
		}
		i := at[pid]
		people[i].Assignments = append(people[i].Assignments, data.Assignment{Role: data.Role(role), AreaCode: area})
	}
	return people, rows.Err()
}

// AddPerson creates p with its assignments and sets p.ID; a routed post
// (data.Role.Routed) publishes a revision, announced to listeners.
func (s *Store) AddPerson(ctx context.Context, p *data.Person) error {
	if err := data.CheckAssignments(-1, p.Assignments); err != nil {
		return err
	}
	var id, rev int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO people (name, phone) VALUES (?, ?)`, p.Name, p.Phone)
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		for i, a := range p.Assignments {
			if _, err := tx.ExecContext(ctx, `INSERT INTO assignments (person_id, pos, role, area_code) VALUES (?, ?, ?, ?)`,
				id, i, string(a.Role), a.AreaCode); err != nil {
				return err
			}
		}
		// A new leader (or fallback) changes routing answers: publish a
		// revision, so that every router reloads.
		rev, err = publish(ctx, tx, data.RoutedPosts(p))
		return err
	})
	if isLeaderConflict(err) {
		return data.ExplainLeaderConflict(ctx, s, -1, p.Assignments)
	}
	if err != nil {
		return translate("add person", err)
	}
	s.broadcast(rev)
	p.ID = id
	return nil
}

// SetAssignments replaces the roles of person id (see data.Store); a
// change of routed posts publishes a revision, announced to listeners.
func (s *Store) SetAssignments(ctx context.Context, id int64, as []data.Assignment) error {
	if err := data.CheckAssignments(-1, as); err != nil {
		return err
	}
	var rev int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		var name string
		if err := tx.QueryRowContext(ctx, `SELECT name FROM people WHERE id = ?`, id).Scan(&name); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("sqlitestore: person %d: %w", id, data.ErrNotFound)
			}
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT role, area_code FROM assignments WHERE person_id = ? ORDER BY pos`, id)
		if err != nil {
			return err
		}
		var before []data.Assignment
		for rows.Next() {
			var a data.Assignment
			if err := rows.Scan(&a.Role, &a.AreaCode); err != nil {
				rows.Close()
				return err
			}
			before = append(before, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM assignments WHERE person_id = ?`, id); err != nil {
			return err
		}
		for i, a := range as {
			if _, err := tx.ExecContext(ctx, `INSERT INTO assignments (person_id, pos, role, area_code) VALUES (?, ?, ?, ?)`,
				id, i, string(a.Role), a.AreaCode); err != nil {
				return err
			}
		}
		rev, err = publish(ctx, tx, data.RoutedChange(name, before, as))
		return err
	})
	if isLeaderConflict(err) {
		return data.ExplainLeaderConflict(ctx, s, id, as)
	}
	if err != nil {
		return translate("set assignments", err)
	}
	s.broadcast(rev)
	return nil
}

// GetPerson returns one person with their assignments, or data.ErrNotFound.
func (s *Store) GetPerson(ctx context.Context, id int64) (data.Person, error) {
	ps, err := queryPeople(ctx, s.r, `SELECT id, name, phone FROM people WHERE id = ?`, id)
	if err != nil {
		return data.Person{}, translate("get person", err)
	}
	if len(ps) == 0 {
		return data.Person{}, fmt.Errorf("sqlitestore: person %d: %w", id, data.ErrNotFound)
	}
	return ps[0], nil
}

// ListPeople returns, by id, the people holding role on areaCode; an empty
// role or area matches any, and both empty list everyone.
func (s *Store) ListPeople(ctx context.Context, role data.Role, areaCode string) ([]data.Person, error) {
	var (
		ps  []data.Person
		err error
	)
	if role == "" && areaCode == "" {
		ps, err = queryPeople(ctx, s.r, `SELECT id, name, phone FROM people ORDER BY id`)
	} else {
		ps, err = queryPeople(ctx, s.r, `SELECT id, name, phone FROM people p
			WHERE EXISTS (SELECT 1 FROM assignments a WHERE a.person_id = p.id
			              AND (?1 = '' OR a.role = ?1) AND (?2 = '' OR a.area_code = ?2))
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
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (token_hash, person_id, label, created_at) VALUES (?, ?, ?, ?)`,
			tokenHash, personID, label, tm(time.Now()))
		return err
	})
	if isFK(err) {
		return fmt.Errorf("sqlitestore: put token: person %d: %w", personID, data.ErrNotFound)
	}
	return translate("put token", err)
}

// PersonByToken returns the person owning tokenHash, or data.ErrNotFound.
func (s *Store) PersonByToken(ctx context.Context, tokenHash string) (data.Person, error) {
	ps, err := queryPeople(ctx, s.r, `SELECT p.id, p.name, p.phone FROM people p
		JOIN api_tokens t ON t.person_id = p.id WHERE t.token_hash = ?`, tokenHash)
	if err != nil {
		return data.Person{}, translate("person by token", err)
	}
	if len(ps) == 0 {
		return data.Person{}, fmt.Errorf("sqlitestore: token: %w", data.ErrNotFound)
	}
	return ps[0], nil
}

// Categories returns the report categories ordered by code.
func (s *Store) Categories(ctx context.Context) ([]data.Category, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT code, name, name_en, deadline_s FROM categories ORDER BY code`)
	if err != nil {
		return nil, translate("categories", err)
	}
	defer rows.Close()
	var out []data.Category
	for rows.Next() {
		var (
			c   data.Category
			sec int64
		)
		if err := rows.Scan(&c.Code, &c.Name, &c.NameEN, &sec); err != nil {
			return nil, translate("categories", err)
		}
		c.Deadline = time.Duration(sec) * time.Second
		out = append(out, c)
	}
	return out, translate("categories", rows.Err())
}

// AddVisit logs a household visit and sets v.ID.
func (s *Store) AddVisit(ctx context.Context, v *data.Visit) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO visits (person_id, grid_code, building_id, at, note) VALUES (?, ?, ?, ?, ?)`,
			v.PersonID, v.GridCode, v.BuildingID, tm(v.At), v.Note)
		if err != nil {
			return err
		}
		v.ID, err = res.LastInsertId()
		return err
	})
	return translate("add visit", err)
}

// ListVisits returns the visits in a grid ("" = every grid), newest first
// (by time, then id); limit 0 means no limit.
func (s *Store) ListVisits(ctx context.Context, gridCode string, limit int) ([]data.Visit, error) {
	var w where
	if gridCode != "" {
		w.add("grid_code = ?", gridCode)
	}
	p, pargs := page(limit, 0)
	rows, err := s.r.QueryContext(ctx, `SELECT id, person_id, grid_code, building_id, at, note FROM visits`+w.sql()+
		` ORDER BY at DESC, id DESC`+p, append(w.args, pargs...)...)
	if err != nil {
		return nil, translate("list visits", err)
	}
	defer rows.Close()
	var out []data.Visit
	for rows.Next() {
		var (
			v  data.Visit
			at int64
		)
		if err := rows.Scan(&v.ID, &v.PersonID, &v.GridCode, &v.BuildingID, &at, &v.Note); err != nil {
			return nil, translate("list visits", err)
		}
		v.At = fromTm(at)
		out = append(out, v)
	}
	return out, translate("list visits", rows.Err())
}
