package sqlitestore

import "context"

// Revisions implements data.Notifier in-process: the channel first receives
// the current revision, then the id of every revision committed by this
// Store (PutAreas, Load; PutBuildings re-announces the current one). It has
// room for one value: a receiver that falls behind skips to the latest id,
// which is all a partition reload needs. It is closed when ctx ends.
// Writers in other processes sharing the file are not seen.
func (s *Store) Revisions(ctx context.Context) (<-chan int64, error) {
	ch := make(chan int64, 1)
	s.mu.Lock()
	s.subs[ch] = struct{}{}
	s.mu.Unlock()
	cur, err := s.CurrentRevision(ctx)
	s.mu.Lock()
	if err != nil {
		delete(s.subs, ch)
		s.mu.Unlock()
		return nil, err
	}
	select {
	case ch <- cur: // unless a broadcast already put a newer id there
	default:
	}
	s.mu.Unlock()
	go func() {
		<-ctx.Done()
		s.mu.Lock()
		delete(s.subs, ch)
		close(ch)
		s.mu.Unlock()
	}()
	return ch, nil
}

// broadcast offers id to every listener, replacing an undelivered older id.
func (s *Store) broadcast(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch := range s.subs {
		select {
		case <-ch:
		default:
		}
		ch <- id // the slot is empty and only we send, under s.mu
	}
}
