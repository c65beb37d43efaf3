package pgstore

import (
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"github.com/wangge-dev/wangge/data"
)

// TestAreaTile renders a tile holding two grids with ST_AsMVT and decodes
// it with orb's MVT decoder: the layer, both grids with their properties,
// and an empty tile elsewhere.
func TestAreaTile(t *testing.T) {
	s := openTest(t, freshSchema(t))
	ctx := t.Context()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	sq := func(x0, y0, x1, y1 float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
	}
	areas := []data.Area{
		{Code: "D", Level: data.LevelDistrict, Name: "D", Geom: sq(120.40, 36.15, 120.42, 36.17)},
		{Code: "G1", Level: data.LevelGrid, Name: "一网格", ParentCode: "D", Households: 250, Geom: sq(120.40, 36.15, 120.41, 36.17)},
		{Code: "G2", Level: data.LevelGrid, Name: "二网格", ParentCode: "D", Households: 450, Geom: sq(120.41, 36.15, 120.42, 36.17)},
	}
	if _, err := s.PutAreas(ctx, areas, false, "tiles"); err != nil {
		t.Fatal(err)
	}
	tile := maptile.At(orb.Point{120.41, 36.16}, 14)
	b, err := s.AreaTile(ctx, data.LevelGrid, uint32(tile.Z), tile.X, tile.Y)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := mvt.Unmarshal(b)
	if err != nil {
		t.Fatalf("not a valid MVT: %v", err)
	}
	if len(layers) != 1 || layers[0].Name != "grids" {
		t.Fatalf("want one layer grids, got %d layers", len(layers))
	}
	got := map[string]string{}
	for _, f := range layers[0].Features {
		got[f.Properties["code"].(string)] = f.Properties["band"].(string)
		if _, ok := f.Geometry.(orb.Polygon); !ok {
			if _, ok := f.Geometry.(orb.MultiPolygon); !ok {
				t.Errorf("grid %v: geometry %T, want a polygon", f.Properties["code"], f.Geometry)
			}
		}
	}
	if len(got) != 2 || got["G1"] != "under" || got["G2"] != "normal" {
		t.Errorf("features by code → band = %v; want G1 under, G2 normal", got)
	}
	far := maptile.At(orb.Point{0, 0}, 14)
	b, err = s.AreaTile(ctx, data.LevelGrid, uint32(far.Z), far.X, far.Y)
	if err != nil || len(b) != 0 {
		t.Errorf("tile far away: %d bytes, err %v; want empty", len(b), err)
	}
}
