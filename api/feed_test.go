package api

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/internal/teststores"
	"github.com/wangge-dev/wangge/workflow"
	wt "github.com/wangge-dev/wangge/workflow/workflowtest"
)

// gateWriter is a ResponseWriter whose first Write blocks until opened:
// it stands for a client that stopped reading.
type gateWriter struct {
	h       http.Header
	started chan struct{} // closed at the first Write
	open    chan struct{} // close to let writes through
	once    sync.Once
	mu      sync.Mutex
	buf     bytes.Buffer
}

func (g *gateWriter) Header() http.Header { return g.h }
func (g *gateWriter) WriteHeader(int)     {}
func (g *gateWriter) Flush()              {}
func (g *gateWriter) Write(b []byte) (int, error) {
	g.once.Do(func() { close(g.started) })
	<-g.open
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.buf.Write(b)
}
func (g *gateWriter) String() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.buf.String()
}

// TestStreamSlowClientIsToldToReload fills a stalled subscriber's buffer
// past its size: intake must not block, and the client must then get an
// "event: reload" before the changes that follow.
func TestStreamSlowClientIsToldToReload(t *testing.T) {
	ctx := context.Background()
	st := teststores.SQLite(t)
	if _, err := st.Load(ctx, wt.Dataset(time.Now())); err != nil {
		t.Fatal(err)
	}
	wf := workflow.New(st, wt.Route, nil, workflow.Config{})
	tok, err := wf.IssueToken(ctx, wt.CC, "test")
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{}, Deps{Store: st, Workflow: wf})

	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req := httptest.NewRequest("GET", "/api/v1/stream", nil).WithContext(rctx)
	req.Header.Set("Authorization", "Bearer "+tok)
	w := &gateWriter{h: http.Header{}, started: make(chan struct{}), open: make(chan struct{})}
	done := make(chan struct{})
	go func() { s.ServeHTTP(w, req); close(done) }()
	<-w.started // subscribed, and stuck writing its first line

	rep := data.Report{ID: 1, Status: data.StatusReported, Routing: data.Routing{GridCode: wt.G1, DistrictCode: wt.D}}
	for i := 0; i < feedBuffer+10; i++ {
		s.publish("report", &rep) // must never block
	}
	close(w.open)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(w.String(), "event: report") {
		if time.Now().After(deadline) {
			t.Fatalf("no report event after the stall: %q", w.String())
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	out := w.String()
	r, e := strings.Index(out, "event: reload\n"), strings.Index(out, "event: report\n")
	if r < 0 || r > e {
		t.Fatalf("want event: reload before the first report after the stall, got %q", out[:min(len(out), 300)])
	}
	if n := strings.Count(out, "event: reload"); n != 1 {
		t.Errorf("%d reload events, want 1", n)
	}
}
