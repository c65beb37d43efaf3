package workflow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/geo"
)

// Intake is a new report as submitted by a client.
type Intake struct {
	Category    string     // a known category code (required)
	Description string     // at most Config.MaxDescription characters; required unless MediaURLs is set
	Location    *orb.Point // lon/lat, EPSG:4326; nil: resolve Address to a building
	Address     string     // free text; when Location is nil it must equal a building's address exactly
	MediaURLs   []string   // http(s) URLs, at most Config.MaxMedia
	Source      data.Source
	// ReporterName and ReporterPhone identify a member of the public; for a
	// known actor they default to the actor's.
	ReporterName  string
	ReporterPhone string
	// IdempotencyKey makes a retry safe: the same key with the same intake
	// returns the case created first; with a different intake it is
	// ErrIdempotencyMismatch. Ignored by SubmitBatch.
	IdempotencyKey string
	// At is when the report was made; honoured only by SubmitBatch (imports
	// of historical reports). Submit always uses the service clock.
	At time.Time
}

// hash is the SHA-256 hex of the intake (without its key) and the actor id:
// what tells a retry from a reuse of an Idempotency-Key.
func (in *Intake) hash(actorID int64) string {
	c := *in
	c.IdempotencyKey = ""
	c.At = time.Time{}
	b, _ := json.Marshal(struct {
		Actor int64
		In    Intake
	}{actorID, c})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func invalid(field, format string, args ...any) error {
	return &data.ValidationError{Index: -1, Field: field, Reason: fmt.Sprintf(format, args...)}
}

func isNotFound(err error) bool { return errors.Is(err, data.ErrNotFound) }

// publicSources are the sources the public may claim.
var publicSources = []data.Source{data.SourceResident, data.SourceOpen311}

var allSources = []data.Source{data.SourcePatrol, data.SourceResident, data.SourceHotline, data.SourceOpen311, data.SourceImport}

// ValidMediaURL checks one media URL: absolute http or https with a host.
func (s *Service) validMediaURL(u string) error {
	if len(u) > s.cfg.MaxURL {
		return fmt.Errorf("longer than %d bytes", s.cfg.MaxURL)
	}
	pu, err := url.Parse(u)
	if err != nil {
		return errors.New("not a URL")
	}
	if pu.Scheme != "http" && pu.Scheme != "https" {
		return errors.New("scheme must be http or https")
	}
	if pu.Host == "" {
		return errors.New("no host")
	}
	return nil
}

func (s *Service) checkMedia(field string, urls []string) error {
	if len(urls) > s.cfg.MaxMedia {
		return invalid(field, "at most %d URLs", s.cfg.MaxMedia)
	}
	for i, u := range urls {
		if err := s.validMediaURL(u); err != nil {
			return invalid(fmt.Sprintf("%s[%d]", field, i), "%v", err)
		}
	}
	return nil
}

// prepare validates an intake and builds the report (not yet routed when
// the location is resolved here; routed by the caller). Actor nil = public.
func (s *Service) prepare(ctx context.Context, actor *data.Person, in *Intake, at time.Time) (data.Report, error) {
	cat, err := s.Category(ctx, in.Category)
	if err != nil {
		if isNotFound(err) {
			return data.Report{}, invalid("category", "unknown category %q", in.Category)
		}
		return data.Report{}, err
	}
	desc := strings.TrimSpace(in.Description)
	if n := utf8.RuneCountInString(desc); n > s.cfg.MaxDescription {
		return data.Report{}, invalid("description", "%d characters, at most %d", n, s.cfg.MaxDescription)
	}
	if !utf8.ValidString(desc) {
		return data.Report{}, invalid("description", "not valid UTF-8")
	}
	if desc == "" && len(in.MediaURLs) == 0 {
		return data.Report{}, invalid("description", "a description or a media URL is required")
	}
	if err := s.checkMedia("media_url", in.MediaURLs); err != nil {
		return data.Report{}, err
	}
	src := in.Source
	switch {
	case src == "" && actor == nil:
		src = data.SourceResident
	case src == "" && hasAnyRole(actor, gridRoles...):
		src = data.SourcePatrol
	case src == "":
		src = data.SourceResident
	case actor == nil && !slices.Contains(publicSources, src):
		return data.Report{}, invalid("source", "the public may report as resident or open311 only")
	case !slices.Contains(allSources, src):
		return data.Report{}, invalid("source", "unknown source %q", src)
	}
	r := data.Report{
		Category:      cat.Code,
		Description:   desc,
		Address:       strings.TrimSpace(in.Address),
		MediaURLs:     slices.Clone(in.MediaURLs),
		Source:        src,
		ReporterName:  strings.TrimSpace(in.ReporterName),
		ReporterPhone: strings.TrimSpace(in.ReporterPhone),
		Status:        data.StatusReported,
		CreatedAt:     at,
		UpdatedAt:     at,
		DueAt:         at.Add(cat.Deadline),
	}
	if actor != nil {
		r.ReporterID = actor.ID
		if r.ReporterName == "" {
			r.ReporterName = actor.Name
		}
		if r.ReporterPhone == "" {
			r.ReporterPhone = actor.Phone
		}
	}
	switch {
	case in.Location != nil:
		if geo.ValidPoint(in.Location[0], in.Location[1]) != nil {
			return data.Report{}, invalid("location", "lon/lat must be finite, lon in [-180,180], lat in [-90,90]")
		}
		r.Location = *in.Location
	case r.Address != "":
		b, ok, err := s.resolveAddress(ctx, r.Address)
		if err != nil {
			return data.Report{}, err
		}
		if !ok {
			return data.Report{}, invalid("address", "no building has the address %q", r.Address)
		}
		r.Location = b.Point
	default:
		return data.Report{}, invalid("location", "a location or an address is required")
	}
	return r, nil
}

// Submit validates, routes and stores a new report (status reported) and
// its "created" event. actor nil is the public. created is false when the
// Idempotency-Key was seen before with the same intake (the first case is
// returned); the same key with a different intake is ErrIdempotencyMismatch.
// A report of the same category within DuplicateRadiusM metres of an open
// case created within DuplicateWindow is stored with DuplicateOf set to
// that case (the nearest; its own original if it is itself flagged).
// Invalid input is a *data.ValidationError.
func (s *Service) Submit(ctx context.Context, actor *data.Person, in Intake) (data.Report, bool, error) {
	now := s.now()
	r, err := s.prepare(ctx, actor, &in, now)
	if err != nil {
		return data.Report{}, false, err
	}
	var actorID int64
	if actor != nil {
		actorID = actor.ID
	}
	if in.IdempotencyKey != "" {
		if len(in.IdempotencyKey) > 255 {
			return data.Report{}, false, invalid("idempotency_key", "longer than 255 bytes")
		}
		r.IdempotencyKey = in.IdempotencyKey
		r.RequestHash = in.hash(actorID)
	}
	dup, err := s.findDuplicate(ctx, &r, now)
	if err != nil {
		return data.Report{}, false, err
	}
	r.DuplicateOf = dup
	ev := data.Event{Kind: "created", To: data.StatusReported, ActorID: actorID, At: now}
	if dup != 0 {
		ev.Data = map[string]any{"duplicate_of": dup}
	}
	want := r.RequestHash
	var created bool
	rs := []data.Report{r}
	err = s.createRouted(ctx, rs, func(ctx context.Context) (err error) {
		r = rs[0]
		created, err = s.store.CreateReport(ctx, &r, ev)
		return err
	})
	if err != nil {
		return data.Report{}, false, err
	}
	if !created && r.RequestHash != want {
		return data.Report{}, false, fmt.Errorf("key %q: %w", in.IdempotencyKey, ErrIdempotencyMismatch)
	}
	return r, created, nil
}

// findDuplicate returns the id of an open case of r's category within the
// duplicate radius and window, or 0.
func (s *Service) findDuplicate(ctx context.Context, r *data.Report, now time.Time) (int64, error) {
	rad := s.cfg.DuplicateRadiusM
	lat := r.Location[1]
	dLat := rad / 111320.0 * 1.01
	cos := math.Cos(lat * math.Pi / 180)
	if cos < 0.01 {
		cos = 0.01
	}
	dLon := dLat / cos
	bb := orb.Bound{Min: orb.Point{r.Location[0] - dLon, lat - dLat}, Max: orb.Point{r.Location[0] + dLon, lat + dLat}}
	cands, _, err := s.store.ListReports(ctx, data.ReportQuery{
		Category: []string{r.Category}, Open: true, BBox: &bb,
		From: now.Add(-s.cfg.DuplicateWindow), To: now.Add(time.Microsecond), Limit: 200,
	})
	if err != nil {
		return 0, fmt.Errorf("duplicate search: %w", err)
	}
	var best int64
	bestD := math.Inf(1)
	for i := range cands {
		c := &cands[i]
		if !data.OpenStatus(c.Status) || c.Category != r.Category {
			continue
		}
		d := geo.DistanceMeters(r.Location, c.Location)
		if d > rad {
			continue
		}
		id := c.ID
		if c.DuplicateOf != 0 {
			id = c.DuplicateOf
		}
		if d < bestD || (d == bestD && id < best) {
			best, bestD = id, d
		}
	}
	return best, nil
}
