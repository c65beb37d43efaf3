package pgstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/data/storetest"
)

const defaultTestURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

var extOnce sync.Once

// testURL returns the test database URL, or skips (fails when CI is set)
// when the database or PostGIS is unavailable. It makes sure the postgis
// extension exists in schema public.
func testURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("WANGGE_TEST_DATABASE_URL")
	if u == "" {
		u = defaultTestURL
	}
	var err error
	extOnce.Do(func() {
		var conn *pgx.Conn
		conn, err = pgx.Connect(context.Background(), u)
		if err != nil {
			return
		}
		defer conn.Close(context.Background())
		_, err = conn.Exec(context.Background(), `CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public`)
	})
	if err == nil {
		var conn *pgx.Conn
		if conn, err = pgx.Connect(context.Background(), u); err == nil {
			var v string
			err = conn.QueryRow(context.Background(), `SELECT public.postgis_version()`).Scan(&v)
			conn.Close(context.Background())
		}
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostGIS unavailable at %s: %v", u, err)
		}
		t.Skipf("PostGIS unavailable at %s (set CI to make this fail): %v", u, err)
	}
	return u
}

// freshSchema creates schema wt_<random>, drops it on cleanup, and returns
// a URL whose search_path is that schema then public (for PostGIS).
func freshSchema(t testing.TB) string {
	t.Helper()
	base := testURL(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "wt_" + hex.EncodeToString(b)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Error(err)
		}
	})
	pu, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := pu.Query()
	q.Set("search_path", schema+",public")
	pu.RawQuery = q.Encode()
	return pu.String()
}

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
