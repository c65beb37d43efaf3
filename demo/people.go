package demo

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/wangge-dev/wangge/data"
)

// departments are the handling departments (处置部门) on each district.
var departments = []string{"城管执法", "消防救援", "物业管理", "市政公用", "环卫", "住建", "公安派出所", "司法所", "供水", "燃气", "供电", "民政"}

// roster holds positions (index into Dataset.People) by role, so reports can
// refer to people by the ID the store will give them (position+1).
type roster struct {
	people     []data.Person
	leader     []int // per grid, -1 when vacant
	deputy     []int // per grid, -1 when none
	gridStaff  [][]int
	commHead   []int
	cc         [][]int   // per district
	handlers   [][][]int // per district, per department
	phoneBook  *phones
	streetStaf [][]int
}

func (r *roster) add(rng *rand.Rand, role data.Role, code string) int {
	r.people = append(r.people, data.Person{Name: personName(rng), Phone: r.phoneBook.next(),
		Assignments: []data.Assignment{{Role: role, AreaCode: code}}})
	return len(r.people) - 1
}

// staff builds the roster: on each district a command center, planners and
// handlers of every department; street staff per street; a head and staff
// per community; per grid a leader (a few posts vacant, some of those
// covered by a deputy), 1–3 grid staff, an information officer on most
// grids and a few volunteers.
func (w *world) staff(rng *rand.Rand) *roster {
	r := &roster{phoneBook: &phones{rng: rng, used: map[string]bool{}}}
	for _, d := range w.districts {
		var cc []int
		for i := 0; i < w.ccPeople; i++ {
			cc = append(cc, r.add(rng, data.RoleCommandCenter, d.code))
		}
		for i := 0; i < w.planners; i++ {
			r.add(rng, data.RolePlanner, d.code)
		}
		hs := make([][]int, len(departments))
		for k := range departments {
			for i := 0; i < 3+rng.IntN(5); i++ {
				hs[k] = append(hs[k], r.add(rng, data.RoleHandler, d.code))
			}
		}
		r.cc = append(r.cc, cc)
		r.handlers = append(r.handlers, hs)
	}
	for _, s := range w.streets {
		var ss []int
		for i := 0; i < 5+rng.IntN(4); i++ {
			ss = append(ss, r.add(rng, data.RoleStreetStaff, s.code))
		}
		r.streetStaf = append(r.streetStaf, ss)
	}
	for _, cm := range w.communities {
		r.commHead = append(r.commHead, r.add(rng, data.RoleCommunityHead, cm.code))
		for i := 0; i < 2+rng.IntN(4); i++ {
			r.add(rng, data.RoleCommunityStaff, cm.code)
		}
	}
	for _, g := range w.grids {
		lead, dep := -1, -1
		if rng.Float64() < 0.015 {
			if rng.IntN(2) == 0 {
				dep = r.add(rng, data.RoleDeputyLeader, g.code)
			}
		} else {
			lead = r.add(rng, data.RoleGridLeader, g.code)
		}
		r.leader = append(r.leader, lead)
		r.deputy = append(r.deputy, dep)
		var gs []int
		for i := 0; i < 1+rng.IntN(3); i++ {
			gs = append(gs, r.add(rng, data.RoleGridStaff, g.code))
		}
		if rng.Float64() < 0.7 {
			gs = append(gs, r.add(rng, data.RoleInfoOfficer, g.code))
		}
		r.gridStaff = append(r.gridStaff, gs)
		for i := 0; i < rng.IntN(4); i++ {
			r.add(rng, data.RoleVolunteer, g.code)
		}
	}
	return r
}

// leaderID is the ID (position+1) of whoever answers for grid g: its leader,
// else its deputy, else its community head.
func (r *roster) leaderID(w *world, g int) int64 {
	switch {
	case r.leader[g] >= 0:
		return int64(r.leader[g] + 1)
	case r.deputy[g] >= 0:
		return int64(r.deputy[g] + 1)
	}
	return int64(r.commHead[w.grids[g].parent] + 1)
}

var visitNotes = []string{"入户走访，核对人口信息", "走访独居老人", "出租房屋检查", "消防安全宣传", "收集居民诉求", "矛盾纠纷回访"}

// visits logs household visits of the last 60 days before now: each grid
// staff member visits a few buildings of their grid. PersonID and
// BuildingID are positions+1 in People and Buildings.
func (w *world) visits(rng *rand.Rand, r *roster, now time.Time) []data.Visit {
	byGrid := make([][]int, len(w.grids))
	for i, b := range w.buildings {
		g := w.grid[b.cell]
		byGrid[g] = append(byGrid[g], i)
	}
	now = now.Truncate(time.Second)
	var out []data.Visit
	for g, staff := range r.gridStaff {
		if len(byGrid[g]) == 0 {
			continue
		}
		for _, p := range staff {
			for k := rng.IntN(5); k > 0; k-- {
				b := byGrid[g][rng.IntN(len(byGrid[g]))]
				at := now.Add(-time.Duration(rng.Int64N(int64(60*24*time.Hour/time.Second))) * time.Second)
				out = append(out, data.Visit{PersonID: int64(p + 1), GridCode: w.grids[g].code, BuildingID: int64(b + 1),
					At: at, Note: pick(rng, visitNotes)})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b data.Visit) int { return a.At.Compare(b.At) })
	return out
}
