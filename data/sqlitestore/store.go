package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/migrations"
)

// Store is the SQLite store. It is safe for concurrent use.
type Store struct {
	w *sql.DB // the one writer connection
	r *sql.DB // read-only pool (== w for ":memory:")

	mu   sync.Mutex
	subs map[chan int64]struct{} // Revisions listeners
}

var (
	_ data.Store    = (*Store)(nil)
	_ data.Notifier = (*Store)(nil)
)

// busyTimeoutMS is how long a write waits for another process's write
// transaction on the same file (a `wangge import` beside the server)
// before it fails with data.ErrBusy.
var busyTimeoutMS = 10000

// Open opens (creating it if needed) the database file at path; ":memory:"
// gives a private in-memory database on one connection. It does not
// migrate: call Migrate.
func Open(ctx context.Context, path string) (*Store, error) {
	common := url.Values{}
	common.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS))
	common.Add("_pragma", "foreign_keys(1)")
	common.Add("_pragma", "synchronous(FULL)")
	common.Add("_pragma", "cache_size(-65536)") // KiB: big loads do not spill mid-transaction
	if path == ":memory:" {
		common.Set("_txlock", "immediate")
		db, err := sql.Open("sqlite", ":memory:?"+common.Encode())
		if err != nil {
			return nil, fmt.Errorf("sqlitestore: open: %w", err)
		}
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
		s := &Store{w: db, r: db, subs: map[chan int64]struct{}{}}
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("sqlitestore: open: %w", err)
		}
		return s, nil
	}
	wq := url.Values{}
	for k, v := range common {
		wq[k] = append([]string(nil), v...)
	}
	wq.Add("_pragma", "journal_mode(WAL)")
	wq.Set("_txlock", "immediate")
	w, err := sql.Open("sqlite", "file:"+path+"?"+wq.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: open: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil { // creates the file, sets WAL
		w.Close()
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	rq := url.Values{}
	for k, v := range common {
		rq[k] = append([]string(nil), v...)
	}
	rq.Add("_pragma", "query_only(1)")
	r, err := sql.Open("sqlite", "file:"+path+"?"+rq.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlitestore: open: %w", err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	return &Store{w: w, r: r, subs: map[chan int64]struct{}{}}, nil
}

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.r.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlitestore: ping: %w", err)
	}
	return nil
}

// Close closes the database (checkpointing the WAL).
func (s *Store) Close() error {
	var err error
	if s.r != s.w {
		err = s.r.Close()
	}
	return errors.Join(err, s.w.Close())
}

// Kind returns "sqlite".
func (s *Store) Kind() string { return "sqlite" }

// Migrate applies the pending files of migrations.SQLite in version order,
// each in its own transaction with its schema_migrations row. Version 1 also
// seeds data.DefaultCategories.
func (s *Store) Migrate(ctx context.Context) error {
	files, err := migrations.List(migrations.SQLite)
	if err != nil {
		return err
	}
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("sqlitestore: migrate: %w", err)
	}
	for _, f := range files {
		err := s.write(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, f.Version).Scan(&n); err != nil || n > 0 {
				return err
			}
			if _, err := tx.ExecContext(ctx, f.SQL); err != nil {
				return err
			}
			if f.Version == 1 {
				for _, c := range data.DefaultCategories {
					if _, err := tx.ExecContext(ctx, `INSERT INTO categories (code, name, name_en, deadline_s) VALUES (?, ?, ?, ?)
						ON CONFLICT (code) DO NOTHING`, c.Code, c.Name, c.NameEN, int64(c.Deadline/time.Second)); err != nil {
						return err
					}
				}
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				f.Version, f.Name, time.Now().UnixMicro())
			return err
		})
		if err != nil {
			return fmt.Errorf("sqlitestore: migrate %s: %w", f.Name, err)
		}
	}
	return nil
}

// write runs fn in a write transaction (BEGIN IMMEDIATE on the one writer
// connection) and commits; any error rolls back. When ctx ended meanwhile
// the error wraps ctx.Err(): database/sql rolls the transaction back as
// soon as ctx is done, and the statement running then fails with whatever
// it meets ("statement is closed", …).
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err == nil {
		if err = fn(tx); err != nil {
			_ = tx.Rollback()
		} else {
			err = tx.Commit()
		}
	}
	if err != nil && ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		return fmt.Errorf("%w: %v", ctx.Err(), err)
	}
	return err
}

// read runs fn in a read transaction: every query sees one snapshot.
func (s *Store) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	return fn(tx)
}

// translate maps a driver error to wangge's sentinels at the store boundary.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	var ve *data.ValidationError
	if errors.As(err, &ve) || errors.Is(err, data.ErrNotFound) || errors.Is(err, data.ErrConflict) || errors.Is(err, data.ErrInvalid) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlitestore: %s: %w", op, data.ErrNotFound)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("sqlitestore: %s: %s: %w", op, se.Error(), data.ErrConflict)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &data.ValidationError{Index: -1, Reason: "refers to a row that does not exist"}
		case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return &data.ValidationError{Index: -1, Reason: se.Error()}
		}
		if se.Code()&0xff == sqlite3.SQLITE_BUSY || se.Code()&0xff == sqlite3.SQLITE_LOCKED {
			return fmt.Errorf("sqlitestore: %s: %s: %w", op, se.Error(), data.ErrBusy)
		}
	}
	return fmt.Errorf("sqlitestore: %s: %w", op, err)
}

// isLeaderConflict reports whether err is the refusal of a second leader
// for a grid by the index assignments_one_grid_leader (SQLite names the
// index's one column; the primary key's violation names all three).
func isLeaderConflict(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE &&
		strings.Contains(se.Error(), "failed: assignments.area_code") && !strings.Contains(se.Error(), "person_id")
}

func isFK(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// Times are INTEGER microseconds since the Unix epoch.
func tm(t time.Time) int64 { return t.UnixMicro() }

func fromTm(us int64) time.Time { return time.UnixMicro(us).UTC() }

func tmPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}

func fromTmPtr(us sql.NullInt64) *time.Time {
	if !us.Valid {
		return nil
	}
	t := fromTm(us.Int64)
	return &t
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// farFuture stands for "no upper bound" in time windows.
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
