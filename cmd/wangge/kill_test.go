package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/internal/pgtest"
	"github.com/wangge-dev/wangge/workflow"
	wt "github.com/wangge-dev/wangge/workflow/workflowtest"
)

// TestKillDurability submits 100,000 reports over HTTP to a real `wangge
// serve` from several concurrent clients (single POSTs with an
// Idempotency-Key, and batches), SIGKILLs the server after 30,000
// acknowledgements, restarts it on the same store, finishes the run, and
// checks that every id acknowledged with a 2xx is in the store: nothing
// acknowledged is lost. On both stores; -short scales it to 10,000.
func TestKillDurability(t *testing.T) {
	total, killAt := 100_000, 30_000
	if testing.Short() {
		total, killAt = 10_000, 3_000
	}
	for _, kind := range []string{"sqlite", "postgis"} {
		t.Run(kind, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "kill.db")
			if kind == "postgis" {
				db = pgtest.FreshSchema(t)
			}
			runKill(t, db, total, killAt)
		})
	}
}

// killState is the server the clients talk to; ready is closed while it runs.
type killState struct {
	mu    sync.Mutex
	url   string
	ready chan struct{}
}

func (k *killState) get() (string, chan struct{}) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.url, k.ready
}

func runKill(t *testing.T, db string, total, killAt int) {
	ctx := context.Background()
	// The fixture district and a command-center token (batches need one).
	st, err := openStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Load(ctx, wt.Dataset(time.Now())); err != nil {
		t.Fatal(err)
	}
	tok, err := workflow.New(st, wt.Route, nil, workflow.Config{}).IssueToken(ctx, wt.CC, "kill test")
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	args := []string{"--db", db, "--demo", "never", "--dashboard-token", "none"}
	srv := startServer(t, args...)
	state := &killState{url: srv.url, ready: make(chan struct{})}
	close(state.ready)

	const batchSize = 200
	var (
		handed   atomic.Int64 // reports handed to clients
		acked    atomic.Int64
		singles  atomic.Int64 // acknowledged by single POSTs
		replays  atomic.Int64 // single POSTs answered 200 (Idempotency-Key replay after a lost answer)
		failures atomic.Int64 // non-2xx answers (not network errors)
		firstBad atomic.Value
		idsMu    sync.Mutex
		ids      = make([]int64, 0, total)
	)
	take := func(n int) int {
		end := handed.Add(int64(n))
		if start := end - int64(n); start < int64(total) {
			return int(min(end, int64(total)) - start)
		}
		return 0
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	report := func(rng *rand.Rand, i int) map[string]any {
		return map[string]any{"category": "facility_damage", "description": "kill test " + strconv.Itoa(i),
			"lon": 120 + rng.Float64(), "lat": 36 + rng.Float64()}
	}
	// post sends body until it gets an HTTP answer, waiting out a restart
	// after a network error. It returns the status and body.
	post := func(path string, body []byte, hdr map[string]string) (int, []byte, bool) {
		for attempt := 0; attempt < 1000; attempt++ {
			url, ready := state.get()
			select {
			case <-ready:
			case <-time.After(90 * time.Second):
				return 0, nil, false
			}
			req, _ := http.NewRequest("POST", url+path, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+tok)
			for k, v := range hdr {
				req.Header.Set(k, v)
			}
			res, err := client.Do(req)
			if err != nil {
				// The server is gone: wait for the restart (ready is
				// replaced before the kill), then retry.
				_, r2 := state.get()
				select {
				case <-r2:
				case <-time.After(90 * time.Second):
					return 0, nil, false
				}
				continue
			}
			b, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil {
				continue // cut mid-answer: not acknowledged
			}
			return res.StatusCode, b, true
		}
		return 0, nil, false
	}
	fail := func(msg string) {
		failures.Add(1)
		firstBad.CompareAndSwap(nil, msg)
	}

	start := time.Now()
	var wg sync.WaitGroup
	// Single-report clients: an Idempotency-Key per report makes a retry
	// after a lost answer safe; its replay (200) carries the same id.
	for c := 0; c < 4; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), 1))
			for take(1) == 1 {
				i := int(handed.Load())
				body, _ := json.Marshal(report(rng, i))
				code, b, ok := post("/api/v1/reports", body, map[string]string{"Idempotency-Key": fmt.Sprintf("kill-%d-%d", c, rng.Uint64())})
				if !ok {
					fail("single: no answer")
					return
				}
				var m struct {
					Report struct {
						ID int64 `json:"id"`
					} `json:"report"`
				}
				if code/100 != 2 || json.Unmarshal(b, &m) != nil || m.Report.ID == 0 {
					fail(fmt.Sprintf("single: %d %.200s", code, b))
					continue
				}
				idsMu.Lock()
				ids = append(ids, m.Report.ID)
				idsMu.Unlock()
				acked.Add(1)
				singles.Add(1)
				if code == 200 {
					replays.Add(1)
				}
			}
		}()
	}
	// Batch clients.
	for c := 0; c < 2; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), 2))
			for {
				n := take(batchSize)
				if n == 0 {
					return
				}
				items := make([]map[string]any, n)
				for i := range items {
					items[i] = report(rng, i)
				}
				body, _ := json.Marshal(items)
				code, b, ok := post("/api/v1/reports/batch", body, nil)
				if !ok {
					fail("batch: no answer")
					return
				}
				var m struct {
					IDs []int64 `json:"ids"`
				}
				if code != 201 || json.Unmarshal(b, &m) != nil || len(m.IDs) != n {
					fail(fmt.Sprintf("batch: %d %.200s", code, b))
					continue
				}
				idsMu.Lock()
				ids = append(ids, m.IDs...)
				idsMu.Unlock()
				acked.Add(int64(n))
			}
		}()
	}

	// SIGKILL once killAt reports are acknowledged, then restart.
	deadline := time.Now().Add(5 * time.Minute)
	for acked.Load() < int64(killAt) {
		if time.Now().After(deadline) || failures.Load() > 0 {
			t.Fatalf("only %d acknowledged before the kill (failures %d: %v)\n%s", acked.Load(), failures.Load(), firstBad.Load(), tail(srv.logf))
		}
		time.Sleep(5 * time.Millisecond)
	}
	state.mu.Lock()
	state.ready = make(chan struct{})
	state.mu.Unlock()
	atKill := acked.Load()
	srv.kill(t)
	killedAt := time.Since(start)
	srv2 := startServer(t, args...)
	state.mu.Lock()
	state.url = srv2.url
	close(state.ready)
	state.mu.Unlock()
	wg.Wait()
	elapsed := time.Since(start)
	if n := failures.Load(); n > 0 {
		t.Fatalf("%d requests failed, first: %v\n%s", n, firstBad.Load(), tail(srv2.logf))
	}
	if err := srv2.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-srv2.done

	// Every acknowledged id must be stored.
	st, err = openStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	slices.Sort(ids)
	if len(slices.Compact(slices.Clone(ids))) != len(ids) {
		t.Errorf("an id was acknowledged twice")
	}
	missing := 0
	for i := 0; i < len(ids); i += 1000 {
		chunk := ids[i:min(i+1000, len(ids))]
		rs, _, err := st.ListReports(ctx, data.ReportQuery{IDs: chunk})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != len(chunk) {
			have := map[int64]bool{}
			for _, r := range rs {
				have[r.ID] = true
			}
			for _, id := range chunk {
				if !have[id] {
					missing++
					if missing <= 5 {
						t.Errorf("acknowledged id %d is not in the store", id)
					}
				}
			}
		}
	}
	_, stored, err := st.ListReports(ctx, data.ReportQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if missing > 0 || len(ids) != total {
		t.Fatalf("%d of %d acknowledged ids missing; acknowledged %d of %d submitted", missing, len(ids), len(ids), total)
	}
	if singles.Load() == 0 {
		t.Errorf("no report went through the single POST endpoint")
	}
	if stored < len(ids) {
		t.Fatalf("store holds %d reports, fewer than the %d acknowledged", stored, len(ids))
	}
	t.Logf("%s: %d acknowledged (%d by single POSTs, %d of them replays; %d before the SIGKILL at %v), %d stored, all found; %.1fs in all",
		st.Kind(), len(ids), singles.Load(), replays.Load(), atKill, killedAt.Round(time.Millisecond), stored, elapsed.Seconds())
}
