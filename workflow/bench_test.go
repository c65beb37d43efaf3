package workflow_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/workflow"
	wt "github.com/wangge-dev/wangge/workflow/workflowtest"
)

// BenchmarkSubmitBatch imports 10,000 reports per op (validation, routing,
// chunked CreateReports) and reports reports/s, on SQLite and on PostGIS.
func BenchmarkSubmitBatch(b *testing.B) {
	for _, st := range []struct {
		name string
		mk   func(tb testing.TB) data.Store
	}{{"sqlite", openSQLiteTB}, {"postgis", openPGTB}} {
		b.Run(st.name, func(b *testing.B) {
			const per = 10000
			s := st.mk(b)
			ctx := context.Background()
			if _, err := s.Load(ctx, wt.Dataset(t0)); err != nil {
				b.Fatal(err)
			}
			cc, _ := s.GetPerson(ctx, wt.CC)
			svc := workflow.New(s, wt.Route, nil, workflow.Config{})
			ins := make([]workflow.Intake, per)
			for i := range ins {
				ins[i] = workflow.Intake{Category: data.DefaultCategories[i%len(data.DefaultCategories)].Code,
					Description: fmt.Sprint("批量 ", i), Location: pt(120+float64(i%997)/997, 36+float64(i%991)/991),
					At: t0.Add(-time.Duration(i) * time.Minute)}
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := svc.SubmitBatch(ctx, &cc, ins); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(per*b.N)/b.Elapsed().Seconds(), "reports/s")
		})
	}
}

// BenchmarkSubmitBatch1M imports one million reports into PostGIS in one
// SubmitBatch call (one transaction), with a progress callback.
// Run it alone: go test -run XXX -bench SubmitBatch1M -benchtime 1x ./workflow
func BenchmarkSubmitBatch1M(b *testing.B) {
	const n = 1_000_000
	s := openPGTB(b)
	ctx := context.Background()
	if _, err := s.Load(ctx, wt.Dataset(t0)); err != nil {
		b.Fatal(err)
	}
	cc, _ := s.GetPerson(ctx, wt.CC)
	svc := workflow.New(s, wt.Route, nil, workflow.Config{})
	ins := make([]workflow.Intake, n)
	for i := range ins {
		ins[i] = workflow.Intake{Category: data.DefaultCategories[i%len(data.DefaultCategories)].Code,
			Description: "批量导入", Location: pt(120+float64(i%997)/997, 36+float64(i%991)/991),
			At: t0.Add(-time.Duration(i) * time.Second)}
	}
	b.ResetTimer()
	for b.Loop() {
		last := 0
		if _, err := svc.SubmitBatch(ctx, &cc, ins, workflow.WithProgress(func(done, total int) { last = done })); err != nil {
			b.Fatal(err)
		}
		if last != n {
			b.Fatalf("progress ended at %d", last)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "reports/s")
}
