package workflow_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/demo"
	"github.com/wangge-dev/wangge/internal/teststores"
	"github.com/wangge-dev/wangge/routing"
	"github.com/wangge-dev/wangge/workflow"
)

// TestEditPreviewReadsOnlyWhatChanges: the dry run of an edit that reads
// only the buildings, cases and areas near the edit (a current router
// answering elsewhere) equals the one that reads and indexes the whole
// demo district: households, buildings moved, gaps, cases rerouted.
func TestEditPreviewReadsOnlyWhatChanges(t *testing.T) {
	st := teststores.SQLite(t)
	ds, err := demo.Generate(demo.Options{Seed: 1, Reports: 20000, Now: time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Load(t.Context(), ds); err != nil {
		t.Fatal(err)
	}
	p, err := st.Partition(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	cur, err := routing.Build(p, routing.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := workflow.Config{RoutePartition: routing.PartitionRouter(routing.Options{})}
	near := workflow.New(st, func(lon, lat float64) data.Routing { a := cur.Route(lon, lat); return a.Routing() }, nil, cfg)
	whole := workflow.New(st, nil, nil, cfg)
	cc := &data.Person{ID: 1, Name: "指挥中心", Assignments: []data.Assignment{{Role: data.RoleCommandCenter, AreaCode: "370213"}}}

	// Grids with open cases, each shrunk by a third towards
	// its first vertex: a gap opens around it.
	open, _, err := st.ListReports(t.Context(), data.ReportQuery{Open: true})
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, r := range open {
		count[r.Routing.GridCode]++
	}
	tried, rerouted, moved := 0, 0, 0
	for _, g := range p.Areas {
		if g.Level != data.LevelGrid || len(g.Geom) != 1 || len(g.Geom[0]) != 1 || count[g.Code] < 1 {
			continue
		}
		o := g.Geom[0][0][0]
		ring := orb.Ring{}
		for _, q := range g.Geom[0][0] {
			ring = append(ring, orb.Point{o[0] + 0.67*(q[0]-o[0]), o[1] + 0.67*(q[1]-o[1])})
		}
		g.Geom = orb.MultiPolygon{{ring}}
		in := workflow.GridEdit{Base: p.Revision, Put: []data.Area{g}, Note: "shrink"}
		a, err := near.ReviseGrids(t.Context(), cc, in, true)
		if errors.Is(err, data.ErrInvalid) {
			continue // a non-convex grid shrunk this way can reach into a neighbour
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := whole.ReviseGrids(t.Context(), cc, in, true)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("grid %s: reading near the edit %+v, reading everything %+v", g.Code, a, b)
		}
		rerouted, moved = rerouted+len(a.Rerouted), moved+a.BuildingsMoved
		t.Logf("grid %s shrunk: %d households left, %d buildings moved, %d in no grid, %d cases rerouted — the same both ways",
			g.Code, a.Grids[0].Households, a.BuildingsMoved, a.UnassignedBuildings, len(a.Rerouted))
		if tried++; tried == 5 {
			break
		}
	}
	if tried < 5 || rerouted == 0 || moved == 0 {
		t.Fatalf("%d grids tried, %d cases rerouted, %d buildings moved: the test proves nothing", tried, rerouted, moved)
	}
}
