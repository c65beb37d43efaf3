package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wangge-dev/wangge/data"
)

func mediaValue(m []string) []string {
	if m == nil {
		return []string{}
	}
	return m
}

// reportValues lists r's columns in reportCopyCols order.
func reportValues(r *data.Report, id int64) []any {
	return []any{id, r.Category, r.Description, r.Location[0], r.Location[1], r.Address, mediaValue(r.MediaURLs),
		string(r.Source), r.ReporterID, r.ReporterName, r.ReporterPhone, string(r.Status), r.Routing.GridCode,
		r.Routing.CommunityCode, r.Routing.StreetCode, r.Routing.DistrictCode, r.Routing.LeaderID, r.Routing.Match,
		r.Routing.DistanceM, r.Routing.Revision, r.AssigneeID, r.DuplicateOf, string(r.Escalation), r.CreatedAt,
		r.UpdatedAt, r.DueAt, r.ClosedAt, nullIfEmpty(r.IdempotencyKey), r.RequestHash}
}

func scanReport(row pgx.Row) (data.Report, error) {
	var (
		r                 data.Report
		media             []string
		src, st, esc      string
		created, upd, due time.Time
		closed            *time.Time
	)
	err := row.Scan(&r.ID, &r.Category, &r.Description, &r.Location[0], &r.Location[1], &r.Address, &media, &src,
		&r.ReporterID, &r.ReporterName, &r.ReporterPhone, &st, &r.Routing.GridCode, &r.Routing.CommunityCode,
		&r.Routing.StreetCode, &r.Routing.DistrictCode, &r.Routing.LeaderID, &r.Routing.Match, &r.Routing.DistanceM,
		&r.Routing.Revision, &r.AssigneeID, &r.DuplicateOf, &esc, &created, &upd, &due, &closed,
		&r.IdempotencyKey, &r.RequestHash)
	if err != nil {
		return r, err
	}
	if len(media) > 0 {
		r.MediaURLs = media
	}
	r.Source, r.Status, r.Escalation = data.Source(src), data.Status(st), data.Level(esc)
	r.CreatedAt, r.UpdatedAt, r.DueAt, r.ClosedAt = created.UTC(), upd.UTC(), due.UTC(), utcPtr(closed)
	return r, nil
}

func collectReports(rows pgx.Rows) ([]data.Report, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (data.Report, error) { return scanReport(r) })
}

func eventData(m map[string]any) ([]byte, error) {
	if m == nil {
		return nil, nil
	}
	return json.Marshal(m)
}

func eventValues(ev *data.Event, reportID int64) ([]any, error) {
	d, err := eventData(ev.Data)
	if err != nil {
		return nil, &data.ValidationError{Index: -1, Field: "data", Reason: err.Error()}
	}
	return []any{reportID, ev.Kind, string(ev.From), string(ev.To), ev.ActorID, ev.At, ev.Reason, d}, nil
}

func insertEvent(ctx context.Context, tx pgx.Tx, ev *data.Event, reportID int64) error {
	vals, err := eventValues(ev, reportID)
	if err != nil {
		return err
	}
	if err := tx.QueryRow(ctx, sqlInsertEvent, vals...).Scan(&ev.ID); err != nil {
		return err
	}
	ev.ReportID = reportID
	return nil
}

// CreateReport writes r and its event ev ("created" when ev.Kind is empty)
// and sets r.ID. If r.IdempotencyKey is already used, nothing is written, *r
// becomes the stored report and created is false.
func (s *Store) CreateReport(ctx context.Context, r *data.Report, ev data.Event) (bool, error) {
	if ev.Kind == "" {
		ev.Kind = "created"
	}
	var (
		created bool
		stored  data.Report
	)
	err := s.write(ctx, func(tx pgx.Tx) error {
		if err := checkRoutingCurrent(ctx, tx, []data.Report{*r}); err != nil {
			return err
		}
		vals := reportValues(r, 0)[1:]
		var id int64
		err := tx.QueryRow(ctx, sqlInsertReport, vals...).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) { // the key is taken: return the stored report
			stored, err = scanReport(tx.QueryRow(ctx, `SELECT `+sqlReportCols+` FROM reports WHERE idempotency_key = $1`, r.IdempotencyKey))
			return err
		}
		if err != nil {
			return err
		}
		created = true
		stored = *r
		stored.ID = id
		return insertEvent(ctx, tx, &ev, id)
	})
	if err != nil {
		return false, translate("create report", err)
	}
	*r = stored
	return created, nil
}

// checkKeys returns a *data.ValidationError for the first report whose
// idempotency key repeats one earlier in the batch or one already stored.
func checkKeys(ctx context.Context, tx pgx.Tx, rs []data.Report) error {
	seen := map[string]int{}
	var keys []string
	for i, r := range rs {
		if r.IdempotencyKey == "" {
			continue
		}
		if j, dup := seen[r.IdempotencyKey]; dup {
			return &data.ValidationError{Index: i, Field: "idempotency_key", Reason: fmt.Sprintf("key repeats item %d", j)}
		}
		seen[r.IdempotencyKey] = i
		keys = append(keys, r.IdempotencyKey)
	}
	if len(keys) == 0 {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT idempotency_key FROM reports WHERE idempotency_key = ANY($1)`, keys)
	if err != nil {
		return err
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	first := -1
	for _, k := range got {
		if i := seen[k]; first < 0 || i < first {
			first = i
		}
	}
	if first >= 0 {
		return &data.ValidationError{Index: first, Field: "idempotency_key", Reason: "key already used"}
	}
	return nil
}

// copyReports writes rs with ids id(i).
func copyReports(ctx context.Context, tx pgx.Tx, rs []data.Report, id func(i int) int64) error {
	progress := data.ProgressOf(ctx)
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"reports"}, reportCopyCols, pgx.CopyFromSlice(len(rs), func(i int) ([]any, error) {
		if i > 0 && data.ProgressDue(i, len(rs)) {
			progress(i, len(rs)) // rows before i are with the server
		}
		return reportValues(&rs[i], id(i)), nil
	}))
	if err == nil {
		progress(len(rs), len(rs))
	}
	return err
}

// copyEvents writes evs with report ids reportID(i).
func copyEvents(ctx context.Context, tx pgx.Tx, evs []data.Event, reportID func(i int) int64) error {
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"report_events"}, eventCopyCols, pgx.CopyFromSlice(len(evs), func(i int) ([]any, error) {
		v, err := eventValues(&evs[i], reportID(i))
		if ve, ok := err.(*data.ValidationError); ok {
			ve.Index = i
		}
		return v, err
	}))
	return err
}

// CreateReports writes rs and one "created" event each (at CreatedAt, by
// ReporterID, to Status) in one transaction and sets their IDs, ascending in
// input order. A repeated or already used idempotency key is a
// *data.ValidationError naming the first offending index.
func (s *Store) CreateReports(ctx context.Context, rs []data.Report) error {
	if len(rs) == 0 {
		return nil
	}
	var ids []int64
	err := s.write(ctx, func(tx pgx.Tx) error {
		if err := checkKeys(ctx, tx, rs); err != nil {
			return err
		}
		if err := checkRoutingCurrent(ctx, tx, rs); err != nil {
			return err
		}
		var err error
		if ids, err = reserveIDs(ctx, tx, "reports", len(rs)); err != nil {
			return err
		}
		if err := copyReports(ctx, tx, rs, func(i int) int64 { return ids[i] }); err != nil {
			return err
		}
		evs := make([]data.Event, len(rs))
		for i, r := range rs {
			evs[i] = data.Event{Kind: "created", To: r.Status, ActorID: r.ReporterID, At: r.CreatedAt}
		}
		return copyEvents(ctx, tx, evs, func(i int) int64 { return ids[i] })
	})
	if err != nil {
		return translate("create reports", err)
	}
	for i := range rs {
		rs[i].ID = ids[i]
	}
	return nil
}

// GetReport returns one report or data.ErrNotFound.
func (s *Store) GetReport(ctx context.Context, id int64) (data.Report, error) {
	r, err := scanReport(s.pool.QueryRow(ctx, `SELECT `+sqlReportCols+` FROM reports WHERE id = $1`, id))
	if err != nil {
		return data.Report{}, translate(fmt.Sprintf("report %d", id), err)
	}
	return r, nil
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// reportWhere turns q's filters into conditions (see data.ReportQuery).
// BBox keeps the points inside the box, edges included.
func reportWhere(q data.ReportQuery) *where {
	w := &where{}
	if len(q.IDs) > 0 {
		w.add("id = ANY(" + w.p(q.IDs) + ")")
	}
	if len(q.Areas) > 0 {
		a := w.p(q.Areas)
		w.add("(grid_code = ANY(" + a + ") OR community_code = ANY(" + a + ") OR street_code = ANY(" + a + ") OR district_code = ANY(" + a + "))")
	}
	if len(q.Grids) > 0 {
		w.add("grid_code = ANY(" + w.p(q.Grids) + ")")
	}
	if len(q.Status) > 0 {
		w.add("status = ANY(" + w.p(strs(q.Status)) + ")")
	}
	if len(q.Category) > 0 {
		w.add("category = ANY(" + w.p(q.Category) + ")")
	}
	if q.Assignee != 0 {
		w.add("assignee_id = " + w.p(q.Assignee))
	}
	if q.Open {
		w.add("status NOT IN ('closed', 'rejected')")
	}
	if !q.DueBefore.IsZero() {
		w.add("due_at < " + w.p(q.DueBefore))
	}
	if !q.From.IsZero() {
		w.add("created_at >= " + w.p(q.From))
	}
	if !q.To.IsZero() {
		w.add("created_at < " + w.p(q.To))
	}
	if q.BBox != nil {
		b := *q.BBox
		minx, miny, maxx, maxy := w.p(b.Min[0]), w.p(b.Min[1]), w.p(b.Max[0]), w.p(b.Max[1])
		w.add("geom && ST_MakeEnvelope(" + minx + ", " + miny + ", " + maxx + ", " + maxy + ", 4326)")
		w.add("lon >= " + minx + " AND lon <= " + maxx + " AND lat >= " + miny + " AND lat <= " + maxy)
	}
	return w
}

// ListReports returns the reports matching q, newest first (CreatedAt
// descending, then id descending), and the total ignoring Limit/Offset.
func (s *Store) ListReports(ctx context.Context, q data.ReportQuery) ([]data.Report, int, error) {
	w := reportWhere(q)
	var (
		total int
		out   []data.Report
	)
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM reports`+w.sql(), w.args...).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+sqlReportCols+` FROM reports`+w.sql()+` ORDER BY created_at DESC, id DESC`+w.page(q.Limit, q.Offset), w.args...)
		if err != nil {
			return err
		}
		out, err = collectReports(rows)
		return err
	})
	if err != nil {
		return nil, 0, translate("list reports", err)
	}
	return out, total, nil
}

// UpdateReport saves every field of r except ID, CreatedAt,
// IdempotencyKey and RequestHash, and appends ev (its ReportID and ID are
// set by the store), provided the stored status and assignee are still
// expect's; otherwise data.ErrConflict (or data.ErrNotFound) and nothing is
// written. The escalation is never lowered: the stored one is kept when it
// is higher, and r.Escalation is set to what was stored.
func (s *Store) UpdateReport(ctx context.Context, r *data.Report, expect data.Guard, ev data.Event) error {
	err := s.write(ctx, func(tx pgx.Tx) error {
		v := reportValues(r, r.ID)
		// id … escalation, updated_at, due_at, closed_at, expected status and assignee
		args := append(append([]any{}, v[:23]...), v[24], v[25], v[26], string(expect.Status), expect.AssigneeID)
		var esc string
		rt := &r.Routing
		err := tx.QueryRow(ctx, sqlUpdateReport, args...).Scan(&esc, &rt.GridCode, &rt.CommunityCode, &rt.StreetCode, &rt.DistrictCode,
			&rt.LeaderID, &rt.Match, &rt.DistanceM, &rt.Revision)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if err == nil {
			r.Escalation = data.Level(esc)
		} else {
			var st string
			var as int64
			if err := tx.QueryRow(ctx, `SELECT status, assignee_id FROM reports WHERE id = $1`, r.ID).Scan(&st, &as); err != nil {
				return err
			}
			return fmt.Errorf("pgstore: report %d is %s assigned to %d, not %s assigned to %d: %w", r.ID, st, as, expect.Status, expect.AssigneeID, data.ErrConflict)
		}
		return insertEvent(ctx, tx, &ev, r.ID)
	})
	return translate(fmt.Sprintf("update report %d", r.ID), err)
}

// Events returns a report's event log, oldest first (by At, then id), or
// data.ErrNotFound when the report does not exist.
func (s *Store) Events(ctx context.Context, reportID int64) ([]data.Event, error) {
	out, err := s.queryEvents(ctx, `report_id = $1`, reportID)
	if err != nil {
		return nil, translate("events", err)
	}
	if len(out) == 0 {
		var one int
		if err := s.pool.QueryRow(ctx, `SELECT 1 FROM reports WHERE id = $1`, reportID).Scan(&one); err != nil {
			return nil, translate(fmt.Sprintf("events of report %d", reportID), err)
		}
	}
	return out, nil
}

// EventsOf returns the events of many reports, by report (see data.Store).
func (s *Store) EventsOf(ctx context.Context, ids []int64) ([]data.Event, error) {
	evs, err := s.queryEvents(ctx, `report_id = ANY($1)`, ids)
	return evs, translate("events", err)
}

// queryEvents returns the events matching cond (with one parameter, arg),
// by report, then At, then id.
func (s *Store) queryEvents(ctx context.Context, cond string, arg any) ([]data.Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+sqlEventCols+` FROM report_events WHERE `+cond+` ORDER BY report_id, at, id`, arg)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (data.Event, error) {
		var (
			e        data.Event
			from, to string
			d        []byte
		)
		if err := r.Scan(&e.ID, &e.ReportID, &e.Kind, &from, &to, &e.ActorID, &e.At, &e.Reason, &d); err != nil {
			return e, err
		}
		e.From, e.To, e.At = data.Status(from), data.Status(to), e.At.UTC()
		if d != nil {
			if err := json.Unmarshal(d, &e.Data); err != nil {
				return e, err
			}
		}
		return e, nil
	})
}

// checkRoutingCurrent is data.CheckRoutingCurrent against the latest
// revision. The shared advisory lock (publishLock) keeps any transaction
// that publishes a revision from committing between this read and the
// reports' commit: one that committed before is seen (the reports are
// refused), one that starts after waits for them (and, for a boundary
// edit, reroutes them with the other open cases).
func checkRoutingCurrent(ctx context.Context, tx pgx.Tx, rs []data.Report) error {
	if !data.CurrentRoutingRequired(ctx) {
		return nil
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock_shared($1)`, publishLock); err != nil {
		return err
	}
	var cur int64
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM revisions`).Scan(&cur); err != nil {
		return err
	}
	return data.CheckRoutingCurrent(ctx, rs, cur)
}
