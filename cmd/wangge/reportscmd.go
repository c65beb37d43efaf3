package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/schollz/progressbar/v3"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/geo"
	"github.com/wangge-dev/wangge/importer"
	"github.com/wangge-dev/wangge/workflow"
)

// importReports: wangge import reports FILE.csv|FILE.geojson — routes and
// writes every report in one transaction (all or nothing),
// acting as a command-center person (--as, default the first one).
func importReports(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	file, args := splitArgs(args)
	fs := newFlags("import reports", stderr)
	db := addDBFlag(fs)
	as := fs.Int64("as", 0, "id of the command-center or planner person the import acts as (default: the first command-center person)")
	quiet := fs.Bool("q", false, "no progress bar")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if file == "" {
		return fmt.Errorf("import reports: a CSV or GeoJSON file is required")
	}
	var ins []workflow.Intake
	var err error
	isCSV := strings.EqualFold(filepath.Ext(file), ".csv")
	if isCSV {
		ins, err = readReportsCSV(file)
	} else {
		ins, err = readReportsGeoJSON(file)
	}
	if err != nil {
		return fmt.Errorf("import %s: nothing written: %w", file, located(err, isCSV))
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	actor, err := importActor(ctx, st, *as)
	if err != nil {
		return err
	}
	r, err := loadRouter(ctx, st)
	if err != nil {
		return err
	}
	wf := workflow.New(st, func(lon, lat float64) data.Routing { a := r.Route(lon, lat); return a.Routing() }, time.Now,
		workflow.Config{CatchUp: func(ctx context.Context, rev int64) error { return r.CatchUp(ctx, st, rev) }})
	var opts []workflow.BatchOption
	if !*quiet {
		bar := progressbar.NewOptions(len(ins), progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("writing reports (one transaction)"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }))
		opts = append(opts, workflow.WithProgress(func(done, total int) { _ = bar.Set(done) }))
	}
	t0 := time.Now()
	reps, err := wf.SubmitBatch(ctx, actor, ins, opts...)
	if err != nil {
		return fmt.Errorf("import %s: %w", file, located(err, isCSV))
	}
	took := time.Since(t0)
	fmt.Fprintf(stdout, "imported %d reports from %s in %v (%.0f reports/s)\n", len(reps), file, took.Round(time.Millisecond), float64(len(reps))/took.Seconds())
	return nil
}

// located names where in the file a validation error's item is: the CSV
// row as a spreadsheet numbers it (the header is row 1), or the GeoJSON
// feature (from 0).
func located(err error, csv bool) error {
	var ve *data.ValidationError
	if !errors.As(err, &ve) || ve.Index < 0 {
		return err
	}
	if csv {
		return fmt.Errorf("row %d: %w", ve.Index+2, err)
	}
	return fmt.Errorf("feature %d: %w", ve.Index, err)
}

func importActor(ctx context.Context, st data.Store, id int64) (*data.Person, error) {
	if id != 0 {
		p, err := st.GetPerson(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("--as %d: %w", id, err)
		}
		return &p, nil
	}
	people, err := st.ListPeople(ctx, data.RoleCommandCenter, "")
	if err != nil {
		return nil, err
	}
	if len(people) == 0 {
		return nil, errors.New("no command-center person in the store: add one with `wangge user add --role command_center:CODE` or pass --as")
	}
	return &people[0], nil
}

// readReportsCSV reads reports from a CSV whose header names category,
// lon, lat and optionally description, address, source, created_at (RFC 3339).
func readReportsCSV(file string) ([]workflow.Intake, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
	head, err := cr.Read()
	if err != nil {
		return nil, &data.ValidationError{Index: -1, Reason: "no header row"}
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, need := range []string{"category", "lon", "lat"} {
		if _, ok := col[need]; !ok {
			return nil, &data.ValidationError{Index: -1, Reason: "header must name category, lon and lat columns"}
		}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var out []workflow.Intake
	for i := 0; ; i++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, &data.ValidationError{Index: i, Reason: "malformed CSV: " + err.Error()}
		}
		in, err := intakeOf(i, get(rec, "category"), get(rec, "description"), get(rec, "address"), get(rec, "source"), get(rec, "created_at"), get(rec, "lon"), get(rec, "lat"))
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
}

func readReportsGeoJSON(file string) ([]workflow.Intake, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	feats, err := importer.ReadGeoJSON(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return nil, err
	}
	out := make([]workflow.Intake, 0, len(feats))
	for i, ft := range feats {
		p, ok := ft.Geometry.(orb.Point)
		if !ok {
			return nil, &data.ValidationError{Index: i, Field: "geometry", Reason: "must be a Point"}
		}
		s := func(k string) string { v, _ := ft.Properties[k].(string); return v }
		in, err := intakeOf(i, s("category"), s("description"), s("address"), s("source"), s("created_at"),
			strconv.FormatFloat(p[0], 'f', -1, 64), strconv.FormatFloat(p[1], 'f', -1, 64))
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, nil
}

func intakeOf(i int, category, description, address, source, createdAt, lonS, latS string) (workflow.Intake, error) {
	bad := func(field, reason string) error { return &data.ValidationError{Index: i, Field: field, Reason: reason} }
	lon, err1 := strconv.ParseFloat(lonS, 64)
	lat, err2 := strconv.ParseFloat(latS, 64)
	if err1 != nil || err2 != nil {
		return workflow.Intake{}, bad("lon/lat", fmt.Sprintf("not numbers: %q, %q", lonS, latS))
	}
	if err := geo.ValidPoint(lon, lat); err != nil {
		return workflow.Intake{}, bad("lon/lat", err.Error())
	}
	if source == "" {
		source = string(data.SourceImport)
	}
	in := workflow.Intake{Category: category, Description: description, Address: address, Source: data.Source(source), Location: &orb.Point{lon, lat}}
	if createdAt != "" {
		t, err := time.Parse(time.RFC3339, createdAt)
		if err != nil {
			return in, bad("created_at", "not an RFC 3339 time")
		}
		in.At = t
	}
	return in, nil
}
