package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/migrations"
)

// Store is the PostGIS store. It is safe for concurrent use.
type Store struct {
	pool        *pgxpool.Pool
	schema      string // current_schema() of the connections, where the tables live
	channel     string // LISTEN/NOTIFY channel of revisions (see Open)
	caseChannel string // LISTEN/NOTIFY channel of case changes (casefeed.go)
}

var (
	_ data.Store    = (*Store)(nil)
	_ data.Notifier = (*Store)(nil)
)

// Open connects to the database named by url (a libpq URL or key/value
// string; a search_path runtime parameter selects the schema) and checks it
// is reachable. It does not migrate: call Migrate.
//
// Revisions are announced on the channel "wangge_revision" when the tables
// live in schema public, and "wangge_revision_<schema>" otherwise, so that
// several deployments (or tests) in one database do not hear each other.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("pgstore: parse url: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgstore: connect: %w", err)
	}
	s := &Store{pool: pool}
	if err := pool.QueryRow(ctx, `SELECT coalesce(current_schema(), 'public')`).Scan(&s.schema); err != nil {
		pool.Close()
		return nil, fmt.Errorf("pgstore: connect: %w", err)
	}
	s.channel, s.caseChannel = "wangge_revision", "wangge_case"
	if s.schema != "public" {
		s.channel += "_" + s.schema
		s.caseChannel += "_" + s.schema
	}
	return s, nil
}

// ConnString is the connection string the store was opened with (it may
// hold a password: do not log it).
func (s *Store) ConnString() string { return s.pool.Config().ConnString() }

// Ping checks the database is reachable.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("pgstore: ping: %w", err)
	}
	return nil
}

// Close closes every pooled connection. Listeners started by Revisions end
// with their context.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Kind returns "postgis".
func (s *Store) Kind() string { return "postgis" }

// Migrate applies the pending files of migrations.Postgres in version order,
// each in its own transaction together with its schema_migrations row, under
// a session advisory lock keyed by the schema (so concurrent servers migrate
// once). Version 1 also seeds data.DefaultCategories.
func (s *Store) Migrate(ctx context.Context) error {
	files, err := migrations.List(migrations.Postgres)
	if err != nil {
		return err
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, sqlMigrateLock, s.schema); err != nil {
		return fmt.Errorf("pgstore: migrate: lock: %w", err)
	}
	defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), sqlMigrateUnlock, s.schema) }()
	if _, err := conn.Exec(ctx, sqlMigrationsTable); err != nil {
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	applied := map[int]bool{}
	rows, err := conn.Query(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	vs, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return fmt.Errorf("pgstore: migrate: %w", err)
	}
	for _, v := range vs {
		applied[v] = true
	}
	for _, f := range files {
		if applied[f.Version] {
			continue
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, f.SQL); err != nil {
				return err
			}
			if f.Version == 1 {
				for _, c := range data.DefaultCategories {
					if _, err := tx.Exec(ctx, sqlSeedCategory, c.Code, c.Name, c.NameEN, int64(c.Deadline/time.Second)); err != nil {
						return err
					}
				}
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, f.Version, f.Name)
			return err
		})
		if err != nil {
			// PostgreSQL's detail names the offending row (a duplicate
			// key, say), which the error's text leaves out.
			var pe *pgconn.PgError
			if errors.As(err, &pe) && pe.Detail != "" {
				return fmt.Errorf("pgstore: migrate %s: %w: %s", f.Name, err, pe.Detail)
			}
			return fmt.Errorf("pgstore: migrate %s: %w", f.Name, err)
		}
	}
	return nil
}

// Pool exposes the connection pool to cmd and tests (e.g. for health checks);
// other packages must go through data.Store.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Channel is the LISTEN/NOTIFY channel this store announces revisions on.
func (s *Store) Channel() string { return s.channel }

// write runs fn in a transaction and commits (pgx.BeginFunc); any error
// rolls back. When ctx ended meanwhile the error wraps ctx.Err(): pgx
// closes the connection of a cancelled query, and the statement in flight
// fails with whatever it meets ("use of closed network connection", …).
// publishLock is the advisory lock key that orders revisions against
// report intake: a transaction that may publish a revision takes it
// exclusively first (writePublishing), CreateReport and CreateReports under
// data.RequireCurrentRouting take it shared (checkRoutingCurrent).
const publishLock int64 = 0x77616e6767652d72 // "wangge-r"

// writePublishing is write for a transaction that may publish a revision:
// it takes publishLock exclusively before anything else (so that it never
// waits for the lock while holding row locks an intake might wait for).
func (s *Store) writePublishing(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return s.write(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, publishLock); err != nil {
			return err
		}
		return fn(tx)
	})
}

func (s *Store) write(ctx context.Context, fn func(tx pgx.Tx) error) error {
	err := pgx.BeginFunc(ctx, s.pool, fn)
	if err != nil && ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		return fmt.Errorf("%w: %v", ctx.Err(), err)
	}
	return err
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
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("pgstore: %s: %w", op, data.ErrNotFound)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return fmt.Errorf("pgstore: %s: %s: %w", op, pe.ConstraintName, data.ErrConflict)
		case "23503": // foreign_key_violation
			return &data.ValidationError{Index: -1, Field: pe.ConstraintName, Reason: "refers to a row that does not exist"}
		case "23514", "23502", "22P02", "22023", "XX000": // check, not null, bad text, bad parameter, PostGIS geometry errors
			field := pe.ConstraintName
			if field == "" {
				field = pe.ColumnName
			}
			return &data.ValidationError{Index: -1, Field: field, Reason: pe.Message}
		}
	}
	return fmt.Errorf("pgstore: %s: %w", op, err)
}

// publish writes a revision noted note inside tx and announces it (at
// COMMIT); an empty note publishes nothing.
func (s *Store) publish(ctx context.Context, tx pgx.Tx, note string) error {
	if note == "" {
		return nil
	}
	id, err := newRevision(ctx, tx, time.Time{}, note)
	if err != nil {
		return err
	}
	if _, err := finishRevision(ctx, tx, id); err != nil {
		return err
	}
	return s.notify(ctx, tx, id)
}

// notify announces revision id inside tx (delivered at COMMIT).
func (s *Store) notify(ctx context.Context, tx pgx.Tx, id int64) error {
	_, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, s.channel, strconv.FormatInt(id, 10))
	return err
}

// farFuture stands for "no upper bound" in time windows.
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

func utc(t time.Time) time.Time { return t.UTC() }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
