package sqlitestore

import (
	"context"
	"database/sql"
	"time"
)

// PollEvery is how often a Revisions listener reads the current revision
// from the file, to hear of revisions that other processes sharing it
// committed (a `wangge import` or `wangge user add` beside the server).
// Revisions committed through this Store are announced at once.
var PollEvery = 500 * time.Millisecond

// Revisions implements data.Notifier: the channel first receives the
// current revision, then the id of every revision committed by this Store
// (PutAreas, Load, AddPerson and SetAssignments of routed posts,
// PutBuildings, RelinkBuildings) as it commits, and every newer revision
// found in the file by a read each PollEvery (another process's writes).
// It has room for one value: a receiver that falls behind skips to the
// latest id, which is all a partition reload needs. It is closed when ctx
// ends.
func (s *Store) Revisions(ctx context.Context) (<-chan int64, error) {
	ch := make(chan int64, 1)
	s.mu.Lock()
	s.subs[ch] = struct{}{}
	s.mu.Unlock()
	cur, err := s.CurrentRevision(ctx)
	if err != nil {
		s.mu.Lock()
		delete(s.subs, ch)
		s.mu.Unlock()
		return nil, err
	}
	s.offer(ch, cur)
	go func() {
		t := time.NewTicker(PollEvery)
		defer t.Stop()
		last := cur
		for {
			select {
			case <-ctx.Done():
				s.mu.Lock()
				delete(s.subs, ch)
				close(ch)
				s.mu.Unlock()
				return
			case <-t.C:
				// An error (the file busy, say) is retried at the next tick.
				if id, err := s.CurrentRevision(ctx); err == nil && id > last {
					last = id
					s.offer(ch, id)
				}
			}
		}
	}()
	return ch, nil
}

// publish writes a revision noted note inside tx and returns its id (0:
// an empty note publishes nothing); the caller broadcasts it after the
// commit.
func publish(ctx context.Context, tx *sql.Tx, note string) (int64, error) {
	if note == "" {
		return 0, nil
	}
	id, err := newRevision(ctx, tx, time.Time{}, note)
	if err != nil {
		return 0, err
	}
	_, err = finishRevision(ctx, tx, id)
	return id, err
}

// broadcast offers id to every listener (none when id is 0).
func (s *Store) broadcast(id int64) {
	if id == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch := range s.subs {
		s.offerLocked(ch, id)
	}
}

// offer puts id in ch unless ch is closed (see offerLocked).
func (s *Store) offer(ch chan int64, id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, open := s.subs[ch]; open {
		s.offerLocked(ch, id)
	}
}

// offerLocked replaces an undelivered id in ch by the larger of the two
// (with s.mu held: only holders of s.mu send, so the slot stays free).
func (s *Store) offerLocked(ch chan int64, id int64) {
	select {
	case old := <-ch:
		id = max(id, old)
	default:
	}
	ch <- id
}
