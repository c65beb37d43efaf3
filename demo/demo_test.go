package demo

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/wangge-dev/wangge/data"
)

var (
	licangOnce sync.Once
	licangDS   *data.Dataset
	licangErr  error
)

// licang returns the default Licang dataset, generated once per test binary.
func licang(t testing.TB) *data.Dataset {
	t.Helper()
	licangOnce.Do(func() { licangDS, licangErr = Generate(Options{Seed: 1}) })
	if licangErr != nil {
		t.Fatal(licangErr)
	}
	return licangDS
}

func digest(t *testing.T, ds *data.Dataset) string {
	t.Helper()
	b, err := json.Marshal(ds)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", sha256.Sum256(b))
}

func TestGenerateDeterministic(t *testing.T) {
	now := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		opts Options
	}{
		{"licang", Options{Seed: 7, Now: now, Reports: 3000}},
		{"synthetic", Options{Seed: 7, Grids: 800, Now: now, Reports: 1000}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Generate(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			b, err := Generate(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if da, db := digest(t, a), digest(t, b); da != db {
				t.Fatalf("same options, different output: %s vs %s", da, db)
			}
			o := tc.opts
			o.Seed++
			c, err := Generate(o)
			if err != nil {
				t.Fatal(err)
			}
			if digest(t, a) == digest(t, c) {
				t.Fatal("a different seed gave the same output")
			}
		})
	}
}

// stats are the figures the tests and the package report check.
type stats struct {
	levels              map[data.Level]int
	under, in, over     int
	multi, holed        int
	households          int
	buildingHouseholds  int
	gridHouseholdsTotal int
}

func figures(ds *data.Dataset) stats {
	s := stats{levels: map[data.Level]int{}}
	for _, a := range ds.Areas {
		s.levels[a.Level]++
		switch a.Level {
		case data.LevelDistrict:
			s.households += a.Households
		case data.LevelGrid:
			s.gridHouseholdsTotal += a.Households
			switch {
			case a.Households < 300:
				s.under++
			case a.Households <= 600:
				s.in++
			default:
				s.over++
			}
			if len(a.Geom) > 1 {
				s.multi++
			}
			for _, p := range a.Geom {
				if len(p) > 1 {
					s.holed++
					break
				}
			}
		}
	}
	for _, b := range ds.Buildings {
		s.buildingHouseholds += b.Households
	}
	return s
}

func TestLicangCounts(t *testing.T) {
	ds := licang(t)
	s := figures(ds)
	t.Logf("grids %d: <300 %d, 300–600 %d, >600 %d; multipolygon grids %d, grids with holes %d; households %d; buildings %d; people %d; reports %d; events %d",
		s.levels[data.LevelGrid], s.under, s.in, s.over, s.multi, s.holed, s.households, len(ds.Buildings), len(ds.People), len(ds.Reports), len(ds.Events))
	checks := []struct {
		name string
		ok   bool
		got  any
	}{
		{"one district", s.levels[data.LevelDistrict] == 1, s.levels[data.LevelDistrict]},
		{"11 streets", s.levels[data.LevelStreet] == 11, s.levels[data.LevelStreet]},
		{"121 communities", s.levels[data.LevelCommunity] == 121, s.levels[data.LevelCommunity]},
		{"1,400–1,600 grids", s.levels[data.LevelGrid] >= 1400 && s.levels[data.LevelGrid] <= 1600, s.levels[data.LevelGrid]},
		{"households about 600k", math.Abs(float64(s.households)-600_000) < 30_000, s.households},
		{"district households = buildings", s.households == s.buildingHouseholds, s.buildingHouseholds},
		{"most grids in 300–600", float64(s.in) >= 0.65*float64(s.levels[data.LevelGrid]), s.in},
		{"some grids under 300", s.under > 0, s.under},
		{"some grids over 600", s.over > 0, s.over},
		{"some multipolygon grids", s.multi >= 3, s.multi},
		{"some grids with holes", s.holed >= 3, s.holed},
		{"about 100k reports", len(ds.Reports) == DefaultReports, len(ds.Reports)},
		{"about 4 events a report", len(ds.Events) > 3*len(ds.Reports) && len(ds.Events) < 5*len(ds.Reports), len(ds.Events)},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if !c.ok {
				t.Errorf("got %v", c.got)
			}
		})
	}
	t.Run("real street names and hierarchical codes", func(t *testing.T) {
		want := map[string]string{}
		for i, s := range licangStreets {
			want[fmt.Sprintf("370213%03d", i+1)] = s.name
		}
		for _, a := range ds.Areas {
			if a.Level == data.LevelStreet && want[a.Code] != a.Name {
				t.Errorf("street %s is %s, want %s", a.Code, a.Name, want[a.Code])
			}
		}
	})
}

// checkTree checks codes, parents and household sums of a dataset's areas.
func checkTree(t *testing.T, ds *data.Dataset) {
	t.Helper()
	byCode := map[string]data.Area{}
	kids := map[string]int{}
	sum := map[string]int{}
	codeLen := map[data.Level]int{data.LevelDistrict: 6, data.LevelStreet: 9, data.LevelCommunity: 12, data.LevelGrid: 15}
	for i, a := range ds.Areas {
		if i > 0 && ds.Areas[i-1].Code >= a.Code {
			t.Fatalf("areas not ordered by code at %d", i)
		}
		byCode[a.Code] = a
		if len(a.Code) != codeLen[a.Level] {
			t.Errorf("%s: %d digits for a %s", a.Code, len(a.Code), a.Level)
		}
		if a.ParentCode != "" {
			if !strings.HasPrefix(a.Code, a.ParentCode) {
				t.Errorf("%s does not begin with its parent's code %s", a.Code, a.ParentCode)
			}
			kids[a.ParentCode]++
			sum[a.ParentCode] += a.Households
		}
	}
	for _, a := range ds.Areas {
		if a.ParentCode != "" {
			p, ok := byCode[a.ParentCode]
			if !ok || p.Level.Depth() != a.Level.Depth()-1 {
				t.Errorf("%s: parent %s missing or at the wrong level", a.Code, a.ParentCode)
			}
		}
		if a.Level != data.LevelGrid {
			if kids[a.Code] == 0 {
				t.Errorf("%s has no children", a.Code)
			} else if sum[a.Code] != a.Households {
				t.Errorf("%s: households %d, children sum to %d", a.Code, a.Households, sum[a.Code])
			}
		}
	}
	gridHH := map[string]int{}
	for _, b := range ds.Buildings {
		gridHH[b.GridCode] += b.Households
	}
	for _, a := range ds.Areas {
		if a.Level == data.LevelGrid && gridHH[a.Code] != a.Households {
			t.Errorf("grid %s: households %d, buildings sum to %d", a.Code, a.Households, gridHH[a.Code])
		}
	}
}

// checkRings checks what OGC validity needs of the traced rings and what
// RFC 7946 asks: closed, at least 4 points, no vertex visited twice, shells
// counter-clockwise and holes clockwise.
func checkRings(t *testing.T, ds *data.Dataset) {
	t.Helper()
	for _, a := range ds.Areas {
		if len(a.Geom) == 0 {
			t.Errorf("%s: empty geometry", a.Code)
		}
		for _, p := range a.Geom {
			for k, r := range p {
				if len(r) < 4 || r[0] != r[len(r)-1] {
					t.Errorf("%s: ring not closed or too short", a.Code)
					continue
				}
				seen := map[orb.Point]bool{}
				for _, v := range r[:len(r)-1] {
					if seen[v] {
						t.Errorf("%s: ring passes %v twice", a.Code, v)
					}
					seen[v] = true
				}
				if ccw := signedArea(r) > 0; ccw != (k == 0) {
					t.Errorf("%s: ring %d has the wrong orientation", a.Code, k)
				}
			}
		}
	}
}

// checkPartition checks the exact-partition property by edge cancellation:
// the directed edges of the children's rings, with every edge that appears in
// both directions cancelled, are exactly the parent's edges, and no directed
// edge appears twice (which an overlap would cause).
func checkPartition(t *testing.T, ds *data.Dataset) {
	t.Helper()
	type edge [4]float64
	children := map[string][]data.Area{}
	for _, a := range ds.Areas {
		if a.ParentCode != "" {
			children[a.ParentCode] = append(children[a.ParentCode], a)
		}
	}
	edges := func(mp orb.MultiPolygon, f func(edge)) {
		for _, p := range mp {
			for _, r := range p {
				for i := 0; i+1 < len(r); i++ {
					f(edge{r[i][0], r[i][1], r[i+1][0], r[i+1][1]})
				}
			}
		}
	}
	for _, p := range ds.Areas {
		kids := children[p.Code]
		if len(kids) == 0 {
			continue
		}
		set := map[edge]bool{}
		for _, k := range kids {
			edges(k.Geom, func(e edge) {
				if set[e] {
					t.Errorf("%s: directed edge %v twice among the children", p.Code, e)
				}
				set[e] = true
			})
		}
		for e := range set {
			if rev := (edge{e[2], e[3], e[0], e[1]}); set[rev] {
				delete(set, e)
				delete(set, rev)
			}
		}
		want := map[edge]bool{}
		edges(p.Geom, func(e edge) { want[e] = true })
		if len(want) != len(set) {
			t.Errorf("%s: parent has %d boundary edges, children leave %d", p.Code, len(want), len(set))
			continue
		}
		for e := range want {
			if !set[e] {
				t.Errorf("%s: parent edge %v not on the children's outline", p.Code, e)
				break
			}
		}
	}
}

// checkBuildings checks that every building lies in exactly one grid, the
// one named by its GridCode, away from every edge.
func checkBuildings(t *testing.T, ds *data.Dataset) {
	t.Helper()
	var grids []data.Area
	var bounds []orb.Bound
	for _, a := range ds.Areas {
		if a.Level == data.LevelGrid {
			grids = append(grids, a)
			bounds = append(bounds, a.Geom.Bound())
		}
	}
	bad := 0
	for _, b := range ds.Buildings {
		var in []string
		for i, g := range grids {
			if bounds[i].Contains(b.Point) && planar.MultiPolygonContains(g.Geom, b.Point) {
				in = append(in, g.Code)
			}
		}
		if len(in) != 1 || in[0] != b.GridCode {
			if bad++; bad < 5 {
				t.Errorf("building %q at %v: in grids %v, GridCode %s", b.Address, b.Point, in, b.GridCode)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d buildings misplaced", bad, len(ds.Buildings))
	}
}

func TestLicangGeometry(t *testing.T) {
	ds := licang(t)
	t.Run("tree", func(t *testing.T) { checkTree(t, ds) })
	t.Run("rings", func(t *testing.T) { checkRings(t, ds) })
	t.Run("partition", func(t *testing.T) { checkPartition(t, ds) })
	t.Run("buildings", func(t *testing.T) { checkBuildings(t, ds) })
}

func TestSyntheticCity(t *testing.T) {
	ds, err := Generate(Options{Seed: 3, Grids: 3500, Reports: 5000})
	if err != nil {
		t.Fatal(err)
	}
	s := figures(ds)
	t.Logf("districts %d, streets %d, communities %d, grids %d (<300 %d, 300–600 %d, >600 %d), multipolygon %d, holed %d, households %d",
		s.levels[data.LevelDistrict], s.levels[data.LevelStreet], s.levels[data.LevelCommunity], s.levels[data.LevelGrid],
		s.under, s.in, s.over, s.multi, s.holed, s.households)
	if g := s.levels[data.LevelGrid]; g < 3000 || g > 4000 {
		t.Errorf("asked for about 3,500 grids, got %d", g)
	}
	if s.levels[data.LevelDistrict] != 2 {
		t.Errorf("want 2 districts, got %d", s.levels[data.LevelDistrict])
	}
	if float64(s.in) < 0.6*float64(s.levels[data.LevelGrid]) {
		t.Errorf("only %d grids in 300–600", s.in)
	}
	t.Run("tree", func(t *testing.T) { checkTree(t, ds) })
	t.Run("rings", func(t *testing.T) { checkRings(t, ds) })
	t.Run("partition", func(t *testing.T) { checkPartition(t, ds) })
	t.Run("reports", func(t *testing.T) { checkReports(t, ds) })
}

// checkReports checks that reports, events and people refer to each other
// by position (person ID = position+1, report ID = position+1) and that the
// closed loop is followed.
func checkReports(t *testing.T, ds *data.Dataset) {
	t.Helper()
	deadline := map[string]time.Duration{}
	for _, c := range data.DefaultCategories {
		deadline[c.Code] = c.Deadline
	}
	roleOn := func(id int64, role data.Role, code string) bool {
		if id < 1 || int(id) > len(ds.People) {
			return false
		}
		for _, a := range ds.People[id-1].Assignments {
			if a.Role == role && (code == "" || a.AreaCode == code) {
				return true
			}
		}
		return false
	}
	areas := map[string]data.Area{}
	for _, a := range ds.Areas {
		areas[a.Code] = a
	}
	evs := make([][]data.Event, len(ds.Reports))
	for _, e := range ds.Events {
		if e.ReportID < 1 || int(e.ReportID) > len(ds.Reports) {
			t.Fatalf("event refers to report %d of %d", e.ReportID, len(ds.Reports))
		}
		if e.ActorID < 0 || int(e.ActorID) > len(ds.People) {
			t.Fatalf("event actor %d of %d people", e.ActorID, len(ds.People))
		}
		evs[e.ReportID-1] = append(evs[e.ReportID-1], e)
	}
	status := map[data.Status]int{}
	source := map[data.Source]int{}
	overdueOpen, dup := 0, 0
	bad := 0
	fail := func(format string, args ...any) {
		if bad++; bad < 10 {
			t.Errorf(format, args...)
		}
	}
	for i, r := range ds.Reports {
		status[r.Status]++
		source[r.Source]++
		if r.CreatedAt.After(ds.Now) || r.CreatedAt.Before(ds.Now.Add(-366*24*time.Hour)) {
			fail("report %d created at %v, outside the year before %v", i+1, r.CreatedAt, ds.Now)
		}
		if !r.DueAt.Equal(r.CreatedAt.Add(deadline[r.Category])) {
			fail("report %d: DueAt is not CreatedAt + deadline of %s", i+1, r.Category)
		}
		ro := r.Routing
		g, ok := areas[ro.GridCode]
		if !ok || ro.Match != "inside" || g.ParentCode != ro.CommunityCode || areas[ro.CommunityCode].ParentCode != ro.StreetCode ||
			areas[ro.StreetCode].ParentCode != ro.DistrictCode || !planar.MultiPolygonContains(g.Geom, r.Location) {
			fail("report %d: routing %+v does not match its location", i+1, ro)
		}
		if !roleOn(ro.LeaderID, data.RoleGridLeader, ro.GridCode) && !roleOn(ro.LeaderID, data.RoleDeputyLeader, ro.GridCode) &&
			!roleOn(ro.LeaderID, data.RoleCommunityHead, ro.CommunityCode) {
			fail("report %d: leader %d holds no post for grid %s", i+1, ro.LeaderID, ro.GridCode)
		}
		if r.Source == data.SourcePatrol && !roleOn(r.ReporterID, data.RoleGridStaff, ro.GridCode) && !roleOn(r.ReporterID, data.RoleInfoOfficer, ro.GridCode) {
			fail("report %d: patrol reporter %d is not staff of grid %s", i+1, r.ReporterID, ro.GridCode)
		}
		if r.AssigneeID != 0 && !roleOn(r.AssigneeID, data.RoleHandler, ro.DistrictCode) {
			fail("report %d: assignee %d is not a handler", i+1, r.AssigneeID)
		}
		if r.DuplicateOf != 0 {
			dup++
			if r.DuplicateOf >= int64(i+1) || r.Status != data.StatusRejected {
				fail("report %d: duplicate of %d while %s", i+1, r.DuplicateOf, r.Status)
			}
		}
		if (r.Status == data.StatusClosed) != (r.ClosedAt != nil) {
			fail("report %d: status %s, ClosedAt %v", i+1, r.Status, r.ClosedAt)
		}
		if data.OpenStatus(r.Status) && r.DueAt.Before(ds.Now) {
			overdueOpen++
			if r.Escalation == "" {
				fail("report %d is overdue but not escalated", i+1)
			}
		}
		e := evs[i]
		if len(e) == 0 || e[0].Kind != "created" || e[0].To != data.StatusReported || !e[0].At.Equal(r.CreatedAt) {
			fail("report %d: log does not start with its creation", i+1)
			continue
		}
		for k := 1; k < len(e); k++ {
			if e[k].At.Before(e[k-1].At) || e[k].From != e[k-1].To {
				fail("report %d: event %d out of order or not chained (%s→%s after →%s)", i+1, k, e[k].From, e[k].To, e[k-1].To)
			}
		}
		if last := e[len(e)-1]; last.To != r.Status || !last.At.Equal(r.UpdatedAt) {
			fail("report %d: last event →%s at %v, report %s updated %v", i+1, last.To, last.At, r.Status, r.UpdatedAt)
		}
	}
	t.Logf("statuses %v; sources %v; open and overdue %d; duplicates %d", status, source, overdueOpen, dup)
	n := len(ds.Reports)
	if status[data.StatusClosed] < n*8/10 || status[data.StatusRejected] == 0 || overdueOpen == 0 || dup == 0 {
		t.Errorf("status mix %v, overdue open %d, duplicates %d", status, overdueOpen, dup)
	}
	if source[data.SourcePatrol] < n/2 || source[data.SourceResident] == 0 || source[data.SourceHotline] == 0 || source[data.SourceOpen311] == 0 {
		t.Errorf("source mix %v", source)
	}
}

// checkPeople checks the roster: IDs left to the store, unique mobile
// numbers, and the posts every area needs.
func checkPeople(t *testing.T, ds *data.Dataset) {
	t.Helper()
	phones := map[string]bool{}
	held := map[string]map[data.Role]int{}
	for _, p := range ds.People {
		if p.ID != 0 || p.Name == "" || len(p.Assignments) == 0 {
			t.Fatalf("person %+v", p)
		}
		if len(p.Phone) != 11 || p.Phone[0] != '1' || !strings.Contains("358", p.Phone[1:2]) || phones[p.Phone] {
			t.Errorf("phone %q malformed or repeated", p.Phone)
		}
		phones[p.Phone] = true
		for _, a := range p.Assignments {
			if held[a.AreaCode] == nil {
				held[a.AreaCode] = map[data.Role]int{}
			}
			held[a.AreaCode][a.Role]++
		}
	}
	vacant, deputies := 0, 0
	for _, a := range ds.Areas {
		h := held[a.Code]
		switch a.Level {
		case data.LevelDistrict:
			if h[data.RoleCommandCenter] == 0 || h[data.RolePlanner] == 0 || h[data.RoleHandler] == 0 {
				t.Errorf("district %s roles %v", a.Code, h)
			}
		case data.LevelStreet:
			if h[data.RoleStreetStaff] == 0 {
				t.Errorf("street %s has no staff", a.Code)
			}
		case data.LevelCommunity:
			if h[data.RoleCommunityHead] != 1 || h[data.RoleCommunityStaff] == 0 {
				t.Errorf("community %s roles %v", a.Code, h)
			}
		case data.LevelGrid:
			if h[data.RoleGridStaff] < 1 || h[data.RoleGridStaff] > 3 || h[data.RoleGridLeader] > 1 {
				t.Errorf("grid %s roles %v", a.Code, h)
			}
			if h[data.RoleGridLeader] == 0 {
				vacant++
				deputies += h[data.RoleDeputyLeader]
			}
		}
	}
	t.Logf("people %d, vacant leader posts %d (with a deputy %d)", len(ds.People), vacant, deputies)
	if vacant == 0 || deputies == 0 || deputies == vacant {
		t.Errorf("want a few vacant leader posts, some with a deputy: %d vacant, %d deputies", vacant, deputies)
	}
}

func TestLicangPeopleAndReports(t *testing.T) {
	ds := licang(t)
	t.Run("people", func(t *testing.T) { checkPeople(t, ds) })
	t.Run("reports", func(t *testing.T) { checkReports(t, ds) })
}

func TestLicangRhythmsAndVisits(t *testing.T) {
	ds := licang(t)
	t.Run("weekly and daily rhythm", func(t *testing.T) {
		var weekday, weekend, day, night int
		for _, r := range ds.Reports {
			l := r.CreatedAt.In(cst)
			if wd := l.Weekday(); wd == time.Saturday || wd == time.Sunday {
				weekend++
			} else {
				weekday++
			}
			if h := l.Hour(); h >= 8 && h < 18 {
				day++
			} else {
				night++
			}
		}
		// Per day, a weekday is busier than a weekend day.
		if float64(weekday)/5 < 1.15*float64(weekend)/2 {
			t.Errorf("weekday %d vs weekend %d reports", weekday, weekend)
		}
		if day < 3*night {
			t.Errorf("08–18h %d vs other hours %d reports", day, night)
		}
	})
	t.Run("hot spots", func(t *testing.T) {
		// Count reports per ~250 m bin: the busiest 1% of occupied bins
		// hold far more than 1% of the reports.
		bins := map[[2]int]int{}
		for _, r := range ds.Reports {
			bins[[2]int{int(r.Location[0] / 0.0028), int(r.Location[1] / 0.00225)}]++
		}
		var counts []int
		for _, c := range bins {
			counts = append(counts, c)
		}
		slices.Sort(counts)
		top := 0
		k := max(1, len(counts)/100)
		for _, c := range counts[len(counts)-k:] {
			top += c
		}
		share := float64(top) / float64(len(ds.Reports))
		t.Logf("busiest 1%% of %d bins hold %.1f%% of reports", len(counts), 100*share)
		if share < 0.05 {
			t.Errorf("busiest 1%% of bins hold %.1f%% of reports", 100*share)
		}
	})
	t.Run("visits", func(t *testing.T) {
		if len(ds.Visits) == 0 {
			t.Fatal("no visits")
		}
		for _, v := range ds.Visits {
			p := ds.People[v.PersonID-1]
			b := ds.Buildings[v.BuildingID-1]
			if b.GridCode != v.GridCode || p.Assignments[0].AreaCode != v.GridCode || v.At.After(ds.Now) {
				t.Fatalf("visit %+v by %+v to %+v", v, p, b)
			}
		}
	})
}

func TestSmallOptions(t *testing.T) {
	cases := []struct {
		name    string
		opts    Options
		reports int
	}{
		{"one grid", Options{Seed: 2, Grids: 1, Reports: 50}, 50},
		{"ten grids", Options{Seed: 2, Grids: 10, Reports: 50}, 50},
		{"hundred grids", Options{Seed: 2, Grids: 100, Reports: 500}, 500},
		{"licang without reports", Options{Seed: 2, Reports: -1}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := Generate(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(ds.Reports) != tc.reports {
				t.Errorf("%d reports, want %d", len(ds.Reports), tc.reports)
			}
			if g := figures(ds).levels[data.LevelGrid]; tc.opts.Grids > 0 && (g < tc.opts.Grids || g > 2*tc.opts.Grids+2) {
				t.Errorf("asked for %d grids, got %d", tc.opts.Grids, g)
			}
			checkTree(t, ds)
			checkRings(t, ds)
			checkPartition(t, ds)
		})
	}
	if _, err := Generate(Options{Grids: -1}); err == nil {
		t.Error("Grids -1 accepted")
	}
}
