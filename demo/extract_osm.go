//go:build ignore

// extract_osm.go writes licang_osm.geojson: the 李沧区 district (admin_level
// 6, division_code 370213) and its 11 街道 (admin_level 8) copied unchanged
// from the OpenStreetMap export shared/data/real/qing_dao_1.js.
//
// Usage (from demo/): go run extract_osm.go [-in ../../shared/data/real/qing_dao_1.js]
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"log"
	"os"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

var streets = []string{"九水", "浮山路", "李村", "振华路", "沧口", "世园", "湘潭路", "虎山路", "楼山", "兴城路", "兴华路"}

func main() {
	in := flag.String("in", "../../shared/data/real/qing_dao_1.js", "qgis2web export of Qingdao boundaries")
	out := flag.String("out", "licang_osm.geojson", "output GeoJSON")
	flag.Parse()
	raw, err := os.ReadFile(*in)
	if err != nil {
		log.Fatal(err)
	}
	raw = raw[bytes.IndexByte(raw, '{'):]
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil {
		log.Fatal(err)
	}
	var district *geojson.Feature
	for _, f := range fc.Features {
		if f.Properties.MustString("division_code", "") == "370213" {
			district = f
		}
	}
	if district == nil {
		log.Fatal("370213 not found")
	}
	dg := district.Geometry.(orb.MultiPolygon)
	keep := []*geojson.Feature{slim(district)}
	for _, name := range streets {
		found := 0
		for _, f := range fc.Features {
			if f.Properties.MustString("name", "") != name+"街道" || f.Properties["admin_level"] != "8" {
				continue
			}
			c, _ := planar.CentroidArea(f.Geometry)
			if !planar.MultiPolygonContains(dg, c) {
				continue
			}
			keep = append(keep, slim(f))
			found++
		}
		if found != 1 {
			log.Fatalf("%s: %d features", name, found)
		}
	}
	out2 := geojson.NewFeatureCollection()
	out2.Features = keep
	out2.ExtraMembers = geojson.Properties{
		"name":        "licang_osm",
		"attribution": "© OpenStreetMap contributors",
		"license":     "ODbL-1.0 (https://opendatacommons.org/licenses/odbl/1-0/)",
		"source":      "shared/data/real/qing_dao_1.js (qgis2web export of OSM admin boundaries, repository AngleYet/Qingdao-Transportation-Road-Map-Network, layers/qing_dao_1.js, blob 38ce56e00ee6c799a683c0fa01ecb8f63bd6a6b3)",
	}
	var b strings.Builder
	b.WriteString("{\"type\":\"FeatureCollection\"")
	for _, k := range []string{"name", "attribution", "license", "source"} {
		v, _ := json.Marshal(out2.ExtraMembers[k])
		b.WriteString(",\"" + k + "\":" + string(v))
	}
	b.WriteString(",\"features\":[\n")
	for i, f := range keep {
		j, err := json.Marshal(f)
		if err != nil {
			log.Fatal(err)
		}
		if i > 0 {
			b.WriteString(",\n")
		}
		b.Write(j)
	}
	b.WriteString("\n]}\n")
	if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
		log.Fatal(err)
	}
}

// slim keeps the identifying properties only; the geometry is unchanged.
func slim(f *geojson.Feature) *geojson.Feature {
	g := geojson.NewFeature(f.Geometry)
	for _, k := range []string{"name", "name:en", "admin_level", "division_code", "osm_id", "osm_type", "full_id", "wikidata"} {
		if v, ok := f.Properties[k]; ok && v != nil {
			g.Properties[k] = v
		}
	}
	return g
}
