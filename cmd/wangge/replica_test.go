package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wangge-dev/wangge/internal/pgtest"
)

// The tests of this file and kill_test.go run the real binary: built once
// per test process with `go build`, started with exec, stopped with a
// signal.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildDir  string
)

// wanggeBinary builds ./cmd/wangge once and returns the executable's path.
func wanggeBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "wangge-bin-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "wangge")
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		out, err := exec.Command(goTool, "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// server is one running `wangge serve` process.
type server struct {
	cmd  *exec.Cmd
	url  string // http://127.0.0.1:PORT
	logf string // its stderr
	done chan error
}

// startServer runs `wangge serve --addr 127.0.0.1:0 args…` and returns once
// it has printed its address. The process is killed at the end of the test
// if it still runs.
func startServer(t *testing.T, args ...string) *server {
	t.Helper()
	bin := wanggeBinary(t)
	logf := filepath.Join(t.TempDir(), "serve.log")
	lf, err := os.Create(logf)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Stderr = lf
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, logf: logf, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
				addr <- a
			}
		}
		close(addr)
		s.done <- cmd.Wait()
		lf.Close()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-s.done
		}
	})
	select {
	case a, ok := <-addr:
		if !ok {
			t.Fatalf("wangge serve exited before listening:\n%s", tail(logf))
		}
		s.url = a
	case <-time.After(60 * time.Second):
		t.Fatalf("wangge serve did not listen within 60 s:\n%s", tail(logf))
	}
	return s
}

// kill sends SIGKILL and waits for the process to end.
func (s *server) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-s.done
}

// tail returns the last lines of a log file, for failure messages.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// getJSON GETs url and decodes a JSON object.
func getJSON(c *http.Client, url string) (map[string]any, int, error) {
	res, err := c.Get(url)
	if err != nil {
		return nil, 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, res.StatusCode, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, res.StatusCode, fmt.Errorf("%v: %.200s", err, b)
	}
	return m, res.StatusCode, nil
}

// Rings of the second partition: the district is unchanged, the border
// between its two grids moves from lon 120.01 to 120.004 and the grids get
// new codes, so a point at lon 120.005 goes from G1 to G9.
const (
	ringG8 = `[[120,36],[120.004,36],[120.004,36.02],[120,36.02],[120,36]]`
	ringG9 = `[[120.004,36],[120.02,36],[120.02,36.02],[120.004,36.02],[120.004,36]]`
)

// TestReplicasHotSwap starts two `wangge serve` processes on one PostGIS
// schema, publishes a new partition through a third process (`wangge import
// grids --replace`), and checks that both servers route from the new
// revision without a restart: PostgreSQL LISTEN/NOTIFY reaches every
// replica. A grid leader appointed by another process (`wangge user add`)
// and relieved again (`wangge user set`) reaches them the same way.
func TestReplicasHotSwap(t *testing.T) {
	db := pgtest.FreshSchema(t)
	bin := wanggeBinary(t)
	importGrids := func(name, body string, extra ...string) {
		t.Helper()
		f := writeFile(t, name, body)
		args := append([]string{"import", "grids", f, "--db", db, "-q"}, extra...)
		if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			t.Fatalf("wangge %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	importGrids("v1.geojson", collection(feature("D", "", "district", ringD), feature("G1", "D", "grid", ringG1), feature("G2", "D", "grid", ringG2)))
	rev1 := currentRevision(t, db)

	a := startServer(t, "--db", db, "--demo", "never", "--dashboard-token", "none")
	b := startServer(t, "--db", db, "--demo", "never", "--dashboard-token", "none")
	client := &http.Client{Timeout: 5 * time.Second}
	const probe = "/api/v1/route?lon=120.005&lat=36.01"

	// state asks a server which revision it serves and where the probe goes.
	state := func(s *server) (rev float64, grid string, err error) {
		m, code, err := getJSON(client, s.url+"/readyz")
		if err != nil || code != 200 {
			return 0, "", fmt.Errorf("readyz: %d %v", code, err)
		}
		rev, _ = m["revision"].(float64)
		r, code, err := getJSON(client, s.url+probe)
		if err != nil || code != 200 {
			return 0, "", fmt.Errorf("route: %d %v", code, err)
		}
		g, _ := r["grid"].(map[string]any)
		grid, _ = g["code"].(string)
		if rr, _ := r["revision"].(float64); rr != rev && rr < rev {
			return 0, "", fmt.Errorf("route answered from revision %v after readyz said %v", rr, rev)
		}
		return rev, grid, nil
	}
	for name, s := range map[string]*server{"a": a, "b": b} {
		rev, grid, err := state(s)
		if err != nil || rev != float64(rev1) || grid != "G1" {
			t.Fatalf("replica %s before: revision %v grid %q err %v (want %d, G1)", name, rev, grid, err, rev1)
		}
	}

	importGrids("v2.geojson", collection(feature("D", "", "district", ringD), feature("G8", "D", "grid", ringG8), feature("G9", "D", "grid", ringG9)), "--replace")
	committed := time.Now() // the import process has exited: its transaction is committed
	rev2 := currentRevision(t, db)
	if rev2 <= rev1 {
		t.Fatalf("revision %d after the import, was %d", rev2, rev1)
	}

	// Bounded wait: both replicas must serve rev2 within a few seconds.
	deadline := time.Now().Add(10 * time.Second)
	for name, s := range map[string]*server{"a": a, "b": b} {
		for {
			rev, grid, err := state(s)
			if err == nil && rev == float64(rev2) {
				if grid != "G9" {
					t.Fatalf("replica %s serves revision %v but routes the probe to %q, want G9", name, rev, grid)
				}
				t.Logf("replica %s serves revision %d %v after the import committed (polled every 20 ms)", name, rev2, time.Since(committed).Round(time.Millisecond))
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("replica %s still at revision %v (grid %q, err %v), want %d\n%s", name, rev, grid, err, rev2, tail(s.logf))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// A batch routed after the swap is answered wholly from the new revision.
	for name, s := range map[string]*server{"a": a, "b": b} {
		res, err := client.Post(s.url+"/api/v1/route", "application/json", strings.NewReader(`[[120.001,36.01],[120.005,36.01],[120.015,36.01]]`))
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			Revision int64 `json:"revision"`
			Results  []struct {
				Grid string `json:"grid"`
			} `json:"results"`
		}
		err = json.NewDecoder(res.Body).Decode(&m)
		res.Body.Close()
		if err != nil || m.Revision != rev2 || len(m.Results) != 3 || m.Results[0].Grid != "G8" || m.Results[1].Grid != "G9" || m.Results[2].Grid != "G9" {
			t.Errorf("replica %s batch after the swap: %+v %v", name, m, err)
		}
	}

	// A grid leader appointed by a third process (`wangge user add`)
	// reaches both replicas the same way: the probe, in vacant G9, then
	// names them.
	leader := func(s *server) (name string, vacant bool, rev float64, err error) {
		r, code, err := getJSON(client, s.url+probe)
		if err != nil || code != 200 {
			return "", false, 0, fmt.Errorf("route: %d %v", code, err)
		}
		l, _ := r["leader"].(map[string]any)
		name, _ = l["name"].(string)
		vacant, _ = r["vacant"].(bool)
		rev, _ = r["revision"].(float64)
		return name, vacant, rev, nil
	}
	for name, s := range map[string]*server{"a": a, "b": b} {
		if got, vacant, _, err := leader(s); err != nil || got != "" || !vacant {
			t.Fatalf("replica %s before the appointment: leader %q vacant %v err %v (want none, vacant)", name, got, vacant, err)
		}
	}
	out, err := exec.Command(bin, "user", "add", "--db", db, "--name", "Leader Nine", "--phone", "139", "--role", "grid_leader:G9").CombinedOutput()
	if err != nil {
		t.Fatalf("wangge user add: %v\n%s", err, out)
	}
	var leaderID int64
	if _, err := fmt.Sscanf(string(out), "person %d added", &leaderID); err != nil {
		t.Fatalf("wangge user add printed %q: %v", out, err)
	}
	committed = time.Now()
	rev3 := currentRevision(t, db)
	if rev3 <= rev2 {
		t.Fatalf("revision %d after appointing a grid leader, was %d", rev3, rev2)
	}
	deadline = time.Now().Add(10 * time.Second)
	for name, s := range map[string]*server{"a": a, "b": b} {
		for {
			got, vacant, rev, err := leader(s)
			if err == nil && got == "Leader Nine" && !vacant && rev == float64(rev3) {
				t.Logf("replica %s names the new leader (revision %d) %v after the appointment committed", name, rev3, time.Since(committed).Round(time.Millisecond))
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("replica %s: leader %q vacant %v revision %v err %v; want Leader Nine at revision %d\n%s", name, got, vacant, rev, err, rev3, tail(s.logf))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	// Relieved of the post (`wangge user set`, roles replaced): G9 is
	// vacant again on both replicas.
	if out, err := exec.Command(bin, "user", "set", "--db", db, "--id", fmt.Sprint(leaderID), "--role", "grid_staff:G9").CombinedOutput(); err != nil {
		t.Fatalf("wangge user set: %v\n%s", err, out)
	}
	deadline = time.Now().Add(10 * time.Second)
	for name, s := range map[string]*server{"a": a, "b": b} {
		for {
			got, vacant, rev, err := leader(s)
			if err == nil && got == "" && vacant && rev > float64(rev3) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("replica %s after user set: leader %q vacant %v revision %v err %v; want vacant after revision %d\n%s", name, got, vacant, rev, err, rev3, tail(s.logf))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// currentRevision opens the store and returns its latest revision id.
func currentRevision(t *testing.T, db string) int64 {
	t.Helper()
	st, err := openStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rev, err := st.CurrentRevision(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rev
}

// TestEmbeddedServerHearsOtherProcesses: a server on the embedded store
// follows what other processes commit to its file — a grid leader
// appointed with `wangge user add` and relieved with `wangge user set`
// (bad ids, areas and roles refused), then a new partition from `wangge
// import grids --replace`, then buildings (households) — without a
// restart (the store's poll).
func TestEmbeddedServerHearsOtherProcesses(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	bin := wanggeBinary(t)
	cli := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			t.Fatalf("wangge %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	importTwoGrids(t, db)
	s := startServer(t, "--db", db, "--demo", "never", "--dashboard-token", "none")
	client := &http.Client{Timeout: 5 * time.Second}
	// await polls the probe's answer until ok accepts it (10 s at most).
	await := func(what string, ok func(grid, leader string, vacant bool) bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			r, code, err := getJSON(client, s.url+"/api/v1/route?lon=120.005&lat=36.01")
			g, _ := r["grid"].(map[string]any)
			l, _ := r["leader"].(map[string]any)
			grid, _ := g["code"].(string)
			leader, _ := l["name"].(string)
			vacant, _ := r["vacant"].(bool)
			if err == nil && code == 200 && ok(grid, leader, vacant) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the server answers %d grid %q leader %q vacant %v (err %v)\n%s", what, code, grid, leader, vacant, err, tail(s.logf))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	await("at start", func(grid, leader string, vacant bool) bool { return grid == "G1" && leader == "" && vacant })
	cli("user", "add", "--db", db, "--name", "Leader One", "--role", "grid_leader:G1")
	await("after user add", func(grid, leader string, vacant bool) bool { return grid == "G1" && leader == "Leader One" && !vacant })
	// A grid has one leader: a second appointment is refused, naming the first.
	out, err := exec.Command(bin, "user", "add", "--db", db, "--name", "Leader Two", "--role", "grid_leader:G1").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "grid G1 already has a leader, Leader One (person 1)") {
		t.Fatalf("a second grid leader for G1: %v\n%s", err, out)
	}
	for _, bad := range [][]string{{"--id", "999"}, {}, {"--id", "1", "--role", "grid_leader:NOPE"}, {"--id", "1", "--role", "mayor:G1"}} {
		if out, err := exec.Command(bin, append([]string{"user", "set", "--db", db}, bad...)...).CombinedOutput(); err == nil {
			t.Fatalf("wangge user set %v succeeded: %s", bad, out)
		}
	}
	cli("user", "set", "--db", db, "--id", "1", "--role", "grid_staff:G1")
	await("after user set", func(grid, leader string, vacant bool) bool { return grid == "G1" && leader == "" && vacant })
	f := writeFile(t, "v2.geojson", collection(feature("D", "", "district", ringD), feature("G8", "D", "grid", ringG8), feature("G9", "D", "grid", ringG9)))
	cli("import", "grids", f, "--db", db, "-q", "--replace")
	await("after import --replace", func(grid, leader string, vacant bool) bool { return grid == "G9" && vacant })
	// Buildings change households (the dashboard's bands): a revision the
	// server serves too.
	before := currentRevision(t, db)
	cli("import", "buildings", writeFile(t, "b.csv", "address,lon,lat,households\nwest,120.002,36.01,420\n"), "--db", db, "-q")
	after := currentRevision(t, db)
	if after <= before {
		t.Fatalf("import buildings left the revision at %d", after)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		m, code, err := getJSON(client, s.url+"/readyz")
		if rev, _ := m["revision"].(float64); err == nil && code == 200 && rev == float64(after) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after import buildings the server answers %d %v (err %v), want revision %d\n%s", code, m, err, after, tail(s.logf))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestReplicasShareTheLiveFeed: two servers on one PostGIS database; a
// dashboard connected to replica B sees a case filed through replica A
// (LISTEN/NOTIFY relay), and A's own subscriber gets it once, not again
// through the relay.
func TestReplicasShareTheLiveFeed(t *testing.T) {
	db := pgtest.FreshSchema(t)
	bin := wanggeBinary(t)
	f := writeFile(t, "grids.geojson", collection(feature("D", "", "district", ringD), feature("G1", "D", "grid", ringG1), feature("G2", "D", "grid", ringG2)))
	if out, err := exec.Command(bin, "import", "grids", f, "--db", db, "-q").CombinedOutput(); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "user", "add", "--name", "指挥中心", "--role", "command_center:D", "--token", "--db", db).Output()
	if err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	tok := lines[len(lines)-1]
	a := startServer(t, "--db", db, "--demo", "never", "--dashboard-token", "none")
	b := startServer(t, "--db", db, "--demo", "never", "--dashboard-token", "none")

	// subscribe returns the ids of the "report" events of s's feed.
	subscribe := func(s *server) <-chan string {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		req, _ := http.NewRequestWithContext(ctx, "GET", s.url+"/api/v1/stream?access_token="+tok, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("stream: %v %v", err, res)
		}
		br := bufio.NewReader(res.Body)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(line, ": connected") {
				break
			}
		}
		ids := make(chan string, 16)
		go func() {
			defer res.Body.Close()
			event := ""
			for {
				line, err := br.ReadString('\n')
				if err != nil {
					return
				}
				line = strings.TrimSpace(line)
				if e, ok := strings.CutPrefix(line, "event: "); ok {
					event = e
				}
				if id, ok := strings.CutPrefix(line, "id: "); ok && event == "report" {
					ids <- id
				}
			}
		}()
		return ids
	}
	feedA, feedB := subscribe(a), subscribe(b)
	submit := func(desc string) string {
		t.Helper()
		req, _ := http.NewRequest("POST", a.url+"/api/v1/reports", strings.NewReader(`{"category":"other","description":"`+desc+`","lon":120.005,"lat":36.01}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var m struct {
			Report struct{ ID int64 } `json:"report"`
		}
		if err := json.NewDecoder(res.Body).Decode(&m); err != nil || res.StatusCode != 201 {
			t.Fatalf("submit on A: %d %v", res.StatusCode, err)
		}
		return fmt.Sprint(m.Report.ID)
	}
	next := func(ch <-chan string, who string) string {
		t.Helper()
		select {
		case id := <-ch:
			return id
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: no case on the live feed within 10 s\nA:\n%s\nB:\n%s", who, tail(a.logf), tail(b.logf))
		}
		return ""
	}
	first := submit("路灯坏了")
	t0 := time.Now()
	if got := next(feedB, "replica B"); got != first {
		t.Fatalf("replica B's feed: case %s, want %s (filed through A)", got, first)
	}
	t.Logf("replica B's feed had case %s %v after A acknowledged it", first, time.Since(t0).Round(time.Millisecond))
	if got := next(feedA, "replica A"); got != first {
		t.Fatalf("replica A's feed: case %s, want %s", got, first)
	}
	second := submit("井盖缺失")
	if got := next(feedA, "replica A"); got != second {
		t.Fatalf("replica A's feed after the second case: %s, want %s (the first only once)", got, second)
	}
	if got := next(feedB, "replica B"); got != second {
		t.Fatalf("replica B's feed after the second case: %s, want %s", got, second)
	}
	// An import that reroutes both cases: every feed shows them changed.
	g9 := writeFile(t, "g9.geojson", collection(feature("D", "", "district", ringD), feature("G9", "D", "grid", ringD)))
	if out, err := exec.Command(bin, "import", "grids", g9, "--replace", "--db", db, "-q").CombinedOutput(); err != nil || !strings.Contains(string(out), "rerouted 2 open cases") {
		t.Fatalf("import --replace: %v\n%s", err, out)
	}
	for _, f := range []struct {
		ch  <-chan string
		who string
	}{{feedA, "replica A"}, {feedB, "replica B"}} {
		got := []string{next(f.ch, f.who), next(f.ch, f.who)}
		slices.Sort(got)
		if want := []string{first, second}; !slices.Equal(got, want) {
			t.Fatalf("%s's feed after the import: %v, want the rerouted cases %v", f.who, got, want)
		}
	}
}
