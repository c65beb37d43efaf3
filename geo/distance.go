package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// EarthRadiusMeters is the radius of the sphere DistanceMeters uses: the
// mean radius (2a+b)/3 of the WGS-84 ellipsoid, 6,371,008.7714 m — the
// radius PostGIS ST_DistanceSphere uses.
const EarthRadiusMeters = 6371008.771415059

// DistanceMeters is the great-circle distance in metres between two lon/lat
// points (degrees, WGS-84) on a sphere of radius EarthRadiusMeters, computed
// with the Vincenty special case for the sphere (atan2 form, accurate for
// antipodal and for very close points alike). It equals PostGIS
// ST_DistanceSphere(a, b) to within 1e-9 relative; against the WGS-84
// spheroid (ST_DistanceSpheroid) it differs by at most about 0.5 %.
func DistanceMeters(a, b orb.Point) float64 {
	const rad = math.Pi / 180
	lon1, lat1 := a[0]*rad, a[1]*rad
	lon2, lat2 := b[0]*rad, b[1]*rad
	dLon := lon2 - lon1
	sinLat1, cosLat1 := math.Sincos(lat1)
	sinLat2, cosLat2 := math.Sincos(lat2)
	sinDLon, cosDLon := math.Sincos(dLon)
	a1 := cosLat2 * sinDLon
	a2 := cosLat1*sinLat2 - sinLat1*cosLat2*cosDLon
	y := math.Sqrt(a1*a1 + a2*a2)
	x := sinLat1*sinLat2 + cosLat1*cosLat2*cosDLon
	return math.Atan2(y, x) * EarthRadiusMeters
}

// metersPerDegree is the length in metres of one degree of arc on the
// sphere of DistanceMeters (≈ 111,195 m).
const metersPerDegree = EarthRadiusMeters * math.Pi / 180

// DegreesFor returns a planar radius in degrees that is guaranteed to reach
// every point within meters (DistanceMeters) of any point whose latitude is
// at most maxAbsLat in absolute value: meters / (metersPerDegree·cos φ),
// plus 1 % slack. Planar distance here is the Euclidean distance in
// lon/lat degrees, as PostGIS ST_Distance measures on geometry(…, 4326).
func DegreesFor(meters, maxAbsLat float64) float64 {
	if meters <= 0 {
		return 0
	}
	if maxAbsLat > 89 {
		maxAbsLat = 89
	}
	c := math.Cos(maxAbsLat * math.Pi / 180)
	return meters / (metersPerDegree * c) * 1.01
}

// BoundOf returns the bounding box of a multipolygon (lon/lat). An empty
// multipolygon gives the zero orb.Bound.
func BoundOf(mp orb.MultiPolygon) orb.Bound {
	first := true
	var b orb.Bound
	for _, p := range mp {
		for _, r := range p {
			for _, pt := range r {
				if first {
					b = orb.Bound{Min: pt, Max: pt}
					first = false
					continue
				}
				b = b.Extend(pt)
			}
		}
	}
	return b
}

// segDist is the planar distance (degrees) from p to segment AB and the
// closest point, computed exactly as PostGIS lw_dist2d_pt_seg does (same
// operations in the same order, no fused multiply-add), so that rankings by
// distance agree bit for bit with ST_Distance on geometry.
func segDist(px, py, ax, ay, bx, by float64) (d, cx, cy float64) {
	cx, cy = segClosest(px, py, ax, ay, bx, by)
	h, v := cx-px, cy-py
	return math.Sqrt(float64(h*h) + float64(v*v)), cx, cy
}

// segDist2 is segDist with the square of the distance, the sum whose root
// lw_dist2d_pt_pt takes (so that math.Sqrt of it is segDist's distance bit
// for bit), and the offsets h, v from p to the closest point instead of the
// point. The lookup's near-border and nearest searches rank edges by it and
// take no root, and metersAt starts from the offsets: a square root and a
// subtraction fewer in the chain from an edge read to the answer.
func segDist2(px, py, ax, ay, bx, by float64) (d2, h, v float64) {
	cx, cy := segClosest(px, py, ax, ay, bx, by)
	h, v = cx-px, cy-py
	return float64(h*h) + float64(v*v), h, v
}

// segClosest is the closest point of segment AB to p as lw_dist2d_pt_seg
// finds it: A or B beyond the ends (and A for a degenerate segment), p
// itself when p is on the segment's line, else A + r·(B − A).
func segClosest(px, py, ax, ay, bx, by float64) (cx, cy float64) {
	if ax == bx && ay == by {
		return ax, ay
	}
	dx := bx - ax
	dy := by - ay
	r := (float64((px-ax)*dx) + float64((py-ay)*dy)) / (float64(dx*dx) + float64(dy*dy))
	if r < 0 {
		return ax, ay
	}
	if r >= 1 {
		return bx, by
	}
	if float64((ay-py)*dx) == float64((ax-px)*dy) {
		return px, py
	}
	return ax + float64(r*dx), ay + float64(r*dy)
}

// closer reports whether squared distance d2 ranks before best, the
// smallest square so far, exactly as their square roots compare (strictly
// less: ties keep the earlier edge, hence the lower key). Squares apart by
// more than 1e-15 relative have roots apart by over an ulp; only nearer
// ones take the roots.
func closer(d2, best float64) bool {
	return d2 < best && (d2 < best*(1-1e-15) || math.Sqrt(d2) < math.Sqrt(best))
}

// shortMeters is DistanceMeters((lon1, lat1), (lon2, lat2)) for points a
// few kilometres apart or less, without the four trigonometric calls: the
// haversine formula with sin and asin of the (tiny) half angles taken from
// their Taylor series and cos φ1·cos φ2 written as cos²φm − sin²(Δφ/2). The
// truncation error is below 1e-15 relative when both half angles are under
// 5e-4 rad (about 6 km); otherwise it calls DistanceMeters. It differs
// from DistanceMeters (and PostGIS ST_DistanceSphere, which loses about
// 1e-16 rad to cancellation in the same formula) by nanometres
// (TestShortMeters allows 0.1 µm).
func shortMeters(lon1, lat1, lon2, lat2 float64) float64 {
	const rad = math.Pi / 180
	dp := (lat2 - lat1) * (rad / 2)
	dl := (lon2 - lon1) * (rad / 2)
	if !(math.Abs(dp) < 5e-4 && math.Abs(dl) < 5e-4) {
		return DistanceMeters(orb.Point{lon1, lat1}, orb.Point{lon2, lat2})
	}
	return haversineSmall(dp, dl, math.Cos((lat1+lat2)*(rad/2)))
}

// haversineSmall is the sphere distance in metres for half differences
// of latitude dp and longitude dl (radians, each under 5e-4) and c, the
// cosine of the mean latitude.
func haversineSmall(dp, dl, c float64) float64 {
	sp := dp * (1 - dp*dp*(1.0/6))
	sl := dl * (1 - dl*dl*(1.0/6))
	h := sp*sp + (c*c-sp*sp)*(sl*sl)
	s := math.Sqrt(h)
	return 2 * EarthRadiusMeters * s * (1 + h*(1.0/6) + h*h*(3.0/40))
}

// metersAt is DistanceMeters from a point (x, y) in raster row cy to the
// point (x+h, y+v) at most about 200 m away (the lookup's near-border and
// nearest answers, h and v from segDist2), on the shortest chain of
// operations after the offsets: the equirectangular distance
// R·√(Δφ² + (cos φm·Δλ)²), with cos φm, the cosine of the mean latitude, a
// first-order step from the point's own cosine and sine, which come from
// the row's (a third-order step) before the offsets are known. On a sphere
// this differs from the haversine distance by terms of relative order Δ²,
// under 1e-8 m at 200 m and a few nanometres at 30 m (TestRowMeters:
// ≤ 1e-7 m; against PostGIS the oracle allows 1 mm). Longer distances, and
// points off the raster's rows, go to shortMeters. Measured:
// docs/benchmarks.md ("Intel machine of 2026-12-07").
func (ix *Index) metersAt(cy int, x, y, h, v float64) float64 {
	const rad = math.Pi / 180
	const maxDeg = 3.5e-5 / rad // the equirectangular step's reach, about 220 m of latitude
	if !(math.Abs(h) < maxDeg && math.Abs(v) < maxDeg) || uint(cy) >= uint(len(ix.rowTrig)) {
		return shortMeters(x, y, x+h, y+v)
	}
	t := &ix.rowTrig[cy]
	d := y*rad - t.lat
	c, k := 1-d*d*0.5, d*(1-d*d*(1.0/6))
	c1 := t.cos*c - t.sin*k // cos φ of the point
	s1 := t.sin*c + t.cos*k
	u := (c1 - s1*(rad/2)*v) * h
	return metersPerDegree * math.Sqrt(v*v+u*u)
}

// rowTrig is the latitude (radians) of a raster row's centre line with
// its sine and cosine.
type rowTrig struct{ lat, sin, cos float64 }
