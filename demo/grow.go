package demo

import (
	"math"
	"math/rand/v2"
)

// heap is a binary min-heap of (key, val) pairs; ties break on val so the
// order is deterministic.
type heap struct {
	k []float64
	v []int32
}

func (h *heap) len() int { return len(h.k) }

func (h *heap) less(a, b int) bool {
	if h.k[a] != h.k[b] {
		return h.k[a] < h.k[b]
	}
	return h.v[a] < h.v[b]
}

func (h *heap) swap(a, b int) {
	h.k[a], h.k[b] = h.k[b], h.k[a]
	h.v[a], h.v[b] = h.v[b], h.v[a]
}

func (h *heap) push(k float64, v int32) {
	h.k = append(h.k, k)
	h.v = append(h.v, v)
	for i := len(h.k) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		h.swap(i, p)
		i = p
	}
}

func (h *heap) pop() (float64, int32) {
	k, v := h.k[0], h.v[0]
	n := len(h.k) - 1
	h.swap(0, n)
	h.k, h.v = h.k[:n], h.v[:n]
	for i := 0; ; {
		a, b, m := 2*i+1, 2*i+2, i
		if a < n && h.less(a, m) {
			m = a
		}
		if b < n && h.less(b, m) {
			m = b
		}
		if m == i {
			break
		}
		h.swap(i, m)
		i = m
	}
	return k, v
}

// grow partitions cells (one 4-connected set: the cells c with
// parent[c] == p) into k 4-connected regions of about equal weight, and
// writes first+r into child[c] for the region r of each cell. Seeds come
// from a few rounds of weighted k-means on cell positions; then the lightest
// region repeatedly takes its frontier cell nearest its seed, so regions stay
// compact and balanced. Regions are numbered by their lowest cell index.
func (l *lattice) grow(rng *rand.Rand, cells []int32, parent []int32, p int32, k int, w []float64, child []int32, first int32) {
	if k < 1 {
		k = 1
	}
	if k > len(cells) {
		k = len(cells)
	}
	pos := func(c int32) (float64, float64) { return float64(int(c) % l.nx), float64(int(c) / l.nx) }
	// k-means++-style init: weighted random first, then far-weighted picks.
	cx, cy := make([]float64, k), make([]float64, k)
	total := 0.0
	for _, c := range cells {
		total += w[c] + 1e-9
	}
	pick := func(score func(c int32) float64, sum float64) int32 {
		t := rng.Float64() * sum
		for _, c := range cells {
			t -= score(c)
			if t <= 0 {
				return c
			}
		}
		return cells[len(cells)-1]
	}
	c0 := pick(func(c int32) float64 { return w[c] + 1e-9 }, total)
	cx[0], cy[0] = pos(c0)
	dmin := make([]float64, len(cells))
	for i := range dmin {
		dmin[i] = math.Inf(1)
	}
	for r := 1; r < k; r++ {
		sum := 0.0
		for i, c := range cells {
			x, y := pos(c)
			d := (x-cx[r-1])*(x-cx[r-1]) + (y-cy[r-1])*(y-cy[r-1])
			if d < dmin[i] {
				dmin[i] = d
			}
			sum += dmin[i] * (w[c] + 0.05)
		}
		t := rng.Float64() * sum
		sel := cells[len(cells)-1]
		for i, c := range cells {
			t -= dmin[i] * (w[c] + 0.05)
			if t <= 0 {
				sel = c
				break
			}
		}
		cx[r], cy[r] = pos(sel)
	}
	// Lloyd rounds.
	sx, sy, sw := make([]float64, k), make([]float64, k), make([]float64, k)
	for round := 0; round < 4; round++ {
		clear(sx)
		clear(sy)
		clear(sw)
		for _, c := range cells {
			x, y := pos(c)
			best, bd := 0, math.Inf(1)
			for r := 0; r < k; r++ {
				if d := (x-cx[r])*(x-cx[r]) + (y-cy[r])*(y-cy[r]); d < bd {
					best, bd = r, d
				}
			}
			ww := w[c] + 0.05
			sx[best] += x * ww
			sy[best] += y * ww
			sw[best] += ww
		}
		for r := 0; r < k; r++ {
			if sw[r] > 0 {
				cx[r], cy[r] = sx[r]/sw[r], sy[r]/sw[r]
			}
		}
	}
	// Seeds: the free cell nearest each centre.
	const free = int32(-3)
	for _, c := range cells {
		child[c] = free
	}
	fr := make([]heap, k)
	wt := make([]float64, k)
	var regions heap
	for r := 0; r < k; r++ {
		best, bd := int32(-1), math.Inf(1)
		for _, c := range cells {
			if child[c] != free {
				continue
			}
			x, y := pos(c)
			if d := (x-cx[r])*(x-cx[r]) + (y-cy[r])*(y-cy[r]); d < bd {
				best, bd = c, d
			}
		}
		cx[r], cy[r] = pos(best)
		fr[r].push(0, best)
		child[best] = -4 - int32(r) // reserved for r until taken
	}
	for r := 0; r < k; r++ {
		regions.push(0, int32(r))
	}
	tmp := make([]int32, 0, 4)
	for regions.len() > 0 {
		_, r := regions.pop()
		taken := int32(-1)
		for fr[r].len() > 0 {
			_, c := fr[r].pop()
			if child[c] == free || child[c] == -4-r {
				taken = c
				break
			}
		}
		if taken < 0 {
			continue // boxed in: region is final
		}
		child[taken] = r // provisional region number
		wt[r] += w[taken]
		tmp = tmp[:0]
		for d := 0; d < 4; d++ {
			y := l.nb(int(taken), d)
			if y >= 0 && parent[y] == p && child[y] == free {
				tmp = append(tmp, int32(y))
			}
		}
		for _, y := range tmp {
			x, yy := pos(y)
			// Noise on the distance makes boundaries wander like streets and walls.
			wob := 0.55 + 0.9*valueNoise(0xb0d7, x, yy, 4)
			fr[r].push(((x-cx[r])*(x-cx[r])+(yy-cy[r])*(yy-cy[r]))*wob, y)
		}
		regions.push(wt[r]+1e-7*float64(r), r)
	}
	// Number regions by lowest cell index (cells are sorted ascending).
	ren := make([]int32, k)
	for i := range ren {
		ren[i] = -1
	}
	next := int32(0)
	for _, c := range cells {
		r := child[c]
		if r < 0 {
			continue // cannot happen for a connected set
		}
		if ren[r] < 0 {
			ren[r] = next
			next++
		}
	}
	for _, c := range cells {
		if child[c] >= 0 {
			child[c] = first + ren[child[c]]
		} else {
			child[c] = first // unreachable cell: join the first region
		}
	}
}
