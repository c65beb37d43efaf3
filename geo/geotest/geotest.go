// Package geotest makes synthetic partitions for tests and benchmarks of
// the routing index: irregular, gap-free tilings whose neighbours share
// bit-identical vertices, with holes, enclaves filling holes, and parks
// (holes that nothing fills). It is deterministic for a given seed.
package geotest

import (
	"fmt"
	"math/rand"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/geo"
)

// Options shapes a partition. Zero values take the defaults.
type Options struct {
	Seed   int64
	Origin orb.Point // south-west corner, lon/lat; default Licang (120.38, 36.12)
	StepX  float64   // lattice step in degrees of lon; default 0.002 (≈ 180 m at 36°N)
	StepY  float64   // lattice step in degrees of lat; default 0.0016 (≈ 180 m)
	Jitter float64   // fraction of a step each lattice vertex moves, at most 0.3; default 0.25
}

// Partition returns about n polygons tiling a rectangle of jittered lattice
// cells: bands of 1–3 cell rows, each cut into blocks of 1–3 cell columns.
// A block of 3×3 cells gets a hole (its centre cell); half of those holes
// are filled by an enclave polygon, the other half are parks that no item
// covers. Items are returned with Key = position, which is also the order
// of Code(Key).
func Partition(n int, o Options) []geo.Item {
	if o.Origin == (orb.Point{}) {
		o.Origin = orb.Point{120.38, 36.12}
	}
	if o.StepX == 0 {
		o.StepX = 0.002
	}
	if o.StepY == 0 {
		o.StepY = 0.0016
	}
	if o.Jitter == 0 {
		o.Jitter = 0.25
	}
	o.Jitter = min(o.Jitter, 0.3)
	rng := rand.New(rand.NewSource(o.Seed))
	side := 2
	for side*side < 4*n {
		side++
	}
	cols, rows := side, side+side/4 // bands may stop short; allow extra rows
	lat := make([][]orb.Point, cols+1)
	for i := range lat {
		lat[i] = make([]orb.Point, rows+1)
		for j := range lat[i] {
			jx := (rng.Float64()*2 - 1) * o.Jitter * o.StepX
			jy := (rng.Float64()*2 - 1) * o.Jitter * o.StepY
			lat[i][j] = orb.Point{o.Origin[0] + float64(i)*o.StepX + jx, o.Origin[1] + float64(j)*o.StepY + jy}
		}
	}
	cell := func(c, r int) orb.Ring { // counter-clockwise
		return orb.Ring{lat[c][r], lat[c+1][r], lat[c+1][r+1], lat[c][r+1], lat[c][r]}
	}
	var geoms []orb.MultiPolygon
	for r0 := 0; r0 < rows && len(geoms) < n; {
		h := 1 + rng.Intn(3)
		r1 := min(r0+h, rows)
		for c0 := 0; c0 < cols; {
			w := 1 + rng.Intn(3)
			c1 := min(c0+w, cols)
			var ring orb.Ring
			for i := c0; i < c1; i++ {
				ring = append(ring, lat[i][r0])
			}
			for j := r0; j < r1; j++ {
				ring = append(ring, lat[c1][j])
			}
			for i := c1; i > c0; i-- {
				ring = append(ring, lat[i][r1])
			}
			for j := r1; j > r0; j-- {
				ring = append(ring, lat[c0][j])
			}
			ring = append(ring, lat[c0][r0])
			poly := orb.Polygon{ring}
			if c1-c0 == 3 && r1-r0 == 3 {
				hole := cell(c0+1, r0+1)
				hole.Reverse()
				poly = append(poly, hole)
				geoms = append(geoms, orb.MultiPolygon{poly})
				if rng.Intn(2) == 0 {
					geoms = append(geoms, orb.MultiPolygon{{cell(c0+1, r0+1)}})
				}
			} else {
				geoms = append(geoms, orb.MultiPolygon{poly})
			}
			c0 = c1
		}
		r0 = r1
	}
	items := make([]geo.Item, len(geoms))
	for i, g := range geoms {
		items[i] = geo.Item{Key: int32(i), Geom: g}
	}
	return items
}

// Code is the code of the item with key k: a zero-padded decimal that sorts
// as the keys do.
func Code(k int32) string { return fmt.Sprintf("G%07d", k) }

// Probes returns test points for an oracle run: every vertex of every
// item, the midpoint of every edge (computed in floating point, so it may
// sit an ulp off the edge — exactly the case the boundary rule must decide
// as PostGIS does), and random points over the items' extent grown by
// margin degrees.
func Probes(items []geo.Item, random int, margin float64, seed int64) []orb.Point {
	var out []orb.Point
	ext := orb.Bound{Min: orb.Point{1e9, 1e9}, Max: orb.Point{-1e9, -1e9}}
	for _, it := range items {
		for _, p := range it.Geom {
			for _, r := range p {
				for i, pt := range r {
					ext = ext.Extend(pt)
					if i+1 < len(r) {
						out = append(out, pt)
						q := r[i+1]
						out = append(out, orb.Point{(pt[0] + q[0]) / 2, (pt[1] + q[1]) / 2})
					}
				}
			}
		}
	}
	rng := rand.New(rand.NewSource(seed))
	w, h := ext.Max[0]-ext.Min[0]+2*margin, ext.Max[1]-ext.Min[1]+2*margin
	for i := 0; i < random; i++ {
		out = append(out, orb.Point{ext.Min[0] - margin + rng.Float64()*w, ext.Min[1] - margin + rng.Float64()*h})
	}
	return out
}
