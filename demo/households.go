package demo

import (
	"fmt"
	"math/rand/v2"

	"github.com/paulmach/orb"
)

// Kinds of housing compound.
const (
	kindWalkup   = iota // 老旧小区: 5–7 storey walk-ups
	kindHighrise        // 高层住宅小区
	kindVillage         // 村居 (urban village): small houses, counted per row
	kindDorm            // 宿舍: dormitories of works, schools, hospitals
)

// compound is a cluster of buildings with one name and one street address.
type compound struct {
	kind int
	name string
	road string
	door int
	cell int
}

// building is a household point strictly inside a lattice cell.
type building struct {
	cell     int32
	pt       orb.Point
	hh       int
	compound int32
	no       int // building number within the compound
}

// house places housing compounds until the households reach w.households:
// compound centres fall on cells with probability rising with w.urban; each
// compound's buildings occupy cells within a few cells of its centre, at
// most two per cell, each at a random point at least a fifth of a cell away
// from the cell's edges (so the cell, and hence the grid, of a building is
// never ambiguous).
func (w *world) house(rng *rand.Rand) {
	l := w.l
	var cand []int32
	for c, u := range w.urban {
		if u > 0 {
			cand = append(cand, int32(c))
		}
	}
	if len(cand) == 0 {
		return
	}
	per := make([]uint8, l.cells())
	names := newNamer(rng)
	total := 0
	for total < w.households {
		c := int(cand[rng.IntN(len(cand))])
		u := float64(w.urban[c])
		if rng.Float64() > u*u {
			continue
		}
		var kind, nb, lo, hi, radius int
		r := rng.Float64()
		switch {
		case u > 0.6 && r < 0.5, u > 0.3 && r < 0.3:
			kind, nb, lo, hi, radius = kindHighrise, 6+rng.IntN(13), 64, 200, 2+rng.IntN(2)
		case u > 0.3 && r < 0.85:
			kind, nb, lo, hi, radius = kindWalkup, 8+rng.IntN(23), 18, 60, 3
		case r < 0.92:
			kind, nb, lo, hi, radius = kindVillage, 15+rng.IntN(31), 6, 30, 4
		default:
			kind, nb, lo, hi, radius = kindDorm, 2+rng.IntN(5), 30, 120, 2
		}
		ci := int32(len(w.compounds))
		w.compounds = append(w.compounds, compound{kind: kind, name: names.compound(kind), road: pick(rng, roads), door: 1 + rng.IntN(300), cell: c})
		ic, jc := c%l.nx, c/l.nx
		no := 0
		for b := 0; b < nb && total < w.households; b++ {
			for try := 0; try < 6; try++ {
				x, y := ic+rng.IntN(2*radius+1)-radius, jc+rng.IntN(2*radius+1)-radius
				if x < 0 || y < 0 || x >= l.nx || y >= l.ny || (x-ic)*(x-ic)+(y-jc)*(y-jc) > radius*radius {
					continue
				}
				cc := y*l.nx + x
				if w.urban[cc] == 0 || per[cc] >= 2 {
					continue
				}
				per[cc]++
				hh := lo + rng.IntN(hi-lo+1)
				if kind == kindWalkup || kind == kindHighrise {
					hh -= hh % 2 // two flats a landing
				}
				no++
				w.buildings = append(w.buildings, building{cell: int32(cc), pt: l.at(cc, 0.2+0.6*rng.Float64(), 0.2+0.6*rng.Float64()),
					hh: hh, compound: ci, no: no})
				total += hh
				break
			}
		}
	}
}

// address is the postal address of building b, e.g.
// "李村街道东山社区 京口路28号书香苑3号楼".
func (w *world) address(b building) string {
	g := w.grids[w.grid[b.cell]]
	cm := w.communities[g.parent]
	st := w.streets[cm.parent]
	k := w.compounds[b.compound]
	switch k.kind {
	case kindVillage:
		return fmt.Sprintf("%s%s %s%d号", st.name, cm.name, k.name, k.door+b.no)
	default:
		return fmt.Sprintf("%s%s %s%d号%s%d号楼", st.name, cm.name, k.road, k.door, k.name, b.no)
	}
}
