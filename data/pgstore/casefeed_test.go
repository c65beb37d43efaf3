package pgstore

import (
	"testing"
	"time"

	"github.com/wangge-dev/wangge/data"
)

func nextChange(t *testing.T, ch <-chan data.CaseChange) data.CaseChange {
	t.Helper()
	select {
	case c, ok := <-ch:
		if !ok {
			t.Fatal("channel closed")
		}
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no case change within 10s")
	}
	return data.CaseChange{}
}

// TestCaseFeed: changes announced through one store reach the listener of
// another on the same schema, in order; a payload with a space is refused;
// after the listener's connection is killed it reconnects and first says
// "reload" (what was announced meanwhile is lost), then hears again.
func TestCaseFeed(t *testing.T) {
	u := freshSchema(t)
	writer, reader := openTest(t, u), openTest(t, u)
	ch, err := reader.CaseChanges(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	cs := []data.CaseChange{{Origin: "a1", ReportID: 7, Event: "report"}, {Origin: "a1", ReportID: 9, Event: "report"}}
	if err := writer.AnnounceCases(t.Context(), cs); err != nil {
		t.Fatal(err)
	}
	for _, want := range cs {
		if got := nextChange(t, ch); got != want {
			t.Fatalf("heard %+v, want %+v", got, want)
		}
	}
	if err := writer.AnnounceCases(t.Context(), []data.CaseChange{{Origin: "a b", ReportID: 1, Event: "report"}}); err == nil {
		t.Fatal("an origin with a space was announced")
	}

	var pid int32
	app := "wangge-cases " + reader.schema
	if err := writer.pool.QueryRow(t.Context(), `SELECT coalesce(max(pid), 0) FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&pid); err != nil || pid == 0 {
		t.Fatalf("listener connection not found: %v", err)
	}
	var killed bool
	if err := writer.pool.QueryRow(t.Context(), `SELECT pg_terminate_backend($1)`, pid).Scan(&killed); err != nil || !killed {
		t.Fatalf("pg_terminate_backend: %v %v", killed, err)
	}
	if got := nextChange(t, ch); got.Event != "reload" {
		t.Fatalf("after the reconnect: %+v, want a reload", got)
	}
	after := data.CaseChange{Origin: "b2", ReportID: 11, Event: "report"}
	if err := writer.AnnounceCases(t.Context(), []data.CaseChange{after}); err != nil {
		t.Fatal(err)
	}
	if got := nextChange(t, ch); got != after {
		t.Fatalf("after the reconnect heard %+v, want %+v", got, after)
	}
}
