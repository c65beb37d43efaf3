package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"

	"github.com/wangge-dev/wangge/data"
)

// The live feed across replicas. Each server sends the cases it creates or
// changes to its own feed subscribers (publish); with a store that several
// servers share (data.CaseFeed: PostGIS) RelayCases also announces each of
// them, and hands the changes the other servers announce to this server's
// subscribers, read back from the store and filtered by each subscriber's
// scope like its own. So a dashboard connected to one replica behind a load
// balancer sees the cases filed through any of them.

// outboxSize bounds the announcements waiting for the database; when it is
// full (the database stalls) further ones are dropped and counted: the other
// servers' subscribers miss those changes, this server's do not.
const outboxSize = 4096

func newOrigin() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// StartRelay starts the relay (serve calls it before it listens, so no
// change announced after the server answers can be missed) and runs it
// until ctx ends. With a store that cannot announce it does nothing.
func (s *Server) StartRelay(ctx context.Context) error {
	cf, ok := s.store.(data.CaseFeed)
	if !ok {
		return nil
	}
	ch, err := cf.CaseChanges(ctx)
	if err != nil {
		return err
	}
	s.relaying.Store(true)
	go func() {
		for {
			select {
			case c := <-s.outbox:
				// What queued meanwhile goes in the same statement.
				cs := []data.CaseChange{c}
				for len(cs) < 500 && len(s.outbox) > 0 {
					cs = append(cs, <-s.outbox)
				}
				if err := cf.AnnounceCases(ctx, cs); err != nil && ctx.Err() == nil {
					s.counters.relayDropped.Add(int64(len(cs)))
					s.log.Warn("live feed relay: announcements lost", "cases", len(cs), "err", err)
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		defer s.relaying.Store(false)
		for c := range ch {
			switch {
			case c.Event == "reload":
				s.feed.lagAll() // changes may have been missed while reconnecting
			case c.Origin == s.origin:
			default:
				r, err := s.store.GetReport(ctx, c.ReportID)
				if err != nil {
					continue
				}
				s.feedLocal(c.Event, &r)
			}
		}
	}()
	return nil
}

// announce queues a change for the other servers (when relaying).
func (s *Server) announce(event string, id int64) {
	if !s.relaying.Load() {
		return
	}
	select {
	case s.outbox <- data.CaseChange{Origin: s.origin, ReportID: id, Event: event}:
	default:
		s.counters.relayDropped.Add(1)
	}
}
