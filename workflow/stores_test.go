package workflow_test

import (
	"context"
	"testing"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/data/pgstore"
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
