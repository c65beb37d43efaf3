package geo_test

import (
	"math"
	"math/rand"
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

func TestShortMeters(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	cases := []struct {
		name      string
		lat, span float64 // degrees
	}{
		{"Licang, 30 m", 36.2, 0.0004},
		{"Licang, 200 m", 36.2, 0.003},
		{"equator, 5 km", 0, 0.05},
		{"Harbin, 1 km", 45.8, 0.01},
		{"far north, 100 m", 70, 0.002},
		{"southern, 2 km", -33.9, 0.02},
		{"beyond the series: 50 km", 30, 0.5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			worst := 0.0
			for i := 0; i < 20000; i++ {
				a := orb.Point{120 + rng.Float64(), c.lat + (rng.Float64()-0.5)*0.1}
				b := orb.Point{a[0] + (rng.Float64()-0.5)*c.span, a[1] + (rng.Float64()-0.5)*c.span}
				want := geo.DistanceMeters(a, b)
				got := geo.ShortMetersForTest(a[0], a[1], b[0], b[1])
				if e := math.Abs(got - want); e > worst {
					worst = e
				}
			}
			// DistanceMeters (like PostGIS) loses about 1e-16 rad to
			// cancellation, i.e. about a nanometre.
			if worst > 1e-7 {
				t.Fatalf("worst difference from DistanceMeters %.3g m, want ≤ 1e-7 m", worst)
			}
			t.Logf("worst difference %.2g m", worst)
		})
	}
}

// TestRowMeters checks the raster-row shortcut of the index's metre
// distances against DistanceMeters over a district-sized raster.
func TestRowMeters(t *testing.T) {
	sq := orb.MultiPolygon{{{{120.2, 36.0}, {120.6, 36.0}, {120.6, 36.4}, {120.2, 36.4}, {120.2, 36.0}}}}
	ix, err := geo.NewIndex([]geo.Item{{Key: 1, Geom: sq}}, geo.IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(9))
	for _, span := range []float64{0.0004, 0.003, 0.02} {
		worst := 0.0
		for i := 0; i < 20000; i++ {
			a := orb.Point{120.2 + rng.Float64()*0.4, 36.0 + rng.Float64()*0.4}
			b := orb.Point{a[0] + (rng.Float64()-0.5)*span, a[1] + (rng.Float64()-0.5)*span}
			worst = max(worst, math.Abs(ix.RowMetersForTest(a[0], a[1], b[0], b[1])-geo.DistanceMeters(a, b)))
		}
		if worst > 1e-7 {
			t.Errorf("span %v°: worst difference %.3g m, want ≤ 1e-7 m", span, worst)
		}
	}
}
