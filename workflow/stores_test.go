package workflow_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/data/pgstore"
	"github.com/wangge-dev/wangge/data/sqlitestore"
	"github.com/wangge-dev/wangge/internal/pgtest"
)

// TestPostGIS runs the whole workflow suite (every role against every
// action included) on pgstore, each scenario in a fresh schema.
func TestPostGIS(t *testing.T) {
	runSuite(t, openPG)
}

func openPG(t *testing.T) data.Store { return openPGTB(t) }

func openPGTB(t testing.TB) data.Store {
	t.Helper()
	st, err := pgstore.Open(context.Background(), pgtest.FreshSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestSQLite runs the whole workflow suite on sqlitestore, each scenario on
// a fresh file.
func TestSQLite(t *testing.T) {
	runSuite(t, openSQLite)
}

func openSQLite(t *testing.T) data.Store { return openSQLiteTB(t) }

func openSQLiteTB(t testing.TB) data.Store {
	t.Helper()
	st, err := sqlitestore.Open(context.Background(), filepath.Join(t.TempDir(), "wangge.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}
