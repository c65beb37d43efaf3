package pgstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
)

// sqlGridAt is the boundary rule of geo.Index in SQL: of the grids whose
// polygon covers the point (ST_Covers: boundary included, hole rings too),
// the one with the lowest code in byte order (codes are COLLATE "C").
const sqlGridAt = `SELECT code FROM areas
	WHERE level = 'grid' AND ST_Covers(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))
	ORDER BY code LIMIT 1`

// sqlGridsAt is sqlGridAt for many points in one statement (unnest).
const sqlGridsAt = `SELECT p.i, (SELECT a.code FROM areas a
	WHERE a.level = 'grid' AND ST_Covers(a.geom, ST_SetSRID(ST_MakePoint(p.x, p.y), 4326))
	ORDER BY a.code LIMIT 1)
	FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS p(x, y, i)`

// GridAt returns the code of the grid routing a lon/lat point by the
// in-memory router's boundary rule, computed by PostGIS; "" when no grid
// covers it. It is the database's side of `wangge bench route` and a
// cross-check for operators (the router answers the same in nanoseconds).
func (s *Store) GridAt(ctx context.Context, lon, lat float64) (string, error) {
	var code string
	err := s.pool.QueryRow(ctx, sqlGridAt, lon, lat).Scan(&code)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return code, err
}

// GridsAt is GridAt for many points in one round trip, in input order.
func (s *Store) GridsAt(ctx context.Context, pts []orb.Point) ([]string, error) {
	xs, ys := make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		xs[i], ys[i] = p[0], p[1]
	}
	rows, err := s.pool.Query(ctx, sqlGridsAt, xs, ys)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]string, len(pts))
	for rows.Next() {
		var i int64
		var code *string
		if err := rows.Scan(&i, &code); err != nil {
			return nil, err
		}
		if code != nil && i >= 1 && int(i) <= len(out) {
			out[i-1] = *code
		}
	}
	return out, rows.Err()
}

// OpenScratch creates a throwaway schema in the database at dbURL, opens
// a migrated store in it, and returns a function that closes the store and
// drops the schema. For benchmarks that must not touch real data.
func OpenScratch(ctx context.Context, dbURL, prefix string) (*Store, func() error, error) {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	schema := prefix + "_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return nil, nil, err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		return nil, nil, err
	}
	drop := func() error {
		c, err := pgx.Connect(context.Background(), dbURL)
		if err != nil {
			return err
		}
		defer c.Close(context.Background())
		_, err = c.Exec(context.Background(), "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
		return err
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		drop()
		return nil, nil, err
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	st, err := Open(ctx, u.String())
	if err == nil {
		err = st.Migrate(ctx)
	}
	if err != nil {
		drop()
		return nil, nil, fmt.Errorf("scratch schema: %w", err)
	}
	return st, func() error { st.Close(); return drop() }, nil
}
