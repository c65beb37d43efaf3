package open311_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/data/pgstore"
	"github.com/wangge-dev/wangge/data/sqlitestore"
	"github.com/wangge-dev/wangge/internal/pgtest"
)

// TestOpen311PostGIS runs the Open311 scenarios on pgstore (fresh schema each).
func TestOpen311PostGIS(t *testing.T) {
	runOpen311(t, func(t *testing.T) data.Store {
		st, err := pgstore.Open(t.Context(), pgtest.FreshSchema(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if err := st.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		return st
	})
}

// TestOpen311SQLite runs the Open311 scenarios on sqlitestore (a fresh file each).
func TestOpen311SQLite(t *testing.T) {
	runOpen311(t, func(t *testing.T) data.Store {
		st, err := sqlitestore.Open(context.Background(), filepath.Join(t.TempDir(), "wangge.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if err := st.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		return st
	})
}
