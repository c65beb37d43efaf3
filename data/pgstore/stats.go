package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/data"
)

// Heatmap bins the locations of the matching reports into square cells of
// q.Cell degrees aligned on (0, 0): cell (i, j) holds the points with
// floor(lon/Cell) = i and floor(lat/Cell) = j (float8 arithmetic, as in Go),
// and is returned as its centre ((i+0.5)·Cell, (j+0.5)·Cell) with a count.
// Cells are ordered by i, then j; empty cells are left out. A Cell that is
// not positive is a *data.ValidationError.
func (s *Store) Heatmap(ctx context.Context, q data.HeatmapQuery) ([]data.HeatCell, error) {
	if !(q.Cell > 0) {
		return nil, &data.ValidationError{Index: -1, Field: "cell", Reason: "cell size must be positive"}
	}
	w := reportWhere(data.ReportQuery{Areas: q.Areas, Category: q.Category, From: q.From, To: q.To, BBox: q.BBox})
	c := w.p(q.Cell)
	sql := `SELECT floor(lon / ` + c + `::float8)::bigint AS i, floor(lat / ` + c + `::float8)::bigint AS j, count(*)
FROM reports` + w.sql() + ` GROUP BY 1, 2 ORDER BY 1, 2`
	rows, err := s.pool.Query(ctx, sql, w.args...)
	if err != nil {
		return nil, translate("heatmap", err)
	}
	var (
		i, j int64
		n    int
		out  []data.HeatCell
	)
	_, err = pgx.ForEachRow(rows, []any{&i, &j, &n}, func() error {
		out = append(out, data.HeatCell{Point: orb.Point{(float64(i) + 0.5) * q.Cell, (float64(j) + 0.5) * q.Cell}, Count: n})
		return nil
	})
	if err != nil {
		return nil, translate("heatmap", err)
	}
	return out, nil
}

// AreaStats returns the figures of every area of level (ordered by code,
// areas without reports included) over the window [from, to) — a zero to
// means no upper bound — counting each report under the area its routing
// names at that level:
//   - Reports: created in the window; Open: of those, not closed or rejected;
//     Overdue: of those open, DueAt before now.
//   - Closed: status closed with ClosedAt in the window; ClosedOnTime: of
//     those, ClosedAt not after DueAt; MedianCloseSec: median of ClosedAt −
//     CreatedAt in seconds over them (mean of the two middle values for an
//     even count; 0 when none).
func (s *Store) AreaStats(ctx context.Context, level data.Level, from, to, now time.Time) ([]data.AreaStat, error) {
	col, ok := routingColumn[string(level)]
	if !ok {
		return nil, &data.ValidationError{Index: -1, Field: "level", Reason: fmt.Sprintf("unknown level %q", level)}
	}
	if to.IsZero() {
		to = farFuture
	}
	if now.IsZero() {
		now = time.Now()
	}
	sql := sqlAreaStatsHead + pgx.Identifier{col}.Sanitize() + sqlAreaStatsTail
	rows, err := s.pool.Query(ctx, sql, string(level), from, to, now)
	if err != nil {
		return nil, translate("area stats", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (data.AreaStat, error) {
		a := data.AreaStat{Level: level}
		err := r.Scan(&a.Code, &a.Name, &a.Reports, &a.Open, &a.Overdue, &a.Closed, &a.ClosedOnTime, &a.MedianCloseSec)
		return a, err
	})
	if err != nil {
		return nil, translate("area stats", err)
	}
	return out, nil
}
