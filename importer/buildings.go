package importer

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/geo"
)

// ReadBuildingsCSV reads buildings from a CSV with a header row naming at
// least lon, lat and households (address optional; lng/longitude/x and
// latitude/y are accepted too). Coordinates are lon/lat, EPSG:4326. The
// first bad row is a *data.ValidationError whose Index is the 0-based data
// row (the header is not counted).
func ReadBuildingsCSV(r io.Reader) ([]data.Building, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, &data.ValidationError{Index: -1, Reason: "no header row: " + errString(err)}
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	find := func(names ...string) int {
		for _, n := range names {
			if i, ok := col[n]; ok {
				return i
			}
		}
		return -1
	}
	iLon, iLat := find("lon", "lng", "longitude", "x"), find("lat", "latitude", "y")
	iHH, iAddr := find("households", "hh", "户数"), find("address", "地址")
	if iLon < 0 || iLat < 0 || iHH < 0 {
		return nil, &data.ValidationError{Index: -1, Reason: "header must name lon, lat and households columns"}
	}
	var out []data.Building
	for i := 0; ; i++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, &data.ValidationError{Index: i, Reason: "malformed CSV: " + err.Error()}
		}
		get := func(j int) string {
			if j < 0 || j >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[j])
		}
		lon, err1 := strconv.ParseFloat(get(iLon), 64)
		lat, err2 := strconv.ParseFloat(get(iLat), 64)
		if err1 != nil || err2 != nil {
			return nil, &data.ValidationError{Index: i, Field: "lon/lat", Reason: fmt.Sprintf("not numbers: %q, %q", get(iLon), get(iLat))}
		}
		if err := geo.ValidPoint(lon, lat); err != nil {
			return nil, &data.ValidationError{Index: i, Field: "lon/lat", Reason: err.Error()}
		}
		hh, err := strconv.ParseFloat(get(iHH), 64)
		if err != nil || hh < 0 || hh > 100000 || hh != math.Trunc(hh) {
			return nil, &data.ValidationError{Index: i, Field: "households", Reason: fmt.Sprintf("must be a whole number in [0, 100000], got %q", get(iHH))}
		}
		addr := get(iAddr)
		if len(addr) > 500 {
			return nil, &data.ValidationError{Index: i, Field: "address", Reason: "longer than 500 bytes"}
		}
		out = append(out, data.Building{Address: addr, Point: orb.Point{lon, lat}, Households: int(hh)})
	}
}

func errString(err error) string {
	if errors.Is(err, io.EOF) {
		return "empty file"
	}
	return err.Error()
}
