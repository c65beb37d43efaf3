package geo_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/geo"
	"github.com/wangge-dev/wangge/geo/geotest"
)

// ValidityCases are shared with routing/oracle, which checks each verdict
// against PostGIS ST_IsValid.
var validityCases = geotest.ValidityCases

func TestValidate(t *testing.T) {
	for _, c := range validityCases {
		t.Run(c.Name, func(t *testing.T) {
			err := geo.Validate(mustWKT(t, c.WKT))
			if c.Valid && err != nil {
				t.Fatalf("want valid, got %v", err)
			}
			if !c.Valid {
				if err == nil {
					t.Fatalf("want an error containing %q", c.Reason)
				}
				if !strings.Contains(err.Error(), c.Reason) {
					t.Fatalf("error %q does not say %q", err, c.Reason)
				}
			}
		})
	}
}

func TestValidateRejectsBadCoordinates(t *testing.T) {
	cases := []struct {
		name string
		mp   orb.MultiPolygon
		want string
	}{
		{"empty", orb.MultiPolygon{}, "empty geometry"},
		{"NaN", orb.MultiPolygon{{{{0, 0}, {1, 0}, {math.NaN(), 1}, {0, 0}}}}, "polygon 0 ring 0 vertex 2: coordinate is not a finite number"},
		{"lon 181", orb.MultiPolygon{{{{0, 0}, {181, 0}, {1, 1}, {0, 0}}}}, "longitude 181"},
		{"lat -91", orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, -91}, {0, 0}}}}, "latitude -91"},
		{"three points", orb.MultiPolygon{{{{0, 0}, {1, 0}, {0, 0}}}}, "needs at least 4"},
		{"unclosed", orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 1}}}}, "not closed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := geo.Validate(c.mp)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
	for _, p := range [][2]float64{{0, 0}, {-180, -90}, {180, 90}} {
		if err := geo.ValidPoint(p[0], p[1]); err != nil {
			t.Errorf("ValidPoint%v: %v", p, err)
		}
	}
	for _, p := range [][2]float64{{math.Inf(1), 0}, {0, 90.0001}, {-180.5, 0}} {
		if err := geo.ValidPoint(p[0], p[1]); err == nil {
			t.Errorf("ValidPoint%v: want error", p)
		}
	}
	// Swapped: valid the other way round, and only then.
	if err := geo.ValidPoint(36.1, 120.4); err == nil || !strings.Contains(err.Error(), "look swapped") {
		t.Errorf("ValidPoint(36.1, 120.4) = %v, want a swap hint", err)
	}
	if err := geo.ValidPoint(100, 120.4); err == nil || strings.Contains(err.Error(), "swapped") {
		t.Errorf("ValidPoint(100, 120.4) = %v, want an error without a swap hint", err)
	}
}

func TestValidateSyntheticPartition(t *testing.T) {
	items := geotest.Partition(1500, geotest.Options{Seed: 4})
	for _, it := range items {
		if err := geo.Validate(it.Geom); err != nil {
			t.Fatalf("item %d: %v", it.Key, err)
		}
	}
}

func BenchmarkValidate50k(b *testing.B) {
	items := geotest.Partition(50000, geotest.Options{Seed: 4})
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		for _, it := range items {
			if err := geo.Validate(it.Geom); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(time.Since(t0).Milliseconds()), "ms/50k-polygons")
	}
}

// FuzzValidate feeds random rings (from bytes) to Validate: it must never
// panic, and whatever it accepts must be indexable.
func FuzzValidate(f *testing.F) {
	f.Add([]byte{0, 0, 10, 0, 10, 10, 0, 10, 0, 0})
	f.Add([]byte{0, 0, 10, 10, 10, 0, 0, 10, 0, 0})
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		var mp orb.MultiPolygon
		var ring orb.Ring
		for i := 0; i+1 < len(b); i += 2 {
			if b[i] == 255 { // ring separator
				mp = append(mp, orb.Polygon{ring})
				ring = nil
				continue
			}
			ring = append(ring, orb.Point{120 + float64(b[i])/100, 36 + float64(b[i+1])/100})
		}
		if len(ring) > 0 {
			if len(ring) > 2 {
				ring = append(ring, ring[0])
			}
			mp = append(mp, orb.Polygon{ring})
		}
		if geo.Validate(mp) == nil {
			ix, err := geo.NewIndex([]geo.Item{{Key: 1, Geom: mp}}, geo.IndexOptions{})
			if err != nil {
				t.Fatal(err)
			}
			ix.Lookup(mp[0][0][0])
		}
	})
}
