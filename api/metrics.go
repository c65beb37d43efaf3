package api

import (
	"fmt"
	"net/http"
	"sync/atomic"

	"github.com/wangge-dev/wangge/routing"
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
	relayDropped   atomic.Int64 // case changes not announced to the other servers (casefeed.go)
}

// metrics serves GET /metrics in the Prometheus text exposition format.
func (s *Server) metrics(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	c := &s.counters
	rev := int64(0)
	var rs routing.ReloadStats
	if s.router != nil {
		rev = s.router.Revision()
		rs = s.router.Stats()
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
		{"wangge_live_feed_relay_dropped_total", "counter", "Case changes not announced to the other servers on the store (their feeds miss them).", c.relayDropped.Load()},
		{"wangge_partition_revision", "gauge", "Partition revision the router serves.", rev},
		{"wangge_routing_reloads_total", "counter", "Routing index reloads that succeeded.", rs.Reloads},
		{"wangge_routing_reload_failures_total", "counter", "Routing index reloads that failed (each is retried; the previous index serves meanwhile).", rs.Failures},
	} {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n%s %d\n", m.name, m.help, m.name, m.kind, m.name, m.v)
	}
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %g\n", "wangge_routing_last_reload_seconds",
		"Time the last successful reload took (partition read and index build).", "wangge_routing_last_reload_seconds", "wangge_routing_last_reload_seconds", rs.Last.Seconds())
	return nil
}
