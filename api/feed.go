package api

import (
	"sync"
	"sync/atomic"

	"github.com/wangge-dev/wangge/data"
)

// feed fans case changes out to the Server-Sent-Event subscribers. Each
// subscriber has a buffered channel; a subscriber too slow to keep up
// loses messages rather than slowing down intake (it is told to reload:
// the stream sends an "event: reload" before the next message it delivers).
type feed struct {
	mu   sync.Mutex
	subs map[*subscriber]struct{}
}

// subscriber is one live-feed client: its buffered channel, and whether a
// message was dropped for it since it was last told to reload.
type subscriber struct {
	ch     chan feedMsg
	lagged atomic.Bool
}

// feedMsg is one change: the event name, the report's JSON, and the
// report itself to filter by each subscriber's scope.
type feedMsg struct {
	Event  string
	JSON   []byte
	Report data.Report
}

func newFeed() *feed { return &feed{subs: map[*subscriber]struct{}{}} }

// feedBuffer is how many messages a subscriber may fall behind.
const feedBuffer = 256

func (f *feed) subscribe() *subscriber {
	sub := &subscriber{ch: make(chan feedMsg, feedBuffer)}
	f.mu.Lock()
	f.subs[sub] = struct{}{}
	f.mu.Unlock()
	return sub
}

func (f *feed) unsubscribe(sub *subscriber) {
	f.mu.Lock()
	delete(f.subs, sub)
	f.mu.Unlock()
}

// lagAll tells every subscriber to reload before its next change (the
// relay may have missed changes while reconnecting).
func (f *feed) lagAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for sub := range f.subs {
		sub.lagged.Store(true)
	}
}

func (f *feed) publish(m feedMsg) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for sub := range f.subs {
		select {
		case sub.ch <- m:
		default: // full: drop for this subscriber, who must reload
			sub.lagged.Store(true)
		}
	}
}
