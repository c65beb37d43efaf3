package storetest

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/data"
)

// Size is the shape of a synthetic dataset.
type Size struct {
	Streets     int // under one district
	Communities int // per street
	Grids       int // per community
	Buildings   int // in total, spread over the grids
	People      int // in total; the first ones lead the grids
	Reports     int
	Events      int // in total, at least one per report ("created")
}

// District is about one real district: 10 streets × 15 communities × 10
// grids (1,500 grids, 161 other areas), 10,000 buildings, 3,000 people,
// 100,000 reports and 400,000 events.
var District = Size{Streets: 10, Communities: 15, Grids: 10, Buildings: 10_000, People: 3_000, Reports: 100_000, Events: 400_000}

// Synthetic builds a deterministic dataset of size z for an empty store (it
// relies on the ID rules of data.Dataset): a lattice of square grids of
// 0.01° (about 1 km) starting at (120°E, 36°N), each street a column of
// communities, each community a row of grids; buildings, report locations
// and times drawn from a PCG seeded with seed.
func Synthetic(z Size, seed uint64) *data.Dataset {
	rng := rand.New(rand.NewPCG(seed, 42))
	const cell = 0.01
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	ds := &data.Dataset{Note: "synthetic", Now: t0}
	district := "370213"
	nx := z.Streets * z.Grids
	ny := z.Communities
	ds.Areas = append(ds.Areas, data.Area{Code: district, Level: data.LevelDistrict, Name: "synthetic",
		Geom: rect(120, 36, 120+float64(nx)*cell, 36+float64(ny)*cell)})
	type grid struct {
		code, comm, street string
		x0, y0             float64
	}
	var grids []grid
	for s := range z.Streets {
		sc := fmt.Sprintf("%s%03d", district, s+1)
		sx := 120 + float64(s*z.Grids)*cell
		ds.Areas = append(ds.Areas, data.Area{Code: sc, Level: data.LevelStreet, Name: sc, ParentCode: district,
			Geom: rect(sx, 36, sx+float64(z.Grids)*cell, 36+float64(ny)*cell)})
		for c := range z.Communities {
			cc := fmt.Sprintf("%s%03d", sc, c+1)
			cy := 36 + float64(c)*cell
			ds.Areas = append(ds.Areas, data.Area{Code: cc, Level: data.LevelCommunity, Name: cc, ParentCode: sc,
				Geom: rect(sx, cy, sx+float64(z.Grids)*cell, cy+cell)})
			for g := range z.Grids {
				gc := fmt.Sprintf("%s%03d", cc, g+1)
				gx := sx + float64(g)*cell
				ds.Areas = append(ds.Areas, data.Area{Code: gc, Level: data.LevelGrid, Name: gc, ParentCode: cc,
					Geom: rect(gx, cy, gx+cell, cy+cell)})
				grids = append(grids, grid{gc, cc, sc, gx, cy})
			}
		}
	}
	at := func(g grid) orb.Point { return orb.Point{g.x0 + rng.Float64()*cell, g.y0 + rng.Float64()*cell} }
	for i := range z.Buildings {
		g := grids[i%len(grids)]
		ds.Buildings = append(ds.Buildings, data.Building{Address: fmt.Sprintf("%d Synthetic Rd", i+1), Point: at(g),
			Households: 20 + rng.IntN(60), GridCode: g.code})
	}
	for i := range z.People {
		p := data.Person{Name: fmt.Sprintf("person %d", i+1), Phone: fmt.Sprintf("1380000%04d", i)}
		if i < len(grids) {
			p.Assignments = []data.Assignment{{Role: data.RoleGridLeader, AreaCode: grids[i].code}}
		} else {
			g := grids[rng.IntN(len(grids))]
			p.Assignments = []data.Assignment{{Role: data.RoleGridStaff, AreaCode: g.code}, {Role: data.RoleVolunteer, AreaCode: g.comm}}
		}
		ds.People = append(ds.People, p)
	}
	statuses := []data.Status{data.StatusReported, data.StatusAccepted, data.StatusDispatched, data.StatusHandled,
		data.StatusVerified, data.StatusClosed, data.StatusClosed, data.StatusClosed, data.StatusRejected}
	for range z.Reports {
		gi := rng.IntN(len(grids))
		g := grids[gi]
		cat := data.DefaultCategories[rng.IntN(len(data.DefaultCategories))]
		created := t0.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))).Truncate(time.Second))
		st := statuses[rng.IntN(len(statuses))]
		r := data.Report{Category: cat.Code, Description: "synthetic report", Location: at(g), Source: data.SourcePatrol,
			ReporterID: int64(min(gi+1, z.People)), Status: st, CreatedAt: created, UpdatedAt: created, DueAt: created.Add(cat.Deadline),
			Routing: data.Routing{GridCode: g.code, CommunityCode: g.comm, StreetCode: g.street, DistrictCode: district,
				LeaderID: int64(min(gi+1, z.People)), Match: "inside", Revision: 1}}
		if st == data.StatusClosed || st == data.StatusRejected {
			c := created.Add(time.Duration(rng.Int64N(int64(2 * cat.Deadline))).Truncate(time.Second))
			r.ClosedAt, r.UpdatedAt = &c, c
		}
		ds.Reports = append(ds.Reports, r)
	}
	for i := range z.Events {
		ri := i % max(z.Reports, 1)
		if z.Reports == 0 {
			break
		}
		r := ds.Reports[ri]
		ev := data.Event{ReportID: int64(ri + 1), Kind: "created", To: data.StatusReported, At: r.CreatedAt, ActorID: r.ReporterID}
		if i >= z.Reports {
			ev = data.Event{ReportID: int64(ri + 1), Kind: "note", ActorID: r.Routing.LeaderID,
				At: r.CreatedAt.Add(time.Duration(i/z.Reports) * time.Hour), Reason: "patrol note", Data: map[string]any{"n": i}}
		}
		ds.Events = append(ds.Events, ev)
	}
	return ds
}
