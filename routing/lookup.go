package routing

import "sort"

// Grid returns the answer for a point inside the grid with this code —
// its names, leader or fallback, community and street — or false when the
// snapshot has no such grid. Grids are kept in code order, so this is a
// binary search.
func (s *Snapshot) Grid(code string) (Answer, bool) {
	i := sort.Search(len(s.grids), func(i int) bool { return s.grids[i].Grid.Code >= code })
	if i < len(s.grids) && s.grids[i].Grid.Code == code {
		return Answer{Place: &s.grids[i], Match: MatchInside}, true
	}
	return Answer{}, false
}

// Revision is the revision of the current snapshot (0 before the first).
func (r *Router) Revision() int64 { return r.Snapshot().Revision }

// GridCode is the code of the grid routing the point, "" when none covers
// it (nearest matches do not count: a building belongs to the grid it is in).
func (r *Router) GridCode(lon, lat float64) string {
	a := r.Route(lon, lat)
	if a.Match == MatchInside || a.Match == MatchEdge {
		return a.Grid.Code
	}
	return ""
}
