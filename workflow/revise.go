package workflow

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/geo"
)

// Household band of a unit grid (网格): 300–600 households.
const (
	MinHouseholds = 300
	MaxHouseholds = 600
)

// EditToleranceM is how far (metres) a redrawn grid may stray outside its
// community or into another grid before the edit is refused: digitising
// noise along a shared edge, not a real overlap.
const EditToleranceM = 1.0

// GridEdit is a planner's edit as the API receives it (see
// data.GridEdit; the callbacks and the author are filled in here).
type GridEdit struct {
	Base   int64
	Put    []data.Area
	Remove []string
	Note   string
}

// EditPreview is what an edit does, computed before it is published (a
// dry run) and returned with the published revision.
type EditPreview struct {
	Revision             *data.Revision // nil for a dry run
	Grids                []GridLoad     // the put grids, in input order
	Removed              []string
	BuildingsMoved       int
	UnassignedBuildings  int // buildings the edited partition leaves in no grid (a gap)
	UnassignedHouseholds int
	Rerouted             []data.Reroute // open cases moved, by id
}

// GridLoad is a redrawn grid's load after the edit.
type GridLoad struct {
	Code, Name string
	Households int
	Buildings  int
	Band       string // under | normal | over (MinHouseholds, MaxHouseholds)
}

// Band is the household band of a grid of hh households.
func Band(hh int) string {
	switch {
	case hh < MinHouseholds:
		return "under"
	case hh > MaxHouseholds:
		return "over"
	}
	return "normal"
}

// PlansGrids reports whether actor may publish boundary revisions: the
// command center anywhere, a planner within the areas of their posts.
func PlansGrids(actor *data.Person) bool {
	return hasAnyRole(actor, data.RoleCommandCenter, data.RolePlanner)
}

// planScope refuses an edit that touches a grid outside a planner's areas
// (the command center plans everywhere). A grid is inside when it, or an
// area above it, is the area of one of the planner's posts.
func planScope(actor *data.Person, e *data.GridEdit, byCode map[string]*data.Area) error {
	if hasAnyRole(actor, data.RoleCommandCenter) {
		return nil
	}
	mine := map[string]bool{}
	for _, a := range actor.Assignments {
		if a.Role == data.RolePlanner {
			mine[a.AreaCode] = true
		}
	}
	within := func(code string) bool {
		for seen := 0; code != "" && seen < 8; seen++ {
			if mine[code] {
				return true
			}
			a := byCode[code]
			if a == nil {
				return false
			}
			code = a.ParentCode
		}
		return false
	}
	for i, a := range e.Put {
		if !within(a.ParentCode) || (byCode[a.Code] != nil && !within(a.Code)) {
			return fmt.Errorf("%w: item %d: grid %s is outside the areas you plan", ErrForbidden, i, a.Code)
		}
	}
	for i, c := range e.Remove {
		if !within(c) {
			return fmt.Errorf("%w: item %d: grid %s is outside the areas you plan", ErrForbidden, len(e.Put)+i, c)
		}
	}
	return nil
}

// ReviseGrids checks a planner's edit against the partition as stored,
// computes what it does (households per redrawn grid, buildings moved,
// gaps, open cases rerouted) and, unless dryRun, publishes it as one
// revision (data.Store.ReviseGrids). Besides the store's rules, a put
// grid must lie inside its community and must not overlap another grid
// of the edited partition (both within EditToleranceM).
func (s *Service) ReviseGrids(ctx context.Context, actor *data.Person, in GridEdit, dryRun bool) (EditPreview, error) {
	if actor == nil {
		return EditPreview{}, ErrUnauthenticated
	}
	if !PlansGrids(actor) {
		return EditPreview{}, fmt.Errorf("%w: only the command center and planners publish boundary revisions", ErrForbidden)
	}
	// The callbacks are placeholders (CheckGridEdit wants them set) until
	// the edited partition is routed below.
	e := data.GridEdit{Base: in.Base, Put: in.Put, Remove: in.Remove, Note: in.Note, Author: actor.Name, ActorID: actor.ID,
		GridOf: func(orb.Point) string { return "" }, RouteOf: func(orb.Point) data.Routing { return data.Routing{} }}
	if err := data.CheckGridEdit(&e); err != nil {
		return EditPreview{}, err
	}
	for i, a := range e.Put {
		if err := geo.Validate(a.Geom); err != nil {
			return EditPreview{}, &data.ValidationError{Index: i, Field: "geometry", Reason: err.Error()}
		}
	}
	// The areas the edit names, wherever they lie; then the partition
	// near the edit, which is all that can route differently.
	var named []string
	for _, a := range e.Put {
		named = append(named, a.Code, a.ParentCode)
	}
	named = append(named, e.Remove...)
	known, _, err := s.store.ListAreas(ctx, data.AreaQuery{Codes: named})
	if err != nil {
		return EditPreview{}, err
	}
	stored := map[string]data.Level{}
	byCode := map[string]*data.Area{}
	for i := range known {
		stored[known[i].Code] = known[i].Level
		byCode[known[i].Code] = &known[i]
	}
	if err := data.CheckEditLevels(&e, stored); err != nil {
		return EditPreview{}, err
	}
	reg := s.editRegion(&e, byCode)
	var p data.Partition
	if s.route != nil {
		p, err = s.store.PartitionNear(ctx, reg.outer)
	} else {
		p, err = s.store.Partition(ctx)
	}
	if err != nil {
		return EditPreview{}, err
	}
	if p.Revision != e.Base {
		return EditPreview{}, &data.StaleError{Base: e.Base, Current: p.Revision}
	}
	for i := range p.Areas {
		if byCode[p.Areas[i].Code] == nil {
			byCode[p.Areas[i].Code] = &p.Areas[i]
		}
	}
	if err := planScope(actor, &e, byCode); err != nil {
		return EditPreview{}, err
	}
	next := editedPartition(p, &e)
	if err := checkShapes(&e, byCode, next); err != nil {
		return EditPreview{}, err
	}
	if e.RouteOf, err = s.editRouting(next, reg); err != nil {
		return EditPreview{}, err
	}
	e.GridOf = func(pt orb.Point) string {
		if r := e.RouteOf(pt); r.Match == "inside" || r.Match == "edge" {
			return r.GridCode
		}
		return ""
	}
	pv, err := s.preview(ctx, &e, reg)
	if err != nil || dryRun {
		return pv, err
	}
	rev, eff, err := s.store.ReviseGrids(ctx, e)
	if err != nil {
		return EditPreview{}, err
	}
	pv.Revision, pv.BuildingsMoved, pv.Rerouted = &rev, eff.Moved, eff.Rerouted
	return pv, nil
}

// editReachM is how far (metres) from the edited grids, old and new
// shapes, a point's routing may change: the nearest-grid radius
// (Config.NearestMeters) and a margin.
func (s *Service) editReachM() float64 {
	return max(s.cfg.NearestMeters, 200) + 200
}

// editRegion is where an edit can change anything. inner: the box of the
// edited grids, old and new shapes, padded by editReachM — a point
// outside it routes as before the edit; outer: padded by twice that — the
// areas whose box meets it are all that can cover a point of inner or lie
// within the nearest-grid radius of one. all: no current router to answer
// the points outside, so everything is read and indexed.
type editRegion struct {
	inner, outer orb.Bound
	all          bool
}

func (s *Service) editRegion(e *data.GridEdit, stored map[string]*data.Area) editRegion {
	var box orb.Bound
	first := true
	grow := func(b orb.Bound) {
		if first {
			box, first = b, false
		} else {
			box = box.Union(b)
		}
	}
	for _, a := range e.Put {
		grow(a.Geom.Bound())
		if old := stored[a.Code]; old != nil {
			grow(old.Geom.Bound())
		}
	}
	for _, c := range e.Remove {
		if old := stored[c]; old != nil {
			grow(old.Geom.Bound())
		}
	}
	lat := max(math.Abs(box.Min[1]), math.Abs(box.Max[1])) + 1
	return editRegion{
		inner: box.Pad(geo.DegreesFor(s.editReachM(), lat)),
		outer: box.Pad(geo.DegreesFor(2*s.editReachM(), lat)),
		all:   s.route == nil,
	}
}

// editRouting answers RouteOf for the edited partition next — all of it
// (reg.all), or the areas near the edit, the current router answering
// every point outside reg.inner: a dry run in a city of 50,000 grids then
// reads and indexes a few dozen grids, not the city.
func (s *Service) editRouting(next data.Partition, reg editRegion) (func(orb.Point) data.Routing, error) {
	if s.cfg.RoutePartition == nil {
		return nil, errors.New("workflow: boundary edits need Config.RoutePartition")
	}
	route, err := s.cfg.RoutePartition(next)
	if err != nil {
		return nil, err
	}
	if reg.all {
		return func(pt orb.Point) data.Routing { return route(pt[0], pt[1]) }, nil
	}
	return func(pt orb.Point) data.Routing {
		if reg.inner.Contains(pt) {
			return route(pt[0], pt[1])
		}
		return s.route(pt[0], pt[1])
	}, nil
}

// editedPartition is p with e's grids removed and put.
func editedPartition(p data.Partition, e *data.GridEdit) data.Partition {
	gone := map[string]bool{}
	for _, c := range e.Remove {
		gone[c] = true
	}
	for _, a := range e.Put {
		gone[a.Code] = true
	}
	next := data.Partition{Revision: p.Revision, People: p.People}
	for _, a := range p.Areas {
		if !gone[a.Code] {
			next.Areas = append(next.Areas, a)
		}
	}
	next.Areas = append(next.Areas, e.Put...)
	return next
}

// checkShapes refuses a put grid that strays outside its community, or
// overlaps another grid of the edited partition, by more than
// EditToleranceM: tested at the vertices and edge midpoints of both, and
// from every place where their edges cross (crossingOverlap).
func checkShapes(e *data.GridEdit, stored map[string]*data.Area, next data.Partition) error {
	for i, a := range e.Put {
		c := stored[a.ParentCode]
		for _, pt := range probePoints(a.Geom) {
			if planar.MultiPolygonContains(c.Geom, pt) {
				continue
			}
			if d := boundaryMeters(c.Geom, pt); d > EditToleranceM {
				return &data.ValidationError{Index: i, Field: "geometry", Reason: fmt.Sprintf("grid %s leaves its community %s: point (%.7f, %.7f) lies %.1f m outside it", a.Code, c.Code, pt[0], pt[1], d)}
			}
		}
	}
	for i, a := range e.Put {
		box := a.Geom.Bound()
		for _, o := range next.Areas {
			if o.Level != data.LevelGrid || o.Code == a.Code || !box.Intersects(o.Geom.Bound()) {
				continue
			}
			if pt, d, ok := inside(a.Geom, o.Geom); ok {
				return &data.ValidationError{Index: i, Field: "geometry", Reason: fmt.Sprintf("grid %s overlaps grid %s: point (%.7f, %.7f) lies %.1f m inside both", a.Code, o.Code, pt[0], pt[1], d)}
			}
			if pt, d, ok := inside(o.Geom, a.Geom); ok {
				return &data.ValidationError{Index: i, Field: "geometry", Reason: fmt.Sprintf("grid %s overlaps grid %s: point (%.7f, %.7f) lies %.1f m inside both", a.Code, o.Code, pt[0], pt[1], d)}
			}
			if pt, d, ok := crossingOverlap(a.Geom, o.Geom); ok {
				return &data.ValidationError{Index: i, Field: "geometry", Reason: fmt.Sprintf("grid %s overlaps grid %s: point (%.7f, %.7f) lies %.1f m inside both", a.Code, o.Code, pt[0], pt[1], d)}
			}
		}
	}
	return nil
}

// inside finds a vertex or edge midpoint of a that lies inside b farther
// than EditToleranceM from b's boundary.
func inside(a, b orb.MultiPolygon) (orb.Point, float64, bool) {
	bb := b.Bound()
	for _, pt := range probePoints(a) {
		if !bb.Contains(pt) || !planar.MultiPolygonContains(b, pt) {
			continue
		}
		if d := boundaryMeters(b, pt); d > EditToleranceM {
			return pt, d, true
		}
	}
	return orb.Point{}, 0, false
}

// crossingOverlap finds a point inside both a and b, farther than
// EditToleranceM from both boundaries, near a place where an edge of a
// properly crosses an edge of b: from each such crossing it steps along
// the four bisectors of the two edges' directions (1.5 m, 3 m, … 1.5 km).
// One of the four quadrants at a crossing lies in both polygons; if their
// overlap there is deeper than the tolerance, a point on its bisector is
// that deep. This finds the overlaps that leave no vertex and no edge
// midpoint of either polygon inside the other — two grids crossing like a
// plus sign — while a shared edge redrawn with centimetre noise, which
// crosses its neighbour's edge at shallow angles, overlaps by less than the
// tolerance everywhere and passes.
func crossingOverlap(a, b orb.MultiPolygon) (orb.Point, float64, bool) {
	bb := b.Bound()
	ky := 111320.0 // metres per degree of latitude (near enough for steps)
	kx := ky * math.Cos((bb.Min[1]+bb.Max[1])/2*math.Pi/180)
	unit := func(p, q orb.Point) (float64, float64) {
		x, y := (q[0]-p[0])*kx, (q[1]-p[1])*ky
		n := math.Hypot(x, y)
		return x / n, y / n
	}
	for _, pa := range a {
		for _, ra := range pa {
			for i := 0; i+1 < len(ra); i++ {
				p, q := ra[i], ra[i+1]
				if !(orb.Bound{Min: p, Max: p}).Extend(q).Intersects(bb) {
					continue
				}
				for _, pb := range b {
					for _, rb := range pb {
						for j := 0; j+1 < len(rb); j++ {
							r, t := rb[j], rb[j+1]
							x, ok := properCrossing(p, q, r, t)
							if !ok {
								continue
							}
							ax, ay := unit(p, q)
							bx, by := unit(r, t)
							for _, sa := range [2]float64{1, -1} {
								for _, sb := range [2]float64{1, -1} {
									ux, uy := sa*ax+sb*bx, sa*ay+sb*by
									n := math.Hypot(ux, uy)
									if n < 1e-9 {
										continue
									}
									ux, uy = ux/n, uy/n
									for m := 1.5; m < 2000; m *= 2 {
										pt := orb.Point{x[0] + ux*m/kx, x[1] + uy*m/ky}
										if !planar.MultiPolygonContains(a, pt) || !planar.MultiPolygonContains(b, pt) {
											continue
										}
										if d := min(boundaryMeters(a, pt), boundaryMeters(b, pt)); d > EditToleranceM {
											return pt, d, true
										}
									}
								}
							}
						}
					}
				}
			}
		}
	}
	return orb.Point{}, 0, false
}

// properCrossing returns where segments pq and rt cross at a point interior
// to both (not at an end, not collinear).
func properCrossing(p, q, r, t orb.Point) (orb.Point, bool) {
	orient := func(a, b, c orb.Point) float64 { return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0]) }
	o1, o2 := orient(p, q, r), orient(p, q, t)
	o3, o4 := orient(r, t, p), orient(r, t, q)
	if !(o1*o2 < 0 && o3*o4 < 0) {
		return orb.Point{}, false
	}
	u := o3 / (o3 - o4) // p + u(q−p) lies on rt
	return orb.Point{p[0] + u*(q[0]-p[0]), p[1] + u*(q[1]-p[1])}, true
}

// probePoints are the vertices and edge midpoints of mp's rings.
func probePoints(mp orb.MultiPolygon) []orb.Point {
	var out []orb.Point
	for _, p := range mp {
		for _, r := range p {
			for j := 0; j+1 < len(r); j++ {
				out = append(out, r[j], orb.Point{(r[j][0] + r[j+1][0]) / 2, (r[j][1] + r[j+1][1]) / 2})
			}
		}
	}
	return out
}

// boundaryMeters is the distance in metres from pt to the nearest point
// of mp's rings.
func boundaryMeters(mp orb.MultiPolygon, pt orb.Point) float64 {
	best, bestD := orb.Point{}, math.Inf(1)
	for _, p := range mp {
		for _, r := range p {
			for j := 0; j+1 < len(r); j++ {
				q := closestOnSegment(pt, r[j], r[j+1])
				if d := planar.DistanceSquared(pt, q); d < bestD {
					best, bestD = q, d
				}
			}
		}
	}
	if math.IsInf(bestD, 1) {
		return bestD
	}
	return geo.DistanceMeters(pt, best)
}

func closestOnSegment(p, a, b orb.Point) orb.Point {
	dx, dy := b[0]-a[0], b[1]-a[1]
	l := dx*dx + dy*dy
	if l == 0 {
		return a
	}
	t := max(0, min(1, ((p[0]-a[0])*dx+(p[1]-a[1])*dy)/l))
	return orb.Point{a[0] + t*dx, a[1] + t*dy}
}

// preview computes what e does to the buildings and the open cases as
// stored now (the store repeats the case rerouting in its transaction).
func (s *Service) preview(ctx context.Context, e *data.GridEdit, reg editRegion) (EditPreview, error) {
	pv := EditPreview{Removed: slices.Clone(e.Remove)}
	if pv.Removed == nil {
		pv.Removed = []string{}
	}
	load := map[string]*GridLoad{}
	for _, a := range e.Put {
		pv.Grids = append(pv.Grids, GridLoad{Code: a.Code, Name: a.Name})
	}
	for i := range pv.Grids {
		load[pv.Grids[i].Code] = &pv.Grids[i]
	}
	// Outside reg.inner nothing changes grid: only the buildings in it
	// are read (all of them without a current router).
	var bs []data.Building
	var err error
	if reg.all {
		bs, err = s.store.ListBuildings(ctx, "")
	} else {
		bs, err = s.store.ListBuildingsIn(ctx, reg.inner)
	}
	if err != nil {
		return pv, err
	}
	for _, b := range bs {
		g := e.GridOf(b.Point)
		if g != b.GridCode {
			pv.BuildingsMoved++
		}
		if l := load[g]; l != nil {
			l.Households += b.Households
			l.Buildings++
		}
		if g == "" && b.GridCode != "" {
			pv.UnassignedBuildings++
			pv.UnassignedHouseholds += b.Households
		}
	}
	for i := range pv.Grids {
		pv.Grids[i].Band = Band(pv.Grids[i].Households)
	}
	// The open cases the edit can move: those in reg.inner, and those
	// routed to an edited grid wherever they lie.
	q := data.ReportQuery{Open: true}
	if !reg.all {
		q.BBox = &reg.inner
	}
	open, _, err := s.store.ListReports(ctx, q)
	if err != nil {
		return pv, err
	}
	if !reg.all {
		var edited []string
		for _, a := range e.Put {
			edited = append(edited, a.Code)
		}
		more, _, err := s.store.ListReports(ctx, data.ReportQuery{Open: true, Grids: append(edited, e.Remove...)})
		if err != nil {
			return pv, err
		}
		open = append(open, more...)
	}
	slices.SortFunc(open, func(a, b data.Report) int { return cmp.Compare(a.ID, b.ID) })
	open = slices.CompactFunc(open, func(a, b data.Report) bool { return a.ID == b.ID })
	for _, r := range open {
		nr := e.RouteOf(r.Location)
		if e.Touches(r.Routing, nr) {
			pv.Rerouted = append(pv.Rerouted, data.Reroute{ReportID: r.ID, From: r.Routing, To: nr})
		}
	}
	return pv, nil
}
