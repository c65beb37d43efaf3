package api

import (
	"sync"

	"github.com/wangge-dev/wangge/data"
)

// feed fans case changes out to the Server-Sent-Event subscribers. Each
// subscriber has a buffered channel; a subscriber too slow to keep up
// loses messages rather than slowing down intake (it is told to reload).
type feed struct {
	mu   sync.Mutex
	subs map[chan feedMsg]struct{}
}

// feedMsg is one change: the event name, the report's JSON, and the
// report itself to filter by each subscriber's scope.
type feedMsg struct {
	Event  string
	JSON   []byte
	Report data.Report
}

func newFeed() *feed { return &feed{subs: map[chan feedMsg]struct{}{}} }

func (f *feed) subscribe() chan feedMsg {
	ch := make(chan feedMsg, 256)
	f.mu.Lock()
	f.subs[ch] = struct{}{}
	f.mu.Unlock()
	return ch
}

func (f *feed) unsubscribe(ch chan feedMsg) {
	f.mu.Lock()
	delete(f.subs, ch)
	f.mu.Unlock()
}

func (f *feed) publish(m feedMsg) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for ch := range f.subs {
		select {
		case ch <- m:
		default: // full: drop for this subscriber
		}
	}
}
