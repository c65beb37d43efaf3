package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/geo"
)

// Mapping says which feature properties hold an area's code, name, parent
// code, household count and level. Empty property names mean "not in the
// file": a missing code is the feature's id (or its 1-based position), a
// missing name is the code, a missing parent attaches the area to Root,
// missing households are derived later from buildings (0 here), and a
// missing level is Level.
type Mapping struct {
	CodeProp       string
	NameProp       string
	ParentProp     string
	HouseholdsProp string
	LevelProp      string
	Level          data.Level // level of features without a level property; default grid
	// Root is the area that features without a parent attach to. When its
	// Code is set and it does not exist yet, it is created with the
	// bounding rectangle of the imported features as its geometry.
	Root data.Area
}

// DefaultMapping suits wangge's own export: properties code, name,
// parent_code, households, level.
func DefaultMapping() Mapping {
	return Mapping{CodeProp: "code", NameProp: "name", ParentProp: "parent_code", HouseholdsProp: "households", LevelProp: "level", Level: data.LevelGrid}
}

// Feature is one feature as read from a file, before it becomes an Area.
type Feature struct {
	ID         any
	Geometry   orb.Geometry
	Properties map[string]any
}

// ReadGeoJSON streams the features of a GeoJSON FeatureCollection (or a
// single Feature) from r. A feature that cannot be parsed is reported with
// its 0-based index.
func ReadGeoJSON(r io.Reader) ([]Feature, error) {
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if err != nil {
		return nil, &data.ValidationError{Index: -1, Reason: "not JSON: " + err.Error()}
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, &data.ValidationError{Index: -1, Reason: "not a GeoJSON object"}
	}
	var out []Feature
	var kind string
	var single map[string]json.RawMessage
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, &data.ValidationError{Index: -1, Reason: "malformed JSON: " + err.Error()}
		}
		key, _ := t.(string)
		switch key {
		case "type":
			if err := dec.Decode(&kind); err != nil {
				return nil, &data.ValidationError{Index: -1, Field: "type", Reason: err.Error()}
			}
		case "features":
			if t, err := dec.Token(); err != nil || t != json.Delim('[') {
				return nil, &data.ValidationError{Index: -1, Field: "features", Reason: "must be an array"}
			}
			for i := 0; dec.More(); i++ {
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return nil, &data.ValidationError{Index: i, Reason: "malformed JSON: " + err.Error()}
				}
				f, err := parseFeature(raw)
				if err != nil {
					return nil, &data.ValidationError{Index: i, Reason: err.Error()}
				}
				out = append(out, f)
			}
			if _, err := dec.Token(); err != nil {
				return nil, &data.ValidationError{Index: len(out), Reason: "malformed JSON: " + err.Error()}
			}
		default:
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, &data.ValidationError{Index: -1, Field: key, Reason: "malformed JSON: " + err.Error()}
			}
			if single == nil {
				single = map[string]json.RawMessage{}
			}
			single[key] = raw
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, &data.ValidationError{Index: -1, Reason: "malformed JSON: " + err.Error()}
	}
	if t, err := dec.Token(); err != io.EOF {
		return nil, &data.ValidationError{Index: -1, Reason: fmt.Sprintf("malformed JSON: trailing data after the object (%v%v)", t, errOrEmpty(err))}
	}
	switch kind {
	case "FeatureCollection":
		return out, nil
	case "Feature":
		if single == nil { // {"type":"Feature"} and nothing else
			single = map[string]json.RawMessage{}
		}
		single["type"] = json.RawMessage(`"Feature"`)
		raw, _ := json.Marshal(single)
		f, err := parseFeature(raw)
		if err != nil {
			return nil, &data.ValidationError{Index: 0, Reason: err.Error()}
		}
		return []Feature{f}, nil
	}
	return nil, &data.ValidationError{Index: -1, Field: "type", Reason: fmt.Sprintf("want FeatureCollection or Feature, got %q", kind)}
}

func parseFeature(raw json.RawMessage) (Feature, error) {
	// Positions first: they name a string or missing coordinate, which
	// orb's decoder reports only as a type error.
	var f struct {
		Geometry json.RawMessage `json:"geometry"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return Feature{}, fmt.Errorf("not a GeoJSON feature: %v", err)
	}
	if len(f.Geometry) > 0 && string(f.Geometry) != "null" {
		if err := CheckPositions(f.Geometry); err != nil {
			return Feature{}, fmt.Errorf("geometry: %w", err)
		}
	}
	gf, err := geojson.UnmarshalFeature(raw)
	if err != nil {
		return Feature{}, fmt.Errorf("not a GeoJSON feature: %v", err)
	}
	if gf.Geometry == nil {
		return Feature{}, errors.New("feature has no geometry")
	}
	return Feature{ID: gf.ID, Geometry: gf.Geometry, Properties: gf.Properties}, nil
}

// ToAreas turns features into areas by the mapping and validates each:
// a Polygon or MultiPolygon geometry that passes geo.Validate, a non-empty
// code unique in the file, a known level, a non-negative integer household
// count. Parents are checked by the store in the same transaction as the
// write. The first bad feature is returned as *data.ValidationError with
// its index. When some features have no parent and m.Root.Code is set,
// the root is appended (last) with the features' bounding rectangle.
func ToAreas(fs []Feature, m Mapping) ([]data.Area, error) {
	if m.Level == "" {
		m.Level = data.LevelGrid
	}
	areas := make([]data.Area, 0, len(fs)+1)
	seen := make(map[string]int, len(fs))
	var bound orb.Bound
	orphans := false
	for i, f := range fs {
		bad := func(field, format string, args ...any) error {
			return &data.ValidationError{Index: i, Field: field, Reason: fmt.Sprintf(format, args...)}
		}
		var mp orb.MultiPolygon
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			mp = orb.MultiPolygon{g}
		case orb.MultiPolygon:
			mp = g
		default:
			return nil, bad("geometry", "must be a Polygon or MultiPolygon, got %s", f.Geometry.GeoJSONType())
		}
		if err := geo.Validate(mp); err != nil {
			return nil, bad("geometry", "%v", err)
		}
		a := data.Area{Geom: mp, Level: m.Level}
		a.Code = propString(f.Properties, m.CodeProp)
		if a.Code == "" && m.CodeProp == "" {
			a.Code = idString(f.ID, i)
		}
		if a.Code == "" {
			return nil, bad(m.CodeProp, "code is missing or empty")
		}
		if len(a.Code) > 64 {
			return nil, bad(m.CodeProp, "code longer than 64 characters")
		}
		if j, dup := seen[a.Code]; dup {
			return nil, bad(m.CodeProp, "duplicate code %q (also feature %d)", a.Code, j)
		}
		seen[a.Code] = i
		a.Name = propString(f.Properties, m.NameProp)
		if a.Name == "" {
			a.Name = a.Code
		}
		if m.LevelProp != "" {
			if lv := propString(f.Properties, m.LevelProp); lv != "" {
				a.Level = data.Level(lv)
			}
		}
		if !a.Level.Valid() {
			return nil, bad(m.LevelProp, "unknown level %q", a.Level)
		}
		a.ParentCode = propString(f.Properties, m.ParentProp)
		if m.HouseholdsProp != "" {
			if v, ok := f.Properties[m.HouseholdsProp]; ok && v != nil {
				n, err := households(v)
				if err != nil {
					return nil, bad(m.HouseholdsProp, "%v", err)
				}
				a.Households = n
			}
		}
		if a.ParentCode == "" && a.Level != data.LevelDistrict && m.Root.Code != "" {
			a.ParentCode = m.Root.Code
			orphans = true
		}
		if i == 0 {
			bound = mp.Bound()
		} else {
			bound = bound.Union(mp.Bound())
		}
		areas = append(areas, a)
	}
	if orphans {
		if _, clash := seen[m.Root.Code]; clash {
			return nil, &data.ValidationError{Index: seen[m.Root.Code], Field: m.CodeProp, Reason: fmt.Sprintf("code %q is also the root's code", m.Root.Code)}
		}
		root := m.Root
		if root.Level == "" {
			root.Level = data.LevelDistrict
		}
		if root.Name == "" {
			root.Name = root.Code
		}
		if root.Geom == nil {
			root.Geom = orb.MultiPolygon{bound.ToPolygon()}
		}
		areas = append(areas, root)
	}
	return areas, nil
}

func propString(p map[string]any, key string) string {
	if key == "" || p == nil {
		return ""
	}
	switch v := p[key].(type) {
	case string:
		return strings.TrimSpace(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case json.Number:
		return v.String()
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

func idString(id any, i int) string {
	switch v := id.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.Itoa(i + 1)
}

// households reads a household count: a non-negative number (floats, as
// in prorated census data, are rounded) or a numeric string.
func households(v any) (int, error) {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case string:
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(x), 64); err != nil {
			return 0, fmt.Errorf("household count %q is not a number", x)
		}
	default:
		return 0, fmt.Errorf("household count must be a number, got %T", v)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e7 {
		return 0, fmt.Errorf("household count %v out of range [0, 10000000]", f)
	}
	return int(math.Round(f)), nil
}

func errOrEmpty(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
