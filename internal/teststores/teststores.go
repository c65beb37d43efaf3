// Package teststores opens fresh, migrated stores of both kinds for tests
// that must run on each: the embedded SQLite store on a temp file and the
// PostGIS store in a throwaway schema (internal/pgtest: a missing PostGIS
// skips locally and fails when CI is set).
package teststores

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/data/pgstore"
	"github.com/wangge-dev/wangge/data/sqlitestore"
	"github.com/wangge-dev/wangge/internal/pgtest"
)

// Kind is a store kind with the function that opens a fresh one.
type Kind struct {
	Name string // "sqlite" or "postgis"
	Open func(t testing.TB) data.Store
}

// All lists both kinds, embedded first.
var All = []Kind{{"sqlite", SQLite}, {"postgis", PostGIS}}

// SQLite opens a migrated embedded store on a new file in t.TempDir().
func SQLite(t testing.TB) data.Store {
	t.Helper()
	st, err := sqlitestore.Open(context.Background(), filepath.Join(t.TempDir(), "wangge.db"))
	return migrated(t, st, err)
}

// PostGIS opens a migrated PostGIS store in a fresh schema.
func PostGIS(t testing.TB) data.Store {
	t.Helper()
	st, err := pgstore.Open(context.Background(), pgtest.FreshSchema(t))
	return migrated(t, st, err)
}

type migrator interface {
	data.Store
	Migrate(context.Context) error
}

func migrated[S migrator](t testing.TB, st S, err error) data.Store {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

// Each runs fn as a subtest per store kind, each with a fresh store.
func Each(t *testing.T, fn func(t *testing.T, st data.Store)) {
	for _, k := range All {
		t.Run(k.Name, func(t *testing.T) { fn(t, k.Open(t)) })
	}
}
