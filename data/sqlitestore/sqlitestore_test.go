package sqlitestore

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/data/storetest"
)

func openTemp(t testing.TB) *Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "wangge.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) data.Store { return openTemp(t) })
}

func TestContractMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) data.Store {
		s, err := Open(t.Context(), ":memory:")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if err := s.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func BenchmarkLoadDistrict(b *testing.B) {
	storetest.BenchmarkLoad(b, storetest.District, func(b *testing.B) data.Store { return openTemp(b) })
}

// TestBusy holds the write lock of the file from another connection (as a
// `wangge import` beside the server does): a write that cannot get it in
// time fails with data.ErrBusy and writes nothing.
// openTwo opens two Stores on one new, migrated file (as two processes
// would); both close when the test ends.
func openTwo(t *testing.T) (s, other *Store) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "wangge.db")
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if other, err = Open(t.Context(), path); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	return s, other
}

func TestBusy(t *testing.T) {
	old := busyTimeoutMS
	busyTimeoutMS = 200
	t.Cleanup(func() { busyTimeoutMS = old })
	s, other := openTwo(t)
	tx, err := other.w.BeginTx(t.Context(), nil) // _txlock=immediate: takes the write lock
	if err != nil {
		t.Fatal(err)
	}
	err = s.PutToken(t.Context(), 1, "abc", "x")
	if !errors.Is(err, data.ErrBusy) {
		t.Fatalf("write under another writer's lock: %v, want data.ErrBusy", err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PersonByToken(t.Context(), "abc"); !errors.Is(err, data.ErrNotFound) {
		t.Fatalf("the refused write left a token: %v", err)
	}
}

// TestMigrateRefusesTwoLeaders: a file from before the one-leader index,
// holding two leaders for a grid, stops the migration and keeps its data;
// once one is relieved it migrates.
func TestMigrateRefusesTwoLeaders(t *testing.T) {
	ctx := t.Context()
	s := openTemp(t)
	// As it was before 0003_one_grid_leader.
	for _, q := range []string{
		`DROP INDEX assignments_one_grid_leader`,
		`DELETE FROM schema_migrations WHERE version = 3`,
		`INSERT INTO people (id, name) VALUES (1, 'a'), (2, 'b')`,
		`INSERT INTO assignments (person_id, pos, role, area_code) VALUES (1, 0, 'grid_leader', 'G7'), (2, 0, 'grid_leader', 'G7')`,
	} {
		if _, err := s.w.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	err := s.Migrate(ctx)
	if err == nil || !strings.Contains(err.Error(), "0003_one_grid_leader") || !strings.Contains(err.Error(), "assignments.area_code") {
		t.Fatalf("Migrate with two leaders of G7 = %v, want the migration's failure naming the column", err)
	}
	var n int
	if err := s.w.QueryRowContext(ctx, `SELECT count(*) FROM assignments WHERE area_code = 'G7'`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("after the failed migration G7 has %d assignments (%v), want both kept", n, err)
	}
	if _, err := s.w.ExecContext(ctx, `DELETE FROM assignments WHERE person_id = 2`); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate after relieving one leader: %v", err)
	}
	if _, err := s.w.ExecContext(ctx, `INSERT INTO assignments (person_id, pos, role, area_code) VALUES (2, 0, 'grid_leader', 'G7')`); !isLeaderConflict(err) {
		t.Fatalf("a second leader after the migration: %v, want the index's refusal", err)
	}
}
