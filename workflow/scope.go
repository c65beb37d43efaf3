package workflow

import (
	"context"
	"fmt"
	"slices"

	"github.com/wangge-dev/wangge/data"
)

// Coverage is what an actor may see: every case (All), the cases routed to
// one of Areas (matched against a report's grid, community, street or
// district code), and the cases dispatched to Assignee (0 = none).
type Coverage struct {
	All      bool
	Areas    []string // sorted, unique
	Assignee int64
}

// Empty reports whether the coverage shows no case at all.
func (c Coverage) Empty() bool { return !c.All && len(c.Areas) == 0 && c.Assignee == 0 }

// covers reports whether a case is inside the coverage.
func (c Coverage) covers(r *data.Report) bool {
	if c.All {
		return true
	}
	if c.Assignee != 0 && r.AssigneeID == c.Assignee {
		return true
	}
	for _, code := range reportAreas(r) {
		if _, ok := slices.BinarySearch(c.Areas, code); ok {
			return true
		}
	}
	return false
}

func reportAreas(r *data.Report) []string {
	out := make([]string, 0, 4)
	for _, c := range []string{r.Routing.GridCode, r.Routing.CommunityCode, r.Routing.StreetCode, r.Routing.DistrictCode} {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}

// Scope returns the coverage of an actor (see the table in the package
// documentation). A nil actor (the public) covers nothing: public reads go
// through PublicView instead.
func (s *Service) Scope(actor *data.Person) Coverage {
	var c Coverage
	if actor == nil {
		return c
	}
	for _, a := range actor.Assignments {
		switch a.Role {
		case data.RoleCommandCenter, data.RolePlanner:
			c.All = true
		case data.RoleHandler:
			c.Assignee = actor.ID
		case data.RoleGridLeader, data.RoleDeputyLeader, data.RoleGridStaff, data.RoleInfoOfficer, data.RoleVolunteer,
			data.RoleCommunityHead, data.RoleCommunityStaff, data.RoleStreetStaff:
			if a.AreaCode != "" {
				c.Areas = append(c.Areas, a.AreaCode)
			}
		}
	}
	slices.Sort(c.Areas)
	c.Areas = slices.Compact(c.Areas)
	return c
}

// Visible reports whether actor may read r in full: r is in the actor's
// Scope or the actor reported it. A nil actor (the public) is never shown
// a case in full: it gets PublicView.
func (s *Service) Visible(actor *data.Person, r *data.Report) bool { return s.visible(actor, r) }

func (s *Service) visible(actor *data.Person, r *data.Report) bool {
	if actor == nil {
		return false
	}
	if r.ReporterID != 0 && r.ReporterID == actor.ID {
		return true
	}
	return s.Scope(actor).covers(r)
}

// PublicView returns r without the reporter's identity (name, phone, id),
// the idempotency key and request hash: what the public and Open311
// clients may see.
func PublicView(r data.Report) data.Report {
	r.ReporterID = 0
	r.ReporterName = ""
	r.ReporterPhone = ""
	r.IdempotencyKey = ""
	r.RequestHash = ""
	r.MediaURLs = slices.Clone(r.MediaURLs)
	return r
}

// Get returns one case. The public (nil actor) gets PublicView of any case;
// a person gets the full case if it is in their scope (or they reported it),
// otherwise data.ErrNotFound.
func (s *Service) Get(ctx context.Context, actor *data.Person, id int64) (data.Report, error) {
	r, err := s.store.GetReport(ctx, id)
	if err != nil {
		return data.Report{}, err
	}
	if actor == nil {
		return PublicView(r), nil
	}
	if !s.visible(actor, &r) {
		return data.Report{}, fmt.Errorf("report %d: %w", id, data.ErrNotFound)
	}
	return r, nil
}

// Events returns the event log of a case visible to actor (see Get); the
// public gets the log with actor ids and event data removed.
func (s *Service) Events(ctx context.Context, actor *data.Person, id int64) ([]data.Event, error) {
	if _, err := s.Get(ctx, actor, id); err != nil {
		return nil, err
	}
	evs, err := s.store.Events(ctx, id)
	if err != nil {
		return nil, err
	}
	if actor == nil {
		for i := range evs {
			evs[i].ActorID = 0
			evs[i].Data = nil
		}
	}
	return evs, nil
}

// PublicEvents returns the event logs of many cases as the public sees
// them (actor ids and event data removed, as Events does for a nil actor),
// by case id, in one store query.
func (s *Service) PublicEvents(ctx context.Context, ids []int64) (map[int64][]data.Event, error) {
	evs, err := s.store.EventsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	logs := make(map[int64][]data.Event, len(ids))
	for _, e := range evs {
		e.ActorID, e.Data = 0, nil
		logs[e.ReportID] = append(logs[e.ReportID], e)
	}
	return logs, nil
}

// List returns the cases matching q within actor's scope, newest first, and
// their total. For the public (nil actor) every case matches and each is
// returned as PublicView. q.Areas is narrowed to the actor's areas: a
// requested area inside the scope is kept, a requested area above it is
// replaced by the scope's areas under it; if nothing is left the answer is
// empty. q.Assignee equal to the actor's own id (a handler) replaces the
// area scope with "dispatched to me"; any other q.Assignee is only allowed
// to actors covering everything or further narrows their areas.
func (s *Service) List(ctx context.Context, actor *data.Person, q data.ReportQuery) ([]data.Report, int, error) {
	if actor == nil {
		rs, n, err := s.store.ListReports(ctx, q)
		for i := range rs {
			rs[i] = PublicView(rs[i])
		}
		return rs, n, err
	}
	cov := s.Scope(actor)
	switch {
	case cov.All:
		// unchanged
	case q.Assignee != 0 && q.Assignee == cov.Assignee:
		q.Areas = nil
	case len(cov.Areas) == 0 && cov.Assignee != 0:
		q.Assignee = cov.Assignee
		q.Areas = nil
	default:
		areas, err := s.narrow(ctx, q.Areas, cov.Areas)
		if err != nil {
			return nil, 0, err
		}
		if len(areas) == 0 {
			return nil, 0, nil
		}
		q.Areas = areas
	}
	rs, n, err := s.store.ListReports(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	// Defence in depth: never hand out a case outside the scope, even if a
	// store ignored a filter.
	out := rs[:0]
	for i := range rs {
		if cov.covers(&rs[i]) && (q.Assignee == 0 || rs[i].AssigneeID == q.Assignee) {
			out = append(out, rs[i])
		}
	}
	if len(out) != len(rs) {
		s.cfg.Logger.Warn("workflow: store returned cases outside the query scope", "dropped", len(rs)-len(out))
		n -= len(rs) - len(out)
	}
	return out, n, nil
}

// narrow intersects the requested areas with the scope: a requested code
// that is in scope or below a scope code is kept; a scope code below a
// requested code is added. Empty requested means the whole scope.
func (s *Service) narrow(ctx context.Context, requested, scope []string) ([]string, error) {
	if len(requested) == 0 {
		return scope, nil
	}
	var out []string
	for _, req := range requested {
		anc, err := s.ancestors(ctx, req)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(anc, func(a string) bool { _, ok := slices.BinarySearch(scope, a); return ok }) {
			out = append(out, req)
		}
	}
	for _, sc := range scope {
		anc, err := s.ancestors(ctx, sc)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(anc[1:], func(a string) bool { return slices.Contains(requested, a) }) {
			out = append(out, sc)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// ancestors returns code followed by its parents up to the root. An
// unknown code yields just itself.
func (s *Service) ancestors(ctx context.Context, code string) ([]string, error) {
	out := []string{code}
	for i := 0; i < 8; i++ {
		a, err := s.store.GetArea(ctx, out[len(out)-1])
		if err != nil {
			if isNotFound(err) {
				break
			}
			return nil, err
		}
		if a.ParentCode == "" {
			break
		}
		out = append(out, a.ParentCode)
	}
	return out, nil
}
