package sqlitestore

import (
	"context"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/migrations"
)

func next(t *testing.T, ch <-chan int64) int64 {
	t.Helper()
	select {
	case id, ok := <-ch:
		if !ok {
			t.Fatal("channel closed")
		}
		return id
	case <-time.After(5 * time.Second):
		t.Fatal("no revision within 5s")
	}
	return 0
}

func grid(code string) []data.Area {
	return []data.Area{{Code: code, Level: data.LevelGrid, Geom: orb.MultiPolygon{{{{120, 36}, {120.1, 36}, {120.1, 36.1}, {120, 36}}}}}}
}

// TestRevisions: every listener of the process hears each committed
// revision; a slow listener gets the latest; channels close with ctx.
func TestRevisions(t *testing.T) {
	s := openTemp(t)
	ctx, cancel := context.WithCancel(t.Context())
	a, err := s.Revisions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Revisions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if next(t, a) != 0 || next(t, b) != 0 {
		t.Fatal("first value is not the current revision 0")
	}
	r1, err := s.PutAreas(t.Context(), grid("a"), false, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := next(t, a); got != r1.ID {
		t.Fatalf("a received %d, want %d", got, r1.ID)
	}
	// b did not read r1 yet; two more revisions: b gets the latest.
	r2, err := s.Load(t.Context(), &data.Dataset{Areas: grid("b")})
	if err != nil {
		t.Fatal(err)
	}
	if got := next(t, a); got != r2.ID {
		t.Fatalf("a received %d, want %d", got, r2.ID)
	}
	if _, err := s.PutAreas(t.Context(), grid("a"), false, ""); err == nil {
		t.Fatal("duplicate accepted")
	}
	if got := next(t, b); got != r2.ID {
		t.Fatalf("slow b received %d, want the latest %d", got, r2.ID)
	}
	cancel()
	for range a {
	}
	for range b {
	}
}

// TestRevisionsOfOtherWriters: a listener hears the revisions that
// another Store on the same file commits (another process, such as
// `wangge user add` beside the server), by the poll.
func TestRevisionsOfOtherWriters(t *testing.T) {
	old := PollEvery
	PollEvery = 20 * time.Millisecond
	t.Cleanup(func() { PollEvery = old })
	s, other := openTwo(t)
	ch, err := s.Revisions(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got := next(t, ch); got != 0 {
		t.Fatalf("first value %d, want the current revision 0", got)
	}
	r1, err := other.PutAreas(t.Context(), grid("a"), false, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := next(t, ch); got != r1.ID {
		t.Fatalf("heard %d, want %d committed by the other writer", got, r1.ID)
	}
	p := data.Person{Name: "leader", Assignments: []data.Assignment{{Role: data.RoleGridLeader, AreaCode: "a"}}}
	if err := other.AddPerson(t.Context(), &p); err != nil {
		t.Fatal(err)
	}
	r2, err := other.CurrentRevision(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got := next(t, ch); r2 <= r1.ID || got != r2 {
		t.Fatalf("heard %d after the other writer added a grid leader, want %d (> %d)", got, r2, r1.ID)
	}
}

// TestMigrateIdempotent: a second Migrate on a reopened file applies
// nothing and keeps the data.
func TestMigrateIdempotent(t *testing.T) {
	path := t.TempDir() + "/m.db"
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutAreas(t.Context(), grid("a"), false, ""); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	files, err := migrations.List(migrations.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.r.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(files) {
		t.Fatalf("schema_migrations rows = %d (%v), want one per migration file (%d)", n, err, len(files))
	}
	if _, err := s.GetArea(t.Context(), "a"); err != nil {
		t.Fatal(err)
	}
	var mode string
	if err := s.w.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q (%v), want wal", mode, err)
	}
	var sync int
	if err := s.w.QueryRow(`PRAGMA synchronous`).Scan(&sync); err != nil || sync != 2 {
		t.Fatalf("synchronous = %d (%v), want 2 (FULL)", sync, err)
	}
}
