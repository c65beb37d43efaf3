package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/wangge-dev/wangge/data"
)

const reportCols = `id, category, description, lon, lat, address, media_urls, source, reporter_id, reporter_name,
reporter_phone, status, grid_code, community_code, street_code, district_code, leader_id, match, distance_m,
routing_revision, assignee_id, duplicate_of, escalation, created_at, updated_at, due_at, closed_at,
coalesce(idempotency_key, ''), request_hash`

const insertReportSQL = `INSERT INTO reports (id, category, description, lon, lat, address, media_urls, source,
reporter_id, reporter_name, reporter_phone, status, grid_code, community_code, street_code, district_code,
leader_id, match, distance_m, routing_revision, assignee_id, duplicate_of, escalation, created_at, updated_at,
due_at, closed_at, idempotency_key, request_hash)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

const insertEventSQL = `INSERT INTO report_events (report_id, kind, from_status, to_status, actor_id, at, reason, data)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`

func mediaJSON(m []string) string {
	if len(m) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// reportValues lists r's columns in insertReportSQL order; id nil lets
// SQLite choose.
func reportValues(r *data.Report, id any) []any {
	return []any{id, r.Category, r.Description, r.Location[0], r.Location[1], r.Address, mediaJSON(r.MediaURLs),
		string(r.Source), r.ReporterID, r.ReporterName, r.ReporterPhone, string(r.Status), r.Routing.GridCode,
		r.Routing.CommunityCode, r.Routing.StreetCode, r.Routing.DistrictCode, r.Routing.LeaderID, r.Routing.Match,
		r.Routing.DistanceM, r.Routing.Revision, r.AssigneeID, r.DuplicateOf, string(r.Escalation), tm(r.CreatedAt),
		tm(r.UpdatedAt), tm(r.DueAt), tmPtr(r.ClosedAt), nullIfEmpty(r.IdempotencyKey), r.RequestHash}
}

func scanReport(row interface{ Scan(...any) error }) (data.Report, error) {
	var (
		r                   data.Report
		media, src, st, esc string
		created, upd, due   int64
		closed              sql.NullInt64
	)
	err := row.Scan(&r.ID, &r.Category, &r.Description, &r.Location[0], &r.Location[1], &r.Address, &media, &src,
		&r.ReporterID, &r.ReporterName, &r.ReporterPhone, &st, &r.Routing.GridCode, &r.Routing.CommunityCode,
		&r.Routing.StreetCode, &r.Routing.DistrictCode, &r.Routing.LeaderID, &r.Routing.Match, &r.Routing.DistanceM,
		&r.Routing.Revision, &r.AssigneeID, &r.DuplicateOf, &esc, &created, &upd, &due, &closed,
		&r.IdempotencyKey, &r.RequestHash)
	if err != nil {
		return r, err
	}
	if media != "" && media != "[]" {
		if err := json.Unmarshal([]byte(media), &r.MediaURLs); err != nil {
			return r, fmt.Errorf("report %d: media_urls: %w", r.ID, err)
		}
	}
	r.Source, r.Status, r.Escalation = data.Source(src), data.Status(st), data.Level(esc)
	r.CreatedAt, r.UpdatedAt, r.DueAt, r.ClosedAt = fromTm(created), fromTm(upd), fromTm(due), fromTmPtr(closed)
	return r, nil
}

func queryReports(ctx context.Context, q queryer, query string, args ...any) ([]data.Report, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []data.Report
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func eventValues(ev *data.Event, reportID int64) ([]any, error) {
	var d any
	if ev.Data != nil {
		b, err := json.Marshal(ev.Data)
		if err != nil {
			return nil, &data.ValidationError{Index: -1, Field: "data", Reason: err.Error()}
		}
		d = string(b)
	}
	return []any{reportID, ev.Kind, string(ev.From), string(ev.To), ev.ActorID, tm(ev.At), ev.Reason, d}, nil
}

func insertEvent(ctx context.Context, tx *sql.Tx, ev *data.Event, reportID int64) error {
	vals, err := eventValues(ev, reportID)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, insertEventSQL, vals...)
	if err != nil {
		return err
	}
	ev.ReportID = reportID
	ev.ID, err = res.LastInsertId()
	return err
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
	err := s.write(ctx, func(tx *sql.Tx) error {
		if r.IdempotencyKey != "" {
			got, err := scanReport(tx.QueryRowContext(ctx, `SELECT `+reportCols+` FROM reports WHERE idempotency_key = ?`, r.IdempotencyKey))
			if err == nil {
				stored = got
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if err := checkRoutingCurrent(ctx, tx, []data.Report{*r}); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, insertReportSQL, reportValues(r, nil)...)
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		created, stored = true, *r
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
func checkKeys(ctx context.Context, tx *sql.Tx, rs []data.Report) error {
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
	rows, err := tx.QueryContext(ctx, `SELECT idempotency_key FROM reports WHERE idempotency_key`+inList, jsonList(keys))
	if err != nil {
		return err
	}
	defer rows.Close()
	first := -1
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return err
		}
		if i := seen[k]; first < 0 || i < first {
			first = i
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if first >= 0 {
		return &data.ValidationError{Index: first, Field: "idempotency_key", Reason: "key already used"}
	}
	return nil
}

// insertReports writes rs with ids base+i+1.
func insertReports(ctx context.Context, tx *sql.Tx, rs []data.Report, base int64) error {
	b, err := newBatch(ctx, tx, insertReportSQL[:strings.Index(insertReportSQL, "VALUES")+7], 29)
	if err != nil {
		return err
	}
	progress := data.ProgressOf(ctx)
	for i := range rs {
		if err := b.add(reportValues(&rs[i], base+int64(i)+1)...); err != nil {
			b.flush()
			return err
		}
		if data.ProgressDue(i+1, len(rs)) && i+1 < len(rs) {
			progress(i+1, len(rs))
		}
	}
	if err := b.flush(); err != nil {
		return err
	}
	progress(len(rs), len(rs))
	return nil
}

// insertEvents writes evs with report ids reportID(i).
func insertEvents(ctx context.Context, tx *sql.Tx, evs []data.Event, reportID func(i int) int64) error {
	b, err := newBatch(ctx, tx, insertEventSQL[:strings.Index(insertEventSQL, "VALUES")+7], 8)
	if err != nil {
		return err
	}
	for i := range evs {
		vals, err := eventValues(&evs[i], reportID(i))
		if err == nil {
			err = b.add(vals...)
		} else {
			err.(*data.ValidationError).Index = i
		}
		if err != nil {
			b.flush()
			return err
		}
	}
	return b.flush()
}

// CreateReports writes rs and one "created" event each (at CreatedAt, by
// ReporterID, to Status) in one transaction and sets their IDs, ascending in
// input order. A repeated or already used idempotency key is a
// *data.ValidationError naming the first offending index.
func (s *Store) CreateReports(ctx context.Context, rs []data.Report) error {
	if len(rs) == 0 {
		return nil
	}
	var base int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := checkKeys(ctx, tx, rs); err != nil {
			return err
		}
		if err := checkRoutingCurrent(ctx, tx, rs); err != nil {
			return err
		}
		var err error
		if base, err = maxID(ctx, tx, "reports"); err != nil {
			return err
		}
		if err := insertReports(ctx, tx, rs, base); err != nil {
			return err
		}
		evs := make([]data.Event, len(rs))
		for i, r := range rs {
			evs[i] = data.Event{Kind: "created", To: r.Status, ActorID: r.ReporterID, At: r.CreatedAt}
		}
		return insertEvents(ctx, tx, evs, func(i int) int64 { return base + int64(i) + 1 })
	})
	if err != nil {
		return translate("create reports", err)
	}
	for i := range rs {
		rs[i].ID = base + int64(i) + 1
	}
	return nil
}

// GetReport returns one report or data.ErrNotFound.
func (s *Store) GetReport(ctx context.Context, id int64) (data.Report, error) {
	r, err := scanReport(s.r.QueryRowContext(ctx, `SELECT `+reportCols+` FROM reports WHERE id = ?`, id))
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
		w.add("id"+inList, jsonList(q.IDs))
	}
	if len(q.Areas) > 0 {
		a := jsonList(q.Areas)
		w.add("(grid_code"+inList+" OR community_code"+inList+" OR street_code"+inList+" OR district_code"+inList+")", a, a, a, a)
	}
	if len(q.Grids) > 0 {
		w.add("grid_code"+inList, jsonList(q.Grids))
	}
	if len(q.Status) > 0 {
		w.add("status"+inList, jsonList(strs(q.Status)))
	}
	if len(q.Category) > 0 {
		w.add("category"+inList, jsonList(q.Category))
	}
	if q.Assignee != 0 {
		w.add("assignee_id = ?", q.Assignee)
	}
	if q.Open {
		w.add("status NOT IN ('closed', 'rejected')")
	}
	if !q.DueBefore.IsZero() {
		w.add("due_at < ?", tm(q.DueBefore))
	}
	if !q.From.IsZero() {
		w.add("created_at >= ?", tm(q.From))
	}
	if !q.To.IsZero() {
		w.add("created_at < ?", tm(q.To))
	}
	if q.BBox != nil {
		b := *q.BBox
		w.add("lon >= ? AND lon <= ? AND lat >= ? AND lat <= ?", b.Min[0], b.Max[0], b.Min[1], b.Max[1])
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
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM reports`+w.sql(), w.args...).Scan(&total); err != nil {
			return err
		}
		p, pargs := page(q.Limit, q.Offset)
		var err error
		out, err = queryReports(ctx, tx, `SELECT `+reportCols+` FROM reports`+w.sql()+` ORDER BY created_at DESC, id DESC`+p, append(w.args, pargs...)...)
		return err
	})
	if err != nil {
		return nil, 0, translate("list reports", err)
	}
	return out, total, nil
}

// UpdateReport saves every field of r except ID, CreatedAt,
// IdempotencyKey and RequestHash, and appends ev, provided the stored status
// and assignee are still expect's; otherwise data.ErrConflict (or
// data.ErrNotFound) and nothing is written. The escalation is never
// lowered: the stored one is kept when it is higher, and r.Escalation is
// set to what was stored.
func (s *Store) UpdateReport(ctx context.Context, r *data.Report, expect data.Guard, ev data.Event) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		v := reportValues(r, r.ID)
		// ?1 id … ?23 escalation, ?24 updated_at, ?25 due_at, ?26 closed_at, ?27 expected status, ?28 expected assignee
		args := append(append([]any{}, v[:23]...), v[24], v[25], v[26], string(expect.Status), expect.AssigneeID)
		var esc string
		rt := &r.Routing
		err := tx.QueryRowContext(ctx, `UPDATE reports SET category = ?2, description = ?3, lon = ?4, lat = ?5, address = ?6,
			media_urls = ?7, source = ?8, reporter_id = ?9, reporter_name = ?10, reporter_phone = ?11, status = ?12,
			`+data.KeepNewerRouting("?", 13)+`, assignee_id = ?21, duplicate_of = ?22,
			escalation = CASE WHEN `+escalationRank("?23")+` >= `+escalationRank("escalation")+` THEN ?23 ELSE escalation END,
			updated_at = ?24, due_at = ?25, closed_at = ?26
			WHERE id = ?1 AND status = ?27 AND assignee_id = ?28
			RETURNING escalation, `+data.RoutingColumns, args...).Scan(&esc, &rt.GridCode, &rt.CommunityCode, &rt.StreetCode, &rt.DistrictCode,
			&rt.LeaderID, &rt.Match, &rt.DistanceM, &rt.Revision)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err == nil {
			r.Escalation = data.Level(esc)
		} else {
			var st string
			var as int64
			if err := tx.QueryRowContext(ctx, `SELECT status, assignee_id FROM reports WHERE id = ?`, r.ID).Scan(&st, &as); err != nil {
				return err
			}
			return fmt.Errorf("sqlitestore: report %d is %s assigned to %d, not %s assigned to %d: %w", r.ID, st, as, expect.Status, expect.AssigneeID, data.ErrConflict)
		}
		return insertEvent(ctx, tx, &ev, r.ID)
	})
	return translate(fmt.Sprintf("update report %d", r.ID), err)
}

// Events returns a report's event log, oldest first (by At, then id), or
// data.ErrNotFound when the report does not exist.
func (s *Store) Events(ctx context.Context, reportID int64) ([]data.Event, error) {
	var out []data.Event
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		if out, err = queryEvents(ctx, tx, `report_id = ?`, reportID); err != nil {
			return err
		}
		if len(out) == 0 {
			var one int
			return tx.QueryRowContext(ctx, `SELECT 1 FROM reports WHERE id = ?`, reportID).Scan(&one)
		}
		return nil
	})
	if err != nil {
		return nil, translate(fmt.Sprintf("events of report %d", reportID), err)
	}
	return out, nil
}

// EventsOf returns the events of many reports, by report (see data.Store).
func (s *Store) EventsOf(ctx context.Context, ids []int64) ([]data.Event, error) {
	var evs []data.Event
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		evs, err = queryEvents(ctx, tx, `report_id`+inList, jsonList(ids))
		return err
	})
	return evs, translate("events", err)
}

// queryEvents returns the events matching cond (with one parameter, arg),
// by report, then At, then id.
func queryEvents(ctx context.Context, tx *sql.Tx, cond string, arg any) ([]data.Event, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, report_id, kind, from_status, to_status, actor_id, at, reason, data
		FROM report_events WHERE `+cond+` ORDER BY report_id, at, id`, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []data.Event
	for rows.Next() {
		var (
			e        data.Event
			from, to string
			at       int64
			d        sql.NullString
		)
		if err := rows.Scan(&e.ID, &e.ReportID, &e.Kind, &from, &to, &e.ActorID, &at, &e.Reason, &d); err != nil {
			return nil, err
		}
		e.From, e.To, e.At = data.Status(from), data.Status(to), fromTm(at)
		if d.Valid {
			if err := json.Unmarshal([]byte(d.String), &e.Data); err != nil {
				return nil, err
			}
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// escalationRank orders escalation levels in SQL as workflow does:
// none < community < street < district (see UpdateReport).
func escalationRank(x string) string {
	return "(CASE " + x + " WHEN 'community' THEN 1 WHEN 'street' THEN 2 WHEN 'district' THEN 3 ELSE 0 END)"
}

// checkRoutingCurrent is data.CheckRoutingCurrent against the latest
// revision, read inside the write transaction (the one writer: no revision
// can commit between the read and the reports' commit).
func checkRoutingCurrent(ctx context.Context, tx *sql.Tx, rs []data.Report) error {
	if !data.CurrentRoutingRequired(ctx) {
		return nil
	}
	var cur int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM revisions`).Scan(&cur); err != nil {
		return err
	}
	return data.CheckRoutingCurrent(ctx, rs, cur)
}
