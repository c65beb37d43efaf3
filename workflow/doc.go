// Package workflow holds wangge's use cases for reports (cases): intake with
// validation, routing, idempotency and duplicate flagging; the closed loop of
// digital city management; deadlines and escalation; object-level
// authorization; API tokens; bulk intake. It imports data only: no HTTP, no
// SQL. The api and api/open311 packages call it.
//
// # The closed loop
//
//	reported ──accept──▶ accepted ──dispatch──▶ dispatched ──handle──▶ handled ──verify ok──▶ verified ──close──▶ closed
//	   │                    │                     ▲   │  ▲                         │
//	   └──reject/merge──────┴──▶ rejected         │   └──┘ reassign                │
//	                                              └────────verify not ok (reopen)──┘
//
// Every transition appends one data.Event through Store.UpdateReport with the
// status and assignee read before it as the compare-and-set guard
// (data.Guard), so of two concurrent transitions on a case exactly one wins;
// the loser gets data.ErrConflict. Event kinds: "accepted", "rejected",
// "merged" (rejected as a duplicate), "dispatched", "reassigned" (another
// handler; status unchanged), "handled", "verified", "reopened" (failed
// verification, back to dispatched), "closed", "escalated" (status
// unchanged). An action that is not legal from the case's status is a
// *TransitionError (unwraps to data.ErrConflict) naming the actions that are.
//
// Reassign keeps the status, so the guard includes the assignee: a handle
// by the previous handler, or a second reassignment, that read the case
// before the reassignment loses. The escalator changes neither status nor
// assignee; if it races a transition, both writes land, and the store never
// lowers a case's Escalation (data.Store.UpdateReport keeps the higher
// level), so the transition's older copy cannot undo the raise.
//
// # Who may see what (Scope)
//
//	grid_leader, deputy_leader, grid_staff,
//	info_officer, volunteer                 cases routed to their grids
//	community_head, community_staff         cases routed to their communities (incl. no-grid ones)
//	street_staff                            cases routed to their streets
//	command_center, planner                 every case
//	handler                                 cases dispatched to them
//	any person                              the cases they reported themselves (Get only)
//	public (nil actor)                      every case, through PublicView (no reporter identity)
//
// A case outside the actor's scope is data.ErrNotFound, never "forbidden":
// its existence is not revealed. A person holding several roles covers the
// union of their areas; List for a handler who also holds area roles shows
// the area cases unless the query sets Assignee to the handler's own id.
//
// # Who may do what (on a case in their scope)
//
//	action        community_head  street_staff     grid_leader    grid_staff      volunteer  handler      planner  public
//	              community_staff command_center   deputy_leader  info_officer
//	accept        yes             yes              no             no              no         no           no       no
//	reject/merge  yes             yes              no             no              no         no           no       no
//	dispatch      yes             yes              no             no              no         no           no       no
//	handle        no              no               no             no              no         assignee     no       no
//	verify        yes (comm.)     no               yes            yes             no         no           no       no
//	close         yes             yes              yes            no              no         no           no       no
//
// Roles count only on the case's own areas (a grid leader of grid A may not
// verify a case of grid B); command_center and planner count everywhere.
// The person a case is dispatched to may never verify it, whatever other
// roles they hold (supervision is kept apart from handling). A forbidden
// action on a visible case is ErrForbidden.
//
// # Deadlines and escalation
//
// DueAt = CreatedAt + the category's deadline. EscalateOverdue raises an open
// case's Escalation to "community" once now ≥ DueAt and to "street" once
// now ≥ DueAt + deadline, one "escalated" event per step taken.
package workflow
