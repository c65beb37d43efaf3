package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// synthCellsPerGrid is the lattice cells laid per requested grid.
const synthCellsPerGrid = 22

// synthWorld lays a blob-shaped city of about grids grids on a lattice
// centred at 120.0°E 36.3°N, split into districts (codes 370201, 370202, …)
// of about 1,500 grids, each into about 11 streets. Communities and grids
// are grown as for Licang.
func synthWorld(rng *rand.Rand, seed int64, grids int) (*world, error) {
	cells := float64(grids) * synthCellsPerGrid / 0.72
	side := int(math.Ceil(math.Sqrt(cells)))
	if side < 12 {
		side = 12
	}
	const lat0 = 36.3
	dlat := cellMetres / 111320.0
	dlon := cellMetres / (111320.0 * math.Cos(lat0*math.Pi/180))
	l := newLattice(seed, 120.0-float64(side)/2*dlon, lat0-float64(side)/2*dlat, dlon, dlat, side, side)
	w := newWorld(l)
	su := uint64(seed)
	half := float64(side) / 2
	for c := 0; c < l.cells(); c++ {
		x, y := float64(c%l.nx)-half+0.5, float64(c/l.nx)-half+0.5
		r := math.Hypot(x, y) / half
		th := math.Atan2(y, x)
		edge := 0.85 + 0.13*(valueNoise(su^0xb1, (th+math.Pi)*6, 0, 1)-0.5)*2
		if r < edge {
			w.district[c] = 0
		}
	}
	w.keepLargest(w.district)
	all := cellsOf(w.district, 1)[0]
	nd := max(1, int(math.Round(float64(grids)/1500)))
	if nd > 99 {
		return nil, fmt.Errorf("demo: %d grids need %d districts, more than 99 codes", grids, nd)
	}
	ones := make([]float64, l.cells())
	for i := range ones {
		ones[i] = 1
	}
	city := append([]int32(nil), w.district...) // 0 in the city, -1 outside
	l.grow(rng, all, city, 0, nd, ones, w.district, 0)
	names := newNamer(rng)
	for d := 0; d < nd; d++ {
		w.districts = append(w.districts, &area{code: fmt.Sprintf("3702%02d", d+1), name: names.stem() + "区", parent: -1})
	}
	for d, cs := range cellsOf(w.district, nd) {
		ns := max(1, min(len(cs), int(math.Round(float64(len(cs))/(synthCellsPerGrid*1500/11)))))
		first := int32(len(w.streets))
		l.grow(rng, cs, w.district, int32(d), ns, ones, w.street, first)
		for k := 0; k < ns; k++ {
			w.streets = append(w.streets, &area{name: names.stem() + "街道", parent: d})
		}
	}
	w.urban = make([]float32, l.cells())
	for c := range w.urban {
		if w.district[c] < 0 {
			continue
		}
		x, y := float64(c%l.nx)-half+0.5, float64(c/l.nx)-half+0.5
		r := math.Hypot(x, y) / half
		fx, fy := float64(c%l.nx), float64(c/l.nx)
		n1 := 0.65*valueNoise(su^0xa1, fx, fy, 14) + 0.35*valueNoise(su^0xa2, fx, fy, 5)
		u := (1.05 - 0.6*r) * (0.3 + 0.9*n1)
		if valueNoise(su^0xa3, fx, fy, 9) < 0.14 || n1 < 0.22 {
			u = 0
		}
		w.urban[c] = float32(math.Min(u, 1))
	}
	w.communityCount = func(hh []float64, cells []int) []int {
		out := make([]int, len(hh))
		for i, h := range hh {
			out[i] = max(1, int(math.Round(h/5000)))
		}
		return out
	}
	w.households = grids * 395 // about N grids once cut at gridTarget
	w.ccPeople, w.planners = 8, 3
	return w, nil
}
