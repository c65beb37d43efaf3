package pgstore

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/data/sqlitestore"
	"github.com/wangge-dev/wangge/data/storetest"
)

// TestStoresAgree loads one synthetic district (random points, times and
// statuses) into PostGIS and into SQLite and checks that heatmaps, area
// figures, bbox queries and report lists are identical: PostGIS is the
// oracle for the embedded store.
func TestStoresAgree(t *testing.T) {
	pg := openTest(t, freshSchema(t))
	if err := pg.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	sq, err := sqlitestore.Open(t.Context(), filepath.Join(t.TempDir(), "agree.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sq.Close() })
	if err := sq.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	z := storetest.Size{Streets: 3, Communities: 4, Grids: 5, Buildings: 500, People: 100, Reports: 5000, Events: 8000}
	for _, s := range []data.Store{pg, sq} {
		if _, err := s.Load(t.Context(), storetest.Synthetic(z, 7)); err != nil {
			t.Fatal(err)
		}
	}
	from, to, now := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)
	box := &orb.Bound{Min: orb.Point{120.013, 36.007}, Max: orb.Point{120.101, 36.033}}
	t.Run("heatmap", func(t *testing.T) {
		for _, q := range []data.HeatmapQuery{
			{Cell: 0.001}, {Cell: 0.0037}, {Cell: 0.01, From: from, To: to}, {Cell: 0.002, BBox: box},
			{Cell: 0.005, Category: []string{"other", "safety_hazard"}, Areas: []string{"370213002"}},
		} {
			a, err := pg.Heatmap(t.Context(), q)
			if err != nil {
				t.Fatal(err)
			}
			b, err := sq.Heatmap(t.Context(), q)
			if err != nil {
				t.Fatal(err)
			}
			if len(a) == 0 || !reflect.DeepEqual(a, b) {
				t.Fatalf("cell %v: postgis %d cells, sqlite %d cells, differ", q.Cell, len(a), len(b))
			}
		}
	})
	t.Run("area stats", func(t *testing.T) {
		for _, l := range data.Levels {
			for _, w := range [][2]time.Time{{from, to}, {}} {
				a, err := pg.AreaStats(t.Context(), l, w[0], w[1], now)
				if err != nil {
					t.Fatal(err)
				}
				b, err := sq.AreaStats(t.Context(), l, w[0], w[1], now)
				if err != nil {
					t.Fatal(err)
				}
				if len(a) == 0 || !reflect.DeepEqual(a, b) {
					t.Fatalf("level %s: differ\npostgis %+v\nsqlite  %+v", l, a[:min(3, len(a))], b[:min(3, len(b))])
				}
			}
		}
	})
	t.Run("bbox and lists", func(t *testing.T) {
		for i, q := range []data.ReportQuery{
			{BBox: box}, {BBox: box, Open: true, Limit: 20, Offset: 5}, {Areas: []string{"370213001002"}, From: from, To: to},
			{Open: true, DueBefore: now, Limit: 50},
		} {
			a, na, err := pg.ListReports(t.Context(), q)
			if err != nil {
				t.Fatal(err)
			}
			b, nb, err := sq.ListReports(t.Context(), q)
			if err != nil {
				t.Fatal(err)
			}
			if na == 0 || na != nb || !reflect.DeepEqual(a, b) {
				t.Fatalf("query %d: postgis %d/%d, sqlite %d/%d", i, len(a), na, len(b), nb)
			}
		}
		for _, b := range []*orb.Bound{box, {Min: orb.Point{120.02, 36.02}, Max: orb.Point{120.02, 36.02}}} {
			x, nx, err := pg.ListAreas(t.Context(), data.AreaQuery{BBox: b})
			if err != nil {
				t.Fatal(err)
			}
			y, ny, err := sq.ListAreas(t.Context(), data.AreaQuery{BBox: b})
			if err != nil {
				t.Fatal(err)
			}
			if nx == 0 || nx != ny || !reflect.DeepEqual(x, y) {
				t.Fatalf("bbox %v: postgis %d areas, sqlite %d", b, nx, ny)
			}
		}
		pa, err := pg.Partition(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		pb, err := sq.Partition(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(pa.Areas, pb.Areas) || !reflect.DeepEqual(pa.People, pb.People) {
			t.Fatal(fmt.Sprintf("partitions differ: %d/%d areas", len(pa.Areas), len(pb.Areas)))
		}
	})
}
