package importer

import (
	"encoding/json"
	"fmt"
)

// positionDepth is how deeply a geometry type nests its positions in
// "coordinates" (Point: the array is the position).
var positionDepth = map[string]int{
	"Point": 0, "MultiPoint": 1, "LineString": 1,
	"MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3,
}

// CheckPositions checks what a lenient GeoJSON decoder (orb's) lets
// through: every position of a geometry has 2 numbers (lon, lat) or 3 (with
// altitude, RFC 7946 §3.1.1) and sits at the depth its type says, and a
// geometry has coordinates at all. orb reads [120.4] as (120.4, 0) and a
// missing or empty Point as (0, 0), which would route or store a point
// nobody sent. raw is a geometry object; a GeometryCollection's members are
// checked in turn; an unknown type is left to the decoder.
func CheckPositions(raw json.RawMessage) error {
	var g struct {
		Type        string            `json:"type"`
		Coordinates json.RawMessage   `json:"coordinates"`
		Geometries  []json.RawMessage `json:"geometries"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		return fmt.Errorf("malformed geometry: %v", err)
	}
	if g.Type == "GeometryCollection" {
		for i, m := range g.Geometries {
			if err := CheckPositions(m); err != nil {
				return fmt.Errorf("geometries[%d]: %w", i, err)
			}
		}
		return nil
	}
	depth, known := positionDepth[g.Type]
	if !known {
		return nil
	}
	b := g.Coordinates
	if len(b) == 0 || string(b) == "null" {
		return fmt.Errorf("%s without coordinates", g.Type)
	}
	level, count, positions := -1, 0, 0
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '[':
			level++
			if level > depth {
				return fmt.Errorf("%s coordinates nested deeper than its positions", g.Type)
			}
			count = 0
		case c == ']':
			if level == depth {
				if count != 2 && count != 3 {
					return fmt.Errorf("a position has %d numbers; want [lon, lat] (or [lon, lat, altitude])", count)
				}
				positions++
			}
			level--
		case c == '-' || c >= '0' && c <= '9':
			if level != depth {
				return fmt.Errorf("%s coordinates: a number where an array of positions belongs", g.Type)
			}
			count++
			for i+1 < len(b) && (b[i+1] == '.' || b[i+1] == 'e' || b[i+1] == 'E' || b[i+1] == '+' || b[i+1] == '-' || b[i+1] >= '0' && b[i+1] <= '9') {
				i++
			}
		case c == 'n' || c == 't' || c == 'f' || c == '"' || c == '{':
			return fmt.Errorf("%s coordinates hold something other than numbers", g.Type)
		}
	}
	if depth == 0 && positions != 1 {
		return fmt.Errorf("Point coordinates must be one position [lon, lat]")
	}
	return nil
}
