package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/routing"
	"github.com/wangge-dev/wangge/workflow"
)

// Config is the part of the server's configuration that shapes HTTP
// behaviour. cmd/wangge parses flags and environment into it.
type Config struct {
	MaxBodyBytes   int64  // limit of a JSON request body (bytes); default 1 MiB
	MaxBatchBytes  int64  // limit of a batch body (route/report batches); default 64 MiB
	MaxBatchPoints int    // most points in one routing batch; default 100,000
	Basemap        string // optional basemap style URL or XYZ template for the dashboard
	Lang           string // dashboard default language: "zh" or "en"
	DashboardToken string // bearer token injected into the dashboard page ("" = none)
	Open311Key     string // public api_key accepted by Open311 POST ("" = tokens only)
	Version        string
}

func (c *Config) defaults() {
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.MaxBatchBytes <= 0 {
		c.MaxBatchBytes = 64 << 20
	}
	if c.MaxBatchPoints <= 0 {
		c.MaxBatchPoints = 100_000
	}
	if c.Lang == "" {
		c.Lang = "zh"
	}
}

// Server is the HTTP interface. Build it with New; it is an http.Handler.
type Server struct {
	cfg      Config
	store    data.Store
	router   *routing.Router
	wf       *workflow.Service
	assets   fs.FS
	log      *slog.Logger
	mux      *mux.Router
	feed     *feed
	counters counters
	tiles    tileCache
	counts   caseCounts
	// the live feed across replicas (casefeed.go)
	origin   string
	outbox   chan data.CaseChange
	relaying atomic.Bool
}

// Deps are the parts the server talks to.
type Deps struct {
	Store    data.Store
	Router   *routing.Router
	Workflow *workflow.Service
	Assets   fs.FS // the built dashboard (frontend/dist), may be nil
	Log      *slog.Logger
}

// New builds the server and its routes.
func New(cfg Config, d Deps) *Server {
	cfg.defaults()
	if d.Log == nil {
		d.Log = slog.Default()
	}
	s := &Server{cfg: cfg, store: d.Store, router: d.Router, wf: d.Workflow, assets: d.Assets, log: d.Log, feed: newFeed(),
		origin: newOrigin(), outbox: make(chan data.CaseChange, outboxSize)}
	s.routes()
	return s
}

// ServeHTTP applies the middleware chain: request id, panic recovery, access log.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := r.Header.Get("X-Request-Id")
	if id == "" || len(id) > 64 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	w.Header().Set("X-Request-Id", id)
	r = r.WithContext(context.WithValue(r.Context(), ctxRequestID{}, id))
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic", "request_id", id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			s.writeError(w, r, &Error{Status: 500, Code: "internal", Message: "internal error"})
		}
	}()
	s.mux.ServeHTTP(w, r)
}

type ctxRequestID struct{}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(ctxRequestID{}).(string)
	return id
}

// writeJSON writes v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func itoa(i int) string { return strconv.Itoa(i) }

// readJSON decodes a JSON body of at most limit bytes into v, rejecting a
// wrong content type, unknown fields and trailing data.
func readJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !isJSONType(ct) {
		return errStatus(http.StatusUnsupportedMediaType, "unsupported_media_type", "Content-Type must be application/json, not "+ct)
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return badRequest("malformed JSON: trailing data after the value")
	}
	return nil
}

func isJSONType(ct string) bool {
	for i := 0; i < len(ct); i++ {
		if ct[i] == ';' {
			ct = ct[:i]
			break
		}
	}
	switch ct {
	case "application/json", "application/geo+json":
		return true
	}
	return false
}

// jsonError turns a decoding error into a 400/413 that names the problem.
func jsonError(err error) error {
	var mbe *http.MaxBytesError
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.As(err, &se):
		return badRequest(fmt.Sprintf("malformed JSON at byte %d: %v", se.Offset, se))
	case errors.As(err, &te):
		return badRequest(fmt.Sprintf("field %q: expected %s, got %s", te.Field, te.Type, te.Value))
	case err.Error() == "EOF":
		return badRequest("empty body: a JSON value is required")
	default:
		return badRequest("malformed JSON: " + err.Error())
	}
}

// parseTime parses an RFC 3339 query parameter; def when empty.
func parseTime(r *http.Request, name string, def time.Time) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, badRequest(name + ": not an RFC 3339 time: " + v)
	}
	return t, nil
}

// parseInt parses an integer query parameter within [min, max]; def when empty.
func parseInt(r *http.Request, name string, def, min, max int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return 0, badRequest(fmt.Sprintf("%s: must be an integer in [%d, %d], got %q", name, min, max, v))
	}
	return n, nil
}

// parseFloat parses a finite float.
func parseFloat(v string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("not a finite number: %q", v)
	}
	return f, nil
}
