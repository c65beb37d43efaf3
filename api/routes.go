package api

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/mux"
)

func (s *Server) routes() {
	m := mux.NewRouter()
	m.Handle("/healthz", s.adapt(s.healthz)).Methods(http.MethodGet, http.MethodHead)
	m.Handle("/readyz", s.adapt(s.readyz)).Methods(http.MethodGet, http.MethodHead)
	m.Handle("/metrics", s.adapt(s.metrics)).Methods(http.MethodGet)

	v1 := m.PathPrefix("/api/v1").Subrouter()
	v1.Use(s.onceParams)
	v1.Handle("/areas", s.adapt(s.listAreas)).Methods(http.MethodGet)
	v1.Handle("/areas/{code}", s.adapt(s.getArea)).Methods(http.MethodGet)
	v1.Handle("/revisions", s.adapt(s.listRevisions)).Methods(http.MethodGet)
	v1.Handle("/revisions", s.adapt(s.reviseGrids)).Methods(http.MethodPost)
	v1.Handle("/route", s.adapt(s.routeGet)).Methods(http.MethodGet)
	v1.Handle("/route", s.adapt(s.routePost)).Methods(http.MethodPost)
	v1.Handle("/categories", s.adapt(s.categories)).Methods(http.MethodGet)
	s.reportRoutes(v1)
	s.peopleRoutes(v1)
	// The catch-all answers JSON 404s under /api/v1. gorilla/mux lets a
	// catch-all win over a route that matched the path but not the method,
	// so the catch-all itself tells the two apart and answers 405 (with
	// Allow) when another method would have matched.
	var catchAll *mux.Route
	catchAll = v1.PathPrefix("/").Handler(s.adapt(func(w http.ResponseWriter, r *http.Request) error {
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut} {
			r2 := r.Clone(r.Context())
			r2.Method = m
			var rm mux.RouteMatch
			if m != r.Method && v1.Match(r2, &rm) && rm.Route != catchAll {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			return errStatus(http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" is not allowed on "+r.URL.Path)
		}
		return errStatus(http.StatusNotFound, "not_found", "no such endpoint: "+r.Method+" "+r.URL.Path)
	}))
	m.Handle("/tiles/{layer}/{z:[0-9]+}/{x:[0-9]+}/{y:[0-9]+}.mvt", s.adapt(s.tile)).Methods(http.MethodGet)
	if h := s.open311(); h != nil {
		m.PathPrefix("/open311/v2/").Handler(http.StripPrefix("/open311/v2", h))
	}
	m.PathPrefix("/").Handler(s.static()).Methods(http.MethodGet, http.MethodHead)
	m.MethodNotAllowedHandler = s.adapt(func(w http.ResponseWriter, r *http.Request) error {
		return errStatus(http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" is not allowed on "+r.URL.Path)
	})
	m.NotFoundHandler = s.adapt(func(w http.ResponseWriter, r *http.Request) error {
		return errStatus(http.StatusNotFound, "not_found", "no such endpoint: "+r.URL.Path)
	})
	s.mux = m
}

// healthz says the process is up.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "version": s.cfg.Version})
	return nil
}

// readyz says the store is reachable and a partition is loaded.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	if err := s.store.Ping(r.Context()); err != nil {
		s.log.Warn("readyz: store unreachable", "err", err)
		return errStatus(http.StatusServiceUnavailable, "store_unreachable", "the "+s.store.Kind()+" store is not reachable")
	}
	body := map[string]any{"status": "ready", "store": s.store.Kind()}
	if s.router != nil {
		body["revision"] = s.router.Revision()
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

// listRevisions serves GET /api/v1/revisions.
func (s *Server) listRevisions(w http.ResponseWriter, r *http.Request) error {
	revs, err := s.store.ListRevisions(r.Context())
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(revs))
	for i, rv := range revs {
		out[i] = map[string]any{"id": rv.ID, "created_at": rv.CreatedAt, "author": rv.Author, "note": rv.Note, "grids": rv.Grids}
	}
	writeJSON(w, http.StatusOK, map[string]any{"revisions": out})
	return nil
}

// categories serves GET /api/v1/categories.
func (s *Server) categories(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.store.Categories(r.Context())
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(cs))
	for i, c := range cs {
		out[i] = map[string]any{"code": c.Code, "name": c.Name, "name_en": c.NameEN, "deadline_hours": c.Deadline.Hours()}
	}
	writeJSON(w, http.StatusOK, map[string]any{"categories": out})
	return nil
}

// onceParams answers 400 to a request that gives a query parameter more
// than once: the handlers read one value, so the others would be dropped
// without a word (lists are comma-separated: category=a,b).
func (s *Server) onceParams(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if k := repeatedParam(r.URL.RawQuery); k != "" {
			s.writeError(w, r, badRequest(k+" is given more than once (a list is one parameter, comma-separated: "+k+"=a,b)"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// repeatedParam returns a query parameter name that the raw query gives
// more than once, or "". It allocates nothing for a query of a few plain
// names (names are compared as sent unless one is percent-encoded); a long
// query is parsed whole.
func repeatedParam(raw string) string {
	if strings.Count(raw, "&") >= 32 || strings.IndexByte(raw, '%') >= 0 || strings.IndexByte(raw, '+') >= 0 {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return "" // the handler reports the bad encoding
		}
		for k, vs := range q {
			if len(vs) > 1 {
				return k
			}
		}
		return ""
	}
	key := func(kv string) string {
		if i := strings.IndexByte(kv, '='); i >= 0 {
			return kv[:i]
		}
		return kv
	}
	for rest := raw; rest != ""; {
		kv, after, _ := strings.Cut(rest, "&")
		rest = after
		k := key(kv)
		if k == "" {
			continue
		}
		for others := after; others != ""; {
			o, more, _ := strings.Cut(others, "&")
			others = more
			if key(o) == k {
				return k
			}
		}
	}
	return ""
}
