package data

import (
	"fmt"
	"slices"
	"strings"

	"github.com/paulmach/orb"
)

// GridEdit is a planner's change to the grids, published by
// Store.ReviseGrids as one revision. A split, a merge and a moved shared
// edge all come down to grids written whole (Put) and grids removed
// (Remove); the neighbour of a moved edge is in Put with its new shape.
type GridEdit struct {
	// Base is the revision the edit was drawn on. When the store has
	// published another since, nothing is written and the error is a
	// *StaleError (ErrConflict): the planner reloads and draws again.
	Base int64
	// Put: grids written whole (level grid, parent a stored community). A
	// new code is added; a stored grid's name, parent and shape are
	// replaced. Households are derived from the buildings (GridOf).
	Put []Area
	// Remove: codes of stored grids to remove. A grid someone still holds
	// a post in is refused (*AssignedError, ErrConflict).
	Remove []string
	Note   string
	Author string // the revision's author (the planner's name)
	// ActorID is the person recorded on the "rerouted" events.
	ActorID int64
	// GridOf and RouteOf answer for the partition as it will be after the
	// edit (a routing snapshot of it): every building is re-linked with
	// GridOf, and every open case (not closed, not rejected) that the edit
	// moves (Touches) is rerouted with RouteOf.
	GridOf  func(pt orb.Point) string
	RouteOf func(pt orb.Point) Routing
}

// EditEffect is what a published GridEdit changed besides the grids.
type EditEffect struct {
	Moved    int       // buildings whose grid changed
	Rerouted []Reroute // open cases whose routing changed, by id
}

// Reroute is an open case that a revision moved to another grid (or
// community, street, district). Its new routing carries the revision.
type Reroute struct {
	ReportID int64
	From, To Routing
}

// RerouteEvent is the "rerouted" event a store writes for a case that
// GridEdit moved (one shape for both stores).
func RerouteEvent(r Reroute, status Status, actor int64, rev Revision) Event {
	from, to := r.From.GridCode, r.To.GridCode
	if from == "" {
		from = "(no grid)"
	}
	if to == "" {
		to = "(no grid)"
	}
	reason := fmt.Sprintf("revision %d moved the case from grid %s to %s", rev.ID, from, to)
	if rev.Note != "" {
		reason += ": " + rev.Note
	}
	return Event{ReportID: r.ReportID, Kind: "rerouted", From: status, To: status, ActorID: actor, At: rev.CreatedAt, Reason: reason,
		Data: map[string]any{"revision": rev.ID, "from_grid": r.From.GridCode, "to_grid": r.To.GridCode,
			"from_community": r.From.CommunityCode, "to_community": r.To.CommunityCode}}
}

// Mover is what a store needs to reroute the open cases a revision moves:
// a *GridEdit (ReviseGrids) or a *Relink (PutAreasRelink).
type Mover interface {
	Route(pt orb.Point) Routing    // the routing of the partition as it will be
	Touches(old, new Routing) bool // whether a case routed old, now routed new, moves
	Actor() int64                  // the person on the "rerouted" events
}

// Route is RouteOf (Mover).
func (e *GridEdit) Route(pt orb.Point) Routing { return e.RouteOf(pt) }

// Actor is ActorID (Mover).
func (e *GridEdit) Actor() int64 { return e.ActorID }

// Relink is what Store.PutAreasRelink does, in the transaction that writes
// the areas, for the partition as it will be after the write.
type Relink struct {
	// GridOf, when set, re-links every building (households recomputed).
	GridOf func(pt orb.Point) string
	// RouteOf, when set, reroutes every open case the write moves
	// (Touches), with a "rerouted" event (RerouteEvent) by ActorID.
	RouteOf func(pt orb.Point) Routing
	ActorID int64
	// Set by the store from PutAreasRelink's arguments.
	Replace bool     // every area was replaced
	Written []string // codes of the grids written
}

// Of is a copy of rl (the zero Relink for nil) for a PutAreasRelink of
// areas, with Replace and Written set.
func (rl *Relink) Of(areas []Area, replace bool) Relink {
	if rl == nil {
		return Relink{}
	}
	mv := *rl
	mv.Replace, mv.Written = replace, nil
	for _, a := range areas {
		if a.Level == LevelGrid {
			mv.Written = append(mv.Written, a.Code)
		}
	}
	return mv
}

// Route is RouteOf (Mover).
func (rl *Relink) Route(pt orb.Point) Routing { return rl.RouteOf(pt) }

// Actor is ActorID (Mover).
func (rl *Relink) Actor() int64 { return rl.ActorID }

// Touches reports whether the write moves a case routed old that the new
// partition routes new: after a replacing write, any case whose place
// changes (every area was redrawn); otherwise, as for a GridEdit that
// puts the written grids, a case in one of them before or after.
func (rl *Relink) Touches(old, new Routing) bool {
	if SameRoute(old, new) {
		return false
	}
	return rl.Replace || slices.Contains(rl.Written, old.GridCode) || slices.Contains(rl.Written, new.GridCode)
}

// Open reports whether a case is still being worked (rerouted by a
// boundary change): neither closed nor rejected.
func (s Status) Open() bool { return s != StatusClosed && s != StatusRejected }

// Touches reports whether a case routed old, which the edited partition
// routes to new, is one the edit moves: it was in a grid the edit redraws
// or removes, or it now falls in a redrawn grid. Cases elsewhere keep
// their routing even where the partition would now answer differently
// (a case a dispatcher routed by hand, say).
func (e *GridEdit) Touches(old, new Routing) bool {
	if SameRoute(old, new) {
		return false
	}
	for _, a := range e.Put {
		if a.Code == old.GridCode || a.Code == new.GridCode {
			return true
		}
	}
	return old.GridCode != "" && slices.Contains(e.Remove, old.GridCode)
}

// SameRoute reports whether two routings send a case to the same place.
func SameRoute(a, b Routing) bool {
	return a.GridCode == b.GridCode && a.CommunityCode == b.CommunityCode && a.StreetCode == b.StreetCode && a.DistrictCode == b.DistrictCode
}

// StaleError: a GridEdit was drawn on a revision the store has moved past.
type StaleError struct{ Base, Current int64 }

func (e *StaleError) Error() string {
	return fmt.Sprintf("the partition is at revision %d, not %d (the edit's base_revision): reload it and draw the edit again", e.Current, e.Base)
}

func (e *StaleError) Unwrap() error { return ErrConflict }

// AssignedError: a GridEdit removes grids that people still hold posts in.
type AssignedError struct {
	Holders []Holder // by grid code, then person id
}

// Holder is one post in an area.
type Holder struct {
	AreaCode string
	PersonID int64
	Name     string
	Role     Role
}

func (e *AssignedError) Error() string {
	parts := make([]string, len(e.Holders))
	for i, h := range e.Holders {
		parts[i] = fmt.Sprintf("%s: %s (person %d, %s)", h.AreaCode, h.Name, h.PersonID, h.Role)
	}
	return "a removed grid still has people assigned — " + strings.Join(parts, "; ") + "; reassign them first"
}

func (e *AssignedError) Unwrap() error { return ErrConflict }

// CheckGridEdit checks what a GridEdit must be before a store reads
// anything: something to change, every Put a grid with a code and a
// parent, no code twice, no code both put and removed, and the callbacks
// set. Put items are indexed 0…; Remove items follow them (len(Put)+i).
func CheckGridEdit(e *GridEdit) error {
	if len(e.Put) == 0 && len(e.Remove) == 0 {
		return &ValidationError{Index: -1, Reason: "nothing to change: put and remove are both empty"}
	}
	if e.GridOf == nil || e.RouteOf == nil {
		return fmt.Errorf("%w: GridEdit without GridOf and RouteOf", ErrInvalid)
	}
	seen := map[string]int{}
	for i, a := range e.Put {
		switch {
		case a.Code == "":
			return &ValidationError{Index: i, Field: "code", Reason: "empty code"}
		case a.Level != LevelGrid:
			return &ValidationError{Index: i, Field: "level", Reason: fmt.Sprintf("only grids can be edited, not a %s", a.Level)}
		case a.ParentCode == "":
			return &ValidationError{Index: i, Field: "parent_code", Reason: "a grid needs its community's code"}
		case len(a.Geom) == 0:
			return &ValidationError{Index: i, Field: "geometry", Reason: "empty geometry"}
		}
		if j, dup := seen[a.Code]; dup {
			return &ValidationError{Index: i, Field: "code", Reason: fmt.Sprintf("duplicate code %s (also item %d)", a.Code, j)}
		}
		seen[a.Code] = i
	}
	for i, c := range e.Remove {
		if c == "" {
			return &ValidationError{Index: len(e.Put) + i, Field: "remove", Reason: "empty code"}
		}
		if j, dup := seen[c]; dup {
			return &ValidationError{Index: len(e.Put) + i, Field: "remove", Reason: fmt.Sprintf("%s is also put (item %d): a grid is either redrawn or removed", c, j)}
		}
		seen[c] = len(e.Put) + i
	}
	return nil
}

// CheckEditLevels checks a GridEdit against the stored level of each code
// it names (stored: code → level, absent when not stored): put codes new
// or stored grids, parents stored communities, removed codes stored grids.
func CheckEditLevels(e *GridEdit, stored map[string]Level) error {
	for i, a := range e.Put {
		if l, ok := stored[a.Code]; ok && l != LevelGrid {
			return &ValidationError{Index: i, Field: "code", Reason: fmt.Sprintf("%s is a %s, not a grid", a.Code, l)}
		}
		switch l, ok := stored[a.ParentCode]; {
		case !ok:
			return &ValidationError{Index: i, Field: "parent_code", Reason: fmt.Sprintf("parent %s does not exist", a.ParentCode)}
		case l != LevelCommunity:
			return &ValidationError{Index: i, Field: "parent_code", Reason: fmt.Sprintf("parent %s is a %s; a grid's parent is a community", a.ParentCode, l)}
		}
	}
	for i, c := range e.Remove {
		switch l, ok := stored[c]; {
		case !ok:
			return &ValidationError{Index: len(e.Put) + i, Field: "remove", Reason: fmt.Sprintf("no area %s", c)}
		case l != LevelGrid:
			return &ValidationError{Index: len(e.Put) + i, Field: "remove", Reason: fmt.Sprintf("%s is a %s; only grids can be removed", c, l)}
		}
	}
	return nil
}

// RoutingColumns are a report's routing columns in both stores, in the
// order of Routing's fields.
const RoutingColumns = "grid_code, community_code, street_code, district_code, leader_id, match, distance_m, routing_revision"

// KeepNewerRouting is the SET clause of UpdateReport for the routing
// columns, whose new values are the parameters first … first+7 (mark "$"
// or "?", numbered): they are written only when the new routing revision
// is not older than the stored one. A transition that read a case before
// a boundary revision rerouted it (ReviseGrids) therefore keeps the
// reroute, as the escalation keeps its highest level.
func KeepNewerRouting(mark string, first int) string {
	cols := strings.Split(RoutingColumns, ", ")
	rev := fmt.Sprintf("%s%d", mark, first+len(cols)-1)
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = fmt.Sprintf("%s = CASE WHEN %s >= routing_revision THEN %s%d ELSE %s END", c, rev, mark, first+i, c)
	}
	return strings.Join(parts, ", ")
}
