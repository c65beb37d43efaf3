package geo

import (
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// GeomError says what is wrong with a geometry and where. Polygon, Ring
// and Vertex are 0-based indexes into the multipolygon (ring 0 is the
// shell, 1… the holes); -1 when the rule is not tied to one.
type GeomError struct {
	Polygon, Ring, Vertex int
	Reason                string
}

func (e *GeomError) Error() string {
	where := ""
	if e.Polygon >= 0 {
		where = fmt.Sprintf("polygon %d", e.Polygon)
		if e.Ring >= 0 {
			where += fmt.Sprintf(" ring %d", e.Ring)
			if e.Vertex >= 0 {
				where += fmt.Sprintf(" vertex %d", e.Vertex)
			}
		}
		where += ": "
	}
	return where + e.Reason
}

// ValidPoint checks a lon/lat point: finite, lon in [-180, 180], lat in
// [-90, 90] (degrees, WGS-84). A latitude out of range whose pair is valid
// the other way round is said to look swapped.
func ValidPoint(lon, lat float64) error {
	if math.IsNaN(lon) || math.IsNaN(lat) || math.IsInf(lon, 0) || math.IsInf(lat, 0) {
		return fmt.Errorf("coordinate is not a finite number")
	}
	if lon < -180 || lon > 180 {
		return fmt.Errorf("longitude %g out of [-180, 180]", lon)
	}
	if lat < -90 || lat > 90 {
		if lon >= -90 && lon <= 90 && lat >= -180 && lat <= 180 {
			return fmt.Errorf("latitude %g out of [-90, 90]; lon and lat look swapped (lon comes first)", lat)
		}
		return fmt.Errorf("latitude %g out of [-90, 90]", lat)
	}
	return nil
}

// Validate checks that mp is a valid multipolygon as PostGIS ST_IsValid
// sees it (OGC simple features), for lon/lat degrees. The rules, checked in
// this order, the first broken one reported as a *GeomError:
//
//  1. at least one polygon, every polygon with a shell (an empty geometry
//     is rejected: an area must have one);
//  2. every coordinate finite, lon in [-180, 180], lat in [-90, 90];
//  3. every ring closed (last point = first) with at least 4 points, and at
//     least 3 distinct vertices and a non-zero area (no collapsed ring);
//     repeated consecutive points are allowed;
//  4. no ring touches or crosses itself (no bow-tie, no spike, no pinch);
//  5. rings of one polygon may touch at single points but not cross or
//     share a stretch of edge; every hole lies inside its shell and
//     outside the other holes;
//  6. polygons of the multipolygon may touch at points but not cross,
//     share an edge or overlap (a vertex or edge midpoint of one strictly
//     inside another).
//
// Not checked: a set of touching points that disconnects a polygon's
// interior (PostGIS "Interior is disconnected"). Orientation is free.
// Segment tests use plain double arithmetic; the segment pairs are found
// with a sweep over x, so big rings cost O(n log n) plus the pairs whose
// x-ranges overlap.
func Validate(mp orb.MultiPolygon) error {
	if len(mp) == 0 {
		return &GeomError{-1, -1, -1, "empty geometry"}
	}
	for pi, p := range mp {
		if len(p) == 0 {
			return &GeomError{pi, -1, -1, "polygon has no shell"}
		}
		for ri, r := range p {
			for vi, pt := range r {
				if err := ValidPoint(pt[0], pt[1]); err != nil {
					return &GeomError{pi, ri, vi, err.Error()}
				}
			}
			if len(r) < 4 {
				return &GeomError{pi, ri, -1, fmt.Sprintf("ring has %d points, needs at least 4", len(r))}
			}
			if r[0] != r[len(r)-1] {
				return &GeomError{pi, ri, len(r) - 1, "ring is not closed"}
			}
			if distinct(r) < 3 || collinear(r) {
				return &GeomError{pi, ri, -1, "ring is collapsed (no area)"}
			}
		}
	}
	segs := collectSegs(mp)
	if err := sweep(mp, segs); err != nil {
		return err
	}
	// Containment: holes inside their shell, outside each other.
	for pi, p := range mp {
		for hi := 1; hi < len(p); hi++ {
			if v, ok := offRingVertex(p[hi], p[0]); ok && pointInRing(p[hi][v], p[0]) != locInside {
				return &GeomError{pi, hi, v, "hole lies outside its shell"}
			}
			for hj := 1; hj < len(p); hj++ {
				if hj == hi {
					continue
				}
				if v, ok := offRingVertex(p[hi], p[hj]); ok && pointInRing(p[hi][v], p[hj]) == locInside {
					return &GeomError{pi, hi, v, fmt.Sprintf("hole lies inside hole %d", hj)}
				}
			}
		}
	}
	// Polygons must not overlap.
	if len(mp) > 1 {
		bounds := make([]orb.Bound, len(mp))
		for i := range mp {
			bounds[i] = BoundOf(orb.MultiPolygon{mp[i]})
		}
		for i := range mp {
			for j := range mp {
				if i == j || !bounds[i].Intersects(bounds[j]) {
					continue
				}
				r := mp[i][0]
				for v := 0; v+1 < len(r); v++ {
					mid := orb.Point{(r[v][0] + r[v+1][0]) / 2, (r[v][1] + r[v+1][1]) / 2}
					for _, q := range []orb.Point{r[v], mid} {
						if polyLocate(mp[j], q) == locInside {
							return &GeomError{i, 0, v, fmt.Sprintf("polygon overlaps polygon %d", j)}
						}
					}
				}
			}
		}
	}
	return nil
}

func distinct(r orb.Ring) int {
	n := 0
	for i := range r {
		if i == 0 || r[i] != r[i-1] {
			n++
		}
	}
	if n > 1 && r[0] == r[len(r)-1] {
		n--
	}
	return n
}

// collinear reports whether every vertex of r lies on one line.
func collinear(r orb.Ring) bool {
	a := r[0]
	j := 1
	for j < len(r) && r[j] == a {
		j++
	}
	if j == len(r) {
		return true
	}
	b := r[j]
	for _, c := range r[j+1:] {
		if orient(a, b, c) != 0 {
			return false
		}
	}
	return true
}

// vseg is a segment for validation: its ends and where it came from.
type vseg struct {
	a, b       orb.Point
	minX, maxX float64
	poly, ring int
	idx        int // index of vertex a in the ring
	n          int // number of segments of the ring
}

func collectSegs(mp orb.MultiPolygon) []vseg {
	var out []vseg
	for pi, p := range mp {
		for ri, r := range p {
			// Skip zero-length segments (repeated points).
			var idx []int
			for i := 0; i+1 < len(r); i++ {
				if r[i] != r[i+1] {
					idx = append(idx, i)
				}
			}
			for _, i := range idx {
				out = append(out, vseg{a: r[i], b: r[i+1], minX: min(r[i][0], r[i+1][0]), maxX: max(r[i][0], r[i+1][0]),
					poly: pi, ring: ri, idx: i, n: len(idx)})
			}
		}
	}
	// Number segments within each ring consecutively for adjacency tests.
	k := 0
	for i := range out {
		if i > 0 && (out[i].poly != out[i-1].poly || out[i].ring != out[i-1].ring) {
			k = 0
		}
		out[i].idx, k = k, k+1
	}
	return out
}

func orient(a, b, c orb.Point) float64 {
	v := float64((b[0]-a[0])*(c[1]-a[1])) - float64((b[1]-a[1])*(c[0]-a[0]))
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

func onSeg(a, b, p orb.Point) bool {
	return p[0] >= min(a[0], b[0]) && p[0] <= max(a[0], b[0]) && p[1] >= min(a[1], b[1]) && p[1] <= max(a[1], b[1])
}

// contact classifies how two segments meet: 0 apart, 1 touch at a single
// point, 2 proper crossing, 3 collinear overlap of positive length.
func contact(p1, p2, q1, q2 orb.Point) int {
	o1, o2 := orient(p1, p2, q1), orient(p1, p2, q2)
	o3, o4 := orient(q1, q2, p1), orient(q1, q2, p2)
	if o1 == 0 && o2 == 0 && o3 == 0 && o4 == 0 {
		// Collinear: project on the dominant axis.
		ax := 0
		if math.Abs(p2[1]-p1[1]) > math.Abs(p2[0]-p1[0]) {
			ax = 1
		}
		lo := max(min(p1[ax], p2[ax]), min(q1[ax], q2[ax]))
		hi := min(max(p1[ax], p2[ax]), max(q1[ax], q2[ax]))
		switch {
		case lo < hi:
			return 3
		case lo == hi:
			return 1
		}
		return 0
	}
	if o1*o2 < 0 && o3*o4 < 0 {
		return 2
	}
	if o1 == 0 && onSeg(p1, p2, q1) || o2 == 0 && onSeg(p1, p2, q2) ||
		o3 == 0 && onSeg(q1, q2, p1) || o4 == 0 && onSeg(q1, q2, p2) {
		return 1
	}
	return 0
}

func sweep(mp orb.MultiPolygon, segs []vseg) error {
	sort.Slice(segs, func(i, j int) bool { return segs[i].minX < segs[j].minX })
	var active []int
	for i := range segs {
		s := &segs[i]
		k := 0
		for _, j := range active {
			if segs[j].maxX >= s.minX {
				active[k] = j
				k++
			}
		}
		active = active[:k]
		for _, j := range active {
			t := &segs[j]
			if max(s.a[1], s.b[1]) < min(t.a[1], t.b[1]) || min(s.a[1], s.b[1]) > max(t.a[1], t.b[1]) {
				continue
			}
			c := contact(s.a, s.b, t.a, t.b)
			if c == 0 {
				continue
			}
			if err := judge(s, t, c); err != nil {
				return err
			}
		}
		active = append(active, i)
	}
	return nil
}

// judge decides whether a contact between two segments breaks a rule.
func judge(s, t *vseg, c int) error {
	if s.poly == t.poly && s.ring == t.ring {
		adjacent := s.idx == t.idx+1 || t.idx == s.idx+1 || (s.idx == 0 && t.idx == s.n-1) || (t.idx == 0 && s.idx == t.n-1)
		if adjacent && c == 1 && s.n > 2 {
			return nil // they share their common vertex
		}
		return &GeomError{s.poly, s.ring, min(s.idx, t.idx), fmt.Sprintf("ring self-intersection near (%g %g)", s.a[0], s.a[1])}
	}
	if c == 1 {
		return nil // rings may touch at a point
	}
	what := "crosses"
	if c == 3 {
		what = "shares an edge with"
	}
	if s.poly == t.poly {
		return &GeomError{s.poly, max(s.ring, t.ring), -1, fmt.Sprintf("ring %s ring %d near (%g %g)", what, min(s.ring, t.ring), s.a[0], s.a[1])}
	}
	return &GeomError{max(s.poly, t.poly), -1, -1, fmt.Sprintf("polygon %s polygon %d near (%g %g)", what, min(s.poly, t.poly), s.a[0], s.a[1])}
}

// offRingVertex returns a vertex of r that is not on ring o (if any).
func offRingVertex(r, o orb.Ring) (int, bool) {
	for v := 0; v+1 < len(r); v++ {
		if pointInRing(r[v], o) != locBoundary {
			return v, true
		}
	}
	return 0, false
}

// pointInRing: winding-number location of p relative to ring r.
func pointInRing(p orb.Point, r orb.Ring) int {
	wn := 0
	x, y := p[0], p[1]
	for i := 0; i+1 < len(r); i++ {
		a, b := r[i], r[i+1]
		side := float64((b[0]-a[0])*(y-a[1])) - float64((x-a[0])*(b[1]-a[1]))
		if side == 0 && onSeg(a, b, p) {
			return locBoundary
		}
		if a[1] <= y && y < b[1] && side > 0 {
			wn++
		} else if b[1] <= y && y < a[1] && side < 0 {
			wn--
		}
	}
	if wn != 0 {
		return locInside
	}
	return locOutside
}

// polyLocate: location of p relative to polygon (shell minus holes).
func polyLocate(p orb.Polygon, q orb.Point) int {
	l := pointInRing(q, p[0])
	if l != locInside {
		return l
	}
	for _, h := range p[1:] {
		switch pointInRing(q, h) {
		case locBoundary:
			return locBoundary
		case locInside:
			return locOutside
		}
	}
	return locInside
}
