package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/api"
	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/data/pgstore"
	"github.com/wangge-dev/wangge/data/sqlitestore"
	"github.com/wangge-dev/wangge/demo"
	"github.com/wangge-dev/wangge/routing"
)

// benchRouteConfig is what `wangge bench route` is told.
type benchRouteConfig struct {
	PG         string        // PostGIS URL for the side-by-side figures ("none" to skip)
	Points     int           // in-process lookups per measurement
	Repeat     int           // runs of each in-process measurement (the median run is printed)
	Duration   time.Duration // per HTTP measurement
	Clients    int           // keep-alive HTTP clients
	Scale      []int         // synthetic city sizes (grids)
	CSVRows    int           // rows of the route --file measurement
	SwapRounds int           // revisions published in the hot-swap measurement
	PGPoints   int           // points asked of PostGIS one per query
	Profile    string        // CPU profile of the HTTP GET measurement ("" = none)
}

func benchRoute(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c benchRouteConfig
	fs := newFlags("bench route", stderr)
	fs.StringVar(&c.PG, "pg", envOr("WANGGE_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"), "PostGIS database for the side-by-side figures (a throwaway schema is used); none to skip")
	fs.IntVar(&c.Points, "points", 1_000_000, "in-process lookups per measurement")
	fs.IntVar(&c.Repeat, "repeat", 3, "runs of each in-process measurement; the run with the median median is printed, with the range of the runs' medians")
	fs.DurationVar(&c.Duration, "duration", 5*time.Second, "length of each HTTP measurement")
	fs.IntVar(&c.Clients, "clients", 8, "keep-alive HTTP clients")
	scale := fs.String("scale", "1500,15000,50000", "synthetic city sizes (grids) for the scaling figures; empty to skip")
	fs.IntVar(&c.CSVRows, "csv-rows", 1_000_000, "rows of the route --file measurement")
	fs.IntVar(&c.SwapRounds, "swap-rounds", 3, "revisions published in the hot-swap measurement (two PostGIS replicas)")
	fs.IntVar(&c.PGPoints, "pg-points", 20_000, "points asked of PostGIS with one query each")
	fs.StringVar(&c.Profile, "cpuprofile", "", "write a CPU profile of the HTTP GET measurement (server and load generator) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, f := range strings.Split(*scale, ",") {
		if f = strings.TrimSpace(f); f != "" {
			n, err := strconv.Atoi(f)
			if err != nil || n <= 0 {
				return fmt.Errorf("--scale: %q is not a positive number", f)
			}
			c.Scale = append(c.Scale, n)
		}
	}
	out := &benchOut{w: stdout}
	out.line("wangge bench route — %s, GOMAXPROCS=%d, %s", runtime.Version(), runtime.GOMAXPROCS(0), time.Now().UTC().Format(time.RFC3339))

	// 1. The demo district, in memory.
	t0 := time.Now()
	ds, err := demo.Generate(demo.Options{Seed: 1, Reports: 20_000})
	if err != nil {
		return err
	}
	part := partitionOf(ds)
	genTook := time.Since(t0)
	t0 = time.Now()
	snap, err := routing.Build(part, routing.Options{})
	if err != nil {
		return err
	}
	out.line("demo district: %d grids, generated in %v, index built in %v, %.1f MB", snap.Grids(), genTook.Round(time.Millisecond), time.Since(t0).Round(time.Millisecond), float64(snap.IndexBytes())/(1<<20))

	rng := rand.New(rand.NewPCG(1, 2))
	reportPts := make([]orb.Point, c.Points)
	for i := range reportPts {
		reportPts[i] = ds.Reports[rng.IntN(len(ds.Reports))].Location
		// jitter ~±50 m so points are not repeated exactly
		reportPts[i][0] += (rng.Float64() - 0.5) * 0.001
		reportPts[i][1] += (rng.Float64() - 0.5) * 0.001
	}
	box := districtBound(ds)
	uniformPts := randomPoints(rng, box, c.Points)
	// Uniform points that some grid covers: the box holds land outside
	// the district too, answered from one cell read.
	inGrids := make([]orb.Point, 0, c.Points)
	for len(inGrids) < c.Points {
		for _, p := range randomPoints(rng, box, c.Points) {
			if m := snap.Route(p[0], p[1]).Match; len(inGrids) < c.Points && (m == routing.MatchInside || m == routing.MatchEdge) {
				inGrids = append(inGrids, p)
			}
		}
	}

	out.head("in-process lookup (one core, %d points each)", c.Points)
	probe := newMemProbe()
	out.line("memory before: %s", probe.line(rng))
	inProc := map[string]lookupFigures{}
	for _, set := range []struct {
		name string
		pts  []orb.Point
	}{{"report locations", reportPts}, {"uniform in district bbox", uniformPts}, {"uniform in grids", inGrids}} {
		f := repeatLookups(snap, set.pts, c.Repeat)
		inProc[set.name] = f
		out.line("%-26s median %6.0f ns  p90 %6.0f ns  p99 %6.0f ns  mean %6.0f ns  allocs/op %d%s", set.name, f.median, f.p90, f.p99, f.mean, f.allocs, f.spread())
	}
	for _, set := range []struct {
		name string
		pts  []orb.Point
	}{{"report locations", reportPts}, {"uniform in district bbox", uniformPts}, {"uniform in grids", inGrids}} {
		w := measureWarm(snap, set.pts[:min(len(set.pts), 100_000)])
		out.line("%-26s cache-warm (each point 16× in a row): median %3.0f ns  p90 %4.0f ns  p99 %4.0f ns", set.name, w.median, w.p90, w.p99)
	}
	out.line("memory after:  %s", probe.line(rng))

	// 2. Scale.
	if len(c.Scale) > 0 {
		out.head("scaling: synthetic cities (uniform points in the city's bbox)")
		for _, n := range c.Scale {
			var before, after runtime.MemStats
			sds, err := demo.Generate(demo.Options{Seed: 1, Grids: n, Reports: -1})
			if err != nil {
				return err
			}
			sp := partitionOf(sds)
			runtime.GC()
			runtime.ReadMemStats(&before)
			t0 := time.Now()
			ss, err := routing.Build(sp, routing.Options{})
			if err != nil {
				return err
			}
			build := time.Since(t0)
			runtime.GC()
			runtime.ReadMemStats(&after)
			f := repeatLookups(ss, randomPoints(rng, districtBound(sds), min(c.Points, 500_000)), c.Repeat)
			mem := float64(after.HeapAlloc-before.HeapAlloc) / float64(ss.Grids())
			out.line("%6d grids: median %5.0f ns  p99 %6.0f ns  mean %5.0f ns  build %7v  index memory %5.1f KB/grid%s", ss.Grids(), f.median, f.p99, f.mean, build.Round(time.Millisecond), mem/1024, f.spread())
			runtime.KeepAlive(ss)
		}
	}

	// 3. HTTP.
	tmp, err := os.MkdirTemp("", "wangge-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	st, err := sqlitestore.Open(ctx, filepath.Join(tmp, "bench.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	router := routing.NewRouter(snap, routing.Options{})
	srv := api.New(api.Config{}, api.Deps{Store: st, Router: router, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv}
	go hs.Serve(ln)
	defer hs.Close()
	addr := ln.Addr().String()

	bare := bareServer(snap)
	bln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	bhs := &http.Server{Handler: bare}
	go bhs.Serve(bln)
	defer bhs.Close()

	out.head("HTTP GET /api/v1/route on loopback: %d keep-alive clients, %v, server and load generator share %d cores", c.Clients, c.Duration, runtime.GOMAXPROCS(0))
	baseline, err := loadGET(ctx, bln.Addr().String(), "/grid", reportPts, c.Clients, c.Duration)
	if err != nil {
		return err
	}
	out.line("bare net/http returning only a grid code: %8.0f req/s  p50 %6.0f µs  p99 %6.0f µs", baseline.rps, baseline.p50, baseline.p99)
	if c.Profile != "" {
		pf, err := os.Create(c.Profile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			pf.Close()
			return err
		}
		defer pf.Close()
	}
	full, err := loadGET(ctx, addr, "/api/v1/route", reportPts, c.Clients, c.Duration)
	if c.Profile != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return err
	}
	out.line("wangge full answer:                       %8.0f req/s  p50 %6.0f µs  p99 %6.0f µs  (%.2f× the bare server)", full.rps, full.p50, full.p99, full.rps/baseline.rps)

	out.head("HTTP POST /api/v1/route batches of 10,000 points (JSON arrays), 2 clients, %v", c.Duration)
	bps, err := loadBatches(ctx, "http://"+addr+"/api/v1/route", reportPts, 10_000, 2, c.Duration)
	if err != nil {
		return err
	}
	out.line("batch: %.2f M points/s", bps/1e6)

	// 4. route --file.
	out.head("wangge route --file on a %d-row CSV", c.CSVRows)
	csvPath := filepath.Join(tmp, "points.csv")
	if err := writePointsCSV(csvPath, reportPts, c.CSVRows); err != nil {
		return err
	}
	// The command as a user runs it: the store read, the index built
	// (while the file is read), every row routed and written.
	routeDB := filepath.Join(tmp, "route.db")
	if err := loadPartitionFile(ctx, routeDB, ds); err != nil {
		return err
	}
	routedPath := filepath.Join(tmp, "routed.csv")
	t0 = time.Now()
	var cmdErr bytes.Buffer
	if err := runRoute(ctx, []string{"--db", routeDB, "--file", csvPath, "--out", routedPath}, io.Discard, &cmdErr); err != nil {
		return fmt.Errorf("route --file: %v %s", err, cmdErr.String())
	}
	csvTook := time.Since(t0)
	csvRate := float64(c.CSVRows) / csvTook.Seconds()
	out.line("wangge route --db <demo district, embedded file> --file points.csv --out routed.csv: %v for %d rows, %.2f M rows/s (reading the store and building the index included)", csvTook.Round(time.Millisecond), c.CSVRows, csvRate/1e6)
	// The rows alone, with the index already built.
	t0 = time.Now()
	in, err := os.Open(csvPath)
	if err != nil {
		return err
	}
	n, err := routeCSV(func() (*routing.Snapshot, error) { return snap, nil }, in, io.Discard, func(lon, lat float64) (float64, float64) { return lon, lat })
	in.Close()
	if err != nil {
		return err
	}
	rowsTook := time.Since(t0)
	out.line("the rows alone (index already built, output discarded): %v, %.2f M rows/s", rowsTook.Round(time.Millisecond), float64(n)/rowsTook.Seconds()/1e6)

	// 5. PostGIS side by side.
	if c.PG == "none" {
		out.line("\nPostGIS figures skipped (--pg none)")
		return out.err
	}
	out.head("PostGIS ST_Covers with GiST, same grids, same points (%s)", redact(c.PG))
	pg, drop, err := pgstore.OpenScratch(ctx, c.PG, "wangge_bench")
	if err != nil {
		out.line("PostGIS unavailable: %v", err)
		return out.err
	}
	defer drop()
	if _, err := pg.PutAreas(ctx, part.Areas, false, "bench"); err != nil {
		return err
	}
	pgPts := reportPts[:min(c.PGPoints, len(reportPts))]
	// agreement check on the sample, then timings
	single, err := pgOneByOne(ctx, pg, pgPts, 1)
	if err != nil {
		return err
	}
	conc, err := pgOneByOne(ctx, pg, pgPts, c.Clients)
	if err != nil {
		return err
	}
	t0 = time.Now()
	var batched []string
	for i := 0; i < len(pgPts); i += 10_000 {
		codes, err := pg.GridsAt(ctx, pgPts[i:min(i+10_000, len(pgPts))])
		if err != nil {
			return err
		}
		batched = append(batched, codes...)
	}
	batchRate := float64(len(pgPts)) / time.Since(t0).Seconds()
	disagree := 0
	for i, p := range pgPts {
		a := snap.Route(p[0], p[1])
		want := ""
		if a.Match == routing.MatchInside || a.Match == routing.MatchEdge {
			want = a.Grid.Code
		}
		if batched[i] != want {
			disagree++
		}
	}
	out.line("one query per point, 1 connection:   median %6.1f µs/point  (%8.0f points/s)", single.median/1000, single.rate)
	out.line("one query per point, %d connections:                     (%8.0f points/s)", c.Clients, conc.rate)
	out.line("batched with unnest (10,000 a query):                    (%8.0f points/s)", batchRate)
	out.line("agreement with the in-process router on %d points: %d disagreements", len(pgPts), disagree)
	out.head("ratios (wangge ÷ PostGIS)")
	ip := inProc["report locations"]
	out.line("in-process lookup vs one query per point: %.0f× faster (median %.0f ns vs %.1f µs)", single.median/ip.median, ip.median, single.median/1000)
	out.line("HTTP GET vs one query per point over %d connections: %.1f× the throughput", c.Clients, full.rps/conc.rate)
	out.line("HTTP batch vs unnest batches: %.1f× the throughput", bps/batchRate)
	out.line("route --file vs unnest batches: %.1f× the throughput", csvRate/batchRate)

	out.head("hot swap on PostGIS: two replicas of the demo district, each with its own pool and LISTEN connection")
	if err := benchReplicas(ctx, out, pg, snap.Grids(), c.SwapRounds); err != nil {
		return err
	}
	return out.err
}

// benchReplicas runs two routers on the PostGIS store's schema, each with
// its own Store (pool and LISTEN connection) and Watch, publishes rounds
// revisions (a new grid leader each: the whole partition reloads) and
// prints how long after each commit both serve it.
func benchReplicas(ctx context.Context, out *benchOut, pg *pgstore.Store, grids, rounds int) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var routers []*routing.Router
	for range 2 {
		st, err := pgstore.Open(ctx, pg.ConnString())
		if err != nil {
			return err
		}
		defer st.Close()
		r := routing.NewRouter(nil, routing.Options{})
		if err := r.Reload(ctx, st); err != nil {
			return err
		}
		go r.Watch(ctx, st)
		routers = append(routers, r)
	}
	t0 := time.Now()
	p, err := pg.Partition(ctx)
	if err != nil {
		return err
	}
	read := time.Since(t0)
	t0 = time.Now()
	if _, err := routing.Build(p, routing.Options{}); err != nil {
		return err
	}
	out.line("one reload, measured alone: partition read %v, index build %v", read.Round(time.Millisecond), time.Since(t0).Round(time.Millisecond))
	// Each round appoints a leader to another vacant grid: a grid has one
	// leader.
	var grid []string
	for p := range routers[0].Snapshot().VacantGrids() {
		if len(grid) < rounds {
			grid = append(grid, p.Grid.Code)
		}
	}
	if len(grid) < rounds {
		return fmt.Errorf("%d vacant grids to appoint leaders to, %d rounds", len(grid), rounds)
	}
	// await waits until both routers serve the current revision.
	await := func(what string) error {
		committed := time.Now()
		rev, err := pg.CurrentRevision(ctx)
		if err != nil {
			return err
		}
		took := make([]time.Duration, len(routers))
		for k, r := range routers {
			for r.Revision() < rev {
				if time.Since(committed) > time.Minute {
					return fmt.Errorf("replica %d still at revision %d a minute after %d was committed", k+1, r.Revision(), rev)
				}
				time.Sleep(time.Millisecond)
			}
			took[k] = time.Since(committed)
		}
		out.line("revision %d, %s: replica 1 serves it %v after the commit, replica 2 %v", rev, what, took[0].Round(time.Millisecond), took[1].Round(time.Millisecond))
		return nil
	}
	for i := range rounds {
		p := data.Person{Name: fmt.Sprintf("bench leader %d", i+1), Assignments: []data.Assignment{{Role: data.RoleGridLeader, AreaCode: grid[i]}}}
		if err := pg.AddPerson(ctx, &p); err != nil {
			return err
		}
		if err := await("a new grid leader (geometry unchanged: indexes reused)"); err != nil {
			return err
		}
	}
	for i := range rounds {
		// Every boundary moves (the partition shifted by 1e-7° = 1 cm):
		// both indexes are built anew, the worst case of a redraw.
		part, err := pg.Partition(ctx)
		if err != nil {
			return err
		}
		for k := range part.Areas {
			part.Areas[k].Geom = shifted(part.Areas[k].Geom, 1e-7*float64(i+1))
		}
		if _, err := pg.PutAreas(ctx, part.Areas, true, "bench redraw"); err != nil {
			return err
		}
		if err := await(fmt.Sprintf("every boundary of the %d grids moved (indexes rebuilt)", grids)); err != nil {
			return err
		}
	}
	return nil
}

// shifted is g moved north-east by d degrees.
func shifted(g orb.MultiPolygon, d float64) orb.MultiPolygon {
	out := make(orb.MultiPolygon, len(g))
	for i, p := range g {
		out[i] = make(orb.Polygon, len(p))
		for j, r := range p {
			out[i][j] = make(orb.Ring, len(r))
			for k, pt := range r {
				out[i][j][k] = orb.Point{pt[0] + d, pt[1] + d}
			}
		}
	}
	return out
}

// benchOut prints figures and remembers the first write error.
type benchOut struct {
	w   io.Writer
	err error
}

func (b *benchOut) line(format string, args ...any) {
	if b.err == nil {
		_, b.err = fmt.Fprintf(b.w, format+"\n", args...)
	}
}

func (b *benchOut) head(format string, args ...any) { b.line("\n## "+format, args...) }

// partitionOf turns a dataset into the partition a store would return
// for it: people get the IDs an empty store gives them (i+1).
func partitionOf(ds *data.Dataset) data.Partition {
	people := make([]data.Person, len(ds.People))
	copy(people, ds.People)
	for i := range people {
		people[i].ID = int64(i + 1)
	}
	return data.Partition{Revision: 1, Areas: ds.Areas, People: people}
}

func districtBound(ds *data.Dataset) orb.Bound {
	var b orb.Bound
	first := true
	for _, a := range ds.Areas {
		if a.Level != data.LevelDistrict {
			continue
		}
		if first {
			b, first = a.Geom.Bound(), false
		} else {
			b = b.Union(a.Geom.Bound())
		}
	}
	return b
}

func randomPoints(rng *rand.Rand, b orb.Bound, n int) []orb.Point {
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
	}
	return pts
}

type lookupFigures struct {
	median, p90, p99, mean float64 // ns
	allocs                 int64
	runs                   []float64 // medians of every run (repeatLookups), ascending
}

// spread prints the range of the runs' medians when there were several.
func (f lookupFigures) spread() string {
	if len(f.runs) < 2 {
		return ""
	}
	return fmt.Sprintf("  (medians of %d runs: %.0f–%.0f ns)", len(f.runs), f.runs[0], f.runs[len(f.runs)-1])
}

// repeatLookups runs measureLookups n times (the machine's load moves the
// figures) and returns the run whose median is the median of the runs,
// with every run's median.
func repeatLookups(s *routing.Snapshot, pts []orb.Point, n int) lookupFigures {
	runs := make([]lookupFigures, max(n, 1))
	for i := range runs {
		runs[i] = measureLookups(s, pts)
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i].median < runs[j].median })
	f := runs[len(runs)/2]
	for _, r := range runs {
		f.runs = append(f.runs, r.median)
	}
	return f
}

// measureLookups times each lookup on its own (minus the clock's own cost,
// measured the same way) for the percentiles, and the whole run for the
// mean; allocations come from testing.AllocsPerRun.
func measureLookups(s *routing.Snapshot, pts []orb.Point) lookupFigures {
	// warm up
	for _, p := range pts[:min(len(pts), 10000)] {
		s.Route(p[0], p[1])
	}
	runtime.GC()
	per := make([]float64, len(pts))
	overhead := make([]float64, 10000)
	for i := range overhead {
		t0 := time.Now()
		overhead[i] = float64(time.Since(t0))
	}
	sort.Float64s(overhead)
	clock := overhead[len(overhead)/2]
	var sink int
	for i, p := range pts {
		t0 := time.Now()
		a := s.Route(p[0], p[1])
		per[i] = float64(time.Since(t0)) - clock
		sink += len(a.Match)
	}
	t0 := time.Now()
	for _, p := range pts {
		a := s.Route(p[0], p[1])
		sink += len(a.Match)
	}
	mean := float64(time.Since(t0)) / float64(len(pts))
	sort.Float64s(per)
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		p := pts[i%len(pts)]
		i++
		a := s.Route(p[0], p[1])
		sink += len(a.Match)
	})
	_ = sink
	q := func(f float64) float64 { return max(per[int(f*float64(len(per)-1))], 0) }
	return lookupFigures{median: q(0.5), p90: q(0.9), p99: q(0.99), mean: mean, allocs: int64(allocs)}
}

// measureWarm times each point looked up 16 times in a row (so its cell,
// list and edges are in cache): the cost of the computation alone.
func measureWarm(s *routing.Snapshot, pts []orb.Point) lookupFigures {
	per := make([]float64, len(pts))
	var sink int
	for i, p := range pts {
		t0 := time.Now()
		for k := 0; k < 16; k++ {
			a := s.Route(p[0], p[1])
			sink += len(a.Match)
		}
		per[i] = float64(time.Since(t0)) / 16
	}
	_ = sink
	sort.Float64s(per)
	q := func(f float64) float64 { return per[int(f*float64(len(per)-1))] }
	return lookupFigures{median: q(0.5), p90: q(0.9), p99: q(0.99)}
}

// bareServer is the baseline: net/http answering only the grid code.
func bareServer(s *routing.Snapshot) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		lon, _ := strconv.ParseFloat(q.Get("lon"), 64)
		lat, _ := strconv.ParseFloat(q.Get("lat"), 64)
		a := s.Route(lon, lat)
		w.Write([]byte(a.Grid.Code))
	})
}

type loadFigures struct{ rps, p50, p99 float64 }

// loadGET drives GET path?lon=&lat= through rawLoad and returns req/s
// and latency percentiles (µs).
func loadGET(ctx context.Context, addr, path string, pts []orb.Point, clients int, d time.Duration) (loadFigures, error) {
	lat, err := rawLoad(ctx, addr, clients, d, "HTTP/1.1 200", func(req []byte, i int) []byte {
		p := pts[i%len(pts)]
		req = append(req, "GET "...)
		req = append(req, path...)
		req = append(req, "?lon="...)
		req = strconv.AppendFloat(req, p[0], 'f', 6, 64)
		req = append(req, "&lat="...)
		req = strconv.AppendFloat(req, p[1], 'f', 6, 64)
		return append(req, " HTTP/1.1\r\nHost: bench\r\n\r\n"...)
	})
	if err != nil {
		return loadFigures{}, err
	}
	var all []float64
	for _, r := range lat {
		all = append(all, r...)
	}
	if len(all) == 0 {
		return loadFigures{}, errors.New("no request completed")
	}
	sort.Float64s(all)
	return loadFigures{rps: float64(len(all)) / d.Seconds(), p50: all[len(all)/2], p99: all[len(all)*99/100]}, nil
}

// rawLoad drives a server with clients raw HTTP/1.1 keep-alive
// connections for d — a load generator that costs far less than net/http's
// client, so the server gets most of the CPU. Request i is built by
// request (appending to a reused buffer); every answer's status line must
// start with want. It returns each client's latencies in µs.
func rawLoad(ctx context.Context, addr string, clients int, d time.Duration, want string, request func(req []byte, i int) []byte) ([][]float64, error) {
	var wg sync.WaitGroup
	lat := make([][]float64, clients)
	var failed atomic.Value
	deadline := time.Now().Add(d)
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				failed.Store(err)
				return
			}
			defer conn.Close()
			br := bufio.NewReaderSize(conn, 64<<10)
			rec := make([]float64, 0, 1<<16)
			var req []byte
			for i := c; time.Now().Before(deadline) && ctx.Err() == nil; i += clients {
				req = request(req[:0], i)
				t0 := time.Now()
				if _, err := conn.Write(req); err != nil {
					failed.Store(err)
					return
				}
				if err := readStatus(br, want); err != nil {
					failed.Store(err)
					return
				}
				rec = append(rec, float64(time.Since(t0))/1e3)
			}
			lat[c] = rec
		}(c)
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		return nil, err
	}
	return lat, nil
}

// loadBatches posts JSON-array batches of size points and returns points/s.
func loadBatches(ctx context.Context, url string, pts []orb.Point, size, clients int, d time.Duration) (float64, error) {
	bodies := make([][]byte, 8)
	for k := range bodies {
		var b bytes.Buffer
		b.WriteByte('[')
		for i := 0; i < size; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			p := pts[(k*size+i)%len(pts)]
			fmt.Fprintf(&b, "[%.6f,%.6f]", p[0], p[1])
		}
		b.WriteByte(']')
		bodies[k] = b.Bytes()
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	var wg sync.WaitGroup
	var done atomic.Int64
	var failed atomic.Value
	t0 := time.Now()
	deadline := t0.Add(d)
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := c; time.Now().Before(deadline) && ctx.Err() == nil; i++ {
				resp, err := client.Post(url, "application/json", bytes.NewReader(bodies[i%len(bodies)]))
				if err != nil {
					failed.Store(err)
					return
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 {
					failed.Store(fmt.Errorf("batch: status %d %v", resp.StatusCode, err))
					return
				}
				done.Add(int64(size))
			}
		}(c)
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		return 0, err
	}
	return float64(done.Load()) / time.Since(t0).Seconds(), nil
}

// loadPartitionFile writes the areas and people of ds into a new embedded
// store at path.
func loadPartitionFile(ctx context.Context, path string, ds *data.Dataset) error {
	st, err := sqlitestore.Open(ctx, path)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	people := make([]data.Person, len(ds.People))
	copy(people, ds.People)
	_, err = st.Load(ctx, &data.Dataset{Areas: ds.Areas, People: people})
	return err
}

// writePointsCSV writes rows points (cycling through pts) as a CSV of id,
// lon, lat.
func writePointsCSV(path string, pts []orb.Point, rows int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("id,lon,lat,note\n")
	var b []byte
	for i := 0; i < rows; i++ {
		p := pts[i%len(pts)]
		b = strconv.AppendInt(b[:0], int64(i+1), 10)
		b = append(b, ',')
		b = strconv.AppendFloat(b, p[0], 'f', 6, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, p[1], 'f', 6, 64)
		b = append(b, ",patrol\n"...)
		w.Write(b)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

type pgFigures struct{ median, rate float64 } // median ns per query, points/s

// pgOneByOne asks PostGIS one query per point from clients goroutines.
func pgOneByOne(ctx context.Context, pg *pgstore.Store, pts []orb.Point, clients int) (pgFigures, error) {
	per := make([]float64, len(pts))
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	t0 := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(pts) {
					return
				}
				s := time.Now()
				if _, err := pg.GridAt(ctx, pts[i][0], pts[i][1]); err != nil {
					failed.Store(err)
					return
				}
				per[i] = float64(time.Since(s))
			}
		}()
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		return pgFigures{}, err
	}
	took := time.Since(t0)
	sort.Float64s(per)
	return pgFigures{median: per[len(per)/2], rate: float64(len(pts)) / took.Seconds()}, nil
}
