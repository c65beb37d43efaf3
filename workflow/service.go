package workflow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/wangge-dev/wangge/data"
)

// Errors of the workflow besides the data sentinels.
var (
	// ErrIdempotencyMismatch: an Idempotency-Key was reused with a different
	// body (api maps it to 422).
	ErrIdempotencyMismatch = errors.New("idempotency key reused with a different request")
	// ErrForbidden: the actor may see the case but may not take this action (403).
	ErrForbidden = errors.New("forbidden")
	// ErrUnauthenticated: no actor, or an unknown token (401).
	ErrUnauthenticated = errors.New("unauthenticated")
)

// RouteFunc routes a point (lon/lat, EPSG:4326) to its grid and the chain
// above it. It must be safe for concurrent use.
type RouteFunc func(lon, lat float64) data.Routing

// Config tunes the workflow. Zero fields take the defaults named.
type Config struct {
	DuplicateRadiusM float64       // metres; default 50
	DuplicateWindow  time.Duration // default 72h
	MaxDescription   int           // characters (runes); default 2000
	MaxMedia         int           // media URLs per report or feedback; default 5
	MaxURL           int           // bytes per media URL; default 2048
	// CacheTTL bounds how stale the category and address caches may be;
	// default 1 minute. An unknown category or address reloads them at most
	// once per TTL.
	CacheTTL time.Duration
	Logger   *slog.Logger // default slog.Default()
	// RoutePartition builds the routing of a partition (a boundary edit's,
	// ReviseGrids): routing.PartitionRouter with the server's router's
	// options. Without it boundary edits are refused.
	RoutePartition func(p data.Partition) (func(lon, lat float64) data.Routing, error)
	// NearestMeters is the router's nearest-grid radius (default 200): how
	// far from an edited grid a point's routing may change.
	NearestMeters float64
	// CatchUp, when set, brings the route function up to at least the
	// given partition revision (the server: reload its router unless it
	// already has). With it, intake (Submit, SubmitBatch) asks the store
	// to refuse a case routed on an older revision than the latest
	// (data.RequireCurrentRouting) and then catches up, routes again and
	// retries, so that no case keeps the routing of a partition a
	// revision has replaced. Without it a case takes the route function's
	// answer as it is.
	CatchUp func(ctx context.Context, revision int64) error
}

// ErrRoutingBehind: intake could not route a case on the store's latest
// revision — catching up failed, or revisions kept being published while
// it tried. Nothing was written; the client may retry (503).
var ErrRoutingBehind = errors.New("the routing index is catching up with a newly published revision")

// intakeRetries bounds how often intake catches up with a revision
// published while it was writing (each retry follows a newer revision).
const intakeRetries = 5

// createRouted writes reports with create, routed by s.route; when the
// store refuses them as routed on an older revision than its latest
// (Config.CatchUp set), it catches up, routes them again and retries.
func (s *Service) createRouted(ctx context.Context, rs []data.Report, create func(ctx context.Context) error) error {
	for i := range rs {
		rs[i].Routing = s.route(rs[i].Location[0], rs[i].Location[1])
	}
	if s.cfg.CatchUp == nil {
		return create(ctx)
	}
	ctx = data.RequireCurrentRouting(ctx)
	for try := 0; ; try++ {
		err := create(ctx)
		var se *data.StaleRoutingError
		if !errors.As(err, &se) {
			return err
		}
		if try == intakeRetries {
			return fmt.Errorf("%w: %d revisions published while routing the case (%v)", ErrRoutingBehind, intakeRetries+1, se)
		}
		if err := s.cfg.CatchUp(ctx, se.Current); err != nil {
			return fmt.Errorf("%w: revision %d: %v", ErrRoutingBehind, se.Current, err)
		}
		for i := range rs {
			rs[i].Routing = s.route(rs[i].Location[0], rs[i].Location[1])
		}
	}
}

func (c Config) withDefaults() Config {
	if c.DuplicateRadiusM <= 0 {
		c.DuplicateRadiusM = 50
	}
	if c.DuplicateWindow <= 0 {
		c.DuplicateWindow = 72 * time.Hour
	}
	if c.MaxDescription <= 0 {
		c.MaxDescription = 2000
	}
	if c.MaxMedia <= 0 {
		c.MaxMedia = 5
	}
	if c.MaxURL <= 0 {
		c.MaxURL = 2048
	}
	if c.CacheTTL <= 0 {
		c.CacheTTL = time.Minute
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Service runs the use cases on one store. It is safe for concurrent use.
type Service struct {
	store data.Store
	route RouteFunc
	now   func() time.Time
	cfg   Config

	mu         sync.Mutex
	cats       map[string]data.Category
	catList    []data.Category
	catsAt     time.Time
	addrs      map[string]data.Building
	addrsAt    time.Time
	addrsValid bool
}

// New builds a Service. now is the clock (nil = time.Now); route must not be nil.
func New(store data.Store, route RouteFunc, now func() time.Time, cfg Config) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, route: route, now: now, cfg: cfg.withDefaults()}
}

// Store returns the store the service works on.
func (s *Service) Store() data.Store { return s.store }

// Config returns the effective configuration (defaults filled in).
func (s *Service) Config() Config { return s.cfg }

// Now returns the service clock's time.
func (s *Service) Now() time.Time { return s.now() }

// Categories returns the report categories, by code (cached for CacheTTL).
func (s *Service) Categories(ctx context.Context) ([]data.Category, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.loadCategoriesLocked(ctx, false); err != nil {
		return nil, err
	}
	return append([]data.Category(nil), s.catList...), nil
}

// Category returns one category; an unknown code is data.ErrNotFound.
func (s *Service) Category(ctx context.Context, code string) (data.Category, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.loadCategoriesLocked(ctx, false); err != nil {
		return data.Category{}, err
	}
	c, ok := s.cats[code]
	if !ok && time.Since(s.catsAt) > time.Second {
		if err := s.loadCategoriesLocked(ctx, true); err != nil {
			return data.Category{}, err
		}
		c, ok = s.cats[code]
	}
	if !ok {
		return data.Category{}, fmt.Errorf("category %q: %w", code, data.ErrNotFound)
	}
	return c, nil
}

func (s *Service) loadCategoriesLocked(ctx context.Context, force bool) error {
	if s.cats != nil && !force && time.Since(s.catsAt) < s.cfg.CacheTTL {
		return nil
	}
	list, err := s.store.Categories(ctx)
	if err != nil {
		return fmt.Errorf("categories: %w", err)
	}
	m := make(map[string]data.Category, len(list))
	for _, c := range list {
		m[c.Code] = c
	}
	s.cats, s.catList, s.catsAt = m, list, time.Now()
	return nil
}

// resolveAddress finds the building with exactly this address (after
// trimming spaces); false when none.
func (s *Service) resolveAddress(ctx context.Context, addr string) (data.Building, bool, error) {
	addr = strings.TrimSpace(addr)
	s.mu.Lock()
	defer s.mu.Unlock()
	stale := !s.addrsValid || time.Since(s.addrsAt) >= s.cfg.CacheTTL
	if !stale {
		if b, ok := s.addrs[addr]; ok {
			return b, true, nil
		}
		// A miss reloads only if the cache is older than a second, so a
		// stream of bad addresses cannot hammer the store.
		stale = time.Since(s.addrsAt) > time.Second
	}
	if stale {
		bs, err := s.store.ListBuildings(ctx, "")
		if err != nil {
			return data.Building{}, false, fmt.Errorf("buildings: %w", err)
		}
		m := make(map[string]data.Building, len(bs))
		for _, b := range bs {
			k := strings.TrimSpace(b.Address)
			if _, dup := m[k]; !dup && k != "" {
				m[k] = b
			}
		}
		s.addrs, s.addrsAt, s.addrsValid = m, time.Now(), true
	}
	b, ok := s.addrs[addr]
	return b, ok, nil
}
