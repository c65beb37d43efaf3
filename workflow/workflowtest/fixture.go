package workflowtest

import (
	"time"

	"github.com/paulmach/orb"
	"github.com/wangge-dev/wangge/data"
)

// Fixture codes: district 370213 = lon [120,121] × lat [36,37]; streets S1
// (lon 120–120.5) and S2 (120.5–121); communities C1 (120–120.25) and C2
// (120.25–120.5) in S1, C3 (120.5–121) in S2; grids G1 (120–120.125) and G2
// (120.125–120.25) in C1, G3 = C2, G4 = C3.
const (
	D  = "370213"
	S1 = "370213001"
	S2 = "370213002"
	C1 = "370213001001"
	C2 = "370213001002"
	C3 = "370213002001"
	G1 = "370213001001001"
	G2 = "370213001001002"
	G3 = "370213001002001"
	G4 = "370213002001001"
)

// Person ids in the fixture (a store gives People[i] the id i+1).
const (
	CC int64 = iota + 1
	Planner
	Street1
	Street2
	CommHead1
	CommStaff1
	CommStaff2
	Leader1
	Deputy1
	Staff1
	Info1
	Volunteer1
	Leader2
	Handler1
	Handler2
	Resident
	Dual // grid_staff of G1 and a handler
)

// PersonNames describes each fixture person (for test names).
var PersonNames = map[int64]string{CC: "command_center", Planner: "planner", Street1: "street_staff S1",
	Street2: "street_staff S2", CommHead1: "community_head C1", CommStaff1: "community_staff C1",
	CommStaff2: "community_staff C2", Leader1: "grid_leader G1", Deputy1: "deputy_leader G1",
	Staff1: "grid_staff G1", Info1: "info_officer G1", Volunteer1: "volunteer G1", Leader2: "grid_leader G2",
	Handler1: "handler 1", Handler2: "handler 2", Resident: "resident (no role)", Dual: "grid_staff G1 + handler"}

// KnownAddress is the address of the fixture's one building, at KnownPoint (in G1).
const KnownAddress = "李沧区测试路1号"

// KnownPoint is where the fixture building stands (lon/lat).
var KnownPoint = orb.Point{120.06, 36.5}

func box(x0, x1 float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x0, 36}, {x1, 36}, {x1, 37}, {x0, 37}, {x0, 36}}}}
}

// Dataset is the fixture: the areas above (squares in lon/lat), one
// building at KnownAddress in G1, and one person per role (ids above).
func Dataset(now time.Time) *data.Dataset {
	as := func(r data.Role, code string) []data.Assignment { return []data.Assignment{{Role: r, AreaCode: code}} }
	return &data.Dataset{
		Now:  now,
		Note: "workflow fixture",
		Areas: []data.Area{
			{Code: D, Level: data.LevelDistrict, Name: "李沧区", Geom: box(120, 121)},
			{Code: S1, Level: data.LevelStreet, Name: "街道一", ParentCode: D, Geom: box(120, 120.5)},
			{Code: S2, Level: data.LevelStreet, Name: "街道二", ParentCode: D, Geom: box(120.5, 121)},
			{Code: C1, Level: data.LevelCommunity, Name: "社区一", ParentCode: S1, Geom: box(120, 120.25)},
			{Code: C2, Level: data.LevelCommunity, Name: "社区二", ParentCode: S1, Geom: box(120.25, 120.5)},
			{Code: C3, Level: data.LevelCommunity, Name: "社区三", ParentCode: S2, Geom: box(120.5, 121)},
			{Code: G1, Level: data.LevelGrid, Name: "网格一", ParentCode: C1, Geom: box(120, 120.125)},
			{Code: G2, Level: data.LevelGrid, Name: "网格二", ParentCode: C1, Geom: box(120.125, 120.25)},
			{Code: G3, Level: data.LevelGrid, Name: "网格三", ParentCode: C2, Geom: box(120.25, 120.5)},
			{Code: G4, Level: data.LevelGrid, Name: "网格四", ParentCode: C3, Geom: box(120.5, 121)},
		},
		Buildings: []data.Building{{Address: KnownAddress, Point: KnownPoint, Households: 40, GridCode: G1}},
		People: []data.Person{
			{Name: "指挥中心", Phone: "100", Assignments: as(data.RoleCommandCenter, D)},
			{Name: "规划", Assignments: as(data.RolePlanner, D)},
			{Name: "街道一", Assignments: as(data.RoleStreetStaff, S1)},
			{Name: "街道二", Assignments: as(data.RoleStreetStaff, S2)},
			{Name: "书记一", Assignments: as(data.RoleCommunityHead, C1)},
			{Name: "社区一", Assignments: as(data.RoleCommunityStaff, C1)},
			{Name: "社区二", Assignments: as(data.RoleCommunityStaff, C2)},
			{Name: "网格长一", Phone: "13800000008", Assignments: as(data.RoleGridLeader, G1)},
			{Name: "副网格长一", Assignments: as(data.RoleDeputyLeader, G1)},
			{Name: "网格员一", Assignments: as(data.RoleGridStaff, G1)},
			{Name: "信息员一", Assignments: as(data.RoleInfoOfficer, G1)},
			{Name: "志愿者一", Assignments: as(data.RoleVolunteer, G1)},
			{Name: "网格长二", Assignments: as(data.RoleGridLeader, G2)},
			{Name: "处置一", Assignments: as(data.RoleHandler, D)},
			{Name: "处置二", Assignments: as(data.RoleHandler, D)},
			{Name: "居民", Phone: "13900000000"},
			{Name: "双重", Assignments: []data.Assignment{{Role: data.RoleGridStaff, AreaCode: G1}, {Role: data.RoleHandler, AreaCode: D}}},
		},
	}
}

// Route is the router of the fixture: grids are vertical strips.
func Route(lon, lat float64) data.Routing {
	if lat < 36 || lat > 37 || lon < 120 || lon > 121 {
		return data.Routing{Match: "outside"}
	}
	r := data.Routing{DistrictCode: D, Match: "inside", Revision: 1}
	switch {
	case lon < 120.125:
		r.GridCode, r.CommunityCode, r.StreetCode, r.LeaderID = G1, C1, S1, Leader1
	case lon < 120.25:
		r.GridCode, r.CommunityCode, r.StreetCode, r.LeaderID = G2, C1, S1, Leader2
	case lon < 120.5:
		r.GridCode, r.CommunityCode, r.StreetCode = G3, C2, S1
	default:
		r.GridCode, r.CommunityCode, r.StreetCode = G4, C3, S2
	}
	return r
}
