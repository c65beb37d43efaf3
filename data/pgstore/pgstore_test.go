package pgstore

import (
	"context"
	"strings"
	"testing"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/data/storetest"
	"github.com/wangge-dev/wangge/internal/pgtest"
)

// testURL and freshSchema give the tests real PostGIS (see internal/pgtest).
var (
	testURL     = pgtest.URL
	freshSchema = pgtest.FreshSchema
)

func openTest(t testing.TB, u string) *Store {
	t.Helper()
	s, err := Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) data.Store {
		s := openTest(t, freshSchema(t))
		if err := s.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func BenchmarkLoadDistrict(b *testing.B) {
	storetest.BenchmarkLoad(b, storetest.District, func(b *testing.B) data.Store {
		s := openTest(b, freshSchema(b))
		if err := s.Migrate(b.Context()); err != nil {
			b.Fatal(err)
		}
		return s
	})
}

// TestMigrateRefusesTwoLeaders: a database from before the one-leader
// index, holding two leaders for a grid, stops the migration with the
// grid's code and keeps its data; once one is relieved it migrates.
func TestMigrateRefusesTwoLeaders(t *testing.T) {
	ctx := t.Context()
	s := openTest(t, freshSchema(t))
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// As it was before 0002_one_grid_leader.
	for _, q := range []string{
		`DROP INDEX assignments_one_grid_leader`,
		`DELETE FROM schema_migrations WHERE version = 2`,
		`INSERT INTO people (id, name) VALUES (1, 'a'), (2, 'b')`,
		`INSERT INTO assignments (person_id, pos, role, area_code) VALUES (1, 0, 'grid_leader', 'G7'), (2, 0, 'grid_leader', 'G7')`,
	} {
		if _, err := s.pool.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	err := s.Migrate(ctx)
	if err == nil || !strings.Contains(err.Error(), "0002_one_grid_leader") || !strings.Contains(err.Error(), "(area_code)=(G7) is duplicated") {
		t.Fatalf("Migrate with two leaders of G7 = %v, want the migration's failure naming G7", err)
	}
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM assignments WHERE area_code = 'G7'`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("after the failed migration G7 has %d assignments (%v), want both kept", n, err)
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM assignments WHERE person_id = 2`); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate after relieving one leader: %v", err)
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO assignments (person_id, pos, role, area_code) VALUES (2, 0, 'grid_leader', 'G7')`); !isLeaderConflict(err) {
		t.Fatalf("a second leader after the migration: %v, want the index's refusal", err)
	}
}
