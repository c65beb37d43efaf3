package api_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/wangge-dev/wangge/data/sqlitestore"
)

// TestBusyStore: while another process holds the embedded store's write
// lock (a `wangge import` beside the server), a write request waits for it
// (10 s), then answers 503 "busy" with Retry-After and writes nothing; once
// the lock is released the same request succeeds.
func TestBusyStore(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the store's 10 s busy timeout")
	}
	path := filepath.Join(t.TempDir(), "wangge.db")
	st, err := sqlitestore.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, "sqlite", st, testConfig)
	reports, events := e.counts()

	other, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.Begin() // BEGIN IMMEDIATE: the write lock
	if err != nil {
		t.Fatal(err)
	}
	body := map[string]any{"category": "other", "description": "忙时上报", "lon": 120.05, "lat": 36.5}
	r := e.do("POST", "/api/v1/reports", "grid_staff", body, nil)
	if r.status != 503 || errCode(t, r) != "busy" || r.header.Get("Retry-After") == "" {
		t.Fatalf("write under another writer's lock: %d %s (Retry-After %q)", r.status, r.body, r.header.Get("Retry-After"))
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if r2, e2 := e.counts(); r2 != reports || e2 != events {
		t.Fatalf("a refused write changed the store: reports %d→%d, events %d→%d", reports, r2, events, e2)
	}
	if r := e.do("POST", "/api/v1/reports", "grid_staff", body, nil); r.status != 201 {
		t.Fatalf("after the lock is released: %d %s", r.status, r.body)
	}
}
