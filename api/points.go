package api

import (
	"bytes"
	"errors"
	"strconv"
	"unsafe"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/importer"
)

// parsePoints reads a routing batch: a JSON array of [lon, lat] pairs, or
// a GeoJSON FeatureCollection of Point features. It returns a 400 naming
// the index of the first bad point, and rejects empty batches and batches
// of more than max points. The array form is parsed by hand — it is the
// bulk path, several times faster than reflection-based decoding.
func parsePoints(b []byte, max int) ([]orb.Point, error) {
	i := skipWS(b, 0)
	if i == len(b) {
		return nil, badRequest("empty body: send a JSON array of [lon, lat] pairs or a GeoJSON FeatureCollection of points")
	}
	if b[i] == '{' {
		return parseFeaturePoints(b, max)
	}
	if b[i] != '[' {
		return nil, badRequest("malformed JSON: want an array of [lon, lat] pairs or a FeatureCollection")
	}
	pts := make([]orb.Point, 0, len(b)/24)
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return nil, badRequest("empty batch: at least one point is required")
	}
	for n := 0; ; n++ {
		if n >= max {
			return nil, badRequest("batch exceeds the limit of " + strconv.Itoa(max) + " points")
		}
		var p orb.Point
		var err error
		if p, i, err = parsePair(b, i); err != nil {
			return nil, pointError(n, err.Error())
		}
		pts = append(pts, p)
		i = skipWS(b, i)
		if i >= len(b) {
			return nil, pointError(n, "malformed JSON: unexpected end after this point")
		}
		if b[i] == ']' {
			i = skipWS(b, i+1)
			if i != len(b) {
				return nil, badRequest("malformed JSON: trailing data after the array")
			}
			return pts, nil
		}
		if b[i] != ',' {
			return nil, pointError(n, "malformed JSON: want ',' or ']' after this point")
		}
		i = skipWS(b, i+1)
	}
}

type parseErr string

func (e parseErr) Error() string { return string(e) }

// parsePair reads "[lon, lat]" at b[i:] and returns the index after it.
func parsePair(b []byte, i int) (orb.Point, int, error) {
	var p orb.Point
	if i >= len(b) || b[i] != '[' {
		return p, i, parseErr("want a [lon, lat] array")
	}
	i++
	for k := 0; k < 2; k++ {
		i = skipWS(b, i)
		j := i
		for j < len(b) && (b[j] == '-' || b[j] == '+' || b[j] == '.' || b[j] == 'e' || b[j] == 'E' || (b[j] >= '0' && b[j] <= '9')) {
			j++
		}
		if j == i || !jsonNumber(b[i:j]) {
			return p, i, parseErr("coordinate " + strconv.Itoa(k) + " is not a number")
		}
		f, err := strconv.ParseFloat(unsafe.String(&b[i], j-i), 64)
		if err != nil {
			return p, i, parseErr("coordinate " + strconv.Itoa(k) + " is not a number")
		}
		p[k] = f
		i = skipWS(b, j)
		if k == 0 {
			if i >= len(b) || b[i] != ',' {
				return p, i, parseErr("want exactly two numbers [lon, lat]")
			}
			i++
		}
	}
	if i >= len(b) || b[i] != ']' {
		return p, i, parseErr("want exactly two numbers [lon, lat]")
	}
	return p, i + 1, nil
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

func pointError(n int, msg string) *Error {
	e := badRequest("point " + strconv.Itoa(n) + ": " + msg)
	e.Index = &n
	return e
}

// parseFeaturePoints reads a FeatureCollection of Point features with the
// importer's GeoJSON reader, which names the index of a feature it cannot
// decode or whose positions are malformed.
func parseFeaturePoints(b []byte, max int) ([]orb.Point, error) {
	fs, err := importer.ReadGeoJSON(bytes.NewReader(b))
	if err != nil {
		var ve *data.ValidationError
		if errors.As(err, &ve) && ve.Index >= 0 {
			return nil, pointError(ve.Index, ve.Reason)
		}
		return nil, badRequest("malformed GeoJSON: " + err.Error())
	}
	if len(fs) == 0 {
		return nil, badRequest("empty batch: at least one point is required")
	}
	if len(fs) > max {
		return nil, badRequest("batch of " + strconv.Itoa(len(fs)) + " points exceeds the limit of " + strconv.Itoa(max))
	}
	pts := make([]orb.Point, len(fs))
	for n, f := range fs {
		p, ok := f.Geometry.(orb.Point)
		if !ok {
			return nil, pointError(n, "geometry must be a Point, got "+f.Geometry.GeoJSONType())
		}
		pts[n] = p
	}
	return pts, nil
}

// jsonNumber reports whether b is a number in JSON's grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func jsonNumber(b []byte) bool {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	return i == len(b)
}
