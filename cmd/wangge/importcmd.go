package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/schollz/progressbar/v3"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/importer"
	"github.com/wangge-dev/wangge/routing"
)

// runImport: wangge import grids FILE | buildings FILE.csv | reports FILE.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: wangge import grids FILE.geojson|FILE.gpkg | buildings FILE.csv | reports FILE.csv|FILE.geojson  [flags]")
		return errUsage
	}
	switch args[0] {
	case "grids", "areas":
		return importGrids(ctx, args[1:], stdout, stderr)
	case "buildings":
		return importBuildings(ctx, args[1:], stdout, stderr)
	case "reports":
		return importReports(ctx, args[1:], stdout, stderr)
	}
	return fmt.Errorf("import: unknown kind %q (want grids, buildings or reports)", args[0])
}

// splitArgs moves the first non-flag argument (the file) out of args so
// that flags may come before or after it.
func splitArgs(args []string) (file string, rest []string) {
	for i, a := range args {
		if !strings.HasPrefix(a, "-") && (i == 0 || !needsValue(args[i-1])) {
			return a, append(append([]string{}, args[:i]...), args[i+1:]...)
		}
	}
	return "", args
}

func needsValue(flagArg string) bool {
	return strings.HasPrefix(flagArg, "-") && !strings.Contains(flagArg, "=") && flagArg != "--replace" && flagArg != "-replace" && flagArg != "-q" && flagArg != "--quiet"
}

// progressReader wraps a file in a byte progress bar on stderr.
func progressReader(f *os.File, label string, stderr io.Writer, quiet bool) io.Reader {
	if quiet {
		return f
	}
	st, err := f.Stat()
	if err != nil {
		return f
	}
	bar := progressbar.NewOptions64(st.Size(),
		progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription(label),
		progressbar.OptionShowBytes(true), progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }))
	r := progressbar.NewReader(f, bar)
	return &r
}

func importGrids(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	file, args := splitArgs(args)
	fs := newFlags("import grids", stderr)
	db := addDBFlag(fs)
	m := importer.DefaultMapping()
	fs.StringVar(&m.CodeProp, "code", m.CodeProp, "property holding the area code (empty: the feature id or position)")
	fs.StringVar(&m.NameProp, "name", m.NameProp, "property holding the name")
	fs.StringVar(&m.ParentProp, "parent", m.ParentProp, "property holding the parent's code")
	fs.StringVar(&m.HouseholdsProp, "households", m.HouseholdsProp, "property holding the household count")
	fs.StringVar(&m.LevelProp, "level-prop", m.LevelProp, "property holding the level (district, street, community, grid)")
	level := fs.String("level", "grid", "level of features without a level property")
	fs.StringVar(&m.Root.Code, "root", "", "code of the root area that features without a parent attach to (created with their bounding box)")
	fs.StringVar(&m.Root.Name, "root-name", "", "name of that root area")
	rootLevel := fs.String("root-level", "district", "level of that root area")
	layer := fs.String("layer", "", "GeoPackage layer (default: the first feature table)")
	replace := fs.Bool("replace", false, "replace every area in the store (a new partition) instead of adding")
	note := fs.String("note", "", "revision note (default: the file name)")
	quiet := fs.Bool("q", false, "no progress bar")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if file == "" {
		file = fs.Arg(0)
	}
	if file == "" {
		return fmt.Errorf("import grids: a file is required")
	}
	m.Level, m.Root.Level = data.Level(*level), data.Level(*rootLevel)
	var feats []importer.Feature
	var err error
	if strings.EqualFold(filepath.Ext(file), ".gpkg") {
		feats, err = importer.ReadGeoPackage(ctx, file, *layer)
	} else {
		var f *os.File
		if f, err = os.Open(file); err != nil {
			return err
		}
		feats, err = importer.ReadGeoJSON(bufio.NewReaderSize(progressReader(f, "reading "+filepath.Base(file), stderr, *quiet), 1<<20))
		f.Close()
	}
	if err != nil {
		return fmt.Errorf("import %s: nothing written: %w", file, err)
	}
	areas, err := importer.ToAreas(feats, m)
	if err != nil {
		return fmt.Errorf("import %s: nothing written: %w", file, err)
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	if *note == "" {
		*note = "import " + filepath.Base(file)
	}
	// The boundaries change: every building goes to the grid it will lie
	// in and the household counts follow, and every open case the import
	// moves is rerouted, in the transaction that writes the boundaries, so
	// the routing index of the partition as it will be is built first. (A code both stored and in the file is taken from
	// the file here; the store then rejects the duplicate.)
	p, err := st.Partition(ctx)
	if err != nil {
		return fmt.Errorf("import %s: nothing written: %w", file, err)
	}
	if *replace {
		p.Areas = nil
	}
	inFile := make(map[string]bool, len(areas))
	for _, a := range areas {
		inFile[a.Code] = true
	}
	p.Areas = slices.DeleteFunc(p.Areas, func(a data.Area) bool { return inFile[a.Code] })
	p.Areas = append(p.Areas, areas...)
	next, err := routing.Build(p, routing.Options{})
	if err != nil {
		return fmt.Errorf("import %s: nothing written: %w", file, err)
	}
	r := routing.NewRouter(next, routing.Options{})
	rev, eff, err := st.PutAreasRelink(ctx, areas, *replace, *note, &data.Relink{
		GridOf:  func(pt orb.Point) string { return r.GridCode(pt[0], pt[1]) },
		RouteOf: func(pt orb.Point) data.Routing { a := r.Route(pt[0], pt[1]); return a.Routing() },
	})
	if err != nil {
		return fmt.Errorf("import %s: nothing written: %w", file, err)
	}
	fmt.Fprintf(stdout, "imported %d areas from %s as revision %d\n", len(areas), file, rev.ID)
	if eff.Moved > 0 {
		fmt.Fprintf(stdout, "re-linked %d buildings to the grids they now lie in\n", eff.Moved)
	}
	if n := len(eff.Rerouted); n > 0 {
		fmt.Fprintf(stdout, "rerouted %d open cases to the grids they now lie in (a \"rerouted\" event each)\n", n)
		// The running servers' live feeds show them as changed cases.
		if cf, ok := st.(data.CaseFeed); ok {
			cs := make([]data.CaseChange, len(eff.Rerouted))
			for i, rr := range eff.Rerouted {
				cs[i] = data.CaseChange{Origin: "import", ReportID: rr.ReportID, Event: "report"}
			}
			if err := cf.AnnounceCases(ctx, cs); err != nil {
				fmt.Fprintf(stderr, "warning: the live feeds were not told of the rerouted cases: %v\n", err)
			}
		}
	}
	return nil
}

func importBuildings(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	file, args := splitArgs(args)
	fs := newFlags("import buildings", stderr)
	db := addDBFlag(fs)
	quiet := fs.Bool("q", false, "no progress bar")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if file == "" {
		return fmt.Errorf("import buildings: a CSV file is required")
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	bs, err := importer.ReadBuildingsCSV(progressReader(f, "reading "+filepath.Base(file), stderr, *quiet))
	f.Close()
	if err != nil {
		return fmt.Errorf("import %s: nothing written: %w", file, err)
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := loadRouter(ctx, st)
	if err != nil {
		return err
	}
	for i := range bs {
		bs[i].GridCode = r.GridCode(bs[i].Point[0], bs[i].Point[1])
	}
	if err := st.PutBuildings(ctx, bs); err != nil {
		return fmt.Errorf("import %s: nothing written: %w", file, err)
	}
	fmt.Fprintf(stdout, "imported %d buildings from %s\n", len(bs), file)
	return nil
}

// runExport writes areas of a level (default grid) as one GeoJSON
// FeatureCollection (RFC 7946) to stdout.
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	kind := "grids"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		kind, args = args[0], args[1:]
	}
	fs := newFlags("export", stderr)
	db := addDBFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	var q data.AreaQuery
	switch kind {
	case "grids":
		q.Level = data.LevelGrid
	case "areas":
	case "communities":
		q.Level = data.LevelCommunity
	case "streets":
		q.Level = data.LevelStreet
	case "districts":
		q.Level = data.LevelDistrict
	default:
		return fmt.Errorf("export: unknown kind %q (want grids, communities, streets, districts or areas)", kind)
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	areas, _, err := st.ListAreas(ctx, q)
	if err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	for _, a := range areas {
		f := geojson.NewFeature(a.Geom)
		f.Properties = geojson.Properties{"code": a.Code, "name": a.Name, "level": string(a.Level),
			"parent_code": a.ParentCode, "households": a.Households, "revision": a.Revision}
		fc.Append(f)
	}
	w := bufio.NewWriterSize(stdout, 1<<20)
	b, err := fc.MarshalJSON()
	if err != nil {
		return err
	}
	w.Write(b)
	w.WriteByte('\n')
	return w.Flush()
}
