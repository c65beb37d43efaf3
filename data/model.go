package data

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// Level is the rank of an area in the hierarchy district → street → community → grid.
type Level string

// The four levels, from the top.
const (
	LevelDistrict  Level = "district"
	LevelStreet    Level = "street"
	LevelCommunity Level = "community"
	LevelGrid      Level = "grid"
)

// Levels lists the levels from the top down.
var Levels = []Level{LevelDistrict, LevelStreet, LevelCommunity, LevelGrid}

// Valid reports whether l is one of the four levels.
func (l Level) Valid() bool {
	switch l {
	case LevelDistrict, LevelStreet, LevelCommunity, LevelGrid:
		return true
	}
	return false
}

// Depth is 0 for a district, 3 for a grid, -1 for an unknown level.
func (l Level) Depth() int {
	for i, x := range Levels {
		if x == l {
			return i
		}
	}
	return -1
}

// Area is one node of the hierarchy. Code is the stable hierarchical code of
// the national practice: a 6-digit administrative division code (370213 for
// Licang), then 3 digits of street, 3 of community and 3 of grid sequence —
// so a grid's code is 15 digits and begins with its community's 12. Imported
// areas that do not follow the practice keep their own codes; ParentCode is
// then what ties the tree together.
type Area struct {
	Code       string
	Level      Level
	Name       string
	ParentCode string           // "" for a root
	Geom       orb.MultiPolygon // lon/lat, EPSG:4326, OGC-valid
	Households int              // derived from buildings: a grid's own, a parent's the sum of its children
	Revision   int64            // the partition revision that last changed this area
}

// Building is a point with an address and the households living there; the
// households of a grid are the sum over the buildings it covers.
type Building struct {
	ID         int64
	Address    string
	Point      orb.Point // lon/lat, EPSG:4326
	Households int
	GridCode   string // derived: the grid that routes Point (empty when outside every grid)
}

// Role is what a person does, always tied to an area (the district's code
// for district-wide roles such as the command center).
type Role string

// The roles of the practice. One person may hold several, on several areas.
const (
	RoleGridLeader     Role = "grid_leader"     // 网格长
	RoleDeputyLeader   Role = "deputy_leader"   // 副网格长: first fallback of a vacant leader post
	RoleGridStaff      Role = "grid_staff"      // 网格员
	RoleInfoOfficer    Role = "info_officer"    // 信息员
	RoleVolunteer      Role = "volunteer"       // 志愿者
	RoleCommunityHead  Role = "community_head"  // 社区书记/主任: second fallback, community scope
	RoleCommunityStaff Role = "community_staff" // 社区工作人员
	RoleStreetStaff    Role = "street_staff"    // 街道工作人员
	RoleCommandCenter  Role = "command_center"  // 指挥中心
	RolePlanner        Role = "planner"         // 规划人员: redraws grid boundaries
	RoleHandler        Role = "handler"         // 处置部门: fixes what supervision found
)

// Roles lists every role.
var Roles = []Role{RoleGridLeader, RoleDeputyLeader, RoleGridStaff, RoleInfoOfficer, RoleVolunteer,
	RoleCommunityHead, RoleCommunityStaff, RoleStreetStaff, RoleCommandCenter, RolePlanner, RoleHandler}

// Routed reports whether holders of r are named in routing answers: the
// grid leader and the two fallbacks of a vacant post, the deputy leader
// and the community head. A store publishes a new revision when it adds
// such an assignment (AddPerson), so that every server's router learns of
// it as it learns of a boundary edit.
func (r Role) Routed() bool {
	return r == RoleGridLeader || r == RoleDeputyLeader || r == RoleCommunityHead
}

// RoutedPosts is the note of the revision AddPerson publishes for p —
// "people: <name> grid_leader G1, community_head C2" — or "" when none of
// p's assignments is Routed (then AddPerson publishes none).
func RoutedPosts(p *Person) string {
	if posts := routedPosts(p.Assignments); posts != "" {
		return "people: " + p.Name + " " + posts
	}
	return ""
}

// RoutedChange is the note of the revision SetAssignments publishes when a
// person's Routed posts change — "people: <name> grid_leader G1 → none" —
// or "" when they stay the same (then it publishes none).
func RoutedChange(name string, before, after []Assignment) string {
	b, a := routedList(before), routedList(after)
	if slices.Equal(slices.Sorted(slices.Values(b)), slices.Sorted(slices.Values(a))) {
		return ""
	}
	return "people: " + name + " " + cmp.Or(strings.Join(b, ", "), "none") + " → " + cmp.Or(strings.Join(a, ", "), "none")
}

// BuildingsNote is the note of the revision a store publishes when it adds
// buildings or moves them to other grids (the households of areas change,
// and with them the dashboard's bands): "" when neither happened.
func BuildingsNote(added, moved int) string {
	switch {
	case added > 0:
		return fmt.Sprintf("buildings: %d added, households recomputed", added)
	case moved > 0:
		return fmt.Sprintf("buildings: %d moved to other grids, households recomputed", moved)
	}
	return ""
}

// routedPosts lists the Routed assignments of as ("role area, …") in
// their order.
func routedPosts(as []Assignment) string { return strings.Join(routedList(as), ", ") }

func routedList(as []Assignment) []string {
	var posts []string
	for _, a := range as {
		if a.Role.Routed() {
			posts = append(posts, string(a.Role)+" "+a.AreaCode)
		}
	}
	return posts
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Assignment gives a person a role on an area.
type Assignment struct {
	Role     Role
	AreaCode string
}

// Person is a member of staff (or a registered reporter).
type Person struct {
	ID          int64
	Name        string
	Phone       string
	Assignments []Assignment
}

// Category is a kind of report, with the deadline a case of it must be closed in.
type Category struct {
	Code     string // stable, e.g. "facility_damage"
	Name     string // Chinese name, e.g. 公共设施损坏
	NameEN   string
	Deadline time.Duration
}

// Status is the state of a case in the closed loop.
type Status string

// The states of the closed loop of digital city management.
const (
	StatusReported   Status = "reported"
	StatusAccepted   Status = "accepted"
	StatusRejected   Status = "rejected"
	StatusDispatched Status = "dispatched"
	StatusHandled    Status = "handled"
	StatusVerified   Status = "verified"
	StatusClosed     Status = "closed"
)

// Source is where a report came from.
type Source string

// The sources of reports.
const (
	SourcePatrol   Source = "patrol"
	SourceResident Source = "resident"
	SourceHotline  Source = "hotline"
	SourceOpen311  Source = "open311"
	SourceImport   Source = "import"
)

// Routing is where a point was routed: the answer of the router, stored on a report.
type Routing struct {
	GridCode      string  // empty unless Match is inside, edge or nearest
	CommunityCode string  // may be set without a grid (unassigned → community queue)
	StreetCode    string  //
	DistrictCode  string  //
	LeaderID      int64   // 0 when the post is vacant and no fallback exists
	Match         string  // inside | edge | nearest | unassigned | outside
	DistanceM     float64 // metres to the grid for nearest; 0 otherwise
	Revision      int64   // partition revision the answer came from
}

// Report is a case: one geotagged problem and where it is in the loop.
type Report struct {
	ID             int64
	Category       string
	Description    string
	Location       orb.Point // lon/lat, EPSG:4326
	Address        string
	MediaURLs      []string
	Source         Source
	ReporterID     int64 // 0 when not a known person
	ReporterName   string
	ReporterPhone  string
	Status         Status
	Routing        Routing
	AssigneeID     int64 // handler the case was dispatched to
	DuplicateOf    int64 // 0 unless flagged or rejected as a duplicate
	Escalation     Level // "" until overdue; then the level the case escalated to
	CreatedAt      time.Time
	UpdatedAt      time.Time
	DueAt          time.Time
	ClosedAt       *time.Time
	IdempotencyKey string // client's Idempotency-Key; unique when set
	RequestHash    string // hash of the submitted body, to tell a retry from a reuse of the key
}

// Event is one transition (or note) in a case's log.
type Event struct {
	ID       int64
	ReportID int64
	Kind     string // "created", a target Status, "escalated", "rerouted", "merged", "note"
	From     Status
	To       Status
	ActorID  int64
	At       time.Time
	Reason   string
	Data     map[string]any // kind-specific details (handler feedback, photos …)
}

// Revision is one published partition of the grids.
type Revision struct {
	ID        int64
	CreatedAt time.Time
	Author    string
	Note      string
	Grids     int
}

// Visit is a household visit logged by grid staff.
type Visit struct {
	ID         int64
	PersonID   int64
	GridCode   string
	BuildingID int64
	At         time.Time
	Note       string
}
