package workflow

import (
	"context"
	"errors"
	"time"

	"github.com/wangge-dev/wangge/data"
)

// EscalationLevel returns the level an open case of a category with the
// given deadline should have reached at now: "" before DueAt, community from
// DueAt, street from DueAt + deadline.
func EscalationLevel(dueAt time.Time, deadline time.Duration, now time.Time) data.Level {
	switch {
	case now.Before(dueAt):
		return ""
	case deadline > 0 && !now.Before(dueAt.Add(deadline)):
		return data.LevelStreet
	default:
		return data.LevelCommunity
	}
}

// escalationRank orders escalation levels: "" < community < street < district.
func escalationRank(l data.Level) int {
	switch l {
	case data.LevelCommunity:
		return 1
	case data.LevelStreet:
		return 2
	case data.LevelDistrict:
		return 3
	}
	return 0
}

// EscalateOverdue raises every open, overdue case to the escalation level
// it has reached at now (see EscalationLevel), appending one "escalated"
// event per case raised (status unchanged; Data: from, to, overdue_s). It
// returns how many cases it raised. A case changed concurrently is left for
// the next run.
func (s *Service) EscalateOverdue(ctx context.Context, now time.Time) (int, error) {
	const page = 500
	n := 0
	for off := 0; ; off += page {
		rs, _, err := s.store.ListReports(ctx, data.ReportQuery{Open: true, DueBefore: now.Add(time.Microsecond), Limit: page, Offset: off})
		if err != nil {
			return n, err
		}
		for i := range rs {
			r := &rs[i]
			if !data.OpenStatus(r.Status) || r.DueAt.After(now) {
				continue
			}
			cat, err := s.Category(ctx, r.Category)
			if err != nil && !errors.Is(err, data.ErrNotFound) {
				return n, err
			}
			lvl := EscalationLevel(r.DueAt, cat.Deadline, now)
			if escalationRank(lvl) <= escalationRank(r.Escalation) {
				continue
			}
			from := r.Escalation
			r.Escalation = lvl
			r.UpdatedAt = now
			ev := data.Event{ReportID: r.ID, Kind: "escalated", From: r.Status, To: r.Status, At: now,
				Reason: "overdue",
				Data:   map[string]any{"from": string(from), "to": string(lvl), "overdue_s": now.Sub(r.DueAt).Seconds()}}
			if err := s.store.UpdateReport(ctx, r, data.GuardOf(r), ev); err != nil {
				if errors.Is(err, data.ErrConflict) || errors.Is(err, data.ErrNotFound) {
					continue
				}
				return n, err
			}
			n++
		}
		if len(rs) < page {
			return n, nil
		}
	}
}

// RunEscalator calls EscalateOverdue every interval until ctx ends, logging
// failures; it returns ctx.Err().
func (s *Service) RunEscalator(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := s.EscalateOverdue(ctx, s.now())
		if err != nil && ctx.Err() == nil {
			s.cfg.Logger.Error("escalator", "err", err)
		} else if n > 0 {
			s.cfg.Logger.Info("escalator", "escalated", n)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
