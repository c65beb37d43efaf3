package api

import (
	"context"
	"net/http"
	"strconv"
	"sync"

	"github.com/gorilla/mux"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/simplify"

	"github.com/wangge-dev/wangge/data"
)

// TileSource is implemented by stores that render Mapbox Vector Tiles
// themselves (PostGIS: ST_AsMVT). Others get tiles from the Go encoder.
type TileSource interface {
	// AreaTile returns the MVT of the areas of a level intersecting tile
	// z/x/y, layer named after the level's plural ("grids", "communities" …).
	AreaTile(ctx context.Context, level data.Level, z, x, y uint32) ([]byte, error)
}

// tileLayers maps the URL's layer name to a level.
var tileLayers = map[string]data.Level{"grids": data.LevelGrid, "communities": data.LevelCommunity, "streets": data.LevelStreet, "districts": data.LevelDistrict}

// tileCache keeps encoded tiles of the current revision.
type tileCache struct {
	mu    sync.Mutex
	rev   int64
	tiles map[string][]byte
}

const maxCachedTiles = 4096

// tile serves GET /tiles/{layer}/{z}/{x}/{y}.mvt: the areas of one level
// as a Mapbox Vector Tile (extent 4096) with the properties code, name,
// level, households, band and parent_code; clients fetch the rest (leader,
// cases) from /api/v1/areas/{code} on demand. 204 when the tile is empty.
func (s *Server) tile(w http.ResponseWriter, r *http.Request) error {
	v := mux.Vars(r)
	level, ok := tileLayers[v["layer"]]
	if !ok {
		return errStatus(http.StatusNotFound, "not_found", "no tile layer "+strconv.Quote(v["layer"])+"; layers: grids, communities, streets, districts")
	}
	z, errZ := strconv.ParseUint(v["z"], 10, 32)
	x, errX := strconv.ParseUint(v["x"], 10, 32)
	y, errY := strconv.ParseUint(v["y"], 10, 32)
	if errZ != nil || errX != nil || errY != nil || z > 22 || x >= 1<<z || y >= 1<<z {
		return badRequest("tile coordinates out of range: z must be 0–22 and x, y below 2^z")
	}
	key := v["layer"] + "/" + v["z"] + "/" + v["x"] + "/" + v["y"]
	rev := int64(0)
	if s.router != nil {
		rev = s.router.Revision()
	}
	s.tiles.mu.Lock()
	if s.tiles.rev != rev {
		s.tiles.rev, s.tiles.tiles = rev, map[string][]byte{}
	}
	b, hit := s.tiles.tiles[key]
	s.tiles.mu.Unlock()
	if !hit {
		var err error
		if ts, ok := s.store.(TileSource); ok {
			b, err = ts.AreaTile(r.Context(), level, uint32(z), uint32(x), uint32(y))
		} else {
			b, err = s.encodeTile(r.Context(), level, v["layer"], maptile.New(uint32(x), uint32(y), maptile.Zoom(z)))
		}
		if err != nil {
			return err
		}
		s.tiles.mu.Lock()
		if s.tiles.rev == rev && len(s.tiles.tiles) < maxCachedTiles {
			s.tiles.tiles[key] = b
		}
		s.tiles.mu.Unlock()
	}
	w.Header().Set("Content-Type", "application/vnd.mapbox-vector-tile")
	w.Header().Set("Cache-Control", "public, max-age=60")
	if len(b) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	_, err := w.Write(b)
	return err
}

// encodeTile is the Go encoder: areas whose box meets the tile (with a
// buffer), with the dashboard's properties, projected, clipped and
// simplified to the tile's resolution.
func (s *Server) encodeTile(ctx context.Context, level data.Level, layer string, t maptile.Tile) ([]byte, error) {
	b := t.Bound()
	pad := (b.Max[0] - b.Min[0]) / 16
	q := orb.Bound{Min: orb.Point{b.Min[0] - pad, b.Min[1] - pad}, Max: orb.Point{b.Max[0] + pad, b.Max[1] + pad}}
	areas, _, err := s.store.ListAreas(ctx, data.AreaQuery{Level: level, BBox: &q})
	if err != nil {
		return nil, err
	}
	if len(areas) == 0 {
		return nil, nil
	}
	fc := geojson.NewFeatureCollection()
	for i := range areas {
		a := &areas[i]
		f := geojson.NewFeature(a.Geom)
		f.Properties = geojson.Properties{"code": a.Code, "name": a.Name, "level": string(a.Level),
			"households": a.Households, "band": band(a), "parent_code": a.ParentCode}
		fc.Append(f)
	}
	l := mvt.NewLayer(layer, fc)
	l.ProjectToTile(t)
	l.Clip(mvt.MapboxGLDefaultExtentBound)
	l.Simplify(simplify.DouglasPeucker(1.0))
	l.RemoveEmpty(1.0, 1.0)
	return mvt.Marshal(mvt.Layers{l})
}
