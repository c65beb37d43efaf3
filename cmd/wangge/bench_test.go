package main

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/wangge-dev/wangge/internal/pgtest"
)

// TestBenchCommands runs `wangge bench route` and `wangge bench reports`
// briefly against the test PostGIS: every section prints figures, the
// router agrees with PostGIS on the points it asks both, and every report
// acknowledged in bench reports is counted back in both stores. (The
// figures themselves are not judged: speed lives in docs/benchmarks.md.)
func TestBenchCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("short: runs the benchmarks briefly (about 20 s)")
	}
	pg := pgtest.URL(t)
	ctx := context.Background()
	var out, errb bytes.Buffer
	err := runBench(ctx, []string{"route", "--pg", pg, "--points", "4000", "--repeat", "2", "--scale", "300",
		"--duration", "300ms", "--csv-rows", "2000", "--pg-points", "300", "--swap-rounds", "2"}, &out, &errb)
	if err != nil {
		t.Fatalf("bench route: %v\n%s\n%s", err, out.String(), errb.String())
	}
	got := out.String()
	for _, want := range []string{
		"memory before: a dependent read over 1 / 2 / 4 / 8 / 16 MB: ", "memory after:  a dependent read over",
		"report locations           median", "(medians of 2 runs:", "cache-warm", "grids: median",
		"wangge full answer:", "batch:", "--out routed.csv: ", "for 2000 rows", "the rows alone (index already built",
		"agreement with the in-process router on 300 points: 0 disagreements", "in-process lookup vs one query per point:",
		"a new grid leader (geometry unchanged: indexes reused): replica 1 serves it", "(indexes rebuilt): replica 1 serves it",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("bench route output lacks %q:\n%s", want, got)
		}
	}

	if !regexp.MustCompile(`demo district: 1507 grids, generated in \S+, index built in \S+, \d+\.\d MB\n`).MatchString(got) {
		t.Errorf("bench route output lacks the demo index's size:\n%s", got)
	}

	out.Reset()
	err = runBench(ctx, []string{"reports", "--pg", pg, "--duration", "300ms", "--demo-reports", "300", "--batch", "100"}, &out, &errb)
	if err != nil {
		t.Fatalf("bench reports: %v\n%s\n%s", err, out.String(), errb.String())
	}
	got = out.String()
	checks := regexp.MustCompile(`store check: \d+ reports before, \d+ after: (\d+) new \(the requests above acknowledged (\d+)\)`).FindAllStringSubmatch(got, -1)
	if len(checks) != 2 || strings.Contains(got, "store unavailable") {
		t.Fatalf("want a store check for SQLite and PostGIS:\n%s", got)
	}
	for _, c := range checks {
		n, _ := strconv.Atoi(c[1])
		if c[1] != c[2] || n == 0 {
			t.Errorf("%s", c[0])
		}
	}
}
