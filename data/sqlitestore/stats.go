package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/data"
)

// Heatmap bins the locations of the matching reports into square cells of
// q.Cell degrees aligned on (0, 0): cell (i, j) holds the points with
// floor(lon/Cell) = i and floor(lat/Cell) = j, and is returned as its centre
// ((i+0.5)·Cell, (j+0.5)·Cell) with a count; ordered by i, then j; empty
// cells left out. The arithmetic is float64 as in PostgreSQL's float8, so
// both stores give the same bins. A Cell that is not positive is a
// *data.ValidationError.
func (s *Store) Heatmap(ctx context.Context, q data.HeatmapQuery) ([]data.HeatCell, error) {
	if !(q.Cell > 0) {
		return nil, &data.ValidationError{Index: -1, Field: "cell", Reason: "cell size must be positive"}
	}
	w := reportWhere(data.ReportQuery{Areas: q.Areas, Category: q.Category, From: q.From, To: q.To, BBox: q.BBox})
	rows, err := s.r.QueryContext(ctx, `SELECT lon, lat FROM reports`+w.sql(), w.args...)
	if err != nil {
		return nil, translate("heatmap", err)
	}
	defer rows.Close()
	bins := map[[2]int64]int{}
	for rows.Next() {
		var lon, lat float64
		if err := rows.Scan(&lon, &lat); err != nil {
			return nil, translate("heatmap", err)
		}
		bins[[2]int64{int64(math.Floor(lon / q.Cell)), int64(math.Floor(lat / q.Cell))}]++
	}
	if err := rows.Err(); err != nil {
		return nil, translate("heatmap", err)
	}
	keys := make([][2]int64, 0, len(bins))
	for k := range bins {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		if keys[a][0] != keys[b][0] {
			return keys[a][0] < keys[b][0]
		}
		return keys[a][1] < keys[b][1]
	})
	var out []data.HeatCell
	for _, k := range keys {
		out = append(out, data.HeatCell{Point: orb.Point{(float64(k[0]) + 0.5) * q.Cell, (float64(k[1]) + 0.5) * q.Cell}, Count: bins[k]})
	}
	return out, nil
}

// routingColumn is the reports column holding the code of each level.
var routingColumn = map[data.Level]string{
	data.LevelGrid:      "grid_code",
	data.LevelCommunity: "community_code",
	data.LevelStreet:    "street_code",
	data.LevelDistrict:  "district_code",
}

// AreaStats returns the figures of every area of level over [from, to)
// (zero to = no upper bound), exactly as data/pgstore defines them:
// Reports created in the window, Open and Overdue (DueAt before now) among
// them, Closed (status closed, ClosedAt in the window), ClosedOnTime (ClosedAt
// not after DueAt) and MedianCloseSec (PostgreSQL's percentile_cont(0.5):
// lo + (hi−lo)·0.5 between the two middle values; 0 when none).
func (s *Store) AreaStats(ctx context.Context, level data.Level, from, to, now time.Time) ([]data.AreaStat, error) {
	col, ok := routingColumn[level]
	if !ok {
		return nil, &data.ValidationError{Index: -1, Field: "level", Reason: fmt.Sprintf("unknown level %q", level)}
	}
	if to.IsZero() {
		to = farFuture
	}
	if now.IsZero() {
		now = time.Now()
	}
	f, t, n := tm(from), tm(to), tm(now)
	var out []data.AreaStat
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT a.code, a.name,
			count(r.id) FILTER (WHERE r.created_at >= ?2 AND r.created_at < ?3),
			count(r.id) FILTER (WHERE r.created_at >= ?2 AND r.created_at < ?3 AND r.status NOT IN ('closed', 'rejected')),
			count(r.id) FILTER (WHERE r.created_at >= ?2 AND r.created_at < ?3 AND r.status NOT IN ('closed', 'rejected') AND r.due_at < ?4),
			count(r.id) FILTER (WHERE r.status = 'closed' AND r.closed_at >= ?2 AND r.closed_at < ?3),
			count(r.id) FILTER (WHERE r.status = 'closed' AND r.closed_at >= ?2 AND r.closed_at < ?3 AND r.closed_at <= r.due_at)
			FROM areas a LEFT JOIN reports r ON r.`+col+` = a.code
			WHERE a.level = ?1
			GROUP BY a.code, a.name
			ORDER BY a.code`, string(level), f, t, n)
		if err != nil {
			return err
		}
		at := map[string]int{}
		for rows.Next() {
			a := data.AreaStat{Level: level}
			if err := rows.Scan(&a.Code, &a.Name, &a.Reports, &a.Open, &a.Overdue, &a.Closed, &a.ClosedOnTime); err != nil {
				rows.Close()
				return err
			}
			at[a.Code] = len(out)
			out = append(out, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, `SELECT r.`+col+`, r.closed_at - r.created_at FROM reports r
			WHERE r.`+col+` <> '' AND r.status = 'closed' AND r.closed_at >= ?1 AND r.closed_at < ?2
			ORDER BY 1, 2`, f, t)
		if err != nil {
			return err
		}
		defer rows.Close()
		durs := map[string][]int64{}
		for rows.Next() {
			var (
				code string
				us   int64
			)
			if err := rows.Scan(&code, &us); err != nil {
				return err
			}
			durs[code] = append(durs[code], us)
		}
		for code, ds := range durs {
			if i, ok := at[code]; ok {
				out[i].MedianCloseSec = median(ds)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, translate("area stats", err)
	}
	return out, nil
}

// median of sorted microsecond durations, in seconds, computed like
// PostgreSQL's percentile_cont(0.5) over float8 seconds.
func median(us []int64) float64 {
	if len(us) == 0 {
		return 0
	}
	sec := func(i int) float64 { return float64(us[i]) / 1e6 }
	m := (len(us) - 1) / 2
	if len(us)%2 == 1 {
		return sec(m)
	}
	lo, hi := sec(m), sec(m+1)
	return lo + (hi-lo)*0.5
}
