package routing_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/geo"
	"github.com/wangge-dev/wangge/geo/geotest"
	"github.com/wangge-dev/wangge/routing"
)

func rect(x0, y0, x1, y1 float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
}

// fixture: district D ⊃ street S ⊃ communities C1 (grids G1, G2), C2 (grid
// G3 covering only its west part) and C3 (grid G5, nobody assigned).
func fixture() data.Partition {
	a := func(code string, lv data.Level, parent string, g orb.MultiPolygon) data.Area {
		return data.Area{Code: code, Level: lv, Name: "name " + code, ParentCode: parent, Geom: g, Revision: 7}
	}
	return data.Partition{
		Revision: 7,
		Areas: []data.Area{
			a("D", data.LevelDistrict, "", rect(120.00, 36.00, 120.03, 36.01)),
			a("S", data.LevelStreet, "D", rect(120.00, 36.00, 120.03, 36.01)),
			a("C1", data.LevelCommunity, "S", rect(120.00, 36.00, 120.01, 36.01)),
			a("C2", data.LevelCommunity, "S", rect(120.01, 36.00, 120.02, 36.01)),
			a("C3", data.LevelCommunity, "S", rect(120.02, 36.00, 120.03, 36.01)),
			a("G1", data.LevelGrid, "C1", rect(120.000, 36.00, 120.005, 36.01)),
			a("G2", data.LevelGrid, "C1", rect(120.005, 36.00, 120.010, 36.01)),
			a("G3", data.LevelGrid, "C2", rect(120.010, 36.00, 120.013, 36.01)),
			a("G5", data.LevelGrid, "C3", rect(120.020, 36.00, 120.030, 36.01)),
		},
		People: []data.Person{
			{ID: 10, Name: "Leader One", Phone: "1", Assignments: []data.Assignment{{Role: data.RoleGridLeader, AreaCode: "G1"}}},
			{ID: 11, Name: "Second leader", Phone: "11", Assignments: []data.Assignment{{Role: data.RoleGridLeader, AreaCode: "G1"}}},
			{ID: 20, Name: "Deputy Two", Phone: "2", Assignments: []data.Assignment{{Role: data.RoleDeputyLeader, AreaCode: "G2"}}},
			{ID: 30, Name: "Head C2", Phone: "3", Assignments: []data.Assignment{{Role: data.RoleCommunityHead, AreaCode: "C2"}}},
			{ID: 40, Name: "Staff", Phone: "4", Assignments: []data.Assignment{{Role: data.RoleGridStaff, AreaCode: "G5"}}},
		},
	}
}

func TestRoute(t *testing.T) {
	s, err := routing.Build(fixture(), routing.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name       string
		lon, lat   float64
		match      string
		grid       string
		community  string
		leaderID   int64
		leaderRole data.Role
		vacant     bool
		near       string
	}{
		{"leader present (lowest id of two)", 120.001, 36.005, routing.MatchInside, "G1", "C1", 10, data.RoleGridLeader, false, ""},
		{"vacant: deputy leader", 120.007, 36.005, routing.MatchInside, "G2", "C1", 20, data.RoleDeputyLeader, true, ""},
		{"vacant, no deputy: community head", 120.0115, 36.005, routing.MatchInside, "G3", "C2", 30, data.RoleCommunityHead, true, ""},
		{"vacant, nobody", 120.025, 36.005, routing.MatchInside, "G5", "C3", 0, "", true, ""},
		{"shared edge G1|G2 goes to G1", 120.005, 36.005, routing.MatchEdge, "G1", "C1", 10, data.RoleGridLeader, false, "G2"},
		{"near the border of G2", 120.0049, 36.005, routing.MatchInside, "G1", "C1", 10, data.RoleGridLeader, false, "G2"},
		{"in C2 near G3: nearest", 120.0140, 36.005, routing.MatchNearest, "G3", "C2", 30, data.RoleCommunityHead, true, ""},
		{"in C2 far from grids: unassigned, community head", 120.0165, 36.005, routing.MatchUnassigned, "", "C2", 30, data.RoleCommunityHead, false, ""},
		{"outside the district", 121, 37, routing.MatchOutside, "", "", 0, "", false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := s.Route(c.lon, c.lat)
			if a.Match != c.match || a.Grid.Code != c.grid || a.Community.Code != c.community ||
				a.Leader.ID != c.leaderID || a.LeaderRole != c.leaderRole || a.LeaderVacant != c.vacant || a.NearBorder.Code != c.near {
				t.Fatalf("Route = %+v", a)
			}
			if a.Revision != 7 {
				t.Fatalf("revision %d", a.Revision)
			}
			r := a.Routing()
			if r.GridCode != c.grid || r.Match != c.match || r.LeaderID != c.leaderID || r.Revision != 7 {
				t.Fatalf("Routing() = %+v", r)
			}
			if c.match != routing.MatchOutside && (a.Street.Code != "S" || a.District.Code != "D") {
				t.Fatalf("chain %+v %+v", a.Street, a.District)
			}
			if c.match == routing.MatchNearest && (a.DistanceM < 80 || a.DistanceM > 100) {
				t.Fatalf("distance %.1f m", a.DistanceM)
			}
			checkAnswerJSON(t, a)
		})
	}
}

func TestRouteAllocs(t *testing.T) {
	s, err := routing.Build(fixture(), routing.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := routing.NewRouter(s, routing.Options{})
	if n := testing.AllocsPerRun(200, func() { r.Route(120.001, 36.005); r.Route(120.0165, 36.005) }); n != 0 {
		t.Fatalf("Route allocates %v", n)
	}
}

// partition turns synthetic items into a grid-only partition whose codes
// carry a prefix, so that an answer tells which partition it came from.
func partition(prefix string, rev int64, seed int64) (data.Partition, []geo.Item) {
	items := geotest.Partition(400, geotest.Options{Seed: seed})
	p := data.Partition{Revision: rev}
	for _, it := range items {
		p.Areas = append(p.Areas, data.Area{Code: prefix + geotest.Code(it.Key), Level: data.LevelGrid, Geom: it.Geom, Revision: rev})
	}
	return p, items
}

// TestSwapUnderLoad routes from many goroutines while snapshots are swapped;
// every answer must be exactly what one whole snapshot says (revision and
// grid code agree). Run with -race.
func TestSwapUnderLoad(t *testing.T) {
	pa, items := partition("A", 1, 1)
	pb, _ := partition("B", 2, 2)
	sa, err := routing.Build(pa, routing.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sb, err := routing.Build(pb, routing.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pts := geotest.Probes(items, 2000, 0.001, 9)
	wantA := make([]routing.Answer, len(pts))
	wantB := make([]routing.Answer, len(pts))
	for i, p := range pts {
		wantA[i], wantB[i] = sa.Route(p[0], p[1]), sb.Route(p[0], p[1])
	}
	r := routing.NewRouter(sa, routing.Options{})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var routed, bad atomic.Int64
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(g)))
			for {
				select {
				case <-stop:
					return
				default:
				}
				i := rng.Intn(len(pts))
				a := r.Route(pts[i][0], pts[i][1])
				var want routing.Answer
				switch a.Revision {
				case 1:
					want = wantA[i]
				case 2:
					want = wantB[i]
				default:
					bad.Add(1)
					continue
				}
				if a != want || a.Grid.Code != "" && !strings.HasPrefix(a.Grid.Code, map[int64]string{1: "A", 2: "B"}[a.Revision]) {
					bad.Add(1)
				}
				routed.Add(1)
			}
		}(g)
	}
	for i := 0; i < 200; i++ {
		if i%2 == 0 {
			r.Swap(sb)
		} else {
			r.Swap(sa)
		}
		time.Sleep(time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if bad.Load() != 0 || routed.Load() == 0 {
		t.Fatalf("%d of %d answers mixed partitions", bad.Load(), routed.Load())
	}
}

func TestRouteBatch(t *testing.T) {
	s, _ := routing.Build(fixture(), routing.Options{})
	r := routing.NewRouter(s, routing.Options{})
	got := r.RouteBatch([]orb.Point{{121, 37}, {120.001, 36.005}, {120.007, 36.005}})
	if len(got) != 3 || got[0].Match != routing.MatchOutside || got[1].Grid.Code != "G1" || got[2].Grid.Code != "G2" {
		t.Fatalf("RouteBatch = %+v", got)
	}
	if a := routing.NewRouter(nil, routing.Options{}).Route(120.001, 36.005); a.Match != routing.MatchOutside {
		t.Fatalf("empty router: %+v", a)
	}
}

// fakeStore serves a partition per revision and notifies revisions.
type fakeStore struct {
	data.Store
	mu    sync.Mutex
	parts map[int64]data.Partition
	cur   int64
	ch    chan int64
	calls atomic.Int64
	fail  int // Partition fails this many more times
}

func (f *fakeStore) Partition(context.Context) (data.Partition, error) {
	f.calls.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail > 0 {
		f.fail--
		return data.Partition{}, errors.New("database unreachable")
	}
	return f.parts[f.cur], nil
}

func (f *fakeStore) Revisions(context.Context) (<-chan int64, error) { return f.ch, nil }

func (f *fakeStore) publish(rev int64) {
	f.mu.Lock()
	f.cur = rev
	f.mu.Unlock()
	f.ch <- rev
}

// watched is a fakeStore at revision 1 of two (partitions A and B) and a
// router loaded from it.
func watched(t *testing.T) (*fakeStore, *routing.Router) {
	t.Helper()
	pa, _ := partition("A", 1, 1)
	pb, _ := partition("B", 2, 2)
	st := &fakeStore{parts: map[int64]data.Partition{1: pa, 2: pb}, cur: 1, ch: make(chan int64)}
	r := routing.NewRouter(nil, routing.Options{})
	if err := r.Reload(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	return st, r
}

func TestWatch(t *testing.T) {
	st, r := watched(t)
	reloaded := make(chan int64, 4)
	r.OnReload = func(rev int64, err error) {
		if err != nil {
			t.Error(err)
		}
		reloaded <- rev
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- r.Watch(ctx, st) }()
	st.publish(1) // the current revision again (reconnect): no reload
	st.publish(2)
	select {
	case rev := <-reloaded:
		if rev != 2 || r.Snapshot().Revision != 2 {
			t.Fatalf("reloaded %d, snapshot %d", rev, r.Snapshot().Revision)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no reload")
	}
	if n := st.calls.Load(); n != 2 {
		t.Fatalf("Partition called %d times, want 2 (initial + revision 2)", n)
	}
	cancel()
	<-done
	if err := routing.NewRouter(nil, routing.Options{}).Watch(context.Background(), struct{ data.Store }{}); err != routing.ErrNoNotifier {
		t.Fatalf("Watch on a plain store: %v", err)
	}
}

// TestBuildFromReusesIndexes: a revision that changes people or names
// only reuses the previous snapshot's indexes and answers with the new
// leader; a moved boundary, a changed area or other options build anew.
func TestBuildFromReusesIndexes(t *testing.T) {
	p1 := fixture()
	s1, err := routing.Build(p1, routing.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// A new leader of G2 and a renamed G1: same geometries.
	p2 := fixture()
	p2.Revision = 8
	p2.People = append(p2.People, data.Person{ID: 50, Name: "New leader", Assignments: []data.Assignment{{Role: data.RoleGridLeader, AreaCode: "G2"}}})
	p2.Areas[5].Name = "renamed"
	s2, err := routing.BuildFrom(s1, p2, routing.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !routing.SharesIndexForTest(s1, s2) {
		t.Fatal("people and names changed only, yet the indexes were rebuilt")
	}
	if a := s2.Route(120.007, 36.005); a.Grid.Code != "G2" || a.Leader.ID != 50 || a.LeaderVacant || a.Revision != 8 {
		t.Fatalf("G2 after the appointment: %+v", a)
	}
	if a := s2.Route(120.001, 36.005); a.Grid.Name != "renamed" {
		t.Fatalf("G1 after the rename: %+v", a)
	}
	// The G1|G2 border moves east: rebuilt, and the point follows it.
	p3 := fixture()
	p3.Areas[5].Geom = rect(120.000, 36.00, 120.008, 36.01)
	p3.Areas[6].Geom = rect(120.008, 36.00, 120.010, 36.01)
	s3, err := routing.BuildFrom(s1, p3, routing.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if routing.SharesIndexForTest(s1, s3) || s3.Route(120.007, 36.005).Grid.Code != "G1" {
		t.Fatalf("moved border: shared index %v, point in %s", routing.SharesIndexForTest(s1, s3), s3.Route(120.007, 36.005).Grid.Code)
	}
	// A changed community (the areas index) or other options: rebuilt.
	p4 := fixture()
	p4.Areas[4].Geom = rect(120.02, 36.00, 120.029, 36.01)
	for name, c := range map[string]struct {
		p data.Partition
		o routing.Options
	}{"community C3 changed": {p4, routing.Options{}}, "near-border 50 m": {fixture(), routing.Options{NearBorderMeters: 50}}} {
		s, err := routing.BuildFrom(s1, c.p, c.o)
		if err != nil {
			t.Fatal(err)
		}
		if routing.SharesIndexForTest(s1, s) {
			t.Errorf("%s: the indexes were reused", name)
		}
	}
}

// TestWatchRetriesFailedReload: a reload that fails (the database
// unreachable) is retried with backoff, with the old snapshot serving,
// until it succeeds — no further notification needed.
func TestWatchRetriesFailedReload(t *testing.T) {
	oldMin, oldMax := routing.ReloadRetryMin, routing.ReloadRetryMax
	routing.ReloadRetryMin, routing.ReloadRetryMax = 5*time.Millisecond, 20*time.Millisecond
	t.Cleanup(func() { routing.ReloadRetryMin, routing.ReloadRetryMax = oldMin, oldMax })
	st, r := watched(t)
	type attempt struct {
		rev      int64
		err      error
		snapshot int64
	}
	attempts := make(chan attempt, 8)
	r.OnReload = func(rev int64, err error) { attempts <- attempt{rev, err, r.Snapshot().Revision} }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- r.Watch(ctx, st) }()
	st.mu.Lock()
	st.fail = 3
	st.mu.Unlock()
	st.publish(2) // the one notification
	for i := 0; i < 4; i++ {
		select {
		case a := <-attempts:
			if i < 3 && (a.err == nil || a.snapshot != 1) || i == 3 && (a.err != nil || a.snapshot != 2) || a.rev != 2 {
				t.Fatalf("attempt %d: %+v (want 3 failures serving revision 1, then revision 2)", i+1, a)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("attempt %d did not come: a failed reload was not retried", i+1)
		}
	}
	if n := st.calls.Load(); n != 5 {
		t.Fatalf("Partition called %d times, want 5 (initial, 3 failures, success)", n)
	}
	if rs := r.Stats(); rs.Reloads != 2 || rs.Failures != 3 || rs.Last <= 0 {
		t.Fatalf("Stats = %+v, want 2 reloads, 3 failures and a duration", rs)
	}
	cancel()
	<-done
}

func BenchmarkRoute(b *testing.B) {
	p, items := partition("A", 1, 1)
	_ = p
	items = geotest.Partition(1500, geotest.Options{Seed: 1})
	p = data.Partition{Revision: 1}
	for _, it := range items {
		p.Areas = append(p.Areas, data.Area{Code: geotest.Code(it.Key), Level: data.LevelGrid, Geom: it.Geom})
	}
	s, err := routing.Build(p, routing.Options{})
	if err != nil {
		b.Fatal(err)
	}
	r := routing.NewRouter(s, routing.Options{})
	pts := geotest.Probes(items, 1<<16, 0, 3)[len(items)*8:] // random points only (skip most vertex probes)
	b.ReportAllocs()
	var n int
	for i := 0; b.Loop(); i++ {
		p := pts[i%len(pts)]
		n += len(r.Route(p[0], p[1]).Match)
	}
	_ = n
}

// TestRouteAreaLevels checks the fallback for points in no grid: the
// smallest enclosing area wins whatever the codes' order across levels,
// and an area outside every district still counts.
func TestRouteAreaLevels(t *testing.T) {
	a := func(code string, lv data.Level, parent string, g orb.MultiPolygon) data.Area {
		return data.Area{Code: code, Level: lv, Name: "name " + code, ParentCode: parent, Geom: g, Revision: 1}
	}
	p := data.Partition{Revision: 1, Areas: []data.Area{
		a("A1", data.LevelDistrict, "", rect(120.00, 36.00, 120.03, 36.01)),
		a("B1", data.LevelStreet, "A1", rect(120.00, 36.00, 120.02, 36.01)),
		a("Z1", data.LevelCommunity, "B1", rect(120.00, 36.00, 120.01, 36.01)),
		a("Y9", data.LevelCommunity, "", rect(121.00, 37.00, 121.01, 37.01)), // in no district or street
	}}
	s, err := routing.Build(p, routing.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name                        string
		lon, lat                    float64
		match                       string
		community, street, district string
	}{
		{"in the community", 120.005, 36.005, routing.MatchUnassigned, "Z1", "B1", "A1"},
		{"on the community's east edge (shared with the street's interior)", 120.01, 36.005, routing.MatchUnassigned, "Z1", "B1", "A1"},
		{"in the street only", 120.015, 36.005, routing.MatchUnassigned, "", "B1", "A1"},
		{"in the district only", 120.025, 36.005, routing.MatchUnassigned, "", "", "A1"},
		{"in a community outside every district", 121.005, 37.005, routing.MatchUnassigned, "Y9", "", ""},
		{"outside everything", 120.5, 36.5, routing.MatchOutside, "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := s.Route(c.lon, c.lat)
			if got.Match != c.match || got.Community.Code != c.community || got.Street.Code != c.street || got.District.Code != c.district {
				t.Fatalf("Route = %+v", got)
			}
		})
	}
}

// checkAnswerJSON decodes both JSON forms of a with encoding/json and
// compares every field with the answer.
func checkAnswerJSON(t *testing.T, a routing.Answer) {
	t.Helper()
	type ref struct{ Code, Name string }
	type person struct {
		ID          int64
		Name, Phone string
		Role        string
	}
	var full struct {
		Match    string
		Revision int64
		Grid     *struct {
			Code, Name string
			Revision   int64
		}
		DistanceM  float64 `json:"distance_m"`
		Leader     *person
		Vacant     bool
		Fallback   *person
		Community  *ref
		Street     *ref
		District   *ref
		NearBorder *struct {
			Code, Name string
			DistanceM  float64 `json:"distance_m"`
		} `json:"near_border"`
	}
	raw := a.AppendJSON(nil)
	if err := json.Unmarshal(raw, &full); err != nil {
		t.Fatalf("AppendJSON: %v: %s", err, raw)
	}
	refOf := func(r *ref) routing.AreaRef {
		if r == nil {
			return routing.AreaRef{}
		}
		return routing.AreaRef{Code: r.Code, Name: r.Name}
	}
	round := func(f float64) float64 { return math.Round(f*100) / 100 }
	ok := full.Match == a.Match && full.Revision == a.Revision && full.DistanceM == round(a.DistanceM) &&
		refOf(full.Community) == a.Community && refOf(full.Street) == a.Street && refOf(full.District) == a.District &&
		full.Vacant == (a.Grid.Code != "" && a.LeaderVacant)
	if a.Grid.Code == "" {
		ok = ok && full.Grid == nil
	} else {
		ok = ok && full.Grid != nil && full.Grid.Code == a.Grid.Code && full.Grid.Name == a.Grid.Name && full.Grid.Revision == a.GridRevision
	}
	got := full.Leader
	if a.LeaderVacant || a.Grid.Code == "" {
		// A vacant grid's fallback; for a point in no grid, the
		// community head who triages it.
		got = full.Fallback
		ok = ok && full.Leader == nil && (a.Leader.ID == 0) == (full.Fallback == nil)
		if got != nil {
			ok = ok && got.Role == string(a.LeaderRole)
		}
	} else {
		ok = ok && full.Fallback == nil && (a.Leader.ID == 0) == (full.Leader == nil)
	}
	if got != nil {
		ok = ok && got.ID == a.Leader.ID && got.Name == a.Leader.Name && got.Phone == a.Leader.Phone
	}
	if a.NearBorder.Code == "" {
		ok = ok && full.NearBorder == nil
	} else {
		ok = ok && full.NearBorder != nil && full.NearBorder.Code == a.NearBorder.Code && full.NearBorder.Name == a.NearBorder.Name &&
			full.NearBorder.DistanceM == round(a.NearBorderM)
	}
	if !ok {
		t.Fatalf("AppendJSON = %s for %+v %+v", raw, a, *a.Place)
	}
	var compact struct {
		Match, Grid, Community, Street string
		LeaderID                       int64   `json:"leader_id"`
		DistanceM                      float64 `json:"distance_m"`
		NearBorder                     string  `json:"near_border"`
	}
	raw = a.AppendCompactJSON(nil)
	if err := json.Unmarshal(raw, &compact); err != nil {
		t.Fatalf("AppendCompactJSON: %v: %s", err, raw)
	}
	if compact.Match != a.Match || compact.Grid != a.Grid.Code || compact.Community != a.Community.Code || compact.Street != a.Street.Code ||
		compact.LeaderID != a.Leader.ID || compact.DistanceM != round(a.DistanceM) || compact.NearBorder != a.NearBorder.Code {
		t.Fatalf("AppendCompactJSON = %s for %+v", raw, a)
	}
}
