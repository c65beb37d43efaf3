package demo

import (
	_ "embed"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// licangOSM holds the 李沧区 district and its 11 街道 boundaries,
// © OpenStreetMap contributors, ODbL 1.0 (see README.md and extract_osm.go).
//
//go:embed licang_osm.geojson
var licangOSM []byte

// licangStreets lists the 11 streets in code order (370213001 … 370213011),
// with an urbanness in [0, 1] that shapes the demo household density.
var licangStreets = []struct {
	name  string
	urban float64
}{
	{"九水街道", 0.40}, {"浮山路街道", 0.85}, {"李村街道", 0.95}, {"振华路街道", 1.0},
	{"沧口街道", 0.95}, {"世园街道", 0.45}, {"湘潭路街道", 0.80}, {"虎山路街道", 0.70},
	{"楼山街道", 0.60}, {"兴城路街道", 0.85}, {"兴华路街道", 1.0},
}

// cellMetres is the side of a lattice cell.
const cellMetres = 50.0

// licangWorld lays the lattice over Licang and labels each cell with the
// street whose OSM polygon contains its centre.
func licangWorld(seed int64) (*world, error) {
	fc, err := geojson.UnmarshalFeatureCollection(licangOSM)
	if err != nil {
		return nil, fmt.Errorf("demo: embedded OSM data: %w", err)
	}
	var district orb.MultiPolygon
	streets := make([]orb.MultiPolygon, len(licangStreets))
	for _, f := range fc.Features {
		mp, ok := f.Geometry.(orb.MultiPolygon)
		if !ok {
			return nil, fmt.Errorf("demo: embedded OSM feature %v is %T", f.Properties["name"], f.Geometry)
		}
		name := f.Properties.MustString("name", "")
		if name == "李沧区" {
			district = mp
		}
		for i, s := range licangStreets {
			if s.name == name {
				streets[i] = mp
			}
		}
	}
	if district == nil {
		return nil, fmt.Errorf("demo: embedded OSM data lacks 李沧区")
	}
	for i, s := range streets {
		if s == nil {
			return nil, fmt.Errorf("demo: embedded OSM data lacks %s", licangStreets[i].name)
		}
	}
	b := district.Bound()
	lat0 := (b.Min[1] + b.Max[1]) / 2
	dlat := cellMetres / 111320.0
	dlon := cellMetres / (111320.0 * math.Cos(lat0*math.Pi/180))
	// Snap the origin so the lattice does not depend on float noise in the bound.
	lon0 := math.Floor(b.Min[0]/dlon-1) * dlon
	latMin := math.Floor(b.Min[1]/dlat-1) * dlat
	nx := int(math.Ceil((b.Max[0]-lon0)/dlon)) + 1
	ny := int(math.Ceil((b.Max[1]-latMin)/dlat)) + 1
	l := newLattice(seed, lon0, latMin, dlon, dlat, nx, ny)

	w := newWorld(l)
	dpip := newPIP(district)
	spip := make([]*pip, len(streets))
	for i, s := range streets {
		spip[i] = newPIP(s)
	}
	for c := 0; c < l.cells(); c++ {
		p := l.centre(c)
		if !dpip.contains(p) {
			continue
		}
		w.district[c] = 0
		w.street[c] = -2
		for i := range streets {
			if spip[i].contains(p) {
				w.street[c] = int32(i)
				break
			}
		}
	}
	w.keepLargest(w.district)
	for c := range w.street {
		if w.district[c] < 0 {
			w.street[c] = -1
		}
	}
	l.fill(w.street)
	l.connect(w.street, len(streets))

	w.districts = []*area{{code: "370213", name: "李沧区"}}
	for i, s := range licangStreets {
		w.streets = append(w.streets, &area{code: fmt.Sprintf("370213%03d", i+1), name: s.name, parent: 0})
	}
	w.urban = make([]float32, l.cells())
	su := uint64(seed)
	for c := range w.urban {
		s := w.street[c]
		if s < 0 {
			continue
		}
		x, y := float64(c%l.nx), float64(c/l.nx)
		n1 := 0.65*valueNoise(su^0xa1, x, y, 14) + 0.35*valueNoise(su^0xa2, x, y, 5)
		u := licangStreets[s].urban * (0.3 + 0.9*n1)
		if valueNoise(su^0xa3, x, y, 9) < 0.16 || n1 < 0.25 {
			u = 0 // park, hill, river bed, works yard: no housing
		}
		w.urban[c] = float32(math.Min(u, 1))
	}
	w.communityCount = func(hh []float64, cells []int) []int {
		return allocate(121, hh, cells, 2)
	}
	w.households = 600_000
	w.ccPeople, w.planners = 12, 4
	return w, nil
}

// allocate splits total among parts by the mean of their household share and
// their area share (largest remainder), at least min each.
func allocate(total int, hh []float64, cells []int, min int) []int {
	var sh, sc float64
	for i := range hh {
		sh += hh[i]
		sc += float64(cells[i])
	}
	out := make([]int, len(hh))
	rem := make([]float64, len(hh))
	left := total
	for i := range hh {
		q := float64(total-min*len(hh)) * (hh[i]/sh + float64(cells[i])/sc) / 2
		out[i] = min + int(q)
		rem[i] = q - math.Floor(q)
		left -= out[i]
	}
	for ; left > 0; left-- {
		best := 0
		for i := range rem {
			if rem[i] > rem[best] {
				best = i
			}
		}
		out[best]++
		rem[best] = -1
	}
	return out
}

// pip is an even-odd point-in-polygon test over every ring of a
// MultiPolygon (holes flip inside to outside), with the bound computed once.
// Points exactly on an edge may go either way; the lattice only asks about
// cell centres, where that does not matter.
type pip struct {
	b     orb.Bound
	rings []orb.Ring
}

func newPIP(mp orb.MultiPolygon) *pip {
	p := &pip{b: mp.Bound()}
	for _, poly := range mp {
		p.rings = append(p.rings, poly...)
	}
	return p
}

func (p *pip) contains(pt orb.Point) bool {
	if !p.b.Contains(pt) {
		return false
	}
	in := false
	x, y := pt[0], pt[1]
	for _, r := range p.rings {
		for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
			if (r[i][1] > y) != (r[j][1] > y) && x < (r[j][0]-r[i][0])*(y-r[i][1])/(r[j][1]-r[i][1])+r[i][0] {
				in = !in
			}
		}
	}
	return in
}
