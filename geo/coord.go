package geo

import "math"

// Krasovsky 1940 ellipsoid constants of the GCJ-02 ("Mars") datum, as used by
// the public formulas every Chinese map provider's SDK reproduces.
const (
	gcjA  = 6378245.0
	gcjEE = 0.00669342162296594323
	bdPi  = math.Pi * 3000.0 / 180.0
)

// OutOfChina reports whether a lon/lat point lies outside the rough bounding
// box of China (lon 72.004–137.8347, lat 0.8293–55.8271) in which the GCJ-02
// offset is applied. Outside it GCJ-02 equals WGS-84.
func OutOfChina(lon, lat float64) bool {
	return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271
}

func gcjTransformLat(x, y float64) float64 {
	ret := -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	ret += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	ret += (20.0*math.Sin(y*math.Pi) + 40.0*math.Sin(y/3.0*math.Pi)) * 2.0 / 3.0
	ret += (160.0*math.Sin(y/12.0*math.Pi) + 320*math.Sin(y*math.Pi/30.0)) * 2.0 / 3.0
	return ret
}

func gcjTransformLon(x, y float64) float64 {
	ret := 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	ret += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	ret += (20.0*math.Sin(x*math.Pi) + 40.0*math.Sin(x/3.0*math.Pi)) * 2.0 / 3.0
	ret += (150.0*math.Sin(x/12.0*math.Pi) + 300.0*math.Sin(x/30.0*math.Pi)) * 2.0 / 3.0
	return ret
}

// gcjDelta is the GCJ-02 offset (degrees) to add to a WGS-84 point.
func gcjDelta(lon, lat float64) (dLon, dLat float64) {
	dLat = gcjTransformLat(lon-105.0, lat-35.0)
	dLon = gcjTransformLon(lon-105.0, lat-35.0)
	radLat := lat / 180.0 * math.Pi
	magic := math.Sin(radLat)
	magic = 1 - gcjEE*magic*magic
	sqrtMagic := math.Sqrt(magic)
	dLat = (dLat * 180.0) / ((gcjA * (1 - gcjEE)) / (magic * sqrtMagic) * math.Pi)
	dLon = (dLon * 180.0) / (gcjA / sqrtMagic * math.Cos(radLat) * math.Pi)
	return dLon, dLat
}

// WGS84ToGCJ02 converts a WGS-84 lon/lat (degrees) to GCJ-02 with the public
// Krasovsky-ellipsoid formulas (a = 6378245.0, ee = 0.00669342162296594323).
// Points outside China (OutOfChina) are returned unchanged.
func WGS84ToGCJ02(lon, lat float64) (float64, float64) {
	if OutOfChina(lon, lat) {
		return lon, lat
	}
	dLon, dLat := gcjDelta(lon, lat)
	return lon + dLon, lat + dLat
}

// GCJ02ToWGS84 inverts WGS84ToGCJ02 by fixed-point iteration: the result w
// satisfies |WGS84ToGCJ02(w) − input| < 1e-9 degrees (≈ 0.1 mm) in both axes
// within China; it stops after 30 rounds at most. Points outside China are
// returned unchanged.
func GCJ02ToWGS84(lon, lat float64) (float64, float64) {
	if OutOfChina(lon, lat) {
		return lon, lat
	}
	wLon, wLat := lon, lat
	for i := 0; i < 30; i++ {
		gLon, gLat := WGS84ToGCJ02(wLon, wLat)
		eLon, eLat := gLon-lon, gLat-lat
		wLon -= eLon
		wLat -= eLat
		if math.Abs(eLon) < 1e-10 && math.Abs(eLat) < 1e-10 {
			break
		}
	}
	return wLon, wLat
}

// GCJ02ToBD09 converts a GCJ-02 lon/lat to Baidu's BD-09 (degrees), with the
// formula Baidu publishes (x_pi = π·3000/180). It applies everywhere.
func GCJ02ToBD09(lon, lat float64) (float64, float64) {
	z := math.Sqrt(lon*lon+lat*lat) + 0.00002*math.Sin(lat*bdPi)
	theta := math.Atan2(lat, lon) + 0.000003*math.Cos(lon*bdPi)
	return z*math.Cos(theta) + 0.0065, z*math.Sin(theta) + 0.006
}

// BD09ToGCJ02 converts a BD-09 lon/lat to GCJ-02 (degrees): Baidu's
// closed-form approximate inverse (off by up to ~1e-5 degrees), refined by
// fixed-point iteration until GCJ02ToBD09 of the result is within 1e-9
// degrees of the input.
func BD09ToGCJ02(lon, lat float64) (float64, float64) {
	x := lon - 0.0065
	y := lat - 0.006
	z := math.Sqrt(x*x+y*y) - 0.00002*math.Sin(y*bdPi)
	theta := math.Atan2(y, x) - 0.000003*math.Cos(x*bdPi)
	gLon, gLat := z*math.Cos(theta), z*math.Sin(theta)
	for i := 0; i < 10; i++ {
		bLon, bLat := GCJ02ToBD09(gLon, gLat)
		eLon, eLat := bLon-lon, bLat-lat
		gLon -= eLon
		gLat -= eLat
		if math.Abs(eLon) < 1e-10 && math.Abs(eLat) < 1e-10 {
			break
		}
	}
	return gLon, gLat
}
