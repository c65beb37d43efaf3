package api

import (
	"fmt"
	"net/http"
	"sync/atomic"
)

// counters are the process's Prometheus counters, kept with atomics so the
// hot paths never lock.
type counters struct {
	routeLookups   atomic.Int64 // points routed through the API (single and batch)
	routeRequests  atomic.Int64 // routing requests
	reportsCreated atomic.Int64 // reports acknowledged
	transitions    atomic.Int64 // case transitions applied
	clientErrors   atomic.Int64 // 4xx answers
	serverErrors   atomic.Int64 // 5xx answers
	sseClients     atomic.Int64 // connected live-feed clients
}

// metrics serves GET /metrics in the Prometheus text exposition format.
func (s *Server) metrics(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	c := &s.counters
	rev := int64(0)
	if s.router != nil {
		rev = s.router.Revision()
	}
	for _, m := range []struct {
		name, kind, help string
		v                int64
	}{
		{"wangge_route_lookups_total", "counter", "Points routed through the API.", c.routeLookups.Load()},
		{"wangge_route_requests_total", "counter", "Routing requests served.", c.routeRequests.Load()},
		{"wangge_reports_created_total", "counter", "Reports acknowledged (committed).", c.reportsCreated.Load()},
		{"wangge_case_transitions_total", "counter", "Case transitions applied.", c.transitions.Load()},
		{"wangge_http_client_errors_total", "counter", "Answers with a 4xx status.", c.clientErrors.Load()},
		{"wangge_http_server_errors_total", "counter", "Answers with a 5xx status.", c.serverErrors.Load()},
		{"wangge_live_feed_clients", "gauge", "Connected live-feed (SSE) clients.", c.sseClients.Load()},
		{"wangge_partition_revision", "gauge", "Partition revision the router serves.", rev},
	} {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n%s %d\n", m.name, m.help, m.name, m.kind, m.name, m.v)
	}
	return nil
}
