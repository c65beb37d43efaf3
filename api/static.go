package api

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
)

// dashboardConfig is injected into index.html as window.WANGGE_CONFIG.
type dashboardConfig struct {
	APIBase     string `json:"apiBase"`
	Token       string `json:"token"`
	Basemap     string `json:"basemap"`
	Lang        string `json:"lang"`
	Attribution string `json:"attribution"`
	GridSource  string `json:"gridSource"` // "geojson" or "mvt"
}

const configPlaceholder = "<!--WANGGE_CONFIG-->"

// mvtThreshold is the grid count above which the dashboard is told to use
// vector tiles instead of one GeoJSON document.
const mvtThreshold = 5000

type staticHandler struct {
	s     *Server
	files http.Handler
	once  sync.Mutex
	index map[string][]byte // by gridSource
}

// static serves the embedded dashboard: files as they are, and index.html
// (with the runtime configuration injected) for "/" and for any path that
// is not a file, so that the app's own routes work on reload.
func (s *Server) static() http.Handler {
	if s.assets == nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte("<!doctype html><title>wangge</title><p>wangge is running; the dashboard was not built into this binary. See <a href=\"/api/v1/areas?level=street\">/api/v1/areas</a>.</p>"))
		})
	}
	return &staticHandler{s: s, files: http.FileServer(http.FS(s.assets)), index: map[string][]byte{}}
}

func (h *staticHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if p != "" && p != "index.html" {
		if st, err := fs.Stat(h.s.assets, p); err == nil && !st.IsDir() {
			if strings.HasSuffix(p, ".js") || strings.HasSuffix(p, ".css") {
				w.Header().Set("Cache-Control", "public, max-age=300")
			}
			h.files.ServeHTTP(w, r)
			return
		}
		if path.Ext(p) != "" {
			h.s.writeError(w, r, errStatus(http.StatusNotFound, "not_found", "no such file: /"+p))
			return
		}
	}
	page, err := h.page(r)
	if err != nil {
		h.s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(page)
}

func (h *staticHandler) page(r *http.Request) ([]byte, error) {
	src := "geojson"
	if n := h.s.gridCount(r); n > mvtThreshold {
		src = "mvt"
	}
	h.once.Lock()
	defer h.once.Unlock()
	if b, ok := h.index[src]; ok {
		return b, nil
	}
	raw, err := fs.ReadFile(h.s.assets, "index.html")
	if err != nil {
		return nil, err
	}
	cfg := dashboardConfig{Token: h.s.cfg.DashboardToken, Basemap: h.s.cfg.Basemap, Lang: h.s.cfg.Lang,
		Attribution: "© OpenStreetMap contributors", GridSource: src}
	js, _ := json.Marshal(cfg)
	js = bytes.ReplaceAll(js, []byte("</"), []byte(`<\/`))
	b := bytes.Replace(raw, []byte(configPlaceholder), []byte("<script>window.WANGGE_CONFIG = "+string(js)+";</script>"), 1)
	h.index[src] = b
	return b, nil
}
