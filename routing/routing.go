package routing

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/geo"
	"github.com/wangge-dev/wangge/internal/hugepages"
)

// Match kinds of an Answer (also stored in data.Routing.Match).
const (
	MatchInside     = "inside"     // in the interior of the grid
	MatchEdge       = "edge"       // on the grid's boundary (lowest code among the grids sharing it)
	MatchNearest    = "nearest"    // in no grid; the nearest grid within Options.NearestMeters
	MatchUnassigned = "unassigned" // in no grid and none near; the smallest enclosing area's queue
	MatchOutside    = "outside"    // outside every district
)

// Options tunes Build. Zero values take the defaults; negative disables.
type Options struct {
	NearestMeters    float64 // default 200; negative: no nearest grid (unassigned at once)
	NearBorderMeters float64 // default 30; negative: no near-border flag
	CellsPerItem     int     // raster size of the grid index, see geo.IndexOptions
}

// AreaRef names an area.
type AreaRef struct {
	Code string
	Name string
}

// Person is the staff member a report goes to.
type Person struct {
	ID    int64
	Name  string
	Phone string
}

// Place is the part of an answer that does not depend on the point: the
// grid (or, for an unassigned point, nothing), who receives the case, the
// community, street and district, and the partition revision. Build
// precomputes one per grid and one per area, with its JSON; every answer
// routed to that grid or area points at the same Place, so Route copies
// nothing and reads nothing of it. Read-only.
type Place struct {
	Grid         AreaRef // set for inside, edge and nearest
	GridRevision int64   // revision that last changed the grid
	// Leader is who receives the case: the grid leader, or when that post
	// is vacant the grid's deputy leader, then the community's community
	// head. LeaderRole says which post answered ("" when nobody).
	Leader       Person
	LeaderRole   data.Role
	LeaderVacant bool // the grid leader post is vacant (Leader is a fallback or nobody)
	Community    AreaRef
	Street       AreaRef
	District     AreaRef
	Revision     int64 // partition revision the answer came from

	// JSON of the fields above as AppendJSON and AppendCompactJSON write
	// them (see json.go): full[:split] goes before distance_m, full[split:]
	// after it.
	full    []byte
	split   int
	compact []byte
}

// Answer is where a point is routed. Zero-valued references mean "none".
type Answer struct {
	*Place              // never nil in an answer of Route or Grid
	Match       string  // MatchInside … MatchOutside
	DistanceM   float64 // metres to the grid for nearest; 0 otherwise
	NearBorder  AreaRef // another grid within Options.NearBorderMeters of a point in a grid
	NearBorderM float64 // metres to NearBorder (0 when the point is on their shared boundary)
}

// Routing is the answer in the form stored on a report.
func (a *Answer) Routing() data.Routing {
	return data.Routing{
		GridCode:      a.Grid.Code,
		CommunityCode: a.Community.Code,
		StreetCode:    a.Street.Code,
		DistrictCode:  a.District.Code,
		LeaderID:      a.Leader.ID,
		Match:         a.Match,
		DistanceM:     a.DistanceM,
		Revision:      a.Revision,
	}
}

// areaIndex holds the communities, streets and districts in one covers
// index (no nearest search), keyed community first, then street, then
// district, each level in code order: since Lookup returns the lowest key
// among the items covering a point, one lookup finds the smallest
// enclosing area — one raster read for a point outside everything.
type areaIndex struct {
	ix  *geo.Index
	ans []Place // per key: the place of a point in that area (unassigned)
}

// Snapshot is one partition, indexed. Immutable; safe for concurrent use.
type Snapshot struct {
	Revision int64
	grids    []Place   // per grid key (code order)
	hh       []int     // per grid key: households
	refs     []AreaRef // per grid key: code and name (near-border neighbours; small, cache-friendly)
	outside  *Place    // the place of a point outside every district
	gridIx   *geo.Index
	areas    areaIndex // communities, then streets, then districts

	// What the two indexes were built from (BuildFrom reuses them when
	// both are unchanged): the options, the grids' geometries by key and
	// the areas' by key.
	opts                 Options
	gridGeoms, areaGeoms []orb.MultiPolygon
}

// Grids is the number of grids in the snapshot.
func (s *Snapshot) Grids() int { return len(s.grids) }

// IndexBytes is the approximate memory of the snapshot's grid and area
// indexes (geo.Stats.Bytes): what a lookup reads from, for the bench.
func (s *Snapshot) IndexBytes() int { return s.gridIx.Stats().Bytes + s.areas.ix.Stats().Bytes }

// GridHouseholds yields every grid's code and household count, in code
// order.
func (s *Snapshot) GridHouseholds() iter.Seq2[string, int] {
	return func(yield func(string, int) bool) {
		for i := range s.grids {
			if !yield(s.grids[i].Grid.Code, s.hh[i]) {
				return
			}
		}
	}
}

// VacantGrids yields, in code order, the places of the grids whose leader
// post is vacant (Place.Leader is then the fallback, or nobody).
func (s *Snapshot) VacantGrids() iter.Seq[*Place] {
	return func(yield func(*Place) bool) {
		for i := range s.grids {
			if s.grids[i].LeaderVacant && !yield(&s.grids[i]) {
				return
			}
		}
	}
}

// Build indexes the grids of p (level "grid", ordered by code) and keeps
// the hierarchy grid → community → street → district (by ParentCode) for
// names, fallbacks and points outside every grid. Grids with an empty
// geometry are kept but never match.
func Build(p data.Partition, opts Options) (*Snapshot, error) { return BuildFrom(nil, p, opts) }

// BuildFrom is Build, reusing the indexes of prev (nil: none) when p's
// grids and areas have exactly prev's geometries in the same order and
// the options are the same — a revision that changed people or names
// only (a new grid leader) then costs milliseconds instead of an index
// build. Snapshots share indexes read-only.
func BuildFrom(prev *Snapshot, p data.Partition, opts Options) (*Snapshot, error) {
	byCode := make(map[string]*data.Area, len(p.Areas))
	for i := range p.Areas {
		a := &p.Areas[i]
		if _, dup := byCode[a.Code]; dup {
			return nil, fmt.Errorf("routing: duplicate area code %q", a.Code)
		}
		byCode[a.Code] = a
	}
	// Posts: the lowest person id holding the role on the area.
	type post struct {
		role data.Role
		area string
	}
	holder := map[post]*data.Person{}
	for i := range p.People {
		pp := &p.People[i]
		for _, as := range pp.Assignments {
			k := post{as.Role, as.AreaCode}
			if cur, ok := holder[k]; !ok || pp.ID < cur.ID {
				holder[k] = pp
			}
		}
	}
	ancestor := func(a *data.Area, lv data.Level) *data.Area {
		for n := 0; a != nil && n < 8; n++ {
			if a.Level == lv {
				return a
			}
			a = byCode[a.ParentCode]
		}
		return nil
	}
	ref := func(a *data.Area) AreaRef {
		if a == nil {
			return AreaRef{}
		}
		return AreaRef{Code: a.Code, Name: a.Name}
	}
	person := func(pp *data.Person) Person { return Person{ID: pp.ID, Name: pp.Name, Phone: pp.Phone} }
	fill := func(a *data.Area) Place {
		comm := ancestor(a, data.LevelCommunity)
		ans := Place{
			Community: ref(comm),
			Street:    ref(ancestor(a, data.LevelStreet)),
			District:  ref(ancestor(a, data.LevelDistrict)),
			Revision:  p.Revision,
		}
		if a.Level == data.LevelGrid {
			ans.Grid, ans.GridRevision = ref(a), a.Revision
			if pp := holder[post{data.RoleGridLeader, a.Code}]; pp != nil {
				ans.Leader, ans.LeaderRole = person(pp), data.RoleGridLeader
				return ans
			}
			ans.LeaderVacant = true
			if pp := holder[post{data.RoleDeputyLeader, a.Code}]; pp != nil {
				ans.Leader, ans.LeaderRole = person(pp), data.RoleDeputyLeader
				return ans
			}
		}
		if comm != nil {
			if pp := holder[post{data.RoleCommunityHead, comm.Code}]; pp != nil {
				ans.Leader, ans.LeaderRole = person(pp), data.RoleCommunityHead
			}
		}
		return ans
	}
	collect := func(lv data.Level) []*data.Area {
		var out []*data.Area
		for i := range p.Areas {
			if p.Areas[i].Level == lv {
				out = append(out, &p.Areas[i])
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
		return out
	}
	base := func(a *data.Area) Place { // with its JSON
		pl := fill(a)
		pl.prepare()
		return pl
	}
	s := &Snapshot{Revision: p.Revision, outside: outsidePlace(p.Revision), opts: opts}
	grids := collect(data.LevelGrid)
	items := make([]geo.Item, len(grids))
	s.grids = make([]Place, len(grids))
	s.refs = make([]AreaRef, len(grids))
	s.hh = make([]int, len(grids))
	s.gridGeoms = make([]orb.MultiPolygon, len(grids))
	for i, g := range grids {
		items[i] = geo.Item{Key: int32(i), Geom: g.Geom}
		s.grids[i] = base(g)
		s.refs[i] = ref(g)
		s.hh[i] = g.Households
		s.gridGeoms[i] = g.Geom
	}
	var its []geo.Item
	for _, lv := range []data.Level{data.LevelCommunity, data.LevelStreet, data.LevelDistrict} {
		for _, a := range collect(lv) {
			its = append(its, geo.Item{Key: int32(len(its)), Geom: a.Geom})
			s.areas.ans = append(s.areas.ans, base(a))
			s.areaGeoms = append(s.areaGeoms, a.Geom)
		}
	}
	if prev != nil && prev.gridIx != nil && prev.opts == opts && sameGeoms(prev.gridGeoms, s.gridGeoms) && sameGeoms(prev.areaGeoms, s.areaGeoms) {
		s.gridIx, s.areas.ix = prev.gridIx, prev.areas.ix
		return s, nil
	}
	var err error
	s.areas.ix, err = geo.NewIndex(its, geo.IndexOptions{NearestMeters: -1, NearBorderMeters: -1, CellsPerItem: 64, Advise: hugepages.Advise})
	if err != nil {
		return nil, fmt.Errorf("routing: areas: %w", err)
	}
	// The grid index's cells in no grid's reach carry the enclosing area
	// where one holds for the whole cell: one read for such a point.
	s.gridIx, err = geo.NewIndex(items, geo.IndexOptions{
		NearestMeters: opts.NearestMeters, NearBorderMeters: opts.NearBorderMeters, CellsPerItem: opts.CellsPerItem,
		Outer: s.areas.ix, Advise: hugepages.Advise,
	})
	if err != nil {
		return nil, fmt.Errorf("routing: grids: %w", err)
	}
	return s, nil
}

// sameGeoms reports whether a and b hold the same geometries, coordinate
// for coordinate, in the same order.
func sameGeoms(a, b []orb.MultiPolygon) bool {
	return slices.EqualFunc(a, b, orb.MultiPolygon.Equal)
}

// Route answers one lon/lat point (WGS-84): the grid covering it (lowest
// code on shared boundaries), else the nearest grid within NearestMeters,
// else the smallest enclosing community, street or district (unassigned),
// else outside. It takes no lock and does not allocate; the answer points
// at the snapshot's precomputed Place of the grid or area.
func (s *Snapshot) Route(lon, lat float64) (a Answer) {
	var m geo.Match
	s.gridIx.LookupTo(lon, lat, &m)
	if m.Key >= 0 {
		a.Place, a.Match = &s.grids[m.Key], MatchInside
		switch m.Kind {
		case geo.MatchEdge:
			a.Match = MatchEdge
		case geo.MatchNearest:
			a.Match, a.DistanceM = MatchNearest, m.DistanceM
		}
		if m.NearKey >= 0 {
			a.NearBorder, a.NearBorderM = s.refs[m.NearKey], m.NearM
		}
		return a
	}
	k := m.OuterKey
	if !m.OuterKnown {
		s.areas.ix.LookupTo(lon, lat, &m)
		k = m.Key
	}
	if k >= 0 {
		a.Place, a.Match = &s.areas.ans[k], MatchUnassigned
		return a
	}
	a.Place, a.Match = s.outside, MatchOutside
	return a
}

// LooksSwapped reports whether the input point (lon, lat), which routed to
// a (through conv, which takes input coordinates to WGS84; nil: none), is
// outside the service area while the same two numbers the other way round
// are inside it: a client sending lat,lon. A point really outside (its
// swap outside too, or not a valid point) is not.
func (s *Snapshot) LooksSwapped(lon, lat float64, a *Answer, conv func(lon, lat float64) (float64, float64)) bool {
	if a.Match != MatchOutside || lon < -90 || lon > 90 || lat < -180 || lat > 180 {
		return false
	}
	x, y := lat, lon
	if conv != nil {
		x, y = conv(x, y)
	}
	return s.Route(x, y).Match != MatchOutside
}

// SwapMessage says why a point LooksSwapped (for error answers).
func SwapMessage(lon, lat float64) string {
	return fmt.Sprintf("point (lon %v, lat %v) is outside the service area but (lon %v, lat %v) is inside: lon and lat look swapped", lon, lat, lat, lon)
}

// PartitionRouter returns what workflow.Config.RoutePartition takes: the
// routing of any partition, as a router with opts would answer it.
func PartitionRouter(opts Options) func(p data.Partition) (func(lon, lat float64) data.Routing, error) {
	return func(p data.Partition) (func(lon, lat float64) data.Routing, error) {
		snap, err := Build(p, opts)
		if err != nil {
			return nil, err
		}
		return func(lon, lat float64) data.Routing { a := snap.Route(lon, lat); return a.Routing() }, nil
	}
}

// Router holds the current snapshot. The zero Router routes everything
// outside (revision 0) until a snapshot is swapped in.
type Router struct {
	cur    atomic.Pointer[Snapshot]
	opts   Options
	reload sync.Mutex // serialises Reload
	// Reload's record, for metrics (Stats).
	reloads, reloadFailures, lastReloadNS atomic.Int64
	// OnReload, when set before Watch, is told of every reload Watch does
	// (err nil on success; the old snapshot stays on error).
	OnReload func(revision int64, err error)
}

var empty = &Snapshot{gridIx: mustEmpty(), areas: areaIndex{ix: mustEmpty()}, outside: outsidePlace(0)}

// outsidePlace is the place of a point outside every district.
func outsidePlace(revision int64) *Place {
	p := &Place{Revision: revision}
	p.prepare()
	return p
}

func mustEmpty() *geo.Index {
	ix, err := geo.NewIndex(nil, geo.IndexOptions{})
	if err != nil {
		panic(err)
	}
	return ix
}

// NewRouter returns a router serving s (nil: an empty partition) that
// builds later snapshots with opts.
func NewRouter(s *Snapshot, opts Options) *Router {
	r := &Router{opts: opts}
	if s != nil {
		r.cur.Store(s)
	}
	return r
}

// Snapshot returns the current snapshot (never nil).
func (r *Router) Snapshot() *Snapshot {
	if s := r.cur.Load(); s != nil {
		return s
	}
	return empty
}

// Route answers one point from the current snapshot (see Snapshot.Route).
func (r *Router) Route(lon, lat float64) Answer { return r.Snapshot().Route(lon, lat) }

// RouteBatch answers many points, in input order, all from one snapshot.
func (r *Router) RouteBatch(pts []orb.Point) []Answer {
	s := r.Snapshot()
	out := make([]Answer, len(pts))
	for i, p := range pts {
		out[i] = s.Route(p[0], p[1])
	}
	return out
}

// Swap makes s the current snapshot and returns the previous one.
func (r *Router) Swap(s *Snapshot) *Snapshot {
	old := r.cur.Swap(s)
	if old == nil {
		return empty
	}
	return old
}

// Reload rebuilds the snapshot from store.Partition and swaps it in.
func (r *Router) Reload(ctx context.Context, store data.Store) error {
	r.reload.Lock()
	defer r.reload.Unlock()
	return r.reloadLocked(ctx, store)
}

// CatchUp makes the router serve revision rev of store or a later one: it
// reloads unless the current snapshot — or the one a concurrent reload
// (Watch's, another caller's) swaps in while this call waits for it — is
// already that recent. Intake calls it when the store refused a case
// routed on an older revision (workflow.Config.CatchUp).
func (r *Router) CatchUp(ctx context.Context, store data.Store, rev int64) error {
	if r.Revision() >= rev {
		return nil
	}
	r.reload.Lock()
	defer r.reload.Unlock()
	if r.Revision() >= rev {
		return nil
	}
	if err := r.reloadLocked(ctx, store); err != nil {
		return err
	}
	if got := r.Revision(); got < rev {
		return fmt.Errorf("routing: catch up: the store gave revision %d, not %d or later", got, rev)
	}
	return nil
}

func (r *Router) reloadLocked(ctx context.Context, store data.Store) error {
	t0 := time.Now()
	p, err := store.Partition(ctx)
	if err != nil {
		r.reloadFailures.Add(1)
		return fmt.Errorf("routing: reload: %w", err)
	}
	s, err := BuildFrom(r.cur.Load(), p, r.opts)
	if err != nil {
		r.reloadFailures.Add(1)
		return err
	}
	r.Swap(s)
	r.reloads.Add(1)
	r.lastReloadNS.Store(int64(time.Since(t0)))
	return nil
}

// ReloadStats is Reload's record: successful and failed reloads, and how
// long the last successful one took (partition read and index build).
type ReloadStats struct {
	Reloads, Failures int64
	Last              time.Duration
}

// Stats returns Reload's record (for metrics).
func (r *Router) Stats() ReloadStats {
	return ReloadStats{Reloads: r.reloads.Load(), Failures: r.reloadFailures.Load(), Last: time.Duration(r.lastReloadNS.Load())}
}

// ErrNoNotifier is returned by Watch when the store cannot notify.
var ErrNoNotifier = errors.New("routing: store does not notify revisions")

// Backoff bounds of Watch's retries after a failed reload.
var (
	ReloadRetryMin = 100 * time.Millisecond
	ReloadRetryMax = 5 * time.Second
)

// Watch reloads the snapshot whenever the store announces a revision newer
// than the current one (data.Notifier; the store resends the current
// revision after a reconnect, which catches up any missed publish). A
// reload that fails (the database unreachable for a moment) is retried
// with backoff (ReloadRetryMin doubling to ReloadRetryMax) until the
// snapshot reaches the newest announced revision; the old snapshot serves
// meanwhile. OnReload hears of every attempt. Watch blocks until ctx ends
// or the notification channel closes, and returns ErrNoNotifier at once
// when the store does not implement data.Notifier.
func (r *Router) Watch(ctx context.Context, store data.Store) error {
	n, ok := store.(data.Notifier)
	if !ok {
		return ErrNoNotifier
	}
	ch, err := n.Revisions(ctx)
	if err != nil {
		return fmt.Errorf("routing: watch: %w", err)
	}
	var (
		want    int64            // the newest revision announced
		retry   <-chan time.Time // set while a failed reload waits to be retried
		backoff = ReloadRetryMin
	)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case rev, ok := <-ch:
			if !ok {
				return ctx.Err()
			}
			want = max(want, rev)
			if retry != nil {
				continue // a retry is already due
			}
		case <-retry:
			retry = nil
		}
		if want <= r.Snapshot().Revision {
			continue
		}
		err := r.Reload(ctx, store)
		if r.OnReload != nil {
			r.OnReload(want, err)
		}
		if err != nil && ctx.Err() == nil {
			retry = time.After(backoff)
			backoff = min(2*backoff, ReloadRetryMax)
		} else {
			backoff = ReloadRetryMin
		}
	}
}
