package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/data/pgstore"
	"github.com/wangge-dev/wangge/data/sqlitestore"
)

// defaultDB is the embedded store used when neither --db nor DATABASE_URL is given.
const defaultDB = "wangge.db"

// addDBFlag registers --db (default $DATABASE_URL, else ./wangge.db).
func addDBFlag(fs *flag.FlagSet) *string {
	return fs.String("db", envOr("DATABASE_URL", defaultDB),
		"store: a postgres:// URL selects PostGIS; anything else is the path of the embedded SQLite file (env DATABASE_URL)")
}

func isPostgresURL(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// migrator is implemented by both stores.
type migrator interface {
	Migrate(ctx context.Context) error
}

// openStore opens the store named by db and applies its migrations.
func openStore(ctx context.Context, db string) (data.Store, error) {
	var (
		st  data.Store
		err error
	)
	if isPostgresURL(db) {
		st, err = pgstore.Open(ctx, db)
	} else {
		st, err = sqlitestore.Open(ctx, db)
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", redact(db), err)
	}
	if m, ok := st.(migrator); ok {
		if err := m.Migrate(ctx); err != nil {
			st.Close()
			return nil, fmt.Errorf("migrate %s: %w", redact(db), err)
		}
	}
	return st, nil
}

// redact hides a password in a database URL for logs.
func redact(db string) string {
	if i := strings.Index(db, "://"); i >= 0 {
		if j := strings.LastIndex(db, "@"); j > i {
			if k := strings.Index(db[i+3:j], ":"); k >= 0 {
				return db[:i+3+k] + ":***" + db[j:]
			}
		}
	}
	return db
}

// runMigrate applies the migrations of the store named by --db.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", stderr)
	db := addDBFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	rev, err := st.CurrentRevision(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "migrated %s store %s (current revision %d)\n", st.Kind(), redact(*db), rev)
	return nil
}
