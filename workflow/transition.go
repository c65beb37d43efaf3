package workflow

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/wangge-dev/wangge/data"
)

// The actions of the closed loop, as named in Transition.
const (
	ActionAccept   = "accept"
	ActionReject   = "reject"
	ActionDispatch = "dispatch"
	ActionReassign = "reassign"
	ActionHandle   = "handle"
	ActionVerify   = "verify"
	ActionClose    = "close"
)

// Actions lists every action, in loop order.
var Actions = []string{ActionAccept, ActionReject, ActionDispatch, ActionReassign, ActionHandle, ActionVerify, ActionClose}

// legal maps a status to the actions allowed from it.
var legal = map[data.Status][]string{
	data.StatusReported:   {ActionAccept, ActionReject},
	data.StatusAccepted:   {ActionDispatch, ActionReject},
	data.StatusDispatched: {ActionHandle, ActionReassign},
	data.StatusHandled:    {ActionVerify},
	data.StatusVerified:   {ActionClose},
	data.StatusRejected:   nil,
	data.StatusClosed:     nil,
}

// AllowedActions returns the actions legal from status s (whoever acts).
func AllowedActions(s data.Status) []string { return slices.Clone(legal[s]) }

// TransitionError is an action that is not legal from the case's status.
// It unwraps to data.ErrConflict (api: 409, naming Allowed).
type TransitionError struct {
	From    data.Status
	Action  string
	Allowed []string // the actions legal from From; empty for a final status
}

func (e *TransitionError) Error() string {
	allowed := "none"
	if len(e.Allowed) > 0 {
		allowed = strings.Join(e.Allowed, ", ")
	}
	return fmt.Sprintf("cannot %s a %s case (allowed: %s)", e.Action, e.From, allowed)
}

func (e *TransitionError) Unwrap() error { return data.ErrConflict }

// Params are the details of a transition; which ones matter depends on the action.
type Params struct {
	Reason      string   // reject: why (required unless DuplicateOf); any action: a note for the event
	DuplicateOf int64    // reject: the case this one duplicates (same as Merge)
	HandlerID   int64    // dispatch, reassign: the person (holding the handler role) to fix it
	Feedback    string   // handle: what was done (required)
	Photos      []string // handle: http(s) URLs of photos of the result
	OK          *bool    // verify: true = verified, false = reopen (back to dispatched); required
}

var (
	gridRoles       = []data.Role{data.RoleGridLeader, data.RoleDeputyLeader, data.RoleGridStaff, data.RoleInfoOfficer, data.RoleVolunteer}
	supervisorRoles = []data.Role{data.RoleGridLeader, data.RoleDeputyLeader, data.RoleGridStaff, data.RoleInfoOfficer}
	communityRoles  = []data.Role{data.RoleCommunityHead, data.RoleCommunityStaff}
)

func hasAnyRole(p *data.Person, roles ...data.Role) bool {
	if p == nil {
		return false
	}
	for _, a := range p.Assignments {
		if slices.Contains(roles, a.Role) {
			return true
		}
	}
	return false
}

// holds reports whether p holds role on area code (code non-empty).
func holds(p *data.Person, role data.Role, code string) bool {
	if p == nil || code == "" {
		return false
	}
	return slices.Contains(p.Assignments, data.Assignment{Role: role, AreaCode: code})
}

// triage: accept, reject, merge, dispatch.
func canTriage(p *data.Person, r *data.Report) bool {
	rt := &r.Routing
	return hasAnyRole(p, data.RoleCommandCenter) ||
		holds(p, data.RoleStreetStaff, rt.StreetCode) ||
		holds(p, data.RoleCommunityHead, rt.CommunityCode) ||
		holds(p, data.RoleCommunityStaff, rt.CommunityCode)
}

func canVerify(p *data.Person, r *data.Report) bool {
	if p == nil || p.ID == r.AssigneeID {
		return false
	}
	for _, role := range supervisorRoles {
		if holds(p, role, r.Routing.GridCode) {
			return true
		}
	}
	for _, role := range communityRoles {
		if holds(p, role, r.Routing.CommunityCode) {
			return true
		}
	}
	return false
}

func canClose(p *data.Person, r *data.Report) bool {
	return canTriage(p, r) ||
		holds(p, data.RoleGridLeader, r.Routing.GridCode) ||
		holds(p, data.RoleDeputyLeader, r.Routing.GridCode)
}

// May reports whether actor's roles allow action on r (ignoring whether the
// action is legal from r's status). See the table in the package doc.
func May(actor *data.Person, action string, r *data.Report) bool {
	if actor == nil {
		return false
	}
	switch action {
	case ActionAccept, ActionReject, ActionDispatch, ActionReassign:
		return canTriage(actor, r)
	case ActionHandle:
		return r.AssigneeID != 0 && r.AssigneeID == actor.ID
	case ActionVerify:
		return canVerify(actor, r)
	case ActionClose:
		return canClose(actor, r)
	}
	return false
}

// Transition takes action on case id for actor and returns the updated
// case. Errors, in the order checked: nil actor → ErrUnauthenticated; case
// missing or out of scope → data.ErrNotFound; unknown action or bad params
// → *data.ValidationError; action not legal from the status →
// *TransitionError; role not allowed → ErrForbidden; a concurrent
// transition won → data.ErrConflict.
func (s *Service) Transition(ctx context.Context, actor *data.Person, id int64, action string, p Params) (data.Report, error) {
	if actor == nil {
		return data.Report{}, ErrUnauthenticated
	}
	r, err := s.Get(ctx, actor, id)
	if err != nil {
		return data.Report{}, err
	}
	if !slices.Contains(Actions, action) {
		return data.Report{}, invalid("action", "unknown action %q (one of %s)", action, strings.Join(Actions, ", "))
	}
	if action == ActionReject && p.DuplicateOf != 0 {
		return s.Merge(ctx, actor, id, p.DuplicateOf)
	}
	if !slices.Contains(legal[r.Status], action) {
		return data.Report{}, &TransitionError{From: r.Status, Action: action, Allowed: AllowedActions(r.Status)}
	}
	if !May(actor, action, &r) {
		return data.Report{}, fmt.Errorf("%s report %d: %w", action, id, ErrForbidden)
	}
	now := s.now()
	guard := data.GuardOf(&r) // what this write expects to find
	ev := data.Event{ReportID: id, From: r.Status, ActorID: actor.ID, At: now, Reason: strings.TrimSpace(p.Reason)}
	switch action {
	case ActionAccept:
		r.Status = data.StatusAccepted
	case ActionReject:
		if ev.Reason == "" {
			return data.Report{}, invalid("reason", "a rejection needs a reason (or duplicate_of)")
		}
		r.Status = data.StatusRejected
	case ActionDispatch, ActionReassign:
		if p.HandlerID == 0 {
			return data.Report{}, invalid("handler_id", "required")
		}
		if action == ActionReassign && p.HandlerID == r.AssigneeID {
			return data.Report{}, invalid("handler_id", "case %d is already with person %d", id, p.HandlerID)
		}
		h, err := s.store.GetPerson(ctx, p.HandlerID)
		if err != nil {
			if isNotFound(err) {
				return data.Report{}, invalid("handler_id", "no person %d", p.HandlerID)
			}
			return data.Report{}, err
		}
		if !hasAnyRole(&h, data.RoleHandler) {
			return data.Report{}, invalid("handler_id", "person %d does not hold the handler role", p.HandlerID)
		}
		ev.Data = map[string]any{"handler_id": h.ID}
		if action == ActionReassign {
			// Status unchanged: the store's guard on the assignee makes a
			// concurrent handle by the previous handler, or a second
			// reassignment, lose with data.ErrConflict.
			ev.Kind = "reassigned"
			ev.Data["from_handler_id"] = r.AssigneeID
		}
		r.Status = data.StatusDispatched
		r.AssigneeID = h.ID
	case ActionHandle:
		fb := strings.TrimSpace(p.Feedback)
		if fb == "" {
			return data.Report{}, invalid("feedback", "required")
		}
		if n := len([]rune(fb)); n > s.cfg.MaxDescription {
			return data.Report{}, invalid("feedback", "%d characters, at most %d", n, s.cfg.MaxDescription)
		}
		if err := s.checkMedia("photos", p.Photos); err != nil {
			return data.Report{}, err
		}
		photos := make([]any, len(p.Photos))
		for i, u := range p.Photos {
			photos[i] = u
		}
		r.Status = data.StatusHandled
		ev.Data = map[string]any{"feedback": fb, "photos": photos}
	case ActionVerify:
		if p.OK == nil {
			return data.Report{}, invalid("ok", "required: true (verified) or false (reopen)")
		}
		if *p.OK {
			r.Status = data.StatusVerified
		} else {
			r.Status = data.StatusDispatched
			ev.Kind = "reopened"
		}
		ev.Data = map[string]any{"ok": *p.OK}
	case ActionClose:
		r.Status = data.StatusClosed
		t := now
		r.ClosedAt = &t
	}
	if ev.Kind == "" {
		ev.Kind = string(r.Status)
	}
	ev.To = r.Status
	r.UpdatedAt = now
	if err := s.store.UpdateReport(ctx, &r, guard, ev); err != nil {
		return data.Report{}, err
	}
	return r, nil
}

// Merge rejects case id as a duplicate of case into: status rejected,
// DuplicateOf = into, a "merged" event. Both cases must be visible to actor
// (else data.ErrNotFound); into must differ from id and not be rejected
// itself (*data.ValidationError); id must be reported or accepted
// (*TransitionError); the actor must be allowed to reject (ErrForbidden).
func (s *Service) Merge(ctx context.Context, actor *data.Person, id, into int64) (data.Report, error) {
	if actor == nil {
		return data.Report{}, ErrUnauthenticated
	}
	r, err := s.Get(ctx, actor, id)
	if err != nil {
		return data.Report{}, err
	}
	if into == id {
		return data.Report{}, invalid("duplicate_of", "a case cannot duplicate itself")
	}
	target, err := s.Get(ctx, actor, into)
	if err != nil {
		if isNotFound(err) {
			return data.Report{}, invalid("duplicate_of", "no case %d", into)
		}
		return data.Report{}, err
	}
	if target.Status == data.StatusRejected {
		return data.Report{}, invalid("duplicate_of", "case %d is rejected", into)
	}
	if !slices.Contains(legal[r.Status], ActionReject) {
		return data.Report{}, &TransitionError{From: r.Status, Action: ActionReject, Allowed: AllowedActions(r.Status)}
	}
	if !May(actor, ActionReject, &r) {
		return data.Report{}, fmt.Errorf("merge report %d: %w", id, ErrForbidden)
	}
	now := s.now()
	guard := data.GuardOf(&r)
	r.Status = data.StatusRejected
	r.DuplicateOf = into
	r.UpdatedAt = now
	ev := data.Event{ReportID: id, Kind: "merged", From: guard.Status, To: data.StatusRejected, ActorID: actor.ID, At: now,
		Reason: "duplicate", Data: map[string]any{"duplicate_of": into}}
	if err := s.store.UpdateReport(ctx, &r, guard, ev); err != nil {
		return data.Report{}, err
	}
	return r, nil
}
