package storetest

import (
	"time"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/data"
)

// rect is the axis-aligned square [x0, x1] × [y0, y1] as a MultiPolygon
// with a counter-clockwise outer ring.
func rect(x0, y0, x1, y1 float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
}

// Codes of the fixture district (370213 Licang practice codes).
const (
	codeD  = "370213"
	codeS1 = "370213001"
	codeS2 = "370213002"
	codeC1 = "370213001001"
	codeC2 = "370213002001"
	codeG1 = "370213001001001"
	codeG2 = "370213001001002"
	codeG3 = "370213002001001"
)

// fixtureAreas is a district [120,122]×[36,38] of two streets, each with one
// community; community C1 = [120,121]×[36,37] is cut into grids G1 (west
// half) and G2 (east half), community C2 = [121,122]×[36,37] is grid G3.
// Children come before their parents on purpose: a batch may reference a
// parent written later in the same batch.
func fixtureAreas() []data.Area {
	return []data.Area{
		{Code: codeG1, Level: data.LevelGrid, Name: "G1", ParentCode: codeC1, Geom: rect(120, 36, 120.5, 37)},
		{Code: codeG2, Level: data.LevelGrid, Name: "G2", ParentCode: codeC1, Geom: rect(120.5, 36, 121, 37)},
		{Code: codeG3, Level: data.LevelGrid, Name: "G3", ParentCode: codeC2, Geom: rect(121, 36, 122, 37)},
		{Code: codeC1, Level: data.LevelCommunity, Name: "C1", ParentCode: codeS1, Geom: rect(120, 36, 121, 37)},
		{Code: codeC2, Level: data.LevelCommunity, Name: "C2", ParentCode: codeS2, Geom: rect(121, 36, 122, 37)},
		{Code: codeS1, Level: data.LevelStreet, Name: "S1", ParentCode: codeD, Geom: rect(120, 36, 121, 38)},
		{Code: codeS2, Level: data.LevelStreet, Name: "S2", ParentCode: codeD, Geom: rect(121, 36, 122, 38)},
		{Code: codeD, Level: data.LevelDistrict, Name: "Licang", Geom: rect(120, 36, 122, 38)},
	}
}

// fixtureBuildings: G1 holds 100+50, G2 200, G3 300 households; one
// building of 10 households lies outside every grid.
func fixtureBuildings() []data.Building {
	return []data.Building{
		{Address: "1 West Rd", Point: orb.Point{120.1, 36.1}, Households: 100, GridCode: codeG1},
		{Address: "2 West Rd", Point: orb.Point{120.2, 36.2}, Households: 50, GridCode: codeG1},
		{Address: "3 Mid Rd", Point: orb.Point{120.7, 36.2}, Households: 200, GridCode: codeG2},
		{Address: "4 East Rd", Point: orb.Point{121.5, 36.5}, Households: 300, GridCode: codeG3},
		{Address: "far away", Point: orb.Point{125, 40}, Households: 10},
	}
}

// fixtureHouseholds is what the store must derive from fixtureBuildings.
var fixtureHouseholds = map[string]int{
	codeG1: 150, codeG2: 200, codeG3: 300, codeC1: 350, codeC2: 300, codeS1: 350, codeS2: 300, codeD: 650,
}

// t0 is the start of the fixture's statistics window [t0, t0+30 days).
var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func day(n int) time.Time { return t0.Add(time.Duration(n) * 24 * time.Hour) }

func ptr(t time.Time) *time.Time { return &t }

func routed(grid, community string) data.Routing {
	r := data.Routing{GridCode: grid, CommunityCode: community, DistrictCode: codeD, Match: "inside", Revision: 1}
	switch community {
	case codeC1:
		r.StreetCode = codeS1
	case codeC2:
		r.StreetCode = codeS2
	}
	if grid == "" {
		r.Match = "unassigned"
	}
	return r
}

// fixtureReports are eight cases (R1 … R8 = index 0 … 7) whose figures
// are worked out by hand in TestAreaStats and TestHeatmap:
//
//	R1 G1 created d1 due d3 closed d2 (on time, 1 day)      (120.1, 36.1)
//	R2 G1 created d2 due d3 closed d5 (late, 3 days)        (120.2, 36.2)
//	R3 G1 created d3 due d4 dispatched (open, overdue)      (120.7, 36.2)!
//	R4 G2 created d4 due d30 reported (open)                (120.7, 36.6)
//	R5 G2 created d5 due d6 rejected                        (120.9, 36.9)
//	R6 G3 created d-10 due d-5 closed d1 (late, 11 days)    (121.5, 36.5)
//	R7 G1 created d40 reported (after the window)           (120.1, 36.1)
//	R8 C2 without grid, created d6 due d7 reported (overdue) (121.2, 36.3)
//
// (R3's point lies in G2's square: a report keeps the routing it was given.)
func fixtureReports() []data.Report {
	mk := func(cat string, lon, lat float64, grid, comm string, created, due time.Time, st data.Status, closed *time.Time) data.Report {
		return data.Report{Category: cat, Description: "fixture", Location: orb.Point{lon, lat}, Source: data.SourcePatrol,
			Status: st, Routing: routed(grid, comm), CreatedAt: created, UpdatedAt: created, DueAt: due, ClosedAt: closed}
	}
	return []data.Report{
		mk("facility_damage", 120.1, 36.1, codeG1, codeC1, day(1), day(3), data.StatusClosed, ptr(day(2))),
		mk("facility_damage", 120.2, 36.2, codeG1, codeC1, day(2), day(3), data.StatusClosed, ptr(day(5))),
		mk("other", 120.7, 36.2, codeG1, codeC1, day(3), day(4), data.StatusDispatched, nil),
		mk("other", 120.7, 36.6, codeG2, codeC1, day(4), day(30), data.StatusReported, nil),
		mk("other", 120.9, 36.9, codeG2, codeC1, day(5), day(6), data.StatusRejected, ptr(day(5))),
		mk("safety_hazard", 121.5, 36.5, codeG3, codeC2, day(-10), day(-5), data.StatusClosed, ptr(day(1))),
		mk("other", 120.1, 36.1, codeG1, codeC1, day(40), day(41), data.StatusReported, nil),
		mk("other", 121.2, 36.3, "", codeC2, day(6), day(7), data.StatusReported, nil),
	}
}

// fixturePeople: P1 leads G1 and is staff of G2 (two assignments), P2 leads
// G2, P3 heads C1, P4 holds no role.
func fixturePeople() []data.Person {
	return []data.Person{
		{Name: "P1", Phone: "1", Assignments: []data.Assignment{{Role: data.RoleGridLeader, AreaCode: codeG1}, {Role: data.RoleGridStaff, AreaCode: codeG2}}},
		{Name: "P2", Phone: "2", Assignments: []data.Assignment{{Role: data.RoleGridLeader, AreaCode: codeG2}}},
		{Name: "P3", Phone: "3", Assignments: []data.Assignment{{Role: data.RoleCommunityHead, AreaCode: codeC1}}},
		{Name: "P4", Phone: "4"},
	}
}

// fixture is the whole dataset: areas, buildings, people, reports with one
// "created" event each plus a "closed" event for R1, and two visits.
func fixture() *data.Dataset {
	rs := fixtureReports()
	var evs []data.Event
	for i, r := range rs {
		evs = append(evs, data.Event{ReportID: int64(i + 1), Kind: "created", To: data.StatusReported, At: r.CreatedAt})
	}
	evs = append(evs, data.Event{ReportID: 1, Kind: "closed", From: data.StatusVerified, To: data.StatusClosed, ActorID: 1,
		At: day(2), Reason: "fixed", Data: map[string]any{"photo": "a.jpg"}})
	return &data.Dataset{
		Areas:     fixtureAreas(),
		Buildings: fixtureBuildings(),
		People:    fixturePeople(),
		Reports:   rs,
		Events:    evs,
		Visits: []data.Visit{
			{PersonID: 1, GridCode: codeG1, BuildingID: 1, At: day(1), Note: "first"},
			{PersonID: 1, GridCode: codeG1, BuildingID: 2, At: day(2), Note: "second"},
		},
		Note: "fixture",
		Now:  t0,
	}
}
