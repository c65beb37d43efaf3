package data

import (
	"context"
	"time"

	"github.com/paulmach/orb"
)

// AreaQuery selects areas. Zero values mean "any"; Limit 0 means no limit.
type AreaQuery struct {
	Level  Level
	Parent string     // only direct children of this code
	BBox   *orb.Bound // only areas whose geometry intersects the box (lon/lat)
	Codes  []string   // only these codes
	Limit  int
	Offset int
}

// Partition is everything the router needs, read in one transaction: every
// area (all levels, ordered by code) and every person holding a role, as of
// one revision.
type Partition struct {
	Revision int64
	Areas    []Area
	People   []Person
}

// Dataset is a bulk load: the demo district, a test fixture, a restore.
//
// IDs: Load gives People[i], Buildings[i] and Reports[i] the ID base+i+1,
// where base is the largest ID of that kind already stored — so in an empty
// store People[i].ID == i+1, Buildings[i].ID == i+1 and Reports[i].ID == i+1
// — and writes the IDs back into the slices. IDs the caller put in those
// structs are ignored. Events[j].ReportID is the position+1 of its report in
// Reports and is rewritten to the stored ID. Every other reference (a
// report's ReporterID, AssigneeID, DuplicateOf, Routing.LeaderID, an event's
// ActorID, a visit's PersonID and BuildingID) is stored exactly as given, so
// a generator targeting an empty store writes i+1 for People[i] or
// Buildings[i]. Area households are recomputed from Buildings when Buildings
// is not empty, and kept as given otherwise.
type Dataset struct {
	Areas     []Area
	Buildings []Building
	People    []Person
	Reports   []Report  // with Routing filled in
	Events    []Event   // ReportID refers to the position+1 of the report in Reports
	Visits    []Visit   //
	Note      string    // revision note
	Now       time.Time // time of the load (revision timestamp); zero = now
}

// ReportQuery selects reports. Zero values mean "any"; Limit 0 means no limit.
type ReportQuery struct {
	IDs       []int64
	Areas     []string // report's grid, community, street or district code is one of these
	Grids     []string // report's grid code is one of these
	Status    []Status
	Category  []string
	Assignee  int64     // only cases dispatched to this person (Report.AssigneeID); 0 = any
	Open      bool      // only cases not closed or rejected
	DueBefore time.Time // only cases with DueAt before this (overdue scans)
	From, To  time.Time // CreatedAt in [From, To)
	BBox      *orb.Bound
	Limit     int
	Offset    int
}

// HeatmapQuery selects report locations for a heatmap.
type HeatmapQuery struct {
	BBox     *orb.Bound
	From, To time.Time
	Category []string
	Areas    []string // caller's scope, as in ReportQuery.Areas; empty = all
	Cell     float64  // bin size in degrees; the store snaps points to cells of this size
}

// HeatCell is a bin of the heatmap: its centre and how many reports fell in it.
type HeatCell struct {
	Point orb.Point
	Count int
}

// AreaStat is the figures of one area over a time window.
type AreaStat struct {
	Code           string
	Name           string
	Level          Level
	Reports        int     // created in the window
	Open           int     // of those, not closed or rejected
	Overdue        int     // open and past due now
	Closed         int     // closed in the window
	ClosedOnTime   int     // closed before DueAt
	MedianCloseSec float64 // median seconds from creation to closure of those closed; 0 if none
}

// Store is what wangge keeps. Both data/pgstore and data/sqlitestore
// implement it, and data/storetest holds the contract both pass. Every
// method that writes is atomic: it commits all or nothing, and returns only
// after the commit.
type Store interface {
	// Ping checks the store is reachable.
	Ping(ctx context.Context) error
	// Close releases the store.
	Close() error
	// Kind names the store: "postgis" or "sqlite".
	Kind() string
	// Migrate applies the store's pending schema migrations (package
	// migrations) and seeds DefaultCategories on first migration. It is
	// idempotent; stores do not migrate on Open.
	Migrate(ctx context.Context) error

	// Load bulk-writes a dataset (into an empty or existing store) as one
	// revision, in one transaction. Codes already present are ErrConflict.
	Load(ctx context.Context, ds *Dataset) (Revision, error)

	// PutAreas writes areas as one new revision. With replace, every existing
	// area (and building→grid link) is removed first; otherwise a code that
	// already exists is a *ValidationError (duplicate code). A parent must be
	// among the areas written or already in the store (*ValidationError with
	// the index of the first orphan). Nothing is written on error.
	// Buildings keep their grid codes (with replace they lose them):
	// PutAreasRelink re-links them in the same transaction.
	PutAreas(ctx context.Context, areas []Area, replace bool, note string) (Revision, error)
	// PutAreasRelink is PutAreas followed, in the same transaction, by
	// what RelinkBuildings does with rl.GridOf (when set), and by the
	// rerouting of every open case the write moves (Relink.Touches) with
	// rl.RouteOf (when set), a "rerouted" event each (RerouteEvent); both
	// must answer for the partition as it will be after the write. The new
	// revision, the buildings' grids and household counts and the cases'
	// routing commit together or not at all. It returns the revision, how
	// many buildings changed grid and the cases rerouted.
	PutAreasRelink(ctx context.Context, areas []Area, replace bool, note string, rl *Relink) (Revision, EditEffect, error)
	// ReviseGrids publishes a planner's edit of the grids (see GridEdit) as
	// one revision, in one transaction: the base revision is checked
	// (*StaleError), removed grids must hold no posts (*AssignedError),
	// put grids must be grids under a stored community and removed codes
	// stored grids (*ValidationError: Put items by index, then Remove);
	// then the grids are written and removed, every building re-linked
	// with GridOf (households recomputed) and every open case the edit
	// moves (GridEdit.Touches, by RouteOf) rerouted, with a "rerouted"
	// event (RerouteEvent). Nothing is written on error.
	ReviseGrids(ctx context.Context, e GridEdit) (Revision, EditEffect, error)
	// ListAreas returns the areas matching q ordered by code, and the total
	// count ignoring Limit/Offset.
	ListAreas(ctx context.Context, q AreaQuery) ([]Area, int, error)
	// GetArea returns one area or ErrNotFound.
	GetArea(ctx context.Context, code string) (Area, error)
	// Partition returns every area and every person with a role, consistently.
	Partition(ctx context.Context) (Partition, error)
	// PartitionNear is Partition limited to the areas whose bounding box
	// intersects b (edges included) and the people holding a post in one
	// of them, in one read: what routes the points near an edit.
	PartitionNear(ctx context.Context, b orb.Bound) (Partition, error)
	// CurrentRevision returns the id of the latest revision (0 when none).
	CurrentRevision(ctx context.Context) (int64, error)
	// ListRevisions returns revisions, newest first.
	ListRevisions(ctx context.Context) ([]Revision, error)

	// PutBuildings adds buildings (GridCode already derived by the caller)
	// and recomputes household counts of every area in the same
	// transaction, which publishes a revision noted BuildingsNote (when
	// bs is not empty).
	PutBuildings(ctx context.Context, bs []Building) error
	// ListBuildings returns the buildings of a grid ("" = all).
	ListBuildings(ctx context.Context, gridCode string) ([]Building, error)
	// ListBuildingsIn returns the buildings whose point lies in b (edges
	// included), by id.
	ListBuildingsIn(ctx context.Context, b orb.Bound) ([]Building, error)
	// RelinkBuildings sets every building's GridCode to gridOf(its point)
	// ("" = in no grid) and recomputes household counts, in one
	// transaction, after boundaries changed (publishing a revision noted
	// BuildingsNote when a building moved). It returns how many buildings
	// changed grid; a code that is not a stored area is a
	// *ValidationError (Index: the building's position by id) and nothing
	// is written.
	RelinkBuildings(ctx context.Context, gridOf func(pt orb.Point) string) (int, error)

	// AddPerson creates a person with their assignments and sets p.ID.
	// When an assignment is one routing answers name (Role.Routed), the
	// same transaction publishes a revision noted RoutedPosts(p), which
	// listeners (Notifier) hear like a boundary edit.
	AddPerson(ctx context.Context, p *Person) error
	// SetAssignments replaces the roles of person id (none: the person
	// keeps their name and tokens but holds no post), in one transaction:
	// a role twice is a *ValidationError, an unknown id ErrNotFound, and
	// nothing is written on error. When the Routed posts change it
	// publishes a revision noted RoutedChange, as AddPerson does.
	SetAssignments(ctx context.Context, id int64, as []Assignment) error
	// GetPerson returns one person or ErrNotFound.
	GetPerson(ctx context.Context, id int64) (Person, error)
	// ListPeople returns people holding role on area ("" = any), by id.
	ListPeople(ctx context.Context, role Role, areaCode string) ([]Person, error)
	// PutToken stores the SHA-256 hex of an API token for a person.
	PutToken(ctx context.Context, personID int64, tokenHash, label string) error
	// PersonByToken returns the person owning a token hash, or ErrNotFound.
	PersonByToken(ctx context.Context, tokenHash string) (Person, error)

	// Categories returns the report categories by code.
	Categories(ctx context.Context) ([]Category, error)

	// CreateReport writes a new report and its "created" event and sets r.ID.
	// If r.IdempotencyKey is already used, nothing is written, *r is
	// replaced by the stored report and created is false.
	CreateReport(ctx context.Context, r *Report, ev Event) (created bool, err error)
	// CreateReports writes many reports (and one "created" event each) in one
	// transaction, setting their IDs.
	CreateReports(ctx context.Context, rs []Report) error
	// GetReport returns one report or ErrNotFound.
	GetReport(ctx context.Context, id int64) (Report, error)
	// ListReports returns reports matching q, newest first, and the total.
	ListReports(ctx context.Context, q ReportQuery) ([]Report, int, error)
	// UpdateReport saves r and appends ev, provided the stored case still
	// has the status and assignee of expect (what the writer read);
	// otherwise ErrConflict and nothing is written. It never lowers the
	// stored Escalation ("" < community < street < district): the higher
	// level is kept and r.Escalation is set to it.
	UpdateReport(ctx context.Context, r *Report, expect Guard, ev Event) error
	// Events returns a report's event log, oldest first.
	Events(ctx context.Context, reportID int64) ([]Event, error)
	// EventsOf returns the events of the reports with these ids in one
	// query (for lists), ordered by report id, then as Events orders them;
	// an id with no such report adds nothing.
	EventsOf(ctx context.Context, ids []int64) ([]Event, error)

	// Heatmap bins report locations.
	Heatmap(ctx context.Context, q HeatmapQuery) ([]HeatCell, error)
	// AreaStats returns per-area figures for areas of one level.
	AreaStats(ctx context.Context, level Level, from, to, now time.Time) ([]AreaStat, error)

	// AddVisit logs a household visit and sets v.ID.
	AddVisit(ctx context.Context, v *Visit) error
	// ListVisits returns visits in a grid, newest first.
	ListVisits(ctx context.Context, gridCode string, limit int) ([]Visit, error)
}

// Notifier is implemented by stores that can tell every server using them
// that a new revision was published (PostgreSQL LISTEN/NOTIFY). The channel
// receives revision ids; it is closed when ctx ends. After a reconnect the
// store sends the current revision so that listeners catch up.
type Notifier interface {
	Revisions(ctx context.Context) (<-chan int64, error)
}

// CaseFeed is implemented by stores that several servers share
// (PostgreSQL LISTEN/NOTIFY): each server announces the case changes it
// sends to its own live feed, and hears every server's — so a dashboard
// connected to one replica sees the cases filed through another.
// Announcements are best effort and carry no case data: a listener reads
// the case. The channel of CaseChanges is closed when ctx ends; after a
// reconnect (changes may have been missed) it first delivers a CaseChange
// with Event "reload".
type CaseFeed interface {
	AnnounceCases(ctx context.Context, cs []CaseChange) error
	CaseChanges(ctx context.Context) (<-chan CaseChange, error)
}

// CaseChange is one announced change: case ReportID, the live feed's event
// name for it ("report"), and the server that announced it.
type CaseChange struct {
	Origin   string
	ReportID int64
	Event    string
}

// Guard is what a writer read of a case: UpdateReport writes only while the
// stored case still has this status and this assignee, so of two writers
// that read the same case only the first succeeds — whether they change the
// status, the assignee, or both.
type Guard struct {
	Status     Status
	AssigneeID int64
}

// GuardOf is the guard of a case as read.
func GuardOf(r *Report) Guard { return Guard{Status: r.Status, AssigneeID: r.AssigneeID} }
