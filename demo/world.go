package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/paulmach/orb"
	"github.com/wangge-dev/wangge/data"
)

// area is an area under construction.
type area struct {
	code, name string
	parent     int    // index in the level above (-1 for a district)
	kind       string // grids: "" residential, "enclave" (school/factory compound), "detached" (has a detached piece)
	hh         int
	geom       orb.MultiPolygon
}

// world is the lattice with a label per cell for every level (-1: no cell).
type world struct {
	l                                      *lattice
	district, street, community, grid      []int32
	districts, streets, communities, grids []*area
	urban                                  []float32 // housing potential of each cell, 0 = none
	buildings                              []building
	households                             int // target total
	communityCount                         func(hh []float64, cells []int) []int
	ccPeople, planners                     int
	compounds                              []compound
}

func newWorld(l *lattice) *world {
	n := l.cells()
	w := &world{l: l}
	for _, p := range []*[]int32{&w.district, &w.street, &w.community, &w.grid} {
		*p = make([]int32, n)
		for i := range *p {
			(*p)[i] = -1
		}
	}
	return w
}

// keepLargest drops (labels -1) every cell outside the largest 4-connected
// component of the labelled cells, for a single-label array.
func (w *world) keepLargest(label []int32) {
	comp, n := w.l.components(label)
	size := make([]int, n)
	for _, k := range comp {
		if k >= 0 {
			size[k]++
		}
	}
	best := 0
	for k := range size {
		if size[k] > size[best] {
			best = k
		}
	}
	for c, k := range comp {
		if k >= 0 && int(k) != best {
			label[c] = -1
		}
	}
}

// cellsOf returns, for labels 0..n-1, their cells in ascending order.
func cellsOf(label []int32, n int) [][]int32 {
	cnt := make([]int, n)
	for _, x := range label {
		if x >= 0 {
			cnt[x]++
		}
	}
	out := make([][]int32, n)
	for i := range out {
		out[i] = make([]int32, 0, cnt[i])
	}
	for c, x := range label {
		if x >= 0 {
			out[x] = append(out[x], int32(c))
		}
	}
	return out
}

// cellHH returns households per cell.
func (w *world) cellHH() []float64 {
	hh := make([]float64, w.l.cells())
	for _, b := range w.buildings {
		hh[b.cell] += float64(b.hh)
	}
	return hh
}

// partition grows communities inside streets and grids inside communities.
func (w *world) partition(rng *rand.Rand, gridTarget float64) {
	hh := w.cellHH()
	streetCells := cellsOf(w.street, len(w.streets))
	shh := make([]float64, len(w.streets))
	sc := make([]int, len(w.streets))
	for s, cs := range streetCells {
		sc[s] = len(cs)
		for _, c := range cs {
			shh[s] += hh[c]
		}
	}
	counts := w.communityCount(shh, sc)
	wt := make([]float64, len(hh))
	for s, cs := range streetCells {
		mean := shh[s] / float64(len(cs))
		for _, c := range cs {
			wt[c] = hh[c] + 0.6*mean
		}
		first := int32(len(w.communities))
		w.l.grow(rng, cs, w.street, int32(s), counts[s], wt, w.community, first)
		for k := 0; k < counts[s] && k < len(cs); k++ {
			w.communities = append(w.communities, &area{parent: s})
		}
	}
	commCells := cellsOf(w.community, len(w.communities))
	for cm, cs := range commCells {
		tot := 0.0
		for _, c := range cs {
			tot += hh[c]
			wt[c] = hh[c] + 3
		}
		// Most communities aim at the middle of the 300–600 band; a few
		// were drawn long ago with too many or too few grids.
		target, normal := gridTarget, true
		switch r := rng.Float64(); {
		case r < 0.07:
			target, normal = target*0.62, false
		case r < 0.14:
			target, normal = target*1.45, false
		}
		k := int(math.Round(tot / target))
		if k < 1 {
			k = 1
		}
		if k > len(cs) {
			k = len(cs)
		}
		first := int32(len(w.grids))
		w.l.grow(rng, cs, w.community, int32(cm), k, wt, w.grid, first)
		for i := 0; i < k; i++ {
			w.grids = append(w.grids, &area{parent: cm})
		}
		if normal {
			w.balance(int32(cm), cs, hh, 320, 580)
		}
	}
}

// enclaves turns n 2×2 blocks that lie well inside a grid (a one-cell margin
// of the same grid all around) into grids of their own: a school or factory
// compound, leaving a hole in the host grid. Their housing is replaced by a
// staff dormitory.
func (w *world) enclaves(rng *rand.Rand, n int) {
	l := w.l
	hostCand := map[int32]int{} // grid → block's bottom-left cell
	var hosts []int32
	for c := 0; c < l.cells(); c++ {
		g := w.grid[c]
		if g < 0 || w.grids[g].kind != "" {
			continue
		}
		if _, ok := hostCand[g]; ok {
			continue
		}
		i, j := c%l.nx, c/l.nx
		if i < 1 || j < 1 || i+3 > l.nx || j+3 > l.ny {
			continue
		}
		ok := true
		for y := j - 1; y <= j+2 && ok; y++ {
			for x := i - 1; x <= i+2; x++ {
				if w.grid[y*l.nx+x] != g {
					ok = false
					break
				}
			}
		}
		if ok {
			hostCand[g] = c
			hosts = append(hosts, g)
		}
	}
	rng.Shuffle(len(hosts), func(a, b int) { hosts[a], hosts[b] = hosts[b], hosts[a] })
	if n > len(hosts) {
		n = len(hosts)
	}
	chosen := hosts[:n]
	slices.Sort(chosen)
	gone := make([]bool, l.cells())
	for _, g := range chosen {
		c := hostCand[g]
		id := int32(len(w.grids))
		cm := w.grids[g].parent
		name := enclaveName(rng)
		w.grids = append(w.grids, &area{parent: cm, kind: "enclave", name: name})
		block := []int{c, c + 1, c + l.nx, c + l.nx + 1}
		for _, b := range block {
			w.grid[b] = id
			gone[b] = true
		}
	}
	w.buildings = slices.DeleteFunc(w.buildings, func(b building) bool { return gone[b.cell] })
	for _, g := range chosen {
		c := hostCand[g]
		id := w.grid[c]
		block := []int{c, c + 1, c + l.nx, c + l.nx + 1}
		ci := len(w.compounds)
		w.compounds = append(w.compounds, compound{kind: kindDorm, name: w.grids[id].name + "宿舍", road: pick(rng, roads), door: 1 + rng.IntN(200)})
		for k := 0; k < 1+rng.IntN(2); k++ {
			cell := block[k*3]
			w.buildings = append(w.buildings, building{cell: int32(cell), pt: l.at(cell, 0.2+0.6*rng.Float64(), 0.2+0.6*rng.Float64()),
				hh: 20 + rng.IntN(60), compound: int32(ci), no: k + 1})
		}
	}
}

// detach gives n grids a detached piece: a cell of a neighbouring grid in the
// same community, two cells away from the grid and not touching it, so the
// grid becomes a MultiPolygon (a building across the road administered by
// it). The donor keeps its 4-connectedness.
func (w *world) detach(rng *rand.Rand, n int) {
	l := w.l
	hh := w.cellHH()
	size := make([]int, len(w.grids))
	for _, g := range w.grid {
		if g >= 0 {
			size[g]++
		}
	}
	order := make([]int, l.cells())
	for i := range order {
		order[i] = i
	}
	rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
	used := map[int32]bool{}
	done := 0
	for _, c := range order {
		if done >= n {
			break
		}
		h := w.grid[c]
		if h < 0 || hh[c] == 0 || size[h] < 8 || used[h] || w.grids[h].kind != "" {
			continue
		}
		i, j := c%l.nx, c/l.nx
		if i < 2 || j < 2 || i+2 >= l.nx || j+2 >= l.ny {
			continue
		}
		// No foreign grid of the same community within the 8-neighbourhood
		// may be the receiver; the receiver must appear at distance 2.
		near := map[int32]bool{}
		edge := false
		for y := j - 1; y <= j+1; y++ {
			for x := i - 1; x <= i+1; x++ {
				near[w.grid[y*l.nx+x]] = true
			}
		}
		for d := 0; d < 4; d++ {
			if w.grid[l.nb(c, d)] != h {
				edge = true
			}
		}
		if !edge {
			continue
		}
		recv := int32(-1)
		for y := j - 2; y <= j+2 && recv < 0; y++ {
			for x := i - 2; x <= i+2; x++ {
				g := w.grid[y*l.nx+x]
				if g >= 0 && !near[g] && !used[g] && w.grids[g].kind == "" && w.grids[g].parent == w.grids[h].parent {
					recv = g
					break
				}
			}
		}
		if recv < 0 || !w.connectedWithout(h, c, size[h]) {
			continue
		}
		w.grid[c] = recv
		w.grids[recv].kind = "detached"
		used[h], used[recv] = true, true
		size[h]--
		done++
	}
}

// connectedWithout reports whether grid g stays 4-connected without cell x.
func (w *world) connectedWithout(g int32, x int, size int) bool {
	start := -1
	for d := 0; d < 4; d++ {
		if y := w.l.nb(x, d); y >= 0 && w.grid[y] == g {
			start = y
			break
		}
	}
	if start < 0 {
		return false
	}
	seen := map[int]bool{start: true, x: true}
	stack := []int{start}
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for d := 0; d < 4; d++ {
			if y := w.l.nb(c, d); y >= 0 && w.grid[y] == g && !seen[y] {
				seen[y] = true
				stack = append(stack, y)
			}
		}
	}
	return len(seen) == size // includes x
}

// finish traces every level, sets codes, names and household counts, and
// returns the areas ordered by code.
func (w *world) finish(rng *rand.Rand) []data.Area {
	// Codes and names, hierarchical.
	nStreet := make([]int, len(w.districts))
	for _, s := range w.streets {
		nStreet[s.parent]++
		if s.code == "" {
			s.code = fmt.Sprintf("%s%03d", w.districts[s.parent].code, nStreet[s.parent])
		}
	}
	names := newNamer(rng)
	nComm := make([]int, len(w.streets))
	for _, cm := range w.communities {
		nComm[cm.parent]++
		cm.code = fmt.Sprintf("%s%03d", w.streets[cm.parent].code, nComm[cm.parent])
		cm.name = names.community()
	}
	nGrid := make([]int, len(w.communities))
	for _, g := range w.grids {
		nGrid[g.parent]++
		g.code = fmt.Sprintf("%s%03d", w.communities[g.parent].code, nGrid[g.parent])
		if g.name == "" {
			g.name = fmt.Sprintf("%s第%d网格", w.communities[g.parent].name, nGrid[g.parent])
		} else {
			g.name = fmt.Sprintf("%s%s网格", w.communities[g.parent].name, g.name)
		}
	}
	// Community labels follow grids (enclaves and detached pieces stay in
	// their community by construction), streets and districts follow.
	for c, g := range w.grid {
		if g >= 0 {
			w.community[c] = int32(w.grids[g].parent)
		}
	}
	for _, b := range w.buildings {
		w.grids[w.grid[b.cell]].hh += b.hh
	}
	for _, g := range w.grids {
		w.communities[g.parent].hh += g.hh
	}
	for _, cm := range w.communities {
		w.streets[cm.parent].hh += cm.hh
	}
	for _, s := range w.streets {
		w.districts[s.parent].hh += s.hh
	}
	levels := []struct {
		label []int32
		areas []*area
		level data.Level
		up    []*area
	}{
		{w.district, w.districts, data.LevelDistrict, nil},
		{w.street, w.streets, data.LevelStreet, w.districts},
		{w.community, w.communities, data.LevelCommunity, w.streets},
		{w.grid, w.grids, data.LevelGrid, w.communities},
	}
	var out []data.Area
	for _, lv := range levels {
		geoms := w.l.trace(lv.label, len(lv.areas))
		for i, a := range lv.areas {
			a.geom = geoms[i]
			parent := ""
			if lv.up != nil {
				parent = lv.up[a.parent].code
			}
			out = append(out, data.Area{Code: a.code, Level: lv.level, Name: a.name, ParentCode: parent,
				Geom: a.geom, Households: a.hh})
		}
	}
	slices.SortFunc(out, func(a, b data.Area) int {
		if a.Code < b.Code {
			return -1
		}
		if a.Code > b.Code {
			return 1
		}
		return 0
	})
	return out
}

// balance moves boundary cells between neighbouring grids of community cm
// while that brings grids closer to [lo, hi] households (sum of squared
// distances outside the range), keeping every grid 4-connected.
func (w *world) balance(cm int32, cells []int32, hh []float64, lo, hi float64) {
	l := w.l
	sum := map[int32]float64{}
	size := map[int32]int{}
	for _, c := range cells {
		sum[w.grid[c]] += hh[c]
		size[w.grid[c]]++
	}
	cost := func(h float64) float64 {
		switch {
		case h < lo:
			return (lo - h) * (lo - h)
		case h > hi:
			return (h - hi) * (h - hi)
		}
		return 0
	}
	for pass := 0; pass < 12; pass++ {
		moved := false
		for _, x := range cells {
			a := w.grid[x]
			if size[a] <= 1 {
				continue
			}
			for d := 0; d < 4; d++ {
				y := l.nb(int(x), d)
				if y < 0 || w.community[y] != cm {
					continue
				}
				b := w.grid[y]
				if b == a {
					continue
				}
				before := cost(sum[a]) + cost(sum[b])
				after := cost(sum[a]-hh[x]) + cost(sum[b]+hh[x])
				if after >= before-1e-9 || !w.connectedWithout(a, int(x), size[a]) {
					continue
				}
				w.grid[x] = b
				sum[a] -= hh[x]
				sum[b] += hh[x]
				size[a]--
				size[b]++
				moved = true
				break
			}
		}
		if !moved {
			return
		}
	}
}
