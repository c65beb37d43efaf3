package api

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"github.com/wangge-dev/wangge/geo"
	"github.com/wangge-dev/wangge/routing"
)

// coordSys is the coordinate system of incoming points.
type coordSys uint8

const (
	wgs84 coordSys = iota // GPS, EPSG:4326 (default)
	gcj02                 // 国测局 offset used by AMap, Tencent and Google China
	bd09                  // Baidu's further offset of GCJ-02
)

func parseCoordSys(v string) (coordSys, error) {
	switch v {
	case "", "wgs84", "WGS84":
		return wgs84, nil
	case "gcj02", "GCJ02":
		return gcj02, nil
	case "bd09", "BD09":
		return bd09, nil
	}
	return 0, badRequest("coordsys: must be wgs84, gcj02 or bd09; got " + strconv.Quote(v))
}

// toWGS84 converts a point of cs to WGS84.
func (cs coordSys) toWGS84(lon, lat float64) (float64, float64) {
	switch cs {
	case gcj02:
		return geo.GCJ02ToWGS84(lon, lat)
	case bd09:
		return geo.GCJ02ToWGS84(geo.BD09ToGCJ02(lon, lat))
	}
	return lon, lat
}

// checkLonLat validates a lon/lat pair and names the problem, including a
// pair that is obviously swapped (a "longitude" that fits only as a latitude).
func checkLonLat(lon, lat float64) error {
	switch {
	case math.IsNaN(lon) || math.IsInf(lon, 0):
		return badRequest("lon: not a finite number")
	case math.IsNaN(lat) || math.IsInf(lat, 0):
		return badRequest("lat: not a finite number")
	case (lat < -90 || lat > 90) && lat >= -180 && lat <= 180 && lon >= -90 && lon <= 90:
		return badRequest(fmt.Sprintf("lat %v is out of range [-90, 90]; lon and lat look swapped (send lon first)", lat))
	case lon < -180 || lon > 180:
		return badRequest(fmt.Sprintf("lon %v is out of range [-180, 180]", lon))
	case lat < -90 || lat > 90:
		return badRequest(fmt.Sprintf("lat %v is out of range [-90, 90]", lat))
	}
	return nil
}

// swappedHint is the error for an input point (lon, lat) of cs that
// routed outside the service area (a) while the same numbers the other
// way round are inside it: a client sending lat,lon. A real point outside
// the service area stays a normal answer.
func swappedHint(s *routing.Snapshot, cs coordSys, lon, lat float64, a *routing.Answer) error {
	if !s.LooksSwapped(lon, lat, a, cs.toWGS84) {
		return nil
	}
	return badRequest(routing.SwapMessage(lon, lat))
}

// queryValue unescapes a raw query value (%XX; a '+' stays itself, which
// a number may start with).
func queryValue(name, v string) (string, error) {
	if indexByte(v, '%') < 0 {
		return v, nil
	}
	u, err := url.PathUnescape(v)
	if err != nil {
		return "", badRequest(name + ": bad percent-encoding: " + strconv.Quote(v))
	}
	return u, nil
}

// queryParam finds name=value in a raw query without allocating a map and
// unescapes the value (onceParams has refused a name given twice).
func queryParam(raw, name string) (v string, present bool, err error) {
	for len(raw) > 0 {
		var kv string
		if i := indexByte(raw, '&'); i >= 0 {
			kv, raw = raw[:i], raw[i+1:]
		} else {
			kv, raw = raw, ""
		}
		if len(kv) > len(name) && kv[len(name)] == '=' && kv[:len(name)] == name {
			v, err = queryValue(name, kv[len(name)+1:])
			return v, true, err
		}
	}
	return "", false, nil
}

// queryFloat is the number name=value of a raw query (see queryParam).
func queryFloat(raw, name string) (v float64, present bool, err error) {
	s, present, err := queryParam(raw, name)
	if err != nil || !present {
		return 0, present, err
	}
	f, err := strconv.ParseFloat(s, 64)
	if errors.Is(err, strconv.ErrRange) {
		return 0, true, badRequest(name + ": " + s + " is out of range")
	}
	if err != nil {
		return 0, true, badRequest(name + ": not a number: " + strconv.Quote(s))
	}
	return f, true, nil
}

// queryString is the value of name in a raw query, "" when absent (see
// queryParam).
func queryString(raw, name string) (string, error) {
	s, _, err := queryParam(raw, name)
	return s, err
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// routeGet serves GET /api/v1/route?lon=&lat=[&coordsys=]: the full answer
// for one point. The hot path: no reflection, a pooled buffer.
func (s *Server) routeGet(w http.ResponseWriter, r *http.Request) error {
	raw := r.URL.RawQuery
	lon, okLon, err := queryFloat(raw, "lon")
	if err != nil {
		return err
	}
	lat, okLat, err := queryFloat(raw, "lat")
	if err != nil {
		return err
	}
	if !okLon || !okLat {
		return badRequest("lon and lat query parameters are required, e.g. /api/v1/route?lon=120.43&lat=36.17")
	}
	if err := checkLonLat(lon, lat); err != nil {
		return err
	}
	v, err := queryString(raw, "coordsys")
	if err != nil {
		return err
	}
	cs, err := parseCoordSys(v)
	if err != nil {
		return err
	}
	snap := s.router.Snapshot()
	a := snap.Route(cs.toWGS84(lon, lat))
	if err := swappedHint(snap, cs, lon, lat, &a); err != nil {
		return err
	}
	s.counters.routeRequests.Add(1)
	s.counters.routeLookups.Add(1)
	bp := bufPool.Get().(*[]byte)
	b := a.AppendJSON((*bp)[:0])
	b = append(b, '\n')
	h := w.Header()
	h["Content-Type"] = jsonCT
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	_, err = w.Write(b)
	*bp = b
	bufPool.Put(bp)
	return err
}

var jsonCT = []string{"application/json; charset=utf-8"}

// routePost serves POST /api/v1/route: a JSON array of [lon, lat] pairs or
// a GeoJSON FeatureCollection of points, at most MaxBatchPoints, answered
// in input order as {"results": [...]} — compact answers by default,
// ?detail=full for the full answer of each point. A bad point is a 400
// naming its index.
func (s *Server) routePost(w http.ResponseWriter, r *http.Request) error {
	cs, err := parseCoordSys(r.URL.Query().Get("coordsys"))
	if err != nil {
		return err
	}
	full := false
	switch r.URL.Query().Get("detail") {
	case "", "compact":
	case "full":
		full = true
	default:
		return badRequest("detail: must be compact or full")
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !isJSONType(ct) {
		return errStatus(http.StatusUnsupportedMediaType, "unsupported_media_type", "Content-Type must be application/json or application/geo+json, not "+ct)
	}
	body, err := readBody(w, r, s.cfg.MaxBatchBytes)
	if err != nil {
		return err
	}
	pts, err := parsePoints(body, s.cfg.MaxBatchPoints)
	if err != nil {
		return err
	}
	pointErr := func(i int, err error) error {
		ae := err.(*Error)
		ae.Message = "point " + strconv.Itoa(i) + ": " + ae.Message
		ae.Index = &i
		return ae
	}
	for i := range pts {
		if err := checkLonLat(pts[i][0], pts[i][1]); err != nil {
			return pointErr(i, err)
		}
	}
	snap := s.router.Snapshot()
	bp := bufPool.Get().(*[]byte)
	b := append((*bp)[:0], `{"revision":`...)
	b = strconv.AppendInt(b, snap.Revision, 10)
	b = append(b, `,"count":`...)
	b = strconv.AppendInt(b, int64(len(pts)), 10)
	b = append(b, `,"results":[`...)
	for i := range pts {
		if i > 0 {
			b = append(b, ',')
		}
		a := snap.Route(cs.toWGS84(pts[i][0], pts[i][1]))
		if a.Match == routing.MatchOutside {
			if err := swappedHint(snap, cs, pts[i][0], pts[i][1], &a); err != nil {
				*bp = b[:0]
				bufPool.Put(bp)
				return pointErr(i, err)
			}
		}
		if full {
			b = a.AppendJSON(b)
		} else {
			b = a.AppendCompactJSON(b)
		}
	}
	b = append(b, "]}\n"...)
	s.counters.routeRequests.Add(1)
	s.counters.routeLookups.Add(int64(len(pts)))
	h := w.Header()
	h["Content-Type"] = jsonCT
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	_, err = w.Write(b)
	if cap(b) <= 64<<20 {
		*bp = b
		bufPool.Put(bp)
	}
	return err
}

// readBody reads at most limit bytes of the request body.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	var buf bytes.Buffer
	if r.ContentLength > 0 && r.ContentLength <= limit {
		buf.Grow(int(r.ContentLength))
	}
	if _, err := buf.ReadFrom(r.Body); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
