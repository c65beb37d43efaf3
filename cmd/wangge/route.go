package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/geo"
	"github.com/wangge-dev/wangge/routing"
)

// addRoutingFlags adds --nearest-m and --near-border-m (serve and route).
func addRoutingFlags(fs *flag.FlagSet, o *routing.Options) {
	fs.Float64Var(&o.NearestMeters, "nearest-m", 200, "route a point outside every grid to the nearest grid within this many metres (0: never; unassigned at once)")
	fs.Float64Var(&o.NearBorderMeters, "near-border-m", 30, "flag points within this many metres of a neighbouring grid (0: never)")
}

// checkRoutingFlags rejects distances out of range (the near-border
// search up to 1 km, the nearest grid up to 10 km; a larger radius would
// only grow the index) and turns 0 into "off" (routing.Options reads 0 as
// the default).
func checkRoutingFlags(o *routing.Options) error {
	if !(o.NearestMeters >= 0 && o.NearestMeters <= 10_000) {
		return fmt.Errorf("--nearest-m must be between 0 and 10000, got %v", o.NearestMeters)
	}
	if !(o.NearBorderMeters >= 0 && o.NearBorderMeters <= 1_000) {
		return fmt.Errorf("--near-border-m must be between 0 and 1000, got %v", o.NearBorderMeters)
	}
	if o.NearestMeters == 0 {
		o.NearestMeters = -1
	}
	if o.NearBorderMeters == 0 {
		o.NearBorderMeters = -1
	}
	return nil
}

// loadRouter builds a router over the store's current partition.
func loadRouter(ctx context.Context, st data.Store, opts ...routing.Options) (*routing.Router, error) {
	var o routing.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	r := routing.NewRouter(nil, o)
	if err := r.Reload(ctx, st); err != nil {
		return nil, err
	}
	return r, nil
}

// runRoute: wangge route LON LAT | wangge route --file points.csv [--out routed.csv]
func runRoute(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("route", stderr)
	db := addDBFlag(fs)
	file := fs.String("file", "", "CSV with a header naming lon and lat columns; writes it back with grid columns added")
	out := fs.String("out", "", "with --file: write here instead of standard output; the file appears (or is replaced) only when every row routed")
	cs := fs.String("coordsys", "wgs84", "coordinate system of the input: wgs84, gcj02 or bd09")
	var o routing.Options
	addRoutingFlags(fs, &o)
	// Positional LON LAT may be negative numbers: take every argument that
	// parses as a number (and is not a flag's value) out before parsing flags.
	var pos, rest []string
	for i, a := range args {
		if _, err := strconv.ParseFloat(a, 64); err == nil && (i == 0 || !flagTakesValue(fs, args[i-1])) {
			pos = append(pos, a)
		} else {
			rest = append(rest, a)
		}
	}
	if err := fs.Parse(rest); err != nil {
		return err
	}
	pos = append(pos, fs.Args()...)
	if err := checkRoutingFlags(&o); err != nil {
		return err
	}
	conv, err := converter(*cs)
	if err != nil {
		return err
	}
	if *file == "" && len(pos) != 2 {
		fmt.Fprintln(stderr, "usage: wangge route LON LAT   |   wangge route --file points.csv [--out routed.csv]")
		return errUsage
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	if *file != "" {
		in, err := os.Open(*file)
		if err != nil {
			return err
		}
		defer in.Close()
		// The index builds while the file is read (routeCSV waits for it
		// only when it has a row to route).
		built := make(chan struct{})
		var r *routing.Router
		var buildErr error
		go func() {
			defer close(built)
			r, buildErr = loadRouter(ctx, st, o)
		}()
		defer func() { <-built }() // before st closes
		snap := func() (*routing.Snapshot, error) {
			<-built
			if buildErr != nil {
				return nil, buildErr
			}
			return r.Snapshot(), nil
		}
		var n int
		if *out == "" {
			n, err = routeCSV(snap, in, stdout, conv)
		} else {
			n, err = writeAtomically(*out, func(w io.Writer) (int, error) { return routeCSV(snap, in, w, conv) })
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "routed %d points\n", n)
		return nil
	}
	r, err := loadRouter(ctx, st, o)
	if err != nil {
		return err
	}
	lon, err1 := strconv.ParseFloat(pos[0], 64)
	lat, err2 := strconv.ParseFloat(pos[1], 64)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("route: LON and LAT must be numbers, got %q %q", pos[0], pos[1])
	}
	if err := geo.ValidPoint(lon, lat); err != nil {
		return fmt.Errorf("route: %w", err)
	}
	s := r.Snapshot()
	a := s.Route(conv(lon, lat))
	if s.LooksSwapped(lon, lat, &a, conv) {
		return fmt.Errorf("route: %s", routing.SwapMessage(lon, lat))
	}
	_, err = stdout.Write(append(a.AppendJSON(nil), '\n'))
	return err
}

// converter returns the function taking points of coordinate system cs to WGS84.
func converter(cs string) (func(lon, lat float64) (float64, float64), error) {
	switch strings.ToLower(cs) {
	case "", "wgs84":
		return func(lon, lat float64) (float64, float64) { return lon, lat }, nil
	case "gcj02":
		return geo.GCJ02ToWGS84, nil
	case "bd09":
		return func(lon, lat float64) (float64, float64) { return geo.GCJ02ToWGS84(geo.BD09ToGCJ02(lon, lat)) }, nil
	}
	return nil, fmt.Errorf("--coordsys must be wgs84, gcj02 or bd09")
}

// writeAtomically runs write into a temporary file next to name and
// renames it to name when write succeeds, so name appears whole or not at
// all (an existing file is replaced only on success).
func writeAtomically(name string, write func(io.Writer) (int, error)) (int, error) {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return 0, err
	}
	n, err := write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), name)
	}
	if err != nil {
		os.Remove(f.Name())
		return n, err
	}
	return n, nil
}

// routeColumns are the columns routeCSV appends to each row.
// leader_role says which post the leader columns name: grid_leader, or
// for a vacant grid deputy_leader or community_head ("" when nobody).
var routeColumns = []string{"grid_code", "grid_name", "match", "distance_m", "leader_id", "leader_name", "leader_phone", "community_code", "street_code", "near_border_code", "near_border_m", "leader_role"}

// csvChunk is a run of parsed input rows: each row's fields re-encoded
// (rows[i] ends at ends[i] in rows, with a comma after its last field),
// its point in WGS84 and as read, and its line. err, when set, stops the
// run after these rows.
type csvChunk struct {
	rows []byte
	ends []int
	pt   []orb.Point // WGS84
	in   []orb.Point // the point as read (before conversion)
	line []int       // the row's line in the file
	err  error
}

// csvChunkRows is the rows of a chunk; csvChunksAhead chunks (260,000 rows,
// about 30 MB) may wait between the reader and the router, so most of a
// large file is read while the index builds.
const (
	csvChunkRows   = 4096
	csvChunksAhead = 64
)

// routeCSV copies a CSV, appending the routing columns to every row. The
// header must name lon and lat columns (lng/longitude/x, latitude/y too).
// A row with bad coordinates stops the run with its line number (the
// line of the file, counting the header, where its lon field starts).
//
// Two stages run side by side: one goroutine reads and parses the rows
// (checking and converting the coordinates, re-encoding the fields),
// the caller's routes and writes them, in order. snap is called when the
// first row is ready to route (wangge route builds the index meanwhile).
func routeCSV(snap func() (*routing.Snapshot, error), in io.Reader, out io.Writer, conv func(lon, lat float64) (float64, float64)) (int, error) {
	cr := csv.NewReader(bufio.NewReaderSize(in, 1<<20))
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return 0, fmt.Errorf("route --file: no header row: %w", err)
	}
	iLon, iLat := -1, -1
	for i, h := range head {
		switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
		case "lon", "lng", "longitude", "x":
			iLon = i
		case "lat", "latitude", "y":
			iLat = i
		}
	}
	if iLon < 0 || iLat < 0 {
		return 0, errors.New("route --file: the header must name lon and lat columns")
	}
	bw := bufio.NewWriterSize(out, 1<<20)
	cw := csv.NewWriter(bw)
	if err := cw.Write(append(append([]string{}, head...), routeColumns...)); err != nil {
		return 0, err
	}
	cw.Flush()

	chunks := make(chan *csvChunk, csvChunksAhead)
	free := make(chan *csvChunk, csvChunksAhead+2)
	quit := make(chan struct{})
	defer close(quit)
	go readCSVChunks(cr, iLon, iLat, conv, chunks, free, quit)

	var (
		s    *routing.Snapshot
		line []byte
		n    int
	)
	for c := range chunks {
		if s == nil && len(c.ends) > 0 {
			if s, err = snap(); err != nil {
				return n, err
			}
		}
		line = line[:0]
		start := 0
		for i, end := range c.ends {
			line = append(line, c.rows[start:end]...)
			start = end
			a := s.Route(c.pt[i][0], c.pt[i][1])
			if a.Match == routing.MatchOutside && s.LooksSwapped(c.in[i][0], c.in[i][1], &a, conv) {
				return n, fmt.Errorf("route --file: line %d (row %d): %s", c.line[i], n+1, routing.SwapMessage(c.in[i][0], c.in[i][1]))
			}
			line = appendRouteColumns(line, a)
			if len(line) >= 64<<10 {
				if _, err := bw.Write(line); err != nil {
					return n, err
				}
				line = line[:0]
			}
			n++
		}
		if _, err := bw.Write(line); err != nil {
			return n, err
		}
		if c.err != nil {
			return n, c.err
		}
		free <- c
	}
	return n, bw.Flush()
}

// readCSVChunks reads the rows after the header into chunks, sent in
// order on chunks (closed at the end); a bad row ends the last chunk with
// its error. Chunks come back through free for reuse. It stops when quit
// closes.
func readCSVChunks(cr *csv.Reader, iLon, iLat int, conv func(lon, lat float64) (float64, float64), chunks chan<- *csvChunk, free chan *csvChunk, quit <-chan struct{}) {
	defer close(chunks)
	row := 0
	for {
		var c *csvChunk
		select {
		case c = <-free:
			c.rows, c.ends, c.pt, c.in, c.line = c.rows[:0], c.ends[:0], c.pt[:0], c.in[:0], c.line[:0]
		default:
			c = &csvChunk{ends: make([]int, 0, csvChunkRows), pt: make([]orb.Point, 0, csvChunkRows), in: make([]orb.Point, 0, csvChunkRows), line: make([]int, 0, csvChunkRows)}
		}
		eof := false
		for len(c.ends) < csvChunkRows && c.err == nil {
			rec, err := cr.Read()
			if errors.Is(err, io.EOF) {
				eof = true
				break
			}
			row++
			var lon, lat float64
			if lon, lat, c.err = csvPoint(cr, rec, err, row, iLon, iLat); c.err != nil {
				break
			}
			l, _ := cr.FieldPos(iLon)
			c.in = append(c.in, orb.Point{lon, lat})
			c.line = append(c.line, l)
			lon, lat = conv(lon, lat)
			for i, f := range rec {
				if i > 0 {
					c.rows = append(c.rows, ',')
				}
				c.rows = appendCSVField(c.rows, f)
			}
			c.rows = append(c.rows, ',')
			c.ends = append(c.ends, len(c.rows))
			c.pt = append(c.pt, orb.Point{lon, lat})
		}
		select {
		case chunks <- c:
		case <-quit:
			return
		}
		if eof || c.err != nil {
			return
		}
	}
}

// csvPoint is the point of input row n (rec, as cr.Read returned it with
// err), or an error naming the line of the file when its lon and lat
// columns do not hold a valid point.
func csvPoint(cr *csv.Reader, rec []string, err error, n, iLon, iLat int) (lon, lat float64, _ error) {
	if err != nil {
		return 0, 0, fmt.Errorf("route --file: %w", err)
	}
	if iLon >= len(rec) || iLat >= len(rec) {
		l, _ := cr.FieldPos(0)
		return 0, 0, fmt.Errorf("route --file: line %d (row %d): missing lon/lat", l, n)
	}
	lon, err1 := strconv.ParseFloat(strings.TrimSpace(rec[iLon]), 64)
	lat, err2 := strconv.ParseFloat(strings.TrimSpace(rec[iLat]), 64)
	if err1 != nil || err2 != nil {
		l, _ := cr.FieldPos(iLon)
		return 0, 0, fmt.Errorf("route --file: line %d (row %d): lon/lat are not numbers: %q, %q", l, n, rec[iLon], rec[iLat])
	}
	if err := geo.ValidPoint(lon, lat); err != nil {
		l, _ := cr.FieldPos(iLon)
		return 0, 0, fmt.Errorf("route --file: line %d (row %d): %w", l, n, err)
	}
	return lon, lat, nil
}

// appendRouteColumns appends the routeColumns of a (after the row's own
// fields and their comma) and the line's end.
func appendRouteColumns(line []byte, a routing.Answer) []byte {
	line = appendCSVField(line, a.Grid.Code)
	line = append(line, ',')
	line = appendCSVField(line, a.Grid.Name)
	line = append(line, ',')
	line = append(line, a.Match...)
	line = append(line, ',')
	line = strconv.AppendFloat(line, a.DistanceM, 'f', 1, 64)
	line = append(line, ',')
	if a.Leader.ID != 0 {
		line = strconv.AppendInt(line, a.Leader.ID, 10)
	}
	line = append(line, ',')
	line = appendCSVField(line, a.Leader.Name)
	line = append(line, ',')
	line = appendCSVField(line, a.Leader.Phone)
	line = append(line, ',')
	line = appendCSVField(line, a.Community.Code)
	line = append(line, ',')
	line = appendCSVField(line, a.Street.Code)
	line = append(line, ',')
	if a.NearBorder.Code != "" {
		line = appendCSVField(line, a.NearBorder.Code)
		line = append(line, ',')
		line = strconv.AppendFloat(line, a.NearBorderM, 'f', 1, 64)
	} else {
		line = append(line, ',')
	}
	line = append(line, ',')
	line = append(line, a.LeaderRole...)
	return append(line, '\n')
}

// appendCSVField appends f, quoted when it holds a comma, quote or newline.
func appendCSVField(b []byte, f string) []byte {
	if !strings.ContainsAny(f, ",\"\r\n") {
		return append(b, f...)
	}
	b = append(b, '"')
	for i := 0; i < len(f); i++ {
		if f[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, f[i])
	}
	return append(b, '"')
}

// flagTakesValue reports whether arg is a flag of fs given without "=" that
// takes a value (so the next argument is its value).
func flagTakesValue(fs *flag.FlagSet, arg string) bool {
	name := strings.TrimLeft(arg, "-")
	if name == arg || strings.Contains(name, "=") {
		return false
	}
	f := fs.Lookup(name)
	if f == nil {
		return false
	}
	if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() {
		return false
	}
	return true
}
