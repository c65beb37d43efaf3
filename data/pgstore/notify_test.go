package pgstore

import (
	"context"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/data"
)

// next waits for a value on ch up to 10 s.
func next(t *testing.T, ch <-chan int64) int64 {
	t.Helper()
	select {
	case id, ok := <-ch:
		if !ok {
			t.Fatal("channel closed")
		}
		return id
	case <-time.After(10 * time.Second):
		t.Fatal("no revision within 10s")
	}
	return 0
}

// waitFor reads ch until it yields want (ids may repeat or lag behind).
func waitFor(t *testing.T, ch <-chan int64, want int64) {
	t.Helper()
	for {
		if id := next(t, ch); id == want {
			return
		} else if id > want {
			t.Fatalf("got revision %d, past %d", id, want)
		}
	}
}

func grid(code string) []data.Area {
	return []data.Area{{Code: code, Level: data.LevelGrid,
		Geom: orb.MultiPolygon{{{{120, 36}, {120.1, 36}, {120.1, 36.1}, {120, 36}}}}}}
}

// TestRevisionsAcrossStores: a revision written through one store reaches
// the channel of another store on the same schema (another server).
func TestRevisionsAcrossStores(t *testing.T) {
	u := freshSchema(t)
	writer, reader := openTest(t, u), openTest(t, u)
	if err := writer.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	ch, err := reader.Revisions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if id := next(t, ch); id != 0 {
		t.Fatalf("first value = %d, want the current revision 0", id)
	}
	for _, code := range []string{"a", "b"} {
		rev, err := writer.PutAreas(t.Context(), grid(code), false, code)
		if err != nil {
			t.Fatal(err)
		}
		if id := next(t, ch); id != rev.ID {
			t.Fatalf("received %d, want %d", id, rev.ID)
		}
	}
	ds := &data.Dataset{Areas: grid("c")}
	rev, err := writer.Load(t.Context(), ds)
	if err != nil {
		t.Fatal(err)
	}
	if id := next(t, ch); id != rev.ID {
		t.Fatalf("Load: received %d, want %d", id, rev.ID)
	}
	// A failed write announces nothing: the next id is the next success.
	if _, err := writer.PutAreas(t.Context(), grid("a"), false, "dup"); err == nil {
		t.Fatal("duplicate accepted")
	}
	rev, err = writer.PutAreas(t.Context(), grid("d"), false, "d")
	if err != nil {
		t.Fatal(err)
	}
	if id := next(t, ch); id != rev.ID {
		t.Fatalf("after a failed write: received %d, want %d", id, rev.ID)
	}
	cancel()
	for range ch { // closed when ctx ends
	}
}

// TestRevisionsReconnect: the listener's connection is killed on the
// server; the store reconnects and sends the current revision (catch-up),
// including one committed while it was disconnected.
func TestRevisionsReconnect(t *testing.T) {
	u := freshSchema(t)
	writer, reader := openTest(t, u), openTest(t, u)
	if err := writer.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	ch, err := reader.Revisions(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	next(t, ch)
	app := "wangge-listen " + reader.schema
	pid := func() int32 {
		var pid int32
		err := writer.pool.QueryRow(t.Context(), `SELECT coalesce(max(pid), 0) FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&pid)
		if err != nil {
			t.Fatal(err)
		}
		return pid
	}
	before := pid()
	if before == 0 {
		t.Fatal("listener connection not found in pg_stat_activity")
	}
	var killed bool
	if err := writer.pool.QueryRow(t.Context(), `SELECT pg_terminate_backend($1)`, before).Scan(&killed); err != nil || !killed {
		t.Fatalf("pg_terminate_backend: %v %v", killed, err)
	}
	rev, err := writer.PutAreas(t.Context(), grid("while-down"), false, "")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ch, rev.ID)
	after := pid()
	if after == 0 || after == before {
		t.Fatalf("listener pid %d after reconnect (was %d)", after, before)
	}
	// And it keeps listening on the new connection.
	rev, err = writer.PutAreas(t.Context(), grid("after"), false, "")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ch, rev.ID)
}
