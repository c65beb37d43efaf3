package demo

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/wangge-dev/wangge/data"
)

// catSpec shapes the reports of one category.
type catSpec struct {
	code   string
	weight float64    // share of all reports
	src    [4]float64 // patrol, resident, hotline, open311
	dept   []int      // handling departments (index into departments)
	desc   []string
}

var catSpecs = []catSpec{
	{"population_change", 12, [4]float64{0.95, 0.02, 0.02, 0.01}, []int{6, 11}, []string{"新迁入住户登记", "住户迁出，需更新人口信息", "新生儿登记", "独居老人信息变更"}},
	{"floating_population", 9, [4]float64{0.95, 0.02, 0.02, 0.01}, []int{6}, []string{"出租房新入住流动人口未登记", "群租房人员变动", "外来务工人员信息登记"}},
	{"facility_damage", 22, [4]float64{0.5, 0.2, 0.15, 0.15}, []int{3, 0, 2, 8, 10}, []string{"路灯不亮", "井盖破损", "人行道砖松动", "楼道灯损坏", "健身器材损坏", "自来水管道漏水", "垃圾箱破损"}},
	{"fire_equipment", 8, [4]float64{0.8, 0.08, 0.07, 0.05}, []int{1, 2}, []string{"楼道灭火器缺失", "消防栓无水", "消防通道被占用", "灭火器过期"}},
	{"neighbour_dispute", 9, [4]float64{0.45, 0.3, 0.2, 0.05}, []int{7}, []string{"楼上漏水引发邻里纠纷", "噪音扰民", "公共区域堆物纠纷", "停车位纠纷"}},
	{"safety_hazard", 12, [4]float64{0.65, 0.12, 0.15, 0.08}, []int{5, 9, 0}, []string{"外墙瓷砖有脱落危险", "燃气管道老化", "私拉电线充电", "违章搭建", "树木倾斜有倒伏危险"}},
	{"resident_request", 18, [4]float64{0.25, 0.35, 0.3, 0.1}, []int{11, 2, 4}, []string{"申请低保咨询", "小区垃圾清运不及时", "要求增设便民座椅", "老人助餐服务咨询", "物业服务投诉"}},
	{"other", 10, [4]float64{0.5, 0.2, 0.2, 0.1}, []int{4, 0}, []string{"占道经营", "乱贴小广告", "流浪犬出没", "暴露垃圾"}},
}

var sources = []data.Source{data.SourcePatrol, data.SourceResident, data.SourceHotline, data.SourceOpen311}

// hourWeight is the share of reports by local hour (patrol and others).
var hourWeight = [2][24]float64{
	{0, 0, 0, 0, 0, 0, 0.1, 0.4, 1, 1, 1, 0.8, 0.3, 0.5, 1, 1, 0.9, 0.6, 0.2, 0.1, 0.05, 0, 0, 0},
	{0.05, 0.02, 0.02, 0.02, 0.03, 0.05, 0.2, 0.5, 0.9, 1, 1, 0.9, 0.7, 0.7, 0.9, 0.9, 0.9, 0.8, 0.7, 0.8, 0.8, 0.6, 0.3, 0.1},
}

// cst is China Standard Time, the clock of the rhythms.
var cst = time.FixedZone("CST", 8*3600)

// reports writes n reports created over the year before now, in creation
// order, with their events. IDs refer to positions: a person's ID is its
// position in people + 1, a report's its position in the result + 1.
func (w *world) reports(rng *rand.Rand, r *roster, now time.Time, n int) ([]data.Report, []data.Event) {
	if n <= 0 {
		return nil, nil
	}
	l := w.l
	cellBuilding := make([]int32, l.cells())
	for i := range cellBuilding {
		cellBuilding[i] = -1
	}
	cum := make([]float64, len(w.buildings))
	acc := 0.0
	for i, b := range w.buildings {
		if cellBuilding[b.cell] < 0 {
			cellBuilding[b.cell] = int32(i)
		}
		acc += math.Sqrt(float64(b.hh))
		cum[i] = acc
	}
	var gridCells []int32
	for c, g := range w.grid {
		if g >= 0 {
			gridCells = append(gridCells, int32(c))
		}
	}
	// Hot spots: busy markets and old blocks, on cells of walk-ups and villages.
	var hot []int
	for try := 0; len(hot) < 4+len(w.grids)/150 && try < 100*len(w.buildings); try++ {
		b := w.buildings[rng.IntN(len(w.buildings))]
		if k := w.compounds[b.compound].kind; k == kindWalkup || k == kindVillage {
			hot = append(hot, int(b.cell))
		}
	}
	var catCum []float64
	acc = 0
	for _, c := range catSpecs {
		acc += c.weight
		catCum = append(catCum, acc)
	}
	deadline := map[string]time.Duration{}
	for _, c := range data.DefaultCategories {
		deadline[c.Code] = c.Deadline
	}

	minutes := func(lo, hi float64) time.Duration {
		return time.Duration(lo+rng.Float64()*(hi-lo)) * time.Minute
	}
	// Creation times: rejection-sampled by weekday and hour.
	now = now.Truncate(time.Second)
	start := now.Add(-365 * 24 * time.Hour)
	type draft struct {
		at    time.Time
		cat   int
		src   int
		cell  int
		id    int // position before sorting
		dupOf int // id of the report this one repeats, -1 if none
	}
	drafts := make([]draft, n)
	for i := range drafts {
		ci := sort.SearchFloat64s(catCum, rng.Float64()*acc)
		cs := catSpecs[ci]
		u, si := rng.Float64(), 0
		for si < 3 && u >= cs.src[si] {
			u -= cs.src[si]
			si++
		}
		kind := 1
		if si == 0 {
			kind = 0
		}
		var at time.Time
		for {
			at = start.Add(time.Duration(rng.Int64N(int64(365*24*time.Hour/time.Second))) * time.Second)
			loc := at.In(cst)
			f := hourWeight[kind][loc.Hour()]
			switch loc.Weekday() {
			case time.Saturday:
				f *= 0.75
			case time.Sunday:
				f *= 0.6
			}
			f *= 1 + 0.15*math.Sin(2*math.Pi*float64(loc.YearDay()-100)/365)
			if rng.Float64()*1.15 < f {
				break
			}
		}
		var cell int
		switch x := rng.Float64(); {
		case x < 0.2 && len(hot) > 0:
			h := hot[rng.IntN(len(hot))]
			for {
				di, dj := int(math.Round(rng.NormFloat64()*3)), int(math.Round(rng.NormFloat64()*3))
				i, j := h%l.nx+di, h/l.nx+dj
				if i >= 0 && j >= 0 && i < l.nx && j < l.ny && w.grid[j*l.nx+i] >= 0 {
					cell = j*l.nx + i
					break
				}
			}
		case x < 0.9 && len(w.buildings) > 0:
			k := sort.SearchFloat64s(cum, rng.Float64()*cum[len(cum)-1])
			cell = int(w.buildings[k].cell)
		default:
			cell = int(gridCells[rng.IntN(len(gridCells))])
		}
		drafts[i] = draft{at: at, cat: ci, src: si, cell: cell, id: i, dupOf: -1}
	}
	// About 1.5% repeat an earlier report: same place and category, reported
	// again by a resident or the hotline from ten minutes to a day later.
	for i := range drafts {
		if i == 0 || rng.Float64() >= 0.015 {
			continue
		}
		o := drafts[rng.IntN(i)] // earlier drafts are final
		at := o.at.Add(minutes(10, 1440))
		if o.id == i || o.dupOf >= 0 || !at.Before(now) {
			continue
		}
		drafts[i] = draft{at: at, cat: o.cat, src: 1 + rng.IntN(2), cell: o.cell, id: i, dupOf: o.id}
	}
	slices.SortStableFunc(drafts, func(a, b draft) int { return a.at.Compare(b.at) })
	pos := make([]int, n)
	for k, d := range drafts {
		pos[d.id] = k
	}

	reps := make([]data.Report, n)
	events := make([]data.Event, 0, 9*n/2)
	var evs []data.Event
	for i, d := range drafts {
		cs := catSpecs[d.cat]
		g := int(w.grid[d.cell])
		ga := w.grids[g]
		cm := w.communities[ga.parent]
		st := w.streets[cm.parent]
		di := st.parent
		rep := &reps[i]
		rep.Category = cs.code
		rep.Location = l.at(d.cell, 0.1+0.8*rng.Float64(), 0.1+0.8*rng.Float64())
		if b := cellBuilding[d.cell]; b >= 0 {
			rep.Address = w.address(w.buildings[b])
		} else {
			rep.Address = st.name + cm.name + " " + pick(rng, roads) + "附近"
		}
		rep.Description = pick(rng, cs.desc)
		rep.Source = sources[d.src]
		if d.src == 0 {
			ps := r.gridStaff[g]
			p := ps[rng.IntN(len(ps))]
			rep.ReporterID = int64(p + 1)
			rep.ReporterName, rep.ReporterPhone = r.people[p].Name, r.people[p].Phone
		} else if d.src != 3 || rng.IntN(2) == 0 {
			rep.ReporterName = personName(rng)
			rep.ReporterPhone = r.phoneBook.next()
		}
		rep.Routing = data.Routing{GridCode: ga.code, CommunityCode: cm.code, StreetCode: st.code,
			DistrictCode: w.districts[di].code, LeaderID: r.leaderID(w, g), Match: "inside"}
		rep.CreatedAt = d.at
		dl := deadline[cs.code]
		rep.DueAt = d.at.Add(dl)
		verifier := func() int64 {
			if rng.IntN(4) == 0 && r.leader[g] >= 0 {
				return int64(r.leader[g] + 1)
			}
			ps := r.gridStaff[g]
			return int64(ps[rng.IntN(len(ps))] + 1)
		}
		cc := func() int64 { ps := r.cc[di]; return int64(ps[rng.IntN(len(ps))] + 1) }
		evs = evs[:0]
		evs = append(evs, data.Event{Kind: "created", To: data.StatusReported, ActorID: rep.ReporterID, At: d.at})
		if d.dupOf >= 0 || rng.Float64() < 0.01 {
			ev := data.Event{Kind: string(data.StatusRejected), To: data.StatusRejected, ActorID: cc(), At: d.at.Add(minutes(10, 90))}
			if d.dupOf >= 0 {
				rep.DuplicateOf = int64(pos[d.dupOf] + 1)
				ev.Reason = "重复上报"
				ev.Data = map[string]any{"duplicate_of": rep.DuplicateOf}
			} else {
				ev.Reason = pick(rng, []string{"信息不实", "不属于受理范围", "现场核实无此问题"})
			}
			evs = append(evs, ev)
		} else {
			dept := cs.dept[rng.IntN(len(cs.dept))]
			hs := r.handlers[di][dept]
			handler := int64(hs[rng.IntN(len(hs))] + 1)
			t := d.at.Add(minutes(5, 120))
			evs = append(evs, data.Event{Kind: string(data.StatusDispatched), To: data.StatusDispatched, ActorID: cc(), At: t,
				Reason: "受理并派遣", Data: map[string]any{"department": departments[dept], "assignee": handler}})
			rounds := 1
			if rng.Float64() < 0.03 {
				rounds = 2
			}
			for round := 0; round < rounds; round++ {
				f := math.Exp(rng.NormFloat64()*0.6) * 0.3
				switch x := rng.Float64(); {
				case x < 0.01:
					f = 3 + 17*rng.Float64()
				case x < 0.08:
					f = 1 + 2*rng.Float64()
				}
				t = t.Add(time.Duration(f * float64(dl)).Truncate(time.Second))
				evs = append(evs, data.Event{Kind: string(data.StatusHandled), To: data.StatusHandled, ActorID: handler, At: t,
					Data: map[string]any{"feedback": "已处理：" + rep.Description}})
				t = t.Add(minutes(30, 600))
				if round+1 < rounds {
					evs = append(evs, data.Event{Kind: string(data.StatusDispatched), To: data.StatusDispatched, ActorID: verifier(), At: t,
						Reason: "现场核查未通过，重新派遣"})
				} else {
					evs = append(evs, data.Event{Kind: string(data.StatusClosed), To: data.StatusClosed, ActorID: verifier(), At: t,
						Reason: "现场核查通过，结案"})
				}
			}
			// Escalation when the case runs past its deadline.
			end := evs[len(evs)-1].At
			if rep.DueAt.Before(end) {
				evs = append(evs, data.Event{Kind: "escalated", At: rep.DueAt, Reason: "超期未结", Data: map[string]any{"level": string(data.LevelCommunity)}})
				if t2 := rep.DueAt.Add(dl); t2.Before(end) {
					evs = append(evs, data.Event{Kind: "escalated", At: t2, Reason: "超期未结", Data: map[string]any{"level": string(data.LevelStreet)}})
				}
			}
		}
		// Keep what has happened by now, in order; fill From/To and status.
		evs = slices.DeleteFunc(evs, func(e data.Event) bool { return e.At.After(now) })
		slices.SortStableFunc(evs, func(a, b data.Event) int { return a.At.Compare(b.At) })
		status := data.Status("")
		for k := range evs {
			e := &evs[k]
			e.ReportID = int64(i + 1)
			e.From = status
			if e.Kind == "escalated" {
				e.To = status
				rep.Escalation = data.Level(e.Data["level"].(string))
			} else {
				status = e.To
			}
			if a, ok := e.Data["assignee"].(int64); ok {
				rep.AssigneeID = a
			}
			if e.To == data.StatusClosed {
				at := e.At
				rep.ClosedAt = &at
			}
		}
		rep.Status = status
		rep.UpdatedAt = evs[len(evs)-1].At
		events = append(events, evs...)
	}
	return reps, events
}
