package demo

import (
	"math"

	"github.com/paulmach/orb"
)

// lattice is a jittered quad mesh in lon/lat (EPSG:4326). Cell (i, j), with
// index j*nx+i, is the quad of the vertices (i,j) (i+1,j) (i+1,j+1) (i,j+1),
// listed counter-clockwise. Each vertex's coordinates are computed once and
// stored, so every cell, ring and area that uses a vertex uses bit-identical
// float64 values: shared edges match exactly by construction. The jitter is at
// most jitterFrac of a cell side, which keeps every quad convex and the mesh a
// planar subdivision (no two edges cross).
type lattice struct {
	nx, ny int       // cells along x (lon) and y (lat)
	vx, vy []float64 // vertex lon, lat; index j*(nx+1)+i
}

// jitterFrac is the largest vertex displacement, as a fraction of a cell side.
const jitterFrac = 0.15

// newLattice lays nx×ny cells of dlon×dlat degrees from (lon0, lat0).
func newLattice(seed int64, lon0, lat0, dlon, dlat float64, nx, ny int) *lattice {
	l := &lattice{nx: nx, ny: ny, vx: make([]float64, (nx+1)*(ny+1)), vy: make([]float64, (nx+1)*(ny+1))}
	for j := 0; j <= ny; j++ {
		for i := 0; i <= nx; i++ {
			h := mix(uint64(seed), uint64(i), uint64(j), 0x5eed)
			jx := (unit(h) - 0.5) * 2 * jitterFrac
			jy := (unit(mix(h, 1)) - 0.5) * 2 * jitterFrac
			k := j*(nx+1) + i
			l.vx[k] = lon0 + (float64(i)+jx)*dlon
			l.vy[k] = lat0 + (float64(j)+jy)*dlat
		}
	}
	return l
}

func (l *lattice) cells() int { return l.nx * l.ny }

// vertex returns vertex (i, j).
func (l *lattice) vertex(i, j int) orb.Point {
	k := j*(l.nx+1) + i
	return orb.Point{l.vx[k], l.vy[k]}
}

// corner returns corner k (0 bottom-left, 1 bottom-right, 2 top-right, 3
// top-left) of cell c.
func (l *lattice) corner(c, k int) orb.Point {
	i, j := c%l.nx, c/l.nx
	switch k {
	case 1:
		i++
	case 2:
		i++
		j++
	case 3:
		j++
	}
	return l.vertex(i, j)
}

// at maps (u, v) in [0,1]² bilinearly into cell c; for u, v in (0,1) the
// point is strictly inside the (convex) quad.
func (l *lattice) at(c int, u, v float64) orb.Point {
	p0, p1, p2, p3 := l.corner(c, 0), l.corner(c, 1), l.corner(c, 2), l.corner(c, 3)
	return orb.Point{
		(1-u)*(1-v)*p0[0] + u*(1-v)*p1[0] + u*v*p2[0] + (1-u)*v*p3[0],
		(1-u)*(1-v)*p0[1] + u*(1-v)*p1[1] + u*v*p2[1] + (1-u)*v*p3[1],
	}
}

// centre is the bilinear centre of cell c.
func (l *lattice) centre(c int) orb.Point { return l.at(c, 0.5, 0.5) }

// nb returns the 4-neighbour of c in direction d (0 +x, 1 +y, 2 -x, 3 -y), or -1.
func (l *lattice) nb(c, d int) int {
	i, j := c%l.nx, c/l.nx
	switch d {
	case 0:
		i++
	case 1:
		j++
	case 2:
		i--
	default:
		j--
	}
	if i < 0 || j < 0 || i >= l.nx || j >= l.ny {
		return -1
	}
	return j*l.nx + i
}

// mix is a splitmix64-style hash of its arguments.
func mix(xs ...uint64) uint64 {
	h := uint64(0x9e3779b97f4a7c15)
	for _, x := range xs {
		h ^= x + 0x9e3779b97f4a7c15 + (h << 6) + (h >> 2)
		h ^= h >> 30
		h *= 0xbf58476d1ce4e5b9
		h ^= h >> 27
		h *= 0x94d049bb133111eb
		h ^= h >> 31
	}
	return h
}

// unit maps a hash to [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

// valueNoise is smooth noise in [0, 1) with features about scale cells wide.
func valueNoise(seed uint64, x, y, scale float64) float64 {
	x, y = x/scale, y/scale
	x0, y0 := math.Floor(x), math.Floor(y)
	fx, fy := x-x0, y-y0
	fx, fy = fx*fx*(3-2*fx), fy*fy*(3-2*fy)
	g := func(a, b float64) float64 { return unit(mix(seed, uint64(int64(a)), uint64(int64(b)))) }
	a := g(x0, y0)*(1-fx) + g(x0+1, y0)*fx
	b := g(x0, y0+1)*(1-fx) + g(x0+1, y0+1)*fx
	return a*(1-fy) + b*fy
}

// components labels the 4-connected components of each label's cells
// (label < 0 = no cell). comp[c] is the component id (-1 for no cell);
// ids are numbered in order of their lowest cell index.
func (l *lattice) components(label []int32) (comp []int32, n int) {
	comp = make([]int32, len(label))
	for i := range comp {
		comp[i] = -1
	}
	queue := make([]int32, 0, 1024)
	for c := range label {
		if label[c] < 0 || comp[c] >= 0 {
			continue
		}
		id := int32(n)
		n++
		comp[c] = id
		queue = append(queue[:0], int32(c))
		for len(queue) > 0 {
			x := int(queue[len(queue)-1])
			queue = queue[:len(queue)-1]
			for d := 0; d < 4; d++ {
				y := l.nb(x, d)
				if y >= 0 && comp[y] < 0 && label[y] == label[x] {
					comp[y] = id
					queue = append(queue, int32(y))
				}
			}
		}
	}
	return comp, n
}

// fill gives every cell labelled -2 the label of the nearest labelled (>= 0)
// cell, by breadth-first search over 4-neighbours in index order, so each
// filled cell joins a label it is connected to. Cells that cannot be reached
// become -1.
func (l *lattice) fill(label []int32) {
	var queue []int32
	for c, x := range label {
		if x < 0 {
			continue
		}
		for d := 0; d < 4; d++ {
			if y := l.nb(c, d); y >= 0 && label[y] == -2 {
				queue = append(queue, int32(c))
				break
			}
		}
	}
	for h := 0; h < len(queue); h++ {
		c := int(queue[h])
		for d := 0; d < 4; d++ {
			if y := l.nb(c, d); y >= 0 && label[y] == -2 {
				label[y] = label[c]
				queue = append(queue, int32(y))
			}
		}
	}
	for c, x := range label {
		if x == -2 {
			label[c] = -1
		}
	}
}

// connect makes every label 4-connected: for each label, cells outside its
// largest component are handed to neighbouring labels (fill). A label keeps
// its largest piece, so no label is emptied.
func (l *lattice) connect(label []int32, n int) {
	for iter := 0; iter < 8; iter++ {
		comp, nc := l.components(label)
		size := make([]int, nc)
		for _, k := range comp {
			if k >= 0 {
				size[k]++
			}
		}
		best := make([]int32, n)
		for i := range best {
			best[i] = -1
		}
		for c, k := range comp {
			if k < 0 {
				continue
			}
			if b := best[label[c]]; b < 0 || size[k] > size[b] {
				best[label[c]] = k
			}
		}
		moved := false
		for c, k := range comp {
			if k >= 0 && best[label[c]] != k {
				label[c] = -2
				moved = true
			}
		}
		if !moved {
			return
		}
		l.fill(label)
	}
}
