package geo_test

import (
	"math"
	"testing"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/geo"
)

func TestChinaDatums(t *testing.T) {
	// The published test vector (Tiananmen).
	gLon, gLat := geo.WGS84ToGCJ02(116.397428, 39.90923)
	if math.Abs(gLon-116.40367163) > 5e-9 || math.Abs(gLat-39.91063351) > 5e-9 {
		t.Fatalf("WGS84ToGCJ02 = %.8f %.8f", gLon, gLat)
	}
	bLon, bLat := geo.GCJ02ToBD09(gLon, gLat)
	if math.Abs(bLon-116.41004410) > 5e-9 || math.Abs(bLat-39.91697286) > 5e-9 {
		t.Fatalf("GCJ02ToBD09 = %.8f %.8f", bLon, bLat)
	}
	cases := []struct {
		name     string
		lon, lat float64
	}{
		{"Tiananmen", 116.397428, 39.90923},
		{"Licang", 120.432, 36.160},
		{"Urumqi", 87.6168, 43.8256},
		{"Sanya", 109.5119, 18.2528},
		{"Harbin", 126.535, 45.802},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gLon, gLat := geo.WGS84ToGCJ02(c.lon, c.lat)
			wLon, wLat := geo.GCJ02ToWGS84(gLon, gLat)
			if math.Abs(wLon-c.lon) > 1e-7 || math.Abs(wLat-c.lat) > 1e-7 {
				t.Fatalf("GCJ round trip %.9f %.9f", wLon, wLat)
			}
			bLon, bLat := geo.GCJ02ToBD09(gLon, gLat)
			g2Lon, g2Lat := geo.BD09ToGCJ02(bLon, bLat)
			if math.Abs(g2Lon-gLon) > 1e-8 || math.Abs(g2Lat-gLat) > 1e-8 {
				t.Fatalf("BD round trip %.9f %.9f", g2Lon, g2Lat)
			}
			if d := geo.DistanceMeters(orb.Point{c.lon, c.lat}, orb.Point{gLon, gLat}); d < 50 || d > 1000 {
				t.Fatalf("GCJ offset %.0f m, expected a few hundred metres", d)
			}
		})
	}
	if lon, lat := geo.WGS84ToGCJ02(-122.4, 37.7); lon != -122.4 || lat != 37.7 {
		t.Fatal("offset applied outside China")
	}
}

func TestDistanceMeters(t *testing.T) {
	cases := []struct {
		name     string
		a, b     orb.Point
		min, max float64
	}{
		{"same point", orb.Point{120, 36}, orb.Point{120, 36}, 0, 0},
		{"one degree of latitude", orb.Point{120, 36}, orb.Point{120, 37}, 111194, 111196},
		{"0.001° of longitude at 36°N", orb.Point{120, 36}, orb.Point{120.001, 36}, 89.9, 90.0},
		{"antipodes", orb.Point{0, 0}, orb.Point{180, 0}, 20015114, 20015115},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if d := geo.DistanceMeters(c.a, c.b); d < c.min || d > c.max {
				t.Fatalf("%.3f m", d)
			}
		})
	}
}
