package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/wangge-dev/wangge/api"
	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/demo"
	"github.com/wangge-dev/wangge/frontend"
	"github.com/wangge-dev/wangge/routing"
	"github.com/wangge-dev/wangge/workflow"
)

// serveConfig is everything `wangge serve` is told.
type serveConfig struct {
	Addr           string
	DB             string
	Demo           string // auto | always | never
	DemoSeed       int64
	DashboardToken string // auto | none | a literal token
	TokenFile      string
	LogFormat      string
	Routing        routing.Options
	API            api.Config
	EscalateEvery  time.Duration
}

func parseServe(args []string, stderr io.Writer) (serveConfig, error) {
	var c serveConfig
	fs := newFlags("serve", stderr)
	fs.StringVar(&c.Addr, "addr", envOr("WANGGE_ADDR", "127.0.0.1:8080"), "listen address (env WANGGE_ADDR)")
	db := addDBFlag(fs)
	fs.StringVar(&c.Demo, "demo", "auto", "seed the demo district into an empty store: auto (embedded store only), always, never")
	fs.Int64Var(&c.DemoSeed, "seed", 1, "seed of the demo district")
	fs.StringVar(&c.API.Basemap, "basemap", envOr("WANGGE_BASEMAP", ""), "optional basemap style URL or XYZ tile template (env WANGGE_BASEMAP)")
	fs.StringVar(&c.API.Lang, "lang", "zh", "dashboard language: zh or en")
	fs.StringVar(&c.DashboardToken, "dashboard-token", "auto", "token the dashboard uses: auto (a command-center token on the demo store), none, or a token")
	fs.StringVar(&c.TokenFile, "token-file", "", "write the dashboard token to this file")
	fs.StringVar(&c.API.Open311Key, "open311-key", envOr("WANGGE_OPEN311_KEY", ""), "public api_key accepted by Open311 POST (env WANGGE_OPEN311_KEY)")
	addRoutingFlags(fs, &c.Routing)
	fs.DurationVar(&c.EscalateEvery, "escalate-every", time.Minute, "how often overdue cases are marked and escalated")
	fs.StringVar(&c.LogFormat, "log-format", "text", "log format: text or json")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.DB = *db
	switch c.Demo {
	case "auto", "always", "never":
	default:
		return c, fmt.Errorf("--demo must be auto, always or never")
	}
	if err := checkRoutingFlags(&c.Routing); err != nil {
		return c, err
	}
	c.API.Version = version
	return c, nil
}

func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseServe(args, stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogFormat, stderr)
	st, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	rev, err := st.CurrentRevision(ctx)
	if err != nil {
		return err
	}
	demoStore := cfg.Demo == "always" || (cfg.Demo == "auto" && !isPostgresURL(cfg.DB))
	if rev == 0 && demoStore {
		t0 := time.Now()
		log.Info("seeding the demo district (first start)", "store", st.Kind())
		if err := loadDemo(ctx, st, demo.Options{Seed: cfg.DemoSeed, Now: time.Now()}); err != nil {
			return fmt.Errorf("seed demo: %w", err)
		}
		log.Info("demo district seeded", "took", time.Since(t0).Round(time.Millisecond))
	}

	router := routing.NewRouter(nil, cfg.Routing)
	if err := router.Reload(ctx, st); err != nil {
		return fmt.Errorf("build routing index: %w", err)
	}
	log.Info("routing index built", "revision", router.Revision())
	router.OnReload = func(rev int64, err error) {
		if err != nil {
			log.Error("routing index reload failed; the previous index serves until a retry succeeds", "revision", rev, "err", err)
			return
		}
		log.Info("routing index reloaded", "revision", router.Revision())
	}
	go watchPartitions(ctx, router, st, log)

	wf := workflow.New(st, func(lon, lat float64) data.Routing {
		a := router.Route(lon, lat)
		return a.Routing()
	}, time.Now, workflow.Config{Logger: log, RoutePartition: routing.PartitionRouter(cfg.Routing), NearestMeters: cfg.Routing.NearestMeters,
		CatchUp: func(ctx context.Context, rev int64) error { return router.CatchUp(ctx, st, rev) }})
	go wf.RunEscalator(ctx, cfg.EscalateEvery)

	cfg.API.DashboardToken, err = dashboardToken(ctx, st, wf, cfg, demoStore)
	if err != nil {
		return err
	}
	if cfg.TokenFile != "" && cfg.API.DashboardToken != "" {
		if err := os.WriteFile(cfg.TokenFile, []byte(cfg.API.DashboardToken+"\n"), 0o600); err != nil {
			return err
		}
	}
	assets, err := fs.Sub(frontend.Dist, "dist")
	if err != nil {
		return err
	}
	srv := api.New(cfg.API, api.Deps{Store: st, Router: router, Workflow: wf, Assets: assets, Log: log})
	if err := srv.StartRelay(ctx); err != nil {
		return fmt.Errorf("live feed relay: %w", err)
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute}
	fmt.Fprintf(stdout, "listening on http://%s\n", ln.Addr())
	log.Info("wangge serving", "addr", ln.Addr().String(), "store", st.Kind(), "db", redact(cfg.DB))
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// watchPartitions keeps router on the store's newest revision (Watch) for
// as long as ctx lasts: when the watch cannot start or stops (the database
// unreachable), it is started again after a pause (1 s doubling to 30 s);
// the catch-up revision the store sends on every start covers what was
// published meanwhile.
func watchPartitions(ctx context.Context, router *routing.Router, st data.Store, log *slog.Logger) {
	pause := time.Second
	for {
		started := time.Now()
		err := router.Watch(ctx, st)
		if ctx.Err() != nil {
			return
		}
		if errors.Is(err, routing.ErrNoNotifier) {
			log.Warn("the store announces no revisions: this server routes on the partition it started with until restarted")
			return
		}
		if time.Since(started) > time.Minute {
			pause = time.Second // it ran: not a run of failures
		}
		log.Error("partition watch stopped; restarting", "err", err, "in", pause)
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return
		}
		pause = min(2*pause, 30*time.Second)
	}
}

// dashboardToken decides the bearer token injected into the dashboard page.
// "auto" on a demo store finds or creates the command-center person
// "指挥中心大屏" and issues a fresh token for it at every start.
func dashboardToken(ctx context.Context, st data.Store, wf *workflow.Service, cfg serveConfig, demoStore bool) (string, error) {
	switch cfg.DashboardToken {
	case "none", "":
		return "", nil
	case "auto":
		if !demoStore {
			return "", nil
		}
	default:
		return cfg.DashboardToken, nil
	}
	districts, _, err := st.ListAreas(ctx, data.AreaQuery{Level: data.LevelDistrict, Limit: 1})
	if err != nil || len(districts) == 0 {
		return "", err
	}
	const wall = "指挥中心大屏"
	people, err := st.ListPeople(ctx, data.RoleCommandCenter, districts[0].Code)
	if err != nil {
		return "", err
	}
	var id int64
	for _, p := range people {
		if p.Name == wall {
			id = p.ID
		}
	}
	if id == 0 {
		p := data.Person{Name: wall, Assignments: []data.Assignment{{Role: data.RoleCommandCenter, AreaCode: districts[0].Code}}}
		if err := st.AddPerson(ctx, &p); err != nil {
			return "", err
		}
		id = p.ID
	}
	return wf.IssueToken(ctx, id, "dashboard")
}

// loadDemo generates the demo district and loads it in one transaction.
func loadDemo(ctx context.Context, st data.Store, o demo.Options) error {
	ds, err := demo.Generate(o)
	if err != nil {
		return err
	}
	_, err = st.Load(ctx, ds)
	return err
}
