package api

import (
	"fmt"
	"net/http"
	"time"
)

// sseHeartbeat is how often an idle live feed sends a comment line, so
// proxies keep the connection open and dead clients are noticed.
const sseHeartbeat = 15 * time.Second

// stream serves GET /api/v1/stream: Server-Sent Events named "report" with
// the case JSON as data, for every new or changed case in the caller's
// scope. Credentials by bearer header or ?access_token= (EventSource
// cannot set headers). A client too slow to keep up loses changes and is
// sent "event: reload" (data {}) before the next change it gets: it should
// fetch the cases again.
func (s *Server) stream(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.mustActor(r)
	if err != nil {
		return err
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		return errStatus(http.StatusInternalServerError, "internal", "streaming unsupported")
	}
	sub := s.feed.subscribe()
	defer s.feed.unsubscribe(sub)
	s.counters.sseClients.Add(1)
	defer s.counters.sseClients.Add(-1)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, "retry: 3000\n: connected as %d\n\n", actor.ID)
	fl.Flush()
	tick := time.NewTicker(sseHeartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return nil
			}
			fl.Flush()
		case m := <-sub.ch:
			if sub.lagged.Swap(false) {
				if _, err := fmt.Fprint(w, "event: reload\ndata: {}\n\n"); err != nil {
					return nil
				}
			}
			if !s.wf.Visible(actor, &m.Report) {
				fl.Flush()
				continue
			}
			if _, err := fmt.Fprintf(w, "event: %s\nid: %d\ndata: %s\n\n", m.Event, m.Report.ID, m.JSON); err != nil {
				return nil
			}
			fl.Flush()
		}
	}
}
