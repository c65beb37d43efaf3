// Command wangge is the one binary of wangge: the server with its dashboard,
// migrations, the demo district, import and export of boundaries, routing
// from the command line, benchmarks and user/token administration.
//
// It is the only place that reads flags and environment variables: each
// subcommand parses them into a typed Config and wires the packages.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the HTTP server with the dashboard (seeds the demo district into a new embedded store)", runServe},
		{"migrate", "apply the database migrations and exit", runMigrate},
		{"demo", "load the demo district (Licang, Qingdao) or a large synthetic city into the store", runDemo},
		{"import", "import grids (GeoJSON, GeoPackage), buildings (CSV) or reports (CSV, GeoJSON)", runImport},
		{"export", "export areas as GeoJSON (RFC 7946) to standard output", runExport},
		{"route", "route points to their grid: `route LON LAT` or `route --file points.csv`", runRoute},
		{"bench", "print benchmark figures: `bench route`, `bench reports`", runBench},
		{"user", "manage people: `user add --name N --role grid_leader:CODE …`", runUser},
		{"token", "issue an API token: `token issue --person ID`", runToken},
		{"version", "print the version", func(ctx context.Context, args []string, out, _ io.Writer) error {
			fmt.Fprintln(out, "wangge", version)
			return nil
		}},
	}
}

var version = "dev"

// errUsage marks an error that already printed its usage text.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, errUsage) && !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "wangge:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr, cmds)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	for _, c := range cmds {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	usage(stderr, cmds)
	return fmt.Errorf("unknown command %q", args[0])
}

func usage(w io.Writer, cmds []command) {
	fmt.Fprintln(w, "usage: wangge <command> [flags]")
	fmt.Fprintln(w, "\ncommands:")
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun `wangge <command> -h` for the flags of a command.")
}

// newFlags makes a FlagSet that prints to stderr and returns errors.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("wangge "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// envOr returns the environment variable key, or def when unset.
func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && strings.TrimSpace(v) != "" {
		return v
	}
	return def
}
