// Package oracle checks a geo.Index against PostGIS, point by point: the
// item PostGIS says covers each point (lowest key among ST_Covers), whether
// the point is on its boundary, the nearest item of an uncovered point and
// the near-border neighbour of a covered one, with the SQL rules documented
// on geo.Index. It is a test helper: tests of geo, routing and the demo
// district call Check with a real database (Connect).
package oracle

import (
	"context"
	"fmt"
	"github.com/wangge-dev/wangge/internal/pgtest"
	"math"
	"os"
	"sort"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/ewkb"
	"github.com/paulmach/orb/geojson"

	"github.com/wangge-dev/wangge/geo"
)

// Connect opens a connection to the test database with PostGIS enabled
// (internal/pgtest: skipped when unreachable, unless env CI is set, then it
// fails). The connection is closed when the test ends.
func Connect(t testing.TB) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// Options are the distances the index was built with (metres; zero values
// are the geo defaults, 30 and 200) and the batch size of the SQL.
type Options struct {
	NearBorderMeters float64
	NearestMeters    float64
	Batch            int // points per query; default 20,000
}

// Want is what PostGIS says about one point, in geo.Match terms.
type Want struct {
	Key       int32 // -1: none
	Kind      geo.MatchKind
	DistanceM float64
	NearKey   int32
	NearM     float64
}

// Disagreement is a point where the index and PostGIS differ.
type Disagreement struct {
	Index int // position in the point list
	Point orb.Point
	Got   geo.Match
	Want  Want
}

func (d Disagreement) String() string {
	return fmt.Sprintf("point %d POINT(%.17g %.17g): index %+v, PostGIS %+v", d.Index, d.Point[0], d.Point[1], d.Got, d.Want)
}

// Load writes items into the temporary table oracle_items(key, geom) of
// conn (replacing its content) with a GiST index. Geometries go over the
// wire as EWKB (SRID 4326).
func Load(ctx context.Context, conn *pgx.Conn, items []geo.Item) error {
	stmts := []string{
		"DROP TABLE IF EXISTS pg_temp.oracle_items",
		"CREATE TEMP TABLE oracle_items (key int PRIMARY KEY, geom geometry(MultiPolygon, 4326) NOT NULL)",
	}
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			return fmt.Errorf("oracle: %s: %w", s, err)
		}
	}
	const batch = 2000
	for i := 0; i < len(items); i += batch {
		j := min(i+batch, len(items))
		keys := make([]int32, 0, j-i)
		blobs := make([][]byte, 0, j-i)
		for _, it := range items[i:j] {
			b, err := ewkb.Marshal(it.Geom, 4326)
			if err != nil {
				return fmt.Errorf("oracle: encode item %d: %w", it.Key, err)
			}
			keys = append(keys, it.Key)
			blobs = append(blobs, b)
		}
		if _, err := conn.Exec(ctx, `INSERT INTO oracle_items (key, geom)
			SELECT k, ST_Multi(ST_GeomFromEWKB(g)) FROM unnest($1::int[], $2::bytea[]) AS u(k, g)`, keys, blobs); err != nil {
			return fmt.Errorf("oracle: insert items: %w", err)
		}
	}
	for _, s := range []string{"CREATE INDEX ON oracle_items USING gist (geom)", "ANALYZE oracle_items"} {
		if _, err := conn.Exec(ctx, s); err != nil {
			return fmt.Errorf("oracle: %s: %w", s, err)
		}
	}
	return nil
}

// The whole rule set of geo.Index in one statement: the lowest key among
// the items covering the point, whether it is on that item's boundary
// (covered but not contained), and the nearest other item by planar
// distance (ties: lowest key) within a search radius in degrees, with the
// sphere distance to its closest point.
const query = `
WITH p AS (
  SELECT ord, ST_SetSRID(ST_MakePoint(x, y), 4326) AS g
  FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS u(x, y, ord)
)
SELECT p.ord, w.key, w.edge, n.key, n.d, n.m
FROM p
LEFT JOIN LATERAL (
  SELECT t.key, NOT ST_Contains(t.geom, p.g) AS edge
  FROM oracle_items t WHERE ST_Covers(t.geom, p.g) ORDER BY t.key LIMIT 1
) w ON true
LEFT JOIN LATERAL (
  SELECT t.key, ST_Distance(t.geom, p.g) AS d,
         ST_DistanceSphere(p.g, ST_ClosestPoint(t.geom, p.g)) AS m
  FROM oracle_items t
  WHERE t.key IS DISTINCT FROM w.key
    AND ST_DWithin(t.geom, p.g, CASE WHEN w.key IS NULL THEN $3::float8 ELSE $4::float8 END)
  ORDER BY d, t.key LIMIT 1
) n ON true
ORDER BY p.ord`

// Ask returns PostGIS's answer for every point, with the items already
// loaded by Load.
func Ask(ctx context.Context, conn *pgx.Conn, pts []orb.Point, o Options) ([]Want, error) {
	nearM, nearestM := o.NearBorderMeters, o.NearestMeters
	if nearM == 0 {
		nearM = 30
	}
	if nearestM == 0 {
		nearestM = 200
	}
	nearM, nearestM = max(nearM, 0), max(nearestM, 0)
	batch := o.Batch
	if batch <= 0 {
		batch = 20000
	}
	// Search radii in degrees: generous (1.5× the conservative bound at
	// the highest latitude of the points), since only ranking matters and
	// the metre threshold is applied afterwards.
	maxLat := 0.0
	for _, p := range pts {
		if !math.IsNaN(p[1]) {
			maxLat = max(maxLat, math.Abs(p[1]))
		}
	}
	nearDeg := geo.DegreesFor(nearM, maxLat+0.5) * 1.5
	nearestDeg := geo.DegreesFor(nearestM, maxLat+0.5) * 1.5
	out := make([]Want, 0, len(pts))
	for i := 0; i < len(pts); i += batch {
		j := min(i+batch, len(pts))
		xs := make([]float64, 0, j-i)
		ys := make([]float64, 0, j-i)
		for _, p := range pts[i:j] {
			xs = append(xs, p[0])
			ys = append(ys, p[1])
		}
		rows, err := conn.Query(ctx, query, xs, ys, nearestDeg, nearDeg)
		if err != nil {
			return nil, fmt.Errorf("oracle: query: %w", err)
		}
		for rows.Next() {
			var ord int64
			var wKey, nKey *int32
			var edge *bool
			var d, m *float64
			if err := rows.Scan(&ord, &wKey, &edge, &nKey, &d, &m); err != nil {
				rows.Close()
				return nil, fmt.Errorf("oracle: scan: %w", err)
			}
			w := Want{Key: -1, NearKey: -1}
			meters := 0.0
			if d != nil && *d > 0 && m != nil {
				meters = *m
			}
			switch {
			case wKey != nil:
				w.Key, w.Kind = *wKey, geo.MatchInside
				if edge != nil && *edge {
					w.Kind = geo.MatchEdge
				}
				if nKey != nil && nearM > 0 && meters <= nearM {
					w.NearKey, w.NearM = *nKey, meters
				}
			case nKey != nil && nearestM > 0 && meters <= nearestM:
				w.Key, w.Kind, w.DistanceM = *nKey, geo.MatchNearest, meters
			}
			out = append(out, w)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("oracle: rows: %w", err)
		}
	}
	return out, nil
}

// Check loads items, asks PostGIS about every point and returns the points
// where ix (built from the same items with the same options) answers
// differently: another key or kind, another near-border neighbour, or a
// distance off by more than 1 mm.
// The Tally counts PostGIS's answers by kind (a check that found nothing to
// disagree on should still have met every kind).
func Check(ctx context.Context, conn *pgx.Conn, items []geo.Item, ix *geo.Index, pts []orb.Point, o Options) ([]Disagreement, Tally, error) {
	var tally Tally
	if err := Load(ctx, conn, items); err != nil {
		return nil, tally, err
	}
	wants, err := Ask(ctx, conn, pts, o)
	if err != nil {
		return nil, tally, err
	}
	var out []Disagreement
	for i, w := range wants {
		tally[w.Kind]++
		if w.NearKey >= 0 {
			tally[NearBorder]++
		}
		g := ix.Lookup(pts[i])
		if g.Key != w.Key || g.Kind != w.Kind || g.NearKey != w.NearKey ||
			math.Abs(g.DistanceM-w.DistanceM) > 1e-3 || math.Abs(g.NearM-w.NearM) > 1e-3 {
			out = append(out, Disagreement{Index: i, Point: pts[i], Got: g, Want: w})
		}
	}
	return out, tally, nil
}

// NearBorder is the Tally slot counting covered points with a near-border
// neighbour.
const NearBorder = 4

// Tally counts answers: by geo.MatchKind (none, inside, edge, nearest),
// then NearBorder.
type Tally [5]int

func (t Tally) String() string {
	return fmt.Sprintf("inside %d, edge %d, nearest %d, none %d, near-border %d", t[geo.MatchInside], t[geo.MatchEdge], t[geo.MatchNearest], t[geo.MatchNone], t[NearBorder])
}

// ReadGeoJSON reads the (Multi)Polygon features of a GeoJSON file as items
// ordered by the string property idProp (byte order): Key i is the i-th
// smallest id, so that key order is code order. It returns the ids too.
func ReadGeoJSON(path, idProp string) ([]geo.Item, []string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	type rec struct {
		id string
		g  orb.MultiPolygon
	}
	var recs []rec
	for i, f := range fc.Features {
		id := fmt.Sprint(f.Properties[idProp])
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			recs = append(recs, rec{id, orb.MultiPolygon{g}})
		case orb.MultiPolygon:
			recs = append(recs, rec{id, g})
		default:
			return nil, nil, fmt.Errorf("%s: feature %d: %T is not a polygon", path, i, f.Geometry)
		}
	}
	sort.Slice(recs, func(a, b int) bool { return recs[a].id < recs[b].id })
	items := make([]geo.Item, len(recs))
	ids := make([]string, len(recs))
	for i, r := range recs {
		items[i] = geo.Item{Key: int32(i), Geom: r.g}
		ids[i] = r.id
	}
	return items, ids, nil
}
