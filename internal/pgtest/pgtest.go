// Package pgtest gives tests a real PostGIS database: the URL of the test
// database (env WANGGE_TEST_DATABASE_URL, default the local test database)
// with the postgis extension present, and fresh schemas that are dropped
// after the test. When PostGIS is unreachable a test is skipped — unless
// the environment variable CI is set, when it fails: CI must never hide a
// missing PostGIS behind a skip.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
)

// DefaultURL is the test database used when WANGGE_TEST_DATABASE_URL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

var (
	once    sync.Once
	baseErr error
)

// URL returns the test database URL after making sure PostGIS is there.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("WANGGE_TEST_DATABASE_URL")
	if u == "" {
		u = DefaultURL
	}
	once.Do(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			baseErr = err
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public`); err != nil {
			baseErr = err
			return
		}
		var v string
		baseErr = conn.QueryRow(ctx, `SELECT public.postgis_version()`).Scan(&v)
	})
	if baseErr != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostGIS unavailable at %s: %v", u, baseErr)
		}
		t.Skipf("PostGIS unavailable at %s (with CI set this fails): %v", u, baseErr)
	}
	return u
}

// FreshSchema creates a schema wt_<random>, drops it (cascade) when the
// test ends, and returns a database URL whose search_path is that schema
// then public, so a store opened on it sees only its own tables and the
// postgis functions.
func FreshSchema(t testing.TB) string {
	t.Helper()
	base := URL(t)
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
		conn, err := pgx.Connect(context.Background(), base)
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
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
