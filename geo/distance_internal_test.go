package geo

import (
	"math"
	"math/rand"
	"testing"
)

// TestCloserIsRootOrder checks that closer ranks squares exactly as their
// square roots compare, near ties included (squares one to a few ulps
// apart, whose roots are often equal).
func TestCloserIsRootOrder(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	checked, equalRoots := 0, 0
	check := func(a, b float64) {
		t.Helper()
		if got, want := closer(a, b), math.Sqrt(a) < math.Sqrt(b); got != want {
			t.Fatalf("closer(%v, %v) = %v, roots %v and %v", a, b, got, math.Sqrt(a), math.Sqrt(b))
		}
		if a != b && math.Sqrt(a) == math.Sqrt(b) {
			equalRoots++
		}
		checked++
	}
	for i := 0; i < 200000; i++ {
		a := math.Ldexp(rng.Float64(), -rng.Intn(60)) // planar squares of degrees: up to 1, down to tiny
		b := a
		for k := rng.Intn(8); k > 0; k-- {
			b = math.Nextafter(b, math.Inf(1))
		}
		check(a, b)
		check(b, a)
		check(a, rng.Float64())
	}
	check(0, 0)
	check(0, inf)
	check(1, inf)
	check(inf, inf)
	if equalRoots == 0 {
		t.Fatal("no pair of distinct squares with equal roots was tried")
	}
	t.Logf("%d pairs, %d distinct squares with equal roots", checked, equalRoots)
}

// TestSegDist2IsSegDistSquared checks that segDist2 is segDist without the
// root, bit for bit, and that its offsets lead to segDist's closest point.
func TestSegDist2IsSegDistSquared(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	for i := 0; i < 200000; i++ {
		ax, ay := 120+rng.Float64()*0.01, 36+rng.Float64()*0.01
		bx, by := ax+(rng.Float64()-0.5)*0.001, ay+(rng.Float64()-0.5)*0.001
		px, py := ax+(rng.Float64()-0.5)*0.002, ay+(rng.Float64()-0.5)*0.002
		switch i % 4 {
		case 1:
			bx, by = ax, ay // degenerate
		case 2: // on the segment's line: before A, on the segment, beyond B
			bx, by = ax+0.0005, ay+0.00025
			k := float64(i%7 - 2)
			px, py = ax+k*0.00025, ay+k*0.000125
		}
		d, cx, cy := segDist(px, py, ax, ay, bx, by)
		d2, h, v := segDist2(px, py, ax, ay, bx, by)
		if math.Sqrt(d2) != d || h != cx-px || v != cy-py {
			t.Fatalf("segment (%v,%v)-(%v,%v), point (%v,%v): segDist %v at (%v,%v), segDist2 %v (root %v) offsets (%v,%v)",
				ax, ay, bx, by, px, py, d, cx, cy, d2, math.Sqrt(d2), h, v)
		}
	}
}
