package api

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/workflow"
)

// parseBBox parses "minLon,minLat,maxLon,maxLat" (lon/lat, EPSG:4326).
// Empty means no box.
func parseBBox(v string) (*orb.Bound, error) {
	if v == "" {
		return nil, nil
	}
	parts := strings.Split(v, ",")
	if len(parts) != 4 {
		return nil, badRequest("bbox: want minLon,minLat,maxLon,maxLat, got " + strconv.Quote(v))
	}
	var f [4]float64
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, badRequest(fmt.Sprintf("bbox: value %d (%q) is not a finite number", i+1, p))
		}
		f[i] = x
	}
	if f[0] < -180 || f[2] > 180 || f[1] < -90 || f[3] > 90 {
		return nil, badRequest("bbox: longitudes must be within [-180, 180] and latitudes within [-90, 90]")
	}
	if f[0] > f[2] || f[1] > f[3] {
		return nil, badRequest("bbox: min must not exceed max (order is minLon,minLat,maxLon,maxLat)")
	}
	return &orb.Bound{Min: orb.Point{f[0], f[1]}, Max: orb.Point{f[2], f[3]}}, nil
}

// listAreas serves GET /api/v1/areas?level=&parent=&bbox=&limit=&offset= as
// a GeoJSON FeatureCollection (RFC 7946) with numberMatched/numberReturned
// as OGC API – Features does.
func (s *Server) listAreas(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var aq data.AreaQuery
	if lv := q.Get("level"); lv != "" {
		aq.Level = data.Level(lv)
		if !aq.Level.Valid() {
			return badRequest("level: must be one of district, street, community, grid; got " + strconv.Quote(lv))
		}
	}
	aq.Parent = q.Get("parent")
	var err error
	if aq.BBox, err = parseBBox(q.Get("bbox")); err != nil {
		return err
	}
	if aq.Limit, err = parseInt(r, "limit", 0, 0, 1_000_000); err != nil {
		return err
	}
	if aq.Offset, err = parseInt(r, "offset", 0, 0, math.MaxInt32); err != nil {
		return err
	}
	areas, total, err := s.store.ListAreas(r.Context(), aq)
	if err != nil {
		return err
	}
	counts, err := s.gridCaseCounts(r.Context())
	if err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	for i := range areas {
		fc.Append(s.areaFeature(&areas[i], counts))
	}
	fc.ExtraMembers = geojson.Properties{"numberMatched": total, "numberReturned": len(areas)}
	w.Header().Set("Content-Type", "application/geo+json")
	return writeGeoJSON(w, r, fc)
}

// getArea serves GET /api/v1/areas/{code} as a GeoJSON Feature.
func (s *Server) getArea(w http.ResponseWriter, r *http.Request) error {
	a, err := s.store.GetArea(r.Context(), mux.Vars(r)["code"])
	if err != nil {
		return err
	}
	counts, err := s.gridCaseCounts(r.Context())
	if err != nil {
		return err
	}
	return writeGeoJSON(w, r, s.areaFeature(&a, counts))
}

// areaFeature is the GeoJSON of an area with its properties, and for a
// grid its leader (or vacancy and fallback) and its chain of parents from
// the router's current partition.
func (s *Server) areaFeature(a *data.Area, counts map[string]openOverdue) *geojson.Feature {
	f := geojson.NewFeature(a.Geom)
	f.ID = a.Code
	p := f.Properties
	p["code"] = a.Code
	p["name"] = a.Name
	p["level"] = a.Level
	p["parent_code"] = a.ParentCode
	p["households"] = a.Households
	p["revision"] = a.Revision
	p["band"] = band(a)
	s.enrichArea(a, p, counts)
	return f
}

// band is the household load band of a grid (workflow.Band: under 300, normal, over 600); "" for other levels.
func band(a *data.Area) string {
	if a.Level != data.LevelGrid {
		return ""
	}
	return workflow.Band(a.Households)
}

// writeGeoJSON writes v as GeoJSON, gzip-compressed when the client
// accepts it (a district's grids are megabytes of coordinates that shrink
// about fivefold).
func writeGeoJSON(w http.ResponseWriter, r *http.Request, v any) error {
	h := w.Header()
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/geo+json")
	}
	h.Add("Vary", "Accept-Encoding")
	var out io.Writer = w
	if acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		gz, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		defer gz.Close()
		out = gz
	}
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == "gzip" && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}
