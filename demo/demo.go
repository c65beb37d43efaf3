package demo

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/wangge-dev/wangge/data"
)

// Options chooses what Generate builds.
type Options struct {
	// Seed makes the output: the same Options give the same Dataset, byte
	// for byte.
	Seed int64
	// Grids is 0 for the real Licang district; N > 0 builds a synthetic
	// large city of about N grids.
	Grids int
	// Now is the end of the year of reports; the zero value means
	// DefaultNow.
	Now time.Time
	// Reports is how many reports to create over the year before Now: 0
	// means DefaultReports, a negative value none.
	Reports int
}

// DefaultReports is the number of reports of a year in the demo.
const DefaultReports = 100_000

// DefaultNow is the reference time used when Options.Now is zero.
var DefaultNow = time.Date(2025, 7, 1, 0, 0, 0, 0, cst)

// gridTarget is the number of households a grid is cut for.
const gridTarget = 410

// Generate builds a demo dataset. See the package documentation for what it
// holds and which invariants it keeps.
func Generate(opts Options) (*data.Dataset, error) {
	if opts.Grids < 0 {
		return nil, fmt.Errorf("demo: Grids must be >= 0, got %d", opts.Grids)
	}
	now := opts.Now
	if now.IsZero() {
		now = DefaultNow
	}
	nReports := opts.Reports
	if nReports == 0 {
		nReports = DefaultReports
	}
	rng := rand.New(rand.NewPCG(uint64(opts.Seed), 0x11c4_0213))
	var w *world
	var err error
	if opts.Grids == 0 {
		w, err = licangWorld(opts.Seed)
	} else {
		w, err = synthWorld(rng, opts.Seed, opts.Grids)
	}
	if err != nil {
		return nil, err
	}
	w.house(rng)
	w.partition(rng, gridTarget)
	w.enclaves(rng, max(1, len(w.grids)/250))
	w.detach(rng, max(1, len(w.grids)/250))
	areas := w.finish(rng)
	ds := &data.Dataset{Areas: areas, Now: now}
	ds.Buildings = make([]data.Building, len(w.buildings))
	for i, b := range w.buildings {
		ds.Buildings[i] = data.Building{Address: w.address(b), Point: b.pt, Households: b.hh, GridCode: w.grids[w.grid[b.cell]].code}
	}
	r := w.staff(rng)
	ds.People = r.people
	ds.Reports, ds.Events = w.reports(rng, r, now, nReports)
	ds.Visits = w.visits(rng, r, now)
	if opts.Grids == 0 {
		ds.Note = "demo: 李沧区 (370213), 11 streets from OpenStreetMap (© OpenStreetMap contributors, ODbL); communities, grids, households, people and reports are synthetic"
	} else {
		ds.Note = fmt.Sprintf("demo: synthetic city of %d grids in %d districts", len(w.grids), len(w.districts))
	}
	return ds, nil
}
