package api

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/paulmach/orb/geojson"

	"github.com/wangge-dev/wangge/api/open311"
	"github.com/wangge-dev/wangge/data"
)

// enrichArea adds to a grid's properties what the router knows of it —
// leader (or vacancy and fallback), community and street — and the open
// and overdue case counts.
func (s *Server) enrichArea(a *data.Area, p geojson.Properties, counts map[string]openOverdue) {
	if a.Level != data.LevelGrid || s.router == nil {
		return
	}
	ans, ok := s.router.Snapshot().Grid(a.Code)
	if !ok {
		return
	}
	p["community"] = map[string]any{"code": ans.Community.Code, "name": ans.Community.Name}
	p["street"] = map[string]any{"code": ans.Street.Code, "name": ans.Street.Name}
	p["vacant"] = ans.LeaderVacant
	p["leader"], p["fallback"] = nil, nil
	if ans.Leader.ID != 0 {
		person := map[string]any{"id": ans.Leader.ID, "name": ans.Leader.Name, "phone": ans.Leader.Phone}
		if ans.LeaderVacant {
			person["role"] = string(ans.LeaderRole)
			p["fallback"] = person
		} else {
			p["leader"] = person
		}
	}
	c := counts[a.Code]
	p["open_cases"], p["overdue_cases"] = c.open, c.overdue
}

// gridCount is the number of grids the router serves.
func (s *Server) gridCount(*http.Request) int {
	if s.router == nil {
		return 0
	}
	return s.router.Snapshot().Grids()
}

// open311 is the Open311 GeoReport v2 handler, or nil without a workflow.
func (s *Server) open311() http.Handler {
	if s.wf == nil {
		return nil
	}
	return open311.New(s.wf, open311.Options{PublicKey: s.cfg.Open311Key, Logger: s.log})
}

// caseCounts caches open and overdue case counts per grid for a short
// while: the map asks for every grid at once and the counts change slowly.
type caseCounts struct {
	mu     sync.Mutex
	at     time.Time
	byGrid map[string]openOverdue
}

type openOverdue struct{ open, overdue int }

// caseCountTTL is how stale the per-grid case counts of the map may be.
const caseCountTTL = 15 * time.Second

// gridCaseCounts returns open and overdue case counts by grid code.
func (s *Server) gridCaseCounts(ctx context.Context) (map[string]openOverdue, error) {
	c := &s.counts
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if c.byGrid != nil && now.Sub(c.at) < caseCountTTL {
		return c.byGrid, nil
	}
	stats, err := s.store.AreaStats(ctx, data.LevelGrid, time.Unix(0, 0), now.Add(time.Minute), now)
	if err != nil {
		return nil, err
	}
	m := make(map[string]openOverdue, len(stats))
	for _, st := range stats {
		m[st.Code] = openOverdue{st.Open, st.Overdue}
	}
	c.byGrid, c.at = m, now
	return m, nil
}
