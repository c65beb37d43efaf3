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
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/api"
	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/data/pgstore"
	"github.com/wangge-dev/wangge/data/sqlitestore"
	"github.com/wangge-dev/wangge/demo"
	"github.com/wangge-dev/wangge/routing"
	"github.com/wangge-dev/wangge/workflow"
)

// benchReportsConfig is what `wangge bench reports` is told.
type benchReportsConfig struct {
	PG           string        // PostGIS URL ("none" to skip the PostGIS store)
	Duration     time.Duration // per measurement
	Clients      int           // concurrent keep-alive clients for single reports
	BatchSize    int           // reports per batch request
	BatchClients int           // concurrent clients for batches
	DemoReports  int           // historical reports loaded with the demo district
}

// benchReports measures report intake over HTTP — POST /api/v1/reports
// (one report a request) and POST /api/v1/reports/batch — on the embedded
// SQLite store and on PostGIS, each loaded with the demo district and
// driven with a command-center token. Every 2xx is a committed report.
func benchReports(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c benchReportsConfig
	fs := newFlags("bench reports", stderr)
	fs.StringVar(&c.PG, "pg", envOr("WANGGE_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"), "PostGIS database (a throwaway schema is used and dropped); none to skip")
	fs.DurationVar(&c.Duration, "duration", 5*time.Second, "length of each measurement")
	fs.IntVar(&c.Clients, "clients", 8, "concurrent keep-alive clients posting one report a request")
	fs.IntVar(&c.BatchSize, "batch", 1000, "reports per batch request")
	fs.IntVar(&c.BatchClients, "batch-clients", 2, "concurrent clients posting batches")
	fs.IntVar(&c.DemoReports, "demo-reports", 20_000, "historical reports loaded with the demo district")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.Clients <= 0 || c.BatchClients <= 0 || c.BatchSize <= 0 {
		return errors.New("bench reports: --clients, --batch-clients and --batch must be positive")
	}
	out := &benchOut{w: stdout}
	out.line("wangge bench reports — %s, GOMAXPROCS=%d, %s", runtime.Version(), runtime.GOMAXPROCS(0), time.Now().UTC().Format(time.RFC3339))
	ds, err := demo.Generate(demo.Options{Seed: 1, Reports: c.DemoReports, Now: time.Now()})
	if err != nil {
		return err
	}
	// Report locations: the demo's, jittered by up to ±50 m.
	rng := rand.New(rand.NewPCG(3, 4))
	pts := make([]orb.Point, 50_000)
	for i := range pts {
		p := ds.Reports[rng.IntN(len(ds.Reports))].Location
		pts[i] = orb.Point{p[0] + (rng.Float64()-0.5)*0.001, p[1] + (rng.Float64()-0.5)*0.001}
	}
	tmp, err := os.MkdirTemp("", "wangge-bench-reports-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	type storeCase struct {
		name string
		open func() (data.Store, func(), error)
	}
	cases := []storeCase{{"sqlite (embedded, temp file)", func() (data.Store, func(), error) {
		st, err := sqlitestore.Open(ctx, filepath.Join(tmp, "reports.db"))
		if err != nil {
			return nil, nil, err
		}
		if err := st.Migrate(ctx); err != nil {
			st.Close()
			return nil, nil, err
		}
		return st, func() { st.Close() }, nil
	}}}
	if c.PG != "none" {
		cases = append(cases, storeCase{"PostGIS (" + redact(c.PG) + ", scratch schema)", func() (data.Store, func(), error) {
			st, drop, err := pgstore.OpenScratch(ctx, c.PG, "wangge_bench_reports")
			if err != nil {
				return nil, nil, err
			}
			return st, func() { _ = drop() }, nil
		}})
	}
	for _, sc := range cases {
		out.head("%s", sc.name)
		st, closeStore, err := sc.open()
		if err != nil {
			out.line("store unavailable: %v", err)
			continue
		}
		err = benchReportsOn(ctx, out, st, ds, pts, c)
		closeStore()
		if err != nil {
			return fmt.Errorf("%s: %w", sc.name, err)
		}
	}
	return out.err
}

// benchReportsOn loads the demo into st, serves the API on loopback and
// measures single and batch intake.
func benchReportsOn(ctx context.Context, out *benchOut, st data.Store, ds *data.Dataset, pts []orb.Point, c benchReportsConfig) error {
	t0 := time.Now()
	if _, err := st.Load(ctx, ds); err != nil {
		return err
	}
	router := routing.NewRouter(nil, routing.Options{})
	if err := router.Reload(ctx, st); err != nil {
		return err
	}
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	wf := workflow.New(st, func(lon, lat float64) data.Routing {
		a := router.Route(lon, lat)
		return a.Routing()
	}, time.Now, workflow.Config{Logger: discard})
	people, err := st.ListPeople(ctx, data.RoleCommandCenter, "")
	if err != nil {
		return err
	}
	if len(people) == 0 {
		return errors.New("the demo district has no command-center person")
	}
	tok, err := wf.IssueToken(ctx, people[0].ID, "bench reports")
	if err != nil {
		return err
	}
	out.line("demo district loaded (%d grids, %d reports) and routed in %v; token of %s (%s)", router.Snapshot().Grids(), len(ds.Reports), time.Since(t0).Round(time.Millisecond), people[0].Name, data.RoleCommandCenter)
	srv := api.New(api.Config{}, api.Deps{Store: st, Router: router, Workflow: wf, Log: discard})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv}
	go hs.Serve(ln)
	defer hs.Close()
	addr := ln.Addr().String()

	before, err := countReports(ctx, st)
	if err != nil {
		return err
	}
	single, err := loadReports(ctx, addr, tok, pts, c.Clients, c.Duration)
	if err != nil {
		return err
	}
	out.line("POST /api/v1/reports, %d keep-alive clients, %v: %7.0f reports/s  p50 %6.2f ms  p99 %6.2f ms  (%d created)", c.Clients, c.Duration, single.rps, single.p50/1000, single.p99/1000, single.n)
	batch, err := loadReportBatches(ctx, "http://"+addr+"/api/v1/reports/batch", tok, pts, c.BatchSize, c.BatchClients, c.Duration)
	if err != nil {
		return err
	}
	out.line("POST /api/v1/reports/batch, %d reports a request, %d clients, %v: %7.0f reports/s  p50 %6.1f ms  p99 %6.1f ms per batch  (%d created)", c.BatchSize, c.BatchClients, c.Duration, batch.rps, batch.p50/1000, batch.p99/1000, batch.n)
	after, err := countReports(ctx, st)
	if err != nil {
		return err
	}
	out.line("store check: %d reports before, %d after: %d new (the requests above acknowledged %d)", before, after, after-before, single.n+batch.n)
	if after-before != single.n+batch.n {
		return fmt.Errorf("store holds %d new reports but %d were acknowledged", after-before, single.n+batch.n)
	}
	return nil
}

// countReports counts every report in the store.
func countReports(ctx context.Context, st data.Store) (int64, error) {
	_, n, err := st.ListReports(ctx, data.ReportQuery{Limit: 1})
	return int64(n), err
}

type intakeFigures struct {
	rps, p50, p99 float64 // reports/s; latency of one request in µs
	n             int64   // reports acknowledged
}

var benchCategories = []string{"facility_damage", "safety_hazard", "fire_equipment", "neighbour_dispute", "resident_request", "population_change", "floating_population", "other"}

// reportBody is one report's JSON.
func reportBody(b []byte, i int, p orb.Point) []byte {
	b = append(b, `{"category":"`...)
	b = append(b, benchCategories[i%len(benchCategories)]...)
	b = append(b, `","description":"bench report `...)
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, `","lon":`...)
	b = strconv.AppendFloat(b, p[0], 'f', 6, 64)
	b = append(b, `,"lat":`...)
	b = strconv.AppendFloat(b, p[1], 'f', 6, 64)
	b = append(b, `,"source":"patrol"}`...)
	return b
}

// loadReports posts one report a request from clients raw keep-alive
// connections for d and records each latency.
func loadReports(ctx context.Context, addr, tok string, pts []orb.Point, clients int, d time.Duration) (intakeFigures, error) {
	t0 := time.Now()
	lat, err := rawLoad(ctx, addr, clients, d, "HTTP/1.1 201", func(req []byte, i int) []byte {
		body := reportBody(nil, i, pts[i%len(pts)])
		req = append(req, "POST /api/v1/reports HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nAuthorization: Bearer "...)
		req = append(req, tok...)
		req = append(req, "\r\nContent-Length: "...)
		req = strconv.AppendInt(req, int64(len(body)), 10)
		req = append(req, "\r\n\r\n"...)
		return append(req, body...)
	})
	took := time.Since(t0)
	if err != nil {
		return intakeFigures{}, err
	}
	n := int64(0)
	for _, r := range lat {
		n += int64(len(r))
	}
	return figures(lat, n, n, took)
}

// loadReportBatches posts batches of size reports from clients for d.
func loadReportBatches(ctx context.Context, url, tok string, pts []orb.Point, size, clients int, d time.Duration) (intakeFigures, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	var wg sync.WaitGroup
	lat := make([][]float64, clients)
	var failed atomic.Value
	var done atomic.Int64
	t0 := time.Now()
	deadline := t0.Add(d)
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			var body []byte
			var rec []float64
			for k := c; time.Now().Before(deadline) && ctx.Err() == nil; k += clients {
				body = append(body[:0], '[')
				for i := 0; i < size; i++ {
					if i > 0 {
						body = append(body, ',')
					}
					n := 1_000_000 + k*size + i
					body = reportBody(body, n, pts[n%len(pts)])
				}
				body = append(body, ']')
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
				if err != nil {
					failed.Store(err)
					return
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+tok)
				s := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					failed.Store(err)
					return
				}
				msg, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated {
					failed.Store(fmt.Errorf("batch: status %d: %s", resp.StatusCode, bytes.TrimSpace(msg)))
					return
				}
				rec = append(rec, float64(time.Since(s))/1e3)
				done.Add(int64(size))
			}
			lat[c] = rec
		}(c)
	}
	wg.Wait()
	took := time.Since(t0)
	if err, _ := failed.Load().(error); err != nil {
		return intakeFigures{}, err
	}
	return figures(lat, done.Load(), done.Load(), took)
}

// figures turns per-client latencies (µs) into rates and percentiles;
// rate counts n items over took (which includes requests in flight at the
// deadline).
func figures(lat [][]float64, n, acked int64, took time.Duration) (intakeFigures, error) {
	var all []float64
	for _, r := range lat {
		all = append(all, r...)
	}
	if len(all) == 0 {
		return intakeFigures{}, errors.New("no request completed")
	}
	sort.Float64s(all)
	return intakeFigures{rps: float64(n) / took.Seconds(), p50: all[len(all)/2], p99: all[len(all)*99/100], n: acked}, nil
}

// readStatus reads one HTTP/1.1 response with a Content-Length body and
// checks that its status line starts with want.
func readStatus(br *bufio.Reader, want string) error {
	status, err := br.ReadSlice('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(string(status), want) {
		line := strings.TrimSpace(string(status))
		n := -1
		for {
			l, err := br.ReadSlice('\n')
			if err != nil || len(l) <= 2 {
				break
			}
			if len(l) > 16 && strings.EqualFold(string(l[:15]), "Content-Length:") {
				n, _ = strconv.Atoi(strings.TrimSpace(string(l[15:])))
			}
		}
		body := make([]byte, max(n, 0))
		_, _ = io.ReadFull(br, body)
		return fmt.Errorf("unexpected status %q: %s", line, bytes.TrimSpace(body))
	}
	n := -1
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) <= 2 {
			break
		}
		if len(line) > 16 && bytes.EqualFold(line[:15], []byte("Content-Length:")) {
			n, _ = strconv.Atoi(string(bytes.TrimSpace(line[15:])))
		}
	}
	if n < 0 {
		return errors.New("response without Content-Length")
	}
	_, err = br.Discard(n)
	return err
}
